import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// The user's own systemd-networkd configuration of the dual-stack dual-homed server: its addresses, main's
/// defaults through mgmt, and a static route through each of data's gateways (which is how polroute learns them).
enum ServerNetworkd {
  /// `10-mgmt.network`.
  static let mgmt = """
    [Match]
    Name=mgmt

    [Network]
    Address=198.51.100.10/24
    Address=2001:db8:a::10/64
    Gateway=198.51.100.1
    Gateway=2001:db8:a::1
    IPv6AcceptRA=no

    """
  /// `10-data.network`.
  static let data = """
    [Match]
    Name=data

    [Network]
    Address=203.0.113.10/24
    Address=2001:db8:b::10/64
    IPv6AcceptRA=no

    [Route]
    Destination=192.0.2.128/25
    Gateway=203.0.113.1

    [Route]
    Destination=2001:db8:d::/64
    Gateway=2001:db8:b::1

    """

  /// The server's addresses, which the client must reach.
  static let addresses = ["198.51.100.10", "203.0.113.10", "2001:db8:a::10", "2001:db8:b::10"]

  /// The dual-stack dual-homed topology with the server's addresses and routes removed, its links down, and
  /// networkd's sandbox holding the user's `.network` files: a server about to boot.
  static func host(_ label: String) throws -> (Topology, ManagerSandbox) {
    let topology = try Topology.dualHomed(label, dualStack: true)
    try topology.server.rebootNetwork(links: ["mgmt", "data"])
    let sandbox = try ManagerSandbox(.networkd, in: topology.server, label: label)
    try sandbox.write("etc/systemd/network/10-mgmt.network", mgmt)
    try sandbox.write("etc/systemd/network/10-data.network", data)
    return (topology, sandbox)
  }

  /// Expects every server address to answer the client, strict rp_filter on.
  static func expectReachable(
    _ topology: Topology, _ when: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  )
    throws
  {
    for address in addresses {
      #expect(try topology.clientReaches(address), "\(address) does not answer \(when)", sourceLocation: sourceLocation)
    }
  }

  /// polroute's rules as `ip rule` prints them (both families), without the kernel's.
  static func rules(_ namespace: Namespace) throws -> [String] {
    (try namespace.ip("-4 rule show").outputText + (try namespace.ip("-6 rule show").outputText))
      .split(separator: "\n").map(String.init).filter {
        !$0.hasPrefix("0:") && !$0.hasPrefix("32766:") && !$0.hasPrefix("32767:")
      }
  }
}

/// systemd-networkd 252 itself, run standalone in the server's namespace, reading polroute's drop-ins: the policy
/// comes back at boot, networkd's own reconfiguration keeps it, and `polroute plan` takes networkd's rules for its
/// own.
@Suite(
  "systemd-networkd, live", .enabled(if: Live.enabled),
  .requires(TestTool.namespaceHost + [.ping, .networkctl, .dbusDaemon, .nsenter, .unshare]), .serialized)
