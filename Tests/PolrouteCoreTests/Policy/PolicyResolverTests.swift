import Testing

@testable import PolrouteCore

/// The resolver's derivation: uplinks, table numbers, gateways, routes, rule priorities and exclusions.
struct PolicyResolverTests {
  typealias T = PolicyTesting

  /// The gateway of the dual-homed host's mgmt, learned from main's default route.
  static let mgmtGateway = DiscoveredGateway(
    address: T.address("198.51.100.1"), source: .mainDefault,
    evidence: "default route via 198.51.100.1 dev mgmt in main")
  /// The gateway of the dual-homed host's data, learned from a `via` route in main.
  static let dataGateway = DiscoveredGateway(
    address: T.address("203.0.113.1"), source: .mainVia,
    evidence: "route 192.0.2.128/25 via 203.0.113.1 dev data in main")

  /// What derivation makes of the dual-homed host with data in table `data` and mgmt in table `mgmt`.
  static func derivedRoutes(data: UInt32, mgmt: UInt32) -> [Route] {
    [
      T.ownRoute(table: data, "0.0.0.0/0", via: "203.0.113.1", dev: "data"),
      T.ownRoute(table: data, "203.0.113.0/24", dev: "data", scope: RouteScope.link, src: "203.0.113.10"),
      T.ownRoute(table: mgmt, "0.0.0.0/0", via: "198.51.100.1", dev: "mgmt"),
      T.ownRoute(table: mgmt, "198.51.100.0/24", dev: "mgmt", scope: RouteScope.link, src: "198.51.100.10"),
    ].sorted { $0.key < $1.key }
  }

