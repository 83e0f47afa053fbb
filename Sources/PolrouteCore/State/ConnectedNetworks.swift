extension HostState {
  /// The networks main reaches directly, each with its device: main's link routes (no gateway) to global prefixes
  /// wider than one host, once each, in prefix order. What the host is "connected to", for verification and for
  /// inspect's local-network findings.
  public var connectedNetworks: [(prefix: IPPrefix, device: String)] {
    var seen: Set<IPPrefix> = []
    return routes.filter {
      $0.table == RoutingTable.main && $0.type == .unicast && !$0.hasGateway && !$0.isDefault
        && $0.destination.address.isGlobalUnicast && !$0.destination.isHost
    }.compactMap { route in
      guard let device = route.device, seen.insert(route.destination).inserted else { return nil }
      return (route.destination, device)
    }.sorted { $0.prefix < $1.prefix }
  }
}
