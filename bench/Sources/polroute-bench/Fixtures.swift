/// The hosts, policies and snapshots the benchmarks run on. Documentation addresses only: 192.0.2.0/24,
/// 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32 and 100.64.0.0/10.
enum Fixtures {
  /// The `n`th address of 100.64.0.0/10 counted from `base` (an offset into the /10), as dotted text.
  static func sharedAddress(_ n: Int, base: Int = 0) -> String {
    let value = ((100 << 24) | (64 << 16)) + base + n
    precondition(value < ((100 << 24) | (128 << 16)), "outside 100.64.0.0/10")
    return "\(value >> 24).\((value >> 16) & 255).\((value >> 8) & 255).\(value & 255)"
  }

  /// A host (`h`) with two uplinks to a router namespace (`r`): up0 198.51.100.10/24 and up1 203.0.113.10/24
  /// (2001:db8:a::10/64 and 2001:db8:b::10/64), main's default via 198.51.100.1 dev up0 (IPv6 via 2001:db8:a::1),
  /// and `192.0.2.128/25 via 203.0.113.1 dev up1`, which names up1's gateway.
  static func twoUplinkHost(_ label: String) throws -> (host: Namespace, router: Namespace) {
    let router = try Namespace(label + "r")
    let host: Namespace
    do { host = try Namespace(label + "h") } catch {
      router.delete()
      throw error
    }
    try host.link("up0", to: router, as: "r-up0")
    try host.link("up1", to: router, as: "r-up1")
    try router.ip("addr add 198.51.100.1/24 dev r-up0")
    try router.ip("addr add 203.0.113.1/24 dev r-up1")
    try router.ip("-6 addr add 2001:db8:a::1/64 dev r-up0")
    try router.ip("-6 addr add 2001:db8:b::1/64 dev r-up1")
    try host.ip("addr add 198.51.100.10/24 dev up0")
    try host.ip("addr add 203.0.113.10/24 dev up1")
    try host.ip("-6 addr add 2001:db8:a::10/64 dev up0")
    try host.ip("-6 addr add 2001:db8:b::10/64 dev up1")
    try host.ip("route add default via 198.51.100.1 dev up0")
    try host.ip("route add 192.0.2.128/25 via 203.0.113.1 dev up1")
    try host.ip("-6 route add default via 2001:db8:a::1 dev up0")
    return (host, router)
  }

  /// A host with `uplinks` links to one router namespace: `device`I at 100.64.I.2/24, the router's side
  /// (`routerDevice`I) at 100.64.I.1/24. No route in main: callers add what their benchmark needs.
  static func linkedHost(_ label: String, uplinks: Int, device: String, routerDevice: String) throws -> (
    host: Namespace, router: Namespace
  ) {
    precondition(uplinks <= 64, "one /24 each in 100.64.0.0/16")
    let router = try Namespace(label + "r")
    let host: Namespace
    do { host = try Namespace(label + "h") } catch {
      router.delete()
      throw error
    }
    for index in 0..<uplinks {
      try host.link("\(device)\(index)", to: router, as: "\(routerDevice)\(index)")
      try router.ip("addr add 100.64.\(index).1/24 dev \(routerDevice)\(index)")
      try host.ip("addr add 100.64.\(index).2/24 dev \(device)\(index)")
    }
    return (host, router)
  }

  /// Benchmark 10's host: upI 100.64.I.2/24 to the router's r-upI. No default route in main: the policy names every
  /// gateway.
  static func balancedHost(_ label: String, uplinks: Int) throws -> (host: Namespace, router: Namespace) {
    try linkedHost(label, uplinks: uplinks, device: "up", routerDevice: "r-up")
  }

  /// The policy of benchmark 10: an uplink per link, numbered 100 upwards, and one balance group over them all.
  static func balancePolicy(uplinks: Int) -> String {
    var text = "# polroute-bench: new connections balanced over \(uplinks) uplinks\n"
    for index in 0..<uplinks {
      text += "uplink u\(index) dev up\(index) table \(100 + index) via 100.64.\(index).1\n"
    }
    text += "balance wan table 300 uplinks " + (0..<uplinks).map { "u\($0)" }.joined(separator: " ") + " hash layer4\n"
    return text
  }

  /// A host with one link, up0 100.64.0.2/10, to a router at 100.64.0.1: room for bulk routes via one gateway.
  static func bulkHost(_ label: String) throws -> (host: Namespace, router: Namespace) {
    let router = try Namespace(label + "r")
    let host: Namespace
    do { host = try Namespace(label + "h") } catch {
      router.delete()
      throw error
    }
    try host.link("up0", to: router, as: "r-up0")
    try router.ip("addr add 100.64.0.1/10 dev r-up0")
    try host.ip("addr add 100.64.0.2/10 dev up0")
    return (host, router)
  }

