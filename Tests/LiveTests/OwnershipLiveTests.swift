import Foundation
import PolrouteCore
import TestSupport
import Testing

/// `polroute apply` and the rendered script share one idea of what polroute owns: from the same starting state,
/// both leave exactly the same rules and routes, and neither touches anything else.
@Suite("apply and the script converge alike, live", .enabled(if: Live.enabled), .serialized)
struct OwnershipLiveTests {
  /// Starting states: what earlier polroute runs, other tools and hand edits left behind.
  static let starts: [(name: String, commands: [String])] = [
    ("clean host", []),
    (
      "stale policy: rules, an old table, a stale route in an owned table",
      [
        "rule add from 192.0.2.10 lookup 140 priority 15000 protocol 177",
        "rule add from 203.0.113.10 lookup 140 priority 20000 protocol 177",
        "route add 192.0.2.0/25 via 203.0.113.1 dev data table 140 proto 177",
        "route add 100.64.0.0/10 via 203.0.113.1 dev data table 100 proto 177",
        "-6 route add unreachable 2001:db8:dead::/48 table 140 proto 177",
      ]
    ),
    (
      "marked routes in the reserved tables default and main, which polroute never touches",
      [
        "route add 192.0.2.0/26 via 203.0.113.1 dev data table 253 proto 177",
        "route add 192.0.2.64/26 via 203.0.113.1 dev data proto 177",
      ]
    ),
    (
      "foreign rules at polroute's priorities, a foreign route in an owned table, appended duplicates",
      [
        "rule add fwmark 0x7 lookup 300 priority 20000",
        "route add 192.0.2.128/26 via 203.0.113.1 dev data table 100",
        "route append 100.64.0.0/10 via 203.0.113.1 dev data table 100 proto 177",
        "route append 100.64.0.0/10 via 203.0.113.1 dev data table 100 proto 177 metric 0",
      ]
    ),
  ]

  @Test("from each starting state, apply and the script leave the same owned objects and the same foreign ones")
  func sameResult() throws {
    let scratch = try ScratchDirectory("own")
    for start in Self.starts {
      let applied = try Topology.dualHomed("owna", dualStack: true)
      let scripted = try Topology.dualHomed("owns", dualStack: true)
      for server in [applied.server, scripted.server] {
        for command in start.commands {
          // `route append` of an existing route is refused when it is the same: skip what the kernel refuses.
          _ = try? server.ip(command)
        }
      }
      let applyRun = try applied.server.polroute(["apply"])
      #expect(applyRun.status == 0, "\(start.name): apply: \(applyRun.errorText)")
      let script = try ScriptLiveTests.render(scripted.server, policy: nil, into: scratch)
      let scriptRun = try scripted.server.sh(script.path)
      #expect(scriptRun.status == 0, "\(start.name): script: \(scriptRun.errorText)")
      #expect(try applied.server.owned() == (try scripted.server.owned()), "\(start.name): owned objects differ")
      let (a, b) = (try Self.comparable(applied.server.foreign()), try Self.comparable(scripted.server.foreign()))
      #expect(a == b, "\(start.name): foreign objects differ:\n\(a)\n---\n\(b)")
      #expect(try applied.server.polroute(["plan", "--detailed-exitcode"]).status == 0, "\(start.name)")
    }
  }

  /// A listing with each device's IPv6 link-local address masked and the lines sorted: the kernel derives those
  /// addresses from random MACs (and orders its local table by them), so two namespaces built alike differ there
  /// and nowhere else.
  static func comparable(_ listing: String) -> String {
    listing.split(separator: "\n").map { line in
      line.split(separator: " ").map { $0.hasPrefix("fe80::") && $0 != "fe80::/64" ? "fe80::LINK" : String($0) }
        .joined(separator: " ")
    }.sorted().joined(separator: "\n")
  }
}
