import Testing

@testable import PolrouteCore

/// The policy parser on valid input: every statement form gives the exact AST, with positions.
struct PolicyParserTests {
  typealias T = PolicyTesting

  // MARK: uplink

  @Test func uplinkWithEveryOption() {
    let statements = T.statements("uplink isp1 dev eth0 table 100 via 192.0.2.1 via6 2001:db8::1 onlink")
    let expected = UplinkStatement(
      location: T.at(1, 1), name: T.located("isp1", 1, 8), device: T.located("eth0", 1, 17),
      table: T.located(100, 1, 28), via: T.located(T.address("192.0.2.1"), 1, 36),
      via6: T.located(T.address("2001:db8::1"), 1, 51), onlink: true)
    #expect(statements == [.uplink(expected)])
  }

  @Test func uplinkWithOnlyADevice() {
    let statements = T.statements("uplink isp1 dev eth0")
    let expected = UplinkStatement(
      location: T.at(1, 1), name: T.located("isp1", 1, 8), device: T.located("eth0", 1, 17), table: nil, via: nil,
      via6: nil, onlink: false)
    #expect(statements == [.uplink(expected)])
  }

  @Test func uplinkOptionsInAnyOrder() {
    let statements = T.statements("uplink isp1 onlink via6 fe80::1 table 7 dev eth0.100 via 198.51.100.1")
    let expected = UplinkStatement(
      location: T.at(1, 1), name: T.located("isp1", 1, 8), device: T.located("eth0.100", 1, 45),
      table: T.located(7, 1, 39), via: T.located(T.address("198.51.100.1"), 1, 58),
      via6: T.located(T.address("fe80::1"), 1, 25), onlink: true)
    #expect(statements == [.uplink(expected)])
  }

  @Test func uplinkNamesMayUseDotsDashesAndUnderscores() {
    let statements = T.statements("uplink _isp-1.a dev \"wan1\"")
    let expected = UplinkStatement(
      location: T.at(1, 1), name: T.located("_isp-1.a", 1, 8), device: T.located("wan1", 1, 21), table: nil,
      via: nil, via6: nil, onlink: false)
    #expect(statements == [.uplink(expected)])
  }

  // MARK: table

