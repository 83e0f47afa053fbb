import Testing

@testable import PolrouteCore

/// Decoding of `ip -j` route, rule and address output, with iproute2 6.1's quirks.
struct IPOutputDecoderTests {
  /// A decoder with iproute2's default names only.
  let decoder = IPOutputDecoder()

  /// A prefix from test data.
  static func prefix(_ text: String) -> IPPrefix { IPPrefix(text)! }

  /// An address from test data.
  static func address(_ text: String) -> IPAddress { IPAddress(text)! }

  /// The routes in `json`, read as `ip -j route show table <table>` output.
  func routes(_ json: String, family: AddressFamily = .inet, table: UInt32 = RoutingTable.main) throws -> [Route] {
    try decoder.routes(Array(json.utf8), family: family, defaultTable: table, command: "ip -j route show")
  }

  /// The error decoding `json` as routes throws, or nil when it decodes.
  func routeError(_ json: String, family: AddressFamily = .inet) -> IPOutputError? {
    do {
      let bytes = Array(json.utf8)
      _ = try decoder.routes(bytes, family: family, defaultTable: RoutingTable.main, command: "ip -j route show")
      return nil
    } catch {
      return error
    }
  }

  /// The rules in `json`.
  func rules(_ json: String, family: AddressFamily = .inet) throws -> [Rule] {
    try decoder.rules(Array(json.utf8), family: family, command: "ip -j rule show")
  }

  /// The error decoding `json` as rules throws, or nil when it decodes.
  func ruleError(_ json: String, family: AddressFamily = .inet) -> IPOutputError? {
    do {
      _ = try decoder.rules(Array(json.utf8), family: family, command: "ip -j rule show")
      return nil
    } catch {
      return error
    }
  }

  /// The interfaces in `json`.
  func interfaces(_ json: String) throws -> [Interface] {
    try decoder.interfaces(Array(json.utf8), command: "ip -d -j addr show")
  }

  /// The error decoding `json` as interfaces throws, or nil when it decodes.
  func interfaceError(_ json: String) -> IPOutputError? {
    do {
      _ = try decoder.interfaces(Array(json.utf8), command: "ip -d -j addr show")
      return nil
    } catch {
      return error
    }
  }

  // MARK: Routes

