import TestSupport
import Testing

@testable import PolrouteCore

@Suite("Kernel plan")
struct KernelPlanTests {
  /// A policy with the given rules and no tables.
  func policy(rules: [Rule], routes: [Route] = [], tables: [PolicyTable] = []) -> Policy {
    Policy(tables: tables, uplinks: [], rules: rules, routes: routes, origin: "test")
  }

  @Test("a state that matches the policy gives an empty plan")
  func emptyWhenMatching() throws {
    let rule = Rule(
      family: .inet, priority: 20000, selector: RuleSelector(source: IPPrefix("203.0.113.10")), action: .lookup(100),
      protocolNumber: 177)
    var state = SampleHosts.dualHomed
    state.rules.append(rule)
    #expect(KernelPlan.make(state: state, policy: policy(rules: [rule])).isEmpty)
  }

  @Test(
    "a stale rule at a wanted priority is deleted before the new one is added, so the kernel's duplicate check cannot refuse it"
  )
  func samePriorityDeleteFirst() throws {
    // The kernel treats these as the same rule ("File exists"): they differ only in `not`.
    let old = Rule(
      family: .inet, priority: 10000, selector: RuleSelector(invert: true, source: IPPrefix("192.0.2.0/24")),
      action: .goto(20000), protocolNumber: 177)
    let new = Rule(
      family: .inet, priority: 10000, selector: RuleSelector(source: IPPrefix("192.0.2.0/24")), action: .goto(20000),
      protocolNumber: 177)
    let other = Rule(
      family: .inet, priority: 10001, selector: RuleSelector(source: IPPrefix("198.51.100.0/24")), action: .lookup(101),
      protocolNumber: 177)
    let stale = Rule(
      family: .inet, priority: 10002, selector: RuleSelector(source: IPPrefix("100.64.0.0/10")), action: .lookup(101),
      protocolNumber: 177)
    var state = SampleHosts.dualHomed
    state.rules += [old, stale]
    let plan = KernelPlan.make(state: state, policy: policy(rules: [new, other]))
    #expect(plan.changes == [.deleteRule(old), .addRule(new), .addRule(other), .deleteRule(stale)])
  }

  @Test("routes are added without gateways first, replaced, and deleted last; foreign routes are never touched")
  func routeOrder() throws {
    let table = PolicyTable(number: 100, name: "data", device: "data")
    let link = Route(
      table: 100, destination: IPPrefix("203.0.113.0/24")!, device: "data", protocolNumber: 177, scope: RouteScope.link)
    let viaOld = Route(
      table: 100, destination: IPPrefix("0.0.0.0/0")!, gateway: IPAddress("203.0.113.1"), device: "data",
      protocolNumber: 177)
    let viaNew = Route(
      table: 100, destination: IPPrefix("0.0.0.0/0")!, gateway: IPAddress("203.0.113.254"), device: "data",
      protocolNumber: 177)
    let stale = Route(
      table: 100, destination: IPPrefix("192.0.2.0/25")!, gateway: IPAddress("203.0.113.1"), device: "data",
      protocolNumber: 177)
    let elsewhere = Route(
      table: 300, destination: IPPrefix("192.0.2.128/25")!, gateway: IPAddress("203.0.113.1"), device: "data",
      protocolNumber: 177)
    let foreign = Route(
      table: 400, destination: IPPrefix("192.0.2.0/24")!, gateway: IPAddress("203.0.113.1"), device: "data")
    var state = SampleHosts.dualHomed
    state.routes += [viaOld, stale, elsewhere, foreign]
    let plan = KernelPlan.make(state: state, policy: policy(rules: [], routes: [viaNew, link], tables: [table]))
    #expect(
      plan.changes == [
        .addRoute(link), .replaceRoute(old: viaOld, new: viaNew), .deleteRoute(stale), .deleteRoute(elsewhere),
      ])
    #expect(
      plan.changes.map(\.batchLine) == [
        "route replace 203.0.113.0/24 dev data proto 177 scope link table 100",
        "route replace default via 203.0.113.254 dev data proto 177 table 100",
        "route del 192.0.2.0/25 dev data table 100",
        "route del 192.0.2.128/25 dev data table 300",
      ])
  }

  @Test("routes `ip route append` made with one key are each deleted once, whether the key is wanted or not")
  func appendedDuplicatesDeletedOnce() throws {
    let table = PolicyTable(number: 100, name: "data", device: "data")
    func route(_ destination: String, via gateway: String) -> Route {
      Route(
        table: 100, destination: IPPrefix(destination)!, gateway: IPAddress(gateway), device: "data",
        protocolNumber: 177)
    }
    let wanted = route("0.0.0.0/0", via: "203.0.113.1")
    let appendedToWanted = route("0.0.0.0/0", via: "203.0.113.2")
    let unwanted = route("192.0.2.0/25", via: "203.0.113.1")
    let appendedToUnwanted = route("192.0.2.0/25", via: "203.0.113.2")
    var state = SampleHosts.dualHomed
    state.routes += [wanted, unwanted, appendedToWanted, appendedToUnwanted]
    let plan = KernelPlan.make(state: state, policy: policy(rules: [], routes: [wanted], tables: [table]))
    #expect(plan.changes == [.deleteRoute(unwanted), .deleteRoute(appendedToWanted), .deleteRoute(appendedToUnwanted)])
  }
}

