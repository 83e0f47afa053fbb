import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/uplink-down: one uplink working, one without carrier (routes `linkdown`), one switched off.
@Suite struct UplinkDownHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("uplink-down").state

    #expect(state.hostname == "polroute-test-uplink-down")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    // Without carrier there is no link-local address; switched off, the addresses stay.
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "eth0", index: 2,
          addresses: [Address(address("198.51.100.10/24"), label: "eth0"), linkLocal("fe80::ff:fe00:1")]),
        Interface(
          name: "eth1", index: 3, kind: "veth", linkType: "ether", operState: "DOWN",
          flags: ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], mtu: 1500,
          addresses: [Address(address("203.0.113.10/24"), label: "eth1")]),
        Interface(
          name: "eth2", index: 4, kind: "veth", linkType: "ether", operState: "DOWN",
          flags: ["BROADCAST", "MULTICAST"],
          mtu: 1500, addresses: [Address(address("100.64.0.10/24"), label: "eth2")]),
      ])
    #expect(state.interfaces.map(\.isUp) == [true, true, true, false])
    #expect(RecordedHost.tables(state) == [254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(
          destination: default4, gateway: ip("198.51.100.1"), device: "eth0", protocolNumber: RouteProtocol.boot,
          metric: 100),
        Route(
          destination: default4, gateway: ip("203.0.113.1"), device: "eth1", protocolNumber: RouteProtocol.boot,
          metric: 200, flags: ["linkdown"]),
        kernelRoute("198.51.100.0/24", device: "eth0", source: "198.51.100.10"),
        Route(
          destination: prefix("203.0.113.0/24"), device: "eth1", protocolNumber: RouteProtocol.kernel,
          scope: RouteScope.link, preferredSource: ip("203.0.113.10"), flags: ["linkdown"]),
      ])
    #expect(state.routes(inTable: 254, family: .inet6) == [kernelRoute6("fe80::/64", device: "eth0")])
    #expect(state.routes.count == 5)
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    #expect(
      state.rpFilter
        == ReversePathFilter(all: 0, defaultValue: 2, interfaces: ["lo": 2, "eth0": 2, "eth1": 2, "eth2": 2]))
  }
}
