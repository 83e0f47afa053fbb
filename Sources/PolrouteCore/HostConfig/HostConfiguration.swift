/// What configures a host's network, read from its files: for every interface who manages it and where its gateways
/// are configured or leased, and the host-wide settings that decide whether a manager undoes policy routing.
///
/// Built by `HostConfigurationBuilder` from files alone (no running program is asked), so a snapshot taken on one
/// host describes it fully on another. "Not set" is nil throughout. Nothing secret is kept: of a NetworkManager
/// profile only its names, addressing methods and gateways are read, never its Wi-Fi or 802.1x settings.
public struct HostConfiguration: Codable, Hashable, Sendable {
  /// The interfaces some file mentions, and the kernel's interfaces, by name.
  public var interfaces: [InterfaceConfiguration]
  /// Every DHCP lease found, by interface, then file.
  public var leases: [DHCPLease]
  /// The cloud agents installed that rewrite routes, rules or the network configuration.
  public var cloudAgents: [CloudAgent]
  /// The network services enabled at boot (from the unit symlinks and SysV links).
  public var services: [EnabledService]
  /// systemd-networkd's global settings; nil when no networkd.conf was found.
  public var networkd: NetworkdSettings?
  /// NetworkManager's global settings; nil when NetworkManager leaves no trace.
  public var networkManager: NetworkManagerSettings?
  /// netplan's files and global renderer; nil when there are no netplan files.
  public var netplan: NetplanSettings?
  /// What could not be read or understood, each with its file and line where it has one.
  public var notes: [Diagnostic]

  /// Builds a configuration; everything defaults to empty.
  public init(
    interfaces: [InterfaceConfiguration] = [], leases: [DHCPLease] = [], cloudAgents: [CloudAgent] = [],
    services: [EnabledService] = [], networkd: NetworkdSettings? = nil,
    networkManager: NetworkManagerSettings? = nil, netplan: NetplanSettings? = nil, notes: [Diagnostic] = []
  ) {
    self.interfaces = interfaces
    self.leases = leases
    self.cloudAgents = cloudAgents
    self.services = services
    self.networkd = networkd
    self.networkManager = networkManager
    self.netplan = netplan
    self.notes = notes
  }

  /// The configuration of one interface.
  public func interface(named name: String) -> InterfaceConfiguration? {
    interfaces.first { $0.name == name }
  }

  /// Who manages an interface and why; nil when no file mentions it and no manager claims it.
  public func management(of interface: String) -> InterfaceManagement? {
    self.interface(named: interface)?.management
  }

  /// The gateways configured or leased for an interface and family, best first (see `GatewayPrecedence`). Without
  /// `includingInactive`, only those from the configuration the interface's manager applies and from that manager's
  /// own DHCP client.
  public func gateways(for interface: String, family: AddressFamily, includingInactive: Bool = false)
    -> [ConfiguredGateway]
  {
    (self.interface(named: interface)?.gateways ?? []).filter {
      $0.family == family && (includingInactive || $0.standing == .active)
    }
  }

  /// The DHCP leases found for an interface.
  public func leases(for interface: String) -> [DHCPLease] {
    leases.filter { $0.interface == interface }
  }
}

/// A program that configures interfaces and keeps them configured.
public enum NetworkConfigurator: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
  /// NetworkManager (keyfiles, ifcfg-rh profiles, netplan's NetworkManager renderer).
  case networkManager = "NetworkManager"
  /// systemd-networkd (`.network` files, netplan's networkd renderer).
  case networkd = "systemd-networkd"
  /// Debian's ifupdown (/etc/network/interfaces).
  case ifupdown
  /// RHEL's initscripts (`network` service reading ifcfg files).
  case initscripts = "network-scripts"

  /// In declaration order.
  public static func < (lhs: NetworkConfigurator, rhs: NetworkConfigurator) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }
}

/// One interface: who manages it, how each family is addressed, its gateways, and the files that say so.
public struct InterfaceConfiguration: Codable, Hashable, Sendable {
  /// The interface name.
  public var name: String
  /// The kernel's index, when the interface exists.
  public var index: Int?
  /// Who manages it, and the evidence.
  public var management: InterfaceManagement
  /// How IPv4 is configured by the manager's configuration; nil when it does not say.
  public var ipv4: AddressingMethod?
  /// How IPv6 is configured by the manager's configuration; nil when it does not say.
  public var ipv6: AddressingMethod?
  /// Every gateway configured or leased for it, both families, best first within each family.
  public var gateways: [ConfiguredGateway]
  /// The `.network` file networkd applies to it, when one matches.
  public var networkd: NetworkdBinding?
  /// The NetworkManager profile for it, when one is bound to it.
  public var networkManager: NetworkManagerBinding?
  /// The netplan definition for it, when netplan defines it.
  public var netplan: NetplanDefinition?
  /// Its ifupdown stanzas, when /etc/network/interfaces (or a file it sources) has some.
  public var ifupdown: IfupdownBinding?
  /// Its ifcfg file, when /etc/sysconfig/network-scripts has one.
  public var ifcfg: IfcfgBinding?

