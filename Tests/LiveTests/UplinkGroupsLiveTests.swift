import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// A host with two providers sending new outbound flows through an uplink group, counted per provider at the host's
/// own interfaces and at each provider's router: flows split by weight, every flow passes strict rp_filter at the
/// provider (its source is the address of the uplink it left by) and reaches the core, and a failover group moves
/// every new flow to the backup while the primary's link is down and back when it returns.
@Suite(
  "uplink groups, live", .enabled(if: Live.enabled),
  .requires(TestTool.namespaceHost + [.ping, .python3]), .serialized)
struct UplinkGroupsLiveTests {
  /// The address new flows go to: on the core's loopback, behind both providers.
  static let destination = "100.66.0.1"

  /// Two providers (isp1 198.51.100.20, isp2 203.0.113.20), main's default through isp1 only, IPv6 off on the host
  /// (so its interfaces send nothing but the flows and ARP), and the core answering every datagram at once.
  static func lab(_ label: String) throws -> ProviderLab {
    let lab = try ProviderLab(label)
    for key in ["all", "default"] { try lab.host.sysctl("net.ipv6.conf.\(key).disable_ipv6=1") }
    try lab.provider(1, device: "isp1", network: "198.51.100", address: "20")
    try lab.provider(2, device: "isp2", network: "203.0.113", address: "20")
    try lab.host.ip("route add default via 198.51.100.1 dev isp1")
    try lab.core.ip("link set lo up")
    try lab.core.ip("addr add \(destination)/32 dev lo")
    // Port unreachable for every datagram, not one a second: the replies are counted too.
    try lab.core.sysctl("net.ipv4.icmp_ratelimit=0")
    return lab
  }

  /// Packets an interface of a namespace has sent and received.
  static func counters(_ namespace: Namespace, _ device: String) throws -> (sent: Int, received: Int) {
    let output = try namespace.ip("-s -j link show dev \(device)").output
    guard let links = try JSONSerialization.jsonObject(with: Data(output)) as? [[String: Any]],
      let stats = links.first?["stats64"] as? [String: Any], let tx = stats["tx"] as? [String: Any],
      let rx = stats["rx"] as? [String: Any], let sent = tx["packets"] as? Int, let received = rx["packets"] as? Int
    else { throw FlowError("no counters for \(device) in \(namespace.name)") }
    return (sent, received)
  }

  /// What each uplink carried while `body` ran: packets the host sent by it, and packets its provider's router
  /// forwarded on to the core.
  static func carried(_ lab: ProviderLab, during body: () throws -> Void) throws -> [String: (
    sent: Int, forwarded: Int
  )] {
    func read() throws -> [String: (Int, Int)] {
      var values: [String: (Int, Int)] = [:]
      for provider in lab.providers {
        values[provider.device] = (
          try counters(lab.host, provider.device).sent, try counters(provider.router, "north").sent
        )
      }
      return values
    }
    let before = try read()
    try body()
    let after = try read()
    var carried: [String: (sent: Int, forwarded: Int)] = [:]
    for (device, old) in before {
      let new = after[device]!
      carried[device] = (new.0 - old.0, new.1 - old.1)
    }
    return carried
  }

  /// Sends `count` UDP datagrams from the host to `destination`, each from a new socket with its own source port,
  /// none bound to an address: new outbound flows, as a program with no opinion about its source makes them.
  static func sendFlows(_ lab: ProviderLab, count: Int, port: Int = 9) throws {
    let script = """
      import socket
      sockets = []
      for _ in range(\(count)):
          s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
          s.sendto(b"x", ("\(destination)", \(port)))
          sockets.append(s)
      ports = {s.getsockname()[1] for s in sockets}
      assert len(ports) == \(count), "source ports repeat"
      """
    let result = try lab.host.exec(["python3", "-c", script])
    guard result.status == 0 else { throw FlowError("sending flows failed: \(result.errorText)") }
  }

  /// The host's addresses must answer a ping from every network (both providers' clients and routers).
  static func expectReachable(
    _ lab: ProviderLab, _ when: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  )
    throws
  {
    let missing = try lab.unreachable(from: lab.farSides, to: lab.providers.map(\.address))
    #expect(missing == [], "\(when): \(missing)", sourceLocation: sourceLocation)
  }

