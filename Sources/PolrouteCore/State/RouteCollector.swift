/// Collects decoded routes, keeping main bounded: routers carry a million routes in main, which polroute never
/// changes and needs only a little of.
///
/// Every route of other tables is kept. Of main it keeps the routes anything in polroute looks at — default routes,
/// the kernel's link routes, and for each gateway and device the first route through it (the evidence that names an
/// uplink's gateway) — plus the first `otherRouteLimit` other routes, and counts the rest.
public struct RouteCollector: Sendable {
  /// How many main routes beyond the essential ones are kept.
  public static let otherRouteLimit = 10_000

  /// The routes kept.
  public private(set) var routes: [Route] = []
  /// Main routes decoded but not kept.
  public private(set) var omittedMainRoutes = 0
  /// Main routes kept that are not essential.
  private var otherMainRoutes = 0
  /// The gateways whose evidence route is already kept, by family, device and gateway.
  private var gatewaysSeen: Set<GatewayKey> = []
  /// The last gateway seen: bulk routes usually share one, so most routes skip the set lookup.
  private var lastGateway: GatewayKey?

  /// A gateway on a device.
  struct GatewayKey: Hashable, Sendable {
    /// The gateway.
    var gateway: IPAddress
    /// The device.
    var device: String
  }

  /// Creates an empty collector.
  public init() {}

  /// Keeps or counts one route.
  public mutating func add(_ route: Route) {
    guard route.table == RoutingTable.main else {
      routes.append(route)
      return
    }
    if route.isDefault || route.protocolNumber == RouteProtocol.kernel || route.protocolNumber == RouteProtocol.polroute {
      routes.append(route)
      return
    }
    var newGateway = false
    if let gateway = route.gateway, let device = route.device {
      let key = GatewayKey(gateway: gateway, device: device)
      if key != lastGateway {
        newGateway = gatewaysSeen.insert(key).inserted
        lastGateway = key
      }
    } else {
      for hop in route.nexthops {
        guard let gateway = hop.gateway, let device = hop.device else { continue }
        if gatewaysSeen.insert(GatewayKey(gateway: gateway, device: device)).inserted { newGateway = true }
      }
    }
    if newGateway {
      routes.append(route)
    } else if otherMainRoutes < Self.otherRouteLimit {
      otherMainRoutes += 1
      routes.append(route)
    } else {
      omittedMainRoutes += 1
    }
  }
}
