import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// systemd-networkd itself reading what polroute writes for an uplink group: `MultiPathRoute=GW@IFACE WEIGHT` in the
/// drop-ins of both interfaces brings the group's multipath default back at boot, as `apply` made it.
@Suite(
  "systemd-networkd and multipath routes, live", .enabled(if: Live.enabled),
  .requires(TestTool.namespaceHost + [.ping, .networkctl, .dbusDaemon, .nsenter, .unshare]), .serialized)
struct NetworkdMultipathLiveTests {
  @Test("a balance group's multipath default, persisted as MultiPathRoute=, comes back from networkd after a reboot")
  func multipathDefaultAfterReboot() throws {
    let (topology, networkd) = try ServerNetworkd.host("ndp")
    let server = topology.server
    try networkd.start(configuring: ["mgmt", "data"])
    let policy = try networkd.root.write("etc/polroute.conf", "auto\nbalance wan table 300 uplinks mgmt:2 data\n")

    let apply = try networkd.polroute(["apply", "--persist", "--root", networkd.root.path, "--policy", policy])
    #expect(apply.status == 0, "apply: \(apply.errorText)")
    let applied = try server.ip("-4 route show table 300").outputText
    #expect(
      applied.contains("nexthop via 198.51.100.1 dev mgmt weight 2")
        && applied.contains("nexthop via 203.0.113.1 dev data weight 1"), "\(applied)")
    for device in ["mgmt", "data"] {
      let dropIn = try #require(networkd.root.read("etc/systemd/network/10-\(device).network.d/polroute.conf"))
      #expect(
        dropIn.contains("MultiPathRoute=198.51.100.1@mgmt 2\nMultiPathRoute=203.0.113.1@data 1\n"), "\(dropIn)")
    }
    try ServerNetworkd.expectReachable(topology, "after apply")

    // A reboot: only the files are left; networkd alone puts the multipath default back.
    networkd.stop()
    try server.rebootNetwork(links: ["mgmt", "data"])
    #expect(try server.ip("-4 route show table 300").outputText.isEmpty)
    try networkd.start(configuring: ["mgmt", "data"])
    let back = try eventually(seconds: 10) {
      let booted = try server.ip("-4 route show table 300").outputText
      return booted.contains("nexthop via 198.51.100.1 dev mgmt weight 2")
        && booted.contains("nexthop via 203.0.113.1 dev data weight 1")
    }
    let booted = try server.ip("-4 route show table 300").outputText
    #expect(back, "after the reboot: \(booted)\n\(networkd.log)")
    try ServerNetworkd.expectReachable(topology, "after the reboot")
    // polroute takes networkd's routes and rules for its own: only the kernel settings are left to set.
    let plan = try networkd.polroute(["plan", "--policy", policy])
    #expect(plan.outputText.contains("Kernel: no changes"), "after the reboot: \(plan.outputText)")
  }
}
