import Testing

@testable import PolrouteCore

/// The resolver's checks of a policy file against a host: every error, with its position.
struct PolicyValidationTests {
  typealias T = PolicyTesting

  /// The errors of text resolved on the live dual-homed host (or `state`).
  static func errors(_ text: String, state: HostState = T.dualHomed(), isSnapshot: Bool = false) -> [String] {
    T.resolutionErrors(text, state: state, isSnapshot: isSnapshot)
  }

  // MARK: Interfaces

  @Test(arguments: [
    ("uplink isp dev eth9", "p.conf:1:16: error: unknown interface 'eth9' for uplink isp"),
    ("uplink isp dev mgnt", "p.conf:1:16: error: unknown interface 'mgnt' for uplink isp (did you mean 'mgmt'?)"),
    ("exclude dta", "p.conf:1:9: error: unknown interface 'dta' for exclude (did you mean 'data'?)"),
    ("include eth9", "p.conf:1:9: error: unknown interface 'eth9' for include"),
    (
      "uplink isp dev mgmt\nroute 192.0.2.0/24 dev eth9 table isp",
      "p.conf:2:24: error: unknown interface 'eth9' for route 192.0.2.0/24"
    ),
  ])
  func unknownInterfacesAreErrorsOnALiveHost(text: String, message: String) {
    #expect(Self.errors(text) == [message])
  }

