/// Which files make a policy survive a reboot on a host, from its distribution and network manager.
public enum PersistFormats {
  /// The formats for a host, or why none can be chosen.
  public static func detect(_ system: SystemFacts) -> Result<[RenderFormat], PersistError> {
    let families = Set([system.osID].compactMap { $0 } + system.osLike)
    let rhelLike = !families.isDisjoint(with: ["rhel", "centos", "fedora", "rocky", "almalinux", "ol", "scientific"])
    let debianLike = !families.isDisjoint(with: ["debian", "ubuntu"])
    switch system.networkManager {
    case .initscripts?: return .success([.rhel, .rtTables])
    case .ifupdown?: return .success([.debian, .rtTables])
    case .networkManager? where rhelLike:
      // NetworkManager's ifcfg-rh plugin reads route-/rule- files through its dispatcher script.
      return .success([.rhel, .rtTables])
    case nil where rhelLike: return .success([.rhel, .rtTables])
    case nil where debianLike: return .success([.debian, .rtTables])
    default:
      return .failure(
        PersistError(
          "cannot tell how to persist the policy on this host (\(system.osID ?? "unknown distribution"), \(system.networkManager?.rawValue ?? "no known network manager")): choose with --format rhel, debian, script or rt_tables"
        ))
    }
  }

  /// Whether an iproute2 version reads `rt_tables.d` (added in 4.4); `ip -V` prints `iproute2-6.1.0` or, before
  /// 5.x, `iproute2-ss160111`.
  public static func readsTablesDirectory(ipVersion: String) -> Bool {
    let marker = "iproute2-"
    guard let start = ipVersion.indices.first(where: { ipVersion[$0...].hasPrefix(marker) }) else { return true }
    var rest = ipVersion[ipVersion.index(start, offsetBy: marker.count)...]
    if rest.hasPrefix("ss") {
      let stamp = Int(rest.dropFirst(2).prefix(while: { $0.isNumber })) ?? 0
      return stamp >= 160111
    }
    if rest.hasPrefix("v") { rest = rest.dropFirst() }
    let numbers = rest.prefix(while: { $0.isNumber || $0 == "." }).split(separator: ".").compactMap { Int($0) }
    guard let major = numbers.first else { return true }
    return major > 4 || (major == 4 && (numbers.dropFirst().first ?? 0) >= 4)
  }
}

/// Why the policy cannot be persisted.
public struct PersistError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The message.
  public var description: String

  /// Builds an error.
  public init(_ description: String) {
    self.description = description
  }
}
