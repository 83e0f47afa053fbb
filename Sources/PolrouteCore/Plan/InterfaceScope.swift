/// The part of the kernel one `polroute apply --interface IFACE` converges: the uplink's table and the rules that
/// look it up, the tables of the uplink groups it is in, the rules its addresses and networks feed (guards, the
/// local-networks rule), and what polroute left
/// for an interface that is no longer an uplink (gone, down, or without its gateway). Everything another uplink of
/// the policy owns is left as it is, so a hook for one interface never disturbs the others' traffic.
///
/// The plan, the verification and the probes are the full apply's, restricted here: the objects a scoped apply adds
/// are exactly those a full apply would add (same numbers, same priorities), so the two never disagree.
public struct InterfaceScope: Hashable, Sendable {
  /// The interfaces converged.
  public var interfaces: Set<String>

  /// A scope of the given interface names.
  public init(_ interfaces: Set<String>) {
    self.interfaces = interfaces
  }

  /// What the scope covers on a host for a policy, computed once per plan or verification.
  struct Coverage {
    /// The tables of the scope's uplinks.
    var tables: Set<UInt32>
    /// The tables of every other table of the policy (other uplinks', and tables without a device).
    var otherTables: Set<UInt32>
    /// The scope's interfaces' addresses.
    var addresses: Set<IPAddress>
    /// The networks the scope's interfaces feed: their connected prefixes and main's routes through them.
    var networks: Set<IPPrefix>
    /// The destinations of every guard the policy wants.
    var guardDestinations: Set<IPPrefix>
    /// The policy's roles of its rules.
    var roles: [RuleKey: RuleRole]

    /// Computes the coverage of `interfaces`.
    init(_ interfaces: Set<String>, state: HostState, policy: Policy) {
      tables = Set(policy.tables.filter { $0.device.map(interfaces.contains) ?? false }.map(\.number))
      tables.formUnion(policy.uplinks.filter { interfaces.contains($0.device) }.map(\.table))
      // A table shared by uplinks (an uplink group's) whose routes go, or are to go, through the scope's
      // interfaces: a new lease moves its hop there too, and a departed uplink's hop leaves it.
      let owned = policy.ownedTables
      func through(_ route: Route) -> Bool {
        route.device.map(interfaces.contains) == true
          || route.nexthops.contains { $0.device.map(interfaces.contains) == true }
      }
      for route in policy.routes where !tables.contains(route.table) && through(route) { tables.insert(route.table) }
      for route in state.routes where owned.contains(route.table) && !tables.contains(route.table) && through(route) {
        tables.insert(route.table)
      }
      otherTables = owned.subtracting(tables)
      let own = state.interfaces.filter { interfaces.contains($0.name) }
      addresses = Set(own.flatMap { $0.addresses.map(\.address.address) })
      networks = Set(own.flatMap { $0.globalAddresses.map(\.address.network) })
      for route in state.routes where route.table == RoutingTable.main {
        if let device = route.device, interfaces.contains(device), !route.isDefault {
          networks.insert(route.destination)
        }
      }
      let roles = policy.ruleRoles
      self.roles = roles
      guardDestinations = Set(
        policy.rules.filter { roles[$0.key] == .uplinkGuard }.compactMap(\.selector.destination))
    }

    /// Whether a rule the policy wants is the scope's to add.
    func wants(_ rule: Rule) -> Bool {
      if let table = rule.lookupTable, tables.contains(table) { return true }
      switch roles[rule.key] {
      // One rule per family, shared by every uplink: whichever uplink comes first restores it.
      case .localNetworks: return true
      // Another uplink's address guarded against a route through this uplink.
      case .uplinkGuard: return rule.selector.destination.map(networks.contains) ?? false
      default: return false
      }
    }

    /// Whether a stale rule (polroute's, not wanted as it is) is the scope's to delete: one of its tables, its
    /// addresses or networks, or one that belongs to no uplink of the policy any more.
    func removes(_ rule: Rule) -> Bool {
      if let table = rule.lookupTable, !otherTables.contains(table) { return true }
      if let source = rule.selector.source, source.isHost, addresses.contains(source.address) { return true }
      if let destination = rule.selector.destination {
        if networks.contains(destination) { return true }
        // A guard whose prefix no uplink is guarded against any more: main's route it guarded went with an old
        // lease of some uplink, so no uplink's own apply would name it.
        let band = Policy.PriorityBand.guards..<Policy.PriorityBand.localNetworks
        if band.contains(rule.priority), !guardDestinations.contains(destination) { return true }
      }
      return false
    }

    /// Whether a route change is the scope's: in one of its tables, or in a table no other uplink owns (a gone
    /// interface's polroute table).
    func covers(_ route: Route) -> Bool { !otherTables.contains(route.table) }
  }

  /// The plan's changes within the scope, in the plan's order. A stale rule at the priority of a rule the scope
  /// adds goes with it (the kernel would refuse the addition beside it).
  public func restrict(_ plan: KernelPlan, state: HostState, policy: Policy) -> KernelPlan {
    let coverage = Coverage(interfaces, state: state, policy: policy)
    let addedKeys = Set(
      plan.changes.compactMap { change -> RuleKey? in
        guard case .addRule(let rule) = change, coverage.wants(rule) else { return nil }
        return rule.key
      })
    let changes = plan.changes.filter { change in
      switch change {
      case .addRule(let rule): return coverage.wants(rule)
      case .deleteRule(let rule): return addedKeys.contains(rule.key) || coverage.removes(rule)
      case .addRoute(let route), .deleteRoute(let route), .replaceRoute(_, let route): return coverage.covers(route)
      }
    }
    return KernelPlan(changes: changes, ownership: plan.ownership)
  }

  /// Why each interface of the scope has nothing of polroute's left after the apply, by name: it is not on the host,
  /// or the policy does not make it an uplink (with the policy's reason). Interfaces that are uplinks are absent.
  public func departures(state: HostState, policy: Policy) -> [(name: String, reason: String)] {
    let uplinks = Set(policy.uplinks.map(\.device))
    return interfaces.sorted().compactMap { name in
      guard !uplinks.contains(name) else { return nil }
      guard state.interface(named: name) != nil else { return (name, "it is not on this host") }
      let reason = policy.excluded.first { $0.name == name }.map { "\($0.reason)" } ?? "the policy has no uplink on it"
      return (name, "it is not an uplink: \(reason)")
    }
  }
}
