import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/dhcp-interface: a NetworkManager-style DHCP lease (dynamic, noprefixroute, `proto dhcp`
/// default at metric 100), an old deprecated lease, and a DHCPv6 /128.
@Suite struct DHCPInterfaceHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("dhcp-interface").state

    #expect(state.hostname == "polroute-test-dhcp-interface")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "eth0", index: 2,
          addresses: [
            Address(
              address("198.51.100.10/24"), flags: [.dynamic, .noPrefixRoute], label: "eth0", validLifetime: 3600,
              preferredLifetime: 3600),
            Address(
              address("198.51.100.20/24"), flags: [.secondary, .deprecated, .dynamic, .noPrefixRoute], label: "eth0",
              validLifetime: 600, preferredLifetime: 0),
            Address(
              address("2001:db8:a::20/128"), flags: [.noDAD, .dynamic, .noPrefixRoute], validLifetime: 7200,
              preferredLifetime: 3600),
            linkLocal("fe80::ff:fe00:1"),
          ]),
      ])
    #expect(RecordedHost.tables(state) == [254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(
          destination: default4, gateway: ip("198.51.100.1"), device: "eth0", protocolNumber: RouteProtocol.dhcp,
          metric: 100, preferredSource: ip("198.51.100.10")),
        Route(
          destination: prefix("198.51.100.0/24"), device: "eth0", protocolNumber: RouteProtocol.kernel,
          scope: RouteScope.link, metric: 100, preferredSource: ip("198.51.100.10")),
      ])
    #expect(state.routes(inTable: 254, family: .inet6) == [kernelRoute6("fe80::/64", device: "eth0")])
    #expect(state.routes.count == 3)
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    #expect(state.rpFilter == ReversePathFilter(all: 0, defaultValue: 2, interfaces: ["lo": 2, "eth0": 2]))
  }
}
