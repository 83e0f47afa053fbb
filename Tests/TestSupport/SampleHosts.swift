import PolrouteCore

/// Small host states built in code, for tests that need a host but not a recording.
public enum SampleHosts {
  /// Parses an address for fixtures (they are literals, so a failure is a bug in the test).
  static func address(_ text: String) -> IPAddress { IPAddress(text)! }

  /// Parses a prefix for fixtures.
  static func prefix(_ text: String) -> IPPrefix { IPPrefix(text)! }

  /// An interface address.
  static func interfaceAddress(_ text: String, flags: [Address.Flag] = []) -> Address {
    Address(try! InterfaceAddress(parsing: text), flags: flags)
  }

  /// The kernel's default rules of both families.
  public static var defaultRules: [Rule] {
    [
      Rule(family: .inet, priority: 0, action: .lookup(RoutingTable.local)),
      Rule(family: .inet, priority: 32766, action: .lookup(RoutingTable.main)),
      Rule(family: .inet, priority: 32767, action: .lookup(RoutingTable.defaultTable)),
      Rule(family: .inet6, priority: 0, action: .lookup(RoutingTable.local)),
      Rule(family: .inet6, priority: 32766, action: .lookup(RoutingTable.main)),
    ]
  }

  /// Management 198.51.100.10/24 (main's default via 198.51.100.1) and data 203.0.113.10/24 (main has
  /// 192.0.2.128/25 via 203.0.113.1 dev data), strict rp_filter, no policy routing yet.
  public static var dualHomed: HostState {
    HostState(
      hostname: "server",
      interfaces: [
        Interface(
          name: "lo", index: 1, linkType: "loopback", operState: "UNKNOWN", flags: ["LOOPBACK", "UP", "LOWER_UP"],
          mtu: 65536, addresses: [Address(try! InterfaceAddress(parsing: "127.0.0.1/8"), scope: "host")]),
        Interface(name: "mgmt", index: 2, kind: "veth", addresses: [interfaceAddress("198.51.100.10/24")]),
        Interface(name: "data", index: 3, kind: "veth", addresses: [interfaceAddress("203.0.113.10/24")]),
      ],
      routes: [
        Route(destination: prefix("0.0.0.0/0"), gateway: address("198.51.100.1"), device: "mgmt"),
        Route(destination: prefix("192.0.2.128/25"), gateway: address("203.0.113.1"), device: "data"),
        Route(
          destination: prefix("198.51.100.0/24"), device: "mgmt", protocolNumber: RouteProtocol.kernel,
          scope: RouteScope.link, preferredSource: address("198.51.100.10")),
        Route(
          destination: prefix("203.0.113.0/24"), device: "data", protocolNumber: RouteProtocol.kernel,
          scope: RouteScope.link, preferredSource: address("203.0.113.10")),
      ],
      rules: defaultRules,
      rpFilter: ReversePathFilter(all: 1, defaultValue: 1, interfaces: ["mgmt": 1, "data": 1, "lo": 0]),
      system: SystemFacts(osID: "debian", osVersion: "12"))
  }

  /// The dual-homed host's network configuration as its managers' files say: data is systemd-networkd's
  /// (`10-data.network`), mgmt NetworkManager's (a keyfile profile), and netplan defines both, data for networkd
  /// and mgmt for NetworkManager.
  public static let managedFiles: [String: String] = [
    "/etc/systemd/network/10-data.network": """
    [Match]
    Name=data

    [Network]
    Address=203.0.113.10/24
    Gateway=203.0.113.1

    """,
    "/etc/NetworkManager/system-connections/mgmt.nmconnection": """
    [connection]
    id=mgmt
    uuid=6f1c2b8e-5d4a-4c3b-9e2f-1a7b8c9d0e1f
    type=ethernet
    interface-name=mgmt

    [ipv4]
    method=manual
    address1=198.51.100.10/24,198.51.100.1

    """,
    "/etc/netplan/50-server.yaml": """
    network:
      version: 2
      ethernets:
        data:
          addresses: [203.0.113.10/24]
        mgmt:
          renderer: NetworkManager
          addresses: [198.51.100.10/24]

    """,
  ]

  /// NetworkManager's profile for data, for tests where NetworkManager configures both interfaces.
  public static let dataProfile = """
    [connection]
    id=data
    uuid=0d5c4a3b-2e1f-4a9b-8c7d-6e5f4a3b2c1d
    type=ethernet
    interface-name=data

    [ipv4]
    method=manual
    address1=203.0.113.10/24

    """

  /// Both interfaces NetworkManager's, each with a keyfile profile.
  public static var networkManagerConfiguration: HostConfiguration {
    var files = managedFiles.filter { $0.key.hasPrefix("/etc/NetworkManager") }
    files["/etc/NetworkManager/system-connections/data.nmconnection"] = dataProfile
    return HostConfigurationBuilder.build(
      HostFiles(texts: files),
      links: [
        LinkIdentity(name: "mgmt", index: 2, networkdType: "ether", kind: "veth"),
        LinkIdentity(name: "data", index: 3, networkdType: "ether", kind: "veth"),
      ], now: 0)
  }

  /// `managedFiles` read as polroute reads a host's files.
  public static var managedConfiguration: HostConfiguration {
    HostConfigurationBuilder.build(
      HostFiles(texts: managedFiles),
      links: [
        LinkIdentity(name: "mgmt", index: 2, networkdType: "ether", kind: "veth"),
        LinkIdentity(name: "data", index: 3, networkdType: "ether", kind: "veth"),
      ], now: 0)
  }
}
