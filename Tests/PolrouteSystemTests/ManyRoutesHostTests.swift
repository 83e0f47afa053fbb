import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/many-routes: tables of hundreds of routes, which the replay hands over in 4093-byte pieces,
/// so every route object of them is decoded across piece boundaries somewhere.
@Suite struct ManyRoutesHostTests {
  /// 100.64.N.0/24 (main) or 100.65.N.0/24 (table 101) via the uplink's gateway.
  static func ipv4Route(_ n: Int, table: UInt32) -> Route {
    table == RoutingTable.main
      ? Route(
        destination: prefix("100.64.\(n).0/24"), gateway: ip("198.51.100.1"), device: "mgmt",
        protocolNumber: RouteProtocol.staticRoute)
      : Route(
        table: table, destination: prefix("100.65.\(n).0/24"), gateway: ip("203.0.113.1"), device: "data",
        protocolNumber: RouteProtocol.polroute)
  }

  /// 2001:db8:1:N::/64 (main) or 2001:db8:2:N::/64 (table 101), N in hex, via the uplink's router.
  static func ipv6Route(_ n: Int, table: UInt32) -> Route {
    let hex = String(n, radix: 16)
    return table == RoutingTable.main
      ? Route(
        destination: prefix("2001:db8:1:\(hex)::/64"), gateway: ip("2001:db8:a::1"), device: "mgmt",
        protocolNumber: RouteProtocol.staticRoute, metric: 1024)
      : Route(
        table: table, destination: prefix("2001:db8:2:\(hex)::/64"), gateway: ip("2001:db8:d::1"), device: "data",
        protocolNumber: RouteProtocol.polroute, metric: 1024)
  }

  @Test func readsEveryRouteOfLongTables() throws {
    let state = try RecordedHost.read("many-routes").state

    #expect(state.hostname == "polroute-test-many-routes")
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "mgmt", index: 2,
          addresses: [
            Address(address("198.51.100.10/24"), label: "mgmt"),
            Address(address("2001:db8:a::10/64"), flags: [.noDAD]),
            linkLocal("fe80::ff:fe00:1"),
          ]),
        upLink(
          "data", index: 3,
          addresses: [
            Address(address("203.0.113.10/24"), label: "data"),
            Address(address("2001:db8:d::10/64"), flags: [.noDAD]),
            linkLocal("fe80::ff:fe00:2"),
          ]),
      ])
    #expect(
      state.rules == [
        Rule(family: .inet, priority: 0, action: .lookup(RoutingTable.local)),
        Rule(
          family: .inet, priority: 1000, selector: RuleSelector(source: prefix("203.0.113.10/32")), action: .lookup(101)
        ),
        Rule(family: .inet, priority: 32766, action: .lookup(RoutingTable.main)),
        Rule(family: .inet, priority: 32767, action: .lookup(RoutingTable.defaultTable)),
        Rule(family: .inet6, priority: 0, action: .lookup(RoutingTable.local)),
        Rule(
          family: .inet6, priority: 1000, selector: RuleSelector(source: prefix("2001:db8:d::10/128")),
          action: .lookup(101)),
        Rule(family: .inet6, priority: 32766, action: .lookup(RoutingTable.main)),
      ])
    #expect(RecordedHost.tables(state) == [101, 254])
    // The kernel dumps these tables in address order, fe80::/64 routes last.
    let defaultRoute = Route(
      destination: default4, gateway: ip("198.51.100.1"), device: "mgmt", protocolNumber: RouteProtocol.boot)
    #expect(
      state.routes(inTable: 254, family: .inet)
        == [defaultRoute]
        + (0..<256).map { Self.ipv4Route($0, table: RoutingTable.main) }
        + [
          kernelRoute("198.51.100.0/24", device: "mgmt", source: "198.51.100.10"),
          kernelRoute("203.0.113.0/24", device: "data", source: "203.0.113.10"),
        ])
    #expect(
      state.routes(inTable: 254, family: .inet6)
        == (0..<100).map { Self.ipv6Route($0, table: RoutingTable.main) }
        + [
          kernelRoute6("2001:db8:a::/64", device: "mgmt"),
          kernelRoute6("2001:db8:d::/64", device: "data"),
          kernelRoute6("fe80::/64", device: "mgmt"),
          kernelRoute6("fe80::/64", device: "data"),
        ])
    #expect(state.routes(inTable: 101, family: .inet) == (0..<200).map { Self.ipv4Route($0, table: 101) })
    #expect(state.routes(inTable: 101, family: .inet6) == (0..<100).map { Self.ipv6Route($0, table: 101) })
    #expect(state.routes.count == 663)
    #expect(state.rpFilter == ReversePathFilter(all: 0, defaultValue: 2, interfaces: ["lo": 2, "mgmt": 2, "data": 2]))
  }
}