  /// Builds an interface with nothing known.
  public init(name: String, index: Int? = nil) {
    self.name = name
    self.index = index
    self.management = InterfaceManagement()
    self.gateways = []
  }

  /// Whether a family is configured by DHCP (DHCPv6 for IPv6); nil when the manager's configuration does not say.
  public func usesDHCP(_ family: AddressFamily) -> Bool? {
    (family == .inet ? ipv4 : ipv6).map { $0.method == .dhcp }
  }
}

/// How one family of an interface gets its addresses, and the line that says so.
public struct AddressingMethod: Codable, Hashable, Sendable {
  /// The methods managers name.
  public enum Method: String, Codable, Hashable, Sendable {
    /// DHCP (DHCPv6 for IPv6).
    case dhcp
    /// Addresses written in the configuration.
    case `static`
    /// IPv6 stateless autoconfiguration from router advertisements (ifupdown `auto`, NetworkManager `auto` without
    /// DHCPv6 is still `dhcp`: NetworkManager starts DHCPv6 when the router asks for it).
    case autoconf
    /// Link-local addresses only.
    case linkLocal = "link-local"
    /// The manager brings the link up and configures no address (ifupdown `manual`).
    case manual
    /// The family is switched off.
    case disabled
  }

  /// The method.
  public var method: Method
  /// Where the configuration says so.
  public var location: SourceLocation?

  /// Builds a method.
  public init(_ method: Method, at location: SourceLocation? = nil) {
    self.method = method
    self.location = location
  }
}

/// Who manages an interface, and every claim that was weighed.
public struct InterfaceManagement: Codable, Hashable, Sendable {
  /// The manager that configures the interface; nil when none does.
  public var manager: NetworkConfigurator?
  /// Whether netplan generates the manager's configuration for it.
  public var viaNetplan: Bool
  /// Every claim, the deciding one first, then by precedence (see `ManagementClaim.Basis`).
  public var claims: [ManagementClaim]

  /// No manager, no claims.
  public init(manager: NetworkConfigurator? = nil, viaNetplan: Bool = false, claims: [ManagementClaim] = []) {
    self.manager = manager
    self.viaNetplan = viaNetplan
    self.claims = claims
  }

  /// Claims of other managers that lost to the decision: two managers configuring one interface fight over it.
  public var contenders: [ManagementClaim] {
    claims.filter { $0.basis != .declined && $0.manager != manager }
  }
}

/// One piece of evidence that a manager does, or does not, configure an interface.
public struct ManagementClaim: Codable, Hashable, Sendable {
  /// What kind of evidence it is, strongest first.
  public enum Basis: String, Codable, Hashable, Sendable, Comparable {
    /// The manager's run-time state says it configures the interface now (networkd's link state, NetworkManager's
    /// device state, ifupdown's ifstate).
    case runtime
    /// A configuration file of the manager is bound to the interface.
    case configuration
    /// The manager configures every interface nobody else claims (NetworkManager's automatic "Wired connection").
    case managerDefault = "manager-default"
    /// The manager is told to leave the interface alone (`Unmanaged=yes`, `managed=false`, `NM_CONTROLLED=no`,
    /// `unmanaged-devices`): such a claim never decides.
    case declined

    /// Strongest first.
    public static func < (lhs: Basis, rhs: Basis) -> Bool { lhs.rank < rhs.rank }

    /// Sort rank.
    var rank: Int {
      switch self {
      case .runtime: return 0
      case .configuration: return 1
      case .managerDefault: return 2
      case .declined: return 3
      }
    }
  }

  /// The manager.
  public var manager: NetworkConfigurator
  /// What kind of evidence.
  public var basis: Basis
  /// The file and line, where the evidence is in a file.
  public var location: SourceLocation?
  /// What the evidence says (`ADMIN_STATE=configured`, `interface-name=eth0`, `iface eth0 inet dhcp`).
  public var detail: String

