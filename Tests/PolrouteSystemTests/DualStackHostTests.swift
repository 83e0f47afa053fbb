import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/dual-stack: IPv4 and IPv6 on two uplinks; real router advertisements gave both a `proto ra`
/// default via fe80::1 with the same metric and an expiry, and SLAAC addresses.
@Suite struct DualStackHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("dual-stack").state
    let routerAdvertisement = RouteProtocol.routerAdvertisement

    #expect(state.hostname == "polroute-test-dual-stack")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "mgmt", index: 2,
          addresses: [
            Address(address("198.51.100.10/24"), label: "mgmt"),
            Address(
              address("2001:db8:a::ff:fe00:1/64"), flags: [.dynamic, .managedTemporary], validLifetime: 2_592_000,
              preferredLifetime: 604_800),
            Address(address("2001:db8:a::10/64"), flags: [.noDAD]),
            linkLocal("fe80::ff:fe00:1"),
          ]),
        upLink(
          "data", index: 3,
          addresses: [
            Address(address("203.0.113.10/24"), label: "data"),
            Address(
              address("2001:db8:d::ff:fe00:2/64"), flags: [.dynamic, .managedTemporary], validLifetime: 2_592_000,
              preferredLifetime: 604_800),
            Address(address("2001:db8:d::10/64"), flags: [.noDAD]),
            linkLocal("fe80::ff:fe00:2"),
          ]),
      ])
    #expect(RecordedHost.tables(state) == [254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(destination: default4, gateway: ip("198.51.100.1"), device: "mgmt", protocolNumber: RouteProtocol.boot),
        kernelRoute("198.51.100.0/24", device: "mgmt", source: "198.51.100.10"),
        kernelRoute("203.0.113.0/24", device: "data", source: "203.0.113.10"),
      ])
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        kernelRoute6("2001:db8:a::/64", device: "mgmt"),
        kernelRoute6("2001:db8:d::/64", device: "data"),
        Route(
          destination: prefix("2001:db8:ffff::/48"), protocolNumber: RouteProtocol.boot, metric: 1024,
          nexthops: [
            Nexthop(gateway: ip("2001:db8:a::1"), device: "mgmt", weight: 1),
            Nexthop(gateway: ip("2001:db8:d::1"), device: "data", weight: 2),
          ]),
        kernelRoute6("fe80::/64", device: "mgmt"),
        kernelRoute6("fe80::/64", device: "data"),
        Route(
          destination: default6, gateway: ip("fe80::1"), device: "mgmt", protocolNumber: routerAdvertisement,
          metric: 1024, expires: 1800),
        Route(
          destination: default6, gateway: ip("fe80::1"), device: "data", protocolNumber: routerAdvertisement,
          metric: 1024, expires: 1800),
      ])
    #expect(state.routes.count == 10)
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    #expect(state.rpFilter == ReversePathFilter(all: 0, defaultValue: 2, interfaces: ["lo": 2, "mgmt": 2, "data": 2]))
  }
}
