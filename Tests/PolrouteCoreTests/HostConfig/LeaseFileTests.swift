import Testing

@testable import PolrouteCore

/// DHCP lease files: dhclient's database, dhcpcd's raw ACK, systemd's key=value leases (networkd and
/// NetworkManager's internal client).
struct LeaseFileTests {
  @Test("recorded dhclient lease: address, routers, mask, lease time, server, expiry in UTC")
  func dhclientRecorded() {
    let path = "/var/lib/dhcp/dhclient.hc0.leases"
    let (leases, diagnostics) = DhclientLeaseFile.parse(HostConfigFixtures.text("dhclient", path), path: path)
    #expect(diagnostics.isEmpty)
    #expect(leases.count == 1)
    let lease = leases[0]
    #expect(lease.interface == "hc0")
    #expect(lease.address == addr("192.0.2.141"))
    #expect(lease.routers == [addr("192.0.2.1")])
    #expect(lease.defaultGateways == [addr("192.0.2.1")])
    #expect(lease.prefixLength == 24)
    #expect(lease.leaseSeconds == 3600)
    #expect(lease.server == addr("192.0.2.1"))
    #expect(lease.line == 1)
    // `expire 5 2026/12/04 23:46:10;` is 1796427970 seconds after the epoch.
    #expect(lease.expires == 1_796_427_970)
  }

  @Test("the last lease of each interface wins; epoch times; option 121's default route beats option 3; lease6 skipped")
  func dhclientDatabase() {
    let text = """
      default-duid "\\000\\001\\000\\001";
      lease {
        interface "eth0";
        fixed-address 192.0.2.10;
        option routers 192.0.2.1;
        expire 1 2026/01/05 10:00:00;
      }
      lease {
        interface "eth1";
        fixed-address 198.51.100.10;
        option routers 198.51.100.1,198.51.100.2;
        option rfc3442-classless-static-routes 24,203,0,113,198,51,100,3,0,198,51,100,4;
        expire epoch 1800000000; # Fri Jan 15 08:00:00 2027
      }
      lease6 {
        interface "eth0";
        ia-na 1a:2b:3c:4d {
          iaaddr 2001:db8::10 { max-life 7200; }
        }
      }
      lease {
        interface "eth0";
        fixed-address 192.0.2.11;
        option routers 192.0.2.254;
        expire never;
      }
      """
    let (leases, diagnostics) = DhclientLeaseFile.parse(text, path: "/var/lib/dhcp/dhclient.leases")
    #expect(diagnostics.isEmpty)
    #expect(leases.map(\.interface) == ["eth0", "eth1"])
    #expect(leases[0].address == addr("192.0.2.11"))
    #expect(leases[0].line == 21)
    #expect(leases[0].expires == nil)
    #expect(leases[1].routers == [addr("198.51.100.1"), addr("198.51.100.2")])
    #expect(leases[1].classlessDefaultGateways == [addr("198.51.100.4")])
    #expect(leases[1].defaultGateways == [addr("198.51.100.4")])
    #expect(leases[1].expires == 1_800_000_000)
  }

