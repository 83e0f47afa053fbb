/// One change to the kernel's rules or routes.
public enum KernelChange: Hashable, Sendable {
  /// Add a route (sent as `replace`, which is idempotent).
  case addRoute(Route)
  /// Change a route in place; `old` is what the kernel has now.
  case replaceRoute(old: Route, new: Route)
  /// Delete a route.
  case deleteRoute(Route)
  /// Add a rule.
  case addRule(Rule)
  /// Delete a rule.
  case deleteRule(Rule)

  /// The family the change is made in.
  public var family: AddressFamily {
    switch self {
    case .addRoute(let route), .replaceRoute(_, let route), .deleteRoute(let route): return route.family
    case .addRule(let rule), .deleteRule(let rule): return rule.family
    }
  }

  /// What a change does to its object.
  public enum Action: String, Hashable, Sendable {
    /// The object is added.
    case add
    /// The object is changed in place.
    case replace
    /// The object is removed.
    case delete
  }

  /// What the change does.
  public var action: Action {
    switch self {
    case .addRoute, .addRule: return .add
    case .replaceRoute: return .replace
    case .deleteRoute, .deleteRule: return .delete
    }
  }

  /// Whether the change is to a rule (else to a route).
  public var isRule: Bool {
    switch self {
    case .addRule, .deleteRule: return true
    default: return false
    }
  }

  /// The `ip -batch` line for the change (without the family option, which the batch carries).
  public var batchLine: String {
    switch self {
    case .addRoute(let route), .replaceRoute(_, let route):
      return "route replace " + batchWords(RouteText.words(route))
    case .deleteRoute(let route):
      return "route del " + batchWords(RouteText.deleteWords(route))
    case .addRule(let rule):
      return "rule add " + batchWords(RuleText.addWords(rule))
    case .deleteRule(let rule):
      return "rule del " + batchWords(RuleText.addWords(rule))
    }
  }

}

/// How many changes add, replace and delete objects.
public struct ChangeCounts: Hashable, Sendable {
  /// Additions.
  public var add = 0
  /// Replacements.
  public var replace = 0
  /// Deletions.
  public var delete = 0

  /// Counts changes.
  public init(_ changes: [KernelChange]) {
    for change in changes {
      switch change.action {
      case .add: add += 1
      case .replace: replace += 1
      case .delete: delete += 1
      }
    }
  }
}

/// Quotes words for `ip -batch`, which splits lines on spaces and understands double quotes.
func batchWords(_ words: [String]) -> String {
  words.map { DoubleQuoting.quote($0) { $0 == " " || $0 == "\t" || $0 == "#" || $0 == "'" } }.joined(separator: " ")
}

/// The ordered kernel changes that turn a host's state into a policy, touching only what polroute owns: the tables
/// the policy declares, and rules and routes marked with polroute's protocol. Empty when the host already matches.
public struct KernelPlan: Hashable, Sendable {
  /// The changes, in the order they must be made: routes before the rules that use them, additions before
  /// deletions, so nothing that is wanted is ever missing.
  public var changes: [KernelChange]
  /// What the plan was made to own: the objects its "now" side lists.
  public var ownership: Ownership

  /// Wraps changes.
  public init(changes: [KernelChange], ownership: Ownership) {
    self.changes = changes
    self.ownership = ownership
  }

  /// Whether there is nothing to do.
  public var isEmpty: Bool { changes.isEmpty }

  /// Counts of additions, replacements and deletions.
  public var summary: ChangeCounts { ChangeCounts(changes) }

  /// The tables whose routes the plan touches: with the policy's own, what a transaction must snapshot.
  public var touchedTables: Set<UInt32> {
    Set(
      changes.compactMap { change -> UInt32? in
        switch change {
        case .addRoute(let route), .replaceRoute(_, let route), .deleteRoute(let route): return route.table
        default: return nil
        }
      })
  }

