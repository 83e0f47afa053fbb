/// The kernel's routing decision for one packet, simulated on a host state: the rule list (`fib_rules_lookup`),
/// each table's lookup (longest prefix, then metric; route types; multipath), the source address, and for a packet
/// that arrives on an interface, the checks of the input path (martian addresses, forwarding, reverse-path
/// filtering). `trace`, `plan`'s flow table, `apply`'s session guard and `inspect`'s reply findings all ask here.
///
/// What it follows, from the kernel (Linux 5.x and 6.x) and checked against `ip route get` by the differential test
/// (Tests/LiveTests/TraceDifferentialLiveTests.swift):
/// - Rules of the flow's family in kernel order; a rule matches by `RuleSelector.matches`. `goto N` jumps to the
///   first rule of priority exactly N (none: the rule is passed over); `nop` does nothing; `blackhole`,
///   `unreachable` and `prohibit` end the walk with EINVAL, ENETUNREACH and EACCES. A lookup that finds no route,
///   or a `throw` route, continues with the next rule; one that finds a route ends the walk, unless the rule's
///   `suppress_prefixlength` or `suppress_ifgroup` ignores it (never a rejecting route). No rule: ENETUNREACH.
/// - In a table, the longest prefix that covers the destination (IPv6: then the longest source prefix of a
///   source-specific route that covers the source), then the lowest metric, then the order the kernel lists them.
///   A route whose next hops are all `dead` (or none leaves through the flow's bound device) is passed over, and a
///   shorter prefix is tried. `blackhole`, `unreachable` and `prohibit` routes end the lookup with EINVAL,
///   EHOSTUNREACH and EACCES.
/// - The local table, which the state leaves out, is rebuilt from the addresses (`LocalTable`).
///
/// What it assumes: neighbours are reachable (IPv6 prefers routers that answer, among routes of equal metric, when
/// the host does not forward); `accept_local`, `route_localnet` and `src_valid_mark` are 0; no routes carry realms.
public struct FlowSimulator: Sendable {
  /// The state simulated.
  public let state: HostState
  /// Each family's rules, in kernel order (by priority, in the order they were added within one).
  let rules: PerFamily<[Rule]>
  /// Each family's tables by number, each table's routes most specific first: destination length, then source
  /// length, then metric, then order.
  let tables: PerFamily<[UInt32: [Route]]>
  /// The tables of each family whose routes the state lists only in part.
  let omitted: PerFamily<Set<UInt32>>
  /// Whether the state says tables lack routes without saying which (snapshots before per-table counts).
  let omittedAnywhere: Bool
  /// Whether the state lacks any routes at all (most do not: the lookups then skip asking).
  let hasOmissions: Bool
  /// Addresses whose covering routes the state holds completely (a live read made for them).
  let complete: Set<IPAddress>
  /// Which rules a trace lists.
  let stepRecording: StepRecording

  /// Which rules a trace lists as its steps.
  public enum StepRecording: Sendable {
    /// Every rule consulted, with why it did not match: what `polroute trace` shows.
    case every
    /// Only the rules that matched (enough for `FlowTrace.decidingRule`), which is far cheaper on a host with
    /// thousands of rules.
    case matched
  }

  /// The interfaces by name.
  let interfaces: [String: Interface]
  /// The host's addresses of each family (`__ip_dev_find`: every address of every interface, up or not).
  let addresses: Set<IPAddress>
  /// Whether a family has rules beyond the kernel's three (the kernel then validates sources in full).
  let customRules: PerFamily<Bool>

  /// A value for each family. Two stored values, not a dictionary keyed by family: each new generic type a process
  /// uses costs a run-time conformance lookup (about 120,000 instructions, measured with callgrind), which showed in
  /// the share of `plan` the flow table takes; types keyed by `UInt32` or `String` are ones polroute has looked up
  /// already.
  struct PerFamily<Value: Sendable>: Sendable {
    /// IPv4's.
    var inet: Value
    /// IPv6's.
    var inet6: Value

    /// Builds both from a function of the family.
    init(_ make: (AddressFamily) -> Value) {
      inet = make(.inet)
      inet6 = make(.inet6)
    }