  /// Builds a claim.
  public init(_ manager: NetworkConfigurator, _ basis: Basis, _ detail: String, at location: SourceLocation? = nil) {
    self.manager = manager
    self.basis = basis
    self.detail = detail
    self.location = location
  }
}

/// A gateway some file configures or a DHCP server leased.
public struct ConfiguredGateway: Codable, Hashable, Sendable {
  /// Where it was found.
  public enum Source: String, Codable, Hashable, Sendable, CaseIterable {
    /// A systemd-networkd lease (/run/systemd/netif/leases/IFINDEX).
    case networkdLease = "networkd lease"
    /// A NetworkManager internal DHCP client lease (/var/lib/NetworkManager/internal-*.lease).
    case networkManagerLease = "NetworkManager lease"
    /// A dhclient lease (/var/lib/dhcp, /var/lib/dhclient, or NetworkManager's dhclient-*.lease).
    case dhclientLease = "dhclient lease"
    /// A dhcpcd lease (/var/lib/dhcpcd).
    case dhcpcdLease = "dhcpcd lease"
    /// `Gateway=` in a networkd `.network` file (or a `[Route]` without `Destination=`).
    case networkd
    /// `gateway=`, `addressN=ADDR,GW` or a default `routeN=` in a NetworkManager keyfile.
    case networkManagerKeyfile = "NetworkManager keyfile"
    /// `GATEWAY=` / `IPV6_DEFAULTGW=` in an ifcfg file.
    case ifcfg
    /// `GATEWAY=` in /etc/sysconfig/network (with `GATEWAYDEV=` or inside the interface's configured prefix).
    case sysconfigNetwork = "sysconfig network"
    /// `gateway` in an ifupdown stanza.
    case ifupdown
    /// `gateway4`/`gateway6` or a default route in netplan.
    case netplan

    /// Whether the gateway comes from a DHCP lease rather than a configuration file.
    public var isLease: Bool {
      switch self {
      case .networkdLease, .networkManagerLease, .dhclientLease, .dhcpcdLease: return true
      default: return false
      }
    }
  }

  /// Whether the interface's manager uses the gateway.
  public enum Standing: String, Codable, Hashable, Sendable {
    /// From the configuration the interface's manager applies, or a lease of that manager's DHCP client for a
    /// family it configures by DHCP.
    case active
    /// From a file no manager applies to the interface now: another manager's configuration, or a lease of a DHCP
    /// client the manager does not run (often left from before a change of manager).
    case inactive
  }

  /// The gateway.
  public var address: IPAddress
  /// Where it was found.
  public var source: Source
  /// The file and line.
  public var location: SourceLocation?
  /// Whether the manager uses it.
  public var standing: Standing
  /// The lease's expiry (seconds since the epoch), for a lease that records one.
  public var expires: Int64?

  /// Builds a gateway.
  public init(
    address: IPAddress, source: Source, location: SourceLocation?, standing: Standing = .active, expires: Int64? = nil
  ) {
    self.address = address
    self.source = source
    self.location = location
    self.standing = standing
    self.expires = expires
  }

  /// The family.
  public var family: AddressFamily { address.family }

  /// "203.0.113.1 (dhclient lease, /var/lib/dhcp/dhclient.eth1.leases:12)".
  public var explanation: String {
    "\(address) (\(source.rawValue)" + (location.map { ", \($0.file):\($0.line)" } ?? "") + ")"
  }
}

/// An enabled network service, from its boot-time symlink.
public struct EnabledService: Codable, Hashable, Sendable {
  /// The manager it starts.
  public var manager: NetworkConfigurator
  /// The unit or script (`systemd-networkd.service`, `network`).
  public var unit: String
  /// The symlink that enables it.
  public var path: String

  /// Builds a service.
  public init(manager: NetworkConfigurator, unit: String, path: String) {
    self.manager = manager
    self.unit = unit
    self.path = path
  }
}

/// A boolean setting and the line that sets it.
public struct LocatedFlag: Codable, Hashable, Sendable {
  /// The value.
  public var value: Bool
  /// Where it is set.
  public var location: SourceLocation

  /// Builds a flag.
  public init(_ value: Bool, at location: SourceLocation) {
    self.value = value
    self.location = location
  }
}

/// An address and the line that writes it.
public struct LocatedAddress: Hashable, Sendable {
  /// The address.
  public var address: IPAddress
  /// Where it is written.
  public var location: SourceLocation

  /// Builds one.
  public init(address: IPAddress, location: SourceLocation) {
    self.address = address
    self.location = location
  }
}
