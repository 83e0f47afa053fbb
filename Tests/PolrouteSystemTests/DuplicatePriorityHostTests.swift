import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/duplicate-priority: two rules share priority 1000 in each family.
@Suite struct DuplicatePriorityHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("duplicate-priority").state
    let staticRoute = RouteProtocol.staticRoute

    #expect(state.hostname == "polroute-test-duplicate-priority")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "eth0", index: 2,
          addresses: [
            Address(address("198.51.100.10/24"), label: "eth0"),
            Address(address("2001:db8:a::10/64"), flags: [.noDAD]),
            linkLocal("fe80::ff:fe00:1"),
          ]),
        upLink(
          "eth1", index: 3,
          addresses: [
            Address(address("203.0.113.10/24"), label: "eth1"),
            Address(address("2001:db8:d::10/64"), flags: [.noDAD]),
            linkLocal("fe80::ff:fe00:2"),
          ]),
      ])
    // Same priority, kept in the order they were added.
    #expect(
      state.rules == [
        Rule(family: .inet, priority: 0, action: .lookup(RoutingTable.local)),
        Rule(
          family: .inet, priority: 1000, selector: RuleSelector(source: prefix("198.51.100.10/32")),
          action: .lookup(101)),
        Rule(
          family: .inet, priority: 1000, selector: RuleSelector(source: prefix("203.0.113.10/32")), action: .lookup(102)
        ),
        Rule(family: .inet, priority: 32766, action: .lookup(RoutingTable.main)),
        Rule(family: .inet, priority: 32767, action: .lookup(RoutingTable.defaultTable)),
        Rule(family: .inet6, priority: 0, action: .lookup(RoutingTable.local)),
        Rule(
          family: .inet6, priority: 1000, selector: RuleSelector(source: prefix("2001:db8:a::10/128")),
          action: .lookup(101)),
        Rule(
          family: .inet6, priority: 1000, selector: RuleSelector(source: prefix("2001:db8:d::10/128")),
          action: .lookup(102)),
        Rule(family: .inet6, priority: 32766, action: .lookup(RoutingTable.main)),
      ])
    #expect(RecordedHost.tables(state) == [101, 102, 254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(destination: default4, gateway: ip("198.51.100.1"), device: "eth0", protocolNumber: RouteProtocol.boot),
        kernelRoute("198.51.100.0/24", device: "eth0", source: "198.51.100.10"),
        kernelRoute("203.0.113.0/24", device: "eth1", source: "203.0.113.10"),
      ])
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        kernelRoute6("2001:db8:a::/64", device: "eth0"),
        kernelRoute6("2001:db8:d::/64", device: "eth1"),
        kernelRoute6("fe80::/64", device: "eth0"),
        kernelRoute6("fe80::/64", device: "eth1"),
      ])
    #expect(
      state.routes(inTable: 101, family: .inet) == [
        Route(
          table: 101, destination: default4, gateway: ip("198.51.100.1"), device: "eth0", protocolNumber: staticRoute),
        Route(
          table: 101, destination: prefix("198.51.100.0/24"), device: "eth0", protocolNumber: staticRoute,
          scope: RouteScope.link, preferredSource: ip("198.51.100.10")),
      ])
    #expect(
      state.routes(inTable: 102, family: .inet) == [
        Route(
          table: 102, destination: default4, gateway: ip("203.0.113.1"), device: "eth1", protocolNumber: staticRoute),
        Route(
          table: 102, destination: prefix("203.0.113.0/24"), device: "eth1", protocolNumber: staticRoute,
          scope: RouteScope.link, preferredSource: ip("203.0.113.10")),
      ])
    #expect(
      state.routes(inTable: 101, family: .inet6) == [
        Route(
          table: 101, destination: prefix("2001:db8:a::/64"), device: "eth0", protocolNumber: staticRoute,
          metric: 1024),
        Route(
          table: 101, destination: default6, gateway: ip("2001:db8:a::1"), device: "eth0", protocolNumber: staticRoute,
          metric: 1024),
      ])
    #expect(
      state.routes(inTable: 102, family: .inet6) == [
        Route(
          table: 102, destination: prefix("2001:db8:d::/64"), device: "eth1", protocolNumber: staticRoute,
          metric: 1024),
        Route(
          table: 102, destination: default6, gateway: ip("2001:db8:d::1"), device: "eth1", protocolNumber: staticRoute,
          metric: 1024),
      ])
    #expect(state.routes.count == 15)
    #expect(state.rpFilter == ReversePathFilter(all: 0, defaultValue: 2, interfaces: ["lo": 2, "eth0": 2, "eth1": 2]))
  }
}
