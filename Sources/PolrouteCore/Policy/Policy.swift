/// The desired state, fully resolved: every table numbered and named, every rule with an explicit unique priority,
/// every route with its device. Derivation and the policy file both produce it; nothing downstream knows which.
public struct Policy: Hashable, Sendable {
  /// The rule priorities polroute assigns, in bands below main's 32766 and well above the kernel's local rule at
  /// 0: application rules first (what the user asked for wins), then the guards that keep main's routes through
  /// one uplink from capturing another's replies, then the rule that reaches the host's local networks directly,
  /// then the source rules that send the rest of each address's replies out of its uplink.
  public enum PriorityBand {
    /// The first priority for application rules (`rule` statements without a priority).
    public static let application: UInt32 = 10_000
    /// The first priority for the guards that keep main's routes through one uplink from capturing another's
    /// replies (`from ADDR to PREFIX lookup TABLE`).
    public static let guards: UInt32 = 14_000
    /// The priority of the local-networks rule (`lookup main suppress_prefixlength 0`).
    public static let localNetworks: UInt32 = 19_000
    /// The first priority for source rules (`from ADDR lookup TABLE`).
    public static let source: UInt32 = 20_000
    /// The priority of an uplink group's rule for new outbound connections (`lookup GROUP`): after every source
    /// rule, before main's rule at 32766.
    public static let outbound: UInt32 = 32_000
    /// The last priority polroute assigns (main's rule is at 32766).
    public static let last: UInt32 = 32_765
  }

  /// The first table number derivation tries.
  public static let firstTable: UInt32 = 100

  /// The tables polroute owns, by number.
  public var tables: [PolicyTable]
  /// The uplinks: one table each, for an interface.
  public var uplinks: [Uplink]
  /// Every rule polroute wants, by family then priority, each marked with polroute's protocol.
  public var rules: [Rule]
  /// Every route polroute wants in its tables, by table, family and destination, marked with polroute's protocol.
  public var routes: [Route]
  /// The interfaces that are not uplinks, and why.
  public var excluded: [ExcludedInterface]
  /// Warnings and notes from resolution (unknown gateways, dynamic addresses, ...).
  public var diagnostics: [Diagnostic]
  /// Where the policy came from, for headers: "from FILE", or "derived from the host's state".
  public var origin: String
  /// The routes that `route` statements made (the rest belong to uplinks).
  public var statementRoutes: Set<RouteKey>
  /// Where the statement that made a route was written, for renderers that cannot carry it.
  public var routeLocations: [RouteKey: SourceLocation]
  /// The uplink groups (`balance`, `failover`), each with a table of its own.
  public var groups: [UplinkGroup]
  /// The kernel settings (sysctls) the policy asks for: the multipath hash, and skipping routes over a link that is
  /// down for the uplinks of groups.
  public var settings: [KernelSetting]
  /// Why each rule is there, by family and priority.
  public var ruleRoles: [RuleKey: RuleRole]
  /// Whether uplinks are derived for interfaces the policy does not name (no policy file, or `auto`).
  public var isAuto: Bool
  /// The tables by number, and the device each belongs with, built once: renderers ask for every route and rule.
  private let tableIndex: [UInt32: (table: PolicyTable, device: String?)]

  /// Builds a policy; rules and routes are put in canonical order.
  public init(
    tables: [PolicyTable], uplinks: [Uplink], rules: [Rule], routes: [Route], excluded: [ExcludedInterface] = [],
    diagnostics: [Diagnostic] = [], origin: String, statementRoutes: Set<RouteKey> = [],
    ruleRoles: [RuleKey: RuleRole] = [:], isAuto: Bool = false, routeLocations: [RouteKey: SourceLocation] = [:],
    groups: [UplinkGroup] = [], settings: [KernelSetting] = []
  ) {
    self.tables = tables.sorted { $0.number < $1.number }
    self.uplinks = uplinks.sorted { $0.table < $1.table }
    self.rules = rules.sorted { ($0.family, $0.priority) < ($1.family, $1.priority) }
    self.routes = routes.sorted { $0.key < $1.key }
    self.excluded = excluded
    self.diagnostics = diagnostics
    self.origin = origin
    self.statementRoutes = statementRoutes
    self.routeLocations = routeLocations
    self.groups = groups
    self.settings = settings
    self.ruleRoles = ruleRoles
    self.isAuto = isAuto
    var index: [UInt32: (table: PolicyTable, device: String?)] = [:]
    for table in self.tables { index[table.number] = (table, table.device) }
    // A table that belongs to no uplink goes with the device its first routed route leaves through.
    for route in self.routes {
      if let device = route.device, let entry = index[route.table], entry.device == nil {
        index[route.table] = (entry.table, device)
      }
    }
    self.tableIndex = index
  }