  @Test func unknownInterfacesAreWarningsOnASnapshot() {
    let text = "uplink isp dev eth9\nuplink office dev mgmt\nexclude dta"
    guard let policy = T.resolve(text, state: T.dualHomed(), isSnapshot: true) else { return }
    #expect(
      policy.diagnostics.map(\.description) == [
        "p.conf:3:9: warning: unknown interface 'dta' for exclude (did you mean 'data'?); the snapshot of dual does not have it",
        "p.conf:1:16: warning: unknown interface 'eth9' for uplink isp; the snapshot of dual does not have it",
      ])
    // The uplink is kept with its table, but there is nothing to route through it.
    #expect(
      policy.tables == [
        PolicyTable(number: 100, name: "isp", device: "eth9"), PolicyTable(number: 101, name: "office", device: "mgmt"),
      ])
    #expect(policy.routes.filter { $0.table == 100 } == [])
    #expect(policy.uplinks.first == Uplink(name: "isp", device: "eth9", table: 100, declared: true))
  }

  @Test func aSnapshotWithoutAHostnameSaysThisHost() {
    var state = T.dualHomed()
    state.hostname = nil
    guard let policy = T.resolve("exclude eth9", state: state, isSnapshot: true) else { return }
    #expect(
      policy.diagnostics.map(\.description) == [
        "p.conf:1:9: warning: unknown interface 'eth9' for exclude; the snapshot of this host does not have it"
      ])
  }

  @Test func anUplinkThatIsAlsoExcluded() {
    #expect(
      Self.errors("exclude mgmt\nuplink office dev mgmt") == [
        "p.conf:2:19: error: interface 'mgmt' is both an uplink and excluded (line 1)"
      ])
  }

  // MARK: Declarations

  @Test(arguments: [
    (
      "uplink a dev mgmt table 150\nuplink b dev data table 150",
      "p.conf:2:25: error: table 150 is declared twice (first at line 1)"
    ),
    ("uplink a dev mgmt table 150\ntable b 150", "p.conf:2:9: error: table 150 is declared twice (first at line 1)"),
    ("table a 150\ntable b 150", "p.conf:2:9: error: table 150 is declared twice (first at line 1)"),
    ("uplink a dev mgmt\nuplink a dev data", "p.conf:2:8: error: table name 'a' is declared twice (first at line 1)"),
    ("uplink a dev mgmt\n\ntable a", "p.conf:3:7: error: table name 'a' is declared twice (first at line 1)"),
    ("table a\ntable a 7", "p.conf:2:7: error: table name 'a' is declared twice (first at line 1)"),
    ("uplink a dev mgmt\nuplink b dev mgmt", "p.conf:2:14: error: interface 'mgmt' has two uplinks (first at line 1)"),
  ])
  func duplicateDeclarations(text: String, message: String) {
    #expect(Self.errors(text) == [message])
  }

  @Test(arguments: [
    (
      "uplink a dev mgmt table 253",
      "p.conf:1:25: error: table 253 is reserved (default) and cannot be an uplink's table"
    ),
    ("uplink a dev mgmt table 254", "p.conf:1:25: error: table 254 is reserved (main) and cannot be an uplink's table"),
    (
      "uplink a dev mgmt table 255", "p.conf:1:25: error: table 255 is reserved (local) and cannot be an uplink's table"
    ),
    ("table a 254", "p.conf:1:9: error: table 254 is reserved (main)"),
  ])
  func reservedTableNumbers(text: String, message: String) {
    #expect(Self.errors(text) == [message])
  }

  /// The dual-homed host with rt_tables naming 150, a foreign rule looking up 160 and foreign routes in 170.
  static let crowded = T.dualHomed(
    extraRoutes: [
      Route(table: 170, destination: T.prefix("192.0.2.0/24"), gateway: T.address("203.0.113.1"), device: "data")
    ],
    extraRules: [Rule(family: .inet, priority: 500, selector: RuleSelector(fwmark: 1), action: .lookup(160))],
    tableNames: [TableNameEntry(number: 150, name: "vpn", file: "/etc/iproute2/rt_tables", line: 12)])

  @Test(arguments: [
    (
      "uplink a dev mgmt table 150",
      "p.conf:1:25: error: table 150 is already named 'vpn' in /etc/iproute2/rt_tables:12 (choose another table number)"
    ),
    (
      "uplink a dev mgmt table 160",
      "p.conf:1:25: error: table 160 is looked up by a rule polroute does not own (500: from all fwmark 0x1 lookup 160)"
        + " (choose another table number)"
    ),
    (
      "table a 170",
      "p.conf:1:9: error: table 170 already holds routes polroute did not make (192.0.2.0/24) (choose another table number)"
    ),
  ])
  func tableNumbersTheHostAlreadyUses(text: String, message: String) {
    #expect(Self.errors(text, state: Self.crowded) == [message])
  }

  @Test func aTableNumberMayKeepTheNameTheHostGivesIt() {
    guard let policy = T.resolve("uplink vpn dev mgmt table 150", state: Self.crowded) else { return }
    #expect(policy.tables == [PolicyTable(number: 150, name: "vpn", device: "mgmt")])
  }

  @Test func aNameTheHostGivesAnUnusableNumber() {
    var state = Self.crowded
    state.tableNames.append(
      TableNameEntry(number: 170, name: "office", file: "/etc/iproute2/rt_tables.d/x.conf", line: 1))
    #expect(
      Self.errors("uplink office dev mgmt", state: state) == [
        "p.conf:1:8: error: table name 'office' is table 170 in /etc/iproute2/rt_tables.d/x.conf:1, but table 170 already"
          + " holds routes polroute did not make (192.0.2.0/24) (choose another name)"
      ])
  }

  @Test func polroutesOwnRulesAndRoutesDoNotMakeATableForeign() {
    let state = T.dualHomed(
      extraRoutes: [
        T.ownRoute(table: 160, "192.0.2.0/24", via: "203.0.113.1", dev: "data")
      ],
      extraRules: [
        Rule(
          family: .inet, priority: 20000, selector: RuleSelector(source: T.prefix("192.0.2.9/32")),
          action: .lookup(160), protocolNumber: 177)
      ])
    guard let policy = T.resolve("uplink a dev mgmt table 160", state: state) else { return }
    #expect(policy.tables == [PolicyTable(number: 160, name: "a", device: "mgmt")])
    #expect(policy.rules.map(\.priority) == [19000, 20000])
  }

  // MARK: Priorities

  @Test func aPriorityGivenTwiceIsOneErrorEvenForBothFamilies() {
    #expect(
      Self.errors("rule fwmark 1 lookup main priority 100\nrule fwmark 2 lookup main priority 100") == [
        "p.conf:2:36: error: priority 100 is already used by the rule at line 1"
      ])
  }

  @Test func aPriorityGivenTwiceInDifferentFamiliesIsNoClash() {
    let text = "rule fwmark 1 family inet lookup main priority 100\nrule fwmark 2 family inet6 lookup main priority 100"
    guard let policy = T.resolve("uplink a dev mgmt\n" + text, state: T.dualHomed()) else { return }
    #expect(policy.rules.filter { $0.priority == 100 }.map(\.family) == [.inet, .inet6])
  }

  @Test func aPriorityClashesWithAForeignRuleOfTheSameFamilyOnly() {
    let state = T.dualHomed(extraRules: [
      Rule(family: .inet, priority: 100, selector: RuleSelector(fwmark: 9), action: .lookup(50))
    ])
    #expect(
      Self.errors("rule fwmark 1 lookup main priority 100", state: state) == [
        "p.conf:1:36: error: priority 100 is already used by a rule polroute does not own (100: from all fwmark 0x9 lookup 50)"
      ])
    #expect(T.resolve("rule to 2001:db8::/32 lookup main priority 100", state: state)?.rules.map(\.priority) == [100])
  }

  @Test func foreignRulesAtAnyPriorityAreHeldAndTheLastAssignablePriorityClashes() {
    // Priorities from 32768 up are held apart from the lower ones (see PriorityHolders): a foreign rule may sit at
    // any 32-bit priority, and the highest a statement may ask for still clashes with one there.
    let state = T.dualHomed(extraRules: [
      Rule(family: .inet, priority: UInt32.max, selector: RuleSelector(fwmark: 7), action: .lookup(50)),
      Rule(family: .inet, priority: 40000, selector: RuleSelector(fwmark: 9), action: .lookup(50)),
      Rule(family: .inet, priority: 32765, selector: RuleSelector(fwmark: 8), action: .lookup(50)),
    ])
    #expect(
      Self.errors("rule fwmark 1 lookup main priority 32765\nrule fwmark 2 lookup main priority 32764", state: state)
        == [
          "p.conf:1:36: error: priority 32765 is already used by a rule polroute does not own (32765: from all fwmark 0x8 lookup 50)"
        ])
    #expect(
      T.resolve("uplink a dev mgmt\nrule fwmark 2 lookup main priority 32764", state: state)?.rules.map(\.priority)
        .contains(32764) == true)
  }

  @Test func moreApplicationRulesThanTheBandHoldsPointsAtTheFirstThatDoesNotFit() {
    // 10000-13999 holds four thousand rules; one explicit priority inside the band leaves room for 3999 more.
    let rules = (1...4_000).map { "rule fwmark \($0) lookup main" }
    let text = (["rule fwmark 0 lookup main priority 12000"] + rules).joined(separator: "\n")
    #expect(
      Self.errors(text) == [
        "p.conf:4001:1: error: more application rules than the band 10000-13999 holds (give some an explicit priority)"
      ])
  }

  @Test func aGotoMustJumpForward() {
    #expect(
      Self.errors("rule fwmark 1 goto 5000\nrule fwmark 2 goto 300 priority 300\nrule fwmark 3 goto 10002") == [
        "p.conf:1:15: error: 'goto 5000' jumps back from the rule's priority 10000 (the kernel only jumps forward:"
          + " give the rule a priority below 5000)",
        "p.conf:2:15: error: 'goto 300' jumps back from the rule's priority 300 (the kernel only jumps forward:"
          + " give the rule a priority below 300)",
      ])
    #expect(T.resolve("rule fwmark 2 goto 301 priority 300\nrule fwmark 3 goto 32766", state: T.dualHomed()) != nil)
  }

  // MARK: Gateways

  @Test func anUplinkGatewayOutsideTheConnectedPrefixes() {
    #expect(
      Self.errors("uplink a dev mgmt via 192.0.2.1") == [
        "p.conf:1:23: error: gateway 192.0.2.1 is outside every connected prefix of mgmt (198.51.100.0/24)"
          + " (add 'onlink' if it is reachable anyway)"
      ])
    #expect(
      Self.errors("uplink a dev mgmt via6 2001:db8::1") == [
        "p.conf:1:24: error: gateway 2001:db8::1 is outside every connected prefix of mgmt (it has no IPv6 address)"
          + " (add 'onlink' if it is reachable anyway)"
      ])
  }

  @Test func anOnlinkGatewayOutsideTheConnectedPrefixesIsUsed() {
    guard let policy = T.resolve("uplink a dev mgmt via 192.0.2.1 onlink", state: T.dualHomed()) else { return }
    #expect(
      policy.routes == [
        T.ownRoute(table: 100, "0.0.0.0/0", via: "192.0.2.1", dev: "mgmt", onlink: true),
        T.ownRoute(table: 100, "198.51.100.0/24", dev: "mgmt", scope: RouteScope.link, src: "198.51.100.10"),
      ])
    #expect(
      policy.uplinks.first?.gateway4
        == DiscoveredGateway(address: T.address("192.0.2.1"), source: .policy, evidence: "policy file line 1"))
  }

  @Test func aLinkLocalIPv6GatewayIsAlwaysOnLink() {
    guard let policy = T.resolve("uplink a dev mgmt via6 fe80::1", state: T.dualHomed()) else { return }
    #expect(policy.routes.contains(T.ownRoute(table: 100, "::/0", via: "fe80::1", dev: "mgmt")))
  }

  @Test func aRouteGatewayOutsideTheConnectedPrefixesOfItsDevice() {
    #expect(
      Self.errors("uplink a dev mgmt\nroute 192.0.2.0/24 via 203.0.113.1 dev mgmt table a") == [
        "p.conf:2:24: error: gateway 203.0.113.1 is outside every connected prefix of mgmt (198.51.100.0/24)"
          + " (add 'onlink' if it is reachable anyway)"
      ])
    let onlink = T.resolve(
      "uplink a dev mgmt\nroute 192.0.2.0/24 via 203.0.113.1 dev mgmt onlink table a", state: T.dualHomed())
    #expect(
      onlink?.routes.contains(T.ownRoute(table: 100, "192.0.2.0/24", via: "203.0.113.1", dev: "mgmt", onlink: true))
        == true)
  }

  @Test(arguments: [
    (
      "route 192.0.2.0/24 via 2001:db8::1 table a",
      "p.conf:2:24: error: gateway 2001:db8::1 is IPv6 but 192.0.2.0/24 is IPv4"
    ),
    (
      "route 2001:db8:1::/48 via 198.51.100.1 table a",
      "p.conf:2:27: error: gateway 198.51.100.1 is IPv4 but 2001:db8:1::/48 is IPv6"
    ),
    (
      "route 2001:db8:1::/48 dev mgmt src 198.51.100.10 table a",
      "p.conf:2:36: error: source 198.51.100.10 is IPv4 but 2001:db8:1::/48 is IPv6"
    ),
    (
      "route default via fe80::1 src 198.51.100.10 table a",
      "p.conf:2:31: error: source 198.51.100.10 is IPv4 but default is IPv6"
    ),
  ])
  func routeFamiliesMustAgree(route: String, message: String) {
    #expect(Self.errors("uplink a dev mgmt\n" + route) == [message])
  }

  // MARK: Route tables

  @Test(arguments: [
    ("table main", 43, "polroute never changes table main: route 192.0.2.0/24 must go in one of its own tables"),
    ("table local", 43, "polroute never changes table local: route 192.0.2.0/24 must go in one of its own tables"),
    ("table default", 43, "polroute never changes table default: route 192.0.2.0/24 must go in one of its own tables"),
    ("table 254", 43, "polroute never changes table 254 (main): route 192.0.2.0/24 must go in one of its own tables"),
    (
      "table 253", 43, "polroute never changes table 253 (default): route 192.0.2.0/24 must go in one of its own tables"
    ),
    ("table mgnt", 43, "unknown table 'mgnt' for route 192.0.2.0/24 (did you mean 'mgmt'?)"),
    ("table vpn", 43, "unknown table 'vpn' for route 192.0.2.0/24"),
    ("table 300", 43, "table 300 is not declared in the policy (declare it with 'table NAME 300' or an uplink)"),
  ])
  func routesGoOnlyIntoPolroutesTables(words: String, column: Int, message: String) {
    #expect(
      Self.errors("uplink mgmt dev mgmt\nroute 192.0.2.0/24 via 198.51.100.1 \(words)") == [
        "p.conf:2:\(column): error: \(message)"
      ])
  }

  @Test func aRouteInATableWithoutAnUplinkNeedsADevice() {
    #expect(
      Self.errors("table vpn\nroute 192.0.2.0/24 table vpn") == [
        "p.conf:2:1: error: route 192.0.2.0/24 needs 'dev IFACE': table vpn belongs to no uplink"
      ])
  }

  @Test func aRouteWithoutADeviceLeavesWhereItsGatewayIsConnected() {
    let text = "table vpn\nroute 192.0.2.0/24 via 203.0.113.1 table vpn\nroute blackhole 192.0.2.128/25 table vpn"
    guard let policy = T.resolve(text, state: T.dualHomed()) else { return }
    #expect(
      policy.routes == [
        T.ownRoute(table: 100, "192.0.2.0/24", via: "203.0.113.1", dev: "data"),
        T.ownRoute(table: 100, "192.0.2.128/25", dev: nil, type: .blackhole),
      ])
  }

  @Test func aSourceAddressTheHostDoesNotHave() {
    let text = "uplink a dev mgmt\nroute 192.0.2.0/24 dev mgmt src 192.0.2.99 table a"
    #expect(
      Self.errors(text) == [
        "p.conf:2:33: error: source 192.0.2.99 is not an address of this host (the kernel refuses such a 'src')"
      ])
    let policy = T.resolve(text, state: T.dualHomed(), isSnapshot: true)
    #expect(
      policy?.diagnostics.map(\.description) == [
        "p.conf:2:33: warning: source 192.0.2.99 is not an address of this host (the kernel refuses such a 'src')"
      ])
  }

  @Test func aRouteGivenTwice() {
    let text = "uplink a dev mgmt\nroute 192.0.2.0/24 dev mgmt table a\nroute 192.0.2.0/24 via 198.51.100.1 table 100"
    #expect(
      Self.errors(text) == ["p.conf:3:1: error: route 192.0.2.0/24 in table 100 is given twice (first at line 2)"])
  }

  @Test func theSameDestinationWithAnotherMetricIsAnotherRoute() {
    let text = "uplink a dev mgmt\nroute 192.0.2.0/24 dev mgmt table a\nroute 192.0.2.0/24 dev mgmt metric 10 table a"
    #expect(
      T.resolve(text, state: T.dualHomed())?.routes.filter { $0.destination == T.prefix("192.0.2.0/24") }.map(\.metric)
        == [0, 10])
  }

  // MARK: Rule tables

  @Test func ruleTablesMayBePolroutesTheHostsOrANumber() {
    let state = T.dualHomed(tableNames: [
      TableNameEntry(number: 150, name: "vpn", file: "/etc/iproute2/rt_tables", line: 12)
    ])
    let text = """
      uplink office dev mgmt
      rule fwmark 1 lookup office
      rule fwmark 2 lookup vpn
      rule fwmark 3 lookup main
      rule fwmark 4 lookup 4000
      """
    guard let policy = T.resolve(text, state: state) else { return }
    #expect(
      policy.rules.filter { $0.family == .inet && $0.selector.fwmark != nil }.map(\.action) == [
        .lookup(100), .lookup(150), .lookup(254), .lookup(4000),
      ])
  }

  @Test func anUnknownRuleTableSuggestsTheClosestName() {
    let state = T.dualHomed(tableNames: [
      TableNameEntry(number: 150, name: "vpn", file: "/etc/iproute2/rt_tables", line: 12)
    ])
    let text =
      "uplink office dev mgmt\nrule fwmark 1 lookup ofice\nrule fwmark 2 lookup vnp\nrule fwmark 3 lookup mian\nrule fwmark 4 lookup other"
    #expect(
      Self.errors(text, state: state) == [
        "p.conf:2:22: error: unknown table 'ofice' (did you mean 'office'?)",
        "p.conf:3:22: error: unknown table 'vnp' (did you mean 'vpn'?)",
        "p.conf:4:22: error: unknown table 'mian' (did you mean 'main'?)",
        "p.conf:5:22: error: unknown table 'other'",
      ])
  }

  // MARK: Several errors

  @Test func everyErrorIsReportedInFileOrder() {
    let text = """
      rule fwmark 1 lookup lba
      uplink office dev mgmt table 254
      uplink lab dev eth9
      route 192.0.2.0/24 via 198.51.100.1 table main
      """
    #expect(
      Self.errors(text) == [
        "p.conf:1:22: error: unknown table 'lba' (did you mean 'lab'?)",
        "p.conf:2:30: error: table 254 is reserved (main) and cannot be an uplink's table",
        "p.conf:3:16: error: unknown interface 'eth9' for uplink lab",
        "p.conf:4:43: error: polroute never changes table main: route 192.0.2.0/24 must go in one of its own tables",
      ])
  }

  @Test func warningsAreReportedWithTheErrors() {
    let error = T.resolutionErrors("exclude eth9\nuplink a dev mgmt table 254", state: T.dualHomed(), isSnapshot: true)
    #expect(
      error == [
        "p.conf:1:9: warning: unknown interface 'eth9' for exclude; the snapshot of dual does not have it",
        "p.conf:2:25: error: table 254 is reserved (main) and cannot be an uplink's table",
      ])
  }
}

