import Foundation
import PolrouteCore
import PolrouteSystem

/// The multi-homed hosts of the field, built with network namespaces and veth pairs: a router that forwards
/// between the networks, the server, and clients. Everything is deleted when the value goes away.
public final class Topology: @unchecked Sendable {
  /// The router.
  public let router: Namespace
  /// The multi-homed server.
  public let server: Namespace
  /// A client behind the router on 192.0.2.0/25 (and 2001:db8:c::/64 with IPv6).
  public let client: Namespace

  /// Creates the three namespaces, without links.
  init(_ label: String) throws {
    router = try Namespace("\(label)r")
    server = try Namespace("\(label)s")
    client = try Namespace("\(label)c")
    for namespace in [router, server, client] {
      // No duplicate address detection: addresses are usable at once, so dumps taken before and after a change
      // differ only by the change.
      for key in ["all", "default"] { try namespace.sysctl("net.ipv6.conf.\(key).accept_dad=0") }
      // A link sends nothing of its own once it is up, so that a device's packet counter counts only the test's
      // traffic (the scenarios check that nothing left through the other uplink): no router solicitations (sent 1,
      // 5 and 13 s after a link comes up, and on), and the MLD reports that repeat a new address's multicast joins
      // within 1 ms of them instead of up to a second later (measured: 2 more packets 0.4-0.6 s after link up).
      for key in ["all", "default"] {
        try namespace.sysctl("net.ipv6.conf.\(key).router_solicitations=0")
        try namespace.sysctl("net.ipv6.conf.\(key).mldv1_unsolicited_report_interval=1")
        try namespace.sysctl("net.ipv6.conf.\(key).mldv2_unsolicited_report_interval=1")
      }
      try namespace.sysctl("net.ipv6.conf.all.forwarding=0")
    }
    try router.sysctl("net.ipv4.ip_forward=1")
    try router.sysctl("net.ipv6.conf.all.forwarding=1")
  }

  /// Connects the server's `name` to the router on `network` (the router takes .1, the server `host`), IPv6 too
  /// when given.
  public func uplink(
    _ name: String, router routerAddress: String, server serverAddress: String, router6: String? = nil,
    server6: String? = nil
  ) throws {
    try server.link(name, to: router, as: "r-\(name)")
    try router.ip("addr add \(routerAddress) dev r-\(name)")
    try server.ip("addr add \(serverAddress) dev \(name)")
    if let router6, let server6 {
      try router.ip("-6 addr add \(router6) dev r-\(name)")
      try server.ip("-6 addr add \(server6) dev \(name)")
    }
  }

  /// Strict reverse-path filtering on the server, set for all, default and each interface (a new namespace copies
  /// the host's values, so every one is set explicitly).
  public func strictReversePathFilter(_ interfaces: [String]) throws {
    for key in ["all", "default"] + interfaces { try server.sysctl("net.ipv4.conf.\(key).rp_filter=1") }
  }

  /// Scenario 1, the dual-homed server: management 198.51.100.0/24 holds main's default route, data
  /// 203.0.113.0/24; a client on 192.0.2.0/25 behind the router; main also has `192.0.2.128/25 via 203.0.113.1 dev
  /// data`. With `dualStack`, also 2001:db8:a::/64 (management, main's IPv6 default) and 2001:db8:b::/64 (data), a
  /// client at 2001:db8:c::10, and a router that drops IPv6 whose source does not belong to the network it arrives
  /// from (IPv6 has no rp_filter).
  public static func dualHomed(_ label: String, dualStack: Bool = false) throws -> Topology {
    let topology = try Topology(label)
    try topology.uplink(
      "mgmt", router: "198.51.100.1/24", server: "198.51.100.10/24", router6: dualStack ? "2001:db8:a::1/64" : nil,
      server6: dualStack ? "2001:db8:a::10/64" : nil)
    try topology.uplink(
      "data", router: "203.0.113.1/24", server: "203.0.113.10/24", router6: dualStack ? "2001:db8:b::1/64" : nil,
      server6: dualStack ? "2001:db8:b::10/64" : nil)
    try topology.server.ip("route add default via 198.51.100.1 dev mgmt")
    try topology.server.ip("route add 192.0.2.128/25 via 203.0.113.1 dev data")
    if dualStack { try topology.server.ip("-6 route add default via 2001:db8:a::1 dev mgmt") }
    try topology.strictReversePathFilter(["mgmt", "data"])
    try topology.client.link("c0", to: topology.router, as: "r-c0")
    try topology.router.ip("addr add 192.0.2.1/25 dev r-c0")
    try topology.client.ip("addr add 192.0.2.10/25 dev c0")
    try topology.client.ip("route add default via 192.0.2.1")
    if dualStack {
      try topology.router.ip("-6 addr add 2001:db8:c::1/64 dev r-c0")
      try topology.client.ip("-6 addr add 2001:db8:c::10/64 dev c0")
      try topology.client.ip("-6 route add default via 2001:db8:c::1")
      try topology.dropSpoofedIPv6()
    }
    return topology
  }