  /// Computes the plan; with `parts`, only the changes to those parts (the same as the whole plan's changes to them:
  /// rules and routes are matched by keys that hold their family).
  public static func make(state: HostState, policy: Policy, parts: KernelParts = .all) -> KernelPlan {
    let ownership = Ownership(policy)
    func only<T>(_ objects: [T], _ families: Set<AddressFamily>, _ family: (T) -> AddressFamily) -> [T] {
      families.count == AddressFamily.allCases.count ? objects : objects.filter { families.contains(family($0)) }
    }
    // A route a network manager installed from polroute's files (with its own protocol) is the wanted one.
    let routes = RouteDiff(
      present: only(ownership.routes(of: state), parts.routeFamilies, \.family),
      wanted: only(policy.routesInAddOrder, parts.routeFamilies, \.family)
    ) { present, wanted in
      present.matches(wanted) || Ownership.isInstalledCopy(present, of: wanted)
    }
    let adds = routes.upserts.filter { $0.action == .add }
    let replaces = routes.upserts.filter { $0.action == .replace }
    // Routes `ip route append` added beside the first of their key go whatever the policy wants: it holds one.
    let routeDeletes = (routes.stale + routes.duplicates).map { KernelChange.deleteRoute($0) }

    // Rules: polroute's marked rules against the policy's, matched by family and priority, then compared whole.
    // A rule a network manager installed from polroute's files is there, though not marked (see Ownership).
    var rules = RuleDiff()
    if !parts.ruleFamilies.isEmpty {
      let installedByKey = Dictionary(
        grouping: state.rules.filter { $0.protocolNumber.map(Ownership.managerRuleProtocols.contains) ?? false },
        by: \.key)
      rules = RuleDiff(
        present: only(ownership.rules(of: state), parts.ruleFamilies, \.family),
        wanted: only(policy.rules, parts.ruleFamilies, \.family)
      ) { wanted in
        installedByKey[wanted.key]?.contains { Ownership.isInstalledCopy($0, of: wanted) } ?? false
      }
    }
    let added = rules.added
    let stale = rules.stale
    // A stale rule at the priority of a rule being added goes first: the kernel's duplicate check ignores some
    // attributes (`not`, the goto target, selectors the new rule lacks) and would refuse the addition with
    // "File exists". That rule is not the wanted one, so removing it first loses nothing that is right.
    let addedKeys = Set(added.map(\.key))
    let blocking = stale.filter { addedKeys.contains($0.key) }.map { KernelChange.deleteRule($0) }
    let ruleAdds = added.map { KernelChange.addRule($0) }
    let ruleDeletes = stale.filter { !addedKeys.contains($0.key) }.map { KernelChange.deleteRule($0) }
    return KernelPlan(
      changes: adds + replaces + blocking + ruleAdds + ruleDeletes + routeDeletes, ownership: ownership)
  }
}

/// Rules matched by key (family and priority) and then compared whole: which wanted rules the kernel lacks, and
/// which present rules are not the wanted rule of their key. Both lists are walked in key order, side by side: for
/// thousands of rules that is cheaper than hashing each several times (measured: 12 ms of a 15,000-rule plan).
struct RuleDiff {
  /// The wanted rules the kernel does not have, in the wanted order.
  var added: [Rule] = []
  /// The present rules that are not the wanted rule of their key (the first wanted one), in the present order.
  var stale: [Rule] = []

  /// No rules compared.
  init() {}

  /// Compares; `isInstalled` says whether a wanted rule is there as a network manager's copy.
  init(present: [Rule], wanted: [Rule], isInstalled: (Rule) -> Bool) {
    // The keys are taken out once, and the rules read in place through buffers: a rule is some 200 bytes, and reading
    // its key through the array copied it whole (measured: half of a 15,000-rule plan's time).
    let presentKeys = present.map(\.key)
    let wantedKeys = wanted.map(\.key)
    // Stable by key: within a key, the present rules keep the kernel's order and the wanted ones the policy's.
    // Both usually come sorted already, which is checked in one pass.
    func order(_ keys: [RuleKey]) -> [Int] {
      if zip(keys, keys.dropFirst()).allSatisfy({ $0 <= $1 }) { return Array(keys.indices) }
      return keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }
    }
    let presentOrder = order(presentKeys)
    let wantedOrder = order(wantedKeys)
    var isAdded = [Bool](repeating: false, count: wanted.count)
    var isStale = [Bool](repeating: false, count: present.count)
    present.withUnsafeBufferPointer { present in
      wanted.withUnsafeBufferPointer { wanted in
        var p = 0
        var w = 0
        while p < presentOrder.count || w < wantedOrder.count {
          let key: RuleKey
          switch (p < presentOrder.count, w < wantedOrder.count) {
          case (true, true): key = min(presentKeys[presentOrder[p]], wantedKeys[wantedOrder[w]])
          case (true, false): key = presentKeys[presentOrder[p]]
          default: key = wantedKeys[wantedOrder[w]]
          }
          let presentStart = p
          while p < presentOrder.count && presentKeys[presentOrder[p]] == key { p += 1 }
          let wantedStart = w
          while w < wantedOrder.count && wantedKeys[wantedOrder[w]] == key { w += 1 }
          let here = presentOrder[presentStart..<p]
          if wantedStart < w {
            let first = wantedOrder[wantedStart]
            for index in here where present[index] != wanted[first] { isStale[index] = true }
          } else {
            for index in here { isStale[index] = true }
          }
          for index in wantedOrder[wantedStart..<w] {
            if !here.contains(where: { present[$0] == wanted[index] }) && !isInstalled(wanted[index]) {
              isAdded[index] = true
            }
          }
        }
      }
    }
    added = wanted.indices.filter { isAdded[$0] }.map { wanted[$0] }
    stale = present.indices.filter { isStale[$0] }.map { present[$0] }
  }
}

