/// The kernel objects polroute owns, as lines people read (`ip rule show` and `ip route show` style), so a plan can
/// show them as a unified diff of "now" against "planned". The planned side is the now side with the plan's changes
/// made, so the diff shows exactly what the plan does, never a second opinion about what it should do.
public enum KernelText {
  /// One diffable listing: a name and its lines.
  public struct Listing: Hashable, Sendable {
    /// `ip -4 rule`, `ip -6 route`, ...
    public var name: String
    /// The lines, in kernel order.
    public var lines: [String]
  }

  /// Unified diffs of every listing the plan changes.
  public static func diff(_ plan: KernelPlan, state: HostState, names: RoutingTableNames) -> String {
    // Nothing changes, nothing to show: listing 10,000 rules twice to find that out cost a hook's apply 20 ms.
    guard !plan.isEmpty else { return "" }
    let rules = plan.ownership.rules(of: state)
    let routes = plan.ownership.routes(of: state)
    let now = listings(rules: rules, routes: routes, names: names)
    let (plannedRules, plannedRoutes) = applying(plan.changes, rules: rules, routes: routes)
    let planned = listings(rules: plannedRules, routes: plannedRoutes, names: names)
    return zip(now, planned).map { now, next in
      UnifiedDiff.make(old: now.lines, new: next.lines, oldName: "\(now.name) (now)", newName: "\(next.name) (planned)")
    }.joined()
  }

  /// The table names a plan's text uses: as the host names them today, and the policy's names for tables the host
  /// does not name (the tables the plan creates).
  public static func names(state: HostState, policy: Policy) -> RoutingTableNames {
    // The last entry for a number wins: the host's come after the policy's.
    RoutingTableNames(policy.tableNames.entries + state.tableNames)
  }

  /// The objects after the changes are made, as the kernel would hold them.
  static func applying(_ changes: [KernelChange], rules: [Rule], routes: [Route]) -> ([Rule], [Route]) {
    var rules = rules
    var routes = routes
    for change in changes {
      switch change {
      case .addRule(let rule): rules.append(rule)
      case .deleteRule(let rule): if let index = rules.firstIndex(of: rule) { rules.remove(at: index) }
      case .addRoute(let route): routes.append(route)
      case .deleteRoute(let route): if let index = routes.firstIndex(of: route) { routes.remove(at: index) }
      case .replaceRoute(let old, let new):
        if let index = routes.firstIndex(of: old) { routes[index] = new } else { routes.append(new) }
      }
    }
    return (rules, routes)
  }

  /// The four listings (rules and routes of each family).
  static func listings(rules: [Rule], routes: [Route], names: RoutingTableNames) -> [Listing] {
    var result: [Listing] = []
    for family in AddressFamily.allCases {
      let familyRules = rules.filter { $0.family == family }.sorted { $0.priority < $1.priority }
      result.append(
        Listing(
          name: "ip \(family.ipOption) rule",
          lines: familyRules.map { rule in
            "\(rule.priority): \(RuleText.selectorAndAction(rule, names: names))"
              + (rule.protocolNumber.map { " proto \($0)" } ?? "")
          }))
    }
    for family in AddressFamily.allCases {
      let familyRoutes = routes.filter { $0.family == family }.sorted { $0.key < $1.key }
      result.append(
        Listing(
          name: "ip \(family.ipOption) route",
          lines: familyRoutes.map { RouteText.words($0, tables: .name(names)).joined(separator: " ") }))
    }
    return result
  }
}
