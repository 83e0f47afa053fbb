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
    if let source = statement.source, state.interface(holding: source.value) == nil {
      let message = "source \(source.value) is not an address of this host (the kernel refuses such a 'src')"
      if resolver.isSnapshot {
        warning(message, at: source.location)
      } else {
        error(message, at: source.location)
        return nil
      }
    }
    let scope: UInt8 =
      statement.type == .unicast && statement.via == nil && family == .inet ? RouteScope.link : RouteScope.global
    // The kernel stores an IPv6 route given metric 0 with its default metric, 1024: plan what it will hold.
    let metric = statement.metric.map { family == .inet6 && $0 == 0 ? 1024 : $0 } ?? (family == .inet6 ? 1024 : 0)
    return Route(
      table: table.number, type: statement.type, destination: destination, gateway: statement.via?.value,
      device: statement.type == .unicast ? device : nil, protocolNumber: RouteProtocol.polroute, scope: scope,
      metric: metric, preferredSource: statement.source?.value,
      flags: statement.onlink ? ["onlink"] : [])
  }
}
