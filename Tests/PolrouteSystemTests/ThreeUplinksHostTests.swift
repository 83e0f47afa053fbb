import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/three-uplinks: three gateways in main told apart by metric, one of them onlink to a /32, and
/// a multipath route.
@Suite struct ThreeUplinksHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("three-uplinks").state

    #expect(state.hostname == "polroute-test-three-uplinks")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "eth0", index: 2,
          addresses: [Address(address("198.51.100.10/24"), label: "eth0"), linkLocal("fe80::ff:fe00:1")]),
        upLink(
          "eth1", index: 3,
          addresses: [Address(address("203.0.113.10/24"), label: "eth1"), linkLocal("fe80::ff:fe00:2")]),
        upLink(
          "eth2", index: 4,
          addresses: [Address(address("100.64.0.10/32"), label: "eth2"), linkLocal("fe80::ff:fe00:3")]),
      ])
    #expect(RecordedHost.tables(state) == [254])
    // A /32 adds no prefix route: eth2's gateway is reachable only because the default is onlink.
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(
          destination: default4, gateway: ip("198.51.100.1"), device: "eth0", protocolNumber: RouteProtocol.boot,
          metric: 100),
        Route(
          destination: default4, gateway: ip("203.0.113.1"), device: "eth1", protocolNumber: RouteProtocol.boot,
          metric: 200),
        Route(
          destination: default4, gateway: ip("100.64.0.1"), device: "eth2", protocolNumber: RouteProtocol.boot,
          metric: 300, flags: ["onlink"]),
        Route(
          destination: prefix("192.0.2.0/24"), protocolNumber: RouteProtocol.staticRoute,
          nexthops: [
            Nexthop(gateway: ip("198.51.100.1"), device: "eth0", weight: 1),
            Nexthop(gateway: ip("203.0.113.1"), device: "eth1", weight: 3),
          ]),
        kernelRoute("198.51.100.0/24", device: "eth0", source: "198.51.100.10"),
        kernelRoute("203.0.113.0/24", device: "eth1", source: "203.0.113.10"),
      ])
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        kernelRoute6("fe80::/64", device: "eth0"),
        kernelRoute6("fe80::/64", device: "eth1"),
        kernelRoute6("fe80::/64", device: "eth2"),
      ])
    #expect(state.routes.count == 9)
    let multipath = state.routes.first { $0.destination == prefix("192.0.2.0/24") }
    #expect(multipath?.devices == ["eth0", "eth1"])
    #expect(multipath?.gateways == [ip("198.51.100.1"), ip("203.0.113.1")])
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    #expect(
      state.rpFilter
        == ReversePathFilter(all: 0, defaultValue: 2, interfaces: ["lo": 2, "eth0": 2, "eth1": 2, "eth2": 2]))
    #expect(state.rpFilter.effective(for: "eth2") == 2)
  }
}
