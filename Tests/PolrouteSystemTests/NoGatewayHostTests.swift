import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/no-gateway: data has a global address and no gateway anywhere.
@Suite struct NoGatewayHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("no-gateway").state

    #expect(state.hostname == "polroute-test-no-gateway")
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
        kernelRoute("198.51.100.0/24", device: "mgmt", source: "198.51.100.10"),
        kernelRoute("203.0.113.0/24", device: "data", source: "203.0.113.10"),
      ])
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        kernelRoute6("fe80::/64", device: "mgmt"),
        kernelRoute6("fe80::/64", device: "data"),
      ])
    #expect(state.routes.count == 5)
    #expect(state.routes.filter { $0.devices.contains("data") }.flatMap(\.gateways) == [])
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    #expect(state.rpFilter == ReversePathFilter(all: 0, defaultValue: 2, interfaces: ["lo": 2, "mgmt": 2, "data": 2]))
  }
}
