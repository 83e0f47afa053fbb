import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/second-default: two IPv4 defaults in main with the same metric on different interfaces.
@Suite struct SecondDefaultHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("second-default").state

    #expect(state.hostname == "polroute-test-second-default")
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
      ])
    #expect(RecordedHost.tables(state) == [254])
    // Both are kept, in the order the kernel holds them (the first is the one it uses), under the same key.
    let defaults = [
      Route(destination: default4, gateway: ip("198.51.100.1"), device: "eth0", protocolNumber: RouteProtocol.boot),
      Route(destination: default4, gateway: ip("203.0.113.1"), device: "eth1", protocolNumber: RouteProtocol.boot),
    ]
    #expect(
      state.routes(inTable: 254, family: .inet)
        == defaults + [
          kernelRoute("198.51.100.0/24", device: "eth0", source: "198.51.100.10"),
          kernelRoute("203.0.113.0/24", device: "eth1", source: "203.0.113.10"),
        ])
    #expect(defaults[0].key == defaults[1].key)
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        kernelRoute6("fe80::/64", device: "eth0"),
        kernelRoute6("fe80::/64", device: "eth1"),
      ])
    #expect(state.routes.count == 6)
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    #expect(state.rpFilter == ReversePathFilter(all: 0, defaultValue: 2, interfaces: ["lo": 2, "eth0": 2, "eth1": 2]))
  }
}
