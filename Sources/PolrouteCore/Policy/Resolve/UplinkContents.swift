/// Step 4: each uplink's gateways, addresses and routes.
extension ResolutionContext {
  /// Gateways, addresses and diagnostics of one uplink.
  mutating func buildUplink(_ planned: PlannedUplink, table: UInt32) -> Uplink {
    let interface = planned.interface
    let addresses = interface?.globalAddresses ?? []
    var uplink = Uplink(
      name: planned.name, device: planned.device, table: table, onlink: planned.statement?.onlink ?? false,
      addresses: addresses.map(\.address), declared: planned.statement != nil, realm: planned.statement?.realm?.value)
    for family in AddressFamily.allCases {
      let explicit = family == .inet ? planned.statement?.via : planned.statement?.via6
      var gateway: DiscoveredGateway?
      if let explicit {
        gateway = DiscoveredGateway(
          address: explicit.value, source: .policy, evidence: "policy file line \(explicit.location.line)")
        if let interface, !uplink.onlink, !isOnLink(explicit.value, interface: interface) {
          error(
            "gateway \(explicit.value) is outside every connected prefix of \(interface.name) (\(connected(interface, family))) (add 'onlink' if it is reachable anyway)",
            at: explicit.location)
        }
      } else if let interface, addresses.contains(where: { $0.family == family }) {
        gateway = host.gateways.gateway(of: interface.name, family: family)
        if let found = gateway, !isOnLink(found.address, interface: interface) { uplink.onlink = true }
      }
      if family == .inet { uplink.gateway4 = gateway } else { uplink.gateway6 = gateway }
      if gateway == nil, addresses.contains(where: { $0.family == family }) {
        warning(
          "no \(family.displayName) gateway is known for \(planned.device): table \(planned.name) holds only its link routes (name it with 'uplink \(planned.name) dev \(planned.device) \(family == .inet ? "via" : "via6") GATEWAY')",
          at: planned.statement?.location)
      }
    }
    for address in addresses where address.flags.contains(.dynamic) {
      diagnostics.append(
        Diagnostic(
          .note,
          "address \(address.address.address) on \(planned.device) is dynamic (DHCP or SLAAC): when it changes,"
            + " `polroute apply --interface \(planned.device)` follows it (polroute's network manager hooks run it)",
          at: planned.statement?.location))
    }
    return uplink
  }

  /// Whether a gateway is reachable on-link: inside a connected prefix of the interface, or IPv6 link-local.
  func isOnLink(_ gateway: IPAddress, interface: Interface) -> Bool {
    if case .v6(let v6) = gateway, v6.isLinkLocal { return true }
    return interface.addresses.contains {
      $0.address.network.contains(gateway) || ($0.peer?.network.contains(gateway) ?? false)
        || $0.peer?.address == gateway
    }
  }

  /// The connected prefixes of an interface for a family, for messages.
  func connected(_ interface: Interface, _ family: AddressFamily) -> String {
    let prefixes = interface.addresses.filter { $0.family == family && $0.scope == "global" }.map {
      $0.address.network.description
    }
    return prefixes.isEmpty
      ? "it has no \(family.displayName) address" : Array(Set(prefixes)).sorted().joined(separator: ", ")
  }

  /// An uplink's table routes: a link route per connected prefix (IPv4 with `src`), and a default route per gateway;
  /// the IPv4 ones carry the uplink's realm (IPv6 routes have none).
  func uplinkRoutes(_ uplink: Uplink) -> [Route] {
    var routes: [Route] = []
    // An interface has a handful of prefixes: an array is cheaper here than hashing them.
    var seen: [IPPrefix] = []
    let addresses = host.interfaces[uplink.device]?.globalAddresses ?? []
    // The primary address of each prefix (not `secondary`) is the source the kernel itself uses for it.
    for address in addresses.sorted(by: {
      ($0.flags.contains(.secondary) ? 1 : 0, $0.address) < ($1.flags.contains(.secondary) ? 1 : 0, $1.address)
    }) {
      let network = address.address.network
      guard !network.isHost, !seen.contains(network) else { continue }
      seen.append(network)
      if address.family == .inet {
        routes.append(
          Route(
            table: uplink.table, destination: network, device: uplink.device, protocolNumber: RouteProtocol.polroute,
            scope: RouteScope.link, preferredSource: address.address.address, realm: uplink.realm))
      } else {
        // IPv6 link routes carry no `src`: the kernel refuses a source address that is still tentative (DAD).
        routes.append(
          Route(
            table: uplink.table, destination: network, device: uplink.device, protocolNumber: RouteProtocol.polroute,
            metric: 1024))
      }
    }
    for family in AddressFamily.allCases {
      guard let gateway = uplink.gateway(family) else { continue }
      routes.append(
        Route(
          table: uplink.table, destination: .defaultRoute(family), gateway: gateway.address, device: uplink.device,
          protocolNumber: RouteProtocol.polroute, metric: family == .inet ? 0 : 1024,
          flags: uplink.onlink ? ["onlink"] : [], realm: family == .inet ? uplink.realm : nil))
    }
    return routes
  }
}
