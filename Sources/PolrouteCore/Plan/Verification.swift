/// What "verified" means after an apply: every global address of the host replies the right way, checked with the
/// kernel's own `ip route get`. Replies to a remote client from an uplink's address leave through that uplink; each
/// network the host is connected to is reached directly, except another uplink's, which an uplink's address
/// reaches through its own uplink (hosts there reach it through their router). Those are what the policy promises,
/// and a probe that fails them fails the apply. An address the policy cannot steer (its interface has no known
/// gateway, or the policy leaves it out) is probed too: if its replies leave through another interface, it is
/// listed as unresolved, with the line that would fix it. Container bridges, tunnels, VRFs and interfaces the policy
/// excludes are not uplinks: their addresses are checked only for the host's own networks.
public enum Verification {
  /// One `ip route get DEST from SRC`, and where its answer must leave.
  public struct Probe: Hashable, Sendable {
    /// What the probe checks.
    public enum Kind: String, Hashable, Sendable {
      /// A reply to a remote client.
      case remoteReply = "remote reply"
      /// A packet to a network the host is connected to.
      case connectedNetwork = "connected network"
    }

    /// What the probe checks.
    public var kind: Kind
    /// The host's address the packet comes from.
    public var source: IPAddress
    /// The interface holding that address.
    public var interface: String
    /// The destination.
    public var destination: IPAddress
    /// The device the packet must leave through.
    public var device: String
    /// The gateway it must leave via; nil where it must be delivered directly, or where any will do.
    public var gateway: IPAddress?
    /// Whether the gateway is part of the expectation (for an address the policy steers) or only the device (for
    /// one it cannot, whose replies must merely stay on their own interface).
    public var checksGateway: Bool
    /// Whether a failure fails the apply (the policy promised it), or only marks the address unresolved.
    public var promised: Bool

    /// The `ip -batch` line.
    public var batchLine: String { "route get \(destination) from \(source)" }

    /// Whether the kernel's answer is what the probe expects.
    public func passes(device actual: String?, gateway actualGateway: IPAddress?) -> Bool {
      actual == device && (!checksGateway || actualGateway == gateway)
    }
  }

  /// An address whose replies to remote clients leave through another interface, and why polroute cannot fix it.
  public struct Unresolved: Hashable, Sendable {
    /// The address.
    public var address: IPAddress
    /// Its interface.
    public var interface: String
    /// The device its replies leave through.
    public var leaves: String?
    /// Why the policy does not steer it.
    public var reason: String
    /// The policy line that would.
    public var fix: String

    /// Builds an entry.
    public init(address: IPAddress, interface: String, leaves: String?, reason: String, fix: String) {
      self.address = address
      self.interface = interface
      self.leaves = leaves
      self.reason = reason
      self.fix = fix
    }
  }