  /// Scenario 2, NFS over the data network: the dual-homed server and a client that has only a management
  /// address (198.51.100.20, on the management LAN: the router bridges it with the server's mgmt link). The
  /// client mounts from the server's data address, through the router; the server's NFS connections to the
  /// management LAN are steered over the data network by an application rule; everything else stays on
  /// management.
  public static func nfs(_ label: String) throws -> Topology {
    let topology = try Topology(label)
    try topology.server.link("mgmt", to: topology.router, as: "r-mgmt")
    try topology.client.link("c0", to: topology.router, as: "r-c0")
    try topology.router.ip("link add name lan type bridge")
    try topology.router.ip("link set r-mgmt master lan")
    try topology.router.ip("link set r-c0 master lan")
    try topology.router.ip("link set lan up")
    try topology.router.ip("addr add 198.51.100.1/24 dev lan")
    try topology.server.ip("addr add 198.51.100.10/24 dev mgmt")
    try topology.uplink("data", router: "203.0.113.1/24", server: "203.0.113.10/24")
    try topology.server.ip("route add default via 198.51.100.1 dev mgmt")
    try topology.server.ip("route add 192.0.2.128/25 via 203.0.113.1 dev data")
    try topology.strictReversePathFilter(["mgmt", "data"])
    try topology.client.ip("addr add 198.51.100.20/24 dev c0")
    try topology.client.ip("route add default via 198.51.100.1")
    return topology
  }

  /// Scenario 3, primary and backup providers: `isp1` (198.51.100.0/24, main's default) and `isp2`
  /// (203.0.113.0/24); two clients behind the router, on 192.0.2.0/25 and 192.0.2.128/25. A `to` rule forces
  /// traffic to 192.0.2.128/25 over the backup.
  public static func providers(_ label: String) throws -> Topology {
    let topology = try Topology(label)
    try topology.uplink("isp1", router: "198.51.100.1/24", server: "198.51.100.10/24")
    try topology.uplink("isp2", router: "203.0.113.1/24", server: "203.0.113.10/24")
    try topology.server.ip("route add default via 198.51.100.1 dev isp1")
    // The backup provider's gateway is known from a route the host already has.
    try topology.server.ip("route add 100.64.0.0/10 via 203.0.113.1 dev isp2")
    try topology.strictReversePathFilter(["isp1", "isp2"])
    try topology.client.link("c0", to: topology.router, as: "r-c0")
    try topology.router.ip("addr add 192.0.2.1/25 dev r-c0")
    try topology.client.ip("addr add 192.0.2.10/25 dev c0")
    try topology.client.ip("route add default via 192.0.2.1")
    try topology.client.link("c1", to: topology.router, as: "r-c1")
    try topology.router.ip("addr add 192.0.2.129/25 dev r-c1")
    try topology.client.ip("addr add 192.0.2.130/25 dev c1")
    // The second client address answers from its own interface.
    try topology.client.ip("rule add from 192.0.2.130 lookup 100 priority 100")
    try topology.client.ip("route add default via 192.0.2.129 dev c1 table 100")
    return topology
  }

  /// Scenario 5, three uplinks with one down: mgmt, data, and `backup` (100.64.0.10/24 via 100.64.0.1), whose link
  /// is down at apply time.
  public static func threeUplinks(_ label: String) throws -> Topology {
    let topology = try dualHomed(label)
    try topology.uplink("backup", router: "100.64.0.1/24", server: "100.64.0.10/24")
    try topology.server.ip("route add 100.64.128.0/17 via 100.64.0.1 dev backup")
    try topology.server.sysctl("net.ipv4.conf.backup.rp_filter=1")
    try topology.server.ip("link set backup down")
    return topology
  }

  /// Makes the router drop IPv6 packets whose source is not in the prefix of the link they arrive on, with
  /// policy rules (no firewall needed): a packet from a server interface must come from that interface's prefix.
  func dropSpoofedIPv6() throws {
    var priority = 100
    for (link, prefix) in [("r-mgmt", "2001:db8:a::/64"), ("r-data", "2001:db8:b::/64"), ("r-c0", "2001:db8:c::/64")] {
      try router.ip("-6 rule add iif \(link) from \(prefix) lookup main priority \(priority)")
      try router.ip("-6 rule add iif \(link) prohibit priority \(priority + 1)")
      priority += 10
    }
  }

  /// Whether the client's ping of `address` (4 or 6) gets an answer within a second.
  public func clientReaches(_ address: String) throws -> Bool {
    try client.exec(["ping", "-c", "1", "-W", "1", address]).status == 0
  }

  /// The server's interface counters: packets sent by each device.
  public func transmitted(_ device: String) throws -> Int {
    let text = try server.exec(["cat", "/sys/class/net/\(device)/statistics/tx_packets"]).outputText
    return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
  }
}
