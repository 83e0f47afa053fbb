import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/source-specific: IPv6 source-specific routes (`from PREFIX`) in main.
@Suite struct SourceSpecificHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("source-specific").state

    #expect(state.hostname == "polroute-test-source-specific")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
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
          addresses: [Address(address("2001:db8:d::10/64"), flags: [.noDAD]), linkLocal("fe80::ff:fe00:2")]),
      ])
    #expect(RecordedHost.tables(state) == [254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(destination: default4, gateway: ip("198.51.100.1"), device: "mgmt", protocolNumber: RouteProtocol.boot),
        kernelRoute("198.51.100.0/24", device: "mgmt", source: "198.51.100.10"),
      ])
    // `"from"` is kept: each default applies only to its uplink's prefix (a bare address is a /128).
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        Route(
          destination: default6, source: prefix("2001:db8:a::/64"), gateway: ip("2001:db8:a::1"), device: "mgmt",
          protocolNumber: RouteProtocol.boot, metric: 1024),
        Route(
          destination: default6, source: prefix("2001:db8:d::/64"), gateway: ip("2001:db8:d::1"), device: "data",
          protocolNumber: RouteProtocol.boot, metric: 1024),
        kernelRoute6("2001:db8:a::/64", device: "mgmt"),
        kernelRoute6("2001:db8:d::/64", device: "data"),
        Route(
          destination: prefix("2001:db8:ee::/48"), source: prefix("2001:db8:d::10/128"), gateway: ip("2001:db8:d::1"),
          device: "data", protocolNumber: RouteProtocol.boot, metric: 1024),
        kernelRoute6("fe80::/64", device: "mgmt"),
        kernelRoute6("fe80::/64", device: "data"),
      ])
    #expect(state.routes.count == 9)
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    #expect(state.rpFilter == ReversePathFilter(all: 0, defaultValue: 2, interfaces: ["lo": 2, "mgmt": 2, "data": 2]))
  }

  /// Two defaults that differ only in their source prefix are two routes to the kernel: replacing one must not
  /// replace the other, so their keys differ, and the one for every source sorts first.
  @Test func keysKeepSourcesApart() throws {
    let state = try RecordedHost.read("source-specific").state
    let defaults = state.routes(inTable: 254, family: .inet6).filter(\.isDefault)
    #expect(defaults.count == 2)
    #expect(defaults[0].key != defaults[1].key)
    #expect(defaults[0].key < defaults[1].key)
    var everySource = defaults[1]
    everySource.source = nil
    #expect(everySource.key < defaults[0].key)
    #expect(!(defaults[0].key < everySource.key))
  }
}
