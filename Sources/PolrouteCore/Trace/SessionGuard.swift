/// `apply`'s guard against cutting the session it runs over: the replies of a connection (the SSH session, or a flow
/// given with `--keep`) traced on the host now and after the plan. A connection whose replies would leave another way,
/// or not at all, is cut; the verdict says which rule or route does it.
public enum SessionGuard {
  /// What the plan does to one connection's replies.
  public struct Verdict: Hashable, Sendable {
    /// The replies' flow.
    public var flow: Flow
    /// Their path now.
    public var before: FlowTrace
    /// Their path after the plan.
    public var after: FlowTrace
    /// Whether the plan cuts the connection: its replies leave now and would leave another way, or not at all.
    public var isCut: Bool

    /// Why the connection is cut (or kept), naming the rule and route after the plan, in one paragraph.
    public func explanation(names: RoutingTableNames) -> String {
      let flowText = "replies to \(flow.destination)" + (flow.source.map { " from \($0)" } ?? "")
      guard isCut else {
        if before.outcome.rejection != nil {
          return "\(flowText) cannot leave now either (\(before.outcome.summary(names: names))): nothing to keep"
        }
        return "\(flowText) keep their path: \(after.outcome.summary(names: names))"
      }
      let now = before.outcome.summary(names: names)
      switch after.outcome {
      case .rejected(let rejection):
        return "\(flowText) leave \(now) now; after the plan \(rejection.summary(names: names))"
      case .egress(let egress):
        let rule = after.decidingRule.map { "rule \($0.priority) (\(RuleText.selectorAndAction($0, names: names)))" }
        let route = RouteText.words(egress.route, tables: .name(names)).joined(separator: " ")
        return "\(flowText) leave \(now) now; after the plan \(rule ?? "the rules") would send them by route "
          + "'\(route)': \(after.outcome.summary(names: names))"
      }
    }
  }

  /// Traces the replies of `flow` on the host now and after the plan.
  public static func check(_ flow: Flow, before: HostState, after: HostState) -> Verdict {
    let now = FlowSimulator(state: before, steps: .matched).trace(flow)
    let later = FlowSimulator(state: after, steps: .matched).trace(flow)
    // A connection whose replies cannot leave now is not one this host is running over.
    let cut = now.outcome.egress != nil && !later.outcome.sameWay(as: now.outcome)
    return Verdict(flow: flow, before: now, after: later, isCut: cut)
  }
}