@Suite("Policy validation against the host's rt_tables")
struct PolicyTableNameValidationTests {
  @Test("an explicit number for a name the host's rt_tables gives another number is an error")
  func conflictingNumberForName() {
    let state = PolicyTesting.dualHomed(tableNames: [
      TableNameEntry(number: 200, name: "data", file: "/etc/iproute2/rt_tables", line: 12)
    ])
    #expect(
      PolicyTesting.resolutionErrors("uplink data dev data table 100\n", state: state).map {
        $0.replacingOccurrences(of: "\n", with: "")
      } == [
        "p.conf:1:28: error: table name 'data' is table 200 in /etc/iproute2/rt_tables:12 (use table 200, or another name)"
      ])
  }

  @Test("without auto, candidate interfaces the file does not declare are listed as not declared")
  func undeclaredInterfaces() throws {
    let policy = try #require(PolicyTesting.resolve("uplink data dev data\n", state: PolicyTesting.dualHomed()))
    #expect(policy.excluded.first { $0.name == "mgmt" }?.reason == .notDeclared)
    #expect(
      PolicyPrinter.text(policy, hostname: "server").contains(
        "# not uplinks: lo (loopback), mgmt (not declared; the policy has no 'auto')"))
  }
}

@Suite("Policy values the kernel stores differently")
struct PolicyKernelNormalisationTests {
  @Test("from 0.0.0.0/0 and to ::/0 mean all: the kernel stores no selector, so neither does the policy")
  func zeroLengthSelectors() throws {
    let policy = try #require(
      PolicyTesting.resolve(
        "rule from 0.0.0.0/0 to 192.0.2.0/24 lookup main priority 100\nrule to ::/0 lookup main priority 101\n",
        state: PolicyTesting.dualHomed()))
    #expect(policy.rules.first { $0.priority == 100 }?.selector.source == nil)
    #expect(policy.rules.first { $0.priority == 100 }?.selector.destination == IPPrefix("192.0.2.0/24"))
    let six = try #require(policy.rules.first { $0.priority == 101 })
    #expect(six.family == .inet6)
    #expect(six.selector.destination == nil)
  }

  @Test("an IPv4 rule's tos must be one of the old TOS bits the kernel accepts")
  func ipv4Tos() {
    #expect(
      PolicyTesting.resolutionErrors(
        "rule from 192.0.2.0/24 tos AF11 lookup main priority 100\n", state: PolicyTesting.dualHomed()) == [
          "p.conf:1:28: error: the kernel refuses tos 0x28 in an IPv4 rule: only the TOS bits 0x02-0x1e are allowed (DiffServ values work in IPv6 rules)"
        ])
    #expect(
      PolicyTesting.resolve(
        "rule from 192.0.2.0/24 tos 0x10 lookup main priority 100\nrule from 2001:db8::/32 tos AF11 lookup main priority 101\n",
        state: PolicyTesting.dualHomed()) != nil)
  }

  @Test("interface names may hold quotes, as Linux allows")
  func quotesInNames() throws {
    let parsed = PolicyParser.parse("exclude q'x\nexclude \"d\\\"x\"\n", file: "p.conf")
    #expect(parsed.diagnostics == [])
    #expect(parsed.document.statements.count == 2)
  }
}
