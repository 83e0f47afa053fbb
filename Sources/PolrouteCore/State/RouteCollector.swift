/// Collects decoded routes, keeping memory bounded: routers carry a million routes in main (or in a BGP table),
/// which polroute never changes and needs only a little of.
///
/// Every route polroute marked (protocol 177) is kept, and so are default routes, the kernel's link routes, the
/// first route of each table (so a table that holds routes never looks empty), and for each table, gateway and
/// device the first route through it (the evidence that names an uplink's gateway). Of the rest, the first
/// `otherRouteLimit` are kept and the others counted, per table. The local table (local and broadcast addresses) is
/// not kept. A collector made for tracing flows also keeps every route whose prefix covers one of the flows'
/// addresses, so that the lookups of those flows see every route the kernel has.
public struct RouteCollector: Sendable {
  /// How many routes beyond the essential ones are kept.
  public static let otherRouteLimit = 10_000

  /// The routes kept.
  public private(set) var routes: [Route] = []
  /// Routes decoded but not kept (the local table is not counted).
  public private(set) var omittedRoutes = 0
  /// The routes not kept, counted by family and table.
  public private(set) var omittedByTable: [OmittedKey: Int] = [:]
  /// Addresses whose covering routes are always kept.
  public let covering: [IPAddress]
  /// Routes kept that are not essential.
  private var otherRoutes = 0
  /// The tables that have a route kept.
  private var tablesSeen: Set<UInt32> = []
  /// The gateways whose evidence route is already kept.
  private var gatewaysSeen: Set<GatewayKey> = []
  /// The last gateway seen: bulk routes usually share one, so most routes skip the set lookup.
  private var lastGateway: GatewayKey?

  /// A gateway on a device in a table.
  struct GatewayKey: Hashable, Sendable {
    /// The table.
    var table: UInt32
    /// The gateway.
    var gateway: IPAddress
    /// The device.
    var device: String
  }

  /// A family and table whose routes were left out.
  public struct OmittedKey: Hashable, Sendable {
    /// The family.
    public var family: AddressFamily
    /// The table.
    public var table: UInt32
  }

  /// Creates an empty collector; every route that covers one of `covering` is kept.
  public init(covering: [IPAddress] = []) {
    self.covering = covering
  }

  /// The omissions per table, in family and table order, or nil when nothing was left out.
  public var omissions: [OmittedRoutes]? {
    guard !omittedByTable.isEmpty else { return nil }
    return omittedByTable.map { OmittedRoutes(family: $0.key.family, table: $0.key.table, count: $0.value) }
      .sorted { ($0.family, $0.table) < ($1.family, $1.table) }
  }

  /// Keeps or counts one route.
  public mutating func add(_ route: Route) {
    if route.table == RoutingTable.local { return }
    if route.isDefault || route.protocolNumber == RouteProtocol.kernel || Ownership.isMarked(route)
      || tablesSeen.insert(route.table).inserted
    {
      keep(route)
      return
    }
    var newGateway = false
    if let gateway = route.gateway, let device = route.device {
      let key = GatewayKey(table: route.table, gateway: gateway, device: device)
      if key != lastGateway {
        newGateway = gatewaysSeen.insert(key).inserted
        lastGateway = key
      }
    } else {
      for hop in route.nexthops {
        guard let gateway = hop.gateway, let device = hop.device else { continue }
        if gatewaysSeen.insert(GatewayKey(table: route.table, gateway: gateway, device: device)).inserted {
          newGateway = true
        }
      }
    }
    if newGateway {
      keep(route)
    } else if otherRoutes < Self.otherRouteLimit {
      otherRoutes += 1
      keep(route)
    } else if !covering.isEmpty && covering.contains(where: route.destination.contains) {
      keep(route)
    } else {
      omittedRoutes += 1
      omittedByTable[OmittedKey(family: route.family, table: route.table), default: 0] += 1
    }
  }

  /// Keeps a route and notes its table.
  private mutating func keep(_ route: Route) {
    tablesSeen.insert(route.table)
    routes.append(route)
  }
}
