import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// NetworkManager 1.42 itself, run in the server's namespace with the user's keyfile profiles: polroute's nmcli
/// script sets its routes and rules in them, and after a reboot NetworkManager alone brings the policy back.
@Suite(
  "NetworkManager, live", .enabled(if: Live.enabled),
  .requires(TestTool.namespaceHost + [.ping, .nmcli, .networkManager, .dbusDaemon, .nsenter, .unshare]), .serialized)
struct NetworkManagerLiveTests {
  /// The user's profiles of the dual-stack dual-homed server, made by nmcli itself: mgmt with main's defaults, data
  /// with a static route through each of its gateways (which is how polroute learns them).
  static func profiles() throws -> [String: String] {
    let settings: [String: [String]] = [
      "mgmt": [
        "ipv4.method", "manual", "ipv4.addresses", "198.51.100.10/24", "ipv4.gateway", "198.51.100.1",
        "ipv6.method", "manual", "ipv6.addresses", "2001:db8:a::10/64", "ipv6.gateway", "2001:db8:a::1",
      ],
      "data": [
        "ipv4.method", "manual", "ipv4.addresses", "203.0.113.10/24", "ipv4.routes", "192.0.2.128/25 203.0.113.1",
        "ipv6.method", "manual", "ipv6.addresses", "2001:db8:b::10/64", "ipv6.routes", "2001:db8:d::/64 2001:db8:b::1",
      ],
    ]
    var profiles: [String: String] = [:]
    for (device, words) in settings {
      let run = try Live.check(
        ["nmcli", "--offline", "connection", "add", "type", "ethernet", "con-name", device, "ifname", device] + words)
      profiles[device] = run.outputText
    }
    return profiles
  }

  @Test(
    "apply --persist writes the nmcli script; run, it sets the profiles; after a reboot NetworkManager alone brings the policy back"
  )
  func rebootWithProfiles() throws {
    let topology = try Topology.dualHomed("nmr", dualStack: true)
    let server = topology.server
    try server.rebootNetwork(links: ["mgmt", "data"])
    let manager = try ManagerSandbox(.networkManager, in: server, label: "nmr")
    for (device, profile) in try Self.profiles() {
      try manager.write("etc/NetworkManager/system-connections/\(device).nmconnection", profile, mode: 0o600)
    }
    try manager.start(configuring: ["mgmt", "data"])
    #expect(try eventually(seconds: 15) { try topology.clientReaches("198.51.100.10") }, "\(manager.log)")

    let apply = try manager.polroute(["apply", "--persist", "--root", manager.root.path])
    #expect(apply.status == 0, "apply: \(apply.errorText)")
    for device in ["data", "mgmt"] {
      #expect(
        apply.errorText.contains(
          "note: persist: \(device): NetworkManager configures it with connection \(device), so polroute writes nm"),
        "\(apply.errorText)")
    }
    let script = manager.root.path + NetworkManagerRenderer.scriptPath
    #expect(manager.root.exists("etc/polroute/nm/data.keyfile") && manager.root.exists("etc/polroute/nm/mgmt.keyfile"))
    try ServerNetworkd.expectReachable(topology, "after apply")
    let applied = try ServerNetworkd.rules(server)

    // The script sets the profiles through NetworkManager; a second run changes nothing.
    let first = try manager.run(["sh", script])
    #expect(first.status == 0, "script: \(first.errorText)")
    #expect(first.errorText.split(separator: "\n").count == 2, "\(first.errorText)")
    let profiles = ["data", "mgmt"].map { "etc/NetworkManager/system-connections/\($0).nmconnection" }
    let written = profiles.map { manager.root.read($0) ?? "" }
    #expect(written.allSatisfy { $0.contains("routing-rule1=") }, "\(written)")
    #expect(written[0].contains("192.0.2.128/25,203.0.113.1"), "the profile's own route is gone: \(written[0])")
    let second = try manager.run(["sh", script])
    #expect(second.status == 0 && second.errorText == "", "second run: \(second.errorText)")
    #expect(profiles.map { manager.root.read($0) ?? "" } == written)

    // A reboot: nothing is left but the files; NetworkManager alone configures the server.
    manager.stop()
    try server.rebootNetwork(links: ["mgmt", "data"])
    #expect(try ServerNetworkd.rules(server) == [])
    try manager.start(configuring: ["mgmt", "data"])
    #expect(
      try eventually(seconds: 15) {
        try ServerNetworkd.rules(server).count == applied.count && topology.clientReaches("203.0.113.10")
      }, "\(manager.log)")
    let booted = try ServerNetworkd.rules(server)
    #expect(booted == applied.map { $0.replacingOccurrences(of: " proto 177", with: " proto static") }, "\(booted)")
    try ServerNetworkd.expectReachable(topology, "after the reboot")
    let plan = try manager.polroute(["plan", "--detailed-exitcode"])
    #expect(plan.status == 0, "after the reboot: \(plan.outputText)\(plan.errorText)")
    let persisted = try manager.polroute([
      "plan", "--detailed-exitcode", "--format", "nm,rt_tables", "--root", manager.root.path,
    ])
    #expect(persisted.status == 0, "the files changed: \(persisted.outputText)")
  }
}