    /// A family's value.
    subscript(_ family: AddressFamily) -> Value { family == .inet ? inet : inet6 }
  }

  /// Prepares the simulation of `state`. `complete` names addresses for which the state holds every covering
  /// route even where it sampled a large table (a live read for a trace keeps them), so lookups of them are exact.
  /// `steps` says which rules a trace lists.
  public init(state: HostState, complete: Set<IPAddress> = [], steps: StepRecording = .every) {
    self.state = state
    self.complete = complete
    self.stepRecording = steps
    rules = PerFamily { family in
      let familyRules = state.rules.filter { $0.family == family }
      // A stable sort: the state lists rules in kernel order, and a planned rule goes after the rules of its
      // priority already there, as the kernel inserts it. A read state is in order already.
      let ordered = zip(familyRules, familyRules.dropFirst()).allSatisfy { $0.priority <= $1.priority }
      return ordered
        ? familyRules
        : familyRules.indices.sorted { (familyRules[$0].priority, $0) < (familyRules[$1].priority, $1) }.map {
          familyRules[$0]
        }
    }
    var routes = state.routes
    if !routes.contains(where: { $0.table == RoutingTable.local }) { routes += LocalTable.routes(for: state) }
    tables = PerFamily { family in
      var offsets: [UInt32: [Int]] = [:]
      for index in routes.indices where routes[index].family == family {
        offsets[routes[index].table, default: []].append(index)
      }
      // One node of the kernel's tree per destination prefix (and, in IPv6, per source prefix within it): the
      // longest destinations first, then each node's routes by metric, then in the order the kernel lists them.
      return offsets.mapValues { indexes in
        indexes.sorted { left, right in
          let a = routes[left]
          let b = routes[right]
          if a.destination.length != b.destination.length { return a.destination.length > b.destination.length }
          if a.destination != b.destination { return a.destination < b.destination }
          let sourceA = a.source?.length ?? 0
          let sourceB = b.source?.length ?? 0
          if sourceA != sourceB { return sourceA > sourceB }
          if a.source != b.source, let sa = a.source, let sb = b.source { return sa < sb }
          if a.metric != b.metric { return a.metric < b.metric }
          return left < right
        }.map { routes[$0] }
      }
    }
    omitted = PerFamily { family in Set((state.omittedByTable ?? []).filter { $0.family == family }.map(\.table)) }
    omittedAnywhere = state.omittedRoutes != nil && state.omittedByTable == nil
    hasOmissions = omittedAnywhere || !(state.omittedByTable ?? []).isEmpty
    interfaces = Dictionary(state.interfaces.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    addresses = Set(state.interfaces.flatMap { $0.addresses.map(\.address.address) })
    let rules = self.rules
    customRules = PerFamily { family in rules[family].contains { !$0.isKernelDefault } }
  }

  // MARK: The whole decision

  /// Traces a flow: a locally sent packet when its input interface is `lo`, else one arriving on that interface.
  public func trace(_ flow: Flow) -> FlowTrace {
    var flow = flow
    // The kernel compares only the TOS bits that select routes: IPv4's IPTOS_RT_MASK, IPv6's DSCP.
    flow.tos &= flow.family == .inet ? 0x1C : 0xFC
    var context = Context()
    let outcome: TraceOutcome
    if flow.inputInterface == "lo" {
      outcome = output(flow, &context)
    } else {
      // A packet that arrives has no user: the kernel looks it up as uid 0.
      if flow.uid != 0 { context.notes.append("a packet arriving on \(flow.inputInterface) is looked up as uid 0") }
      flow.uid = 0
      flow.outputInterface = nil
      outcome = input(flow, &context)
    }
    return FlowTrace(
      flow: flow, steps: context.steps, outcome: outcome, reverseCheck: context.reverseCheck,
      incompleteTables: context.incomplete, notes: context.notes)
  }

  /// What a trace gathers on its way.
  struct Context {
    /// The rules consulted.
    var steps: [TraceStep] = []
    /// The reverse-path check, if one ran.
    var reverseCheck: FlowTrace.ReverseCheck?
    /// Tables looked up that may lack routes.
    var incomplete: [UInt32] = []
    /// Assumptions made.
    var notes: [String] = []
  }

  /// A locally sent packet (`ip_route_output_key_hash`, `ip6_route_output`).
  func output(_ flow: Flow, _ context: inout Context) -> TraceOutcome {
    if flow.family == .inet, let source = flow.source {
      if case .v4(let value) = source, value.value >> 28 == 0xE || value.value == UInt32.max || value.value >> 24 == 0 {
        return .rejected(Rejection(.invalid, .martian(side: "source", reason: "\(source) cannot send")))
      }
      // A socket may send only from one of the host's addresses (or one a local route covers, as 127.0.0.0/8).
      if !isLocal(source) {
        return .rejected(Rejection(.networkUnreachable, .sourceNotLocal(source)))
      }
    }
    let result = lookup(flow, &context, record: true)
    switch result {
    case .rejected(let rejection):
      // With a bound device, an IPv4 lookup that fails assumes the destination is on that device's link.
      if flow.family == .inet, let device = flow.outputInterface, interfaces[device] != nil {
        context.notes.append("no route: the kernel assumes \(flow.destination) is on the link of \(device)")
        let hop = TraceHop(device: device)
        let source =
          flow.source
          ?? SourceSelection.ipv4(
            device: device, gateway: nil, routeScope: RouteScope.link, interfaces: state.interfaces)
        let route = Route(destination: IPPrefix(host: flow.destination), device: device, scope: RouteScope.link)
        return .egress(
          Egress(
            type: .unicast, hop: hop, hops: [hop], source: source, table: RoutingTable.main,
            rulePriority: context.steps.last?.rule.priority ?? 0, route: route))
      }
      return .rejected(rejection)
    case .found(let route, let hops, let table, let rule):
      let delivered = route.type == .local || route.type == .anycast
      if delivered {
        let hop = TraceHop(device: "lo")
        // IPv4's local routes carry the address as their `src`; IPv6 selects one, the address itself when it is
        // the host's, its nearest unicast address for an anycast one.
        let source =
          flow.source ?? route.preferredSource
          ?? (flow.family == .inet
            ? flow.destination
            : SourceSelection.ipv6(destination: flow.destination, device: route.device, interfaces: state.interfaces))
        return .egress(
          Egress(
            type: route.type, hop: hop, hops: [hop], source: source, table: table, rulePriority: rule.priority,
            route: route))
      }
      if hops.count > 1 {
        context.notes.append("multipath: the kernel picks one of \(hops.count) next hops by a hash of the flow")
      }
      noteEqualDefaults(route, table: table, &context)
      let hop = hops[0]
      let source = flow.source ?? route.preferredSource ?? selectSource(flow, route: route, hop: hop)
      return .egress(
        Egress(
          type: route.type, hop: hop, hops: hops, source: source, table: table, rulePriority: rule.priority,
          route: route))
    }
  }

  /// A packet that arrives on an interface (`ip_route_input_slow`, `ip6_route_input`).
  func input(_ flow: Flow, _ context: inout Context) -> TraceOutcome {
    let device = flow.inputInterface
    guard interfaces[device] != nil else {
      return .rejected(Rejection(.invalid, .noSuchInterface(device)))
    }
    if flow.family == .inet {
      if let rejection = martian(flow) { return .rejected(rejection) }
    }
    let forwards = forwarding(device, family: flow.family, &context)
    let result = lookup(flow, &context, record: true)
    switch result {
    case .rejected(let rejection):
      if flow.family == .inet && !forwards {
        return .rejected(Rejection(.hostUnreachable, .notForwarding(device)))
      }
      return .rejected(rejection)
    case .found(let route, let hops, let table, let rule):
      switch route.type {
      case .local, .anycast, .broadcast:
        // A broadcast is validated as if sent to no address in particular (`brd_input` passes daddr 0).
        if flow.family == .inet,
          let rejection = validateSource(flow, towards: nil, broadcast: route.type == .broadcast, &context)
        {
          return .rejected(rejection)
        }
        // A packet the host takes in is delivered through the loopback device, a broadcast too.
        let hop = TraceHop(device: "lo")
        return .egress(
          Egress(
            type: route.type, hop: hop, hops: [hop], source: flow.source, table: table,
            rulePriority: rule.priority, route: route))
      case .unicast:
        guard forwards else { return .rejected(Rejection(.hostUnreachable, .notForwarding(device))) }
        if hops.count > 1 {
          context.notes.append("multipath: the kernel picks one of \(hops.count) next hops by a hash of the flow")
        }
        if flow.family == .inet, let rejection = validateForwardedSource(flow, hops: hops, &context) {
          return .rejected(rejection)
        }
        return .egress(
          Egress(
            type: .unicast, hop: hops[0], hops: hops, source: flow.source, table: table,
            rulePriority: rule.priority, route: route))
      default:
        return .rejected(Rejection(.invalid, .notForwardable(route.type)))
      }
    }
  }

  /// The martian checks an arriving IPv4 packet meets before any lookup.
  func martian(_ flow: Flow) -> Rejection? {
    guard case .v4(let destination) = flow.destination else { return nil }
    guard let source = flow.source, case .v4(let from) = source else {
      return Rejection(.invalid, .martian(side: "source", reason: "an arriving packet has a source address"))
    }
    let first = from.value >> 24
    if from.value >> 28 == 0xE || from.value == UInt32.max {
      return Rejection(.invalid, .martian(side: "source", reason: "\(source) is multicast or broadcast"))
    }
    if first == 0 { return Rejection(.invalid, .martian(side: "source", reason: "\(source) is in 0.0.0.0/8")) }
    if destination.value >> 24 == 0 {
      return Rejection(.invalid, .martian(side: "destination", reason: "\(flow.destination) is in 0.0.0.0/8"))
    }
    if destination.value >> 24 == 127 {
      return Rejection(.invalid, .martian(side: "destination", reason: "\(flow.destination) is a loopback address"))
    }
    if first == 127 { return Rejection(.invalid, .martian(side: "source", reason: "\(source) is a loopback address")) }
    return nil
  }

  /// Whether packets arriving on `device` may be forwarded; assumed so when the state does not say.
  func forwarding(_ device: String, family: AddressFamily, _ context: inout Context) -> Bool {
    let known = family == .inet ? state.forwarding?.ipv4[device] : state.forwarding?.ipv6All
    if known == nil {
      context.notes.append("the state does not say whether \(device) forwards \(family.displayName): assumed it does")
    }
    return known ?? true
  }

  /// The source validation of a packet to forward, which the kernel runs after its hash picked the hop
  /// (`ip_mkroute_input`): the reverse lookup comes from that hop's device, so rules with `iif` may answer
  /// differently per hop. When they do, the note says the answer depends on the hash, and the first hop decides here.
  func validateForwardedSource(_ flow: Flow, hops: [TraceHop], _ context: inout Context) -> Rejection? {
    let first = validateSource(flow, towards: hops[0].device, &context)
    var seen: Set<String> = [hops[0].device]
    for hop in hops.dropFirst() where seen.insert(hop.device).inserted {
      var other = Context()
      let rejection = validateSource(flow, towards: hop.device, &other)
      context.incomplete += other.incomplete.filter { !context.incomplete.contains($0) }
      guard rejection?.error != first?.error else { continue }
      func verdict(_ rejection: Rejection?) -> String {
        rejection.map { "refuses the source (\($0.error.kernelMessage))" } ?? "passes"
      }
      context.notes.append(
        "the reverse-path check on \(flow.inputInterface) \(verdict(first)) when the kernel's hash picks the hop "
          + "through \(hops[0].device), and \(verdict(rejection)) through \(hop.device): the first hop decides here")
      break
    }
    return first
  }

  /// IPv4 source validation of an arriving packet (`fib_validate_source`): a lookup from the destination back to
  /// the source, as if sent from the interface the packet would leave through (`towards`; nil for local delivery),
  /// which must find a unicast route; with rp_filter strict it must leave through the interface the packet came in
  /// on, with rp_filter loose it must exist. For a broadcast the reverse lookup has no source address.
  func validateSource(_ flow: Flow, towards: String?, broadcast: Bool = false, _ context: inout Context)
    -> Rejection?
  {
    guard let source = flow.source else { return nil }
    let device = flow.inputInterface
    if state.rpFilter.effective(for: device) == nil {
      context.notes.append("the state does not say the rp_filter of \(device): assumed off")
    }
    let mode = state.rpFilter.effective(for: device) ?? 0
    if mode == 0 && towards != device && !customRules[.inet] {
      // The kernel's shortcut without custom rules: only a source that is one of the host's addresses is refused.
      return addresses.contains(source)
        ? Rejection(.invalid, .martian(side: "source", reason: "\(source) is an address of this host")) : nil
    }
    // The ports swap and the mark is not used (src_valid_mark is 0); the reverse packet comes from where the
    // packet would go (lo for local delivery).
    let reverse = Flow(
      source: broadcast ? nil : flow.destination, destination: source, inputInterface: towards ?? "lo", mark: 0, uid: 0,
      ipProtocol: flow.ipProtocol, sourcePort: flow.destinationPort, destinationPort: flow.sourcePort, tos: flow.tos)
    var reverseContext = Context()
    let result = lookup(reverse, &reverseContext, record: false)
    context.incomplete += reverseContext.incomplete.filter { !context.incomplete.contains($0) }
    switch result {
    case .rejected(let rejection):
      context.reverseCheck = FlowTrace.ReverseCheck(mode: mode, outcome: .rejected(rejection))
      return mode == 0 ? nil : Rejection(.reversePath, .reversePath(interface: device, mode: mode, reverse: nil))
    case .found(let route, let hops, let table, let rule):
      let hop = route.type == .local ? TraceHop(device: "lo") : hops[0]
      let egress = Egress(
        type: route.type, hop: hop, hops: route.type == .local ? [hop] : hops, source: nil, table: table,
        rulePriority: rule.priority, route: route)
      context.reverseCheck = FlowTrace.ReverseCheck(mode: mode, outcome: .egress(egress))
      guard route.type == .unicast else {
        return Rejection(
          .invalid, .martian(side: "source", reason: "the route back to \(source) is \(route.type.rawValue)"))
      }
      if route.devices.contains(device) || hops.contains(where: { $0.device == device }) { return nil }
      let hasAddress = interfaces[device].map { $0.addresses.contains { $0.family == .inet } } ?? false
      if !hasAddress {
        return mode == 0 ? nil : Rejection(.reversePath, .reversePath(interface: device, mode: mode, reverse: nil))
      }
      if mode == 1 {
        return Rejection(.reversePath, .reversePath(interface: device, mode: mode, reverse: egress.summary))
      }
      return nil
    }
  }

  /// Notes that the kernel chooses among several default routes of the same metric by whether their gateways
  /// answer (`fib_select_default`).
  func noteEqualDefaults(_ route: Route, table: UInt32, _ context: inout Context) {
    guard route.isDefault, route.family == .inet else { return }
    let equal = (tables[.inet][table] ?? []).filter {
      $0.isDefault && $0.type == .unicast && $0.metric == route.metric
    }
    if equal.count > 1 {
      context.notes.append(
        "table \(table) has \(equal.count) default routes of metric \(route.metric): "
          + "the kernel may use another whose gateway answers ARP"
      )
    }
  }

  /// The source address the kernel selects for a locally sent packet on a route without `src`.
  func selectSource(_ flow: Flow, route: Route, hop: TraceHop) -> IPAddress? {
    switch flow.family {
    case .inet:
      return SourceSelection.ipv4(
        device: hop.device, gateway: hop.gateway, routeScope: route.scope, interfaces: state.interfaces)
    case .inet6:
      return SourceSelection.ipv6(destination: flow.destination, device: hop.device, interfaces: state.interfaces)
    }
  }

  /// Whether an address is the host's: on an interface, or covered by a `local` route (127.0.0.0/8).
  func isLocal(_ address: IPAddress) -> Bool {
    if addresses.contains(address) { return true }
    let local = tables[address.family][RoutingTable.local] ?? []
    return local.contains { $0.type == .local && $0.destination.contains(address) }
  }

  // MARK: Rules and tables

  /// What the rules and tables decide, before the path-specific checks.
  enum Decision {
    /// A route, with the hops it may take, the table and the rule.
    case found(Route, hops: [TraceHop], table: UInt32, rule: Rule)
    /// The kernel's refusal.
    case rejected(Rejection)
  }

  /// The rule walk (`fib_rules_lookup`); `record` keeps the steps `stepRecording` asks for.
  func lookup(_ flow: Flow, _ context: inout Context, record: Bool) -> Decision {
    let rules = self.rules[flow.family]
    // Listing the rules that do not match costs an allocation each: inspect and the flow table trace thousands of
    // flows through thousands of rules and need only the ones that decided.
    let everyStep = record && stepRecording == .every
    var index = 0
    while index < rules.count {
      let rule = rules[index]
      if everyStep {
        let mismatched = rule.selector.mismatches(flow)
        if mismatched.isEmpty == rule.selector.invert {
          context.steps.append(
            TraceStep(rule: rule, verdict: mismatched.isEmpty ? .invertedMatch : .noMatch(mismatched: mismatched)))
          index += 1
          continue
        }
      } else if rule.selector.fieldsMatch(flow) == rule.selector.invert {
        index += 1
        continue
      }
      if let decision = decide(rule, at: &index, flow: flow, &context, record: record) { return decision }
    }
    return .rejected(Rejection(.networkUnreachable, .noRoute))
  }

  /// What a matching rule does: the decision, or nil to go on at `index` (the next rule, or a goto's target).
  /// `record` lists the rule as a step.
  func decide(_ rule: Rule, at index: inout Int, flow: Flow, _ context: inout Context, record: Bool) -> Decision? {
    func step(_ verdict: TraceStep.Verdict) {
      if record { context.steps.append(TraceStep(rule: rule, verdict: verdict)) }
    }
    switch rule.action {
    case .nop:
      step(.nop)
      index += 1
      return nil
    case .goto(let target):
      // The kernel resolves a goto to the first rule of exactly that priority; it refuses a backward goto, so a
      // target at or before this rule is taken as unresolved here too (no loop).
      let rules = self.rules[flow.family]
      if let next = rules.indices.first(where: { rules[$0].priority == target }), next > index {
        step(.goto(target))
        index = next
      } else {
        step(.unresolvedGoto(target))
        index += 1
      }
      return nil
    case .blackhole, .unreachable, .prohibit:
      let error = TraceError(rejecting: rule.action)!
      step(.rejected(error))
      return .rejected(Rejection(error, .rule(rule)))
    case .lookup(let table):
      let result = lookup(table: table, flow: flow)
      let incomplete = isIncomplete(table: table, flow: flow)
      if incomplete && !context.incomplete.contains(table) { context.incomplete.append(table) }
      let (verdict, note) = suppressed(result, by: rule, family: flow.family)
      if let note, !context.notes.contains(note) { context.notes.append(note) }
      step(.lookup(table: table, result: verdict, incomplete: incomplete))
      switch verdict {
      case .found(let route, let hops): return .found(route, hops: hops, table: table, rule: rule)
      case .rejected(let route, let error): return .rejected(Rejection(error, .route(route, rule: rule)))
      case .noRoute, .thrown, .suppressedPrefix, .suppressedGroup:
        index += 1
        return nil
      }
    }
  }

  /// A lookup's result after the rule's `suppress_prefixlength` and `suppress_ifgroup` (`fib4_rule_suppress`,
  /// `fib6_rule_suppress`), which ignore only routes that were found, never an error. `suppress_ifgroup` looks at
  /// IPv4's first next hop, and at the hop IPv6 chose (by the flow's hash, for a multipath route; the loopback device
  /// for a local one): when a multipath route's hops are in different groups, the note says the answer depends on
  /// the hash, and the first hop decides here.
  func suppressed(_ result: LookupResult, by rule: Rule, family: AddressFamily) -> (LookupResult, String?) {
    guard case .found(let route, let hops) = result else { return (result, nil) }
    if let limit = rule.suppressPrefixLength, Int(route.destination.length) <= limit {
      return (.suppressedPrefix(route, limit: limit), nil)
    }
    guard let group = rule.suppressInterfaceGroup else { return (result, nil) }
    func inGroup(_ device: String) -> Bool {
      let deviceGroup = interfaces[device]?.group ?? "default"
      return deviceGroup == group || (group == "0" && deviceGroup == "default")
    }
    var devices: [String]
    switch family {
    case .inet: devices = [route.nexthops.first?.device ?? route.device ?? hops[0].device]
    case .inet6: devices = route.type == .local || route.type == .anycast ? ["lo"] : hops.map(\.device)
    }
    var note: String?
    if Set(devices.map(inGroup)).count > 1 {
      note =
        "rule \(rule.priority)'s suppress_ifgroup \(group) ignores \(route.destination.routeText) "
        + "only when the kernel's hash "
        + "picks a hop through a device of that group: the first hop decides here"
    }
    devices = [devices[0]]
    if inGroup(devices[0]) { return (.suppressedGroup(route, group: group), note) }
    return (result, note)
  }

  /// Whether a lookup in `table` may have missed a route the state left out.
  func isIncomplete(table: UInt32, flow: Flow) -> Bool {
    guard hasOmissions, table != RoutingTable.local, !complete.contains(flow.destination) else { return false }
    return omittedAnywhere || omitted[flow.family].contains(table)
  }

  /// One table's lookup (`fib_table_lookup`, `fib6_table_lookup` with `rt6_select`).
  ///
  /// IPv6 keeps source-specific routes in a subtree of their destination's node, and a destination with such a
  /// subtree is looked up in it alone: its routes for every source are not used, and a flow whose source no route of
  /// the subtree covers goes on to a shorter destination (`fib6_node_lookup_1`). The default destination is the
  /// tree's root, whose own routes are the last resort of every lookup (`fib6_node_lookup`), so there they count
  /// after the source-specific ones. Both measured against Linux 6.18.
  public func lookup(table: UInt32, flow: Flow) -> LookupResult {
    guard let routes = tables[flow.family][table] else { return .noRoute }
    let source = flow.source ?? IPAddress.unspecified(flow.family)
    var index = 0
    while index < routes.count {
      let destination = routes[index].destination
      var end = index + 1
      while end < routes.count, routes[end].destination == destination { end += 1 }
      defer { index = end }
      guard destination.contains(flow.destination) else { continue }
      let node = routes[index..<end]
      let candidates: [Route]
      if node.contains(where: { $0.source != nil }) {
        candidates =
          node.filter { $0.source?.contains(source) ?? false }
          + (destination.isDefault ? node.filter { $0.source == nil } : [])
      } else {
        candidates = Array(node)
      }
      // The candidates are in order: the longest source first, each source's routes by metric.
      for route in candidates {
        if route.type == .throw { return .thrown(route) }
        if let error = TraceError(rejecting: route.type) { return .rejected(route, error) }
        guard route.type == .unicast || route.type == .local || route.type == .broadcast || route.type == .anycast
        else { continue }
        let hops = liveHops(route, flow: flow)
        if !hops.isEmpty { return .found(route, hops: hops) }
      }
    }
    return .noRoute
  }

  /// The hops of a route the kernel may use: not `dead`, and through the flow's bound device if it has one.
  func liveHops(_ route: Route, flow: Flow) -> [TraceHop] {
    var hops: [TraceHop] = []
    if route.nexthops.isEmpty {
      guard !route.flags.contains("dead") else { return [] }
      hops = [TraceHop(device: route.device ?? "lo", gateway: route.gateway)]
    } else {
      for hop in route.nexthops where !hop.flags.contains("dead") {
        hops.append(TraceHop(device: hop.device ?? "lo", gateway: hop.gateway))
      }
    }
    if let bound = flow.outputInterface, route.type == .unicast { hops = hops.filter { $0.device == bound } }
    return hops
  }
}
