/// Why the kernel refuses a flow: each case is one error `ip route get` reports, so a trace can be compared with it.
public enum TraceError: String, Codable, Hashable, Sendable, CaseIterable {
  /// `ENETUNREACH`: a rule's `unreachable`, or no rule led to a route.
  case networkUnreachable = "network-unreachable"
  /// `EHOSTUNREACH`: an `unreachable` route, or a packet to forward on an interface that does not forward.
  case hostUnreachable = "host-unreachable"
  /// `EACCES`: a `prohibit` rule or route.
  case prohibited
  /// `EINVAL`: a `blackhole` rule or route, or a martian address.
  case invalid
  /// `EXDEV`: reverse-path filtering refused the source.
  case reversePath = "reverse-path"

  /// The message `ip` prints for the error (`RTNETLINK answers: ...`).
  public var kernelMessage: String {
    switch self {
    case .networkUnreachable: return "Network is unreachable"
    case .hostUnreachable: return "No route to host"
    case .prohibited: return "Permission denied"
    case .invalid: return "Invalid argument"
    case .reversePath: return "Invalid cross-device link"
    }
  }

  /// The error of a route type that rejects (nil for the types that deliver, and for `throw`, which falls through).
  public init?(rejecting type: RouteType) {
    switch type {
    case .blackhole: self = .invalid
    case .unreachable: self = .hostUnreachable
    case .prohibit: self = .prohibited
    default: return nil
    }
  }

  /// The error of a rule action that rejects (nil for the actions that continue).
  public init?(rejecting action: RuleAction) {
    switch action {
    case .blackhole: self = .invalid
    case .unreachable: self = .networkUnreachable
    case .prohibit: self = .prohibited
    default: return nil
    }
  }
}

/// One next hop a flow can leave through: a multipath route offers several, and the kernel picks one by a hash of the
/// flow with a per-boot random seed, so a trace names them all.
public struct TraceHop: Codable, Hashable, Sendable {
  /// The output device.
  public var device: String
  /// The gateway, if the hop has one.
  public var gateway: IPAddress?

  /// Builds a hop.
  public init(device: String, gateway: IPAddress? = nil) {
    self.device = device
    self.gateway = gateway
  }

  /// `via 198.51.100.1 dev mgmt` or `dev mgmt`.
  public var description: String { (gateway.map { "via \($0) " } ?? "") + "dev \(device)" }
}

/// Where a flow goes when the kernel finds a route for it: leaving through a device, or delivered to the host.
public struct Egress: Codable, Hashable, Sendable {
  /// The route type: `unicast` (leaves), `local` (delivered to the host), `broadcast`, `anycast`, `multicast`.
  public var type: RouteType
  /// The hop the kernel would use; for a multipath route, the first live one (see `hops`).
  public var hop: TraceHop
  /// Every hop the kernel may choose, in the route's order; one for a single-path route.
  public var hops: [TraceHop]
  /// The source address the packet leaves with: the flow's own, else the one the kernel selects (nil when none).
  public var source: IPAddress?
  /// The table the route was found in.
  public var table: UInt32
  /// The priority of the rule whose lookup found it.
  public var rulePriority: UInt32
  /// The route.
  public var route: Route

  /// The output device (`lo` for a locally delivered packet).
  public var device: String { hop.device }
  /// The gateway, if any.
  public var gateway: IPAddress? { hop.gateway }
  /// Whether the kernel chooses among several hops by a hash.
  public var isMultipath: Bool { hops.count > 1 }

  /// Whether two egresses send a flow the same way: the same type and the same hops (device and gateway).
  public func sameWay(as other: Egress) -> Bool {
    type == other.type && Set(hops) == Set(other.hops)
  }

  /// `via 198.51.100.1 dev mgmt`, `local (dev lo)`, `one of via A dev x | via B dev y`.
  public var summary: String {
    switch type {
    case .unicast:
      return isMultipath ? "one of " + hops.map(\.description).joined(separator: " | ") : hop.description
    default:
      return "\(type.rawValue) (\(hop.description))"
    }
  }
}