  @Test("malformed dhclient files give located notes and whatever leases were whole")
  func dhclientMalformed() {
    let (leases, diagnostics) = DhclientLeaseFile.parse(
      "lease {\n  interface \"eth0\";\n  fixed-address 192.0.2.300;\n}\nlease {\n  fixed-address 192.0.2.1;\n}\nlease {\n  interface \"eth2\";\n",
      path: "/l")
    #expect(leases.isEmpty)
    #expect(
      diagnostics.map(\.description) == [
        "/l:3:1: warning: fixed-address '192.0.2.300' is not an address",
        "/l:5:1: warning: lease has no 'interface' statement, ignored",
        "/l:8:1: warning: lease block is not closed with '}'",
      ])
    // Every prefix of a lease parses without crashing.
    let text = HostConfigFixtures.text("dhclient", "/var/lib/dhcp/dhclient.hc0.leases")
    for end in stride(from: 0, through: text.count, by: 7) {
      _ = DhclientLeaseFile.parse(String(text.prefix(end)), path: "/p")
    }
  }

  @Test("recorded dhcpcd lease: the raw ACK's yiaddr and options")
  func dhcpcdRecorded() throws {
    let path = "/var/lib/dhcpcd/hc0.lease"
    let lease = try DhcpcdLeaseFile.lease(HostConfigFixtures.bytes("dhcpcd", path), path: path, interface: "hc0")
    #expect(lease.address?.description.hasPrefix("192.0.2.") == true)
    #expect(lease.routers == [addr("192.0.2.1")])
    #expect(lease.prefixLength == 24)
    #expect(lease.leaseSeconds == 3600)
    #expect(lease.server == addr("192.0.2.1"))
    #expect(lease.classlessDefaultGateways == nil)
  }

  @Test("dhcpcd: option 121, overload into the file field, and every damaged message refused with a reason")
  func dhcpcdOptions() throws {
    var message = [UInt8](repeating: 0, count: 236)
    message[0] = 2
    message[16...19] = [192, 0, 2, 50]
    // Options 52 (overload: file) and 121 in the main area; routers in the file field.
    message += DhcpcdLeaseFile.cookie + [52, 1, 1, 121, 5, 0, 192, 0, 2, 9, 255]
    message[108...114] = [3, 4, 192, 0, 2, 1, 255]
    let lease = try DhcpcdLeaseFile.lease(message, path: "/l", interface: "eth0")
    #expect(lease.routers == [addr("192.0.2.1")])
    #expect(lease.classlessDefaultGateways == [addr("192.0.2.9")])
    #expect(lease.defaultGateways == [addr("192.0.2.9")])
    #expect(throws: DhcpcdLeaseFile.Problem.tooShort(10)) {
      try DhcpcdLeaseFile.lease(Array(message.prefix(10)), path: "/l", interface: "x")
    }
    var request = message
    request[0] = 1
    #expect(throws: DhcpcdLeaseFile.Problem.notReply(1)) {
      try DhcpcdLeaseFile.lease(request, path: "/l", interface: "x")
    }
    var noCookie = message
    noCookie[236] = 0
    #expect(throws: DhcpcdLeaseFile.Problem.noMagicCookie) {
      try DhcpcdLeaseFile.lease(noCookie, path: "/l", interface: "x")
    }
    let truncated = Array(message.prefix(236)) + DhcpcdLeaseFile.cookie + [3, 8, 192, 0]
    #expect(throws: DhcpcdLeaseFile.Problem.truncatedOption(code: 3, offset: 240)) {
      try DhcpcdLeaseFile.lease(truncated, path: "/l", interface: "x")
    }
    let (none, diagnostics) = DhcpcdLeaseFile.parse(truncated, path: "/var/lib/dhcpcd/x.lease", interface: "x")
    #expect(none == nil)
    #expect(
      diagnostics.map(\.description) == [
        "/var/lib/dhcpcd/x.lease:1:1: warning: not a dhcpcd lease: option 3 at byte 240 runs past the end"
      ])
    // No byte string crashes the reader.
    var generator = SystemRandomNumberGenerator()
    for length in [0, 239, 240, 241, 300] {
      for _ in 0..<50 {
        var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        if length >= 240 {
          bytes[0] = 2
          bytes.replaceSubrange(236..<240, with: DhcpcdLeaseFile.cookie)
        }
        _ = DhcpcdLeaseFile.parse(bytes, path: "/r", interface: "r")
      }
    }
  }

  @Test("dhcpcd file names: IFACE.lease, dhcpcd-IFACE.lease, IFACE-SSID.lease, not .lease6")
  func dhcpcdNames() {
    #expect(DhcpcdLeaseFile.interface(fileName: "eth0.lease", known: ["eth0"]) == "eth0")
    #expect(DhcpcdLeaseFile.interface(fileName: "dhcpcd-eth0.lease", known: ["eth0"]) == "eth0")
    #expect(DhcpcdLeaseFile.interface(fileName: "wlan0-home-net.lease", known: ["wlan0"]) == "wlan0")
    #expect(DhcpcdLeaseFile.interface(fileName: "eth0.lease6", known: ["eth0"]) == nil)
    #expect(DhcpcdLeaseFile.interface(fileName: "duid", known: []) == nil)
  }

  @Test("recorded networkd lease, NetworkManager's internal lease (address only), file names")
  func systemdLeases() {
    let path = "/run/systemd/netif/leases/2"
    let (lease, diagnostics) = NetworkdLeaseFile.parse(
      HostConfigFixtures.text("networkd", path), path: path, interface: "hc0", client: .networkd)
    #expect(diagnostics.isEmpty)
    #expect(lease?.address == addr("192.0.2.141"))
    #expect(lease?.routers == [addr("192.0.2.1")])
    #expect(lease?.server == addr("192.0.2.1"))
    let (nmLease, _) = NetworkdLeaseFile.parse(
      "# This is private data. Do not parse.\nADDRESS=198.51.100.77\n", path: "/n", interface: "eth0",
      client: .networkManager)
    #expect(nmLease?.address == addr("198.51.100.77"))
    #expect(nmLease?.defaultGateways == [])
    let (classless, _) = NetworkdLeaseFile.parse(
      "ADDRESS=192.0.2.5\nROUTER=192.0.2.1 bad\nCLASSLESS_ROUTES=0.0.0.0/0,192.0.2.7 198.51.100.0/24,192.0.2.8\n",
      path: "/c", interface: "x", client: .networkd)
    #expect(classless?.defaultGateways == [addr("192.0.2.7")])
    #expect(NetworkdLeaseFile.parse("ROUTER=192.0.2.1\n", path: "/e", interface: "x", client: .networkd).0 == nil)
    #expect(
      NetworkdLeaseFile.networkManagerLease(fileName: "internal-91905a24-363e-477a-b911-f8fb86ea3ba4-eth0.lease")!
        == ("eth0", .networkManager))
    #expect(
      NetworkdLeaseFile.networkManagerLease(fileName: "dhclient-91905a24-363e-477a-b911-f8fb86ea3ba4-br-lan.lease")!
        == ("br-lan", .networkManagerDhclient))
    #expect(
      NetworkdLeaseFile.networkManagerLease(fileName: "internal6-91905a24-363e-477a-b911-f8fb86ea3ba4-eth0.lease")
        == nil)
    #expect(NetworkdLeaseFile.networkManagerLease(fileName: "timestamps") == nil)
  }
}
