import PolrouteCore
import PolrouteSystem
import Testing

/// Tests/Fixtures/hosts/docker-host: an uplink and Docker's default bridge docker0 with one container's veth.
@Suite struct DockerHostTests {
  @Test func readsWhatBuildConfigured() throws {
    let state = try RecordedHost.read("docker-host").state

    #expect(state.hostname == "polroute-test-docker-host")
    #expect(state.system == RecordedHost.debianSystem)
    #expect(state.tableNames == RecordedHost.debianTableNames)
    #expect(
      state.interfaces == [
        RecordedHost.loopback,
        upLink(
          "eth0", index: 2,
          addresses: [Address(address("198.51.100.10/24"), label: "eth0"), linkLocal("fe80::ff:fe00:1")]),
        upLink(
          "docker0", index: 3, kind: "bridge",
          addresses: [Address(address("172.17.0.1/16"), label: "docker0"), linkLocal("fe80::ff:fe00:2")]),
        upLink("vethc0ffee", index: 4, master: "docker0", addresses: [linkLocal("fe80::ff:fe00:2")]),
      ])
    #expect(RecordedHost.tables(state) == [254])
    #expect(
      state.routes(inTable: 254, family: .inet) == [
        Route(destination: default4, gateway: ip("198.51.100.1"), device: "eth0", protocolNumber: RouteProtocol.boot),
        kernelRoute("172.17.0.0/16", device: "docker0", source: "172.17.0.1"),
        kernelRoute("198.51.100.0/24", device: "eth0", source: "198.51.100.10"),
      ])
    #expect(
      state.routes(inTable: 254, family: .inet6) == [
        kernelRoute6("fe80::/64", device: "eth0"),
        kernelRoute6("fe80::/64", device: "vethc0ffee"),
        kernelRoute6("fe80::/64", device: "docker0"),
      ])
    #expect(state.routes.count == 6)
    #expect(state.rules == RecordedHost.defaultRulesV4 + RecordedHost.defaultRulesV6)
    #expect(
      state.rpFilter
        == ReversePathFilter(
          all: 0, defaultValue: 2, interfaces: ["lo": 2, "eth0": 2, "docker0": 2, "vethc0ffee": 2]))
  }
}
