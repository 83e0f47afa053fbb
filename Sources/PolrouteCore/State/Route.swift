/// A route in one routing table, normalised from `ip -j route show` (absent fields filled with the kernel's defaults).
public struct Route: Codable, Hashable, Sendable {
  /// The address family.
  public var family: AddressFamily
  /// The routing table number (main is 254).
  public var table: UInt32
  /// The route type; `unicast` unless `ip` says otherwise.
  public var type: RouteType
  /// The destination prefix; `default` is the zero-length prefix.
  public var destination: IPPrefix
  /// The source prefix of an IPv6 source-specific route (`from PREFIX`); nil when the route applies to every source.
  public var source: IPPrefix?
  /// The gateway of a single-path route.
  public var gateway: IPAddress?
  /// The output device of a single-path route.
  public var device: String?
  /// The routing protocol number (`boot` = 3 when `ip` prints none, `kernel` = 2, `static` = 4, ...).
  public var protocolNumber: UInt8
  /// The scope number (global = 0, link = 253, host = 254).
  public var scope: UInt8
  /// The metric (priority); 0 when `ip` prints none.
  public var metric: UInt32
  /// The preferred source address (`src`).
  public var preferredSource: IPAddress?
  /// Route flags (`onlink`, `linkdown`, `dead`, ...), sorted.
  public var flags: [String]
  /// The next hops of a multipath route; empty for a single-path route.
  public var nexthops: [Nexthop]
  /// Seconds until the kernel expires the route (router advertisements set this).
  public var expires: Int?
  /// The route's realm (`realm N`, IPv4 only): the kernel's accounting (`rt_acct`) counts the packets routed by it.
  public var realm: UInt32?

  /// Builds a route.
  public init(
    family: AddressFamily? = nil, table: UInt32 = RoutingTable.main, type: RouteType = .unicast, destination: IPPrefix,
    source: IPPrefix? = nil, gateway: IPAddress? = nil, device: String? = nil,
    protocolNumber: UInt8 = RouteProtocol.boot, scope: UInt8 = 0, metric: UInt32 = 0, preferredSource: IPAddress? = nil,
    flags: [String] = [], nexthops: [Nexthop] = [], expires: Int? = nil, realm: UInt32? = nil
  ) {
    self.family = family ?? destination.family
    self.table = table
    self.type = type
    self.destination = destination
    self.source = source
    self.gateway = gateway
    self.device = device
    self.protocolNumber = protocolNumber
    self.scope = scope
    self.metric = metric
    self.preferredSource = preferredSource
    self.flags = flags.sorted()
    self.nexthops = nexthops
    self.expires = expires
    self.realm = realm
  }

  /// Whether the kernel may use the gateway without it being in a connected prefix.
  public var isOnlink: Bool { flags.contains("onlink") }

  /// Whether the route is a default route.
  public var isDefault: Bool { destination.isDefault }

  /// The devices the route leaves through (its own, or those of its next hops).
  public var devices: [String] {
    if let device { return [device] }
    return nexthops.compactMap(\.device)
  }

  /// The gateways of the route (its own, or those of its next hops).
  public var gateways: [IPAddress] {
    if let gateway { return [gateway] }
    return nexthops.compactMap(\.gateway)
  }

  /// Whether the route leaves through a gateway (its own or a next hop's); cheaper than `gateways` for a test.
  public var hasGateway: Bool { gateway != nil || nexthops.contains { $0.gateway != nil } }

  /// The kernel's identity of a route inside its table: two routes with the same key replace each other.
  public var key: RouteKey {
    RouteKey(family: family, table: table, destination: destination, metric: metric, source: source)
  }
}

/// What identifies a route in the kernel: `ip route replace` with the same key changes the route in place.
public struct RouteKey: Hashable, Comparable, Sendable {
  /// The address family.
  public var family: AddressFamily
  /// The table number.
  public var table: UInt32
  /// The destination prefix.
  public var destination: IPPrefix
  /// The metric (IPv6 keeps routes that differ only in metric apart; so does IPv4).
  public var metric: UInt32
  /// The source prefix of an IPv6 source-specific route: routes from different sources live apart in the kernel.
  public var source: IPPrefix? = nil

  /// Hashes the key in a few wide words (the family is in the prefix): plans hash tens of thousands of keys.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(UInt64(table) << 32 | UInt64(metric))
    hasher.combine(destination)
    if let source { hasher.combine(source) }
  }

  /// Orders by family, table, destination, metric and source, so plans list changes predictably.
  public static func < (lhs: RouteKey, rhs: RouteKey) -> Bool {
    let left = (lhs.family, lhs.table, lhs.destination, lhs.metric)
    let right = (rhs.family, rhs.table, rhs.destination, rhs.metric)
    if left != right { return left < right }
    // A route for every source sorts before source-specific ones.
    switch (lhs.source, rhs.source) {
    case (nil, .some): return true
    case (.some(let left), .some(let right)): return left < right
    default: return false
    }
  }
}

/// One next hop of a multipath route.
public struct Nexthop: Codable, Hashable, Sendable {
  /// The gateway, if any.
  public var gateway: IPAddress?
  /// The output device.
  public var device: String?
  /// The weight (1 unless set).
  public var weight: Int
  /// Next-hop flags (`onlink`, `dead`, `linkdown`), sorted.
  public var flags: [String]

  /// Builds a next hop.
  public init(gateway: IPAddress? = nil, device: String? = nil, weight: Int = 1, flags: [String] = []) {
    self.gateway = gateway
    self.device = device
    self.weight = weight
    self.flags = flags.sorted()
  }
}

/// The kernel's route types, named as iproute2 names them.
public enum RouteType: String, Codable, Hashable, Sendable, CaseIterable {
  /// A normal route to a destination.
  case unicast
  /// A local address of the host (table local).
  case local
  /// A broadcast address (table local).
  case broadcast
  /// An anycast address.
  case anycast
  /// A multicast route.
  case multicast
  /// Drops packets silently.
  case blackhole
  /// Drops packets with ICMP "host unreachable".
  case unreachable
  /// Drops packets with ICMP "communication administratively prohibited".
  case prohibit
  /// Makes the lookup continue with the next rule.
  case `throw`
  /// Network address translation (obsolete).
  case nat
  /// External resolver (obsolete).
  case xresolve

  /// Whether the type is one that drops packets without a next hop.
  public var isReject: Bool { self == .blackhole || self == .unreachable || self == .prohibit || self == .throw }
}
