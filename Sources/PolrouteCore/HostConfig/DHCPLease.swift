/// A DHCPv4 lease a client recorded for an interface.
public struct DHCPLease: Codable, Hashable, Sendable {
  /// The client that wrote the lease.
  public enum Client: String, Codable, Hashable, Sendable {
    /// ISC dhclient (alone, under ifupdown or initscripts).
    case dhclient
    /// dhcpcd.
    case dhcpcd
    /// systemd-networkd's built-in client.
    case networkd = "systemd-networkd"
    /// NetworkManager's internal client (`internal-*.lease`).
    case networkManager = "NetworkManager"
    /// dhclient run by NetworkManager (`dhclient-*.lease` under /var/lib/NetworkManager).
    case networkManagerDhclient = "NetworkManager dhclient"

    /// The gateway source this client's leases give.
    public var gatewaySource: ConfiguredGateway.Source {
      switch self {
      case .dhclient, .networkManagerDhclient: return .dhclientLease
      case .dhcpcd: return .dhcpcdLease
      case .networkd: return .networkdLease
      case .networkManager: return .networkManagerLease
      }
    }

    /// The manager that runs this client for the interfaces it manages; nil for a client any manager may run.
    public var manager: NetworkConfigurator? {
      switch self {
      case .networkd: return .networkd
      case .networkManager, .networkManagerDhclient: return .networkManager
      case .dhclient, .dhcpcd: return nil
      }
    }
  }

  /// The interface.
  public var interface: String
  /// The client.
  public var client: Client
  /// The leased address (`yiaddr`, `fixed-address`, `ADDRESS=`).
  public var address: IPAddress?
  /// The subnet mask's prefix length, when the lease has one.
  public var prefixLength: Int?
  /// The routers of option 3, in order.
  public var routers: [IPAddress]
  /// The gateways of the default route in option 121 (classless static routes), when the lease has that option;
  /// an empty array when it has the option without a default route.
  public var classlessDefaultGateways: [IPAddress]?
  /// The DHCP server (option 54).
  public var server: IPAddress?
  /// The lease time in seconds (option 51), when the lease records it.
  public var leaseSeconds: UInt32?
  /// When the lease expires, in seconds since the epoch, when the lease records it (dhclient's `expire`).
  public var expires: Int64?
  /// The lease file.
  public var file: String
  /// The line the lease starts on (dhclient files hold many leases); nil for files that hold one.
  public var line: Int?

  /// Builds a lease.
  public init(
    interface: String, client: Client, address: IPAddress? = nil, prefixLength: Int? = nil,
    routers: [IPAddress] = [], classlessDefaultGateways: [IPAddress]? = nil, server: IPAddress? = nil,
    leaseSeconds: UInt32? = nil, expires: Int64? = nil, file: String, line: Int? = nil
  ) {
    self.interface = interface
    self.client = client
    self.address = address
    self.prefixLength = prefixLength
    self.routers = routers
    self.classlessDefaultGateways = classlessDefaultGateways
    self.server = server
    self.leaseSeconds = leaseSeconds
    self.expires = expires
    self.file = file
    self.line = line
  }

  /// The gateways the client installs a default route through: RFC 3442 says a client that receives option 121
  /// ignores option 3, so its default route (if any) wins; otherwise option 3's routers.
  public var defaultGateways: [IPAddress] { classlessDefaultGateways ?? routers }

  /// The lease's position, for messages and gateway sources.
  public var location: SourceLocation { SourceLocation(file: file, line: line ?? 1, column: 1) }
}

/// A cloud agent that rewrites the network configuration, routes or rules.
public struct CloudAgent: Codable, Hashable, Sendable {
  /// The agents polroute recognises.
  public enum Kind: String, Codable, Hashable, Sendable {
    /// cloud-init: writes netplan, networkd, ifcfg or ifupdown files from the datasource at boot.
    case cloudInit = "cloud-init"
    /// amazon-ec2-net-utils: adds a routing table and source rules per ENI (tables 10000+, rule priorities
    /// 10000+ in version 2) whenever an interface or address appears.
    case amazonEC2NetUtils = "amazon-ec2-net-utils"
    /// google-guest-agent: adds routes for forwarded IPs and aliases to table local (proto 66) and may run
    /// dhclient on secondary interfaces.
    case googleGuestAgent = "google-guest-agent"
  }

  /// Which agent.
  public var kind: Kind
  /// The files that show it is installed.
  public var evidence: [String]
  /// For cloud-init: whether it writes the network configuration (false when `network: {config: disabled}` is
  /// set); nil when it does not say or does not apply.
  public var managesNetworkConfiguration: Bool?
  /// The line that disables or enables the network configuration.
  public var location: SourceLocation?
  /// Configuration files the agent wrote (its header says so), which it rewrites at boot.
  public var generatedFiles: [String]

  /// Builds an agent.
  public init(
    kind: Kind, evidence: [String], managesNetworkConfiguration: Bool? = nil, location: SourceLocation? = nil,
    generatedFiles: [String] = []
  ) {
    self.kind = kind
    self.evidence = evidence
    self.managesNetworkConfiguration = managesNetworkConfiguration
    self.location = location
    self.generatedFiles = generatedFiles
  }
}