  /// Equal when the policies have the same contents (the index follows from them).
  public static func == (lhs: Policy, rhs: Policy) -> Bool {
    lhs.tables == rhs.tables && lhs.uplinks == rhs.uplinks && lhs.rules == rhs.rules && lhs.routes == rhs.routes
      && lhs.excluded == rhs.excluded && lhs.diagnostics == rhs.diagnostics && lhs.origin == rhs.origin
      && lhs.statementRoutes == rhs.statementRoutes && lhs.ruleRoles == rhs.ruleRoles && lhs.isAuto == rhs.isAuto
      && lhs.groups == rhs.groups && lhs.settings == rhs.settings
  }

  /// Hashes the contents.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(tables)
    hasher.combine(rules)
    hasher.combine(routes)
  }

  /// The rules that `rule` statements made, by family and priority.
  public var statementRules: Set<RuleKey> { Set(ruleRoles.filter { $0.value == .statement }.keys) }

  /// The routes in the order to add them: those without a gateway (link routes) first, so a `via` route finds its
  /// gateway in its own table when only that table reaches it; then the rest, each group in key order.
  public var routesInAddOrder: [Route] {
    var ordered: [Route] = []
    ordered.reserveCapacity(routes.count)
    for route in routes where !route.hasGateway { ordered.append(route) }
    for route in routes where route.hasGateway { ordered.append(route) }
    return ordered
  }

  /// The table numbers polroute owns.
  public var ownedTables: Set<UInt32> { Set(tables.map(\.number)) }

  /// The table with a number.
  public func table(_ number: UInt32) -> PolicyTable? { tableIndex[number]?.table }

  /// The names of polroute's tables, for text people read.
  public var tableNames: RoutingTableNames {
    RoutingTableNames(tables.map { TableNameEntry(number: $0.number, name: $0.name, file: "policy", line: 0) })
  }

  /// The interface a table belongs with in per-interface files: its uplink's device, else the device its first
  /// routed route leaves through (a `table` statement's table serves the uplink its routes use).
  public func device(forTable number: UInt32) -> String? {
    tableIndex[number]?.device
  }

  /// The interface a rule belongs with in per-interface files: the device of the table it looks up, else its
  /// `iif`/`oif`, else nil.
  public func device(for rule: Rule) -> String? {
    if let table = rule.lookupTable, let device = device(forTable: table) { return device }
    return rule.selector.inputInterface ?? rule.selector.outputInterface
  }

  /// The interface a route belongs with: its own device, else its table's.
  public func device(for route: Route) -> String? {
    route.device ?? device(forTable: route.table)
  }

  /// The interfaces whose per-interface files (Debian stanzas, RHEL rule- files) carry a rule: the one it belongs
  /// with, else the first uplink; a shared rule goes with every uplink, since any one of them may come up alone.
  public func interfaces(for rule: Rule) -> [String] {
    if isShared(rule) { return uplinks.map(\.device) }
    return (device(for: rule) ?? uplinks.first?.device).map { [$0] } ?? []
  }

  /// The interface whose per-interface files carry a route: the one it belongs with, else the first uplink.
  public func interface(for route: Route) -> String? { device(for: route) ?? uplinks.first?.device }

  /// The interfaces whose per-interface files carry a route: a multipath route goes with every device its next
  /// hops leave through, since the kernel takes it only once all of them are up and any may come up last.
  public func interfaces(for route: Route) -> [String] {
    guard route.nexthops.count > 1 else { return interface(for: route).map { [$0] } ?? [] }
    var devices: [String] = []
    for device in route.devices where !devices.contains(device) { devices.append(device) }
    return devices.isEmpty ? (interface(for: route).map { [$0] } ?? []) : devices
  }

  /// Whether a rule serves every uplink (the local-networks rule): taking one interface down must not remove it.
  public func isShared(_ rule: Rule) -> Bool { ruleRoles[rule.key] == .localNetworks }

  /// The kernel objects and tables, without provenance: what two equal policies must agree on.
  public var kernelView: KernelView { KernelView(tables: tables, rules: rules, routes: routes) }

  /// The tables, rules and routes of a policy.
  public struct KernelView: Hashable, Sendable {
    /// The tables.
    public var tables: [PolicyTable]
    /// The rules.
    public var rules: [Rule]
    /// The routes.
    public var routes: [Route]
  }
}

