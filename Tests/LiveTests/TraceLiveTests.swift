import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// `apply`'s session guard, `stats` and a trace over a sampled snapshot, on real namespaces: the dual-homed server
/// (`Topology.dualHomed`), its client 192.0.2.10 behind the router, reached through mgmt.
@Suite(
  "trace, the session guard and stats, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost + [.ping]),
  .serialized)
struct TraceLiveTests {
  /// The SSH session of the client with the server's mgmt address.
  static let session = ["SSH_CONNECTION": "192.0.2.10 51234 198.51.100.10 22"]

  /// A policy that makes the client's network unreachable from the server: it would cut the session.
  static let cutting = """
    uplink mgmt dev mgmt via 198.51.100.1
    uplink data dev data via 203.0.113.1
    rule to 192.0.2.0/25 unreachable priority 9000

    """

  @Test("apply over SSH refuses a plan that would cut the session, touching nothing; a plan that keeps it applies")
  func guardRefusesThenApplies() throws {
    let host = try ApplyHost("guard")
    let before = try host.server.dump()
    let cutting = try host.policy(Self.cutting, name: "cutting.conf")
    let refused = try host.server.polroute(
      ["apply", "--policy", cutting], environment: host.environment.merging(Self.session) { $1 })
    #expect(refused.status == 1)
    #expect(
      refused.errorText.contains(
        "error: the plan would cut the connection polroute runs over, so nothing was changed:\n"
          + "  the SSH session (SSH_CONNECTION): replies to 192.0.2.10 from 198.51.100.10 leave via 198.51.100.1 dev "
          + "mgmt src 198.51.100.10 (table main) now; after the plan rule 9000 (from all to 192.0.2.0/25 unreachable) "
          + "rejects it: Network is unreachable\n"),
      "\(refused.errorText)")
    #expect(try host.server.dump() == before, "the kernel changed although apply refused")
    #expect(try host.topology.clientReaches("198.51.100.10"))

