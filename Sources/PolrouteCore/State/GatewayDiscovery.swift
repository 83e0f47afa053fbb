/// A gateway found for an interface, and the evidence for it.
public struct DiscoveredGateway: Hashable, Sendable, Codable {
  /// Where the gateway was learned.
  public enum Source: String, Hashable, Sendable, Codable {
    /// A default route on the device in main.
    case mainDefault = "default route in main"
    /// Another route in main that goes `via` a gateway on the device.
    case mainVia = "route via the gateway in main"
    /// An IPv6 default route learned from router advertisements.
    case routerAdvertisement = "router advertisement"
    /// The policy file named it.
    case policy = "policy file"
  }

  /// The gateway address.
  public var address: IPAddress
  /// How it was learned.
  public var source: Source
  /// The route that shows it (`default via 198.51.100.1 dev mgmt`), for messages.
  public var evidence: String?

  /// Builds a gateway.
  public init(address: IPAddress, source: Source, evidence: String? = nil) {
    self.address = address
    self.source = source
    self.evidence = evidence
  }

  /// "198.51.100.1 (default route in main)".
  public var explanation: String { "\(address) (\(evidence ?? source.rawValue))" }
}

/// The gateway of every device and family in main, found in one pass over it: hosts can have thousands of
/// uplinks and main thousands of routes, so asking route by route for each uplink would be quadratic.
///
/// A device's gateway is, in this order: a default route on the device in main (lowest metric first), a route `via
/// GW` on the device (a host with `192.0.2.128/25 via 203.0.113.1 dev data` has told us the data network's gateway;
/// the lowest destination wins), an IPv6 default learned from router advertisements.
public struct GatewayIndex: Sendable {
  /// A device and family.
  struct Key: Hashable, Sendable {
    /// The device.
    var device: String
    /// The family.
    var family: AddressFamily
  }

  /// The best default route's gateway per device and family, with the route.
  private var defaults: [Key: (route: Route, gateway: IPAddress)] = [:]
  /// The best `via` route per device and family.
  private var vias: [Key: (route: Route, gateway: IPAddress)] = [:]
  /// The best router-advertised default per device and family.
  private var advertised: [Key: (route: Route, gateway: IPAddress)] = [:]

  /// Indexes main's unicast routes.
  public init(_ state: HostState) {
    for route in state.routes where route.table == RoutingTable.main && route.type == .unicast {
      for (device, gateway) in route.gatewaysByDevice where gateway.family == route.family {
        let key = Key(device: device, family: route.family)
        if !route.isDefault {
          if let best = vias[key], best.route.destination <= route.destination { continue }
          vias[key] = (route, gateway)
        } else if route.protocolNumber == RouteProtocol.routerAdvertisement {
          if let best = advertised[key], best.route.metric <= route.metric { continue }
          advertised[key] = (route, gateway)
        } else {
          if let best = defaults[key],
            (best.route.metric, best.route.protocolNumber) <= (route.metric, route.protocolNumber)
          {
            continue
          }
          defaults[key] = (route, gateway)
        }
      }
    }
  }

  /// The gateway of a device for one family, and how it was learned.
  public func gateway(of device: String, family: AddressFamily) -> DiscoveredGateway? {
    let key = Key(device: device, family: family)
    if let (_, gateway) = defaults[key] {
      return DiscoveredGateway(
        address: gateway, source: .mainDefault, evidence: "default route via \(gateway) dev \(device) in main")
    }
    if let (route, gateway) = vias[key] {
      return DiscoveredGateway(
        address: gateway, source: .mainVia,
        evidence: "route \(route.destination.routeText) via \(gateway) dev \(device) in main")
    }
    if let (_, gateway) = advertised[key] {
      return DiscoveredGateway(
        address: gateway, source: .routerAdvertisement,
        evidence: "default route via \(gateway) dev \(device) from router advertisements")
    }
    return nil
  }
}

extension Route {
  /// The gateway the route uses on each device: its own, or for a multipath route its first next hop's per device.
  var gatewaysByDevice: [(device: String, gateway: IPAddress)] {
    if let gateway, let device { return [(device, gateway)] }
    var seen: Set<String> = []
    return nexthops.compactMap { hop in
      guard let device = hop.device, let gateway = hop.gateway, seen.insert(device).inserted else { return nil }
      return (device, gateway)
    }
  }
}
