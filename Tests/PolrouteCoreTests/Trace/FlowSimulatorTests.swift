import PolrouteCore
import TestSupport
import Testing

/// The flow simulator, case by case: each kernel behaviour it models, on small states built in code. The
/// differential test (Tests/LiveTests/TraceDifferentialLiveTests.swift) checks the same against the real kernel on
/// random hosts; these say which behaviour broke when one breaks.
@Suite("flow simulator")
struct FlowSimulatorTests {
  static func address(_ text: String) -> IPAddress { IPAddress(text)! }
  static func prefix(_ text: String) -> IPPrefix { IPPrefix(text)! }

  /// The dual-homed sample host with extra routes and rules.
  static func host(routes: [Route] = [], rules: [Rule] = []) -> HostState {
    var state = SampleHosts.dualHomed
    state.routes += routes
    state.rules = (state.rules + rules).sorted { ($0.family, $0.priority) < ($1.family, $1.priority) }
    return state
  }

  /// A rule looking up a table.
  static func lookup(_ priority: UInt32, _ table: UInt32, _ selector: RuleSelector = .all, suppress: Int? = nil)
    -> Rule
  {
    Rule(family: .inet, priority: priority, selector: selector, suppressPrefixLength: suppress, action: .lookup(table))
  }

  /// A unicast route in a table.
  static func route(
    _ destination: String, via gateway: String?, dev device: String, table: UInt32 = 100,
    metric: UInt32 = 0, type: RouteType = .unicast
  ) -> Route {
    Route(
      table: table, type: type, destination: prefix(destination), gateway: gateway.map(address), device: device,
      metric: metric)
  }

  /// A rejecting route.
  static func reject(_ type: RouteType, _ destination: String, table: UInt32 = 100, metric: UInt32 = 0) -> Route {
    Route(table: table, type: type, destination: prefix(destination), metric: metric)
  }

  /// Traces a locally sent flow.
  static func trace(_ state: HostState, to destination: String, from source: String? = nil) -> FlowTrace {
    FlowSimulator(state: state).trace(Flow(source: source.map(address), destination: address(destination)))
  }

  // MARK: Rules

  @Test("without policy routing, a reply from the data address leaves by main's default through mgmt")
  func mainDefault() throws {
    let trace = Self.trace(Self.host(), to: "198.18.0.1", from: "203.0.113.10")
    let egress = try #require(trace.outcome.egress)
    #expect(egress.device == "mgmt")
    #expect(egress.gateway == Self.address("198.51.100.1"))
    #expect(egress.table == RoutingTable.main)
    #expect(egress.rulePriority == 32766)
    #expect(egress.source == Self.address("203.0.113.10"))
    #expect(trace.steps.map(\.rule.priority) == [0, 32766])
    #expect(trace.steps[0].verdict == .lookup(table: RoutingTable.local, result: .noRoute, incomplete: false))
  }

  @Test("a static route in main captures replies to its prefix, whatever address they come from")
  func staticRouteCapturesReplies() throws {
    let state = Self.host()
    let egress = try #require(Self.trace(state, to: "192.0.2.200", from: "198.51.100.10").outcome.egress)
    #expect(egress.device == "data")
    #expect(egress.gateway == Self.address("203.0.113.1"))
    // A source rule in front of main keeps them on their uplink.
    let fixed = Self.host(
      routes: [Self.route("0.0.0.0/0", via: "198.51.100.1", dev: "mgmt")],
      rules: [Self.lookup(20000, 100, RuleSelector(source: Self.prefix("198.51.100.10/32")))])
    #expect(Self.trace(fixed, to: "192.0.2.200", from: "198.51.100.10").outcome.egress?.device == "mgmt")
  }

