import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/dual-homed: mgmt with main's default, data with a static route, strict rp_filter.
@Suite struct DualHomedHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("dual-homed").state

    #expect(state.hostname == "polroute-test-dual-homed")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "mgmt", index: 2,
          addresses: [Address(address("198.51.100.10/24"), label: "mgmt"), linkLocal("fe80::ff:fe00:1")]),
        upLink(
          "data", index: 3,
          addresses: [Address(address("203.0.113.10/24"), label: "data"), linkLocal("fe80::ff:fe00:2")]),
      ])
    #expect(RecordedHost.tables(state) == [254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(destination: default4, gateway: ip("198.51.100.1"), device: "mgmt", protocolNumber: RouteProtocol.boot),
        Route(
          destination: prefix("192.0.2.128/25"), gateway: ip("203.0.113.1"), device: "data",
          protocolNumber: RouteProtocol.boot),
        kernelRoute("198.51.100.0/24", device: "mgmt", source: "198.51.100.10"),
        kernelRoute("203.0.113.0/24", device: "data", source: "203.0.113.10"),
      ])
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        kernelRoute6("fe80::/64", device: "mgmt"),
        kernelRoute6("fe80::/64", device: "data"),
      ])
    #expect(state.routes.count == 6)
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    #expect(
      state.rpFilter == ReversePathFilter(all: 1, defaultValue: 1, interfaces: ["lo": 1, "mgmt": 1, "data": 1]))
    #expect(state.rpFilter.effective(for: "mgmt") == 1)
    #expect(state.rpFilter.effective(for: "data") == 1)
  }
}
