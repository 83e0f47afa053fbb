/// A network interface as `ip -d addr show` describes it.
public struct Interface: Codable, Hashable, Sendable {
  /// The kernel name (`eth0`).
  public var name: String
  /// The kernel's interface index.
  public var index: Int
  /// The link kind from `linkinfo.info_kind` (`veth`, `bridge`, `vrf`, ...); nil for physical devices.
  public var kind: String?
  /// The link type (`ether`, `loopback`, `none` for layer-3 tunnels, ...).
  public var linkType: String?
  /// The operational state (`UP`, `DOWN`, `UNKNOWN`, `LOWERLAYERDOWN`, ...).
  public var operState: String
  /// The interface flags (`UP`, `LOWER_UP`, `LOOPBACK`, `POINTOPOINT`, ...).
  public var flags: [String]
  /// The device this one is enslaved to (a bridge, a bond, a VRF).
  public var master: String?
  /// The MTU.
  public var mtu: Int?
  /// The addresses on the interface, as the kernel lists them.
  public var addresses: [Address]
  /// The interface group as `ip` names it (`ip link set dev X group N`); nil for the default group (0), which every
  /// interface is in unless set.
  public var group: String?

  /// Builds an interface description.
  public init(
    name: String, index: Int, kind: String? = nil, linkType: String? = "ether", operState: String = "UP",
    flags: [String] = ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], master: String? = nil, mtu: Int? = 1500,
    addresses: [Address] = [], group: String? = nil
  ) {
    self.name = name
    self.index = index
    self.kind = kind
    self.linkType = linkType
    self.operState = operState
    self.flags = flags
    self.master = master
    self.mtu = mtu
    self.addresses = addresses
    self.group = group
  }

  /// Whether the interface is administratively up (the `UP` flag).
  public var isUp: Bool { flags.contains("UP") }

  /// Whether the interface is the loopback device.
  public var isLoopback: Bool { flags.contains("LOOPBACK") || linkType == "loopback" }

  /// The global unicast addresses, IPv4 first; tentative and DAD-failed ones are left out.
  public var globalAddresses: [Address] {
    addresses.filter { $0.scope == "global" && $0.address.address.isGlobalUnicast && !$0.flags.contains(.dadFailed) }
      .sorted { $0.address < $1.address }
  }
}

/// An address on an interface, with its flags and lifetimes.
public struct Address: Codable, Hashable, Sendable {
  /// The flags `ip addr` can show on an address.
  public enum Flag: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    /// Not the primary address of its prefix.
    case secondary
    /// Configured by DHCP or SLAAC; it has finite lifetimes.
    case dynamic
    /// Its preferred lifetime has ended.
    case deprecated
    /// Duplicate address detection is still running (IPv6).
    case tentative
    /// Duplicate address detection failed (IPv6).
    case dadFailed = "dadfailed"
    /// No automatic prefix route for it.
    case noPrefixRoute = "noprefixroute"
    /// Managed temporary address (IPv6 privacy extensions).
    case managedTemporary = "mngtmpaddr"
    /// A temporary (privacy) address.
    case temporary
    /// Duplicate address detection is disabled.
    case noDAD = "nodad"
    /// Permanent (IPv6, statically configured).
    case permanent

    /// Orders by name.
    public static func < (lhs: Flag, rhs: Flag) -> Bool { lhs.rawValue < rhs.rawValue }
  }

  /// The address and its connected prefix length.
  public var address: InterfaceAddress
  /// The peer address of a point-to-point link and the prefix length given with it (`peer 100.64.2.2/30`), if any.
  public var peer: InterfaceAddress?
  /// The scope: `global`, `link`, `host`, `site`, or a number.
  public var scope: String
  /// The address flags, sorted.
  public var flags: [Flag]
  /// The label (IPv4 aliases such as `eth0:1`).
  public var label: String?
  /// Seconds of validity left; nil means forever.
  public var validLifetime: UInt32?
  /// Seconds of preference left; nil means forever.
  public var preferredLifetime: UInt32?

  /// Builds an address description.
  public init(
    _ address: InterfaceAddress, peer: InterfaceAddress? = nil, scope: String = "global", flags: [Flag] = [],
    label: String? = nil, validLifetime: UInt32? = nil, preferredLifetime: UInt32? = nil
  ) {
    self.address = address
    self.peer = peer
    self.scope = scope
    self.flags = flags.sorted()
    self.label = label
    self.validLifetime = validLifetime
    self.preferredLifetime = preferredLifetime
  }

  /// The family of the address.
  public var family: AddressFamily { address.family }
}