  @Test("a rule that does not match says which selectors did not; a not rule matches when one fails")
  func mismatches() throws {
    let selector = RuleSelector(
      source: Self.prefix("203.0.113.10/32"), destination: Self.prefix("192.0.2.0/25"), ipProtocol: 6,
      destinationPort: NumberRange(2049))
    let state = Self.host(
      routes: [Self.route("0.0.0.0/0", via: "203.0.113.1", dev: "data")], rules: [Self.lookup(100, 100, selector)])
    let trace = Self.trace(state, to: "198.18.0.1", from: "198.51.100.10")
    #expect(trace.steps[1].verdict == .noMatch(mismatched: [.source, .destination, .ipProtocol, .destinationPort]))
    var inverted = selector
    inverted.invert = true
    let notState = Self.host(
      routes: [Self.route("0.0.0.0/0", via: "203.0.113.1", dev: "data")], rules: [Self.lookup(100, 100, inverted)])
    #expect(Self.trace(notState, to: "198.18.0.1", from: "198.51.100.10").outcome.egress?.device == "data")
    let all = Flow(
      source: Self.address("203.0.113.10"), destination: Self.address("192.0.2.5"), ipProtocol: 6,
      destinationPort: 2049)
    let matchedAll = FlowSimulator(state: notState).trace(all)
    #expect(matchedAll.steps[1].verdict == .invertedMatch)
  }

  @Test("listing only the matched rules decides every flow as listing them all does: outcome and deciding rule")
  func matchedStepsDecideAlike() {
    var random = SeededGenerator(seed: 0x5EED_F10E)
    let prefixes = ["192.0.2.0/25", "198.18.0.0/15", "203.0.113.0/24", "198.51.100.10/32", "0.0.0.0/0"].map(Self.prefix)
    let sources = ["198.51.100.10", "203.0.113.10"].map(Self.address)
    let destinations = ["192.0.2.5", "198.18.0.1", "203.0.113.77", "198.51.100.1", "8.8.8.8"].map(Self.address)
    for _ in 0..<40 {
      var rules: [Rule] = []
      for priority in stride(from: UInt32(100), to: 2000, by: 100) {
        var selector = RuleSelector.all
        if Bool.random(using: &random) { selector.source = prefixes.randomElement(using: &random) }
        if Bool.random(using: &random) { selector.destination = prefixes.randomElement(using: &random) }
        if Int.random(in: 0..<4, using: &random) == 0 { selector.destinationPort = NumberRange(2049) }
        if Int.random(in: 0..<4, using: &random) == 0 {
          selector.fwmark = 1
          selector.fwmask = 0xF
        }
        if Int.random(in: 0..<5, using: &random) == 0 { selector.invert = true }
        let actions: [RuleAction] = [
          .lookup(100), .lookup(101), .lookup(RoutingTable.main), .goto(priority + 200), .nop, .unreachable,
        ]
        rules.append(
          Rule(family: .inet, priority: priority, selector: selector, action: actions.randomElement(using: &random)!))
      }
      let state = Self.host(
        routes: [
          Self.route("0.0.0.0/0", via: "203.0.113.1", dev: "data"),
          Self.route("192.0.2.0/25", via: "198.51.100.1", dev: "mgmt", table: 101),
        ], rules: rules)
      let every = FlowSimulator(state: state)
      let matched = FlowSimulator(state: state, steps: .matched)
      for source in sources {
        for destination in destinations {
          for (mark, port) in [(UInt32(0), UInt16?.none), (1, 2049)] {
            let flow = Flow(source: source, destination: destination, mark: mark, ipProtocol: 6, destinationPort: port)
            let full = every.trace(flow)
            let short = matched.trace(flow)
            #expect(short.outcome == full.outcome, "\(flow)")
            #expect(short.decidingRule == full.decidingRule, "\(flow)")
            #expect(short.steps == full.steps.filter { $0.matched }, "\(flow)")
          }
        }
      }
    }
  }

  @Test("goto jumps to the first rule of exactly its priority; to a priority no rule has, it is passed over")
  func gotoRules() throws {
    let table = [Self.route("0.0.0.0/0", via: "203.0.113.1", dev: "data")]
    let jumping = Self.host(
      routes: table,
      rules: [
        Rule(family: .inet, priority: 10, action: .goto(30)),
        Self.lookup(20, 100),
        Rule(family: .inet, priority: 30, action: .nop),
      ])
    let jumped = Self.trace(jumping, to: "198.18.0.1")
    #expect(jumped.steps.map(\.rule.priority) == [0, 10, 30, 32766])
    #expect(jumped.steps[1].verdict == .goto(30))
    #expect(jumped.steps[2].verdict == .nop)
    #expect(jumped.outcome.egress?.device == "mgmt")
    let unresolved = Self.host(
      routes: table, rules: [Rule(family: .inet, priority: 10, action: .goto(25)), Self.lookup(20, 100)])
    let passed = Self.trace(unresolved, to: "198.18.0.1")
    #expect(passed.steps[1].verdict == .unresolvedGoto(25))
    #expect(passed.outcome.egress?.device == "data")
  }

