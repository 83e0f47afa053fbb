import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/rule-selectors: every rule selector and action the kernel reports, reject route types, route
/// metrics, and polroute's protocol printed by name because rt_protos.d names it.
@Suite struct RuleSelectorsHostTests {
  @Test func readsEveryRuleShape() throws {
    let state = try RecordedHost.read("rule-selectors").state
    let polroute = RouteProtocol.polroute

    #expect(
      state.rules == [
        Rule(family: .inet, priority: 0, action: .lookup(RoutingTable.local)),
        Rule(
          family: .inet, priority: 100, selector: RuleSelector(invert: true, source: prefix("192.0.2.0/24")),
          action: .lookup(101)),
        Rule(
          family: .inet, priority: 110, selector: RuleSelector(destination: prefix("198.51.100.0/24")),
          action: .lookup(101)),
        Rule(family: .inet, priority: 120, selector: RuleSelector(tos: 0x10), action: .lookup(101)),
        Rule(family: .inet, priority: 130, selector: RuleSelector(fwmark: 0x10, fwmask: nil), action: .lookup(101)),
        Rule(family: .inet, priority: 140, selector: RuleSelector(inputInterface: "eth1"), action: .lookup(101)),
        Rule(family: .inet, priority: 141, selector: RuleSelector(outputInterface: "eth0"), action: .lookup(101)),
        Rule(
          family: .inet, priority: 150, selector: RuleSelector(uidRange: NumberRange(1000, 1999)), action: .lookup(101)),
        Rule(
          family: .inet, priority: 160, selector: RuleSelector(ipProtocol: 6, destinationPort: NumberRange(443)),
          action: .lookup(101)),
        Rule(
          family: .inet, priority: 161, selector: RuleSelector(ipProtocol: 17, sourcePort: NumberRange(1000, 2000)),
          action: .lookup(101)),
        Rule(
          family: .inet, priority: 162, selector: RuleSelector(ipProtocol: 6, destinationPort: NumberRange(8000, 8080)),
          action: .lookup(101)),
        Rule(
          family: .inet, priority: 170, selector: RuleSelector(source: prefix("198.51.100.10/32")), action: .goto(32766)
        ),
        Rule(family: .inet, priority: 180, action: .nop),
        Rule(family: .inet, priority: 190, selector: RuleSelector(source: prefix("192.0.2.0/24")), action: .blackhole),
        Rule(
          family: .inet, priority: 191, selector: RuleSelector(source: prefix("192.0.2.128/25")), action: .unreachable),
        Rule(family: .inet, priority: 200, suppressPrefixLength: 0, action: .lookup(RoutingTable.main)),
        Rule(
          family: .inet, priority: 210, selector: RuleSelector(source: prefix("198.51.100.10/32")),
          action: .lookup(101), protocolNumber: polroute),
        Rule(family: .inet, priority: 32766, action: .lookup(RoutingTable.main)),
        Rule(family: .inet, priority: 32767, action: .lookup(RoutingTable.defaultTable)),
        Rule(family: .inet6, priority: 0, action: .lookup(RoutingTable.local)),
        Rule(
          family: .inet6, priority: 100,
          selector: RuleSelector(source: prefix("2001:db8:a::/64"), destination: prefix("2001:db8:b::/64")),
          action: .lookup(101)),
        // rt_dsfield names 0x28 AF11, and ip prints the name.
        Rule(family: .inet6, priority: 110, selector: RuleSelector(tos: 0x28), action: .lookup(101)),
        Rule(family: .inet6, priority: 120, selector: RuleSelector(fwmark: 0x1, fwmask: 0x1), action: .lookup(101)),
        Rule(family: .inet6, priority: 130, selector: RuleSelector(ipProtocol: 58), action: .lookup(RoutingTable.main)),
        Rule(
          family: .inet6, priority: 140, selector: RuleSelector(invert: true, source: prefix("2001:db8:c::/48")),
          action: .prohibit),
        Rule(family: .inet6, priority: 32766, action: .lookup(RoutingTable.main)),
      ])
  }

  @Test func readsRoutesWithNamedProtocolAndRejectTypes() throws {
    let state = try RecordedHost.read("rule-selectors").state

    #expect(state.hostname == "polroute-test-rule-selectors")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    #expect(state.protocolNames == ["polroute": RouteProtocol.polroute])
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "eth0", index: 2,
          addresses: [Address(address("198.51.100.10/24"), label: "eth0"), linkLocal("fe80::ff:fe00:1")]),
        upLink(
          "eth1", index: 3,
          addresses: [Address(address("203.0.113.10/24"), label: "eth1"), linkLocal("fe80::ff:fe00:2")]),
      ])
    #expect(RecordedHost.tables(state) == [101, 254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(destination: default4, gateway: ip("198.51.100.1"), device: "eth0", protocolNumber: RouteProtocol.boot),
        kernelRoute("198.51.100.0/24", device: "eth0", source: "198.51.100.10"),
        kernelRoute("203.0.113.0/24", device: "eth1", source: "203.0.113.10"),
      ])
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        kernelRoute6("fe80::/64", device: "eth0"),
        kernelRoute6("fe80::/64", device: "eth1"),
      ])
    // `"protocol":"polroute"` is 177 again; the route metrics (mtu, advmss) are not kept.
    #expect(
      state.routes(inTable: 101, family: .inet) == [
        Route(
          table: 101, destination: default4, gateway: ip("198.51.100.1"), device: "eth0",
          protocolNumber: RouteProtocol.polroute),
        Route(table: 101, type: .throw, destination: prefix("192.0.2.0/24"), protocolNumber: RouteProtocol.boot),
        Route(
          table: 101, destination: prefix("198.51.100.128/25"), gateway: ip("198.51.100.1"), device: "eth0",
          protocolNumber: RouteProtocol.boot),
        Route(
          table: 101, type: .prohibit, destination: prefix("203.0.113.128/25"), protocolNumber: RouteProtocol.boot),
      ])
    #expect(state.routes(inTable: 101, family: .inet6) == [])
    #expect(state.routes.count == 9)
    #expect(state.rpFilter == ReversePathFilter(all: 0, defaultValue: 2, interfaces: ["lo": 2, "eth0": 2, "eth1": 2]))
  }
}
