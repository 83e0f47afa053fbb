import Foundation
import PolrouteCore
import TestSupport
import Testing

/// `polroute inspect` on a real dual-homed namespace.
@Suite("inspect, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost), .serialized)
struct InspectLiveTests {
  @Test("inspect --json matches the namespace and reports the asymmetric reply until a table and rule fix it")
  func asymmetricReplyFinding() throws {
    let topology = try Topology.dualHomed("insp")
    let first = try topology.server.polroute(["inspect", "--json"])
    #expect(first.status == 0, "inspect failed: \(first.errorText)")
    let state = try Snapshot.decode(first.output, file: "inspect")

    // What was configured.
    let data = try #require(state.interface(named: "data"))
    #expect(data.kind == "veth")
    #expect(data.isUp)
    #expect(data.globalAddresses.map(\.address.description) == ["203.0.113.10/24"])
    #expect(state.interface(named: "mgmt")?.globalAddresses.map(\.address.description) == ["198.51.100.10/24"])
    let main = state.routes.filter { $0.table == RoutingTable.main && $0.family == .inet }
    #expect(main.contains { $0.isDefault && $0.gateway?.description == "198.51.100.1" && $0.device == "mgmt" })
    #expect(
      main.contains {
        $0.destination.description == "192.0.2.128/25" && $0.gateway?.description == "203.0.113.1"
          && $0.device == "data"
      })
    #expect(state.rpFilter.effective(for: "data") == 1)
    #expect(state.rules.filter { $0.family == .inet }.map(\.priority) == [0, 32766, 32767])

    // What is wrong: replies from the data address leave through mgmt, and strict rp_filter drops the requests.
    let findings = Inspector.findings(state)
    #expect(findings.contains { $0.code == "asymmetric-reply" && $0.subject == "interface data" })
    #expect(findings.contains { $0.code == "strict-rp-filter" && $0.subject == "interface data" })
    let text = try topology.server.polroute(["inspect"]).outputText
    #expect(
      text.contains(
        "replies from 203.0.113.10 (data) to remote clients leave via 198.51.100.1 dev mgmt (table main), not through data"))

    // Fixed by hand: a table for data and a source rule.
    try topology.server.ip("route add default via 203.0.113.1 dev data table 200")
    try topology.server.ip("rule add from 203.0.113.10 lookup 200 priority 1000")
    let fixed = try Snapshot.decode(try topology.server.polroute(["inspect", "--json"]).output, file: "inspect")
    let remaining = Inspector.findings(fixed)
    #expect(
      !remaining.contains { $0.code == "asymmetric-reply" || $0.code == "strict-rp-filter" }, "still: \(remaining)")
    #expect(remaining.contains { $0.code == "unnamed-table" && $0.subject == "table 200" })
  }

  @Test("inspect --json > s.json, then inspect --state s.json --json gives the same document")
  func snapshotRoundTrip() throws {
    let topology = try Topology.dualHomed("snap", dualStack: true)
    let live = try topology.server.polroute(["inspect", "--json"])
    #expect(live.status == 0)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("polroute-snap-\(getpid()).json").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    live.output.withUnsafeBytes { _ = FileManager.default.createFile(atPath: file, contents: Data($0)) }
    let replayed = try Live.run([TestPaths.binary, "inspect", "--state", file, "--json"])
    #expect(replayed.status == 0)
    #expect(replayed.outputText == live.outputText)
  }
}