  @Test("blackhole, unreachable and prohibit rules end the walk with EINVAL, ENETUNREACH and EACCES")
  func rejectingRules() {
    for (action, error) in [
      (RuleAction.blackhole, TraceError.invalid), (.unreachable, .networkUnreachable), (.prohibit, .prohibited),
    ] {
      let state = Self.host(rules: [Rule(family: .inet, priority: 10, action: action)])
      let outcome = Self.trace(state, to: "198.18.0.1").outcome
      #expect(outcome.rejection?.error == error)
      #expect(outcome.rejection?.cause == .rule(Rule(family: .inet, priority: 10, action: action)))
    }
  }

  // MARK: Tables

  @Test("the longest prefix wins, then the lowest metric; a route with only dead hops gives way to a shorter one")
  func longestPrefixThenMetric() throws {
    let routes = [
      Self.route("0.0.0.0/0", via: "198.51.100.1", dev: "mgmt"),
      Self.route("100.64.0.0/16", via: "198.51.100.1", dev: "mgmt", metric: 20),
      Self.route("100.64.0.0/16", via: "203.0.113.1", dev: "data", metric: 10),
    ]
    let state = Self.host(routes: routes, rules: [Self.lookup(100, 100)])
    #expect(Self.trace(state, to: "100.64.1.1").outcome.egress?.device == "data")
    var dead = routes
    dead[2].flags = ["dead"]
    dead[1].flags = ["dead"]
    let fallback = Self.host(routes: dead, rules: [Self.lookup(100, 100)])
    let egress = try #require(Self.trace(fallback, to: "100.64.1.1").outcome.egress)
    #expect(egress.route.destination == Self.prefix("0.0.0.0/0"))
  }