/// One ownership: what the plan, its text, the rollback and the script's sweep treat as polroute's.
@Suite("ownership")
struct OwnershipTests {
  static func route(table: UInt32, protocolNumber: UInt8) -> Route {
    Route(
      table: table, destination: IPPrefix("192.0.2.0/25")!, gateway: IPAddress("203.0.113.1"), device: "data",
      protocolNumber: protocolNumber)
  }

  @Test("every route of an owned table; marked routes anywhere but main, local and default; marked rules only")
  func ownsWhatItMarkedOutsideTheReservedTables() {
    let ownership = Ownership(tables: [100])
    #expect(ownership.owns(Self.route(table: 100, protocolNumber: RouteProtocol.boot)))
    #expect(ownership.owns(Self.route(table: 140, protocolNumber: 177)))
    #expect(!ownership.owns(Self.route(table: 140, protocolNumber: RouteProtocol.boot)))
    for reserved in [RoutingTable.main, RoutingTable.local, RoutingTable.defaultTable] {
      #expect(!ownership.owns(Self.route(table: reserved, protocolNumber: 177)))
    }
    #expect(ownership.owns(Rule(family: .inet, priority: 9, action: .lookup(300), protocolNumber: 177)))
    #expect(!ownership.owns(Rule(family: .inet, priority: 9, action: .lookup(100))))
  }

  @Test("the plan deletes a marked route left in a table it no longer owns, but not one in table default")
  func planFollowsOwnership() {
    var state = SampleHosts.dualHomed
    let stale = Self.route(table: 140, protocolNumber: 177)
    let inDefault = Self.route(table: RoutingTable.defaultTable, protocolNumber: 177)
    state.routes += [stale, inDefault]
    let policy = Policy(tables: [], uplinks: [], rules: [], routes: [], origin: "test")
    let plan = KernelPlan.make(state: state, policy: policy)
    #expect(plan.changes == [.deleteRoute(stale)])
    let text = KernelText.diff(plan, state: state, names: state.names)
    #expect(text.contains("-192.0.2.0/25 via 203.0.113.1 dev data proto 177 table 140"))
    #expect(!text.contains("table default"))
  }