/// What made the kernel refuse a flow.
public enum RejectionCause: Hashable, Sendable {
  /// A rule's action (`blackhole`, `unreachable`, `prohibit`).
  case rule(Rule)
  /// A rejecting route (`blackhole`, `unreachable`, `prohibit`) found by the lookup of a rule.
  case route(Route, rule: Rule)
  /// No rule led to a route.
  case noRoute
  /// The source address is not one of the host's (a locally sent packet must come from one).
  case sourceNotLocal(IPAddress)
  /// The address can never be on the wire (`martian`): the side (`source` or `destination`) and why.
  case martian(side: String, reason: String)
  /// The packet would be forwarded, and the interface it arrived on does not forward (`forwarding` is 0).
  case notForwarding(String)
  /// Reverse-path validation refused the source: the interface, the rp_filter value, and where the reverse lookup
  /// led (nil when it found no route).
  case reversePath(interface: String, mode: Int, reverse: String?)
  /// The route found for a forwarded packet is not one a router forwards along (`local` on another path, ...).
  case notForwardable(RouteType)
  /// The interface the flow arrives on does not exist.
  case noSuchInterface(String)
}

/// Why a flow cannot go anywhere: the kernel's error and its cause.
public struct Rejection: Hashable, Sendable {
  /// The error `ip route get` reports.
  public var error: TraceError
  /// What caused it.
  public var cause: RejectionCause

  /// Builds a rejection.
  public init(_ error: TraceError, _ cause: RejectionCause) {
    self.error = error
    self.cause = cause
  }

  /// One line: `rule 100 (to 100.64.0.0/10 unreachable) rejects it`.
  public func summary(names: RoutingTableNames) -> String {
    switch cause {
    case .rule(let rule):
      return
        "rule \(rule.priority) (\(RuleText.selectorAndAction(rule, names: names))) rejects it: \(error.kernelMessage)"
    case .route(let route, let rule):
      let table = names.name(for: route.table) ?? String(route.table)
      return "\(route.type.rawValue) route \(route.destination.routeText) in table \(table) (rule \(rule.priority)) "
        + "rejects it: \(error.kernelMessage)"
    case .noRoute: return "no rule leads to a route: \(error.kernelMessage)"
    case .sourceNotLocal(let address):
      return "\(address) is not an address of this host: \(error.kernelMessage)"
    case .martian(let side, let reason): return "martian \(side) (\(reason)): \(error.kernelMessage)"
    case .notForwarding(let interface):
      return "\(interface) does not forward (forwarding is 0): \(error.kernelMessage)"
    case .reversePath(let interface, let mode, let reverse):
      let filter = mode == 1 ? "strict" : mode == 2 ? "loose" : "off"
      let path = reverse.map { "replies to the source would go \($0)" } ?? "there is no route back to the source"
      return "reverse-path check on \(interface) (rp_filter \(filter)) refuses the source: \(path): "
        + error.kernelMessage
    case .notForwardable(let type):
      return "the route found is \(type.rawValue), which a router does not forward along: \(error.kernelMessage)"
    case .noSuchInterface(let name): return "there is no interface \(name)"
    }
  }
}

/// Where a flow ends up: a route that takes it somewhere, or the kernel's refusal.
public enum TraceOutcome: Hashable, Sendable {
  /// A route was found: where the packet goes.
  case egress(Egress)
  /// The kernel refuses the packet.
  case rejected(Rejection)

  /// The egress, if the flow has one.
  public var egress: Egress? {
    if case .egress(let egress) = self { return egress }
    return nil
  }

  /// The rejection, if the flow is refused.
  public var rejection: Rejection? {
    if case .rejected(let rejection) = self { return rejection }
    return nil
  }

  /// Whether two outcomes send the flow the same way (the same hops, or the same error).
  public func sameWay(as other: TraceOutcome) -> Bool {
    switch (self, other) {
    case (.egress(let mine), .egress(let theirs)): return mine.sameWay(as: theirs)
    case (.rejected(let mine), .rejected(let theirs)): return mine.error == theirs.error
    default: return false
    }
  }

