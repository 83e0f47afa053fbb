/// Why an interface is not treated as an uplink.
public enum ExclusionReason: Hashable, Sendable, CustomStringConvertible {
  /// The loopback device.
  case loopback
  /// Administratively down.
  case down
  /// No global unicast address.
  case noGlobalAddress
  /// A bridge made by a container or VM manager.
  case containerBridge
  /// A port of such a bridge.
  case containerBridgePort(bridge: String)
  /// A tunnel device.
  case tunnel(kind: String)
  /// Enslaved to a VRF, whose own table routes it.
  case vrfMember(vrf: String)
  /// The VRF device itself.
  case vrfDevice
  /// Enslaved to a bond or bridge: the master carries the addresses.
  case enslaved(master: String)
  /// The policy file excluded it.
  case policy
  /// The policy file does not declare it and has no `auto`.
  case notDeclared
  /// No gateway is known for it: it is a local network, reached directly, not an uplink.
  case noGateway

  /// Why, in a few words.
  public var description: String {
    switch self {
    case .loopback: return "loopback"
    case .down: return "interface is down"
    case .noGlobalAddress: return "no global address"
    case .containerBridge: return "container or VM bridge"
    case .containerBridgePort(let bridge): return "port of container or VM bridge \(bridge)"
    case .tunnel(let kind): return "\(kind) tunnel"
    case .vrfMember(let vrf): return "member of VRF \(vrf)"
    case .vrfDevice: return "VRF device"
    case .enslaved(let master): return "enslaved to \(master)"
    case .policy: return "excluded by the policy"
    case .notDeclared: return "not declared; the policy has no 'auto'"
    case .noGateway: return "a local network: no gateway is known"
    }
  }
}

extension HostState {
  /// Name patterns of bridges that container and VM managers create.
  static let containerBridgePrefixes = [
    "docker", "br-", "cni", "virbr", "lxcbr", "podman", "lxdbr", "flannel", "cilium",
  ]

  /// Link kinds that are tunnels.
  static let tunnelKinds: Set<String> = [
    "gre", "gretap", "ip6gre", "ip6gretap", "ipip", "sit", "ip6tnl", "vti", "vti6", "wireguard", "tun", "geneve",
    "vxlan", "erspan", "ip6erspan", "xfrm",
  ]

  /// Whether a name is one container or VM managers give their bridges.
  static func isContainerBridgeName(_ name: String) -> Bool {
    containerBridgePrefixes.contains { name.hasPrefix($0) }
  }

  /// Why an interface is not an uplink candidate, or nil when it is one.
  public func exclusionReason(for interface: Interface) -> ExclusionReason? {
    if interface.isLoopback { return .loopback }
    if interface.kind == "vrf" { return .vrfDevice }
    if let master = interface.master, let masterInterface = self.interface(named: master) {
      if masterInterface.kind == "vrf" { return .vrfMember(vrf: master) }
      if Self.isContainerBridgeName(master) { return .containerBridgePort(bridge: master) }
      if masterInterface.kind == "bridge" || masterInterface.kind == "bond" || masterInterface.kind == "team" {
        return .enslaved(master: master)
      }
    }
    if interface.kind == "bridge" && Self.isContainerBridgeName(interface.name) { return .containerBridge }
    if let kind = interface.kind, Self.tunnelKinds.contains(kind) { return .tunnel(kind: kind) }
    if interface.linkType == "none" || interface.flags.contains("POINTOPOINT") && interface.kind == nil {
      return .tunnel(kind: interface.linkType ?? "point-to-point")
    }
    if !interface.isUp { return .down }
    if interface.globalAddresses.isEmpty { return .noGlobalAddress }
    return nil
  }

  /// The interfaces that may be uplinks: not excluded, with a global address.
  public var uplinkCandidates: [Interface] {
    interfaces.filter { exclusionReason(for: $0) == nil }
  }
}
