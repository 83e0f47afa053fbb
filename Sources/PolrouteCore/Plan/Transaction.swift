/// The pure half of `polroute apply`'s transaction: the order to make changes in, how to restore a snapshot, and
/// how to verify and probe the result.
public enum Transaction {
  /// The changes in the order the kernel makes them fastest: rule additions by descending priority, each in the
  /// place of one of them; everything else as planned. The kernel walks its rule list from the front to find where
  /// a new rule goes, so adding 10,000 rules in ascending order costs a walk past all the earlier ones each time
  /// (1.1 s of kernel time, against 0.55 s in descending order).
  public static func kernelOrder(_ changes: [KernelChange]) -> [KernelChange] {
    kernelOrderIndices(changes).map { changes[$0] }
  }

  /// `kernelOrder` as the indexes of the changes, so that what goes with each change (its batch line) can follow.
  public static func kernelOrderIndices(_ changes: [KernelChange]) -> [Int] {
    var slots: [Int] = []
    var additions: [(index: Int, priority: UInt32)] = []
    for (index, change) in changes.enumerated() {
      guard case .addRule(let rule) = change else { continue }
      slots.append(index)
      additions.append((index, rule.priority))
    }
    var order = Array(changes.indices)
    // A stable sort keeps rules of the same priority (one per family) in the planned order.
    let descending = additions.enumerated().sorted {
      ($0.element.priority, $1.offset) > ($1.element.priority, $0.offset)
    }
    for (slot, entry) in zip(slots, descending) { order[slot] = entry.element.index }
    return order
  }

  /// The changes that put the owned objects back as they were in `snapshot`, given the state now: what `ownership`
  /// covers (polroute's rules, and every route of the tables the apply touched).
  public static func restore(snapshot: HostState, current: HostState, ownership: Ownership) -> [KernelChange] {
    let wantedRules = Set(ownership.rules(of: snapshot))
    let presentRules = Set(ownership.rules(of: current))
    var wantedRoutes: [RouteKey: Route] = [:]
    for route in ownership.routes(of: snapshot) where wantedRoutes[route.key] == nil { wantedRoutes[route.key] = route }
    // Routes back first (without gateways first), so restored rules find their tables as they were.
    let ordered = wantedRoutes.values.sorted {
      ($0.hasGateway ? 1 : 0, $0.key) < ($1.hasGateway ? 1 : 0, $1.key)
    }
    let diff = RouteDiff(present: ownership.routes(of: current), wanted: ordered)
    var changes = diff.upserts
    for rule in ownership.rules(of: snapshot) where !presentRules.contains(rule) { changes.append(.addRule(rule)) }
    for rule in ownership.rules(of: current) where !wantedRules.contains(rule) { changes.append(.deleteRule(rule)) }
    changes += diff.stale.map { KernelChange.deleteRoute($0) }
    return changes
  }

  /// What verification found wrong, one line each; empty when the kernel matches the policy (within `scope`, when
  /// the apply converged only some interfaces) in `parts`: those an apply changed and read back.
  public static func verify(
    policy: Policy, state: HostState, scope: InterfaceScope? = nil, parts: KernelParts = .all
  ) -> [String] {
    var problems: [String] = []
    let names = KernelText.names(state: state, policy: policy)
    // What is left to do after the apply is what is wrong with it.
    var left = KernelPlan.make(state: state, policy: policy, parts: parts)
    if let scope { left = scope.restrict(left, state: state, policy: policy) }
    for change in left.changes {
      switch change {
      case .addRule(let rule):
        problems.append("rule missing: \(rule.priority): \(RuleText.selectorAndAction(rule, names: names))")
      case .deleteRule(let rule):
        problems.append("stale rule left: \(rule.priority): \(RuleText.selectorAndAction(rule, names: names))")
      case .addRoute(let route):
        problems.append("route missing: \(RouteText.words(route, tables: .name(names)).joined(separator: " "))")
      case .replaceRoute(let old, _):
        problems.append("route differs: \(RouteText.words(old, tables: .name(names)).joined(separator: " "))")
      case .deleteRoute(let route):
        problems.append("stale route left: \(RouteText.words(route, tables: .name(names)).joined(separator: " "))")
      }
    }
    return problems
  }
}
