import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// The reader on real files: every fixture source under Tests/Fixtures/hostconfig read through `RootedFileSystem`
/// as `--root` reads a host, and the bounds that keep odd files from hanging or flooding it.
struct HostConfigurationReaderTests {
  /// The fixture directory.
  static let fixtures = TestPaths.packageRoot + "/Tests/Fixtures/hostconfig"

  /// Reads a fixture source's root.
  func read(_ source: String, links: [LinkIdentity], now: Int64? = nil) -> HostConfiguration {
    HostConfigurationReader(files: RootedFileSystem(root: Self.fixtures + "/" + source + "/root")).read(
      links: links, now: now)
  }

  /// A location.
  func at(_ file: String, _ line: Int, _ column: Int = 1) -> PolrouteCore.SourceLocation {
    PolrouteCore.SourceLocation(file: file, line: line, column: column)
  }

  @Test("recorded dhclient lease under /var/lib/dhcp: the router, with the lease's file and line")
  func dhclient() {
    let configuration = read("dhclient", links: [LinkIdentity(name: "hc0", index: 2, networkdType: "ether")])
    #expect(configuration.leases.map(\.client) == [.dhclient])
    #expect(configuration.leases.first?.routers == [IPAddress("192.0.2.1")!])
    // No manager configures hc0 here, so the lease is only a candidate.
    #expect(configuration.gateways(for: "hc0", family: .inet).isEmpty)
    #expect(
      configuration.gateways(for: "hc0", family: .inet, includingInactive: true).map(\.explanation) == [
        "192.0.2.1 (dhclient lease, /var/lib/dhcp/dhclient.hc0.leases:1)"
      ])
  }

  @Test("recorded dhcpcd lease: the raw ACK's router")
  func dhcpcd() {
    let configuration = read("dhcpcd", links: [LinkIdentity(name: "hc0", index: 2)])
    #expect(configuration.leases.map(\.client) == [.dhcpcd])
    #expect(configuration.leases.first?.defaultGateways == [IPAddress("192.0.2.1")!])
  }

  @Test(
    "recorded networkd state: runtime claim, lease gateway, networkd.conf with a drop-in switching off foreign rules")
  func networkd() {
    let configuration = read(
      "networkd", links: [LinkIdentity(name: "hc0", index: 2, networkdType: "ether", kind: "veth")])
    #expect(configuration.management(of: "hc0")?.manager == .networkd)
    #expect(configuration.gateways(for: "hc0", family: .inet).map(\.source) == [.networkdLease])
    #expect(
      configuration.networkd?.files == [
        "/etc/systemd/networkd.conf", "/etc/systemd/networkd.conf.d/90-foreign-rules.conf",
      ])
    #expect(configuration.networkd?.removesForeignRules == false)
    #expect(
      configuration.networkd?.manageForeignRoutingPolicyRules?.location
        == at("/etc/systemd/networkd.conf.d/90-foreign-rules.conf", 3))
    #expect(configuration.networkd?.removesForeignRoutes == true)
  }

  @Test("NetworkManager keyfiles from nmcli, with its device state and internal lease")
  func networkManager() {
    let configuration = read(
      "networkmanager",
      links: ["eth0", "eth1", "eth2", "wlan0"].enumerated().map {
        LinkIdentity(name: $0.element, index: $0.offset + 2, networkdType: "ether")
      })
    #expect(configuration.interfaces.map(\.management.manager) == Array(repeating: .networkManager, count: 4))
    #expect(configuration.interface(named: "eth0")?.networkManager?.active == true)
    #expect(configuration.interface(named: "eth0")?.management.claims.first?.basis == .runtime)
    #expect(configuration.leases(for: "eth0").first?.client == .networkManager)
    #expect(configuration.gateways(for: "eth1", family: .inet6).map(\.address) == [IPAddress("2001:db8:1::1")!])
    #expect(configuration.gateways(for: "eth2", family: .inet).map(\.address) == [IPAddress("203.0.113.1")!])
  }

  @Test("ifcfg (hand-written): initscripts, quoting, IPV6_DEFAULTGW, a .bak file ignored, dhclient's lease")
  func ifcfg() {
    let configuration = read(
      "ifcfg", links: [LinkIdentity(name: "eth0", index: 2), LinkIdentity(name: "eth1", index: 3)], now: 0)
    #expect(configuration.management(of: "eth0")?.manager == .initscripts)
    #expect(configuration.management(of: "eth1")?.manager == .initscripts)
    #expect(configuration.interface(named: "eth1")?.ifcfg?.path == "/etc/sysconfig/network-scripts/ifcfg-data")
    #expect(configuration.gateways(for: "eth1", family: .inet).map(\.address) == [IPAddress("203.0.113.1")!])
    #expect(configuration.gateways(for: "eth1", family: .inet6).map(\.address) == [IPAddress("2001:db8:b::1")!])
    #expect(
      configuration.gateways(for: "eth0", family: .inet).map(\.explanation) == [
        "192.0.2.1 (dhclient lease, /var/lib/dhclient/dhclient--eth0.lease:1)"
      ])
    #expect(configuration.services.map(\.unit) == ["network"])
  }

  @Test("ifupdown (hand-written): sourced stanzas, ifstate, the DHCP interface's lease")
  func ifupdown() {
    let configuration = read(
      "ifupdown",
      links: [
        LinkIdentity(name: "lo", index: 1), LinkIdentity(name: "eth0", index: 2), LinkIdentity(name: "eth1", index: 3),
      ])
    #expect(configuration.interfaces.map(\.management.manager) == [.ifupdown, .ifupdown, .ifupdown])
    #expect(configuration.gateways(for: "eth0", family: .inet).map(\.source) == [.dhclientLease])
    #expect(
      configuration.gateways(for: "eth1", family: .inet6).map(\.location) == [
        at("/etc/network/interfaces.d/uplinks", 8)
      ])
    #expect(configuration.interface(named: "eth1")?.ipv4?.method == .static)
  }

  @Test("netplan trees: netplan's files and the files netplan generate rendered, read from disk")
  func netplan() {
    let configuration = read("netplan/networkd", links: [LinkIdentity(name: "ens4", index: 3, networkdType: "ether")])
    #expect(
      configuration.netplan?.files == [
        "/etc/netplan/50-cloud-init.yaml", "/etc/netplan/60-data.yaml", "/run/netplan/70-mgmt.yaml",
      ])
    #expect(configuration.management(of: "ens4")?.viaNetplan == true)
    #expect(configuration.gateways(for: "ens4", family: .inet).map(\.source) == [.networkd, .netplan])
  }

  @Test("a FIFO, a file over the size bound and an unreadable directory become notes; the rest is read")
  func bounds() throws {
    let root = try TemporaryDirectory("hostconfig-bounds")
    try root.write("etc/systemd/network/10-eth0.network", "[Match]\nName=eth0\n[Network]\nGateway=192.0.2.1\n")
    try root.write(
      "etc/systemd/network/20-big.network", String(repeating: "#", count: HostConfigurationReader.maximumFileSize + 1))
    try FileManager.default.createDirectory(atPath: root.path + "/etc/netplan", withIntermediateDirectories: true)
    #expect(mkfifo(root.path + "/etc/netplan/50-fifo.yaml", 0o600) == 0)
    try root.write("etc/systemd/network/30-link.network", "")
    try FileManager.default.removeItem(atPath: root.path + "/etc/systemd/network/30-link.network")
    try FileManager.default.createSymbolicLink(
      atPath: root.path + "/etc/systemd/network/30-link.network", withDestinationPath: "/dev/null")
    let configuration = HostConfigurationReader(files: RootedFileSystem(root: root.path)).read(
      links: [LinkIdentity(name: "eth0", index: 2)], now: nil)
    #expect(configuration.gateways(for: "eth0", family: .inet).map(\.address) == [IPAddress("192.0.2.1")!])
    let notes = configuration.notes.map(\.description)
    #expect(notes.count == 2)
    #expect(
      notes.contains(
        "/etc/systemd/network/20-big.network:1:1: note: not read: cannot read \(root.path)/etc/systemd/network/20-big.network: "
          + "it is larger than 1 MiB, the most polroute reads from one file"
      ))
    #expect(
      notes.contains(
        "/etc/netplan/50-fifo.yaml:1:1: note: not read: cannot read \(root.path)/etc/netplan/50-fifo.yaml: it is a FIFO, not a regular file"
      ))
  }

  @Test("an empty root: nothing read, no notes, every kernel link listed without a manager")
  func emptyRoot() throws {
    let root = try TemporaryDirectory("hostconfig-empty")
    let configuration = HostConfigurationReader(files: RootedFileSystem(root: root.path)).read(
      links: [LinkIdentity(name: "eth0", index: 2)], now: nil)
    #expect(configuration == HostConfiguration(interfaces: [InterfaceConfiguration(name: "eth0", index: 2)]))
  }
}