    // The same plan with a rule that keeps the session's replies on their path is applied.
    let kept = try host.policy(
      Self.cutting + "rule from 198.51.100.10 to 192.0.2.10 lookup mgmt priority 8000\n", name: "kept.conf")
    let applied = try host.server.polroute(
      ["apply", "--policy", kept], environment: host.environment.merging(Self.session) { $1 })
    #expect(applied.status == 0, "\(applied.errorText)")
    #expect(try host.topology.clientReaches("198.51.100.10"), "the session's path was kept, yet the client is cut")
    #expect(try host.planStatus(kept) == 0)
  }

  @Test("--force applies the cutting plan, and the client is cut as the guard said")
  func forceCuts() throws {
    let host = try ApplyHost("force")
    let cutting = try host.policy(Self.cutting, name: "cutting.conf")
    let forced = try host.server.polroute(
      ["apply", "--policy", cutting, "--force"], environment: host.environment.merging(Self.session) { $1 })
    #expect(forced.status == 0, "\(forced.errorText)")
    #expect(try !host.topology.clientReaches("198.51.100.10"), "the guard predicted a cut that did not happen")
    // Without the session, --keep guards the same connection.
    let other = try ApplyHost("keep")
    let kept = try other.polroute(["apply", "--policy", try other.policy(Self.cutting), "--keep", "192.0.2.10"])
    #expect(kept.status == 1)
    #expect(kept.errorText.contains("  --keep '192.0.2.10': replies to 192.0.2.10 leave via 198.51.100.1 dev mgmt"))
  }

  /// One uplink's figure from `stats --json`.
  static func figure(_ document: [String: Any], uplink: String, source: String, direction: String) -> (UInt64, UInt64)?
  {
    guard let uplinks = document["uplinks"] as? [[String: Any]],
      let entry = uplinks.first(where: { $0["name"] as? String == uplink }),
      let figures = entry["figures"] as? [[String: Any]],
      let figure = figures.first(where: { $0["source"] as? String == source && $0["direction"] as? String == direction }
      ),
      let packets = (figure["packets"] as? NSNumber)?.uint64Value,
      let bytes = (figure["bytes"] as? NSNumber)?.uint64Value
    else { return nil }
    return (packets, bytes)
  }

  @Test("stats: five pings of 100 bytes through each uplink move its interface and realm figures by exactly that")
  func statsMove() throws {
    let host = try ApplyHost("stats")
    let policy = try host.policy(
      "uplink mgmt dev mgmt via 198.51.100.1 realm 211\nuplink data dev data via 203.0.113.1 realm 212\n")
    let applied = try host.polroute(["apply", "--policy", policy])
    try #require(applied.status == 0, "\(applied.errorText)")
    // A remote client pinged from each uplink's address: its replies come back through that uplink. (A gateway
    // pinged directly is a local network's host: the route back to it is main's link route, which has no realm.)
    let sources = ["mgmt": "198.51.100.10", "data": "203.0.113.10"]
    let client = "192.0.2.10"
    // Once first, so the neighbours are resolved and no ARP crosses the links while counting.
    for source in sources.values { try host.server.checkExec(["ping", "-c", "1", "-W", "1", "-I", source, client]) }
    let first = try jsonObject(try host.polroute(["stats", "--policy", policy, "--json"]))
    for source in sources.values {
      try host.server.checkExec(["ping", "-c", "5", "-i", "0.01", "-s", "100", "-W", "1", "-q", "-I", source, client])
    }
    let second = try jsonObject(try host.polroute(["stats", "--policy", policy, "--json"]))
    // An echo request of 100 bytes of data is 128 bytes of IP, 142 on the Ethernet link; each comes back.
    for (uplink, realm) in [("mgmt", 211), ("data", 212)] {
      for direction in ["sent", "received"] {
        let before = try #require(Self.figure(first, uplink: uplink, source: "interface", direction: direction))
        let after = try #require(Self.figure(second, uplink: uplink, source: "interface", direction: direction))
        #expect(after.0 - before.0 == 5, "\(uplink) \(direction) packets")
        #expect(after.1 - before.1 == 5 * 142, "\(uplink) \(direction) bytes")
      }
      // The kernel counts the replies the host received, by the realm of its route back to their sender.
      let before = try #require(Self.figure(first, uplink: uplink, source: "realm", direction: "received"))
      let after = try #require(Self.figure(second, uplink: uplink, source: "realm", direction: "received"))
      #expect(after.0 - before.0 == 5, "realm \(realm) packets")
      #expect(after.1 - before.1 == 5 * 128, "realm \(realm) bytes")
    }
    let text = try host.polroute(["stats", "--policy", policy]).outputText
    #expect(text.contains("realm 211 (rt_acct): packets received whose route back is mgmt's (realm 211)"))
    #expect(text.contains("interface: every packet data sent"))
  }

  @Test("a route a huge table hides from the snapshot: trace on the snapshot says so, on the live host finds it")
  func sampledSnapshot() throws {
    let topology = try Topology.dualHomed("huge")
    // The first route through data's gateway names it; then more routes through mgmt's than a snapshot keeps;
    // then the one that matters, through data again.
    var lines = ["route add 100.64.0.1/32 via 203.0.113.1 dev data"]
    for index in 0..<(RouteCollector.otherRouteLimit + 500) {
      lines.append("route add 100.65.\(index / 256).\(index % 256)/32 via 198.51.100.1 dev mgmt")
    }
    lines.append("route add 100.127.0.0/24 via 203.0.113.1 dev data")
    try Live.check(["ip", "-n", topology.server.name, "-batch", "-"], input: lines.joined(separator: "\n") + "\n")
    let files = try TemporaryDirectory("huge")
    let inspect = try topology.server.polroute(["inspect", "--json"])
    let snapshot = try files.write("host.json", inspect.outputText)
    let empty = try files.write("empty.conf", "\n")
    let arguments = ["trace", "--to", "100.127.0.5", "--policy", empty]
    let offline = try Live.run([TestPaths.binary] + arguments + ["--state", snapshot])
    #expect(offline.status == 0, "\(offline.errorText)")
    #expect(offline.outputText.contains("  -> via 198.51.100.1 dev mgmt"), "\(offline.outputText)")
    #expect(
      offline.outputText.contains(
        "note: the snapshot left out routes of table main: this answer may miss a more specific one"))
    let live = try topology.server.polroute(arguments)
    #expect(live.outputText.contains("  -> via 203.0.113.1 dev data, source 203.0.113.10 (table main, rule 32766)"))
    #expect(!live.outputText.contains("left out"))
    let kernel = try topology.server.ip("route get 100.127.0.5").outputText
    #expect(kernel.hasPrefix("100.127.0.5 via 203.0.113.1 dev data"))
  }
}