  @Test func theDualHomedHostDerivesOneUplinkPerInterface() {
    guard let policy = T.resolve(nil, state: T.dualHomed()) else { return }
    #expect(
      policy.tables == [
        PolicyTable(number: 100, name: "data", device: "data"), PolicyTable(number: 101, name: "mgmt", device: "mgmt"),
      ])
    #expect(
      policy.uplinks == [
        Uplink(
          name: "data", device: "data", table: 100, gateway4: Self.dataGateway,
          addresses: [T.interfaceAddress("203.0.113.10/24")]),
        Uplink(
          name: "mgmt", device: "mgmt", table: 101, gateway4: Self.mgmtGateway,
          addresses: [T.interfaceAddress("198.51.100.10/24")]),
      ])
    #expect(policy.routes == Self.derivedRoutes(data: 100, mgmt: 101))
    #expect(
      policy.rules
        == T.dualHomedGuards(data: 100, mgmt: 101) + [
          T.localRule(),
          T.sourceRule("203.0.113.10", table: 100, priority: 20000),
          T.sourceRule("198.51.100.10", table: 101, priority: 20001),
        ])
    #expect(policy.excluded == [ExcludedInterface(name: "lo", reason: .loopback)])
    #expect(policy.diagnostics == [])
    #expect(policy.origin == "derived from the host's state")
    #expect(policy.statementRoutes == [])
    #expect(policy.statementRules == [])
  }

  @Test func autoAloneDerivesTheSameAsNoPolicy() {
    let derived = T.resolve(nil, state: T.dualHomed())
    let auto = T.resolve("auto", state: T.dualHomed())
    #expect(auto?.kernelView == derived?.kernelView)
    #expect(auto?.origin == "from p.conf")
  }

  /// A third uplink with a default route of a higher metric.
  static let wan = Interface(name: "wan", index: 4, addresses: [Address(T.interfaceAddress("100.64.0.10/10"))])

  @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23])
  func theInterfaceOrderNeverChangesTheResult(permutation: Int) {
    // Each argument is one of the 24 orders of the four interfaces, with their indexes permuted alike.
    var pool = [T.loopback, T.mgmt, T.data, Self.wan]
    var order: [Interface] = []
    var rest = permutation
    for divisor in [6, 2, 1, 1] {
      order.append(pool.remove(at: rest / divisor))
      rest %= divisor
    }
    for index in order.indices { order[index].index = index + 1 }
    let wanDefault = Route(
      destination: T.prefix("0.0.0.0/0"), gateway: T.address("100.64.0.1"), device: "wan", metric: 100)
    let reference = T.dualHomed(interfaces: [T.loopback, T.mgmt, T.data, Self.wan], extraRoutes: [wanDefault])
    let shuffled = T.dualHomed(interfaces: order, extraRoutes: [wanDefault])
    let expected = T.resolve(nil, state: reference)
    #expect(T.resolve(nil, state: shuffled) == expected)
    #expect(expected?.tables.map(\.name) == ["data", "mgmt", "wan"])
    #expect(expected?.tables.map(\.number) == [100, 101, 102])
  }

  @Test func numbersSkipNamedTablesForeignRulesAndForeignRoutes() {
    let state = T.dualHomed(
      extraRoutes: [
        Route(table: 102, destination: T.prefix("192.0.2.0/24"), gateway: T.address("203.0.113.1"), device: "data"),
        T.ownRoute(table: 103, "192.0.2.0/24", via: "203.0.113.1", dev: "data"),
      ],
      extraRules: [Rule(family: .inet6, priority: 500, selector: RuleSelector(fwmark: 1), action: .lookup(101))],
      tableNames: [TableNameEntry(number: 100, name: "vpn", file: "/etc/iproute2/rt_tables", line: 12)])
    guard let policy = T.resolve(nil, state: state) else { return }
    // 103 holds only polroute's own stale routes: it is free.
    #expect(policy.tables.map(\.number) == [103, 104])
    #expect(policy.routes == Self.derivedRoutes(data: 103, mgmt: 104))
  }

  @Test func explicitNumbersAreTakenFirstAndDerivedOnesStepAroundThem() {
    guard let policy = T.resolve("auto\nuplink office dev mgmt table 100\ntable vpn 101", state: T.dualHomed()) else {
      return
    }
    #expect(
      policy.tables == [
        PolicyTable(number: 100, name: "office", device: "mgmt"), PolicyTable(number: 101, name: "vpn"),
        PolicyTable(number: 102, name: "data", device: "data"),
      ])
  }

  @Test func numbersPolrouteGaveBeforeAreKept() {
    let state = T.dualHomed(
      tableNames: [
        TableNameEntry(number: 110, name: "mgmt", file: PolrouteFiles.rtTables, line: 1),
        TableNameEntry(number: 100, name: "old", file: PolrouteFiles.rtTables, line: 2),
      ])
    guard let policy = T.resolve(nil, state: state) else { return }
    // 100 stays reserved for the name polroute gave it, which may come back.
    #expect(policy.tables.map { "\($0.number) \($0.name)" } == ["101 data", "110 mgmt"])
  }

  @Test func aNameTheHostAlreadyNumbersKeepsItsNumber() {
    let state = T.dualHomed(
      tableNames: [TableNameEntry(number: 115, name: "office", file: "/etc/iproute2/rt_tables", line: 3)])
    guard let policy = T.resolve("uplink office dev mgmt", state: state) else { return }
    #expect(policy.tables == [PolicyTable(number: 115, name: "office", device: "mgmt")])
  }

  @Test func aDerivedNameAvoidsNamesTheHostGivesOtherTables() {
    let state = T.dualHomed(tableNames: [
      TableNameEntry(number: 7, name: "data", file: "/etc/iproute2/rt_tables", line: 3)
    ])
    guard let policy = T.resolve(nil, state: state) else { return }
    #expect(policy.tables.map(\.name) == ["data-2", "mgmt"])
  }

  @Test func derivedNamesThatRtTablesWouldRefuseGetAPrefix() {
    let interfaces = [
      T.loopback, Interface(name: "1gbe", index: 2, addresses: [Address(T.interfaceAddress("192.0.2.10/26"))]),
      Interface(name: "eth@0", index: 3, addresses: [Address(T.interfaceAddress("192.0.2.70/26"))]),
    ]
    // Each has a gateway, so each is an uplink.
    let routes = [
      Route(destination: T.prefix("0.0.0.0/0"), gateway: T.address("192.0.2.1"), device: "1gbe", metric: 100),
      Route(destination: T.prefix("0.0.0.0/0"), gateway: T.address("192.0.2.65"), device: "eth@0", metric: 200),
    ]
    guard let policy = T.resolve(nil, state: HostState(interfaces: interfaces, routes: routes)) else { return }
    #expect(policy.tables.map(\.name) == ["eth_0", "if_1gbe"])
  }

  // MARK: Declared and derived uplinks

  @Test func aPolicyWithoutAutoMakesOnlyWhatItDeclares() {
    guard let policy = T.resolve("uplink office dev mgmt", state: T.dualHomed()) else { return }
    #expect(policy.tables == [PolicyTable(number: 100, name: "office", device: "mgmt")])
    #expect(policy.uplinks.map(\.declared) == [true])
    // One uplink: no other uplink's routes to guard against.
    #expect(policy.rules == [T.localRule(), T.sourceRule("198.51.100.10", table: 100, priority: 20000)])
    #expect(policy.routes.map(\.device) == ["mgmt", "mgmt"])
    #expect(policy.origin == "from p.conf")
  }

  @Test func anEmptyPolicyMakesNothing() {
    guard let policy = T.resolve("# nothing yet\n", state: T.dualHomed()) else { return }
    #expect(policy.tables == [])
    #expect(policy.rules == [])
    #expect(policy.routes == [])
  }

  @Test func autoAddsTheInterfacesThePolicyDoesNotName() {
    guard let policy = T.resolve("uplink office dev mgmt table 200\nauto", state: T.dualHomed()) else { return }
    #expect(
      policy.uplinks.map { "\($0.name) \($0.device) \($0.table) \($0.declared)" } == [
        "data data 100 false", "office mgmt 200 true",
      ])
    #expect(
      policy.rules
        == T.dualHomedGuards(data: 100, mgmt: 200) + [
          T.localRule(),
          T.sourceRule("203.0.113.10", table: 100, priority: 20000),
          T.sourceRule("198.51.100.10", table: 200, priority: 20001),
        ])
  }

  @Test func excludeTakesAnInterfaceOutOfAuto() {
    guard let policy = T.resolve("auto\nexclude mgmt", state: T.dualHomed()) else { return }
    #expect(policy.uplinks.map(\.device) == ["data"])
    #expect(
      policy.excluded == [
        ExcludedInterface(name: "lo", reason: .loopback), ExcludedInterface(name: "mgmt", reason: .policy),
      ])
  }

  @Test func aDeclaredGatewayReplacesTheDerivedOne() {
    guard let policy = T.resolve("uplink lab dev data via 203.0.113.254", state: T.dualHomed()) else { return }
    #expect(
      policy.uplinks.first?.gateway4
        == DiscoveredGateway(address: T.address("203.0.113.254"), source: .policy, evidence: "policy file line 1"))
    #expect(policy.routes.contains(T.ownRoute(table: 100, "0.0.0.0/0", via: "203.0.113.254", dev: "data")))
  }

  @Test func aGatewayOutsideTheConnectedPrefixInMainMakesTheUplinkOnlink() {
    let state = T.dualHomed(
      interfaces: [T.loopback, T.data],
      extraRoutes: [
        Route(
          destination: T.prefix("0.0.0.0/0"), gateway: T.address("192.0.2.1"), device: "data", metric: 50,
          flags: ["onlink"])
      ])
    guard let policy = T.resolve(nil, state: state) else { return }
    #expect(policy.uplinks.first?.onlink == true)
    #expect(policy.routes.contains(T.ownRoute(table: 100, "0.0.0.0/0", via: "192.0.2.1", dev: "data", onlink: true)))
  }

  @Test func anUplinkWithoutAGatewayKeepsItsLinkRoutesAndSaysSo() {
    let state = HostState(hostname: "one", interfaces: [T.loopback, T.data])
    guard let policy = T.resolve("uplink lab dev data", state: state) else { return }
    #expect(
      policy.routes == [
        T.ownRoute(table: 100, "203.0.113.0/24", dev: "data", scope: RouteScope.link, src: "203.0.113.10")
      ])
    #expect(
      policy.diagnostics.map(\.description) == [
        "p.conf:1:1: warning: no IPv4 gateway is known for data: table lab holds only its link routes"
          + " (name it with 'uplink lab dev data via GATEWAY')"
      ])
  }

  // MARK: IPv6

  /// The dual-homed host with SLAAC on data and a default from router advertisements.
  static let dualStack = T.dualHomed(
    interfaces: [
      T.loopback, T.mgmt,
      Interface(
        name: "data", index: 3,
        addresses: [
          Address(T.interfaceAddress("203.0.113.10/24")),
          Address(T.interfaceAddress("2001:db8:1::10/64"), flags: [.dynamic, .managedTemporary]),
          Address(T.interfaceAddress("fe80::10/64"), scope: "link"),
        ]),
    ],
    extraRoutes: [
      Route(
        destination: T.prefix("::/0"), gateway: T.address("fe80::1"), device: "data",
        protocolNumber: RouteProtocol.routerAdvertisement, metric: 1024, expires: 1800),
      Route(
        destination: T.prefix("2001:db8:1::/64"), device: "data", protocolNumber: RouteProtocol.kernel, metric: 256),
    ])

  @Test func anIPv6GatewayFromRouterAdvertisements() {
    guard let policy = T.resolve(nil, state: Self.dualStack) else { return }
    let data = policy.uplinks.first { $0.device == "data" }
    #expect(
      data?.gateway6
        == DiscoveredGateway(
          address: T.address("fe80::1"), source: .routerAdvertisement,
          evidence: "default route via fe80::1 dev data from router advertisements"))
    #expect(
      policy.routes.filter { $0.family == .inet6 } == [
        T.ownRoute(table: 100, "::/0", via: "fe80::1", dev: "data"),
        T.ownRoute(table: 100, "2001:db8:1::/64", dev: "data"),
      ])
    // Each family counts its source rules on its own, and has its own local-networks rule; only data has IPv6, so
    // no IPv6 route needs a guard.
    #expect(
      policy.rules
        == T.dualHomedGuards(data: 100, mgmt: 101) + [
          T.localRule(),
          T.sourceRule("203.0.113.10", table: 100, priority: 20000),
          T.sourceRule("198.51.100.10", table: 101, priority: 20001),
          T.localRule(.inet6),
          T.sourceRule("2001:db8:1::10", table: 100, priority: 20000),
        ])
    #expect(
      policy.diagnostics.map(\.description) == [
        "note: address 2001:db8:1::10 on data is dynamic (DHCP or SLAAC): when it changes,"
          + " `polroute apply --interface data` follows it (polroute's network manager hooks run it)"
      ])
  }

  @Test func aStaticIPv6DefaultWinsOverRouterAdvertisements() {
    var state = Self.dualStack
    state.routes.append(
      Route(destination: T.prefix("::/0"), gateway: T.address("2001:db8:1::1"), device: "data", metric: 2048))
    guard let policy = T.resolve(nil, state: state) else { return }
    #expect(policy.uplinks.first { $0.device == "data" }?.gateway6?.address == T.address("2001:db8:1::1"))
  }

  // MARK: Routes

  @Test func aRouteStatementReplacesTheUplinksRouteToTheSameDestination() {
    let text =
      "uplink office dev mgmt\nroute default via 198.51.100.254 table office\nroute 192.0.2.0/24 via 198.51.100.1 table office"
    guard let policy = T.resolve(text, state: T.dualHomed()) else { return }
    #expect(
      policy.routes == [
        T.ownRoute(table: 100, "0.0.0.0/0", via: "198.51.100.254", dev: "mgmt"),
        T.ownRoute(table: 100, "192.0.2.0/24", via: "198.51.100.1", dev: "mgmt"),
        T.ownRoute(table: 100, "198.51.100.0/24", dev: "mgmt", scope: RouteScope.link, src: "198.51.100.10"),
      ])
    #expect(
      policy.statementRoutes
        == [
          RouteKey(family: .inet, table: 100, destination: T.prefix("0.0.0.0/0"), metric: 0),
          RouteKey(family: .inet, table: 100, destination: T.prefix("192.0.2.0/24"), metric: 0),
        ])
  }

  @Test func routeStatementsOfEveryKind() {
    let text = """
      uplink lab dev data
      table vpn 150
      route unreachable 192.0.2.0/26 metric 7 table vpn
      route 2001:db8:5::/48 dev data table lab
      route throw 198.51.100.128/25 table 150
      route 192.0.2.64/26 dev data src 203.0.113.10 table lab
      """
    guard let policy = T.resolve(text, state: T.dualHomed()) else { return }
    #expect(
      policy.routes.filter { policy.statementRoutes.contains($0.key) } == [
        T.ownRoute(table: 100, "192.0.2.64/26", dev: "data", scope: RouteScope.link, src: "203.0.113.10"),
        T.ownRoute(table: 150, "192.0.2.0/26", dev: nil, metric: 7, type: .unreachable),
        T.ownRoute(table: 150, "198.51.100.128/25", dev: nil, type: .throw),
        T.ownRoute(table: 100, "2001:db8:5::/48", dev: "data"),
      ])
  }

  // MARK: Rules

  @Test func applicationRulesComeFirstInFileOrderThenSourceRules() {
    let text = """
      uplink office dev mgmt
      uplink lab dev data
      rule fwmark 1 lookup lab
      rule from 192.0.2.0/24 lookup office
      rule to 2001:db8::/32 lookup lab
      rule iif data lookup office priority 10001
      """
    guard let policy = T.resolve(text, state: T.dualHomed()) else { return }
    let lab: UInt32 = 100
    let office: UInt32 = 101
    func rule(_ family: AddressFamily, _ priority: UInt32, _ build: (inout Rule) -> Void, table: UInt32) -> Rule {
      var rule = Rule(
        family: family, priority: priority, action: .lookup(table), protocolNumber: RouteProtocol.polroute)
      build(&rule)
      return rule
    }
    #expect(
      policy.rules == [
        rule(.inet, 10000, { $0.selector.fwmark = 1 }, table: lab),
        rule(.inet, 10001, { $0.selector.inputInterface = "data" }, table: office),
        rule(.inet, 10002, { $0.selector.source = T.prefix("192.0.2.0/24") }, table: office),
      ] + T.dualHomedGuards(data: lab, mgmt: office) + [
        T.localRule(),
        T.sourceRule("203.0.113.10", table: lab, priority: 20000),
        T.sourceRule("198.51.100.10", table: office, priority: 20001),
        rule(.inet6, 10000, { $0.selector.fwmark = 1 }, table: lab),
        rule(.inet6, 10001, { $0.selector.inputInterface = "data" }, table: office),
        rule(.inet6, 10003, { $0.selector.destination = T.prefix("2001:db8::/32") }, table: lab),
      ])
    #expect(policy.statementRules.count == 6)
    #expect(!policy.statementRules.contains(RuleKey(family: .inet, priority: 20000)))
  }

  @Test func eachFamilyStepsAroundOnlyItsOwnForeignRules() {
    let state = T.dualHomed(extraRules: [
      Rule(family: .inet, priority: 10000, selector: RuleSelector(fwmark: 9), action: .lookup(50)),
      Rule(family: .inet, priority: 20000, selector: RuleSelector(fwmark: 9), action: .lookup(50)),
    ])
    let text = "uplink office dev mgmt\nrule to 2001:db8::/32 lookup office\nrule fwmark 1 lookup office"
    guard let policy = T.resolve(text, state: state) else { return }
    #expect(
      policy.rules.map { "\($0.family.rawValue) \($0.priority)" } == [
        "inet 10001", "inet 19000", "inet 20001", "inet6 10000", "inet6 10001",
      ])
  }

  @Test func ruleActionsAndSelectorsReachTheRule() {
    let text = """
      rule not from 192.0.2.0/24 tos 0x10 fwmark 0x1/0xff oif data uidrange 1000-2000 ipproto udp sport 53 \\
        dport 1024-2048 goto 32766 priority 300
      rule l3mdev priority 301
      rule to 192.0.2.0/24 lookup main suppress_prefixlength 0 priority 302
      rule fwmark 2 family inet6 prohibit priority 303
      """
    guard let policy = T.resolve(text, state: T.dualHomed()) else { return }
    let expected = [
      Rule(
        family: .inet, priority: 300,
        selector: RuleSelector(
          invert: true, source: T.prefix("192.0.2.0/24"), tos: 0x10, fwmark: 1, fwmask: 0xFF, outputInterface: "data",
          uidRange: NumberRange(1000, 2000), ipProtocol: 17, sourcePort: NumberRange(53),
          destinationPort: NumberRange(1024, 2048)), action: .goto(32766), protocolNumber: 177),
      Rule(family: .inet, priority: 301, selector: RuleSelector(l3mdev: true), action: .lookup(0), protocolNumber: 177),
      Rule(
        family: .inet, priority: 302, selector: RuleSelector(destination: T.prefix("192.0.2.0/24")),
        suppressPrefixLength: 0, action: .lookup(254), protocolNumber: 177),
      Rule(
        family: .inet6, priority: 301, selector: RuleSelector(l3mdev: true), action: .lookup(0), protocolNumber: 177),
      Rule(family: .inet6, priority: 303, selector: RuleSelector(fwmark: 2), action: .prohibit, protocolNumber: 177),
    ]
    #expect(policy.rules == expected)
  }

  // MARK: Exclusions

  /// The dual-homed host running Docker, with a WireGuard tunnel, a down port and an unaddressed one.
  static let busy = T.dualHomed(interfaces: [
    T.loopback, T.mgmt, T.data,
    Interface(name: "docker0", index: 4, kind: "bridge", addresses: [Address(T.interfaceAddress("100.64.0.1/16"))]),
    Interface(name: "veth1a2b3c", index: 5, kind: "veth", master: "docker0"),
    Interface(name: "br-0123abcd", index: 6, kind: "bridge", addresses: [Address(T.interfaceAddress("100.65.0.1/16"))]),
    Interface(
      name: "wg0", index: 7, kind: "wireguard", linkType: "none", flags: ["POINTOPOINT", "NOARP", "UP", "LOWER_UP"],
      addresses: [Address(T.interfaceAddress("100.66.0.1/24"))]),
    Interface(
      name: "eth3", index: 8, operState: "DOWN", flags: ["BROADCAST", "MULTICAST"],
      addresses: [Address(T.interfaceAddress("192.0.2.50/24"))]),
    Interface(name: "eth4", index: 9),
  ])

  @Test func containerBridgesTheirPortsTunnelsAndIdleInterfacesAreExcludedWithReasons() {
    guard let policy = T.resolve(nil, state: Self.busy) else { return }
    #expect(policy.uplinks.map(\.device) == ["data", "mgmt"])
    #expect(
      policy.excluded.map { "\($0.name): \($0.reason)" } == [
        "br-0123abcd: container or VM bridge", "docker0: container or VM bridge", "eth3: interface is down",
        "eth4: no global address", "lo: loopback", "veth1a2b3c: port of container or VM bridge docker0",
        "wg0: wireguard tunnel",
      ])
  }

  @Test func includeMakesAnExcludedInterfaceAnAutoUplinkWhenItHasAGateway() {
    // A route through a gateway on wg0 names its gateway; docker0 has none, so it stays a local network.
    var state = Self.busy
    state.routes.append(
      Route(destination: T.prefix("100.67.0.0/16"), gateway: T.address("100.66.0.2"), device: "wg0"))
    guard let policy = T.resolve("auto\ninclude docker0\ninclude wg0", state: state) else { return }
    #expect(policy.uplinks.map(\.device) == ["data", "mgmt", "wg0"])
    #expect(policy.excluded.first { $0.name == "docker0" }?.reason == .noGateway)
    #expect(policy.diagnostics.map(\.description) == [])
  }

  @Test func aDeclaredUplinkWithoutAGatewayGetsItsTableAndAWarning() {
    guard let policy = T.resolve("auto\nuplink docker0 dev docker0", state: Self.busy) else { return }
    #expect(policy.uplinks.map(\.device) == ["data", "docker0", "mgmt"])
    // Without a gateway its address gets no source rule: the table could send nothing anywhere else.
    #expect(!policy.rules.contains { $0.selector.source == T.prefix("100.64.0.1/32") })
    #expect(
      policy.diagnostics.map(\.description) == [
        "p.conf:2:1: warning: no IPv4 gateway is known for docker0: table docker0 holds only its link routes"
          + " (name it with 'uplink docker0 dev docker0 via GATEWAY')"
      ])
  }

  @Test func includeCannotMakeAnUplinkOfAnInterfaceWithoutAnAddress() {
    guard let policy = T.resolve("auto\ninclude veth1a2b3c\ninclude eth4\ninclude lo", state: Self.busy) else { return }
    #expect(policy.uplinks.map(\.device) == ["data", "mgmt"])
    #expect(
      policy.excluded.filter { ["veth1a2b3c", "eth4", "lo"].contains($0.name) } == [
        ExcludedInterface(name: "eth4", reason: .noGlobalAddress), ExcludedInterface(name: "lo", reason: .loopback),
        ExcludedInterface(name: "veth1a2b3c", reason: .noGlobalAddress),
      ])
  }

  @Test func includeWithoutAutoMakesNoUplink() {
    guard let policy = T.resolve("include docker0", state: Self.busy) else { return }
    #expect(policy.uplinks == [])
  }

  @Test func anExcludedInterfaceMayStillBeDeclaredAnUplink() {
    guard let policy = T.resolve("uplink bridge dev docker0", state: Self.busy) else { return }
    #expect(policy.uplinks.map(\.device) == ["docker0"])
  }
}
