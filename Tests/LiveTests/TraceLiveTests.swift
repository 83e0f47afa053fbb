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

  /// A rule class's figure from `stats --json`.
  static func ruleClassFigure(_ document: [String: Any], realm: Int) -> (UInt64, UInt64)? {
    guard let classes = document["ruleClasses"] as? [[String: Any]],
      let entry = classes.first(where: { ($0["realm"] as? NSNumber)?.intValue == realm }),
      let figure = entry["figure"] as? [String: Any],
      let packets = (figure["packets"] as? NSNumber)?.uint64Value,
      let bytes = (figure["bytes"] as? NSNumber)?.uint64Value
    else { return nil }
    return (packets, bytes)
  }

  @Test("stats per rule class: a LAN's five pings forwarded by a rule with a realm move its figure by exactly that")
  func statsPerRuleClass() throws {
    let lab = try ProviderLab("rcls")
    try lab.host.sysctl("net.ipv4.ip_forward=1")
    let isp1 = try lab.provider(1, device: "if1", network: "198.51.100", address: "20")
    let isp2 = try lab.provider(2, device: "if2", network: "203.0.113", address: "20")
    // isp2 carries the LAN: main's default goes there, and isp2 routes the LAN back, as a provider routes a
    // customer's network. The rule below sends the LAN there too, so the kernel counts what it routes.
    try lab.host.ip("route add default via \(isp2.gateway) dev if2")
    let lan = try lab.attach(
      "lan", to: "if0", bridge: false, address: "100.66.20.10", length: 24, gateway: "100.66.20.1")
    try lab.host.ip("addr add 100.66.20.1/24 dev if0")
    try lab.routeBehindHost("100.66.20.0/24", through: isp2)
    let scratch = try ScratchDirectory("rcls")
    let policy = try scratch.write(
      "policy.conf",
      "auto\nuplink if1 dev if1 via \(isp1.gateway)\nexclude if0\nrule iif if0 lookup if2 realm 221\n")
    let environment = ["POLROUTE_RUN_DIR": try scratch.directory("run")]
    let applied = try lab.host.polroute(["apply", "--policy", policy], environment: environment)
    try #require(applied.status == 0, "\(applied.errorText)")
    let rule = try lab.host.ip("-4 rule show pref 10000").outputText
    #expect(rule.contains("iif if0 lookup ") && rule.contains(" realms 221/"), "\(rule)")
    let again = try lab.host.polroute(["apply", "--policy", policy], environment: environment)
    #expect(again.outputText.hasPrefix("Kernel: nothing to change"), "\(again.outputText)")
    // Judge the host: every network still reaches every address.
    #expect(
      try lab.unreachable(from: [("LAN client", lan)] + lab.farSides, to: [isp1.address, isp2.address, "100.66.20.1"])
        == [])

    let remote = "100.65.2.10"  // isp2's client
    try lan.checkExec(["ping", "-c", "1", "-W", "1", remote])  // neighbours resolved before counting
    let first = try jsonObject(
      try lab.host.polroute(["stats", "--policy", policy, "--json"], environment: environment))
    try lan.checkExec(["ping", "-c", "5", "-i", "0.01", "-s", "100", "-W", "1", "-q", remote])
    let second = try jsonObject(
      try lab.host.polroute(["stats", "--policy", policy, "--json"], environment: environment))
    // The kernel counts the five requests the rule routed (128 bytes of IP each); their replies come back by the
    // local-networks rule and are not the rule's.
    let before = try #require(Self.ruleClassFigure(first, realm: 221), "\(first)")
    let after = try #require(Self.ruleClassFigure(second, realm: 221))
    #expect(after.0 - before.0 == 5)
    #expect(after.1 - before.1 == 5 * 128)
    let text = try lab.host.polroute(["stats", "--policy", policy], environment: environment).outputText
    #expect(text.contains("realm 221 (rt_acct): packets the host forwarded by rule 10000 (realm 221)"), "\(text)")
    #expect(text.contains("note: rule figures count forwarded packets only"), "\(text)")
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
