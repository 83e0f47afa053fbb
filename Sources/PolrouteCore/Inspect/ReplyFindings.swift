/// The findings about where the host's replies go, asked of the flow simulator: replies to remote clients that
/// leave through another interface than their address's, local networks a rule cuts off, and static routes in main
/// that capture another uplink's replies. Each fix is one that works: `polroute apply` only where apply would fix
/// it, the policy line where the policy must say something apply cannot guess.
struct ReplyFindings {
  /// The state judged.
  let state: HostState
  /// The policy file the state is the planned result of, when `inspect --policy` judges a policy: fixes then say
  /// what to change in it, since applying it again would change nothing.
  let policyFile: String?
  /// Its routing decision.
  let simulator: FlowSimulator
  /// Every interface's gateways.
  let gateways: GatewayIndex
  /// The gateways of polroute's own tables (their marked default routes), by device and family: the policy in
  /// force named them, so the interface is an uplink even where nothing else on the host says so.
  let applied: [String: IPAddress]
  /// The table names, for messages.
  let names: RoutingTableNames

  /// Prepares the questions for a state (the host's, or the one `policyFile` would make).
  init(_ state: HostState, policyFile: String? = nil) {
    self.state = state
    self.policyFile = policyFile
    simulator = FlowSimulator(state: state, steps: .matched)
    gateways = GatewayIndex(state)
    names = state.names
    var applied: [String: IPAddress] = [:]
    for route in state.routes where Ownership.isMarked(route) && route.isDefault {
      for (device, gateway) in route.gatewaysByDevice { applied["\(device) \(route.family.rawValue)"] = gateway }
    }
    self.applied = applied
  }

  /// Whether a device has a gateway of a family: found on the host, or in polroute's own table for it.
  func hasGateway(_ name: String, _ family: AddressFamily) -> Bool {
    gateways.gateway(of: name, family: family) != nil || appliedGateway(name, family) != nil
  }

  /// Every finding of the three kinds.
  func all() -> [Finding] {
    remoteReplies() + localNetworks() + staticRoutes()
  }

  /// The interfaces that may be uplinks (not loopback, bridges' ports, tunnels, VRFs, down), with a global address
  /// of `family`.
  func candidates(_ family: AddressFamily) -> [Interface] {
    state.uplinkCandidates.filter { $0.globalAddresses.contains { $0.family == family } }
  }

  /// Whether an interface is an uplink by polroute's definition: a candidate whose gateway of `family` is known.
  func isUplink(_ name: String, _ family: AddressFamily) -> Bool {
    state.interface(named: name).map { state.exclusionReason(for: $0) == nil } ?? false && hasGateway(name, family)
  }

  /// The gateway of polroute's own default route on a device.
  func appliedGateway(_ name: String, _ family: AddressFamily) -> IPAddress? {
    applied["\(name) \(family.rawValue)"]
  }

  /// `policy` keyword for a family's gateway.
  static func viaKeyword(_ family: AddressFamily) -> String { family == .inet ? "via" : "via6" }

  // MARK: Replies to remote clients

  /// For each address of an interface that may be an uplink, on a host with two or more of a family: where its
  /// replies to a remote client leave. Through another interface, it is an asymmetric reply if the interface has a
  /// gateway (and strict rp_filter then drops the requests); without a gateway polroute cannot tell an uplink whose
  /// gateway it cannot find from a LAN, whose replies rightly leave by the default route, so it says both.
  func remoteReplies() -> [Finding] {
    var findings: [Finding] = []
    for family in AddressFamily.allCases {
      let homed = candidates(family)
      // A host with one interface of a family has only one way out: replies cannot take the wrong one.
      guard homed.count >= 2 else { continue }
      for interface in homed {
        let name = interface.name
        let gateway = gateways.gateway(of: name, family: family)?.address
        let addresses = interface.globalAddresses.filter { $0.family == family }.map(\.address.address)
        let leaving = addresses.compactMap { address -> (IPAddress, Egress)? in
          guard let egress = simulator.replyToRemoteClient(from: address).outcome.egress, egress.device != name
          else { return nil }
          return (address, egress)
        }
        // A gateway only polroute's table names is the policy's: the interface is an uplink, and its replies
        // are judged as one's.
        guard let gateway = gateway ?? appliedGateway(name, family) else {
          let line = "uplink \(name) dev \(name) \(Self.viaKeyword(family)) GATEWAY"
          let elsewhere =
            leaving.isEmpty
            ? ""
            : "; replies from \(leaving.map { "\($0.0)" }.joined(separator: ", ")) to remote clients leave through "
              + "\(leaving[0].1.device)"
          findings.append(
            Finding(
              code: .unknownGateway, severity: .info, subject: "interface \(name)",
              message:
                "no \(family.displayName) gateway is known for \(name), so polroute treats it as a local network\(elsewhere)",
              fix:
                "if \(name) is an uplink, name its gateway in \(policyFile ?? "the policy file") (`\(line)`) and run"
                + " `polroute apply`; if it is a LAN, nothing is wrong (`exclude \(name)` says so)"))
          continue
        }
        for (address, egress) in leaving {
          let path = "\(egress.summary) (table \(names.name(for: egress.table) ?? String(egress.table)))"
          findings.append(
            Finding(
              code: .asymmetricReply, severity: .warning, subject: "interface \(name)",
              message: "replies from \(address) (\(name)) to remote clients leave \(path), not through \(name)",
              fix: policyFile.map {
                "the policy leaves \(name) out: add `uplink \(name) dev \(name) \(Self.viaKeyword(family)) \(gateway)`"
                  + " to \($0) (and remove any `exclude \(name)`)"
              }
                ?? "`polroute apply` gives \(name) its own table (default via \(gateway)) and the rule"
                + " `from \(address) lookup TABLE`"))
          if family == .inet, state.rpFilter.effective(for: name) == 1 {
            findings.append(
              Finding(
                code: .strictReversePathFilter, severity: .error, subject: "interface \(name)",
                message:
                  "rp_filter is strict on \(name) and replies from \(address) leave through \(egress.device):"
                  + " requests from remote clients to \(address) arriving on \(name) are dropped",
                fix: (policyFile == nil
                  ? "`polroute apply` (replies from \(address) then leave through \(name))"
                  : "declare \(name) an uplink in \(policyFile!)")
                  + ", or set net.ipv4.conf.\(name).rp_filter=2 (loose)"))
          }
        }
      }
    }
    return findings
  }

