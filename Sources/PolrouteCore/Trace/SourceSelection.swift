/// How the kernel picks the source address of a locally sent packet that has none, when the route found has no
/// `src`: IPv4's `inet_select_addr` and IPv6's `ipv6_dev_get_saddr` (RFC 6724's rules as Linux implements them).
enum SourceSelection {
  /// IPv4 (`inet_select_addr(dev, gateway, route scope)`): the first primary address of the route's device whose
  /// scope the route allows, preferring one whose prefix holds the gateway; else the first primary address of any
  /// interface, in index order, that is neither link-scoped nor beyond the route's scope.
  static func ipv4(device: String, gateway: IPAddress?, routeScope: UInt8, interfaces: [Interface]) -> IPAddress? {
    // route_localnet is 0 on every host polroute knows of: a host-scoped address counts as host-scoped.
    func candidates(_ interface: Interface) -> [Address] {
      interface.addresses.filter { $0.family == .inet && !$0.flags.contains(.secondary) }
    }
    if let interface = interfaces.first(where: { $0.name == device }) {
      var first: IPAddress?
      for address in candidates(interface) where scopeNumber(address.scope) <= routeScope {
        if gateway == nil || address.address.network.contains(gateway!) { return address.address.address }
        if first == nil { first = address.address.address }
      }
      if let first { return first }
    }
    for interface in interfaces.sorted(by: { $0.index < $1.index }) {
      for address in candidates(interface) {
        let scope = scopeNumber(address.scope)
        if scope != RouteScope.link && scope <= routeScope { return address.address.address }
      }
    }
    return nil
  }

  /// The number of an address scope as `ip` prints it (`global`, `link`, `host`, `site`, or a number).
  static func scopeNumber(_ text: String) -> UInt8 {
    switch text {
    case "global", "universe": return RouteScope.global
    case "site": return RouteScope.site
    case "link": return RouteScope.link
    case "host": return RouteScope.host
    default: return UInt8(text) ?? RouteScope.global
    }
  }

  /// IPv6 (`ipv6_dev_get_saddr`): every usable address of every interface (only the output device's for a
  /// link-local destination), compared rule by rule; the first address wins ties. Rules, in order: the destination
  /// itself; the smallest scope that reaches the destination; not deprecated; on the output device; the same label
  /// (RFC 6724's default policy table); public rather than temporary (`use_tempaddr` below 2); the longest common
  /// prefix, capped at the address's own prefix length.
  static func ipv6(destination: IPAddress, device: String?, interfaces: [Interface]) -> IPAddress? {
    guard case .v6(let target) = destination else { return nil }
    let targetScope = scope(of: target)
    let targetLabel = label(of: target)
    let onlyDevice = targetScope <= 2
    var best: (score: [Int], address: IPAddress)?
    for interface in interfaces.sorted(by: { $0.index < $1.index }) {
      if onlyDevice && interface.name != device { continue }
      for address in interface.addresses where address.family == .inet6 {
        guard case .v6(let candidate) = address.address.address, !address.flags.contains(.tentative),
          !address.flags.contains(.dadFailed), candidate.high >> 56 != 0xFF, candidate != IPv6Address(high: 0, low: 0)
        else { continue }
        let candidateScope = scope(of: candidate)
        let score = [
          candidate == target ? 1 : 0,
          candidateScope >= targetScope ? -candidateScope : candidateScope - 128,
          address.flags.contains(.deprecated) ? 0 : 1,
          device == nil || interface.name == device ? 1 : 0,
          label(of: candidate) == targetLabel ? 1 : 0,
          address.flags.contains(.temporary) ? 0 : 1,
          min(commonPrefixLength(candidate, target), Int(address.address.length)),
        ]
        // Lexicographic: the first rule that differs decides, as the kernel's loop over the rules does.
        if best == nil || score.lexicographicallyPrecedes(best!.score, by: >) {
          best = (score, address.address.address)
        }
      }
    }
    return best?.address
  }

  /// `__ipv6_addr_src_scope`: 1 loopback, 2 link-local, 5 site-local, 14 global (unique local addresses included).
  static func scope(of address: IPv6Address) -> Int {
    if address.high == 0 && address.low == 1 { return 1 }
    if address.isLinkLocal { return 2 }
    if address.high >> 54 == 0x3FB { return 5 }
    return 14
  }

  /// The label of RFC 6724's default policy table, as Linux's `ip6addrlbl_init_table` has it.
  static func label(of address: IPv6Address) -> Int {
    let value = IPAddress.v6(address)
    var best: (length: UInt8, label: Int) = (0, 1)
    for entry in labels where entry.prefix.contains(value) && entry.prefix.length >= best.length {
      best = (entry.prefix.length, entry.label)
    }
    return best.label
  }

  /// The default policy table's prefixes and labels (`::/0` is label 1).
  static let labels: [(prefix: IPPrefix, label: Int)] = [
    ("::1/128", 0), ("::ffff:0:0/96", 4), ("::/96", 3), ("2001::/32", 6), ("2001:10::/28", 7), ("2002::/16", 2),
    ("3ffe::/16", 12), ("fec0::/10", 11), ("fc00::/7", 5),
  ].map { (IPPrefix($0.0)!, $0.1) }

  /// How many leading bits two addresses share.
  static func commonPrefixLength(_ a: IPv6Address, _ b: IPv6Address) -> Int {
    let high = a.high ^ b.high
    if high != 0 { return high.leadingZeroBitCount }
    return 64 + (a.low ^ b.low).leadingZeroBitCount
  }
}
