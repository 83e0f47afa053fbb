import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/ipv6-bridge-macvlan: IPv6 addresses, a bridge with a port, a macvlan, secondary and labelled
/// IPv4 addresses, and links that are down.
@Suite struct IPv6BridgeMacvlanHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("ipv6-bridge-macvlan").state

    #expect(state.hostname == "polroute-test-ipv6-bridge-macvlan")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    // The bridge took its only port's MAC, so both derive the same link-local address.
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "eth0", index: 2,
          addresses: [
            Address(address("198.51.100.10/24"), label: "eth0"),
            Address(address("198.51.100.11/24"), flags: [.secondary], label: "eth0:1"),
            Address(address("198.51.100.12/24"), flags: [.secondary], label: "eth0"),
            Address(address("2001:db8:a::10/64"), flags: [.noDAD]),
            linkLocal("fe80::ff:fe00:1"),
          ]),
        upLink(
          "br0", index: 3, kind: "bridge",
          addresses: [
            Address(address("192.0.2.1/24"), label: "br0"),
            Address(address("2001:db8:b::1/64"), flags: [.noDAD]),
            linkLocal("fe80::ff:fe00:2"),
          ]),
        upLink("tap0", index: 4, master: "br0", addresses: [linkLocal("fe80::ff:fe00:2")]),
        upLink("eth1", index: 5, addresses: [linkLocal("fe80::ff:fe00:3")]),
        upLink(
          "mv0", index: 6, kind: "macvlan",
          addresses: [
            Address(address("203.0.113.10/24"), label: "mv0"),
            Address(address("2001:db8:c::10/64"), flags: [.noDAD]),
            linkLocal("fe80::ff:fe00:4"),
          ]),
        Interface(
          name: "vx0", index: 7, kind: "vxlan", linkType: "ether", operState: "DOWN",
          flags: ["BROADCAST", "MULTICAST"],
          mtu: 1500, addresses: []),
        Interface(
          name: "ifb0", index: 8, kind: "ifb", linkType: "ether", operState: "DOWN", flags: ["BROADCAST", "NOARP"],
          mtu: 1500, addresses: []),
      ])
    #expect(
      state.interface(named: "eth0")?.globalAddresses.map(\.address) == [
        address("198.51.100.10/24"), address("198.51.100.11/24"), address("198.51.100.12/24"),
        address("2001:db8:a::10/64"),
      ])
    #expect(RecordedHost.tables(state) == [254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(destination: default4, gateway: ip("198.51.100.1"), device: "eth0", protocolNumber: RouteProtocol.boot),
        kernelRoute("192.0.2.0/24", device: "br0", source: "192.0.2.1"),
        kernelRoute("198.51.100.0/24", device: "eth0", source: "198.51.100.10"),
        kernelRoute("203.0.113.0/24", device: "mv0", source: "203.0.113.10"),
      ])
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        kernelRoute6("2001:db8:a::/64", device: "eth0"),
        kernelRoute6("2001:db8:b::/64", device: "br0"),
        kernelRoute6("2001:db8:c::/64", device: "mv0"),
        kernelRoute6("fe80::/64", device: "tap0"),
        kernelRoute6("fe80::/64", device: "eth1"),
        kernelRoute6("fe80::/64", device: "mv0"),
        kernelRoute6("fe80::/64", device: "eth0"),
        kernelRoute6("fe80::/64", device: "br0"),
        Route(
          destination: default6, gateway: ip("2001:db8:a::1"), device: "eth0", protocolNumber: RouteProtocol.boot,
          metric: 1024),
      ])
    #expect(state.routes.count == 13)
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    let interfaces = ["lo", "eth0", "br0", "tap0", "eth1", "mv0", "vx0", "ifb0"]
    #expect(
      state.rpFilter
        == ReversePathFilter(
          all: 0, defaultValue: 2, interfaces: Dictionary(uniqueKeysWithValues: interfaces.map { ($0, 2) })))
  }
}
