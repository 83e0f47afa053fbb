import Foundation
import Testing

@testable import PolrouteCore

/// NetworkManager keyfiles, as `nmcli --offline` wrote them (recorded) and as people write them by hand.
struct NetworkManagerProfileTests {
  /// The recorded keyfile directory.
  static let directory = "/etc/NetworkManager/system-connections"

  /// A recorded keyfile.
  func recorded(_ name: String) -> NetworkManagerProfile {
    let path = Self.directory + "/" + name
    return NetworkManagerProfile.keyfile(HostConfigFixtures.text("networkmanager", path), path: path)
  }

  @Test("recorded static profile: `addressN=ADDR/LEN,GW` gives the gateway of each family")
  func staticProfile() {
    let profile = recorded("uplink.nmconnection")
    #expect(profile.id == "uplink")
    #expect(profile.interfaceName == "eth1")
    #expect(profile.type == "ethernet")
    #expect(profile.ipv4?.method == .static)
    #expect(profile.ipv6?.method == .static)
    #expect(profile.gateways.map(\.address) == [addr("198.51.100.1"), addr("2001:db8:1::1")])
    #expect(profile.gateways.map(\.location.line) == [10, 15])
    #expect(profile.diagnostics.isEmpty)
  }

  @Test("recorded routes: a default route in table 254 is a gateway, one in another table is not")
  func routes() {
    let profile = recorded("routed.nmconnection")
    #expect(profile.gateways.map(\.address) == [addr("203.0.113.1")])
    #expect(profile.gateways.first?.location == at(Self.directory + "/routed.nmconnection", 12))
  }

  @Test("recorded DHCP profile: ipv4 auto is DHCP, ipv6 auto is autoconfiguration")
  func dhcpProfile() {
    let profile = recorded("lan dhcp.nmconnection")
    #expect(profile.ipv4?.method == .dhcp)
    #expect(profile.ipv6?.method == .autoconf)
    #expect(profile.gateways.isEmpty)
  }

  @Test("a Wi-Fi profile's key never reaches the model or the snapshot")
  func noSecrets() throws {
    let files = HostConfigFixtures.files("networkmanager")
    let text = files.text(Self.directory + "/home wifi.nmconnection") ?? ""
    #expect(text.contains("psk=not-a-real-psk-0123"))
    let configuration = HostConfigurationBuilder.build(files, links: [LinkIdentity(name: "wlan0", index: 3)])
    #expect(configuration.interface(named: "wlan0")?.networkManager?.id == "home wifi")
    let json = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
    #expect(!json.contains("not-a-real-psk"))
    #expect(!json.contains("psk"))
  }

  @Test("hand-written: gateway=, escapes, legacy addresses1=, match.interface-name lists, bad values located")
  func handWritten() {
    let profile = NetworkManagerProfile.keyfile(
      """
      [connection]
      id=my\\sconnection
      uuid=9d7a2c1e-0000-4000-8000-000000000001
      autoconnect-priority=10
      [match]
      interface-name=eth*;!eth9;
      [ipv4]
      method=manual
      addresses1=192.0.2.10;24;192.0.2.1;
      gateway=192.0.2.254
      route1=198.51.100.0/24,192.0.2.2
      [ipv6]
      method=sometimes
      gateway=192.0.2.9
      """, path: "/etc/NetworkManager/system-connections/x")
    #expect(profile.id == "my connection")
    #expect(profile.autoconnectPriority == 10)
    #expect(profile.applies(to: "eth0"))
    #expect(!profile.applies(to: "eth9"))
    #expect(!profile.applies(to: "wlan0"))
    #expect(profile.gateways.map(\.address) == [addr("192.0.2.254"), addr("192.0.2.1")])
    #expect(
      profile.diagnostics.map(\.description) == [
        "/etc/NetworkManager/system-connections/x:13:1: warning: ipv6.method 'sometimes' is unknown, ignored",
        "/etc/NetworkManager/system-connections/x:14:1: warning: '192.0.2.9' is not an IPv6 gateway, ignored",
      ])
  }

  @Test("match lists: `&` must match, `~` and plain are optional, `!` excludes")
  func matchLists() {
    var profile = NetworkManagerProfile(path: "/x", storage: .keyfile)
    profile.interfacePatterns = ["&e*", "~eth0", "ens3"]
    #expect(profile.applies(to: "eth0"))
    #expect(profile.applies(to: "ens3"))
    #expect(!profile.applies(to: "ens4"))
    profile.interfacePatterns = ["!lo"]
    #expect(profile.applies(to: "eth0"))
    #expect(!profile.applies(to: "lo"))
  }

  @Test("the builder: the profile NetworkManager says is active wins over a higher autoconnect-priority")
  func activeProfile() {
    let files = HostFiles(texts: [
      "/etc/NetworkManager/system-connections/a.nmconnection":
        "[connection]\nid=a\nuuid=aaaaaaaa-0000-4000-8000-000000000001\ninterface-name=eth0\nautoconnect-priority=50\n[ipv4]\nmethod=auto\n",
      "/etc/NetworkManager/system-connections/b.nmconnection":
        "[connection]\nid=b\nuuid=bbbbbbbb-0000-4000-8000-000000000002\ninterface-name=eth0\n[ipv4]\nmethod=manual\naddress1=192.0.2.10/24,192.0.2.1\n",
      "/run/NetworkManager/devices/2":
        "[device]\nmanaged=true\nperm-hw-addr-fake=\nconnection-uuid=bbbbbbbb-0000-4000-8000-000000000002\n",
    ])
    let configuration = HostConfigurationBuilder.build(files, links: [LinkIdentity(name: "eth0", index: 2)])
    let eth0 = configuration.interface(named: "eth0")
    #expect(eth0?.networkManager?.id == "b")
    #expect(eth0?.networkManager?.active == true)
    #expect(eth0?.networkManager?.alternatives == ["/etc/NetworkManager/system-connections/a.nmconnection"])
    #expect(
      eth0?.management.claims.first?.detail == "managed=true, connection-uuid=bbbbbbbb-0000-4000-8000-000000000002")
    #expect(configuration.gateways(for: "eth0", family: .inet).map(\.address) == [addr("192.0.2.1")])
    // Without the device state, the higher autoconnect-priority would be taken.
    var offline = files
    offline.contents["/run/NetworkManager/devices/2"] = nil
    offline.listings["/run/NetworkManager/devices"] = nil
    #expect(
      HostConfigurationBuilder.build(offline, links: [LinkIdentity(name: "eth0", index: 2)]).interface(named: "eth0")?
        .networkManager?.id == "a")
  }
}
