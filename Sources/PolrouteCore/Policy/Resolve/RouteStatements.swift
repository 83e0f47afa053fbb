/// Step 5: the routes of `route` statements, each in one of polroute's tables.
extension ResolutionContext {
  /// Resolves a table reference to one of polroute's tables.
  mutating func ownedTable(
    _ reference: Located<TableReferenceText>, tables: [PolicyTable], role: @autoclosure () -> String
  ) -> PolicyTable? {
    switch reference.value {
    case .number(let number):
      if let table = tables.first(where: { $0.number == number }) { return table }
      if RoutingTable.reserved.contains(number) {
        error(
          "polroute never changes table \(number) (\(RoutingTable.builtinNames[number]!)): \(role()) must go in one of its own tables",
          at: reference.location)
      } else {
        error(
          "table \(number) is not declared in the policy (declare it with 'table NAME \(number)' or an uplink)",
          at: reference.location)
      }
    case .name(let name):
      if let table = tables.first(where: { $0.name == name }) { return table }
      if RoutingTable.kernelTableNames.contains(name) {
        error(
          "polroute never changes table \(name): \(role()) must go in one of its own tables", at: reference.location)
      } else {
        let hint = Suggestion.closest(to: name, among: tables.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
        error("unknown table '\(name.echoed)' for \(role())\(hint)", at: reference.location)
      }
    }
    return nil
  }

  /// Builds the route of a `route` statement.
  mutating func buildRoute(_ statement: RouteStatement, tables: [PolicyTable], uplinks: [Uplink]) -> Route? {
    let destination = statement.destination.value
    let family = destination.family
    guard let table = ownedTable(statement.table, tables: tables, role: "route \(destination.routeText)") else {
      return nil
    }
    if let via = statement.via, via.value.family != family {
      error(
        "gateway \(via.value) is \(via.value.family.displayName) but \(destination.routeText) is \(family.displayName)",
        at: via.location)
      return nil
    }
    if let source = statement.source, source.value.family != family {
      error(
        "source \(source.value) is \(source.value.family.displayName) but \(destination.routeText) is \(family.displayName)",
        at: source.location)
      return nil
    }
    if !statement.nexthops.isEmpty {
      return buildMultipathRoute(statement, table: table)
    }
    var device = statement.device?.value
    var interface: Interface?
    if let name = statement.device {
      interface = checkInterface(name, role: "route \(destination.routeText)")
    } else if statement.type == .unicast {
      // Without `dev`, the route leaves where its gateway is connected, else through its table's uplink.
      if let via = statement.via?.value,
        let match = state.interfaces.first(where: {
          isOnLink(via, interface: $0) && !$0.isLoopback && !(via.family == .inet6 && $0.name != table.device)
        })
      {
        device = match.name
        interface = match
      } else {
        device = table.device
        interface = device.flatMap { host.interfaces[$0] }
      }
      if device == nil {
        error(
          "route \(destination.routeText) needs 'dev IFACE': table \(table.name) belongs to no uplink",
          at: statement.location)
        return nil
      }
    }
    if let via = statement.via, let interface, !statement.onlink, !isOnLink(via.value, interface: interface) {
      error(
        "gateway \(via.value) is outside every connected prefix of \(interface.name) (\(connected(interface, family))) (add 'onlink' if it is reachable anyway)",
        at: via.location)
      return nil
    }
    guard checkSource(statement) else { return nil }
    let scope: UInt8 =
      statement.type == .unicast && statement.via == nil && family == .inet ? RouteScope.link : RouteScope.global
    let metric = Self.plannedMetric(statement, family: family)
    return Route(
      table: table.number, type: statement.type, destination: destination, gateway: statement.via?.value,
      device: statement.type == .unicast ? device : nil, protocolNumber: RouteProtocol.polroute, scope: scope,
      metric: metric, preferredSource: statement.source?.value,
      flags: statement.onlink ? ["onlink"] : [])
  }

  /// Whether the statement's `src` is one of the host's addresses; an error (a warning for a snapshot, whose host
  /// may have it) when it is not.
  mutating func checkSource(_ statement: RouteStatement) -> Bool {
    guard let source = statement.source, state.interface(holding: source.value) == nil else { return true }
    let message = "source \(source.value) is not an address of this host (the kernel refuses such a 'src')"
    if resolver.isSnapshot {
      warning(message, at: source.location)
      return true
    }
    error(message, at: source.location)
    return false
  }

  /// The metric the kernel will hold for the statement's route: it stores an IPv6 route given metric 0 (or none)
  /// with its default metric, 1024.
  static func plannedMetric(_ statement: RouteStatement, family: AddressFamily) -> UInt32 {
    statement.metric.map { family == .inet6 && $0 == 0 ? 1024 : $0 } ?? (family == .inet6 ? 1024 : 0)
  }

  /// Builds the route of a `route` statement with `nexthop`s. One next hop is an ordinary route: the kernel stores
  /// it so, and planning it as multipath would replace it on every run.
  mutating func buildMultipathRoute(_ statement: RouteStatement, table: PolicyTable) -> Route? {
    let destination = statement.destination.value
    let family = destination.family
    var hops: [Nexthop] = []
    var seen: [Nexthop] = []
    for hop in statement.nexthops {
      if let via = hop.via, via.value.family != family {
        error(
          "gateway \(via.value) is \(via.value.family.displayName) but \(destination.routeText) is \(family.displayName)",
          at: via.location)
        return nil
      }
      var device = hop.device?.value
      var interface: Interface?
      if let name = hop.device {
        interface = checkInterface(name, role: "a nexthop of route \(destination.routeText)")
        if interface == nil && !resolver.isSnapshot { return nil }
      } else if let via = hop.via?.value {
        // As `ip route` does: the next hop leaves where its gateway is connected. A link-local gateway is on
        // every link: it names none.
        var linkLocal = false
        if case .v6(let v6) = via { linkLocal = v6.isLinkLocal }
        guard !linkLocal, let match = state.interfaces.first(where: { isOnLink(via, interface: $0) && !$0.isLoopback })
        else {
          error(
            "nexthop via \(via) needs 'dev IFACE': no interface of this host is connected to it", at: hop.location)
          return nil
        }
        device = match.name
        interface = match
      }
      if let via = hop.via, let interface, !hop.onlink, !isOnLink(via.value, interface: interface) {
        error(
          "gateway \(via.value) is outside every connected prefix of \(interface.name) (\(connected(interface, family)))"
            + " (add 'onlink' to this nexthop if it is reachable anyway)",
          at: via.location)
        return nil
      }
      let built = Nexthop(
        gateway: hop.via?.value, device: device, weight: Int(hop.weight?.value ?? 1),
        flags: hop.onlink ? ["onlink"] : [])
      if seen.contains(where: { $0.gateway == built.gateway && $0.device == built.device }) {
        error(
          "nexthop"
            + (built.gateway.map { " via \($0)" } ?? "") + (built.device.map { " dev \($0)" } ?? "")
            + " is given twice in route \(destination.routeText)",
          at: hop.location)
        return nil
      }
      seen.append(built)
      hops.append(built)
    }
    guard checkSource(statement) else { return nil }
    let metric = Self.plannedMetric(statement, family: family)
    if hops.count == 1 {
      let hop = hops[0]
      let scope: UInt8 = hop.gateway == nil && family == .inet ? RouteScope.link : RouteScope.global
      return Route(
        table: table.number, destination: destination, gateway: hop.gateway, device: hop.device,
        protocolNumber: RouteProtocol.polroute, scope: scope, metric: metric,
        preferredSource: statement.source?.value, flags: hop.flags)
    }
    let scope: UInt8 = hops.allSatisfy({ $0.gateway == nil }) && family == .inet ? RouteScope.link : RouteScope.global
    return Route(
      table: table.number, destination: destination, protocolNumber: RouteProtocol.polroute, scope: scope,
      metric: metric, preferredSource: statement.source?.value, nexthops: hops)
  }
}
