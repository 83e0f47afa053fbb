import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// netplan 0.106 generating systemd-networkd's configuration from the user's YAML and polroute's
/// `90-polroute.yaml`, with polroute's boot unit carrying what netplan's routing-policy cannot (the local-networks
/// rule): after a reboot, netplan, networkd and the unit bring the policy back.
@Suite(
  "netplan, live", .enabled(if: Live.enabled),
  .requires(TestTool.namespaceHost + [.ping, .netplan, .networkctl, .dbusDaemon, .nsenter, .unshare]), .serialized)
struct NetplanLiveTests {
  /// The user's netplan file for the dual-stack dual-homed server.
  static let server = """
    network:
      version: 2
      ethernets:
        mgmt:
          addresses: [198.51.100.10/24, "2001:db8:a::10/64"]
          accept-ra: false
          routes:
            - to: default
              via: 198.51.100.1
            - to: default
              via: "2001:db8:a::1"
        data:
          addresses: [203.0.113.10/24, "2001:db8:b::10/64"]
          accept-ra: false
          routes:
            - to: 192.0.2.128/25
              via: 203.0.113.1
            - to: "2001:db8:d::/64"
              via: "2001:db8:b::1"

    """

  @Test("netplan carries polroute's routes and rules into networkd; with the boot unit, the policy survives a reboot")
  func rebootWithNetplan() throws {
    let topology = try Topology.dualHomed("npr", dualStack: true)
    let server = topology.server
    try server.rebootNetwork(links: ["mgmt", "data"])
    let networkd = try ManagerSandbox(.networkd, in: server, label: "npr")
    try networkd.write("etc/netplan/50-server.yaml", Self.server, mode: 0o600)
    networkd.beforeStart = "netplan generate"
    try networkd.start(configuring: ["mgmt", "data"])
    #expect(networkd.root.exists("etc/systemd/network/10-netplan-data.network"), "netplan generated nothing")

    let apply = try networkd.polroute([
      "apply", "--persist", "--format", "netplan,systemd,rt_tables", "--root", networkd.root.path,
    ])
    #expect(apply.status == 0, "apply: \(apply.errorText)")
    #expect(
      apply.errorText.contains(
        "warning: netplan: netplan's routing-policy cannot carry these rules of data: 19000 (no suppress_prefixlength) "
          + "(IPv4); 19000 (no suppress_prefixlength) (IPv6)"), "\(apply.errorText)")
    let yaml = try #require(networkd.root.read("etc/netplan/90-polroute.yaml"))
    #expect(yaml.contains("    data:\n      routes:\n"))
    try ServerNetworkd.expectReachable(topology, "after apply")
    let applied = try ServerNetworkd.rules(server)

    // A reboot: netplan generates networkd's files again, networkd configures the server, the unit runs.
    networkd.stop()
    try server.rebootNetwork(links: ["mgmt", "data"])
    try networkd.start(configuring: ["mgmt", "data"])
    let generated = try #require(networkd.root.read("etc/systemd/network/10-netplan-data.network"))
    #expect(generated.contains("Table=100") && generated.contains("[RoutingPolicyRule]"), "\(generated)")
    let unit = try #require(networkd.root.read("etc/systemd/system/polroute.service"))
    let start = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
    let boot = try networkd.polroute(start.split(separator: " ").dropFirst().map(String.init))
    #expect(boot.status == 0, "the unit's command: \(boot.errorText)")
    try ServerNetworkd.expectReachable(topology, "after the reboot")
    // netplan's rules are networkd's ('proto static'), the local-networks rules the unit's (177).
    let booted = try ServerNetworkd.rules(server)
    #expect(Set(booted.map { $0.replacingOccurrences(of: " proto static", with: " proto 177") }) == Set(applied))
    #expect(booted.filter { $0.hasSuffix("proto 177") }.count == 2, "\(booted)")
    let plan = try networkd.polroute(["plan", "--detailed-exitcode"])
    #expect(plan.status == 0, "after the reboot: \(plan.outputText)")
  }
}
