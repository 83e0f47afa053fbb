/// Step 5b: uplink groups (`balance`, `failover`): the default routes of their tables and the kernel settings they
/// ask for.
extension ResolutionContext {
  /// A group and the routes of its table.
  struct BuiltGroup {
    /// The group.
    var group: UplinkGroup
    /// Its table's routes.
    var routes: [Route]
  }

  /// Builds every group whose uplinks are known.
  mutating func buildGroups(_ statements: [GroupStatement], uplinks: [Uplink], tables: [PolicyTable]) -> [BuiltGroup] {
    var built: [BuiltGroup] = []
    for statement in statements {
      guard let table = tables.first(where: { $0.name == statement.name.value }) else { continue }
      var members: [UplinkGroup.Member] = []
      var known: [Uplink] = []
      for member in statement.members {
        // By the uplink's name (its table's), else by its interface.
        guard
          let uplink = uplinks.first(where: { $0.name == member.name.value })
            ?? uplinks.first(where: { $0.device == member.name.value })
        else {
          let candidates = uplinks.map(\.name) + uplinks.map(\.device)
          let hint = Suggestion.closest(to: member.name.value, among: candidates).map { " (did you mean '\($0)'?)" }
          error(
            "unknown uplink '\(member.name.value)' in \(statement.kind.rawValue) \(statement.name.value)"
              + (hint ?? " (the uplinks are: \(uplinks.map(\.name).joined(separator: ", ")))"),
            at: member.name.location)
          continue
        }
        if known.contains(where: { $0.name == uplink.name }) {
          error(
            "uplink '\(member.name.value)' is \(uplink.name) again in "
              + "\(statement.kind.rawValue) \(statement.name.value)",
            at: member.name.location)
          continue
        }
        known.append(uplink)
        members.append(
          UplinkGroup.Member(uplink: uplink.name, device: uplink.device, weight: Int(member.weight?.value ?? 1)))
      }
      guard members.count == statement.members.count else { continue }
      let group = UplinkGroup(
        name: table.name, kind: statement.kind, table: table.number, members: members, hash: statement.hash?.value,
        rulesOnly: statement.rulesOnly, location: statement.location)
      var routes: [Route] = []
      for family in AddressFamily.allCases {
        let usable = zip(known, members).filter { $0.0.gateway(family) != nil }
        if usable.isEmpty { continue }
        if usable.count < known.count {
          let missing = known.filter { $0.gateway(family) == nil }.map(\.name)
          warning(
            "\(statement.kind.rawValue) \(statement.name.value): \(missing.joined(separator: ", ")) "
              + "\(missing.count == 1 ? "has" : "have") no \(family.displayName) gateway and "
              + "\(missing.count == 1 ? "takes" : "take") no \(family.displayName) traffic",
            at: statement.location)
        }
        routes += groupRoutes(group, family: family, usable: usable.map { ($0.0, $0.1) })
      }
      if routes.isEmpty {
        error(
          "\(statement.kind.rawValue) \(statement.name.value): none of its uplinks has a gateway known",
          at: statement.location)
        continue
      }
      built.append(BuiltGroup(group: group, routes: routes))
    }
    return built
  }

  /// The defaults of a group's table for one family: one multipath default for a balance (a single route where only
  /// one uplink has a gateway of the family), one default per uplink by metric (1, 2, ...) for a failover.
  func groupRoutes(_ group: UplinkGroup, family: AddressFamily, usable: [(Uplink, UplinkGroup.Member)]) -> [Route] {
    func hop(_ uplink: Uplink, weight: Int) -> Nexthop {
      Nexthop(
        gateway: uplink.gateway(family)!.address, device: uplink.device, weight: weight,
        flags: uplink.onlink ? ["onlink"] : [])
    }
    let destination = IPPrefix.defaultRoute(family)
    let baseMetric: UInt32 = family == .inet6 ? 1024 : 0
    if group.kind == .balance && usable.count > 1 {
      return [
        Route(
          table: group.table, destination: destination, protocolNumber: RouteProtocol.polroute,
          metric: baseMetric, nexthops: usable.map { hop($0.0, weight: $0.1.weight) })
      ]
    }
    return usable.enumerated().map { index, entry in
      let (uplink, _) = entry
      return Route(
        table: group.table, destination: destination, gateway: uplink.gateway(family)!.address,
        device: uplink.device, protocolNumber: RouteProtocol.polroute,
        metric: group.kind == .failover ? UInt32(index + 1) : baseMetric, flags: uplink.onlink ? ["onlink"] : [])
    }
  }

  /// The kernel settings the groups ask for: the multipath hash (where a group names one; two groups naming
  /// different ones is an error, the setting is the host's), and, for every uplink of a group, that the kernel skip
  /// routes over its link while the link is down, so a dead link leaves the group at once.
  mutating func groupSettings(_ built: [BuiltGroup]) -> [KernelSetting] {
    var settings: [KernelSetting] = []
    var hashOwner: UplinkGroup?
    // The families each group routes: a setting of a family the group does not route is not asked for.
    var families: [String: [String]] = [:]
    for entry in built {
      families[entry.group.name] = AddressFamily.allCases.filter { family in
        entry.routes.contains { $0.family == family }
      }.map { $0 == .inet ? "ipv4" : "ipv6" }
    }
    let groups = built.map(\.group)
    for group in groups {
      guard let hash = group.hash else { continue }
      if let owner = hashOwner, owner.hash != hash {
        error(
          "balance \(group.name) asks for hash \(hash.rawValue) but balance \(owner.name) (line "
            + "\(owner.location?.line ?? 0)) for hash \(owner.hash!.rawValue): the kernel has one multipath hash",
          at: group.location)
        continue
      }
      if hashOwner != nil { continue }
      hashOwner = group
      for family in families[group.name] ?? [] {
        settings.append(
          KernelSetting(
            path: "net/\(family)/fib_multipath_hash_policy", value: hash.sysctlValue,
            reason: "balance \(group.name): hash \(hash.rawValue)"))
      }
    }
    var devices: [String: (group: UplinkGroup, families: Set<String>)] = [:]
    for group in groups {
      for member in group.members {
        let asked = Set(families[group.name] ?? [])
        devices[member.device] = (
          devices[member.device]?.group ?? group, asked.union(devices[member.device]?.families ?? [])
        )
      }
    }
    for (device, (group, asked)) in devices.sorted(by: { $0.key < $1.key }) {
      for family in ["ipv4", "ipv6"] where asked.contains(family) {
        settings.append(
          KernelSetting(
            path: "net/\(family)/conf/\(device)/ignore_routes_with_linkdown", value: "1",
            reason: "\(group.kind.rawValue) \(group.name): \(device) leaves the group while its link is down"))
      }
    }
    return settings
  }
}