  // MARK: Local networks

  /// For each network the host is connected to, from each of the host's addresses: a packet to a host there must
  /// leave through the network's own interface, except from one uplink's address to another uplink's network, which
  /// may go through the address's own uplink (polroute's guard does that on purpose). Anything else cuts the
  /// network off that address: its hosts' requests get their replies elsewhere, and strict rp_filter drops them.
  func localNetworks() -> [Finding] {
    var findings: [Finding] = []
    let addresses = state.interfaces.filter { !$0.isLoopback }.flatMap { interface in
      interface.globalAddresses.map { (interface.name, $0.address.address) }
    }
    for network in state.connectedNetworks {
      for (name, address) in addresses where address.family == network.prefix.family {
        guard let trace = simulator.reply(from: address, toNetwork: network.prefix),
          let egress = trace.outcome.egress, egress.device != network.device
        else { continue }
        let family = address.family
        if egress.device == name, isUplink(name, family), isUplink(network.device, family) { continue }
        let rule = trace.decidingRule
        let capturedBy = rule.map { "rule \($0.priority) (\(RuleText.selectorAndAction($0, names: names)))" }
        let fix: String
        if let rule, Ownership.isMarked(rule), let policyFile {
          fix =
            "in \(policyFile), rule \(rule.priority) takes these replies before polroute's local-networks rule"
            + " (priority \(Policy.PriorityBand.localNetworks)): give it a priority above that, or narrow it with `to`"
        } else if let rule, Ownership.isMarked(rule) {
          fix =
            "`polroute apply`: its rule `lookup main suppress_prefixlength 0` at priority"
            + " \(Policy.PriorityBand.localNetworks) reaches every local network before its source rules"
        } else {
          let before = rule.map { " (before rule \($0.priority))" } ?? ""
          fix =
            "add `ip \(family.ipOption) rule add lookup main suppress_prefixlength 0 priority N`\(before), or add"
            + " \(network.prefix) dev \(network.device) to table"
            + " \(names.name(for: egress.table) ?? String(egress.table))"
        }
        findings.append(
          Finding(
            code: .localNetworkCut, severity: .error, subject: "network \(network.prefix)",
            message:
              "replies from \(address) (\(name)) to hosts on \(network.prefix) (\(network.device)) leave"
              + " \(egress.summary)\(capturedBy.map { ", by \($0)" } ?? ""): hosts there cannot reach \(address)",
            fix: fix))
      }
    }
    return findings
  }

  // MARK: Static routes in main

  /// Seed 003: a static route in main through one uplink (`192.0.2.0/24 via 203.0.113.1 dev data`) also catches
  /// the replies of another uplink's address to that prefix. A client there that reaches the mgmt address through
  /// mgmt's network gets its reply through data, where strict rp_filter and stateful firewalls drop it.
  func staticRoutes() -> [Finding] {
    var findings: [Finding] = []
    let statics = state.routes.filter {
      $0.table == RoutingTable.main && $0.type == .unicast && $0.hasGateway && !$0.isDefault
        && $0.destination.address.isGlobalUnicast
    }
    guard !statics.isEmpty else { return [] }
    let hostAddresses = Set(state.interfaces.flatMap { $0.addresses.map(\.address.address) })
    for family in AddressFamily.allCases {
      let uplinks = candidates(family).filter { isUplink($0.name, family) }
      guard uplinks.count >= 2 else { continue }
      for route in statics where route.family == family {
        guard let device = route.device, isUplink(device, family),
          let client = FlowSimulator.representative(of: route.destination, avoiding: hostAddresses)
        else { continue }
        for interface in uplinks where interface.name != device {
          for address in interface.globalAddresses where address.family == family {
            let source = address.address.address
            let trace = simulator.trace(Flow(source: source, destination: client))
            guard let egress = trace.outcome.egress, egress.device == device else { continue }
            findings.append(
              Finding(
                code: .staticRouteCapture, severity: .warning, subject: "route \(route.destination.routeText)",
                message:
                  "main's route \(route.destination.routeText) via \(route.gateways.first.map { "\($0)" } ?? "?")"
                  + " dev \(device) also takes the replies from \(source) (\(interface.name)): clients in"
                  + " \(route.destination.routeText) that reach \(source) through \(interface.name)'s network get"
                  + " their replies through \(device), where strict rp_filter and firewalls drop them",
                fix: policyFile.map {
                  "add to \($0): `rule from \(source) to \(route.destination.routeText) lookup TABLE`, TABLE being"
                    + " \(interface.name)'s"
                }
                  ?? "`polroute apply`: its rule `from \(source) to \(route.destination.routeText) lookup TABLE`"
                  + " keeps them on \(interface.name)"))
          }
        }
      }
    }
    return findings
  }
}
