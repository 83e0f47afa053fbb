import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/kinds-handwritten: link kinds a namespace cannot hold on the recording kernel (vlan, bond
/// and its slaves, VRF and its member, GRE, WireGuard), written by hand in iproute2 6.1's JSON format.
@Suite struct KindsHandwrittenHostTests {
  static let slaveFlags = ["BROADCAST", "MULTICAST", "SLAVE", "UP", "LOWER_UP"]
  static let tunnelFlags = ["POINTOPOINT", "NOARP", "UP", "LOWER_UP"]

  @Test func readsEveryKind() throws {
    let state = try RecordedHost.read("kinds-handwritten").state

    #expect(state.hostname == "polroute-test-kinds-handwritten")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        // Physical devices have no kind; a broadcast address in addr_info is not kept.
        Interface(
          name: "eth0", index: 2, kind: nil, linkType: "ether", operState: "UP", flags: upFlags, mtu: 1500,
          addresses: [Address(address("198.51.100.10/24"), label: "eth0"), linkLocal("fe80::ff:fe00:1")]),
        Interface(
          name: "eno1", index: 3, kind: nil, linkType: "ether", operState: "UP", flags: Self.slaveFlags,
          master: "bond0", mtu: 1500, addresses: []),
        Interface(
          name: "eno2", index: 4, kind: nil, linkType: "ether", operState: "UP", flags: Self.slaveFlags,
          master: "bond0", mtu: 1500, addresses: []),
        // A VRF member has linkinfo with only a slave kind.
        Interface(
          name: "mgmt0", index: 5, kind: nil, linkType: "ether", operState: "UP", flags: upFlags, master: "vrf-mgmt",
          mtu: 1500, addresses: [Address(address("100.64.1.10/24"), label: "mgmt0"), linkLocal("fe80::ff:fe00:5")]),
        Interface(
          name: "bond0", index: 6, kind: "bond", linkType: "ether", operState: "UP",
          flags: ["BROADCAST", "MULTICAST", "MASTER", "UP", "LOWER_UP"], mtu: 1500,
          addresses: [Address(address("203.0.113.10/24"), label: "bond0"), linkLocal("fe80::ff:fe00:2")]),
        upLink(
          "eth0.100", index: 7, kind: "vlan",
          addresses: [Address(address("192.0.2.10/24"), label: "eth0.100"), linkLocal("fe80::ff:fe00:1")]),
        Interface(
          name: "vrf-mgmt", index: 8, kind: "vrf", linkType: "ether", operState: "UP",
          flags: ["NOARP", "MASTER", "UP", "LOWER_UP"], mtu: 65575, addresses: []),
        Interface(
          name: "gre0", index: 9, kind: "gre", linkType: "gre", operState: "DOWN", flags: ["NOARP"], mtu: 1476,
          addresses: []),
        // The peer keeps its own address and the prefix length given with it (`peer 100.64.2.2/30`).
        Interface(
          name: "gre1", index: 10, kind: "gre", linkType: "gre", operState: "UNKNOWN", flags: Self.tunnelFlags,
          mtu: 1476,
          addresses: [
            Address(address("100.64.2.1/30"), peer: address("100.64.2.2/30"), label: "gre1"),
            linkLocal("fe80::5efe:c633:640a"),
          ]),
        Interface(
          name: "wg0", index: 11, kind: "wireguard", linkType: "none", operState: "UNKNOWN", flags: Self.tunnelFlags,
          mtu: 1420,
          addresses: [Address(address("100.64.3.1/24"), label: "wg0"), Address(address("2001:db8:f::1/64"))]),
      ])
    #expect(
      state.interfaces.filter(\.isUp).map(\.name) == [
        "lo", "eth0", "eno1", "eno2", "mgmt0", "bond0", "eth0.100", "vrf-mgmt", "gre1", "wg0",
      ])
  }

  @Test func readsRoutesRulesAndFilters() throws {
    let state = try RecordedHost.read("kinds-handwritten").state

    // The VRF's l3mdev rules name no table: the VRF's own table is found through its member's routes.
    #expect(
      state.rules == [
        Rule(family: .inet, priority: 0, action: .lookup(RoutingTable.local)),
        Rule(family: .inet, priority: 1000, selector: RuleSelector(l3mdev: true), action: .lookup(RoutingTable.unspec)),
        Rule(family: .inet, priority: 32766, action: .lookup(RoutingTable.main)),
        Rule(family: .inet, priority: 32767, action: .lookup(RoutingTable.defaultTable)),
        Rule(family: .inet6, priority: 0, action: .lookup(RoutingTable.local)),
        Rule(
          family: .inet6, priority: 1000, selector: RuleSelector(l3mdev: true), action: .lookup(RoutingTable.unspec)),
        Rule(family: .inet6, priority: 32766, action: .lookup(RoutingTable.main)),
      ])
    #expect(state.tablesNamedByRules == [254])
    #expect(RecordedHost.tables(state) == [10, 254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(destination: default4, gateway: ip("198.51.100.1"), device: "eth0", protocolNumber: RouteProtocol.boot),
        kernelRoute("100.64.2.0/30", device: "gre1", source: "100.64.2.1"),
        kernelRoute("100.64.3.0/24", device: "wg0", source: "100.64.3.1"),
        kernelRoute("192.0.2.0/24", device: "eth0.100", source: "192.0.2.10"),
        kernelRoute("198.51.100.0/24", device: "eth0", source: "198.51.100.10"),
        kernelRoute("203.0.113.0/24", device: "bond0", source: "203.0.113.10"),
      ])
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        kernelRoute6("2001:db8:f::/64", device: "wg0"),
        kernelRoute6("fe80::/64", device: "eth0"),
        kernelRoute6("fe80::/64", device: "bond0"),
        kernelRoute6("fe80::/64", device: "eth0.100"),
        kernelRoute6("fe80::/64", device: "gre1"),
      ])
    // The VRF keeps its member's connected, local, broadcast and multicast routes in its own table.
    #expect(
      state.routes(inTable: 10, family: .inet) == [
        kernelRoute("100.64.1.0/24", device: "mgmt0", source: "100.64.1.10", table: 10),
        Route(
          table: 10, type: .local, destination: prefix("100.64.1.10/32"), device: "mgmt0",
          protocolNumber: RouteProtocol.kernel, scope: RouteScope.host, preferredSource: ip("100.64.1.10")),
        Route(
          table: 10, type: .broadcast, destination: prefix("100.64.1.255/32"), device: "mgmt0",
          protocolNumber: RouteProtocol.kernel, scope: RouteScope.link, preferredSource: ip("100.64.1.10")),
      ])
    #expect(
      state.routes(inTable: 10, family: .inet6) == [
        Route(
          table: 10, type: .local, destination: prefix("fe80::ff:fe00:5/128"), device: "mgmt0",
          protocolNumber: RouteProtocol.kernel),
        Route(
          table: 10, destination: prefix("fe80::/64"), device: "mgmt0", protocolNumber: RouteProtocol.kernel,
          metric: 256),
        Route(
          table: 10, type: .multicast, destination: prefix("ff00::/8"), device: "mgmt0",
          protocolNumber: RouteProtocol.kernel, metric: 256),
      ])
    #expect(state.routes.count == 17)
    #expect(state.omittedRoutes == nil)
    let own = ["lo", "eth0", "eno1", "eno2", "mgmt0", "bond0", "eth0.100", "vrf-mgmt", "gre0", "gre1", "wg0"]
    var interfaces = Dictionary(uniqueKeysWithValues: own.map { ($0, 2) })
    interfaces["gre1"] = 0
    #expect(state.rpFilter == ReversePathFilter(all: 0, defaultValue: 2, interfaces: interfaces))
    #expect(state.rpFilter.effective(for: "gre1") == 0)
    #expect(state.rpFilter.effective(for: "eth0.100") == 2)
  }
}