  @Test func tableWithAndWithoutANumber() {
    let statements = T.statements("table vpn\ntable backup 4294967295")
    #expect(
      statements == [
        .table(TableStatement(location: T.at(1, 1), name: T.located("vpn", 1, 7), number: nil)),
        .table(
          TableStatement(location: T.at(2, 1), name: T.located("backup", 2, 7), number: T.located(4_294_967_295, 2, 14))
        ),
      ])
  }

  // MARK: route

  @Test func routeWithEveryOption() {
    let route = T.route("route 192.0.2.0/24 via 198.51.100.1 dev mgmt onlink src 198.51.100.10 metric 5 table mgmt")
    let expected = RouteStatement(
      location: T.at(1, 1), type: .unicast, destination: T.located(T.prefix("192.0.2.0/24"), 1, 7),
      via: T.located(T.address("198.51.100.1"), 1, 24), device: T.located("mgmt", 1, 41), onlink: true,
      source: T.located(T.address("198.51.100.10"), 1, 57), metric: 5, table: T.located(.name("mgmt"), 1, 86))
    #expect(route == expected)
  }

  @Test func routeOptionsInAnyOrderAndATableByNumber() {
    let route = T.route("route 192.0.2.0/24 table 100 metric 0 dev mgmt via 198.51.100.1")
    let expected = RouteStatement(
      location: T.at(1, 1), type: .unicast, destination: T.located(T.prefix("192.0.2.0/24"), 1, 7),
      via: T.located(T.address("198.51.100.1"), 1, 52), device: T.located("mgmt", 1, 43), onlink: false,
      source: nil, metric: 0, table: T.located(.number(100), 1, 26))
    #expect(route == expected)
  }

  @Test func aBareAddressIsAHostRoute() {
    #expect(T.route("route 192.0.2.7 dev mgmt table x")?.destination == T.located(T.prefix("192.0.2.7/32"), 1, 7))
    #expect(T.route("route 2001:db8::7 dev mgmt table x")?.destination == T.located(T.prefix("2001:db8::7/128"), 1, 7))
  }

  @Test(arguments: [
    ("route default table x", "0.0.0.0/0"),
    ("route default via 198.51.100.1 table x", "0.0.0.0/0"),
    ("route default via 2001:db8::1 table x", "::/0"),
    ("route default src 2001:db8::10 table x", "::/0"),
    ("route default via fe80::1 src 198.51.100.10 table x", "::/0"),
  ])
  func defaultTakesTheFamilyOfTheGatewayElseOfTheSource(text: String, destination: String) {
    #expect(T.route(text)?.destination == T.located(T.prefix(destination), 1, 7))
  }

  @Test(arguments: [RouteType.blackhole, .unreachable, .prohibit, .throw])
  func routeTypes(type: RouteType) {
    let route = T.route("route \(type.rawValue) 2001:db8:1::/48 table 101")
    let expected = RouteStatement(
      location: T.at(1, 1), type: type, destination: T.located(T.prefix("2001:db8:1::/48"), 1, 8 + type.rawValue.count),
      via: nil, device: nil, onlink: false, source: nil, metric: nil,
      table: T.located(.number(101), 1, 30 + type.rawValue.count))
    #expect(route == expected)
  }

  @Test func unicastMayBeWrittenOut() {
    let route = T.route("route unicast 192.0.2.0/24 dev mgmt table x")
    #expect(route?.type == .unicast)
    #expect(route?.destination == T.located(T.prefix("192.0.2.0/24"), 1, 15))
    let json = PolicyJSON.parse(
      Array(#"{"routes": [{"type": "unicast", "to": "default", "table": "x"}]}"#.utf8), file: "p.json")
    #expect(json.diagnostics == [])
    #expect(json.document.statements.count == 1)
  }

  // MARK: rule

  @Test func ruleWithEverySelector() {
    let rule = T.rule(
      "rule not from 192.0.2.0/24 to 198.51.100.0/24 tos 0x10 fwmark 0x1/0xff iif eth0 oif eth1 uidrange 1000-2000"
        + " ipproto tcp sport 1024-65535 dport 443 suppress_prefixlength 0 lookup main priority 100")
    var expected = RuleStatement(location: T.at(1, 1))
    expected.selector = RuleSelector(
      invert: true, source: T.prefix("192.0.2.0/24"), destination: T.prefix("198.51.100.0/24"), tos: 0x10, fwmark: 1,
      fwmask: 0xFF, inputInterface: "eth0", outputInterface: "eth1", uidRange: NumberRange(1000, 2000), ipProtocol: 6,
      sourcePort: NumberRange(1024, 65535), destinationPort: NumberRange(443))
    expected.selectorLocations = [
      .source: T.at(1, 15), .destination: T.at(1, 31), .tos: T.at(1, 51), .inputInterface: T.at(1, 76),
      .outputInterface: T.at(1, 85),
    ]
    expected.suppressPrefixLength = 0
    expected.action = .lookup(T.located(.name("main"), 1, 179))
    expected.actionLocation = T.at(1, 172)
    expected.priority = T.located(100, 1, 193)
    #expect(rule == expected)
    #expect(rule?.families == [.inet])
  }

  @Test func ruleFromAllAndToAllSelectNothing() {
    var expected = RuleStatement(location: T.at(1, 1))
    expected.action = .lookup(T.located(.number(100), 1, 29))
    expected.actionLocation = T.at(1, 22)
    #expect(T.rule("rule from all to all lookup 100") == expected)
    #expect(expected.families == [.inet, .inet6])
  }

  @Test func tableIsAnAliasOfLookup() {
    #expect(T.rule("rule fwmark 1 table vpn")?.action == .lookup(T.located(.name("vpn"), 1, 21)))
    #expect(T.rule("rule fwmark 1 lookup vpn")?.action == .lookup(T.located(.name("vpn"), 1, 22)))
  }

  @Test(arguments: ["priority", "pref", "preference"])
  func priorityAliases(word: String) {
    let rule = T.rule("rule lookup main \(word) 32765")
    #expect(rule?.priority == T.located(32765, 1, 19 + word.count))
  }

  @Test(
    arguments: [
      ("tos 0x10", 0x10), ("tos 16", 16), ("dsfield 0xb8", 0xB8), ("dsfield EF", 0xB8), ("tos AF11", 0x28),
      ("tos CS7", 0xE0), ("dsfield 255", 255),
    ] as [(String, UInt8)])
  func tosAndDsfieldValues(words: String, value: UInt8) {
    #expect(T.rule("rule \(words) lookup main")?.selector.tos == value)
  }

  @Test(
    arguments: [
      ("fwmark 5", 5, nil), ("fwmark 0x10", 16, nil), ("fwmark 0x10/0xf0", 16, 0xF0), ("fwmark 1/255", 1, 255),
      ("fwmark 0xffffffff/0xFFFFFFFF", 0xFFFF_FFFF, 0xFFFF_FFFF),
    ] as [(String, UInt32, UInt32?)])
  func fwmarkValuesAndMasks(words: String, mark: UInt32, mask: UInt32?) {
    let rule = T.rule("rule \(words) lookup main")
    #expect(rule?.selector.fwmark == mark)
    #expect(rule?.selector.fwmask == mask)
  }

  @Test(
    arguments: [
      ("tcp", 6), ("udp", 17), ("icmp", 1), ("icmpv6", 58), ("ipv6-icmp", 58), ("sctp", 132), ("0", 0), ("255", 255),
    ] as [(String, UInt8)])
  func ipprotoNamesAndNumbers(name: String, number: UInt8) {
    #expect(T.rule("rule ipproto \(name) lookup main")?.selector.ipProtocol == number)
  }

  @Test func portsAndUidRanges() {
    let rule = T.rule("rule sport 0 dport 1000-1000 uidrange 0-4294967295 lookup main")
    #expect(rule?.selector.sourcePort == NumberRange(0))
    #expect(rule?.selector.destinationPort == NumberRange(1000))
    #expect(rule?.selector.uidRange == NumberRange(0, 4_294_967_295))
  }

  @Test(arguments: [
    ("blackhole", RuleStatementAction.blackhole), ("unreachable", .unreachable), ("prohibit", .prohibit), ("nop", .nop),
    ("goto 32766", .goto(32766)), ("goto 0", .goto(0)),
  ])
  func actionsWithoutATable(words: String, action: RuleStatementAction) {
    let rule = T.rule("rule fwmark 1 \(words)")
    #expect(rule?.action == action)
    #expect(rule?.actionLocation == T.at(1, 15))
  }

  @Test func l3mdevNeedsNoAction() {
    var expected = RuleStatement(location: T.at(1, 1))
    expected.selector.l3mdev = true
    expected.priority = T.located(1000, 1, 22)
    #expect(T.rule("rule l3mdev priority 1000") == expected)
  }

  @Test(arguments: [
    ("inet", AddressFamily.inet), ("ipv4", .inet), ("4", .inet), ("inet6", .inet6), ("ipv6", .inet6), ("6", .inet6),
  ])
  func familyNames(name: String, family: AddressFamily) {
    let rule = T.rule("rule fwmark 1 family \(name) lookup main")
    #expect(rule?.family == T.located(family, 1, 22))
    #expect(rule?.families == [family])
  }

  @Test func familiesComeFromTheAddressesFirst() {
    #expect(T.rule("rule to 2001:db8::/32 lookup main")?.families == [.inet6])
    #expect(T.rule("rule from 2001:db8::/32 family inet6 lookup main")?.families == [.inet6])
    let rule = T.rule("rule from 192.0.2.1 lookup main")
    #expect(rule?.selector.source == T.prefix("192.0.2.1/32"))
    #expect(rule?.selectorLocations[.source] == T.at(1, 11))
  }

  @Test func selectorsInAnyOrder() {
    let first = T.rule("rule priority 5 lookup 7 iif eth0 not")
    let second = T.rule("rule not iif eth0 lookup 7 priority 5")
    #expect(first?.selector.invert == true)
    #expect(first?.selector.inputInterface == "eth0")
    #expect(first?.action == .lookup(T.located(.number(7), 1, 24)))
    #expect(second?.action == .lookup(T.located(.number(7), 1, 26)))
    #expect(first?.priority?.value == 5)
    #expect(second?.priority?.value == 5)
  }

  // MARK: exclude, include, auto

  @Test func excludeIncludeAndAuto() {
    let parsed = T.parse("exclude eth1\ninclude \"docker0\"\nauto")
    #expect(parsed.messages == [])
    #expect(
      parsed.document
        == PolicyDocument(
          file: "p.conf",
          statements: [.exclude(T.located("eth1", 1, 9)), .include(T.located("docker0", 2, 9)), .auto(T.at(3, 1))]))
    #expect(parsed.document.isAuto)
  }

  @Test func aDocumentWithoutAutoIsNotAuto() {
    #expect(!T.parse("exclude eth1").document.isAuto)
    #expect(!T.parse("").document.isAuto)
  }

  // MARK: Whole files

  @Test func commentsBlankLinesAndContinuationsKeepTheRealPositions() {
    let text = """
      # uplinks
      uplink isp1 dev eth0   # first

      uplink isp2 \\
          dev "eth1" \\
          table 200
      route default \\
        via 192.0.2.1 table isp2
      """
    let statements = T.statements(text)
    #expect(
      statements == [
        .uplink(
          UplinkStatement(
            location: T.at(2, 1), name: T.located("isp1", 2, 8), device: T.located("eth0", 2, 17), table: nil, via: nil,
            via6: nil, onlink: false)),
        .uplink(
          UplinkStatement(
            location: T.at(4, 1), name: T.located("isp2", 4, 8), device: T.located("eth1", 5, 9),
            table: T.located(200, 6, 11), via: nil, via6: nil, onlink: false)),
        .route(
          RouteStatement(
            location: T.at(7, 1), type: .unicast, destination: T.located(T.prefix("0.0.0.0/0"), 7, 7),
            via: T.located(T.address("192.0.2.1"), 8, 7), device: nil, onlink: false, source: nil, metric: nil,
            table: T.located(.name("isp2"), 8, 23))),
      ])
  }

  @Test func statementsKeepFileOrder() {
    let statements = T.statements("auto\nrule fwmark 1 lookup main\ntable vpn\nexclude eth1\nuplink a dev eth0")
    let kinds = statements.map { statement -> String in
      switch statement {
      case .uplink: return "uplink"
      case .table: return "table"
      case .route: return "route"
      case .rule: return "rule"
      case .exclude: return "exclude"
      case .include: return "include"
      case .auto: return "auto"
      case .group(let group): return group.kind.rawValue
      }
    }
    #expect(kinds == ["auto", "rule", "table", "exclude", "uplink"])
  }

  @Test func theParserOfTokensReadsTokensFromAnywhere() {
    let tokens = [Token("exclude", at: T.at(7, 3)), Token("eth1", at: T.at(9, 4))]
    let parsed = PolicyParser.parse(statements: [tokens], file: "p.conf")
    #expect(parsed.document.statements == [.exclude(T.located("eth1", 9, 4))])
    #expect(parsed.diagnostics == [])
  }

  @Test("the keyword table names exactly the words each statement lists in its suggestions")
  func keywordsMatchTheWordLists() {
    #expect(StatementParser.uplinkKeywords.map(\.text) == StatementParser.uplinkWords)
    #expect(StatementParser.routeKeywords.map(\.text) == StatementParser.routeWords)
    #expect(Set(Keyword.allCases.filter(\.isRuleWord).map(\.text)) == Set(StatementParser.ruleWords))
    #expect(Keyword.named.count == Keyword.allCases.count)
    #expect(Keyword.named["suppress_prefixlength"] == .suppressPrefixLength)
  }
}
