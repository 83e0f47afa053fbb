/// Step 2: which interfaces are uplinks, declared or derived, and the names of derived ones.
extension ResolutionContext {
  /// The uplinks: every `uplink` statement's, then (with `auto`) one for each remaining interface that can be one;
  /// and the interfaces that are not uplinks, with the reason.
  mutating func planUplinks(_ declarations: Declarations, isAuto: Bool) -> ([PlannedUplink], [ExcludedInterface]) {
    var plannedUplinks: [PlannedUplink] = []
    for statement in declarations.uplinks {
      if let location = declarations.excludes[statement.device.value] {
        error(
          "interface '\(statement.device.value.echoed)' is both an uplink and excluded (line \(location.line))",
          at: statement.device.location)
      }
      let interface = checkInterface(statement.device, role: "uplink \(statement.name.value)")
      plannedUplinks.append(
        PlannedUplink(
          statement: statement, interface: interface, device: statement.device.value, name: statement.name.value))
    }
    var excluded: [ExcludedInterface] = []
    let declaredDevices = Set(declarations.uplinks.map(\.device.value))
    var takenNames = Set(plannedUplinks.map(\.name) + declarations.tables.map(\.name.value))
    for interface in state.interfaces where !declaredDevices.contains(interface.name) {
      if declarations.excludes[interface.name] != nil {
        excluded.append(ExcludedInterface(name: interface.name, reason: .policy))
        continue
      }
      var reason = state.exclusionReason(for: interface)
      if declarations.includes[interface.name] != nil, let exclusion = reason, exclusion != .loopback {
        // `include` overrides the kind of interface (a bridge, a port, a tunnel), not a lack of addresses.
        reason = interface.globalAddresses.isEmpty ? .noGlobalAddress : nil
      }
      if let reason {
        excluded.append(ExcludedInterface(name: interface.name, reason: reason))
      } else if !isAuto {
        excluded.append(ExcludedInterface(name: interface.name, reason: .notDeclared))
      } else if !AddressFamily.allCases.contains(where: { host.gateways.gateway(of: interface.name, family: $0) != nil }
      ) {
        // An uplink is an interface with a gateway; without one it is a network the host is on, which the
        // local-networks rule reaches directly.
        excluded.append(ExcludedInterface(name: interface.name, reason: .noGateway))
      } else {
        let name = derivedName(for: interface.name, taken: takenNames)
        takenNames.insert(name)
        plannedUplinks.append(PlannedUplink(statement: nil, interface: interface, device: interface.name, name: name))
      }
    }
    return (plannedUplinks, excluded)
  }

  func derivedName(for device: String, taken: Set<String>) -> String {
    let base = DerivedNames.tableName(for: device)
    var name = base
    var suffix = 2
    while taken.contains(name) || host.foreignEntryByName[name] != nil {
      name = "\(base)-\(suffix)"
      suffix += 1
    }
    return name
  }

  /// An uplink on its way to being resolved.
  struct PlannedUplink {
    /// The statement that declared it; nil when derived.
    var statement: UplinkStatement?
    /// The interface, if the host has it.
    var interface: Interface?
    /// The device name.
    var device: String
    /// The table name.
    var name: String
    /// The table number, once assigned.
    var table: UInt32?
  }
}

/// The table name polroute gives an interface's uplink: the interface's name where rt_tables accepts it.
public enum DerivedNames {
  /// The name for a device, before clashes with other names are resolved.
  public static func tableName(for device: String) -> String {
    let base = String(
      device.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "_" })
    if !RoutingTableFile.isValidName(base) || RoutingTable.reservedNames.contains(base) { return "if_" + base }
    return base
  }
}
