/// Everything polroute knows about a host's routing: read once from the kernel or loaded from a snapshot.
public struct HostState: Codable, Hashable, Sendable {
  /// The host name, for headers and messages.
  public var hostname: String?
  /// The interfaces with their addresses, by index.
  public var interfaces: [Interface]
  /// The routes of every table but local, both families; a table with no routes here is empty. Tables that hold
  /// many routes polroute has no use for are kept bounded (see `RouteCollector`).
  public var routes: [Route]
  /// How many routes were read but not kept (see `RouteCollector`); nil when all were kept.
  public var omittedRoutes: Int?
  /// The tables those routes were left out of, with how many each; nil when all were kept (and in snapshots
  /// written before polroute counted them per table: then any table may lack routes).
  public var omittedByTable: [OmittedRoutes]?
  /// The policy rules of both families, by family then priority, in kernel order.
  public var rules: [Rule]
  /// The rt_tables entries of the host.
  public var tableNames: [TableNameEntry]
  /// Route protocol names beyond iproute2's defaults (from rt_protos.d).
  public var protocolNames: [String: UInt8]
  /// Reverse-path filter settings (IPv4).
  public var rpFilter: ReversePathFilter
  /// Which interfaces forward packets; nil when not read (snapshots written before polroute read them).
  public var forwarding: ForwardingSettings?
  /// The values of the kernel settings a policy can ask for (the multipath hash, `ignore_routes_with_linkdown` per
  /// interface), by path under /proc/sys; nil when not read (a snapshot written before polroute read them).
  public var kernelSettings: [String: String]?
  /// Facts about the system that decide how configuration is persisted.
  public var system: SystemFacts
  /// Who manages each interface and where its gateways are configured or leased, read from the host's files; nil
  /// in snapshots written before polroute read them.
  public var hostConfiguration: HostConfiguration?

  /// Builds a state; everything defaults to empty.
  public init(
    hostname: String? = nil, interfaces: [Interface] = [], routes: [Route] = [],
    rules: [Rule] = [], tableNames: [TableNameEntry] = [], protocolNames: [String: UInt8] = [:],
    rpFilter: ReversePathFilter = ReversePathFilter(), system: SystemFacts = SystemFacts()
  ) {
    self.hostname = hostname
    self.interfaces = interfaces
    self.routes = routes
    self.omittedRoutes = nil
    self.omittedByTable = nil
    self.rules = rules
    self.tableNames = tableNames
    self.protocolNames = protocolNames
    self.rpFilter = rpFilter
    self.forwarding = nil
    self.system = system
  }

  /// The table names as a resolver.
  public var names: RoutingTableNames { RoutingTableNames(tableNames) }

  /// The interface with a name.
  public func interface(named name: String) -> Interface? {
    interfaces.first { $0.name == name }
  }

  /// The routes of one table, both families unless one is given.
  public func routes(inTable table: UInt32, family: AddressFamily? = nil) -> [Route] {
    routes.filter { $0.table == table && (family == nil || $0.family == family) }
  }

  /// The tables rules point to, besides local and default.
  public var tablesNamedByRules: Set<UInt32> {
    Set(rules.compactMap(\.lookupTable)).subtracting([
      RoutingTable.local, RoutingTable.defaultTable, RoutingTable.unspec,
    ])
  }

  /// The owner of a global address: which interface holds it.
  public func interface(holding address: IPAddress) -> Interface? {
    interfaces.first { $0.addresses.contains { $0.address.address == address } }
  }
}

/// The IPv4 reverse-path filter sysctls (`net.ipv4.conf.*.rp_filter`): 0 off, 1 strict, 2 loose.
public struct ReversePathFilter: Codable, Hashable, Sendable {
  /// `net.ipv4.conf.all.rp_filter`.
  public var all: Int?
  /// `net.ipv4.conf.default.rp_filter` (what new interfaces start with).
  public var defaultValue: Int?
  /// Each interface's own value.
  public var interfaces: [String: Int]

  /// Builds the settings.
  public init(all: Int? = nil, defaultValue: Int? = nil, interfaces: [String: Int] = [:]) {
    self.all = all
    self.defaultValue = defaultValue
    self.interfaces = interfaces
  }

  /// The value the kernel applies on an interface: the larger of `all` and the interface's own.
  public func effective(for interface: String) -> Int? {
    switch (all, interfaces[interface]) {
    case (nil, nil): return nil
    case (let all?, nil): return all
    case (nil, let own?): return own
    case (let all?, let own?): return max(all, own)
    }
  }

  /// Keys the snapshot uses.
  enum CodingKeys: String, CodingKey {
    case all
    case defaultValue = "default"
    case interfaces
  }
}

/// Routes of one table that a read left out (see `RouteCollector`).
public struct OmittedRoutes: Codable, Hashable, Sendable {
  /// The family.
  public var family: AddressFamily
  /// The table.
  public var table: UInt32
  /// How many routes were left out.
  public var count: Int

  /// Builds an entry.
  public init(family: AddressFamily, table: UInt32, count: Int) {
    self.family = family
    self.table = table
    self.count = count
  }
}

/// The forwarding sysctls: whether packets arriving on an interface may be forwarded (IPv4's
/// `net.ipv4.conf.IFACE.forwarding`, IPv6's `net.ipv6.conf.all.forwarding` and per interface).
public struct ForwardingSettings: Codable, Hashable, Sendable {
  /// IPv4, per interface (`ip_forward` sets them all).
  public var ipv4: [String: Bool]
  /// IPv6, `net.ipv6.conf.all.forwarding`: whether the host forwards IPv6 at all.
  public var ipv6All: Bool?
  /// IPv6, per interface (anycast subnet-router addresses exist on interfaces that forward).
  public var ipv6: [String: Bool]

  /// Builds the settings.
  public init(ipv4: [String: Bool] = [:], ipv6All: Bool? = nil, ipv6: [String: Bool] = [:]) {
    self.ipv4 = ipv4
    self.ipv6All = ipv6All
    self.ipv6 = ipv6
  }
}

/// Facts about the distribution. Who manages each interface is in `HostState.hostConfiguration`; snapshots from
/// before it also held a host-wide guess (`networkManager`), which is ignored when read.
public struct SystemFacts: Codable, Hashable, Sendable {
  /// `ID` from /etc/os-release (`debian`, `rhel`, `ubuntu`, ...).
  public var osID: String?
  /// `ID_LIKE` from /etc/os-release, split into words.
  public var osLike: [String]
  /// `VERSION_ID` from /etc/os-release.
  public var osVersion: String?
  /// The iproute2 version `ip -V` reports (`6.1.0`, or `ss190107` on old releases).
  public var iproute2Version: String?

  /// Builds the facts.
  public init(osID: String? = nil, osLike: [String] = [], osVersion: String? = nil, iproute2Version: String? = nil) {
    self.osID = osID
    self.osLike = osLike
    self.osVersion = osVersion
    self.iproute2Version = iproute2Version
  }
}
