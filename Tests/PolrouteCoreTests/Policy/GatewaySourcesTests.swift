import Foundation
import PolrouteCore
import TestSupport
import Testing

/// Gateways found where they really are, each with its source, in the documented order: main, a table polroute
/// does not own, the DHCP lease or the interface's own configuration, router advertisements. The leases and
/// configuration files are the recorded fixtures under Tests/Fixtures/hostconfig (one per source).
@Suite("gateway sources")
struct GatewaySourcesTests {
  typealias T = PolicyTesting

  /// Every file under a fixture's directory (`NAME/root`, or another folder of it), by the absolute path it has on
  /// the host, as bytes (dhcpcd's lease is a binary DHCP message).
  static func files(_ fixture: String) -> HostFiles {
    let folder = fixture.contains("/input") ? fixture : fixture + "/root"
    let root = TestPaths.packageRoot + "/Tests/Fixtures/hostconfig/" + folder
    var files = HostFiles()
    for relative in TestPaths.files(under: root) {
      files.add("/" + relative, Array(FileManager.default.contents(atPath: root + "/" + relative) ?? Data()))
    }
    return files
  }

  /// A host with `main`'s route to a management uplink and one more interface whose gateway main does not name.
  static func host(_ fixture: String, device: String, index: Int, address: String) -> HostState {
    let interface = Interface(
      name: device, index: index, kind: "veth", addresses: [Address(try! InterfaceAddress(parsing: address))])
    // mgmt steps aside for the index the recorded files name (networkd's lease is /run/systemd/netif/leases/2).
    var mgmt = T.mgmt
    mgmt.index = 9
    var state = T.dualHomed(interfaces: [T.loopback, mgmt, interface])
    state.routes.removeAll { $0.device == "data" }
    state.hostConfiguration = HostConfigurationBuilder.build(
      files(fixture), links: state.interfaces.map { LinkIdentity($0) }, now: 0)
    return state
  }

  @Test(
    "each source names the gateway, and polroute policy shows where it came from",
    arguments: [
      ("dhclient", "hc0", 2, "192.0.2.141/24", "192.0.2.1", "dhclient lease, /var/lib/dhcp/dhclient.hc0.leases:"),
      ("dhcpcd", "hc0", 2, "192.0.2.141/24", "192.0.2.1", "dhcpcd lease, /var/lib/dhcpcd/hc0.lease"),
      ("networkd", "hc0", 2, "192.0.2.141/24", "192.0.2.1", "networkd lease, /run/systemd/netif/leases/2"),
      ("ifupdown", "eth1", 3, "203.0.113.10/24", "203.0.113.1", "ifupdown, /etc/network/interfaces.d/uplinks:4"),
      ("ifcfg", "eth1", 3, "203.0.113.10/24", "203.0.113.1", "ifcfg, /etc/sysconfig/network-scripts/ifcfg-data:9"),
      (
        "networkmanager", "eth1", 3, "198.51.100.20/24", "198.51.100.1",
        "NetworkManager keyfile, /etc/NetworkManager/system-connections/uplink.nmconnection:10"
      ),
      // netplan's generated file is what networkd reads, so it is the evidence; without it, netplan's own YAML.
      (
        "netplan/networkd", "ens4", 3, "203.0.113.10/24", "203.0.113.1",
        "networkd, /run/systemd/network/10-netplan-data.network:11"
      ),
      ("netplan/networkd/input", "ens4", 3, "203.0.113.10/24", "203.0.113.1", "netplan, /etc/netplan/60-data.yaml:"),
    ])
  func source(
    fixture: String, device: String, index: Int, address: String, gateway: String, evidence: String
  ) throws {
    let state = Self.host(fixture, device: device, index: index, address: address)
    let policy = try PolicyResolver(state: state, document: nil, isSnapshot: true).resolve()
    let uplink = try #require(policy.uplinks.first { $0.device == device }, "\(fixture): not an uplink")
    #expect(uplink.gateway4?.address == IPAddress(gateway))
    let explanation = try #require(uplink.gateway4?.explanation)
    #expect(explanation.contains(evidence), "\(fixture): \(explanation)")
    #expect(PolicyPrinter.text(policy, hostname: "h").contains("# \(device): IPv4 gateway \(gateway) ("))
  }

  @Test("a gateway in a hand-made table of the interface's is found; one in polroute's own tables is not")
  func foreignTable() throws {
    var state = T.dualHomed()
    state.routes.removeAll { $0.device == "data" && $0.table == RoutingTable.main && $0.hasGateway }
    let handMade = Route(
      table: 7, destination: T.prefix("0.0.0.0/0"), gateway: T.address("203.0.113.1"), device: "data")
    state.routes.append(handMade)
    let policy = try PolicyResolver(state: state, document: nil, isSnapshot: true).resolve()
    let data = try #require(policy.uplinks.first { $0.device == "data" })
    #expect(data.gateway4?.source == .foreignTable)
    #expect(data.gateway4?.explanation == "203.0.113.1 (route default via 203.0.113.1 dev data in table 7)")

    // The same route marked as polroute's is what an older polroute derived: not evidence.
    state.routes.removeAll { $0 == handMade }
    var mine = handMade
    mine.protocolNumber = Ownership.marker
    state.routes.append(mine)
    let again = try PolicyResolver(state: state, document: nil, isSnapshot: true).resolve()
    #expect(!again.uplinks.contains { $0.device == "data" })
  }

  @Test("main comes first: a lease never overrides the gateway main names")
  func mainWins() throws {
    var state = Self.host("dhclient", device: "hc0", index: 2, address: "192.0.2.141/24")
    state.routes.append(
      Route(destination: T.prefix("0.0.0.0/0"), gateway: T.address("192.0.2.254"), device: "hc0", metric: 500))
    let policy = try PolicyResolver(state: state, document: nil, isSnapshot: true).resolve()
    let uplink = try #require(policy.uplinks.first { $0.device == "hc0" })
    #expect(uplink.gateway4?.address == T.address("192.0.2.254"))
    #expect(uplink.gateway4?.source == .mainDefault)
  }
}
