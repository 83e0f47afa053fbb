import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/policy-tables: named tables 101 mgmt and 102 data, source rules, a fwmark rule, a rule
/// to an empty table, reject routes and rules, some marked with polroute's protocol 177 and some not.
@Suite struct PolicyTablesHostTests {
  static let polroute = RouteProtocol.polroute

  @Test func readsInterfacesAndNames() throws {
    let state = try RecordedHost.read("policy-tables").state

    #expect(state.hostname == "polroute-test-policy-tables")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(
      state.tableNames
        == RecordedHost.debianTableNames + [
          TableNameEntry(number: 101, name: "mgmt", file: "/etc/iproute2/rt_tables.d/uplinks.conf", line: 2),
          TableNameEntry(number: 102, name: "data", file: "/etc/iproute2/rt_tables.d/uplinks.conf", line: 3),
        ])
    #expect(state.protocolNames == [:])
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "mgmt", index: 2,
          addresses: [Address(address("198.51.100.10/24"), label: "mgmt"), linkLocal("fe80::ff:fe00:1")]),
        upLink(
          "data", index: 3,
          addresses: [
            Address(address("203.0.113.10/24"), label: "data"),
            Address(address("2001:db8:d::10/64"), flags: [.noDAD]),
            linkLocal("fe80::ff:fe00:2"),
          ]),
      ])
    // all 2 wins over the interfaces' own 0 and 1.
    #expect(
      state.rpFilter == ReversePathFilter(all: 2, defaultValue: 1, interfaces: ["lo": 1, "mgmt": 0, "data": 1]))
    #expect(state.rpFilter.effective(for: "mgmt") == 2)
    #expect(state.rpFilter.effective(for: "data") == 2)
  }

  @Test func readsRules() throws {
    let state = try RecordedHost.read("policy-tables").state
    let polroute = Self.polroute

    #expect(
      state.rules == [
        Rule(family: .inet, priority: 0, action: .lookup(RoutingTable.local)),
        Rule(family: .inet, priority: 900, suppressPrefixLength: 0, action: .lookup(RoutingTable.main)),
        Rule(
          family: .inet, priority: 1000, selector: RuleSelector(source: prefix("198.51.100.10/32")),
          action: .lookup(101), protocolNumber: polroute),
        Rule(
          family: .inet, priority: 1001, selector: RuleSelector(source: prefix("203.0.113.10/32")), action: .lookup(102)
        ),
        Rule(
          family: .inet, priority: 1100, selector: RuleSelector(fwmark: 0x2, fwmask: 0xff), action: .lookup(102),
          protocolNumber: polroute),
        Rule(
          family: .inet, priority: 1200, selector: RuleSelector(source: prefix("100.64.0.0/10")), action: .lookup(103)),
        Rule(family: .inet, priority: 1300, selector: RuleSelector(inputInterface: "data"), action: .lookup(102)),
        Rule(
          family: .inet, priority: 1400, selector: RuleSelector(destination: prefix("192.0.2.0/24")), action: .prohibit,
          protocolNumber: polroute),
        Rule(family: .inet, priority: 32766, action: .lookup(RoutingTable.main)),
        Rule(family: .inet, priority: 32767, action: .lookup(RoutingTable.defaultTable)),
        Rule(family: .inet6, priority: 0, action: .lookup(RoutingTable.local)),
        Rule(
          family: .inet6, priority: 1001, selector: RuleSelector(source: prefix("2001:db8:d::10/128")),
          action: .lookup(102), protocolNumber: polroute),
        Rule(family: .inet6, priority: 32766, action: .lookup(RoutingTable.main)),
      ])
    #expect(state.tablesNamedByRules == [101, 102, 103, 254])
  }

  @Test func readsMainAndEveryTableRulesPointTo() throws {
    let state = try RecordedHost.read("policy-tables").state
    let polroute = Self.polroute

    // Table 103, which rule 1200 points to, holds no routes.
    #expect(RecordedHost.tables(state) == [101, 102, 254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(destination: default4, gateway: ip("198.51.100.1"), device: "mgmt", protocolNumber: RouteProtocol.boot),
        kernelRoute("198.51.100.0/24", device: "mgmt", source: "198.51.100.10"),
        kernelRoute("203.0.113.0/24", device: "data", source: "203.0.113.10"),
      ])
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        kernelRoute6("2001:db8:d::/64", device: "data"),
        kernelRoute6("fe80::/64", device: "mgmt"),
        kernelRoute6("fe80::/64", device: "data"),
      ])
    #expect(
      state.routes(inTable: 101, family: .inet) == [
        Route(table: 101, destination: default4, gateway: ip("198.51.100.1"), device: "mgmt", protocolNumber: polroute),
        Route(table: 101, type: .unreachable, destination: default4, protocolNumber: polroute, metric: 4_278_198_272),
        Route(
          table: 101, destination: prefix("198.51.100.0/24"), device: "mgmt", protocolNumber: polroute,
          scope: RouteScope.link, preferredSource: ip("198.51.100.10")),
      ])
    // The kernel attaches IPv6 reject routes to lo whatever device was given (`ip` prints `"dev":"lo"`); like the
    // IPv4 ones, they have no device.
    #expect(
      state.routes(inTable: 101, family: .inet6) == [
        Route(table: 101, type: .unreachable, destination: default6, protocolNumber: polroute, metric: 4_278_198_272)
      ])
    #expect(
      state.routes(inTable: 102, family: .inet) == [
        Route(
          table: 102, destination: default4, gateway: ip("203.0.113.1"), device: "data",
          protocolNumber: RouteProtocol.boot),
        Route(
          table: 102, type: .blackhole, destination: prefix("192.0.2.0/24"),
          protocolNumber: RouteProtocol.staticRoute),
        Route(
          table: 102, destination: prefix("203.0.113.0/24"), device: "data", protocolNumber: RouteProtocol.boot,
          scope: RouteScope.link, preferredSource: ip("203.0.113.10")),
      ])
    #expect(
      state.routes(inTable: 102, family: .inet6) == [
        Route(
          table: 102, destination: prefix("2001:db8:d::/64"), device: "data", protocolNumber: polroute, metric: 1024),
        Route(
          table: 102, type: .blackhole, destination: prefix("2001:db8:bad::/48"),
          protocolNumber: RouteProtocol.staticRoute, metric: 1024),
        Route(
          table: 102, destination: default6, gateway: ip("2001:db8:d::1"), device: "data", protocolNumber: polroute,
          metric: 1024),
      ])
    #expect(state.routes(inTable: 103) == [])
    #expect(state.routes.count == 16)
  }

  /// Rules pointing at tables change nothing in what is run: the batches read every table at once.
  @Test func readsEveryTableInOneRound() throws {
    let log = try RecordedHost.read("policy-tables").runner.log
    #expect(Set(log) == RecordedHost.readCommands)
    #expect(log.count == 3)
  }
}
