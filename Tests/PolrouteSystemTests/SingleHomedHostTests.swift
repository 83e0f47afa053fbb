import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/single-homed: eth0 198.51.100.10/24, default via 198.51.100.1, nothing else.
@Suite struct SingleHomedHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("single-homed").state

    #expect(state.hostname == "polroute-test-single-homed")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    #expect(state.protocolNames == [:])
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        Interface(
          name: "eth0", index: 2, kind: "veth", linkType: "ether", operState: "UP", flags: upFlags, mtu: 1500,
          addresses: [
            Address(address("198.51.100.10/24"), label: "eth0"),
            linkLocal("fe80::ff:fe00:1"),
          ]),
      ])
    #expect(RecordedHost.tables(state) == [254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(destination: prefix("default"), gateway: ip("198.51.100.1"), device: "eth0"),
        Route(
          destination: prefix("198.51.100.0/24"), device: "eth0", protocolNumber: RouteProtocol.kernel,
          scope: RouteScope.link, preferredSource: ip("198.51.100.10")),
      ])
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        Route(destination: prefix("fe80::/64"), device: "eth0", protocolNumber: RouteProtocol.kernel, metric: 256)
      ])
    #expect(state.routes.count == 3)
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    #expect(state.rpFilter == ReversePathFilter(all: 0, defaultValue: 0, interfaces: ["lo": 0, "eth0": 0]))
    #expect(state.rpFilter.effective(for: "eth0") == 0)
  }

  /// What the reader asks `ip` for: one address dump and one batch per family (rules, then every table), started
  /// together, so in any order.
  @Test func runsThreeCommands() throws {
    let log = try RecordedHost.read("single-homed").runner.log
    #expect(
      Set(log) == [
        Command(["ip", "-d", "-j", "addr", "show"]),
        Command(["ip", "-4", "-j", "-batch", "-"], inputText: "rule show\nroute show table all\n"),
        Command(["ip", "-6", "-j", "-batch", "-"], inputText: "rule show\nroute show table all\n"),
      ])
    #expect(log.count == 3)
  }
}