  /// The probes for a policy on a host (the state before or after the apply: only its addresses and main's
  /// connected networks are used), from the addresses of `interfaces` (all when nil): an apply of one interface
  /// judges only its replies, and fifty uplinks would otherwise make 2,500 probes to keep 50.
  public static func probes(policy: Policy, state: HostState, from interfaces: Set<String>? = nil) -> [Probe] {
    let uplinks = Dictionary(policy.uplinks.map { ($0.device, $0) }, uniquingKeysWith: { first, _ in first })
    // IPv4 first, each family in interface order.
    let addresses = AddressFamily.allCases.flatMap { family in
      state.interfaces.filter { !$0.isLoopback }.flatMap { interface in
        interface.globalAddresses.filter { $0.family == family && !$0.flags.contains(.tentative) }.map {
          (interface.name, $0.address)
        }
      }
    }
    // Destinations a rule or a route of the policy singles out are no test of where replies to a remote client go
    // (the state's own rules and routes are avoided by `remoteClient` itself).
    let specific =
      policy.rules.compactMap(\.selector.destination) + policy.routes.filter { !$0.isDefault }.map(\.destination)
    let remoteIPv4 = FlowSimulator.remoteClient(.inet, states: [state], avoiding: specific)
    let remoteIPv6 = FlowSimulator.remoteClient(.inet6, states: [state], avoiding: specific)
    // Remote clients reach a container bridge's, a tunnel's or a VRF's address through whatever routes the host's
    // networks have, not through an uplink of its own; nor is an interface the policy excludes an uplink: only an
    // interface that could be one is judged by where its replies to them leave.
    let couldBeUplink = Set(
      state.interfaces.map(\.name).filter { name in
        uplinks[name] != nil
          || [.noGateway, .notDeclared].contains(policy.excluded.first { $0.name == name }?.reason)
      })
    var probes: [Probe] = []
    let sources = interfaces.map { wanted in addresses.filter { wanted.contains($0.0) } } ?? addresses
    for (name, address) in sources where couldBeUplink.contains(name) {
      let family = address.family
      let uplink = uplinks[name]
      let gateway = uplink?.gateway(family)
      let destination = family == .inet ? remoteIPv4 : remoteIPv6
      if let uplink, let gateway {
        probes.append(
          Probe(
            kind: .remoteReply, source: address.address, interface: name, destination: destination,
            device: uplink.device, gateway: gateway.address, checksGateway: true, promised: true))
      } else {
        probes.append(
          Probe(
            kind: .remoteReply, source: address.address, interface: name, destination: destination, device: name,
            gateway: nil, checksGateway: false, promised: false))
      }
    }
    let ours = Set(addresses.map(\.1.address))
    for network in state.connectedNetworks {
      for (name, address) in sources where address.family == network.prefix.family {
        guard let destination = FlowSimulator.representative(of: network.prefix, avoiding: ours) else {
          continue
        }
        // Another uplink's network from an uplink's address: through the address's own uplink (its guard).
        if let mine = uplinks[name], let gateway = mine.gateway(address.family), uplinks[network.device] != nil,
          network.device != name
        {
          probes.append(
            Probe(
              kind: .connectedNetwork, source: address.address, interface: name, destination: destination,
              device: mine.device, gateway: gateway.address, checksGateway: true, promised: true))
        } else {
          probes.append(
            Probe(
              kind: .connectedNetwork, source: address.address, interface: name, destination: destination,
              device: network.device, gateway: nil, checksGateway: true, promised: true))
        }
      }
    }
    return probes
  }

  /// The addresses whose replies leave through another interface than their own, among probes that failed without
  /// the policy having promised otherwise; each with its reason and fix.
  public static func unresolved(_ failed: [(probe: Probe, device: String?)], policy: Policy) -> [Unresolved] {
    var result: [Unresolved] = []
    for (probe, device) in failed where !probe.promised && probe.kind == .remoteReply {
      let family = probe.source.family
      let keyword = family == .inet ? "via" : "via6"
      let reason: String
      let fix: String
      // An interface without a known gateway is either an uplink whose gateway polroute could not find, or a LAN
      // whose replies rightly leave by the default route: only the admin knows which, so the fix names both.
      let notAnUplink = "; or, if \(probe.interface) is a local network and not an uplink: exclude \(probe.interface)"
      if let uplink = policy.uplinks.first(where: { $0.device == probe.interface }) {
        reason = "no \(family.displayName) gateway is known for \(probe.interface)"
        fix = "uplink \(uplink.name) dev \(probe.interface) \(keyword) GATEWAY"
      } else {
        reason =
          policy.excluded.first { $0.name == probe.interface }.map {
            "\(probe.interface) is not an uplink: \($0.reason)"
          }
          ?? "the policy has no uplink for \(probe.interface)"
        fix =
          "uplink \(DerivedNames.tableName(for: probe.interface)) dev \(probe.interface) \(keyword) GATEWAY"
          + notAnUplink
      }
      result.append(
        Unresolved(address: probe.source, interface: probe.interface, leaves: device, reason: reason, fix: fix))
    }
    return result.sorted { $0.address < $1.address }
  }
}
