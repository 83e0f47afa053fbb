extension KernelPlan {
  /// The host as the kernel would hold it after the plan's changes: the same interfaces and everything polroute does
  /// not own, its rules and routes changed as planned. Added rules go after the rules already at their priority, and
  /// an IPv6 route added with metric 0 gets the kernel's 1024, as the kernel does them.
  public func state(after state: HostState) -> HostState {
    func stored(_ route: Route) -> Route {
      var route = route
      if route.family == .inet6 && route.metric == 0 { route.metric = 1024 }
      return route
    }
    let changes = self.changes.map { change -> KernelChange in
      switch change {
      case .addRoute(let route): return .addRoute(stored(route))
      case .replaceRoute(let old, let new): return .replaceRoute(old: old, new: stored(new))
      default: return change
      }
    }
    var after = state
    (after.rules, after.routes) = KernelText.applying(changes, rules: state.rules, routes: state.routes)
    return after
  }
}