  /// One line: `via 198.51.100.1 dev mgmt src 198.51.100.10 (table main)` or `rejected: ...`.
  public func summary(names: RoutingTableNames) -> String {
    switch self {
    case .egress(let egress):
      let source = egress.source.map { " src \($0)" } ?? ""
      return "\(egress.summary)\(source) (table \(names.name(for: egress.table) ?? String(egress.table)))"
    case .rejected(let rejection): return "rejected: " + rejection.summary(names: names)
    }
  }
}

/// What one table's lookup found.
public enum LookupResult: Hashable, Sendable {
  /// The table has no route that covers the destination (or no table of that number exists): the next rule runs.
  case noRoute
  /// A `throw` route: the next rule runs.
  case thrown(Route)
  /// A rejecting route: the lookup ends with the error.
  case rejected(Route, TraceError)
  /// A route to use, with the hops it may take.
  case found(Route, hops: [TraceHop])
  /// A route was found and the rule's `suppress_prefixlength` ignores it (its prefix is that long or shorter).
  case suppressedPrefix(Route, limit: Int)
  /// A route was found and the rule's `suppress_ifgroup` ignores it (its device is in that group).
  case suppressedGroup(Route, group: String)
}

/// One rule consulted, and what it did to the flow.
public struct TraceStep: Hashable, Sendable {
  /// What the rule did.
  public enum Verdict: Hashable, Sendable {
    /// The rule does not match: the selectors that failed (for a `not` rule whose selectors all match, see
    /// `invertedMatch`).
    case noMatch(mismatched: [RuleSelector.Field])
    /// A `not` rule whose selectors all match, so the rule does not.
    case invertedMatch
    /// `nop`: nothing happens.
    case nop
    /// `goto` jumps to the first rule of the priority.
    case goto(UInt32)
    /// `goto` to a priority no rule has: the kernel passes over the rule.
    case unresolvedGoto(UInt32)
    /// The rule's action rejects the flow.
    case rejected(TraceError)
    /// The rule looks up a table.
    case lookup(table: UInt32, result: LookupResult, incomplete: Bool)
  }

  /// The rule.
  public var rule: Rule
  /// What it did.
  public var verdict: Verdict

  /// Builds a step.
  public init(rule: Rule, verdict: Verdict) {
    self.rule = rule
    self.verdict = verdict
  }

  /// Whether the rule matched the flow.
  public var matched: Bool {
    switch verdict {
    case .noMatch, .invertedMatch: return false
    default: return true
    }
  }
}

/// A flow's whole path through the kernel's routing decision: every rule consulted, the outcome, and notes on what
/// the answer assumes or could not see.
public struct FlowTrace: Hashable, Sendable {
  /// The flow as traced (after the kernel's own adjustments, such as the IPv4 TOS mask).
  public var flow: Flow
  /// The rules consulted, in order.
  public var steps: [TraceStep]
  /// Where the flow goes.
  public var outcome: TraceOutcome
  /// The lookup that validated the source of an arriving packet (reverse-path filtering), if one ran.
  public var reverseCheck: ReverseCheck?
  /// Tables whose routes the snapshot left out in part, where the lookup might have found a more specific route.
  public var incompleteTables: [UInt32]
  /// What the answer assumes (neighbour reachability, sysctls the state does not hold).
  public var notes: [String]

  /// The source validation of an arriving packet: a lookup from the destination back to the source.
  public struct ReverseCheck: Hashable, Sendable {
    /// The rp_filter value that applied (0 off, 1 strict, 2 loose).
    public var mode: Int
    /// The reverse flow's outcome.
    public var outcome: TraceOutcome
  }

  /// Whether the answer may depend on routes the snapshot left out.
  public var isIncomplete: Bool { !incompleteTables.isEmpty }

  /// The rule that decided the outcome: the last one consulted that matched.
  public var decidingRule: Rule? { steps.last(where: \.matched)?.rule }
}