struct NetworkdLiveTests {
  @Test("apply --persist writes drop-ins; after a reboot networkd alone brings the policy back, and keeps it")
  func rebootWithDropIns() throws {
    let (topology, networkd) = try ServerNetworkd.host("ndd")
    let server = topology.server
    try networkd.start(configuring: ["mgmt", "data"])
    #expect(try !topology.clientReaches("203.0.113.10"), "the data address answered before the fix")

    // Detection: networkd configures both interfaces, so they get drop-ins for their .network files.
    let apply = try networkd.polroute(["apply", "--persist", "--root", networkd.root.path])
    #expect(apply.status == 0, "apply: \(apply.errorText)")
    for device in ["data", "mgmt"] {
      #expect(
        apply.errorText.contains(
          "note: persist: \(device): systemd-networkd configures it from /run/systemd/network/10-\(device).network, "
            + "so polroute writes networkd"), "\(apply.errorText)")
    }
    #expect(
      TestPaths.files(under: networkd.root.path + "/etc").filter { $0.contains("polroute") } == [
        "iproute2/rt_tables.d/polroute.conf", "systemd/network/10-data.network.d/polroute.conf",
        "systemd/network/10-mgmt.network.d/polroute.conf",
      ])
    try ServerNetworkd.expectReachable(topology, "after apply")
    let applied = try ServerNetworkd.rules(server)

    // A reboot: nothing is left but the files; networkd alone configures the server.
    networkd.stop()
    try server.rebootNetwork(links: ["mgmt", "data"])
    #expect(try ServerNetworkd.rules(server) == [])
    try networkd.start(configuring: ["mgmt", "data"])
    // networkd's rules are polroute's, marked 'proto static' instead of 177 (networkd cannot mark rules).
    let booted = try ServerNetworkd.rules(server)
    #expect(booted == applied.map { $0.replacingOccurrences(of: " proto 177", with: " proto static") }, "\(booted)")
    #expect(try server.ip("route show table 100").outputText.contains("proto 177"))
    try ServerNetworkd.expectReachable(topology, "after the reboot")
    let plan = try networkd.polroute(["plan", "--detailed-exitcode"])
    #expect(plan.status == 0, "after the reboot: \(plan.outputText)\(plan.errorText)")
    let persisted = try networkd.polroute([
      "plan", "--detailed-exitcode", "--format", "networkd,rt_tables", "--root", networkd.root.path,
    ])
    #expect(persisted.status == 0, "the files changed: \(persisted.outputText)")

    // networkd reconfigures a link: it removes every rule it did not configure (a marked one made by hand here), and
    // keeps polroute's, which are its own.
    try server.ip("rule add from 192.0.2.99 lookup 100 priority 25000 protocol 177")
    let reconfigure = try networkd.run(["networkctl", "reconfigure", "mgmt", "data"])
    #expect(reconfigure.status == 0, "networkctl: \(reconfigure.errorText)")
    #expect(try eventually(seconds: 10) { try !server.ip("rule show").outputText.contains("192.0.2.99") })
    #expect(try eventually(seconds: 10) { try networkd.isConfigured("mgmt") && networkd.isConfigured("data") })
    #expect(try ServerNetworkd.rules(server) == booted)
    try ServerNetworkd.expectReachable(topology, "after networkctl reconfigure")
    let again = try networkd.polroute(["plan", "--detailed-exitcode"])
    #expect(again.status == 0, "after networkctl reconfigure: \(again.outputText)")
  }

  @Test("a mixed host: networkd's drop-in for mgmt, the boot unit for data, and networkd.conf.d keeps data's rules")
  func mixedHost() throws {
    let (topology, networkd) = try ServerNetworkd.host("ndm")
    let server = topology.server
    // networkd configures mgmt only; data is configured by hand, as a script of the user's would at boot.
    try FileManager.default.removeItem(atPath: networkd.root.path + "/etc/systemd/network/10-data.network")
    func configureData() throws {
      try server.ip("link set data up")
      for command in [
        "addr add 203.0.113.10/24 dev data", "-6 addr add 2001:db8:b::10/64 dev data",
        "route add 192.0.2.128/25 via 203.0.113.1 dev data", "-6 route add 2001:db8:d::/64 via 2001:db8:b::1 dev data",
      ] {
        try server.ip(command)
      }
    }
    try networkd.start(configuring: ["mgmt"])
    try configureData()

    let apply = try networkd.polroute(["apply", "--persist", "--root", networkd.root.path])
    #expect(apply.status == 0, "apply: \(apply.errorText)")
    let notes = apply.errorText.split(separator: "\n").filter { $0.hasPrefix("note: persist: ") }
    #expect(notes.count == 2 && notes[0].hasSuffix(", so polroute writes systemd"), "\(apply.errorText)")
    #expect(notes.last?.hasSuffix("from /run/systemd/network/10-mgmt.network, so polroute writes networkd") == true)
    #expect(
      apply.errorText.contains(
        "note: systemd-networkd runs here and removes every routing policy rule and route it did not configure "
          + "whenever it configures a link"), "\(apply.errorText)")
    let setting = try #require(networkd.root.read("etc/systemd/networkd.conf.d/polroute.conf"))
    #expect(setting.hasSuffix("[Network]\nManageForeignRoutingPolicyRules=no\nManageForeignRoutes=no\n"))
    #expect(networkd.root.exists("etc/systemd/network/10-mgmt.network.d/polroute.conf"))
    #expect(networkd.root.exists("etc/systemd/system/multi-user.target.d/polroute.conf"))
    let unit = try #require(networkd.root.read("etc/systemd/system/polroute.service"))
    let start = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
    let binary = URL(fileURLWithPath: TestPaths.binary).resolvingSymlinksInPath().path
    #expect(start == "ExecStart=\(binary) apply --wait 60", "\(start)")
    try ServerNetworkd.expectReachable(topology, "after apply")
    let applied = try ServerNetworkd.rules(server)

    // A reboot: networkd configures mgmt, the user's script data, then the unit applies the policy.
    networkd.stop()
    try server.rebootNetwork(links: ["mgmt", "data"])
    try networkd.start(configuring: ["mgmt"])
    try configureData()
    let boot = try networkd.polroute(start.split(separator: " ").dropFirst().map(String.init))
    #expect(boot.status == 0, "the unit's command: \(boot.errorText)")
    try ServerNetworkd.expectReachable(topology, "after the unit ran")
    // mgmt's rules are networkd's ('proto static'), data's the unit's: the same rules as after the apply.
    let booted = try ServerNetworkd.rules(server)
    #expect(booted.contains { $0.hasSuffix("proto static") } && booted.contains { $0.hasSuffix("proto 177") })
    #expect(Set(booted.map { $0.replacingOccurrences(of: " proto static", with: " proto 177") }) == Set(applied))
    let plan = try networkd.polroute(["plan", "--detailed-exitcode"])
    #expect(plan.status == 0, "after the reboot: \(plan.outputText)")

    // networkd reconfigures mgmt: told to keep foreign rules and routes, it keeps data's.
    let reconfigure = try networkd.run(["networkctl", "reconfigure", "mgmt"])
    #expect(reconfigure.status == 0, "networkctl: \(reconfigure.errorText)")
    #expect(try eventually(seconds: 10) { try networkd.isConfigured("mgmt") && ServerNetworkd.rules(server) == booted })
    try ServerNetworkd.expectReachable(topology, "after networkctl reconfigure")
    let again = try networkd.polroute(["plan", "--detailed-exitcode"])
    #expect(again.status == 0, "after networkctl reconfigure: \(again.outputText)")
  }

  @Test("a DHCP uplink: networkd's Gateway=_dhcp4 follows a new gateway by itself, and the plan stays empty")
  func followsDHCPGateway() throws {
    try TestTool.require(TestTool("dnsmasq"))
    let topology = try Topology.dualHomed("ndh")
    let server = topology.server
    try server.rebootNetwork(links: ["mgmt", "data"])
    try topology.router.ip("addr add 203.0.113.2/24 dev r-data")
    let networkd = try ManagerSandbox(.networkd, in: server, label: "ndh")
    try networkd.write(
      "etc/systemd/network/10-mgmt.network",
      "[Match]\nName=mgmt\n\n[Network]\nAddress=198.51.100.10/24\nGateway=198.51.100.1\nIPv6AcceptRA=no\n")
    try networkd.write(
      "etc/systemd/network/10-data.network", "[Match]\nName=data\n\n[Network]\nDHCP=ipv4\nIPv6AcceptRA=no\n")
    // A DHCP server on the router that hands out 203.0.113.10 with `router` as the gateway.
    var dnsmasq: Int32?
    func serveDHCP(router: String) throws {
      if let dnsmasq { kill(dnsmasq, SIGTERM) }
      let pidFile = networkd.root.path + "/state/dnsmasq.pid"
      try? FileManager.default.removeItem(atPath: pidFile)
      try topology.router.checkExec([
        "dnsmasq", "--conf-file=/dev/null", "--interface=r-data", "--bind-interfaces", "--no-resolv", "--port=0",
        "--dhcp-authoritative",
        "--dhcp-range=203.0.113.10,203.0.113.10,255.255.255.0,600", "--dhcp-option=3,\(router)",
        "--dhcp-leasefile=\(networkd.root.path)/state/leases", "--pid-file=\(pidFile)",
      ])
      _ = eventually(seconds: 5) { networkd.root.read("state/dnsmasq.pid") != nil }
      dnsmasq = networkd.root.read("state/dnsmasq.pid").flatMap {
        Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
      }
    }
    defer { if let dnsmasq { kill(dnsmasq, SIGTERM) } }
    try serveDHCP(router: "203.0.113.1")
    try networkd.start(configuring: ["mgmt", "data"], seconds: 30)

    let apply = try networkd.polroute(["apply", "--persist", "--root", networkd.root.path])
    #expect(apply.status == 0, "apply: \(apply.errorText)")
    let dropIn = try #require(networkd.root.read("etc/systemd/network/10-data.network.d/polroute.conf"))
    #expect(dropIn.contains("[Route]\nDestination=0.0.0.0/0\nGateway=_dhcp4\n"), "\(dropIn)")

    // After a reboot networkd installs the default of data's table through the leased gateway (proto dhcp).
    networkd.stop()
    try server.rebootNetwork(links: ["mgmt", "data"])
    try networkd.start(configuring: ["mgmt", "data"], seconds: 30)
    #expect(try server.ip("route show table 100").outputText.contains("default via 203.0.113.1 dev data proto dhcp"))
    #expect(try topology.clientReaches("203.0.113.10"))
    let plan = try networkd.polroute(["plan", "--detailed-exitcode"])
    #expect(plan.status == 0, "after the reboot: \(plan.outputText)")

    // The DHCP server names another gateway: at the renewal networkd moves the table's default by itself.
    try serveDHCP(router: "203.0.113.2")
    let renew = try networkd.run(["networkctl", "renew", "data"])
    #expect(renew.status == 0, "networkctl renew: \(renew.errorText)")
    #expect(
      try eventually(seconds: 20) {
        try server.ip("route show table 100").outputText.contains("default via 203.0.113.2 dev data proto dhcp")
      }, "\(networkd.log.suffix(3000))")
    #expect(try topology.clientReaches("203.0.113.10"))
    let after = try networkd.polroute(["plan", "--detailed-exitcode"])
    #expect(after.status == 0, "after the new gateway: \(after.outputText)")
  }
}
