/// The routes and rules that go in one interface's configuration, for the targets that configure interface by
/// interface (networkd, NetworkManager, netplan): a route goes with its device (else its table's uplink, else the
/// first uplink), a rule with its table's uplink or its `iif`/`oif`, and the shared local-networks rule with every
/// uplink, since any one of them may come up alone.
public struct InterfaceContents: Hashable, Sendable {
  /// The interface.
  public var device: String
  /// Its routes, those without a gateway first (a `via` route then finds its gateway in its table).
  public var routes: [Route]
  /// Its rules, by family and priority.
  public var rules: [Rule]

  /// Every interface's contents, by name.
  public static func all(_ policy: Policy) -> [InterfaceContents] {
    var routes: [String: [Route]] = [:]
    var rules: [String: [Rule]] = [:]
    for route in policy.routesInAddOrder {
      for device in policy.interfaces(for: route) { routes[device, default: []].append(route) }
    }
    for rule in policy.rules {
      for device in policy.interfaces(for: rule) { rules[device, default: []].append(rule) }
    }
    return Set(routes.keys).union(rules.keys).sorted().map {
      InterfaceContents(device: $0, routes: routes[$0] ?? [], rules: rules[$0] ?? [])
    }
  }

  /// The rules that belong with no interface because the policy has no uplink to put them with.
  public static func homeless(_ policy: Policy) -> [Rule] {
    policy.rules.filter { policy.interfaces(for: $0).isEmpty }
  }
}

/// Whether a manager can follow an uplink's gateway by itself where it changes (DHCP, router advertisements), so
/// that its configuration names the gateway the lease or the router gives instead of today's address.
public enum GatewayFollowing: Hashable, Sendable {
  /// The gateway DHCPv4 gives (networkd `Gateway=_dhcp4`).
  case dhcp4
  /// The gateway IPv6 router advertisements give (networkd `Gateway=_ipv6ra`).
  case routerAdvertisement

  /// How the route's gateway can be followed on this host, or nil when it must be written as it is: only an
  /// uplink's own default route whose gateway was discovered (not written in the policy), on an interface whose
  /// manager is `manager` and gets that family's gateway from DHCP (IPv4) or router advertisements (IPv6).
  public static func of(
    _ route: Route, policy: Policy, context: RenderContext, manager: NetworkConfigurator
  ) -> GatewayFollowing? {
    guard route.isDefault, route.type == .unicast, route.nexthops.isEmpty, let device = route.device,
      let configuration = context.configuration(of: device), configuration.management.manager == manager,
      let uplink = uplink(of: route.table, in: policy), uplink.device == device,
      let gateway = uplink.gateway(route.family), gateway.address == route.gateway, gateway.source != .policy
    else { return nil }
    switch route.family {
    case .inet: return configuration.usesDHCP(.inet) == true ? .dhcp4 : nil
    case .inet6: return gateway.source == .routerAdvertisement ? .routerAdvertisement : nil
    }
  }

  /// The uplink whose table is `table`: a binary search, since the policy keeps its uplinks by table and renderers
  /// ask for every route of thousands.
  static func uplink(of table: UInt32, in policy: Policy) -> Uplink? {
    var low = 0
    var high = policy.uplinks.count
    while low < high {
      let middle = (low + high) / 2
      if policy.uplinks[middle].table < table { low = middle + 1 } else { high = middle }
    }
    return low < policy.uplinks.count && policy.uplinks[low].table == table ? policy.uplinks[low] : nil
  }
}
