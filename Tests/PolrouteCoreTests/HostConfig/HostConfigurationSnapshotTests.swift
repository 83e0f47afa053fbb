import Foundation
import TestSupport
import Testing

@testable import PolrouteCore

/// The host configuration in snapshots: written by `inspect --json`, read back by `--state`, and absent from
/// snapshots written before it existed.
struct HostConfigurationSnapshotTests {
  @Test("a state with a host configuration survives the snapshot round trip unchanged")
  func roundTrip() throws {
    var state = HostState(hostname: "h")
    let files = HostConfigFixtures.files("netplan/networkd").adding([
      "/run/systemd/netif/links/2": "ADMIN_STATE=configured\n",
      "/run/systemd/netif/leases/2": HostConfigFixtures.text("networkd", "/run/systemd/netif/leases/2"),
      "/var/lib/dhcp/dhclient.eth0.leases": HostConfigFixtures.text("dhclient", "/var/lib/dhcp/dhclient.hc0.leases"),
      "/etc/cloud/cloud.cfg": "network: {config: disabled}\n",
    ])
    state.hostConfiguration = HostConfigurationBuilder.build(
      files,
      links: [LinkIdentity(name: "eth0", index: 2, networkdType: "ether"), LinkIdentity(name: "ens4", index: 3)],
      now: 1_796_427_000)
    #expect(state.hostConfiguration?.interfaces.isEmpty == false)
    let bytes = try Snapshot(state: state).encoded()
    let decoded = try Snapshot.decode(bytes, file: "s.json")
    #expect(decoded == state)
    // The same state always gives the same bytes.
    #expect(try Snapshot(state: decoded).encoded() == bytes)
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.contains("\"hostConfiguration\" : {"))
    #expect(text.contains("\"manager\" : \"systemd-networkd\""))
  }

  @Test("snapshots written before the field existed load with no host configuration")
  func oldSnapshots() throws {
    for example in ["dual-homed-server", "dual-stack", "three-uplinks-one-down"] {
      let path = TestPaths.examples + "/" + example + "/state.json"
      let bytes = Array(FileManager.default.contents(atPath: path) ?? Data())
      #expect(!String(decoding: bytes, as: UTF8.self).contains("hostConfiguration"))
      let state = try Snapshot.decode(bytes, file: path)
      #expect(state.hostConfiguration == nil)
      #expect(!state.interfaces.isEmpty)
    }
  }

  @Test("a damaged host configuration is refused with the path of the bad value")
  func damaged() throws {
    var state = HostState()
    state.hostConfiguration = HostConfiguration(
      interfaces: [InterfaceConfiguration(name: "eth0")], notes: [])
    var text = String(decoding: try Snapshot(state: state).encoded(), as: UTF8.self)
    text = text.replacingOccurrences(of: "\"viaNetplan\" : false", with: "\"viaNetplan\" : \"maybe\"")
    #expect(throws: SnapshotError.self) { try Snapshot.decode(Array(text.utf8), file: "s.json") }
    do {
      _ = try Snapshot.decode(Array(text.utf8), file: "s.json")
    } catch {
      #expect(
        error.description.hasPrefix(
          "s.json: error: not a polroute host snapshot: state.hostConfiguration.interfaces[0].management.viaNetplan:"))
    }
  }
}
