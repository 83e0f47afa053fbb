import Testing

@testable import PolrouteCore

/// systemd-networkd's `.network` files: matching, DHCP and gateways, drop-ins, networkd.conf.
struct NetworkdNetworkFileTests {
  /// Parses one file.
  func file(_ text: String, dropIns: [(path: String, text: String)] = []) -> NetworkdNetworkFile {
    NetworkdNetworkFile.parse(path: "/etc/systemd/network/10-x.network", text: text, dropIns: dropIns)
  }

  @Test("Name= globs, an inverted list, an empty assignment resetting, Type= and Kind=")
  func matching() {
    let globs = file("[Match]\nName=eth* en?1\n")
    #expect(globs.matches(name: "eth0", type: "ether", kind: nil) == [])
    #expect(globs.matches(name: "ens1", type: "ether", kind: nil) == [])
    #expect(globs.matches(name: "wlan0", type: "wlan", kind: nil) == nil)
    let inverted = file("[Match]\nName=!eth1 eth2\n")
    #expect(inverted.matches(name: "eth0", type: nil, kind: nil) == [])
    #expect(inverted.matches(name: "eth1", type: nil, kind: nil) == nil)
    #expect(inverted.matches(name: "eth2", type: nil, kind: nil) == nil)
    let mixed = file("[Match]\nName=eth*\nName=!eth1\n")
    #expect(mixed.matches(name: "eth0", type: nil, kind: nil) == [])
    #expect(mixed.matches(name: "eth1", type: nil, kind: nil) == nil)
    let reset = file("[Match]\nName=eth0\nName=\nName=eth1\n")
    #expect(reset.matches(name: "eth0", type: nil, kind: nil) == nil)
    #expect(reset.matches(name: "eth1", type: nil, kind: nil) == [])
    let typed = file("[Match]\nType=ether\nKind=!veth\n")
    #expect(typed.matches(name: "x", type: "ether", kind: nil) == [])
    #expect(typed.matches(name: "x", type: "ether", kind: "veth") == nil)
    #expect(typed.matches(name: "x", type: "loopback", kind: nil) == nil)
    let mac = file("[Match]\nMACAddress=02:00:00:00:00:01\nName=eth0\n")
    #expect(mac.matches(name: "eth0", type: nil, kind: nil) == ["MACAddress"])
    #expect(!file("[Network]\nDHCP=yes\n").hasMatch)
    #expect(file("[Network]\nDHCP=yes\n").matches(name: "eth0", type: nil, kind: nil) == nil)
  }

