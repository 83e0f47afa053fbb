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

extension HostState {
  /// The gateway of a device for one family, from main: a default route on the device (lowest metric first), else a
  /// route `via GW` on the device (a host with `192.0.2.128/25 via 203.0.113.1 dev data` has told us the data
  /// network's gateway; the lowest destination wins), else an IPv6 default learned from router advertisements.
  public func gateway(of device: String, family: AddressFamily) -> DiscoveredGateway? {
    // One pass over main, remembering the best candidate of each kind: main may hold thousands of routes.
    var bestDefault: (route: Route, gateway: IPAddress)?
    var bestVia: (route: Route, gateway: IPAddress)?
    var bestAdvertised: (route: Route, gateway: IPAddress)?
    for route in routes where route.table == RoutingTable.main && route.family == family && route.type == .unicast {
      guard let gateway = route.gateway(on: device, family: family) else { continue }
      if !route.isDefault {
        if bestVia == nil || route.destination < bestVia!.route.destination { bestVia = (route, gateway) }
      } else if route.protocolNumber == RouteProtocol.routerAdvertisement {
        if bestAdvertised == nil || route.metric < bestAdvertised!.route.metric { bestAdvertised = (route, gateway) }
      } else if bestDefault == nil || (route.metric, route.protocolNumber) < (bestDefault!.route.metric, bestDefault!.route.protocolNumber) {
        bestDefault = (route, gateway)
      }
    }
    if let (_, gateway) = bestDefault {
      return DiscoveredGateway(address: gateway, source: .mainDefault, evidence: "default route via \(gateway) dev \(device) in main")
    }
    if let (route, gateway) = bestVia {
      return DiscoveredGateway(
        address: gateway, source: .mainVia, evidence: "route \(route.destination.routeText) via \(gateway) dev \(device) in main")
    }
    if let (_, gateway) = bestAdvertised {
      return DiscoveredGateway(
        address: gateway, source: .routerAdvertisement, evidence: "default route via \(gateway) dev \(device) from router advertisements")
    }
    return nil
  }
}

extension Route {
  /// The gateway this route uses on a device, itself or through one of its next hops.
  func gateway(on device: String, family: AddressFamily) -> IPAddress? {
    if let gateway, self.device == device { return gateway.family == family ? gateway : nil }
    return nexthops.first { $0.device == device && $0.gateway?.family == family }?.gateway
  }
}