  /// IPv4 route objects from `ip -j route show table 101` and the routes they stand for; routes without a
  /// `table` field belong to 101.
  static let ipv4Routes: [(String, Route)] = [
    (
      #"{"dst":"default","gateway":"198.51.100.1","dev":"mgmt","flags":[]}"#,
      Route(table: 101, destination: .defaultRoute(.inet), gateway: address("198.51.100.1"), device: "mgmt")
    ),
    (
      // A host route prints without /32; protocol absent means boot.
      #"{"dst":"192.0.2.5","gateway":"198.51.100.1","dev":"mgmt","flags":["onlink"]}"#,
      Route(
        table: 101, destination: prefix("192.0.2.5/32"), gateway: address("198.51.100.1"), device: "mgmt",
        protocolNumber: RouteProtocol.boot, flags: ["onlink"])
    ),
    (
      #"{"dst":"192.0.2.0/24","dev":"data","protocol":"kernel","scope":"link","prefsrc":"192.0.2.10","flags":[]}"#,
      Route(
        table: 101, destination: prefix("192.0.2.0/24"), device: "data", protocolNumber: RouteProtocol.kernel,
        scope: RouteScope.link, preferredSource: address("192.0.2.10"))
    ),
    (
      // A `table` field, here a name, wins over the table asked for.
      #"{"dst":"203.0.113.0/24","gateway":"198.51.100.1","dev":"mgmt","table":"main","protocol":"177","metric":50,"#
        + #""flags":[]}"#,
      Route(
        table: RoutingTable.main, destination: prefix("203.0.113.0/24"), gateway: address("198.51.100.1"),
        device: "mgmt", protocolNumber: RouteProtocol.polroute, metric: 50)
    ),
    (
      #"{"dst":"203.0.113.0/24","dev":"data","table":"102","protocol":"dhcp","metric":100,"flags":[]}"#,
      Route(
        table: 102, destination: prefix("203.0.113.0/24"), device: "data", protocolNumber: RouteProtocol.dhcp,
        metric: 100)
    ),
    (
      #"{"dst":"198.51.100.0/24","dev":"data","protocol":"static","flags":[]}"#,
      Route(
        table: 101, destination: prefix("198.51.100.0/24"), device: "data", protocolNumber: RouteProtocol.staticRoute)
    ),
    (
      #"{"type":"blackhole","dst":"198.51.100.0/24","flags":[]}"#,
      Route(table: 101, type: .blackhole, destination: prefix("198.51.100.0/24"))
    ),
    (
      #"{"type":"unreachable","dst":"100.64.0.0/10","metric":4278198272,"flags":[]}"#,
      Route(table: 101, type: .unreachable, destination: prefix("100.64.0.0/10"), metric: 4_278_198_272)
    ),
    (
      #"{"type":"prohibit","dst":"192.0.2.128/25","flags":[]}"#,
      Route(table: 101, type: .prohibit, destination: prefix("192.0.2.128/25"))
    ),
    (
      #"{"type":"throw","dst":"203.0.113.0/24","flags":[]}"#,
      Route(table: 101, type: .throw, destination: prefix("203.0.113.0/24"))
    ),
    (
      #"{"type":"local","dst":"192.0.2.10","dev":"data","table":"local","protocol":"kernel","scope":"host","#
        + #""prefsrc":"192.0.2.10","flags":[]}"#,
      Route(
        table: RoutingTable.local, type: .local, destination: prefix("192.0.2.10/32"), device: "data",
        protocolNumber: RouteProtocol.kernel, scope: RouteScope.host, preferredSource: address("192.0.2.10"))
    ),
    (
      #"{"type":"broadcast","dst":"192.0.2.255","dev":"data","table":"local","protocol":"kernel","scope":"link","#
        + #""prefsrc":"192.0.2.10","flags":[]}"#,
      Route(
        table: RoutingTable.local, type: .broadcast, destination: prefix("192.0.2.255/32"), device: "data",
        protocolNumber: RouteProtocol.kernel, scope: RouteScope.link, preferredSource: address("192.0.2.10"))
    ),
    (
      // Multipath: no gateway or device of its own, a next hop each.
      #"{"dst":"100.64.1.0/24","flags":[],"nexthops":[{"gateway":"198.51.100.1","dev":"mgmt","weight":1,"flags":[]},"#
        + #"{"gateway":"203.0.113.1","dev":"data","weight":2,"flags":[]}]}"#,
      Route(
        table: 101, destination: prefix("100.64.1.0/24"),
        nexthops: [
          Nexthop(gateway: address("198.51.100.1"), device: "mgmt", weight: 1),
          Nexthop(gateway: address("203.0.113.1"), device: "data", weight: 2),
        ])
    ),
    (
      // Next-hop flags come out sorted; a missing weight is 1.
      #"{"dst":"100.64.2.0/24","nexthops":[{"dev":"data","flags":["onlink","dead"]},{"via":{"family":"inet6","#
        + #""host":"2001:db8::1"},"dev":"mgmt","weight":5}],"flags":[]}"#,
      Route(
        table: 101, destination: prefix("100.64.2.0/24"),
        nexthops: [
          Nexthop(device: "data", weight: 1, flags: ["dead", "onlink"]),
          Nexthop(gateway: address("2001:db8::1"), device: "mgmt", weight: 5),
        ])
    ),
    (
      // An IPv6 gateway for an IPv4 route (RFC 5549).
      #"{"dst":"default","via":{"family":"inet6","host":"2001:db8::1"},"dev":"data","flags":[]}"#,
      Route(table: 101, destination: .defaultRoute(.inet), gateway: address("2001:db8::1"), device: "data")
    ),
    (
      // Unknown fields of every kind are skipped; route flags come out sorted.
      #"{"dst":"198.51.100.0/24","dev":"data","metrics":[{"mtu":1400,"advmss":1360}],"encap":{"id":null,"x":[true,"#
        + #"-1.5]},"cache":[],"flags":["onlink","linkdown"]}"#,
      Route(table: 101, destination: prefix("198.51.100.0/24"), device: "data", flags: ["linkdown", "onlink"])
    ),
  ]

  /// Each IPv4 route decodes to exactly the expected value.
  @Test(arguments: ipv4Routes)
  func decodesIPv4Route(json: String, expected: Route) throws {
    let decoded = try routes("[" + json + "]", table: 101)
    #expect(decoded == [expected])
    #expect(decoded.first?.family == .inet)
  }