  @Test("blackhole, unreachable and prohibit routes end the lookup; throw continues with the next rule")
  func rejectingRoutes() {
    for (type, error) in [
      (RouteType.blackhole, TraceError.invalid), (.unreachable, .hostUnreachable), (.prohibit, .prohibited),
    ] {
      let state = Self.host(routes: [Self.reject(type, "100.64.0.0/10")], rules: [Self.lookup(100, 100)])
      #expect(Self.trace(state, to: "100.64.1.1").outcome.rejection?.error == error)
    }
    let thrown = Self.host(routes: [Self.reject(.throw, "100.64.0.0/10")], rules: [Self.lookup(100, 100)])
    let trace = Self.trace(thrown, to: "100.64.1.1")
    #expect(trace.outcome.egress?.device == "mgmt")
    #expect(
      trace.steps[1].verdict
        == .lookup(table: 100, result: .thrown(Self.reject(.throw, "100.64.0.0/10")), incomplete: false))
  }

  @Test("suppress_prefixlength ignores a route that short, never a rejecting one; suppress_ifgroup one of its group")
  func suppressors() throws {
    // The classic: `lookup main suppress_prefixlength 0` uses main's specific routes but not its default.
    let state = Self.host(
      routes: [Self.route("0.0.0.0/0", via: "203.0.113.1", dev: "data")],
      rules: [Self.lookup(10, RoutingTable.main, suppress: 0), Self.lookup(20, 100)])
    #expect(Self.trace(state, to: "198.18.0.1").outcome.egress?.device == "data")
    #expect(Self.trace(state, to: "192.0.2.200").outcome.egress?.rulePriority == 10)
    let blackholed = Self.host(
      routes: [Self.reject(.blackhole, "0.0.0.0/0", table: 100)], rules: [Self.lookup(10, 100, suppress: 0)])
    #expect(Self.trace(blackholed, to: "198.18.0.1").outcome.rejection?.error == .invalid)
    var grouped = Self.host(
      routes: [Self.route("0.0.0.0/0", via: "203.0.113.1", dev: "data")],
      rules: [
        Rule(family: .inet, priority: 10, suppressInterfaceGroup: "7", action: .lookup(RoutingTable.main)),
        Self.lookup(20, 100),
      ])
    grouped.interfaces[1].group = "7"
    let trace = Self.trace(grouped, to: "198.18.0.1")
    #expect(trace.outcome.egress?.device == "data")
    guard case .lookup(_, .suppressedGroup(_, "7"), _) = trace.steps[1].verdict else {
      Issue.record("rule 10 did not suppress: \(trace.steps[1].verdict)")
      return
    }
  }

  @Test("a multipath route offers every live hop, and the trace says the kernel picks one by a hash")
  func multipath() throws {
    let route = Route(
      table: 100, destination: Self.prefix("0.0.0.0/0"),
      nexthops: [
        Nexthop(gateway: Self.address("198.51.100.1"), device: "mgmt"),
        Nexthop(gateway: Self.address("203.0.113.1"), device: "data"),
        Nexthop(gateway: Self.address("203.0.113.2"), device: "data", flags: ["dead"]),
      ])
    let trace = Self.trace(Self.host(routes: [route], rules: [Self.lookup(100, 100)]), to: "198.18.0.1")
    let egress = try #require(trace.outcome.egress)
    #expect(
      egress.hops == [
        TraceHop(device: "mgmt", gateway: Self.address("198.51.100.1")),
        TraceHop(device: "data", gateway: Self.address("203.0.113.1")),
      ])
    #expect(egress.summary == "one of via 198.51.100.1 dev mgmt | via 203.0.113.1 dev data")
    #expect(trace.notes.contains("multipath: the kernel picks one of 2 next hops by a hash of the flow"))
  }

  // MARK: The local table and sources

  @Test("the local table is rebuilt: own addresses are delivered through lo, the broadcast address on its device")
  func localTable() throws {
    var state = Self.host()
    state.interfaces[1].addresses.append(
      Address(try InterfaceAddress(parsing: "198.51.100.11/24"), flags: [.secondary]))
    let own = try #require(Self.trace(state, to: "203.0.113.10").outcome.egress)
    #expect(own.type == .local)
    #expect(own.device == "lo")
    #expect(own.table == RoutingTable.local)
    #expect(own.source == Self.address("203.0.113.10"))
    // A secondary address's local route has the primary address as its source.
    #expect(Self.trace(state, to: "198.51.100.11").outcome.egress?.source == Self.address("198.51.100.10"))
    let broadcast = try #require(Self.trace(state, to: "198.51.100.255").outcome.egress)
    #expect(broadcast.type == .broadcast)
    #expect(broadcast.device == "mgmt")
    #expect(Self.trace(state, to: "127.0.0.53").outcome.egress?.type == .local)
  }

  @Test("a locally sent packet from an address the host does not have is refused (ENETUNREACH)")
  func sourceNotLocal() {
    let outcome = Self.trace(Self.host(), to: "198.18.0.1", from: "192.0.2.77").outcome
    #expect(outcome.rejection == Rejection(.networkUnreachable, .sourceNotLocal(Self.address("192.0.2.77"))))
  }

  @Test("the source the kernel selects: the route's src, else the device's address in the gateway's prefix")
  func sourceSelection() throws {
    var state = Self.host(
      routes: [
        Self.route("100.64.0.0/16", via: "203.0.113.1", dev: "data"),
        Route(
          table: 100, destination: Self.prefix("100.65.0.0/16"), gateway: Self.address("203.0.113.1"), device: "data",
          preferredSource: Self.address("198.51.100.10")),
      ], rules: [Self.lookup(100, 100)])
    state.interfaces[2].addresses.insert(Address(try InterfaceAddress(parsing: "100.66.0.1/24")), at: 0)
    #expect(Self.trace(state, to: "100.64.0.1").outcome.egress?.source == Self.address("203.0.113.10"))
    #expect(Self.trace(state, to: "100.65.0.1").outcome.egress?.source == Self.address("198.51.100.10"))
  }

  @Test("IPv6: the output device's address wins over a longer match elsewhere; then the longest common prefix")
  func ipv6SourceSelection() throws {
    var state = Self.host()
    state.interfaces[1].addresses += [
      Address(try InterfaceAddress(parsing: "2001:db8:a::10/64")),
      Address(try InterfaceAddress(parsing: "2001:db8:b::10/64")),
    ]
    state.interfaces[2].addresses.append(Address(try InterfaceAddress(parsing: "2001:db8:b:1::10/64")))
    state.routes.append(
      Route(destination: Self.prefix("::/0"), gateway: Self.address("2001:db8:a::1"), device: "mgmt", metric: 1024))
    // Leaving through mgmt, mgmt's addresses come first, however well data's matches; between them, the longer
    // common prefix (b::10 shares 63 bits with b:1::1, a::10 44).
    #expect(Self.trace(state, to: "2001:db8:b:1::1").outcome.egress?.source == Self.address("2001:db8:b::10"))
    #expect(Self.trace(state, to: "2001:db8:a:1::1").outcome.egress?.source == Self.address("2001:db8:a::10"))
  }

  @Test("IPv6: a destination with source-specific routes is looked up in them alone; the default keeps its own")
  func sourceSpecificRoutes() throws {
    var state = Self.host()
    state.interfaces[1].addresses.append(Address(try InterfaceAddress(parsing: "2001:db8:a::10/64")))
    state.interfaces[2].addresses.append(Address(try InterfaceAddress(parsing: "2001:db8:b::10/64")))
    state.routes += [
      Route(destination: Self.prefix("::/0"), gateway: Self.address("2001:db8:a::1"), device: "mgmt", metric: 1024),
      Route(destination: Self.prefix("2001:db8:100::/48"), gateway: Self.address("2001:db8:a::2"), device: "mgmt"),
      Route(
        destination: Self.prefix("2001:db8:100::/48"), source: Self.prefix("2001:db8:b::/64"),
        gateway: Self.address("2001:db8:b::1"), device: "data"),
    ]
    let fromData = Self.trace(state, to: "2001:db8:100::1", from: "2001:db8:b::10").outcome.egress
    #expect(fromData?.gateway == Self.address("2001:db8:b::1"))
    // From elsewhere the /48's own route is not used: the lookup goes on to the default.
    let fromMgmt = Self.trace(state, to: "2001:db8:100::1", from: "2001:db8:a::10").outcome.egress
    #expect(fromMgmt?.gateway == Self.address("2001:db8:a::1"))
  }

  // MARK: Arriving packets

  /// A packet arriving on `device` from `source`.
  static func arriving(_ state: HostState, on device: String, from source: String, to destination: String)
    -> FlowTrace
  {
    FlowSimulator(state: state).trace(
      Flow(source: address(source), destination: address(destination), inputInterface: device))
  }

  @Test("an arriving packet for the host is delivered; strict rp_filter refuses one whose reply would leave elsewhere")
  func reversePathFiltering() throws {
    var state = Self.host()
    state.forwarding = ForwardingSettings(ipv4: ["mgmt": false, "data": false])
    // A client behind the data network: its replies go by main's default through mgmt.
    let refused = Self.arriving(state, on: "data", from: "198.18.0.1", to: "203.0.113.10")
    #expect(refused.outcome.rejection?.error == .reversePath)
    #expect(refused.reverseCheck?.mode == 1)
    #expect(refused.reverseCheck?.outcome.egress?.device == "mgmt")
    let summary = try #require(refused.outcome.rejection).summary(names: state.names)
    #expect(
      summary == "reverse-path check on data (rp_filter strict) refuses the source: replies to the source would go "
        + "via 198.51.100.1 dev mgmt: Invalid cross-device link")
    // Loose filtering accepts any route back.
    state.rpFilter = ReversePathFilter(all: 2, interfaces: ["data": 2])
    let accepted = try #require(Self.arriving(state, on: "data", from: "198.18.0.1", to: "203.0.113.10").outcome.egress)
    #expect(accepted.type == .local)
    #expect(accepted.device == "lo")
  }

  @Test("a forwarded packet's source is validated from the hop the kernel picked; when hops differ, the hash decides")
  func reversePathThroughMultipath() throws {
    // Rule 10 takes what arrives on data to table 100, whose route forwards through mgmt or data; the reverse
    // lookup comes from the chosen hop's device, so only through data does rule 10 find the way back.
    let forward = Route(
      table: 100, destination: Self.prefix("192.0.2.0/24"),
      nexthops: [
        Nexthop(gateway: Self.address("198.51.100.1"), device: "mgmt"),
        Nexthop(gateway: Self.address("203.0.113.1"), device: "data"),
      ])
    var state = Self.host(
      routes: [forward, Self.route("198.18.0.0/15", via: "203.0.113.1", dev: "data")],
      rules: [
        Self.lookup(10, 100, RuleSelector(inputInterface: "data")),
        Rule(family: .inet, priority: 20, action: .blackhole),
      ])
    state.rpFilter = ReversePathFilter(all: 2, interfaces: ["data": 2])
    state.forwarding = ForwardingSettings(ipv4: ["mgmt": true, "data": true])
    let split = Self.arriving(state, on: "data", from: "198.18.0.1", to: "192.0.2.200")
    #expect(split.outcome.rejection?.error == .reversePath)
    #expect(
      split.notes.contains {
        $0.contains("the kernel's hash picks") && $0.contains("through mgmt") && $0.contains("through data")
      }, "\(split.notes)")
    // With both hops through data the answer does not depend on the hash.
    state.routes[state.routes.firstIndex(of: forward)!].nexthops[0] = Nexthop(
      gateway: Self.address("203.0.113.2"), device: "data")
    let same = Self.arriving(state, on: "data", from: "198.18.0.1", to: "192.0.2.200")
    #expect(same.outcome.egress?.device == "data")
    #expect(!same.notes.contains { $0.contains("the kernel's hash picks") })
  }

  @Test("a packet to forward on an interface that does not forward: EHOSTUNREACH; martians: EINVAL")
  func forwardingAndMartians() {
    var state = Self.host()
    state.rpFilter = ReversePathFilter(all: 0)
    state.forwarding = ForwardingSettings(ipv4: ["mgmt": false, "data": true])
    let blocked = Self.arriving(state, on: "mgmt", from: "198.51.100.20", to: "192.0.2.200")
    #expect(blocked.outcome.rejection == Rejection(.hostUnreachable, .notForwarding("mgmt")))
    let forwarded = Self.arriving(state, on: "data", from: "203.0.113.20", to: "198.18.0.1")
    #expect(forwarded.outcome.egress?.device == "mgmt")
    #expect(Self.arriving(state, on: "data", from: "127.0.0.1", to: "198.18.0.1").outcome.rejection?.error == .invalid)
    #expect(Self.arriving(state, on: "data", from: "0.0.0.1", to: "198.18.0.1").outcome.rejection?.error == .invalid)
  }

  // MARK: What the state left out

  @Test("a lookup in a table the snapshot sampled says the answer may miss routes, unless the read kept them")
  func incompleteTables() {
    var state = Self.host()
    state.omittedRoutes = 5
    state.omittedByTable = [OmittedRoutes(family: .inet, table: RoutingTable.main, count: 5)]
    let sampled = Self.trace(state, to: "198.18.0.1")
    #expect(sampled.incompleteTables == [RoutingTable.main])
    #expect(
      sampled.steps[1].verdict
        == .lookup(table: RoutingTable.main, result: sampled.steps[1].lookupResult!, incomplete: true))
    let exact = FlowSimulator(state: state, complete: [Self.address("198.18.0.1")]).trace(
      Flow(destination: Self.address("198.18.0.1")))
    #expect(exact.incompleteTables.isEmpty)
    // A snapshot that counted omissions only in total: any table may lack routes.
    state.omittedByTable = nil
    #expect(Self.trace(state, to: "198.18.0.1").incompleteTables == [RoutingTable.main])
  }
}

extension TraceStep {
  /// The lookup's result, for tests.
  var lookupResult: LookupResult? {
    if case .lookup(_, let result, _) = verdict { return result }
    return nil
  }
}