/// Why polroute wants a rule.
public enum RuleRole: Hashable, Sendable {
  /// A `rule` statement of the policy file.
  case statement
  /// An uplink's `from ADDR lookup TABLE`: replies from its address leave through it.
  case source
  /// `lookup main suppress_prefixlength 0`: the host's local networks (container bridges, LANs, tunnels, and the
  /// routes through them) are reached directly from every address, networks created later included.
  case localNetworks
  /// `from ADDR to PREFIX lookup TABLE`: a route in main through another uplink (its network, or a static route)
  /// does not capture this address's replies.
  case uplinkGuard
  /// `lookup GROUP` after the source rules: new outbound connections (no source address chosen yet) go by an uplink
  /// group's table instead of main's default.
  case outbound
}

/// What identifies a rule among polroute's own: its family and its (unique) priority.
public struct RuleKey: Hashable, Sendable, Comparable {
  /// The family.
  public var family: AddressFamily
  /// The priority.
  public var priority: UInt32

  /// Builds a key.
  public init(family: AddressFamily, priority: UInt32) {
    self.family = family
    self.priority = priority
  }

  /// Hashes family and priority as one word.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(UInt64(family == .inet ? 4 : 6) << 32 | UInt64(priority))
  }

  /// By family, then priority.
  public static func < (lhs: RuleKey, rhs: RuleKey) -> Bool { (lhs.family, lhs.priority) < (rhs.family, rhs.priority) }
}

extension Rule {
  /// The rule's family and priority.
  public var key: RuleKey { RuleKey(family: family, priority: priority) }
}

/// A routing table polroute owns.
public struct PolicyTable: Hashable, Sendable, Codable {
  /// The number.
  public var number: UInt32
  /// The rt_tables name.
  public var name: String
  /// The uplink device the table serves, if it belongs to an uplink.
  public var device: String?

  /// Builds a table.
  public init(number: UInt32, name: String, device: String? = nil) {
    self.number = number
    self.name = name
    self.device = device
  }
}

/// An uplink: an interface with its own table.
public struct Uplink: Hashable, Sendable, Codable {
  /// The table name.
  public var name: String
  /// The interface.
  public var device: String
  /// The table number.
  public var table: UInt32
  /// The IPv4 gateway and where it was learned.
  public var gateway4: DiscoveredGateway?
  /// The IPv6 gateway and where it was learned.
  public var gateway6: DiscoveredGateway?
  /// Whether the gateways are used `onlink` (outside every connected prefix).
  public var onlink: Bool
  /// The addresses source rules were made for.
  public var addresses: [InterfaceAddress]
  /// Whether the policy file declared it (rather than `auto` deriving it).
  public var declared: Bool
  /// The route realm its IPv4 routes carry (`realm N`), so the kernel counts the traffic it routes back through
  /// the uplink (`polroute stats`); nil for none.
  public var realm: UInt32?

  /// Builds an uplink.
  public init(
    name: String, device: String, table: UInt32, gateway4: DiscoveredGateway? = nil, gateway6: DiscoveredGateway? = nil,
    onlink: Bool = false, addresses: [InterfaceAddress] = [], declared: Bool = false, realm: UInt32? = nil
  ) {
    self.name = name
    self.device = device
    self.table = table
    self.gateway4 = gateway4
    self.gateway6 = gateway6
    self.onlink = onlink
    self.addresses = addresses
    self.declared = declared
    self.realm = realm
  }

  /// The gateway of a family.
  public func gateway(_ family: AddressFamily) -> DiscoveredGateway? { family == .inet ? gateway4 : gateway6 }

  /// The addresses whose replies the uplink carries: those of a family it has a gateway for. An address of a
  /// family without one gets no source rule: its table could send nothing anywhere but its own network.
  public var sourceAddresses: [InterfaceAddress] { addresses.filter { gateway($0.family) != nil } }
}

/// An interface that is not an uplink, and why.
public struct ExcludedInterface: Hashable, Sendable {
  /// The interface name.
  public var name: String
  /// Why.
  public var reason: ExclusionReason

  /// Builds an entry.
  public init(name: String, reason: ExclusionReason) {
    self.name = name
    self.reason = reason
  }
}
