/// The kernel objects polroute owns, as lines people read (`ip rule show` and `ip route show` style), so a plan can
/// show them as a unified diff of "now" against "planned".
public enum KernelText {
  /// One diffable listing: a name and its lines.
  public struct Listing: Hashable, Sendable {
    /// `ip -4 rule`, `ip -6 route`, ...
    public var name: String
    /// The lines, in kernel order.
    public var lines: [String]
  }

  /// The owned rules and routes of a state (what a plan compares), by family.
  public static func current(_ state: HostState, policy: Policy) -> [Listing] {
    let owned = policy.ownedTables
    let rules = state.rules.filter { $0.protocolNumber == RouteProtocol.polroute }
    let routes = state.routes.filter {
      owned.contains($0.table) || ($0.protocolNumber == RouteProtocol.polroute && $0.table != RoutingTable.main)
    }
    // A route that matches the policy's is shown as the policy writes it: what the kernel adds on its own (the
    // loopback device of IPv6 reject routes) is no change.
    var wanted: [RouteKey: Route] = [:]
    for route in policy.routes where wanted[route.key] == nil { wanted[route.key] = route }
    let shown = routes.map { route in wanted[route.key].flatMap { route.matches($0) ? $0 : nil } ?? route }
    return listings(rules: rules, routes: shown, names: names(state: state, policy: policy))
  }

  /// The policy's rules and routes.
  public static func planned(_ policy: Policy, state: HostState) -> [Listing] {
    listings(rules: policy.rules, routes: policy.routes, names: names(state: state, policy: policy))
  }

  /// Unified diffs of every listing that changes.
  public static func diff(current: [Listing], planned: [Listing]) -> String {
    zip(current, planned).map { now, next in
      UnifiedDiff.make(old: now.lines, new: next.lines, oldName: "\(now.name) (now)", newName: "\(next.name) (planned)")
    }.joined()
  }

  /// Table names: the policy's own, then the host's.
  static func names(state: HostState, policy: Policy) -> RoutingTableNames {
    RoutingTableNames(state.tableNames + policy.tableNames.entries)
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