  /// IPv6 route objects from `ip -6 -j route show table 101`.
  static let ipv6Routes: [(String, Route)] = [
    (
      #"{"dst":"default","gateway":"2001:db8:b::1","dev":"data","protocol":"177","metric":1024,"flags":[],"#
        + #""pref":"medium"}"#,
      Route(
        table: 101, destination: .defaultRoute(.inet6), gateway: address("2001:db8:b::1"), device: "data",
        protocolNumber: RouteProtocol.polroute, metric: 1024)
    ),
    (
      #"{"dst":"2001:db8:a::/64","dev":"data","protocol":"kernel","metric":256,"flags":[],"pref":"medium"}"#,
      Route(
        table: 101, destination: prefix("2001:db8:a::/64"), device: "data", protocolNumber: RouteProtocol.kernel,
        metric: 256)
    ),
    (
      #"{"dst":"2001:db8:a::5","dev":"data","metric":1024,"flags":[],"pref":"medium"}"#,
      Route(table: 101, destination: prefix("2001:db8:a::5/128"), device: "data", metric: 1024)
    ),
    (
      #"{"dst":"2001:db8:c::/48","gateway":"fe80::1","dev":"mgmt","protocol":"ra","metric":1024,"expires":1795,"#
        + #""flags":[],"pref":"medium"}"#,
      Route(
        table: 101, destination: prefix("2001:db8:c::/48"), gateway: address("fe80::1"), device: "mgmt",
        protocolNumber: RouteProtocol.routerAdvertisement, metric: 1024, expires: 1795)
    ),
    (
      #"{"type":"multicast","dst":"ff00::/8","dev":"data","table":"local","protocol":"kernel","metric":256,"flags":[],"#
        + #""pref":"medium"}"#,
      Route(
        table: RoutingTable.local, type: .multicast, destination: prefix("ff00::/8"), device: "data",
        protocolNumber: RouteProtocol.kernel, metric: 256)
    ),
    (
      #"{"dst":"2001:db8:d::/48","metric":1024,"nexthops":[{"gateway":"fe80::1","dev":"data","weight":1,"flags":[]},"#
        + #"{"gateway":"fe80::2","dev":"mgmt","weight":3,"flags":["onlink"]}],"flags":[],"pref":"medium"}"#,
      Route(
        table: 101, destination: prefix("2001:db8:d::/48"), metric: 1024,
        nexthops: [
          Nexthop(gateway: address("fe80::1"), device: "data", weight: 1),
          Nexthop(gateway: address("fe80::2"), device: "mgmt", weight: 3, flags: ["onlink"]),
        ])
    ),
  ]

  /// Each IPv6 route decodes to exactly the expected value.
  @Test(arguments: ipv6Routes)
  func decodesIPv6Route(json: String, expected: Route) throws {
    let decoded = try routes("[" + json + "]", family: .inet6, table: 101)
    #expect(decoded == [expected])
    #expect(decoded.first?.family == .inet6)
  }

