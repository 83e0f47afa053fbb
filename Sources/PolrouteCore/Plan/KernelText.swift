/// The kernel objects polroute owns, as lines people read (`ip rule show` and `ip route show` style), so a plan can
/// show them as a unified diff of "now" against "planned". The planned side is the now side with the plan's changes
/// made, so the diff shows exactly what the plan does, never a second opinion about what it should do.
public enum KernelText {
  /// Unified diffs of every listing the plan changes.
  public static func diff(_ plan: KernelPlan, state: HostState, names: RoutingTableNames) -> String {
    // Nothing changes, nothing to show: listing 10,000 rules twice to find that out cost a hook's apply 20 ms.
    guard !plan.isEmpty else { return "" }
    let rules = plan.ownership.rules(of: state)
    let routes = plan.ownership.routes(of: state)
    let (plannedRules, plannedRoutes) = applying(plan.changes, rules: rules, routes: routes)
    var text = ""
    // A listing no change touches is the same on both sides: it is not sorted and compared (15,000 rules, 10 ms).
    let touched = KernelParts(touchedBy: plan.changes)
    for family in AddressFamily.allCases where touched.ruleFamilies.contains(family) {
      text += UnifiedDiff.make(
        old: ruleListing(rules, family: family), new: ruleListing(plannedRules, family: family),
        oldName: "ip \(family.ipOption) rule (now)", newName: "ip \(family.ipOption) rule (planned)"
      ) { rule in ruleLine(rule, names: names) }
    }
    for family in AddressFamily.allCases where touched.routeFamilies.contains(family) {
      text += UnifiedDiff.make(
        old: routeListing(routes, family: family), new: routeListing(plannedRoutes, family: family),
        oldName: "ip \(family.ipOption) route (now)", newName: "ip \(family.ipOption) route (planned)"
      ) { route in RouteText.words(route, tables: .name(names)).joined(separator: " ") }
    }
    return text
  }

  /// The table names a plan's text uses: as the host names them today, and the policy's names for tables the host
  /// does not name (the tables the plan creates).
  public static func names(state: HostState, policy: Policy) -> RoutingTableNames {
    // The last entry for a number wins: the host's come after the policy's.
    RoutingTableNames(policy.tableNames.entries + state.tableNames)
  }

  /// The objects after the changes are made, as the kernel would hold them. Deletions are counted first and made in
  /// one pass: searching the list for each (a lease that moves an uplink deletes a hundred of its guards) grew with
  /// the product of the two.
  static func applying(_ changes: [KernelChange], rules: [Rule], routes: [Route]) -> ([Rule], [Route]) {
    var deletedRules: [Rule: Int] = [:]
    var deletedRoutes: [Route: Int] = [:]
    var replacements: [(old: Route, new: Route)] = []
    var addedRules: [Rule] = []
    var addedRoutes: [Route] = []
    for change in changes {
      switch change {
      case .addRule(let rule): addedRules.append(rule)
      case .deleteRule(let rule): deletedRules[rule, default: 0] += 1
      case .addRoute(let route): addedRoutes.append(route)
      case .deleteRoute(let route): deletedRoutes[route, default: 0] += 1
      case .replaceRoute(let old, let new): replacements.append((old, new))
      }
    }
    var plannedRoutes = removing(&deletedRoutes, from: routes)
    if !replacements.isEmpty {
      var positions: [Route: Int] = [:]
      for (index, route) in plannedRoutes.enumerated() where positions[route] == nil { positions[route] = index }
      for (old, new) in replacements {
        // A replaced route that was not there is added.
        if let index = positions.removeValue(forKey: old) {
          plannedRoutes[index] = new
        } else {
          addedRoutes.append(new)
        }
      }
    }
    return (removing(&deletedRules, from: rules) + addedRules, plannedRoutes + addedRoutes)
  }

  /// `list` without the first `counts[element]` occurrences of each element.
  static func removing<Element: Hashable>(_ counts: inout [Element: Int], from list: [Element]) -> [Element] {
    guard !counts.isEmpty else { return list }
    return list.filter { element in
      guard let left = counts[element], left > 0 else { return true }
      counts[element] = left - 1
      return false
    }
  }

  /// A family's rules in kernel order (by priority).
  static func ruleListing(_ rules: [Rule], family: AddressFamily) -> [Rule] {
    rules.filter { $0.family == family }.sorted { $0.priority < $1.priority }
  }

  /// A family's routes in the order the diff lists them.
  static func routeListing(_ routes: [Route], family: AddressFamily) -> [Route] {
    routes.filter { $0.family == family }.sorted { $0.key < $1.key }
  }

  /// A rule as its line reads: `PRIORITY: SELECTOR ACTION [proto N]`.
  static func ruleLine(_ rule: Rule, names: RoutingTableNames) -> String {
    "\(rule.priority): \(RuleText.selectorAndAction(rule, names: names))"
      + (rule.protocolNumber.map { " proto \($0)" } ?? "")
  }
}
