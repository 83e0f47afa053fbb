import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/two-subnets: one interface in two IPv4 subnets, a gateway in each.
@Suite struct TwoSubnetsHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("two-subnets").state

    #expect(state.hostname == "polroute-test-two-subnets")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    // Each address is the first of its own prefix, so neither is secondary.
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "eth0", index: 2,
          addresses: [
            Address(address("198.51.100.10/24"), label: "eth0"),
            Address(address("203.0.113.10/24"), label: "eth0"),
            linkLocal("fe80::ff:fe00:1"),
          ]),
      ])
    #expect(RecordedHost.tables(state) == [254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(destination: default4, gateway: ip("198.51.100.1"), device: "eth0", protocolNumber: RouteProtocol.boot),
        Route(
          destination: prefix("192.0.2.0/24"), gateway: ip("203.0.113.1"), device: "eth0",
          protocolNumber: RouteProtocol.staticRoute),
        kernelRoute("198.51.100.0/24", device: "eth0", source: "198.51.100.10"),
        kernelRoute("203.0.113.0/24", device: "eth0", source: "203.0.113.10"),
      ])
    #expect(state.routes(inTable: 254, family: .inet6) == [kernelRoute6("fe80::/64", device: "eth0")])
    #expect(state.routes.count == 5)
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    #expect(state.rpFilter == ReversePathFilter(all: 0, defaultValue: 2, interfaces: ["lo": 2, "eth0": 2]))
  }
}
