/// A gateway found for an interface, and the evidence for it.
public struct DiscoveredGateway: Hashable, Sendable, Codable {
  /// Where the gateway was learned.
  public enum Source: String, Hashable, Sendable, Codable {
    /// A default route on the device in main.
    case mainDefault = "default route in main"
    /// Another route in main that goes `via` a gateway on the device.
    case mainVia = "route via the gateway in main"
    /// A route through the gateway on the device in a table polroute does not own (a hand-made uplink table).
    case foreignTable = "route via the gateway in another table"
    /// The DHCP lease of the interface's manager.
    case lease = "DHCP lease"
    /// The interface's own configuration (ifcfg, ifupdown, netplan, networkd, NetworkManager).
    case configuration = "interface configuration"
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

/// The gateway of every device and family, found in one pass over the routes: hosts can have thousands of uplinks
/// and main thousands of routes, so asking route by route for each uplink would be quadratic.
///
/// A device's gateway is the first found of, in this order:
/// 1. a default route on the device in main (lowest metric first);
/// 2. a route `via GW` on the device in main (a host with `192.0.2.128/25 via 203.0.113.1 dev data` has told us the
///    data network's gateway; the lowest destination wins);
/// 3. a route via a gateway on the device in a table polroute does not own (a per-uplink table made by hand; a
///    default route first, then the lowest table);
/// 4. the interface's DHCP lease, or its own configuration (ifcfg `GATEWAY=`, ifupdown `gateway`, netplan,
///    networkd `Gateway=`, NetworkManager keyfiles), as `HostConfiguration` orders them: the lease first where the
///    family is configured by DHCP, the file first where it is static; else a lease of the address the interface
///    has now, whoever ran its client;
/// 5. an IPv6 default route learned from router advertisements.
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
  /// The best route through a gateway in a table polroute does not own, per device and family.
  private var foreign: [Key: (route: Route, gateway: IPAddress)] = [:]
  /// The best router-advertised default per device and family.
  private var advertised: [Key: (route: Route, gateway: IPAddress)] = [:]
  /// The host's configuration and leases.
  private let configuration: HostConfiguration?
  /// Each interface's addresses, to recognise the lease of the address it has now.
  private let addresses: [String: Set<IPAddress>]

  /// Indexes the routes of a state.
  public init(_ state: HostState) {
    configuration = state.hostConfiguration
    addresses = Dictionary(
      state.interfaces.map { ($0.name, Set($0.addresses.map(\.address.address))) }, uniquingKeysWith: { $0.union($1) })
    // Tables that hold a route polroute marked are (or were) polroute's: their gateways are what it derived before.
    let polrouteTables = Set(state.routes.filter(Ownership.isMarked).map(\.table))
    for route in state.routes where route.type == .unicast {
      if route.table != RoutingTable.main {
        guard !Ownership.neverTouched.contains(route.table), !polrouteTables.contains(route.table) else { continue }
        for (device, gateway) in route.gatewaysByDevice where gateway.family == route.family {
          let key = Key(device: device, family: route.family)
          if let best = foreign[key],
            (best.route.isDefault ? 0 : 1, best.route.table) <= (route.isDefault ? 0 : 1, route.table)
          {
            continue
          }
          foreign[key] = (route, gateway)
        }
        continue
      }
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
    if let (route, gateway) = defaults[key] {
      guard route.nexthops.count > 1 else {
        return DiscoveredGateway(
          address: gateway, source: .mainDefault, evidence: "default route via \(gateway) dev \(device) in main")
      }
      // One next hop of several: the rest of the route says who shares the default, and in what proportion.
      let weight = route.nexthops.first { $0.device == device && $0.gateway == gateway }?.weight ?? 1
      let total = route.nexthops.reduce(0) { $0 + $1.weight }
      return DiscoveredGateway(
        address: gateway, source: .mainDefault,
        evidence:
          "multipath default route in main: nexthop via \(gateway) dev \(device) weight \(weight) of "
          + "\(route.nexthops.count) nexthops, total weight \(total)")
    }
    if let (route, gateway) = vias[key] {
      return DiscoveredGateway(
        address: gateway, source: .mainVia,
        evidence: "route \(route.destination.routeText) via \(gateway) dev \(device) in main")
    }
    if let (route, gateway) = foreign[key] {
      return DiscoveredGateway(
        address: gateway, source: .foreignTable,
        evidence: "route \(route.destination.routeText) via \(gateway) dev \(device) in table \(route.table)")
    }
    if let configured = configuration?.gateways(for: device, family: family).first {
      let place = configured.location.map { ", \($0.file):\($0.line)" } ?? ""
      return DiscoveredGateway(
        address: configured.address, source: configured.source.isLease ? .lease : .configuration,
        evidence: "\(configured.source.rawValue)\(place)")
    }
    // A lease for the very address the interface has now is its gateway's best evidence even where no manager is
    // known to run that client (dhclient started by hand, or by a hook).
    if let lease = configuration?.leases(for: device).last(where: { lease in
      lease.address.map { addresses[device]?.contains($0) ?? false } ?? false
        && lease.defaultGateways.contains { $0.family == family }
    }), let gateway = lease.defaultGateways.first(where: { $0.family == family }) {
      return DiscoveredGateway(
        address: gateway, source: .lease,
        evidence: "\(lease.client.gatewaySource.rawValue), \(lease.file):\(lease.location.line)")
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
