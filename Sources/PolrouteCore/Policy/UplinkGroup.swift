/// An uplink group: a table of its own whose default route shares new outbound connections over several uplinks
/// (`balance`, a multipath default) or keeps them on the first uplink whose link is up (`failover`, defaults by
/// metric). Connections keep their uplink: once the kernel has picked the source address, the source rules send the
/// rest of the connection, and its replies, through that address's uplink.
public struct UplinkGroup: Hashable, Sendable {
  /// The group's name, which is its table's name.
  public var name: String
  /// Balance or failover.
  public var kind: GroupKind
  /// The table number.
  public var table: UInt32
  /// The uplinks, in the order written.
  public var members: [Member]
  /// The multipath hash the policy asks for, if any.
  public var hash: MultipathHash?
  /// Whether only `rule` statements send traffic to the group.
  public var rulesOnly: Bool
  /// Where the statement was written.
  public var location: SourceLocation?

  /// One uplink of a group.
  public struct Member: Hashable, Sendable {
    /// The uplink's table name.
    public var uplink: String
    /// Its interface.
    public var device: String
    /// The weight in a balance (1 unless given).
    public var weight: Int

    /// Builds a member.
    public init(uplink: String, device: String, weight: Int = 1) {
      self.uplink = uplink
      self.device = device
      self.weight = weight
    }
  }

  /// Builds a group.
  public init(
    name: String, kind: GroupKind, table: UInt32, members: [Member], hash: MultipathHash? = nil,
    rulesOnly: Bool = false, location: SourceLocation? = nil
  ) {
    self.name = name
    self.kind = kind
    self.table = table
    self.members = members
    self.hash = hash
    self.rulesOnly = rulesOnly
    self.location = location
  }

  /// The statement that makes the group, as the policy printer writes it.
  public var statement: String {
    var words = [kind.rawValue, name, "table", String(table), "uplinks"]
    for member in members {
      words.append(member.uplink + (kind == .balance && member.weight != 1 ? ":\(member.weight)" : ""))
    }
    if let hash { words += ["hash", hash.rawValue] }
    if rulesOnly { words.append("rules-only") }
    return words.joined(separator: " ")
  }
}

/// A kernel setting (a sysctl under /proc/sys) a policy asks for.
public struct KernelSetting: Hashable, Sendable, Codable {
  /// The path under /proc/sys: `net/ipv4/fib_multipath_hash_policy`, `net/ipv4/conf/eth0/ignore_routes_with_linkdown`.
  /// Slashes, not dots: an interface name may hold a dot (`eth0.100`).
  public var path: String
  /// The value to write.
  public var value: String
  /// Why the policy asks for it, for the plan.
  public var reason: String

  /// Builds a setting.
  public init(path: String, value: String, reason: String) {
    self.path = path
    self.value = value
    self.reason = reason
  }

  /// The name as `sysctl` prints it (dots between the parts).
  public var name: String { path.split(separator: "/").joined(separator: ".") }

  /// The `sysctl` argument that sets it (`sysctl -w` takes the slash form, which keeps dots in interface names).
  public var assignment: String { "\(path)=\(value)" }

  /// The settings among `settings` whose value on the host (`current`, by path) differs, with the value now.
  public static func changes(_ settings: [KernelSetting], current: [String: String]) -> [(
    setting: KernelSetting, now: String?
  )] {
    settings.compactMap { setting in
      let now = current[setting.path]
      return now == setting.value ? nil : (setting, now)
    }
  }
}
