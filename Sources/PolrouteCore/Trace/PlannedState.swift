extension KernelPlan {
  /// The host as the kernel would hold it after the plan's changes: the same interfaces and everything polroute does
  /// not own, its rules and routes changed as planned (what `KernelText.applying` does for the plan's text, in one
  /// pass over a state that may hold tens of thousands of routes). Added rules go after the rules already at their
  /// priority, and an IPv6 route added with metric 0 gets the kernel's 1024, as the kernel does them.
  public func state(after state: HostState) -> HostState {
    func stored(_ route: Route) -> Route {
      var route = route
      if route.family == .inet6 && route.metric == 0 { route.metric = 1024 }
      return route
    }
    var deletedRules: [Rule: Int] = [:]
    var addedRules: [Rule] = []
    var deletedRoutes: [Route: Int] = [:]
    var replacedRoutes: [Route: Route] = [:]
    var addedRoutes: [Route] = []
    for change in changes {
      switch change {
      case .addRule(let rule): addedRules.append(rule)
      case .deleteRule(let rule): deletedRules[rule, default: 0] += 1
      case .addRoute(let route): addedRoutes.append(stored(route))
      case .deleteRoute(let route): deletedRoutes[route, default: 0] += 1
      case .replaceRoute(let old, let new): replacedRoutes[old] = stored(new)
      }
    }
    var after = state
    after.rules =
      state.rules.filter { rule in
        guard let count = deletedRules[rule], count > 0 else { return true }
        deletedRules[rule] = count - 1
        return false
      } + addedRules
    var routes: [Route] = []
    routes.reserveCapacity(state.routes.count + addedRoutes.count)
    for route in state.routes {
      if let count = deletedRoutes[route], count > 0 {
        deletedRoutes[route] = count - 1
      } else if let new = replacedRoutes.removeValue(forKey: route) {
        routes.append(new)
      } else {
        routes.append(route)
      }
    }
    // A replacement whose old route is gone is an addition, as `ip route replace` makes it.
    after.routes = routes + addedRoutes + replacedRoutes.values.sorted { $0.key < $1.key }
    return after
  }
}
