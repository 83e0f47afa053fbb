/// The routing table numbers the kernel reserves.
public enum RoutingTable {
  /// `unspec` (0): not a real table.
  public static let unspec: UInt32 = 0
  /// `default` (253): consulted last by the kernel's default rule.
  public static let defaultTable: UInt32 = 253
  /// `main` (254): the table `ip route` shows.
  public static let main: UInt32 = 254
  /// `local` (255): local and broadcast addresses.
  public static let local: UInt32 = 255
  /// The tables no uplink may use.
  public static let reserved: Set<UInt32> = [unspec, defaultTable, main, local]
  /// The names iproute2 always knows.
  public static let builtinNames: [UInt32: String] = [0: "unspec", 253: "default", 254: "main", 255: "local"]
  /// The names a table of polroute's may not take: the built-in ones, and `all` (`ip route show table all`).
  public static let reservedNames: Set<String> = Set(builtinNames.values).union(["all"])
  /// The names of the tables the kernel's default rules look up, which a rule may name and a route may not target.
  public static let kernelTableNames = [main, local, defaultTable].compactMap { builtinNames[$0] }
}

/// Routing protocol numbers (`proto`), with iproute2's default names from rt_protos.
public enum RouteProtocol {
  /// `redirect` (1).
  public static let redirect: UInt8 = 1
  /// `kernel` (2): routes the kernel made for addresses.
  public static let kernel: UInt8 = 2
  /// `boot` (3): what `ip route add` sets when no protocol is given.
  public static let boot: UInt8 = 3
  /// `static` (4).
  public static let staticRoute: UInt8 = 4
  /// `ra` (9): learned from IPv6 router advertisements.
  public static let routerAdvertisement: UInt8 = 9
  /// `dhcp` (16).
  public static let dhcp: UInt8 = 16
  /// The number polroute marks its own rules and routes with, so it can recognise them without a state file.
  public static let polroute: UInt8 = 177

  /// iproute2's default rt_protos names.
  public static let builtinNames: [UInt8: String] = [
    0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra", 10: "mrt", 11: "zebra",
    12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 18: "keepalived", 42: "babel", 99: "openr",
    186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp",
  ]
}

/// Route scope numbers, with iproute2's names from rt_scopes.
public enum RouteScope {
  /// `global` (0, also called universe).
  public static let global: UInt8 = 0
  /// `site` (200).
  public static let site: UInt8 = 200
  /// `link` (253).
  public static let link: UInt8 = 253
  /// `host` (254).
  public static let host: UInt8 = 254
  /// `nowhere` (255).
  public static let nowhere: UInt8 = 255
  /// Names by number.
  public static let names: [UInt8: String] = [0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"]
  /// Numbers by name, including `universe`.
  public static let numbers: [String: UInt8] = [
    "global": 0, "universe": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255,
  ]
}

/// IP protocol numbers for `ipproto`, with the names iproute2 prints (from /etc/protocols).
public enum IPProtocolNames {
  /// Names by number.
  public static let names: [UInt8: String] = [
    1: "icmp", 2: "igmp", 4: "ipencap", 6: "tcp", 17: "udp", 41: "ipv6", 47: "gre", 50: "esp", 51: "ah",
    58: "ipv6-icmp", 89: "ospf", 103: "pim", 112: "vrrp", 132: "sctp", 136: "udplite",
  ]
  /// Numbers by name, including common aliases.
  public static let numbers: [String: UInt8] = {
    var result: [String: UInt8] = [:]
    for (number, name) in names { result[name] = number }
    result["icmpv6"] = 58
    result["ipv6-icmp"] = 58
    return result
  }()

  /// The name for a number, or the number as text.
  public static func text(_ number: UInt8) -> String { names[number] ?? String(number) }
}