  /// Chunk number `chunk` of the `ip -batch` lines that add `count` /32 routes in 100.64.0.0/10 (from 100.65.0.0,
  /// clear of the link's own addresses) via `gateway` dev `device`, `size` lines a chunk. Made one at a time, so
  /// that the harness stays small.
  static func bulkRouteChunk(_ chunk: Int, count: Int, gateway: String, device: String, size: Int = 10_000) -> [UInt8] {
    var text = ""
    for index in (chunk * size)..<min(count, (chunk + 1) * size) {
      text += "route add \(sharedAddress(index, base: 1 << 16))/32 via \(gateway) dev \(device)\n"
    }
    return Array(text.utf8)
  }

  /// The policy of benchmark 3: table bulk 300, `count` routes 100.64.X.Y via 100.64.0.1 dev up0 and `count` rules
  /// from the same addresses (from 100.64.1.0 on) with priorities 1000, 1001, ...
  static func bulkPolicy(count: Int) -> String {
    var text = "# polroute-bench: \(count) routes and \(count) rules in one table\ntable bulk 300\n"
    for index in 0..<count {
      text += "route \(sharedAddress(index, base: 256)) via 100.64.0.1 dev up0 table bulk\n"
    }
    for index in 0..<count {
      text += "rule from \(sharedAddress(index, base: 256)) lookup bulk priority \(1000 + index)\n"
    }
    return text
  }

  /// A snapshot (the format `polroute inspect --json` prints) of a host with `uplinks` interfaces up0, up1, ...,
  /// each with an address 100.64.X.10/24 (one /24 each), its link route, and a default route via 100.64.X.1 in main
  /// (metrics 1, 2, ... so that no two defaults share a metric).
  static func snapshot(uplinks: Int) -> String {
    precondition(uplinks <= 16_000, "one /24 each in 100.64.0.0/10")
    var interfaces = [
      """
      {"addresses":[{"address":"127.0.0.1/8","flags":[],"label":"lo","scope":"host"},\
      {"address":"::1/128","flags":[],"scope":"host"}],"flags":["LOOPBACK","UP","LOWER_UP"],"index":1,\
      "linkType":"loopback","mtu":65536,"name":"lo","operState":"UNKNOWN"}
      """
    ]
    var routes: [String] = []
    var rpFilter = ["\"lo\":0"]
    for index in 0..<uplinks {
      let name = "up\(index)"
      let network = sharedAddress(index * 256)
      let address = sharedAddress(index * 256 + 10)
      let gateway = sharedAddress(index * 256 + 1)
      interfaces.append(
        """
        {"addresses":[{"address":"\(address)/24","flags":[],"label":"\(name)","scope":"global"}],\
        "flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"index":\(index + 2),"kind":"veth","linkType":"ether",\
        "mtu":1500,"name":"\(name)","operState":"UP"}
        """)
      routes.append(
        """
        {"destination":"0.0.0.0/0","device":"\(name)","family":"inet","flags":[],"gateway":"\(gateway)",\
        "metric":\(index + 1),"nexthops":[],"protocolNumber":3,"scope":0,"table":254,"type":"unicast"}
        """)
      routes.append(
        """
        {"destination":"\(network)/24","device":"\(name)","family":"inet","flags":[],"metric":0,"nexthops":[],\
        "preferredSource":"\(address)","protocolNumber":2,"scope":253,"table":254,"type":"unicast"}
        """)
      rpFilter.append("\"\(name)\":0")
    }
    let rules = """
      {"action":"lookup 255","family":"inet","invert":false,"l3mdev":false,"priority":0},\
      {"action":"lookup 254","family":"inet","invert":false,"l3mdev":false,"priority":32766},\
      {"action":"lookup 253","family":"inet","invert":false,"l3mdev":false,"priority":32767},\
      {"action":"lookup 255","family":"inet6","invert":false,"l3mdev":false,"priority":0},\
      {"action":"lookup 254","family":"inet6","invert":false,"l3mdev":false,"priority":32766}
      """
    let tableNames = """
      {"file":"/etc/iproute2/rt_tables","line":4,"name":"local","number":255},\
      {"file":"/etc/iproute2/rt_tables","line":5,"name":"main","number":254},\
      {"file":"/etc/iproute2/rt_tables","line":6,"name":"default","number":253},\
      {"file":"/etc/iproute2/rt_tables","line":7,"name":"unspec","number":0}
      """
    return """
      {"format":"polroute-host-state","state":{"hostname":"bench-\(uplinks)-uplinks",\
      "interfaces":[\(interfaces.joined(separator: ",\n"))],"protocolNames":{},\
      "routes":[\(routes.joined(separator: ",\n"))],\
      "rpFilter":{"all":0,"default":0,"interfaces":{\(rpFilter.joined(separator: ","))}},\
      "rules":[\(rules)],\
      "system":{"networkManager":"ifupdown","osID":"debian","osLike":[],"osVersion":"12"},\
      "tableNames":[\(tableNames)]},"version":1}

      """
  }
}