/// Routes compared by key (the kernel's identity of a route) and then whole: what to add or replace to reach the
/// wanted routes, and which present routes nothing wanted has. Serves both the plan and the rollback of an apply.
struct RouteDiff {
  /// Additions and replacements, in the order of the wanted routes.
  var upserts: [KernelChange] = []
  /// Present routes whose key no wanted route has, in key order.
  var stale: [Route] = []
  /// Present routes after the first of their key (`ip route append` makes them), in their order.
  var duplicates: [Route] = []

  /// Compares; `wanted` holds one route per key. `matches` says whether a present route is the wanted one of its
  /// key (exactly, by default).
  init(present: [Route], wanted: [Route], matches: (Route, Route) -> Bool = { $0.matches($1) }) {
    var current: [RouteKey: Route] = [:]
    current.reserveCapacity(present.count)
    for route in present {
      if current[route.key] != nil { duplicates.append(route) } else { current[route.key] = route }
    }
    for route in wanted {
      // Taken out as matched: what is left is what nothing wants (one hash per route, not three).
      if let existing = current.removeValue(forKey: route.key) {
        if !matches(existing, route) { upserts.append(.replaceRoute(old: existing, new: route)) }
      } else {
        upserts.append(.addRoute(route))
      }
    }
    stale = current.values.sorted { $0.key < $1.key }
  }
}

extension Route {
  /// Flags the kernel sets on its own, which a wanted route never carries.
  static let kernelFlags: Set<String> = [
    "linkdown", "dead", "offload", "trap", "pervasive", "notify", "rt_offload", "rt_trap",
  ]

  /// Whether the kernel's route is the wanted one: the same in everything a route add sets, ignoring what the
  /// kernel adds on its own (link state flags, expiry).
  public func matches(_ wanted: Route) -> Bool {
    func setFlags(_ flags: [String]) -> Set<String> { Set(flags).subtracting(Route.kernelFlags) }
    // Most routes have no flags and no next hops: skip building sets for them (plans compare thousands).
    func sameFlags(_ mine: [String], _ theirs: [String]) -> Bool {
      (mine.isEmpty && theirs.isEmpty) || setFlags(mine) == setFlags(theirs)
    }
    // The next hops as a set: the kernel keeps them in the order given, but another tool (or an IPv6 route whose
    // siblings were added one by one) may list the same hops in another order, which is the same route.
    func sameHops(_ mine: [Nexthop], _ theirs: [Nexthop]) -> Bool {
      mine.count == theirs.count && Set(mine) == Set(theirs)
    }
    func hops(_ route: Route) -> [Nexthop] {
      route.nexthops.map {
        Nexthop(gateway: $0.gateway, device: $0.device, weight: $0.weight, flags: Array(setFlags($0.flags)))
      }
    }
    // IPv6 routes carry no scope the user can set: the kernel reports them all as global.
    let scopeMatches = family == .inet6 || scope == wanted.scope
    // The kernel gives IPv6 blackhole, unreachable, prohibit and throw routes the loopback device.
    let deviceMatches =
      device == wanted.device || (family == .inet6 && type.isReject && device == "lo" && wanted.device == nil)
    return type == wanted.type && destination == wanted.destination && gateway == wanted.gateway && deviceMatches
      && protocolNumber == wanted.protocolNumber && scopeMatches && metric == wanted.metric
      && preferredSource == wanted.preferredSource && realm == wanted.realm && sameFlags(flags, wanted.flags)
      && ((nexthops.isEmpty && wanted.nexthops.isEmpty) || sameHops(hops(self), hops(wanted)))
  }
}
