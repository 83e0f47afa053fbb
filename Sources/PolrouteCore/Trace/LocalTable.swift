/// The kernel's `local` table, rebuilt from the interfaces' addresses: polroute's state leaves that table out (it
/// holds only what the addresses imply), and the simulator needs it for rule 0.
///
/// What the kernel puts there, as `fib_add_ifaddr` (IPv4) and addrconf (IPv6) do on Linux 5.x and 6.x:
/// - IPv4: `local ADDR` for every address, whether its interface is up or not, with `src` the address (the prefix's
///   primary address for a secondary one); on an interface that is up, for a
///   primary address with a prefix shorter than /31, `broadcast` for the prefix's last address; on the loopback
///   device, the address's whole prefix is `local` (127.0.0.0/8). (Kernels before 5.14 also made the prefix's first
///   address a broadcast.)
/// - IPv6: `local ADDR` for every address that has finished duplicate address detection, and `anycast` for the
///   subnet-router address (the prefix itself) of each global prefix on an interface that forwards.
enum LocalTable {
  /// The local table's routes for a state, both families, in interface order.
  static func routes(for state: HostState) -> [Route] {
    var routes: [Route] = []
    for interface in state.interfaces.sorted(by: { $0.index < $1.index }) {
      for address in interface.addresses {
        let local = address.address.address
        switch address.family {
        case .inet:
          // A secondary address's local route has its prefix's primary address as `src`.
          let primary = !address.flags.contains(.secondary)
          let source =
            primary
            ? local
            : interface.addresses.first {
              $0.family == .inet && !$0.flags.contains(.secondary) && $0.address.network == address.address.network
            }?.address.address ?? local
          routes.append(
            Route(
              table: RoutingTable.local, type: .local, destination: IPPrefix(host: local), device: interface.name,
              protocolNumber: RouteProtocol.kernel, scope: RouteScope.host, preferredSource: source))
          let length = Int(address.address.length)
          if interface.isLoopback && primary && length < 32 {
            routes.append(
              Route(
                table: RoutingTable.local, type: .local, destination: address.address.network,
                device: interface.name, protocolNumber: RouteProtocol.kernel, scope: RouteScope.host,
                preferredSource: local))
          }
          if interface.isUp && primary && length < 31, case .v4(let network) = address.address.network.address {
            let broadcast = IPAddress.v4(IPv4Address(network.value | ~IPv4Address.mask(length: length)))
            routes.append(
              Route(
                table: RoutingTable.local, type: .broadcast, destination: IPPrefix(host: broadcast),
                device: interface.name, protocolNumber: RouteProtocol.kernel, scope: RouteScope.link,
                preferredSource: local))
          }
        case .inet6:
          guard !address.flags.contains(.tentative), !address.flags.contains(.dadFailed) else { continue }
          routes.append(
            Route(
              table: RoutingTable.local, type: .local, destination: IPPrefix(host: local), device: interface.name,
              protocolNumber: RouteProtocol.kernel))
          let length = Int(address.address.length)
          if length < 127, local.isGlobalUnicast, state.forwarding?.ipv6[interface.name] == true {
            routes.append(
              Route(
                table: RoutingTable.local, type: .anycast, destination: IPPrefix(host: address.address.network.address),
                device: interface.name, protocolNumber: RouteProtocol.kernel))
          }
        }
      }
    }
    return routes
  }
}