  @Test("a plan of some parts (rules or routes, by family) makes exactly the whole plan's changes to those parts")
  func planOfParts() {
    var random = SeededGenerator(seed: 17)
    func family() -> AddressFamily { Bool.random(using: &random) ? .inet : .inet6 }
    func rule() -> Rule {
      Rule(
        family: family(), priority: UInt32.random(in: 1000...1004, using: &random),
        selector: RuleSelector(fwmark: UInt32.random(in: 1...2, using: &random)),
        action: .lookup(UInt32.random(in: 100...101, using: &random)), protocolNumber: 177)
    }
    func route() -> Route {
      let inet = family() == .inet
      let destinations = inet ? ["192.0.2.0/25", "192.0.2.128/25", "0.0.0.0/0"] : ["2001:db8::/64", "::/0"]
      let gateways = inet ? ["203.0.113.1", "203.0.113.254"] : ["2001:db8:1::1", "2001:db8:1::2"]
      return Route(
        table: UInt32.random(in: 100...101, using: &random),
        destination: IPPrefix(destinations.randomElement(using: &random)!)!,
        gateway: IPAddress(gateways.randomElement(using: &random)!), device: "data", protocolNumber: 177)
    }
    let tables = [PolicyTable(number: 100, name: "a"), PolicyTable(number: 101, name: "b")]
    let families = [Set<AddressFamily>(), [.inet], [.inet6], [.inet, .inet6]]
    var partial = 0
    for _ in 0..<200 {
      var state = SampleHosts.dualHomed
      state.rules += (0..<Int.random(in: 0...8, using: &random)).map { _ in rule() }
      state.routes += (0..<Int.random(in: 0...8, using: &random)).map { _ in route() }
      // A policy holds one route per key.
      let routes = Dictionary(
        (0..<8).map { _ in route() }.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
      let wanted = Policy(
        tables: tables, uplinks: [], rules: (0..<Int.random(in: 0...8, using: &random)).map { _ in rule() },
        routes: Array(routes.values), origin: "test")
      let whole = KernelPlan.make(state: state, policy: wanted)
      for ruleFamilies in families {
        for routeFamilies in families {
          let parts = KernelParts(ruleFamilies: ruleFamilies, routeFamilies: routeFamilies)
          let changes = KernelPlan.make(state: state, policy: wanted, parts: parts).changes
          #expect(changes == whole.changes.filter(parts.contains), "parts \(parts)")
          if !changes.isEmpty && changes != whole.changes { partial += 1 }
        }
      }
      // The parts an apply reads back and verifies hold every change it made.
      let touched = KernelParts(touchedBy: whole.changes)
      #expect(KernelPlan.make(state: state, policy: wanted, parts: touched).changes == whole.changes)
    }
    // The cases compared some parts of plans that had changes in others.
    #expect(partial > 100)
  }

  @Test("rules are compared side by side in key order, as by key lookups: several at one priority, any order")
  func ruleDiffMatchesLookups() {
    var random = SeededGenerator(seed: 15)
    // Few priorities and selectors, so that keys repeat and rules at one key differ or agree.
    func rule() -> Rule {
      Rule(
        family: Bool.random(using: &random) ? .inet : .inet6, priority: UInt32.random(in: 1000...1005, using: &random),
        selector: RuleSelector(fwmark: UInt32.random(in: 1...3, using: &random)),
        action: .lookup(UInt32.random(in: 100...101, using: &random)), protocolNumber: 177)
    }
    for _ in 0..<500 {
      let present = (0..<Int.random(in: 0...12, using: &random)).map { _ in rule() }
      let wanted = (0..<Int.random(in: 0...12, using: &random)).map { _ in rule() }
      let installed = Set((0..<3).map { _ in rule() })
      let diff = RuleDiff(present: present, wanted: wanted) { installed.contains($0) }
      // What the plan computed before: the present rules grouped by key, the first wanted rule of each key.
      let presentByKey = Dictionary(grouping: present, by: \.key)
      let wantedByKey = Dictionary(wanted.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
      let added = wanted.filter { !(presentByKey[$0.key]?.contains($0) ?? false) && !installed.contains($0) }
      let stale = present.filter { wantedByKey[$0.key] != $0 }
      #expect(diff.added == added, "present \(present), wanted \(wanted)")
      #expect(diff.stale == stale, "present \(present), wanted \(wanted)")
    }
  }

  @Test(
    "the diff's planned side makes a plan's changes as one by one: deletions of repeated objects, replacements of absent routes"
  )
  func plannedSideMatchesOneByOne() {
    var random = SeededGenerator(seed: 16)
    func rule() -> Rule {
      Rule(
        family: .inet, priority: UInt32.random(in: 1000...1003, using: &random), selector: RuleSelector(),
        action: .lookup(100), protocolNumber: 177)
    }
    func randomRoute() -> Route { Self.route(table: UInt32.random(in: 100...104, using: &random), protocolNumber: 177) }
    // A table holds a route once; the routes a plan puts in are new ones.
    var tables: UInt32 = 1000
    func newRoute() -> Route {
      tables += 1
      return Self.route(table: tables, protocolNumber: 177)
    }
    for _ in 0..<300 {
      let rules = (0..<Int.random(in: 0...8, using: &random)).map { _ in rule() }
      let routes = Array(Set((0..<Int.random(in: 0...8, using: &random)).map { _ in randomRoute() }))
      // As a plan makes them: each present object deleted or replaced once at most (a list may hold a rule twice),
      // additions new, and a replacement of a route that is not there.
      var changes: [KernelChange] = []
      for rule in rules.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random)) {
        changes.append(.deleteRule(rule))
      }
      for route in routes.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random)) {
        changes.append(Bool.random(using: &random) ? .deleteRoute(route) : .replaceRoute(old: route, new: newRoute()))
      }
      changes += [.addRule(rule()), .addRoute(newRoute())].prefix(Int.random(in: 0...2, using: &random))
      let absent = randomRoute()
      if !routes.contains(absent) { changes.append(.replaceRoute(old: absent, new: newRoute())) }
      changes.shuffle(using: &random)
      // The changes made one at a time, each searching the list.
      var oneByOneRules = rules
      var oneByOneRoutes = routes
      var replacedAbsent: [Route] = []
      for change in changes {
        switch change {
        case .addRule(let rule): oneByOneRules.append(rule)
        case .deleteRule(let rule):
          if let index = oneByOneRules.firstIndex(of: rule) { oneByOneRules.remove(at: index) }
        case .addRoute(let route): oneByOneRoutes.append(route)
        case .deleteRoute(let route):
          if let index = oneByOneRoutes.firstIndex(of: route) { oneByOneRoutes.remove(at: index) }
        case .replaceRoute(let old, let new):
          if let index = oneByOneRoutes.firstIndex(of: old) {
            oneByOneRoutes[index] = new
          } else {
            replacedAbsent.append(new)
          }
        }
      }
      let (plannedRules, plannedRoutes) = KernelText.applying(changes, rules: rules, routes: routes)
      #expect(plannedRules.sorted { "\($0)" < "\($1)" } == oneByOneRules.sorted { "\($0)" < "\($1)" }, "\(changes)")
      #expect(
        (plannedRoutes).sorted { "\($0)" < "\($1)" } == (oneByOneRoutes + replacedAbsent).sorted { "\($0)" < "\($1)" },
        "\(rules) \(routes) \(changes)")
    }
  }
}