  /// Runs apply with a policy; a second apply changes nothing.
  static func apply(_ lab: ProviderLab, _ policy: String, scratch: ScratchDirectory) throws -> CommandResult {
    let arguments = ["apply", "--policy", try scratch.write("policy.conf", policy)]
    let run = try scratch.directory("run")
    let first = try lab.host.polroute(arguments, environment: ["POLROUTE_RUN_DIR": run])
    let second = try lab.host.polroute(arguments, environment: ["POLROUTE_RUN_DIR": run])
    #expect(second.status == 0, "second apply: \(second.errorText)")
    #expect(
      second.outputText.hasPrefix("Kernel: nothing to change")
        && second.outputText.contains("Kernel settings: the"), "second apply changed something: \(second.outputText)")
    return first
  }

  @Test(
    "balance isp1:3 isp2:1 with hash layer4: 1,000 new flows split 3:1 within 60 flows, each through its source's uplink"
  )
  func weightedSplit() throws {
    let lab = try Self.lab("bal")
    let scratch = try ScratchDirectory("bal")
    let applied = try Self.apply(
      lab, "auto\nuplink isp2 dev isp2 via 203.0.113.1\nbalance wan table 200 uplinks isp1:3 isp2 hash layer4\n",
      scratch: scratch)
    #expect(applied.status == 0, "apply: \(applied.errorText)\(applied.outputText)")
    #expect(
      applied.outputText.contains("net.ipv4.fib_multipath_hash_policy 0 -> 1  (balance wan: hash layer4)"),
      "\(applied.outputText)")
    #expect(applied.outputText.contains("; verified.\n"), "\(applied.outputText)")
    #expect(try lab.host.checkExec(["sysctl", "-n", "net.ipv4.fib_multipath_hash_policy"]).outputText == "1\n")
    #expect(
      try lab.host.checkExec(["sysctl", "-n", "net.ipv4.conf.isp2.ignore_routes_with_linkdown"]).outputText == "1\n")
    let table = try lab.host.ip("route show table 200").outputText
    #expect(
      table.contains("nexthop via 198.51.100.1 dev isp1 weight 3")
        && table.contains("nexthop via 203.0.113.1 dev isp2 weight 1"), "\(table)")
    // main's default is where it was.
    let defaults = try lab.host.ip("route show default").outputText.split(separator: "\n").map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    #expect(defaults == ["default via 198.51.100.1 dev isp1"], "\(defaults)")
    try Self.expectReachable(lab, "after apply")
    // inspect finds nothing wrong with the host the group left.
    let check = try lab.host.polroute(["inspect", "--check"])
    #expect(check.status == 0 && check.outputText.hasPrefix("POLROUTE OK"), "\(check.outputText)")

    let flows = 1000
    let carried = try Self.carried(lab) { try Self.sendFlows(lab, count: flows) }
    let isp1 = carried["isp1"]!
    let isp2 = carried["isp2"]!
    // Every flow left by one uplink (a few ARP packets aside) and its provider passed it on: with strict rp_filter
    // at the routers, a flow whose source belonged to the other uplink would have been dropped there.
    #expect((flows...(flows + 10)).contains(isp1.sent + isp2.sent), "sent \(isp1.sent) + \(isp2.sent)")
    #expect(isp1.forwarded + isp2.forwarded >= flows, "forwarded \(isp1.forwarded) + \(isp2.forwarded)")
    // A router's own ARP for the core counts among what it sends there: a few packets either way.
    #expect(isp1.forwarded <= isp1.sent + 3 && isp2.forwarded <= isp2.sent + 3, "\(carried)")
    print(
      "uplink groups, live: \(flows) flows, isp1 sent \(isp1.sent) forwarded \(isp1.forwarded), "
        + "isp2 sent \(isp2.sent) forwarded \(isp2.forwarded)"
    )
    // 3:1 is 750 and 250; the binomial standard deviation is 14 flows: 60 is over four of them.
    #expect((690...810).contains(isp1.forwarded), "isp1 carried \(isp1.forwarded) of \(flows), expected 750 +- 60")
    #expect((190...310).contains(isp2.forwarded), "isp2 carried \(isp2.forwarded) of \(flows), expected 250 +- 60")
    try Self.expectReachable(lab, "after the flows")
  }

  @Test("failover isp1 then isp2, and an application over isp2 falling back to isp1: links down and up again")
  func failover() throws {
    let lab = try Self.lab("fov")
    let scratch = try ScratchDirectory("fov")
    let policy = """
      auto
      uplink isp2 dev isp2 via 203.0.113.1
      failover out table 200 uplinks isp1 isp2
      failover video table 201 uplinks isp2 isp1 rules-only
      rule ipproto udp dport 5004 lookup video
      """
    let applied = try Self.apply(lab, policy, scratch: scratch)
    #expect(applied.status == 0, "apply: \(applied.errorText)")
    #expect(!applied.outputText.contains("fib_multipath_hash_policy"), "no hash was asked for: \(applied.outputText)")
    try Self.expectReachable(lab, "after apply")
    let (isp1, isp2) = (lab.providers[0], lab.providers[1])
    let count = 200
    let noise = 5

    // Both links up: new flows take the primary only, the application its own primary.
    var carried = try Self.carried(lab) { try Self.sendFlows(lab, count: count) }
    #expect(carried["isp1"]!.forwarded >= count && carried["isp2"]!.sent <= noise, "both up: \(carried)")
    carried = try Self.carried(lab) { try Self.sendFlows(lab, count: count, port: 5004) }
    #expect(carried["isp2"]!.forwarded >= count && carried["isp1"]!.sent <= noise, "application, both up: \(carried)")

    // isp1's link goes down (its router's side): every new flow leaves by isp2; none by isp1.
    try isp1.router.ip("link set south down")
    #expect(try eventually { try lab.host.ip("route show table 200").outputText.contains("linkdown") })
    carried = try Self.carried(lab) { try Self.sendFlows(lab, count: count) }
    #expect(carried["isp2"]!.forwarded >= count && carried["isp1"]!.sent == 0, "isp1 down: \(carried)")
    try isp1.router.ip("link set south up")
    #expect(try eventually { try !lab.host.ip("route show table 200").outputText.contains("linkdown") })
    carried = try Self.carried(lab) { try Self.sendFlows(lab, count: count) }
    #expect(carried["isp1"]!.forwarded >= count && carried["isp2"]!.sent <= noise, "isp1 back: \(carried)")

    // The application's uplink goes down: it falls back to isp1, and returns when isp2 does.
    try isp2.router.ip("link set south down")
    #expect(try eventually { try lab.host.ip("route show table 201").outputText.contains("linkdown") })
    carried = try Self.carried(lab) { try Self.sendFlows(lab, count: count, port: 5004) }
    #expect(carried["isp1"]!.forwarded >= count && carried["isp2"]!.sent == 0, "isp2 down: \(carried)")
    try isp2.router.ip("link set south up")
    #expect(try eventually { try !lab.host.ip("route show table 201").outputText.contains("linkdown") })
    carried = try Self.carried(lab) { try Self.sendFlows(lab, count: count, port: 5004) }
    #expect(carried["isp2"]!.forwarded >= count && carried["isp1"]!.sent <= noise, "isp2 back: \(carried)")
    try Self.expectReachable(lab, "after the links came back")
  }

  @Test("dual stack: the group's IPv6 default is multipath with weights too; a second apply changes nothing")
  func dualStack() throws {
    let host = try Namespace("b6h")
    let router = try Namespace("b6r")
    for namespace in [host, router] {
      for key in ["all", "default"] { try namespace.sysctl("net.ipv6.conf.\(key).accept_dad=0") }
    }
    try host.link("upa", to: router, as: "ra")
    try host.link("upb", to: router, as: "rb")
    for (local, remote, v4, v6) in [
      ("upa", "ra", "198.51.100", "2001:db8:a::"), ("upb", "rb", "203.0.113", "2001:db8:b::"),
    ] {
      try host.ip("addr add \(v4).10/24 dev \(local)")
      try router.ip("addr add \(v4).1/24 dev \(remote)")
      try host.ip("addr add \(v6)10/64 dev \(local) nodad")
      try router.ip("addr add \(v6)1/64 dev \(remote) nodad")
    }
    let scratch = try ScratchDirectory("b6")
    let policy = """
      uplink a dev upa via 198.51.100.1 via6 2001:db8:a::1
      uplink b dev upb via 203.0.113.1 via6 2001:db8:b::1
      balance wan table 300 uplinks a:2 b hash layer4
      """
    let path = try scratch.write("policy.conf", policy)
    let run = try scratch.directory("run")
    let first = try host.polroute(["apply", "--policy", path], environment: ["POLROUTE_RUN_DIR": run])
    #expect(first.status == 0 && first.outputText.contains("; verified.\n"), "\(first.outputText)\(first.errorText)")
    #expect(first.outputText.contains("net.ipv6.fib_multipath_hash_policy 0 -> 1  (balance wan: hash layer4)"))
    #expect(try host.checkExec(["sysctl", "-n", "net.ipv6.conf.upb.ignore_routes_with_linkdown"]).outputText == "1\n")
    let table = try host.ip("-6 route show table 300").outputText
    #expect(
      table.contains("nexthop via 2001:db8:a::1 dev upa weight 2")
        && table.contains("nexthop via 2001:db8:b::1 dev upb weight 1"), "\(table)")
    let rules = try host.ip("-6 rule show").outputText
    #expect(rules.contains("32000:\tfrom all lookup 300 proto 177"), "\(rules)")
    let second = try host.polroute(["apply", "--policy", path], environment: ["POLROUTE_RUN_DIR": run])
    #expect(
      second.status == 0 && second.outputText.hasPrefix("Kernel: nothing to change")
        && second.outputText.contains("Kernel settings: the 6 the policy asks for are set"), "\(second.outputText)")
  }
}

/// A step of the flow tests that could not be carried out.
struct FlowError: Error, CustomStringConvertible {
  /// What went wrong.
  let description: String

  /// Wraps a message.
  init(_ description: String) {
    self.description = description
  }
}
