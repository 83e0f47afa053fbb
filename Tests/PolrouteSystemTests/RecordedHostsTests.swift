import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// What holds for every host under Tests/Fixtures/hosts.
@Suite struct RecordedHostsTests {
  /// Every host has its own test suite here; a new fixture without one fails this list.
  static let tested = [
    "dhcp-interface", "docker-host", "dual-homed", "dual-stack", "duplicate-priority", "ipv6-bridge-macvlan",
    "kinds-handwritten", "many-routes", "no-gateway", "policy-tables", "rule-selectors", "second-default",
    "single-homed", "source-specific", "three-uplinks", "two-subnets", "uplink-down",
  ]

  @Test func everyHostIsTested() {
    #expect(FixtureHost.all == Self.tested)
  }

  /// A host holds exactly the recordings the reader asks for, so none is stale, and answers exactly its commands.
  @Test(arguments: tested)
  func holdsExactlyWhatTheReaderReads(host: String) throws {
    #expect(
      TestPaths.list(FixtureHost(host).directory + "/ip") == [
        "addr.json", "route-inet-all.json", "route-inet6-all.json", "rule-inet.json", "rule-inet6.json",
      ])
    let reading = try RecordedHost.read(host)
    #expect(Set(reading.runner.log) == RecordedHost.readCommands)
    #expect(reading.runner.log.count == 3)
    #expect(reading.state.hostname == "polroute-test-\(host)")
    #expect(reading.state.omittedRoutes == nil)
  }
}