  @Test("DHCP= words, static addresses, IPv6AcceptRA=")
  func methods() {
    #expect(file("[Network]\nDHCP=yes\n").method(.inet)?.method == .dhcp)
    #expect(file("[Network]\nDHCP=yes\n").method(.inet6)?.method == .dhcp)
    #expect(file("[Network]\nDHCP=ipv4\n").method(.inet6) == nil)
    #expect(file("[Network]\nDHCP=ipv6\n").method(.inet) == nil)
    #expect(file("[Network]\nDHCP=no\nAddress=192.0.2.10/24\n").method(.inet)?.method == .static)
    #expect(file("[Address]\nAddress=2001:db8::10/64\n").method(.inet6)?.method == .static)
    #expect(file("[Network]\nIPv6AcceptRA=yes\n").method(.inet6)?.method == .autoconf)
    let bad = file("[Network]\nDHCP=sometimes\n")
    #expect(bad.dhcp == nil)
    #expect(
      bad.diagnostics.map(\.description) == [
        "/etc/systemd/network/10-x.network:2:1: warning: DHCP= has an unknown value 'sometimes', ignored"
      ])
  }

  @Test(
    "gateways: [Network] Gateway=, [Route] without or with a default Destination= in main; not _dhcp4 or other tables")
  func gateways() {
    let parsed = file(
      """
      [Match]
      Name=eth0

      [Network]
      Gateway=192.0.2.1
      Gateway=_dhcp4
      Gateway=fe80::1%eth0

      [Route]
      Gateway=192.0.2.2

      [Route]
      Destination=0.0.0.0/0
      Gateway=192.0.2.3
      Table=main

      [Route]
      Destination=198.51.100.0/24
      Gateway=192.0.2.4

      [Route]
      Gateway=192.0.2.5
      Table=200

      [Route]
      Gateway=bogus
      """)
    #expect(parsed.gateways.map(\.address) == ["192.0.2.1", "fe80::1", "192.0.2.2", "192.0.2.3"].map(addr))
    #expect(parsed.gateways.map(\.location.line) == [5, 7, 10, 14])
    #expect(
      parsed.diagnostics.map(\.description) == [
        "/etc/systemd/network/10-x.network:26:1: warning: Gateway= 'bogus' is not an IP address, ignored"
      ])
  }

  @Test("drop-ins apply after the file: a later DHCP= wins, Unmanaged= from a drop-in, a continued line")
  func dropIns() {
    let parsed = file(
      "[Match]\nName=eth0\n[Network]\nDHCP=yes\n",
      dropIns: [
        ("/etc/systemd/network/10-x.network.d/a.conf", "[Network]\nDHCP=no\nAddress=192.0.2.10/24 \\\n\n"),
        ("/run/systemd/network/10-x.network.d/b.conf", "[Link]\n# comment\nUnmanaged=yes\n"),
      ])
    #expect(parsed.dhcp?.v4 == false)
    #expect(parsed.dhcp?.location == at("/etc/systemd/network/10-x.network.d/a.conf", 2))
    #expect(parsed.unmanaged)
    #expect(parsed.method(.inet)?.method == .static)
    #expect(parsed.dropIns.count == 2)
  }

  @Test("networkd.conf and drop-ins: ManageForeignRoutingPolicyRules= and ManageForeignRoutes=, the last wins")
  func networkdConf() {
    let (settings, diagnostics) = NetworkdConfFile.settings([
      ("/etc/systemd/networkd.conf", "[Network]\n#ManageForeignRoutingPolicyRules=yes\nManageForeignRoutes=maybe\n"),
      ("/etc/systemd/networkd.conf.d/polroute.conf", "[Network]\nManageForeignRoutingPolicyRules=no\n"),
    ])
    #expect(
      settings.manageForeignRoutingPolicyRules
        == LocatedFlag(false, at: at("/etc/systemd/networkd.conf.d/polroute.conf", 2)))
    #expect(settings.manageForeignRoutes == nil)
    #expect(!settings.removesForeignRules)
    #expect(settings.removesForeignRoutes)
    #expect(
      diagnostics.map(\.description) == [
        "/etc/systemd/networkd.conf:3:1: warning: ManageForeignRoutes= has a value that is not a boolean: 'maybe'"
      ])
  }

  @Test(
    "the builder picks the first matching file by name across directories; /etc hides /run and /usr/lib; an empty file masks"
  )
  func precedence() {
    let files = HostFiles(texts: [
      "/usr/lib/systemd/network/10-all.network": "[Match]\nName=*\n[Network]\nDHCP=yes\n",
      "/etc/systemd/network/10-all.network": "",
      "/run/systemd/network/20-eth.network":
        "[Match]\nName=eth*\n[Network]\nAddress=192.0.2.10/24\nGateway=192.0.2.1\n",
      "/usr/lib/systemd/network/15-eth1.network": "[Match]\nName=eth1\n[Link]\nUnmanaged=yes\n",
      "/etc/systemd/network/05-nomatch.network": "[Network]\nDHCP=yes\n",
      "/usr/lib/systemd/network/99-default.network": "[Match]\nName=*\n[Network]\nDHCP=yes\n",
      "/etc/systemd/network/20-eth.network.d/gw.conf": "[Network]\nGateway=192.0.2.254\n",
    ])
    let configuration = HostConfigurationBuilder.build(
      files, links: [LinkIdentity(name: "eth0", index: 2), LinkIdentity(name: "eth1", index: 3)])
    let eth0 = configuration.interface(named: "eth0")
    #expect(eth0?.networkd?.file == "/run/systemd/network/20-eth.network")
    #expect(eth0?.networkd?.dropIns == ["/etc/systemd/network/20-eth.network.d/gw.conf"])
    #expect(eth0?.management.manager == .networkd)
    #expect(
      configuration.gateways(for: "eth0", family: .inet).map(\.address) == [addr("192.0.2.1"), addr("192.0.2.254")])
    let eth1 = configuration.interface(named: "eth1")
    #expect(eth1?.networkd?.file == "/usr/lib/systemd/network/15-eth1.network")
    #expect(eth1?.networkd?.unmanaged == true)
    #expect(eth1?.management.manager == nil)
    #expect(eth1?.management.claims.map(\.basis) == [.declined])
    #expect(
      configuration.notes.map(\.description) == [
        "/etc/systemd/network/05-nomatch.network:1:1: warning: no [Match] setting: networkd ignores this file (add "
          + "'Name=*' to match every interface)"
      ])
  }

  @Test("recorded: the .network file, lease and link state of networkd run by hand")
  func recorded() {
    let index = Int(HostConfigFixtures.text("networkd", "/../hc0.ifindex").trimmingASCIIWhitespace()) ?? 2
    let configuration = HostConfigurationBuilder.build(
      HostConfigFixtures.files("networkd"),
      links: [
        LinkIdentity(name: "lo", index: 1, networkdType: "loopback"),
        LinkIdentity(name: "hc0", index: index, networkdType: "ether", kind: "veth"),
      ])
    let hc0 = configuration.interface(named: "hc0")
    #expect(hc0?.management.manager == .networkd)
    #expect(hc0?.management.claims.first?.basis == .runtime)
    #expect(
      hc0?.management.claims.first?.detail
        == "ADMIN_STATE=configuring, NETWORK_FILE=/run/systemd/network/20-hc0.network")
    #expect(hc0?.networkd?.file == "/run/systemd/network/20-hc0.network")
    #expect(hc0?.networkd?.adminState == "configuring")
    #expect(hc0?.usesDHCP(.inet) == true)
    #expect(
      configuration.gateways(for: "hc0", family: .inet) == [
        ConfiguredGateway(
          address: addr("192.0.2.1"), source: .networkdLease, location: at("/run/systemd/netif/leases/\(index)", 1))
      ])
    #expect(configuration.leases(for: "hc0").first?.address == addr("192.0.2.141"))
    #expect(configuration.leases(for: "hc0").first?.prefixLength == 24)
    #expect(configuration.leases(for: "hc0").first?.leaseSeconds == 3600)
    let lo = configuration.interface(named: "lo")
    #expect(lo?.management.manager == nil)
    #expect(lo?.management.claims.map(\.detail) == ["ADMIN_STATE=unmanaged"])
  }

  @Test("a megabyte value in a host's file is quoted shortened in its warning, as the policy's tokens are")
  func longValueShortened() {
    let value = String(repeating: "x", count: 1_000_000)
    let parsed = file("[Match]\nName=eth0\n\n[Network]\nGateway=\(value)\nDHCP=\(value)\n")
    let messages = parsed.diagnostics.map(\.description)
    #expect(messages.count == 2, "\(messages.map { $0.prefix(200) })")
    let shortened = String(repeating: "x", count: MessageText.quoteLimit) + "... (1000000 bytes)"
    #expect(messages.allSatisfy { $0.utf8.count < 400 && $0.contains(shortened) }, "\(messages.map { $0.prefix(200) })")
  }
}