  /// A whole document keeps the order `ip` printed.
  @Test func decodesDocumentInOrder() throws {
    let json = #"""
      [{"dst":"default","gateway":"198.51.100.1","dev":"mgmt","protocol":"dhcp","metric":100,"flags":[]},
      {"dst":"198.51.100.0/24","dev":"mgmt","protocol":"kernel","scope":"link","prefsrc":"198.51.100.20","flags":[]},
      {"dst":"192.0.2.0/24","dev":"data","protocol":"kernel","scope":"link","prefsrc":"192.0.2.10","flags":[]}]
      """#
    let decoded = try routes(json)
    #expect(decoded.map(\.destination.routeText) == ["default", "198.51.100.0/24", "192.0.2.0/24"])
    #expect(decoded.map(\.table) == [254, 254, 254])
    #expect(decoded.map(\.protocolNumber) == [16, 2, 2])
  }

  /// `ip` prints nothing at all, or an empty array, for an empty table.
  @Test(arguments: ["", "[]", " \n", "[ ]\n"])
  func emptyOutput(json: String) throws {
    #expect(try routes(json).isEmpty)
    #expect(try rules(json).isEmpty)
    #expect(try interfaces(json).isEmpty)
  }

  /// Host names for tables and protocols come from the host's files.
  @Test func hostNames() throws {
    let entry = TableNameEntry(number: 102, name: "uplink2", file: "/etc/iproute2/rt_tables", line: 3)
    let names = RoutingTableNames([entry])
    let decoder = IPOutputDecoder(tableNames: names, extraProtocols: ["polroute": 177, "boot": 99])
    let json =
      #"[{"dst":"default","dev":"data","table":"uplink2","protocol":"polroute","flags":[]},"#
      + #"{"dst":"192.0.2.0/24","dev":"data","table":"0x66","protocol":"boot","flags":[]}]"#
    let decoded = try decoder.routes(Array(json.utf8), family: .inet, defaultTable: 254, command: "ip -j route")
    #expect(decoded.map(\.table) == [102, 102])
    // The host's rt_protos entries win over iproute2's defaults, as in `ip`.
    #expect(decoded.map(\.protocolNumber) == [177, 99])
  }

  /// Routes `ip` could not have printed, and the message the user sees.
  @Test(arguments: [
    (#"[{"dev":"data"}]"#, "`ip -j route show` printed dst '(missing)', which polroute cannot interpret"),
    (#"[{"dst":"192.0.2.0/33"}]"#, "`ip -j route show` printed dst '192.0.2.0/33', which polroute cannot interpret"),
    (#"[{"dst":"192.0.2.0/"}]"#, "`ip -j route show` printed dst '192.0.2.0/', which polroute cannot interpret"),
    (#"[{"dst":"192.0.2.0/x"}]"#, "`ip -j route show` printed dst '192.0.2.0/x', which polroute cannot interpret"),
    (#"[{"dst":"192.0.2"}]"#, "`ip -j route show` printed dst '192.0.2', which polroute cannot interpret"),
    (#"[{"dst":"2001:db8::/64"}]"#, "`ip -j route show` printed dst '2001:db8::/64', which polroute cannot interpret"),
    (
      #"[{"dst":"default","table":"nosuch"}]"#,
      "`ip -j route show` printed table 'nosuch', which polroute cannot interpret"
    ),
    (
      #"[{"dst":"default","protocol":"nosuch"}]"#,
      "`ip -j route show` printed protocol 'nosuch', which polroute cannot interpret"
    ),
    (
      #"[{"dst":"default","protocol":"300"}]"#,
      "`ip -j route show` printed protocol '300', which polroute cannot interpret"
    ),
    (
      #"[{"dst":"default","type":"weird"}]"#,
      "`ip -j route show` printed type 'weird', which polroute cannot interpret"
    ),
    (
      #"[{"dst":"default","scope":"galaxy"}]"#,
      "`ip -j route show` printed scope 'galaxy', which polroute cannot interpret"
    ),
    (
      #"[{"dst":"default","gateway":"198.51.100.256"}]"#,
      "`ip -j route show` printed gateway '198.51.100.256', which polroute cannot interpret"
    ),
    (
      #"[{"dst":"default","prefsrc":"fe80::1%data"}]"#,
      "`ip -j route show` printed prefsrc 'fe80::1%data', which polroute cannot interpret"
    ),
    (
      #"[{"dst":"default","metric":"x"}]"#,
      "`ip -j route show` printed invalid JSON at byte 30: field 'metric' should be a number"
    ),
    (#"[{"dst":"default"}"#, "`ip -j route show` printed truncated JSON"),
    (#"[{"dst":"default""#, "`ip -j route show` printed truncated JSON"),
    (#"[{"dst":"default"}] x"#, "`ip -j route show` printed invalid JSON at byte 20: found 'x', expected the end"),
    (#"{"dst":"default"}"#, "`ip -j route show` printed invalid JSON at byte 0: found '{', expected '['"),
    (
      #"[{"dst":"default"},]"#,
      "`ip -j route show` printed invalid JSON at byte 19: found ']', expected a route object"
    ),
    (
      #"[{"dst":"default" "dev":"data"}]"#,
      "`ip -j route show` printed invalid JSON at byte 18: found '\"', expected ',' or '}'"
    ),
  ])
  func refusesRoute(json: String, message: String) {
    #expect(routeError(json)?.description == message)
  }

  /// The error cases carry the command, field and value.
  @Test func routeErrorValues() {
    #expect(
      routeError(#"[{"dst":"default","table":"nosuch"}]"#)
        == .invalidValue(command: "ip -j route show", field: "table", value: "nosuch"))
    #expect(routeError(#"[{"dst":"default""#) == .json(command: "ip -j route show", error: .truncated))
  }

  // MARK: Rules

  /// Rule objects from `ip -j rule show` and the rules they stand for.
  static let ipv4Rules: [(String, Rule)] = [
    (
      #"{"priority":100,"not":null,"src":"all","dst":"192.0.2.0","dstlen":24,"tos":"0x10","fwmark":"0x10","#
        + #""fwmask":"0xff","iif":"data","oif":"mgmt","uid_start":100,"uid_end":200,"ipproto":"tcp","#
        + #""sport_start":1000,"sport_end":2000,"dport":2049,"table":"102"}"#,
      Rule(
        family: .inet, priority: 100,
        selector: RuleSelector(
          invert: true, source: nil, destination: prefix("192.0.2.0/24"), tos: 0x10, fwmark: 0x10, fwmask: 0xFF,
          inputInterface: "data", outputInterface: "mgmt", uidRange: NumberRange(100, 200), ipProtocol: 6,
          sourcePort: NumberRange(1000, 2000), destinationPort: NumberRange(2049)), action: .lookup(102))
    ),
    (
      #"{"priority":0,"src":"all","table":"local"}"#,
      Rule(family: .inet, priority: 0, action: .lookup(RoutingTable.local))
    ),
    (
      #"{"priority":32766,"src":"all","table":"main"}"#,
      Rule(family: .inet, priority: 32766, action: .lookup(RoutingTable.main))
    ),
    (
      #"{"priority":32767,"src":"all","table":"default"}"#,
      Rule(family: .inet, priority: 32767, action: .lookup(RoutingTable.defaultTable))
    ),
    (
      // A VRF rule looks up the device's table, which `ip` does not name.
      #"{"priority":1000,"src":"all","l3mdev":null}"#,
      Rule(family: .inet, priority: 1000, selector: RuleSelector(l3mdev: true), action: .lookup(RoutingTable.unspec))
    ),
    (
      #"{"priority":200,"src":"192.0.2.0","srclen":24,"action":"blackhole"}"#,
      Rule(family: .inet, priority: 200, selector: RuleSelector(source: prefix("192.0.2.0/24")), action: .blackhole)
    ),
    (
      #"{"priority":210,"src":"all","fwmark":"0x1","action":"unreachable"}"#,
      Rule(family: .inet, priority: 210, selector: RuleSelector(fwmark: 1), action: .unreachable)
    ),
    (
      #"{"priority":220,"src":"all","iif":"data","action":"prohibit"}"#,
      Rule(family: .inet, priority: 220, selector: RuleSelector(inputInterface: "data"), action: .prohibit)
    ),
    (
      #"{"priority":300,"src":"all","goto":32766}"#,
      Rule(family: .inet, priority: 300, action: .goto(32766))
    ),
    (
      #"{"priority":310,"src":"all","goto":320,"unresolved":null}"#,
      Rule(family: .inet, priority: 310, action: .goto(320))
    ),
    (
      #"{"priority":400,"src":"all","nop":null}"#,
      Rule(family: .inet, priority: 400, action: .nop)
    ),
    (
      // A source without srclen is a host; polroute's own protocol is kept.
      #"{"priority":500,"src":"192.0.2.10","table":"101","protocol":"177"}"#,
      Rule(
        family: .inet, priority: 500, selector: RuleSelector(source: prefix("192.0.2.10/32")), action: .lookup(101),
        protocolNumber: 177)
    ),
    (
      // `ip -d` prints kernel and unspec; plain `ip` hides them, so both read as none.
      #"{"priority":510,"src":"198.51.100.0","srclen":24,"table":"101","protocol":"kernel"}"#,
      Rule(
        family: .inet, priority: 510, selector: RuleSelector(source: prefix("198.51.100.0/24")), action: .lookup(101))
    ),
    (
      #"{"priority":511,"src":"all","table":"101","protocol":"unspec"}"#,
      Rule(family: .inet, priority: 511, action: .lookup(101))
    ),
    (
      #"{"priority":512,"src":"all","table":"101","protocol":"static"}"#,
      Rule(family: .inet, priority: 512, action: .lookup(101), protocolNumber: RouteProtocol.staticRoute)
    ),
    (
      #"{"priority":600,"src":"all","dst":"203.0.113.0","dstlen":24,"table":"main","suppress_prefixlen":0}"#,
      Rule(
        family: .inet, priority: 600, selector: RuleSelector(destination: prefix("203.0.113.0/24")),
        suppressPrefixLength: 0, action: .lookup(RoutingTable.main))
    ),
    (
      #"{"priority":700,"src":"all","ipproto":"udp","sport":53,"dport_start":8000,"dport_end":8080,"table":"101"}"#,
      Rule(
        family: .inet, priority: 700,
        selector: RuleSelector(ipProtocol: 17, sourcePort: NumberRange(53), destinationPort: NumberRange(8000, 8080)),
        action: .lookup(101))
    ),
    (
      // Without fwmask the mask is all ones, shown as none.
      #"{"priority":800,"src":"all","fwmark":"0x10","table":"101"}"#,
      Rule(family: .inet, priority: 800, selector: RuleSelector(fwmark: 0x10, fwmask: nil), action: .lookup(101))
    ),
    (
      // `%#llx` prints zero without the 0x.
      #"{"priority":810,"src":"all","fwmark":"0","fwmask":"0xff00","table":"101"}"#,
      Rule(family: .inet, priority: 810, selector: RuleSelector(fwmark: 0, fwmask: 0xFF00), action: .lookup(101))
    ),
    (
      #"{"priority":820,"src":"all","tos":"AF11","uid_start":1000,"uid_end":1000,"table":"101"}"#,
      Rule(
        family: .inet, priority: 820, selector: RuleSelector(tos: 0x28, uidRange: NumberRange(1000, 1000)),
        action: .lookup(101))
    ),
    (
      #"{"priority":830,"src":"all","iif":"data","iif_detached":null,"oif":"mgmt","oif_detached":null,"table":"101"}"#,
      Rule(
        family: .inet, priority: 830, selector: RuleSelector(inputInterface: "data", outputInterface: "mgmt"),
        action: .lookup(101))
    ),
  ]

  /// Each rule decodes to exactly the expected value.
  @Test(arguments: ipv4Rules)
  func decodesRule(json: String, expected: Rule) throws {
    #expect(try rules("[" + json + "]") == [expected])
  }

  /// The kernel's three default rules are recognised as such.
  @Test func kernelDefaults() throws {
    let json = #"""
      [{"priority":0,"src":"all","table":"local"},{"priority":32766,"src":"all","table":"main"},
      {"priority":32767,"src":"all","table":"default"}]
      """#
    let decoded = try rules(json)
    #expect(decoded.count == 3)
    #expect(decoded.map(\.isKernelDefault) == [true, true, true])
  }

  /// IPv6 rules.
  @Test func decodesIPv6Rules() throws {
    let json = #"""
      [{"priority":100,"src":"2001:db8:a::","srclen":48,"iif":"lo","table":"102"},
      {"priority":110,"src":"all","dst":"2001:db8:b::1","table":"102","protocol":"177"},
      {"priority":32766,"src":"all","table":"main"}]
      """#
    #expect(
      try rules(json, family: .inet6) == [
        Rule(
          family: .inet6, priority: 100,
          selector: RuleSelector(source: Self.prefix("2001:db8:a::/48"), inputInterface: "lo"), action: .lookup(102)),
        Rule(
          family: .inet6, priority: 110, selector: RuleSelector(destination: Self.prefix("2001:db8:b::1/128")),
          action: .lookup(102), protocolNumber: 177),
        Rule(family: .inet6, priority: 32766, action: .lookup(RoutingTable.main)),
      ])
  }

  /// Rules `ip` could not have printed, and the message the user sees.
  @Test(arguments: [
    (#"[{"priority":1,"src":"192.0.2.0","srclen":33,"table":"main"}]"#, "src '192.0.2.0/33'"),
    (#"[{"priority":1,"src":"192.0.2","table":"main"}]"#, "src '192.0.2'"),
    (#"[{"priority":1,"src":"all","dst":"2001:db8::","dstlen":32,"table":"main"}]"#, "dst '2001:db8::'"),
    (#"[{"priority":1,"src":"all","table":"nosuch"}]"#, "table 'nosuch'"),
    (#"[{"priority":1,"src":"all","action":"masquerade"}]"#, "action 'masquerade'"),
    (#"[{"priority":1,"src":"all","ipproto":"nosuch","table":"main"}]"#, "ipproto 'nosuch'"),
    (#"[{"priority":1,"src":"all","fwmark":"0xZZ","table":"main"}]"#, "fwmark '0xZZ'"),
    (#"[{"priority":1,"src":"all","fwmark":"1","fwmask":"0x","table":"main"}]"#, "fwmask '0x'"),
    (#"[{"priority":1,"src":"all","tos":"0x100","table":"main"}]"#, "tos '0x100'"),
    (#"[{"priority":1,"src":"all","tos":"lowdelay-ish","table":"main"}]"#, "tos 'lowdelay-ish'"),
    (#"[{"priority":1,"src":"all","protocol":"nosuch","table":"main"}]"#, "protocol 'nosuch'"),
  ])
  func refusesRule(json: String, what: String) {
    #expect(ruleError(json)?.description == "`ip -j rule show` printed \(what), which polroute cannot interpret")
  }

  /// An IPv4 source in an IPv6 rule dump is refused.
  @Test func refusesFamilyMismatch() {
    #expect(
      ruleError(#"[{"priority":1,"src":"192.0.2.0","srclen":24,"table":"main"}]"#, family: .inet6)
        == .invalidValue(command: "ip -j rule show", field: "src", value: "192.0.2.0"))
  }

  // MARK: Interfaces and addresses

  /// A realistic `ip -d -j addr show` dump: loopback, a link with every address kind, a VRF and its member.
  static let addrShow = #"""
    [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue",
    "operstate":"UNKNOWN","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00",
    "broadcast":"00:00:00:00:00:00","promiscuity":0,"min_mtu":0,"max_mtu":0,"inet6_addr_gen_mode":"eui64",
    "num_tx_queues":1,"num_rx_queues":1,"gso_max_size":65536,"gso_max_segs":65535,"addr_info":[{"family":"inet",
    "local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,
    "preferred_life_time":4294967295},{"family":"inet6","local":"::1","prefixlen":128,"scope":"host",
    "valid_life_time":4294967295,"preferred_life_time":4294967295}]},
    {"ifindex":2,"ifname":"data","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"mq",
    "master":"vrf-blue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether",
    "address":"02:00:00:00:00:02","broadcast":"ff:ff:ff:ff:ff:ff","promiscuity":0,"linkinfo":{"info_slave_kind":"vrf",
    "info_slave_data":{"table":1001}},"altnames":["enp1s0"],"addr_info":[{"family":"inet","local":"192.0.2.10",
    "prefixlen":24,"broadcast":"192.0.2.255","scope":"global","label":"data","valid_life_time":4294967295,
    "preferred_life_time":4294967295},{"family":"inet","local":"192.0.2.11","prefixlen":24,"scope":"global",
    "secondary":true,"label":"data:1","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet",
    "local":"203.0.113.50","prefixlen":24,"broadcast":"203.0.113.255","scope":"global","dynamic":true,
    "noprefixroute":true,"label":"data","valid_life_time":86012,"preferred_life_time":86012},{"family":"inet6",
    "local":"2001:db8:a::10","prefixlen":64,"scope":"global","dynamic":true,"mngtmpaddr":true,"noprefixroute":true,
    "valid_life_time":86396,"preferred_life_time":14396},{"family":"inet6","local":"2001:db8:a::11","prefixlen":64,
    "scope":"global","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6",
    "local":"fe80::2","prefixlen":64,"scope":"link","valid_life_time":4294967295,"preferred_life_time":4294967295},{}]},
    {"ifindex":3,"ifname":"vrf-blue","flags":["NOARP","MASTER","UP","LOWER_UP"],"mtu":65575,"operstate":"UP",
    "link_type":"ether","linkinfo":{"info_kind":"vrf","info_data":{"table":1001}},"addr_info":[]},
    {"ifindex":4,"ifname":"tun0","flags":["POINTOPOINT","NOARP","UP","LOWER_UP"],"mtu":1476,"operstate":"UNKNOWN",
    "link":null,"link_type":"none","linkinfo":{"info_kind":"gre","info_data":{"remote":"198.51.100.9",
    "local":"192.0.2.10","ttl":64}},"addr_info":[{"family":"inet","local":"100.64.0.1","address":"100.64.0.2",
    "prefixlen":32,"scope":"global","label":"tun0","valid_life_time":4294967295,"preferred_life_time":4294967295},
    {"family":"inet","local":"100.64.1.1","address":"100.64.1.1","prefixlen":30,"scope":"global","secondary":false,
    "label":"tun0","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]
    """#

  /// The dump decodes to exactly the expected interfaces.
  @Test func decodesAddrShow() throws {
    func address(_ text: String) -> InterfaceAddress { try! InterfaceAddress(parsing: text) }
    let expected = [
      Interface(
        name: "lo", index: 1, linkType: "loopback", operState: "UNKNOWN", flags: ["LOOPBACK", "UP", "LOWER_UP"],
        mtu: 65536,
        addresses: [
          Address(address("127.0.0.1/8"), scope: "host", label: "lo"),
          Address(address("::1/128"), scope: "host"),
        ]),
      Interface(
        name: "data", index: 2, linkType: "ether", operState: "UP",
        flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
        master: "vrf-blue", mtu: 1500,
        addresses: [
          Address(address("192.0.2.10/24"), label: "data"),
          Address(address("192.0.2.11/24"), flags: [.secondary], label: "data:1"),
          Address(
            address("203.0.113.50/24"), flags: [.dynamic, .noPrefixRoute], label: "data", validLifetime: 86012,
            preferredLifetime: 86012),
          Address(
            address("2001:db8:a::10/64"), flags: [.dynamic, .managedTemporary, .noPrefixRoute], validLifetime: 86396,
            preferredLifetime: 14396),
          Address(address("2001:db8:a::11/64"), flags: [.tentative]),
          Address(address("fe80::2/64"), scope: "link"),
        ]),
      Interface(
        name: "vrf-blue", index: 3, kind: "vrf", linkType: "ether", operState: "UP",
        flags: ["NOARP", "MASTER", "UP", "LOWER_UP"], mtu: 65575),
      Interface(
        name: "tun0", index: 4, kind: "gre", linkType: "none", operState: "UNKNOWN",
        flags: ["POINTOPOINT", "NOARP", "UP", "LOWER_UP"], mtu: 1476,
        addresses: [
          Address(address("100.64.0.1/32"), peer: address("100.64.0.2/32"), label: "tun0"),
          // A peer equal to the local address is no peer; a flag printed false is not set.
          Address(address("100.64.1.1/30"), label: "tun0"),
        ]),
    ]
    let decoded = try interfaces(Self.addrShow)
    #expect(decoded.count == expected.count)
    for (got, want) in zip(decoded, expected) {
      #expect(got == want, "interface \(want.name)")
    }
    // Only the tentative-free global addresses count, IPv4 first.
    #expect(
      decoded[1].globalAddresses.map(\.address.description) == [
        "192.0.2.10/24", "192.0.2.11/24", "203.0.113.50/24", "2001:db8:a::10/64", "2001:db8:a::11/64",
      ])
  }

  /// Links and addresses `ip` could not have printed.
  @Test(arguments: [
    (
      #"[{"ifindex":5,"flags":[]}]"#,
      "`ip -d -j addr show` printed ifname '(missing)', which polroute cannot interpret"
    ),
    (
      #"[{"ifname":"data","addr_info":[{"family":"inet","local":"192.0.2.10","scope":"global"}]}]"#,
      "`ip -d -j addr show` printed addr_info 'an address without local or prefixlen', which polroute cannot interpret"
    ),
    (
      #"[{"ifname":"data","addr_info":[{"family":"inet","prefixlen":24}]}]"#,
      "`ip -d -j addr show` printed addr_info 'an address without local or prefixlen', which polroute cannot interpret"
    ),
    (
      #"[{"ifname":"data","addr_info":[{"family":"inet","local":"192.0.2.10","prefixlen":33}]}]"#,
      "`ip -d -j addr show` printed addr_info 'an address without local or prefixlen', which polroute cannot interpret"
    ),
    (
      #"[{"ifname":"data","addr_info":[{"family":"inet","local":"192.0.2.300","prefixlen":24}]}]"#,
      "`ip -d -j addr show` printed local '192.0.2.300', which polroute cannot interpret"
    ),
    (
      #"[{"ifname":"data","addr_info":[{"family":"inet","local":"192.0.2.10","prefixlen":24,"secondary":1}]}]"#,
      "`ip -d -j addr show` printed invalid JSON at byte 96: found '1', expected true, false or null"
    ),
  ])
  func refusesInterface(json: String, message: String) {
    #expect(interfaceError(json)?.description == message)
  }

  /// Counts beyond what an Int holds fail with an error naming the field, where converting them used to trap.
  @Test(arguments: [
    ("rule", #"[{"priority":1,"src":"192.0.2.0","srclen":18446744073709551615,"table":"main"}]"#, "srclen", 42),
    (
      "rule", #"[{"priority":1,"src":"all","dst":"192.0.2.0","dstlen":9223372036854775808,"table":"main"}]"#,
      "dstlen", 54
    ),
    ("route", #"[{"dst":"192.0.2.0/24","nexthops":[{"dev":"data","weight":9223372036854775808}]}]"#, "weight", 58),
    ("link", #"[{"ifindex":9223372036854775808,"ifname":"data"}]"#, "ifindex", 12),
    ("link", #"[{"ifname":"data","mtu":18446744073709551615}]"#, "mtu", 24),
    (
      "link",
      #"[{"ifname":"data","addr_info":[{"family":"inet","local":"192.0.2.10","prefixlen":9223372036854775808}]}]"#,
      "prefixlen", 81
    ),
  ])
  func refusesCountsBeyondInt(kind: String, json: String, field: String, offset: Int) {
    let error: IPOutputError?
    let command: String
    switch kind {
    case "rule": (error, command) = (ruleError(json), "ip -j rule show")
    case "route": (error, command) = (routeError(json), "ip -j route show")
    default: (error, command) = (interfaceError(json), "ip -d -j addr show")
    }
    let expected = JSONScanError.wrongType(field: field, offset: offset, expected: "a smaller number")
    #expect(error == .json(command: command, error: expected))
  }

  /// The largest counts that do fit still reach the checks that refuse them.
  @Test func largeCountsReachRangeChecks() {
    #expect(
      ruleError(#"[{"priority":1,"src":"192.0.2.0","srclen":9223372036854775807,"table":"main"}]"#)
        == .invalidValue(command: "ip -j rule show", field: "src", value: "192.0.2.0/9223372036854775807"))
    #expect(
      interfaceError(
        #"[{"ifname":"data","addr_info":[{"family":"inet","local":"192.0.2.10","prefixlen":4294967296}]}]"#)
        == .invalidValue(
          command: "ip -d -j addr show", field: "addr_info", value: "an address without local or prefixlen"))
  }

  // MARK: Messages and helpers

  /// Every error case's message.
  @Test(arguments: [
    (IPOutputError.json(command: "ip -j rule show", error: .truncated), "`ip -j rule show` printed truncated JSON"),
    (
      .json(command: "ip -j rule show", error: .unexpected(byte: UInt8(ascii: "x"), offset: 12, expected: "a key")),
      "`ip -j rule show` printed invalid JSON at byte 12: found 'x', expected a key"
    ),
    (
      .json(command: "ip -j rule show", error: .wrongType(field: "priority", offset: 3, expected: "a number")),
      "`ip -j rule show` printed invalid JSON at byte 3: field 'priority' should be a number"
    ),
    (
      .invalidValue(command: "ip -j rule show", field: "table", value: "nosuch"),
      "`ip -j rule show` printed table 'nosuch', which polroute cannot interpret"
    ),
  ])
  func messages(error: IPOutputError, message: String) {
    #expect(error.description == message)
  }

  /// tos/dsfield text: hex as `ip` prints it, or a DiffServ name.
  @Test(arguments: [
    ("0x10", UInt8(0x10) as UInt8?), ("0x00", 0), ("0xff", 0xFF), ("0XB8", 0xB8), ("16", 16), ("EF", 0xB8),
    ("CS1", 0x20), ("AF43", 0x98), ("0x100", nil), ("256", nil), ("", nil), ("ef", nil), ("0x", nil),
  ])
  func dsfield(text: String, value: UInt8?) {
    #expect(NumberText.dsfield(text) == value)
  }
}
