/// What a plan does to the flows that matter, for a reviewer: for each of the host's addresses, a reply to a remote
/// client and a packet to each directly connected network; for each application rule of the policy, a flow built
/// from its selectors. Each is traced on the host now and after the plan.
public struct FlowTable: Hashable, Sendable {
  /// What a row's flow stands for.
  public enum Subject: Hashable, Sendable {
    /// A reply from one of the host's addresses to a client no specific route covers.
    case remoteClient(from: IPAddress)
    /// A packet from one of the host's addresses to a host on a directly connected network.
    case localNetwork(from: IPAddress, network: IPPrefix)
    /// A flow an application rule of the policy selects (by its priority).
    case applicationRule(Rule)
    /// A new outbound connection (no source address chosen yet) that an uplink group's rule takes.
    case newConnection(group: String)
  }

  /// One flow, before and after.
  public struct Row: Hashable, Sendable {
    /// What the flow stands for.
    public var subject: Subject
    /// The flow traced.
    public var flow: Flow
    /// Its path now.
    public var before: FlowTrace
    /// Its path after the plan.
    public var after: FlowTrace
    /// Whether the plan changes where the flow goes.
    public let changed: Bool

    /// A row for a flow traced before and after.
    public init(subject: Subject, flow: Flow, before: FlowTrace, after: FlowTrace) {
      self.subject = subject
      self.flow = flow
      self.before = before
      self.after = after
      changed = !after.outcome.sameWay(as: before.outcome)
    }

    /// Whether either answer may depend on routes the state left out.
    public var incomplete: Bool { before.isIncomplete || after.isIncomplete }

    /// `from 203.0.113.10 to a remote client (198.18.0.1)`, `rule 10000 (to 192.0.2.0/25 ...)`.
    public func label(names: RoutingTableNames) -> String {
      switch subject {
      case .remoteClient(let address): return "from \(address) to a remote client (\(flow.destination))"
      case .localNetwork(let address, let network): return "from \(address) to \(network) (\(flow.destination))"
      case .applicationRule(let rule):
        return "rule \(rule.priority) (\(RuleText.selectorAndAction(rule, names: names))): "
          + flow.words.joined(separator: " ")
      case .newConnection(let group): return "a new connection to \(flow.destination) (group \(group))"
      }
    }
  }

  /// The rows: each address's (IPv4 first, by address) remote client then networks, then the application rules.
  public var rows: [Row]

  /// The rows whose flow the plan changes.
  public var changedRows: [Row] { rows.filter(\.changed) }

  /// Traces every flow that matters on `before` and on `after` (the state after `policy`'s plan).
  public static func make(before: HostState, after: HostState, policy: Policy) -> FlowTable {
    let now = FlowSimulator(state: before, steps: .matched)
    let later = FlowSimulator(state: after, steps: .matched)
    var rows: [Row] = []
    func add(_ subject: Subject, _ flow: Flow) {
      rows.append(Row(subject: subject, flow: flow, before: now.trace(flow), after: later.trace(flow)))
    }
    let hostAddresses = Set(before.interfaces.flatMap { $0.addresses.map(\.address.address) })
    let addresses = before.interfaces.flatMap { $0.globalAddresses.map(\.address) }.sorted()
    var networks: [IPPrefix] = []
    for address in addresses where !address.network.isHost && !networks.contains(address.network) {
      networks.append(address.network)
    }
    networks.sort()
    for family in AddressFamily.allCases {
      let client = FlowSimulator.remoteClient(family, states: [before, after])
      for address in addresses.map(\.address) where address.family == family {
        add(.remoteClient(from: address), Flow(source: address, destination: client))
        for network in networks where network.family == family {
          guard let destination = FlowSimulator.representative(of: network, avoiding: hostAddresses) else { continue }
          add(.localNetwork(from: address, network: network), Flow(source: address, destination: destination))
        }
      }
    }
    for rule in policy.rules where policy.ruleRoles[rule.key] == .statement {
      guard let flow = flow(selectedBy: rule, state: before, states: [before, after]) else { continue }
      add(.applicationRule(rule), flow)
    }
    for rule in policy.rules where policy.ruleRoles[rule.key] == .outbound {
      guard let group = policy.groups.first(where: { $0.table == rule.lookupTable }) else { continue }
      add(
        .newConnection(group: group.name),
        Flow(source: nil, destination: FlowSimulator.remoteClient(rule.family, states: [before, after])))
    }
    return FlowTable(rows: rows)
  }

  /// A flow the rule's selectors select: its destination prefix's first host address (else a remote client), a
  /// host address inside its source prefix, the first port and uid of its ranges, its mark, protocol, TOS and
  /// input interface. Nil for a rule no single flow stands for: `not`, `l3mdev`, `oif`, or a source prefix that
  /// holds none of the host's addresses on a rule without `iif`.
  static func flow(selectedBy rule: Rule, state: HostState, states: [HostState]) -> Flow? {
    let selector = rule.selector
    guard !selector.invert, !selector.l3mdev, selector.outputInterface == nil else { return nil }
    let hostAddresses = state.interfaces.flatMap { $0.addresses.map(\.address.address) }
    let destination =
      selector.destination.flatMap { FlowSimulator.representative(of: $0, avoiding: Set(hostAddresses)) }
      ?? FlowSimulator.remoteClient(rule.family, states: states)
    var flow = Flow(destination: destination)
    if let iif = selector.inputInterface, iif != "lo" {
      flow.inputInterface = iif
      // An arriving packet has a source: one from its prefix, else a remote one.
      flow.source =
        selector.source.flatMap { FlowSimulator.representative(of: $0, avoiding: Set(hostAddresses)) }
        ?? FlowSimulator.remoteClient(rule.family, states: states)
    } else if let source = selector.source {
      guard let address = hostAddresses.first(where: { source.contains($0) && $0.isGlobalUnicast }) else {
        return nil
      }
      flow.source = address
    }
    flow.ipProtocol = selector.ipProtocol
    flow.sourcePort = selector.sourcePort.map { UInt16(clamping: $0.start) }
    flow.destinationPort = selector.destinationPort.map { UInt16(clamping: $0.start) }
    flow.mark = selector.fwmark ?? 0
    if flow.inputInterface == "lo" { flow.uid = selector.uidRange?.start ?? 0 }
    flow.tos = selector.tos ?? 0
    return flow
  }
}
