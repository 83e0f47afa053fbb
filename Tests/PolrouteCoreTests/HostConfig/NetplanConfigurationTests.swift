import Testing

@testable import PolrouteCore

/// netplan's merge of several files, its renderer selection, and gateways, checked against what `netplan generate`
/// itself rendered from the same files (Tests/Fixtures/hostconfig/netplan/*/root, recorded by record.sh).
struct NetplanConfigurationTests {
  /// The links of the recorded trees.
  static let links = [
    LinkIdentity(name: "eth0", index: 2, networkdType: "ether"),
    LinkIdentity(name: "ens4", index: 3, networkdType: "ether"),
    LinkIdentity(name: "mgmt", index: 4, networkdType: "ether"),
    LinkIdentity(name: "eth1", index: 5, networkdType: "ether"),
    LinkIdentity(name: "eth2", index: 6, networkdType: "ether"),
  ]

  @Test("a file in /etc hides the same name in /lib; the rest merge in name order whatever their directory")
  func mergeOrder() {
    let files = HostConfigFixtures.files("netplan/networkd")
    #expect(
      NetplanConfiguration.files(files.listings) == [
        "/etc/netplan/50-cloud-init.yaml", "/etc/netplan/60-data.yaml", "/run/netplan/70-mgmt.yaml",
      ])
    let merged = NetplanConfiguration.merge(
      NetplanConfiguration.files(files.listings).map { ($0, files.text($0)!) })
    #expect(merged.diagnostics.isEmpty)
    #expect(merged.devices.map(\.id) == ["eth0", "data", "mgmt"])
    let eth0 = merged.devices[0]
    #expect(eth0.locations == [at("/etc/netplan/50-cloud-init.yaml", 9, 9), at("/run/netplan/70-mgmt.yaml", 4, 5)])
    // The later file added a key to eth0's mapping; the earlier keys stay.
    #expect(eth0.node["dhcp4"]?.text == "true")
    #expect(eth0.node["dhcp4-overrides"]?["route-metric"]?.text == "200")
  }

  @Test("later files override scalars, append to sequences and merge mappings")
  func mergeRules() {
    let merged = NetplanConfiguration.merge([
      (
        "/etc/netplan/10-a.yaml",
        "network:\n  ethernets:\n    eth0:\n      addresses: [192.0.2.10/24]\n      mtu: 1500\n"
      ),
      (
        "/etc/netplan/20-b.yaml",
        "network:\n  ethernets:\n    eth0:\n      addresses: [192.0.2.11/24]\n      mtu: 9000\n"
      ),
    ])
    #expect(merged.devices.count == 1)
    #expect(merged.devices[0].node["addresses"]?.items?.map(\.text) == ["192.0.2.10/24", "192.0.2.11/24"])
    #expect(merged.devices[0].node["mtu"]?.text == "9000")
  }

  @Test("renderer: the device's own, else its type block's, else the global one, else networkd")
  func renderers() {
    let merged = NetplanConfiguration.merge([
      (
        "/etc/netplan/10.yaml",
        """
        network:
          renderer: NetworkManager
          ethernets:
            a: {dhcp4: true}
            b: {renderer: networkd}
          bridges:
            renderer: networkd
            br0: {}
        """
      )
    ])
    let renderers = merged.devices.map { merged.renderer(of: $0).0 }
    #expect(renderers == [.networkManager, .networkd, .networkd])
    #expect(merged.renderer(of: merged.devices[0]).1 == at("/etc/netplan/10.yaml", 2, 13))
    #expect(
      NetplanConfiguration.merge([("/e/1.yaml", "network: {ethernets: {a: {}}}")]).renderer(
        of: NetplanConfiguration.merge([("/e/1.yaml", "network: {ethernets: {a: {}}}")]).devices[0]
      ).0 == .networkd)
  }

  @Test("a file that is not valid YAML is left out with a located error")
  func invalidFile() {
    let merged = NetplanConfiguration.merge([
      ("/etc/netplan/10.yaml", "network:\n  ethernets:\n\teth0: {}\n"),
      ("/etc/netplan/20.yaml", "network:\n  ethernets:\n    eth1: {dhcp4: true}\n"),
    ])
    #expect(merged.devices.map(\.id) == ["eth1"])
    #expect(
      merged.diagnostics.map(\.description) == [
        "/etc/netplan/10.yaml:3:1: error: a tab character indents this line (YAML allows only spaces) (netplan "
          + "generate refuses the whole configuration)"
      ])
  }

  @Test("networkd renderer: the definitions, their gateways and the .network files netplan generated agree")
  func networkdTree() {
    let configuration = HostConfigurationBuilder.build(HostConfigFixtures.files("netplan/networkd"), links: Self.links)
    #expect(configuration.netplan?.files.count == 3)
    for name in ["eth0", "ens4", "mgmt"] {
      let interface = configuration.interface(named: name)
      #expect(interface?.management.manager == .networkd, "\(name)")
      #expect(interface?.management.viaNetplan == true, "\(name)")
      #expect(interface?.netplan?.renderer == .networkd)
    }
    #expect(configuration.interface(named: "eth0")?.networkd?.file == "/run/systemd/network/10-netplan-eth0.network")
    #expect(configuration.interface(named: "eth0")?.networkd?.uncheckedMatchKeys == ["PermanentMACAddress"])
    #expect(configuration.interface(named: "eth0")?.netplan?.uncheckedMatchKeys == ["macaddress"])
    #expect(configuration.interface(named: "ens4")?.netplan?.id == "data")
    #expect(configuration.interface(named: "eth0")?.usesDHCP(.inet) == true)
    #expect(configuration.interface(named: "ens4")?.usesDHCP(.inet) == false)
    // netplan's reading and networkd's file give the same gateways, each with its own line.
    for (name, family, gateway) in [
      ("ens4", AddressFamily.inet, "203.0.113.1"), ("ens4", .inet6, "2001:db8:b::1"), ("mgmt", .inet, "198.51.100.1"),
    ] {
      let gateways = configuration.gateways(for: name, family: family)
      #expect(gateways.map(\.address) == [addr(gateway), addr(gateway)], "\(name)")
      #expect(gateways.map(\.source) == [.networkd, .netplan], "\(name)")
    }
    #expect(
      configuration.gateways(for: "mgmt", family: .inet).map(\.location) == [
        at("/run/systemd/network/10-netplan-mgmt.network", 10), at("/run/netplan/70-mgmt.yaml", 10, 35),
      ])
    #expect(configuration.gateways(for: "eth0", family: .inet).isEmpty)
    #expect(configuration.cloudAgents.isEmpty)
  }

  @Test("NetworkManager renderer: global NetworkManager, one device overridden to networkd, as netplan generated")
  func networkManagerTree() {
    let configuration = HostConfigurationBuilder.build(
      HostConfigFixtures.files("netplan/networkmanager"), links: Self.links)
    let eth1 = configuration.interface(named: "eth1")
    #expect(eth1?.management.manager == .networkManager)
    #expect(eth1?.management.viaNetplan == true)
    #expect(eth1?.netplan?.rendererLocation == at("/etc/netplan/01-network-manager-all.yaml", 4, 13))
    #expect(eth1?.networkManager?.path == "/run/NetworkManager/system-connections/netplan-eth1.nmconnection")
    #expect(eth1?.networkManager?.id == "netplan-eth1")
    #expect(
      eth1?.ipv4
        == AddressingMethod(.static, at: at("/run/NetworkManager/system-connections/netplan-eth1.nmconnection", 10)))
    #expect(
      configuration.gateways(for: "eth1", family: .inet).map(\.address) == [addr("198.51.100.1"), addr("198.51.100.1")])
    #expect(configuration.gateways(for: "eth1", family: .inet).map(\.source) == [.networkManagerKeyfile, .netplan])
    let eth2 = configuration.interface(named: "eth2")
    #expect(eth2?.management.manager == .networkd)
    #expect(eth2?.netplan?.renderer == .networkd)
    #expect(eth2?.networkd?.file == "/run/systemd/network/10-netplan-eth2.network")
    #expect(eth2?.usesDHCP(.inet) == true)
    #expect(eth2?.usesDHCP(.inet6) == true)
  }
}
