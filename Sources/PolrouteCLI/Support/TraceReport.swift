import PolrouteCore

/// How traces are printed: the steps of one, the outcome, and the JSON form. `trace`, `plan`'s flow table and
/// `apply`'s session guard print through here.
enum TraceReport {
  /// `198.18.0.1 from 203.0.113.10 ipproto tcp dport 22, sent by this host`.
  static func flowText(_ flow: Flow) -> String {
    let origin = flow.inputInterface == "lo" ? "sent by this host" : "arriving on \(flow.inputInterface)"
    return flow.words.joined(separator: " ") + ", " + origin
  }

  /// A route's words without its table (the step names the table): `default via 198.51.100.1 dev mgmt`.
  static func routeText(_ route: Route, names: RoutingTableNames) -> String {
    var words = RouteText.words(route, tables: .name(names))
    // `table T` comes before any next hop, whose words hold no `table`.
    // (A device may be named `table`: the word after `dev` is not the keyword.)
    if let at = words.indices.first(where: { words[$0] == "table" && ($0 == 0 || words[$0 - 1] != "dev") }),
      at + 1 < words.count
    {
      words.removeSubrange(at...(at + 1))
    }
    return words.joined(separator: " ")
  }

  /// The table's name, or its number.
  static func tableName(_ table: UInt32, names: RoutingTableNames) -> String {
    names.name(for: table) ?? String(table)
  }

  /// What the flow has where a selector did not match: `source 203.0.113.10`, `dport 443`.
  static func mismatchText(_ field: RuleSelector.Field, flow: Flow) -> String {
    switch field {
    case .source: return flow.source.map { "source \($0)" } ?? "no source address"
    case .destination: return "destination \(flow.destination)"
    case .tos: return "tos \(RuleSelector.hex(UInt32(flow.tos)))"
    case .fwmark: return "mark \(RuleSelector.hex(flow.mark))"
    case .inputInterface:
      return flow.inputInterface == "lo" ? "sent by this host (iif lo)" : "iif \(flow.inputInterface)"
    case .outputInterface: return flow.outputInterface.map { "oif \($0)" } ?? "no bound device"
    case .uidRange: return "uid \(flow.uid)"
    case .ipProtocol: return flow.ipProtocol.map { "ipproto \(IPProtocolNames.text($0))" } ?? "no protocol"
    case .sourcePort: return flow.sourcePort.map { "sport \($0)" } ?? "no source port"
    case .destinationPort: return flow.destinationPort.map { "dport \($0)" } ?? "no destination port"
    case .l3mdev: return "not in a VRF"
    case .invert: return "not"
    }
  }

  /// What one rule did, in words.
  static func verdictText(_ step: TraceStep, flow: Flow, names: RoutingTableNames) -> String {
    switch step.verdict {
    case .noMatch(let fields):
      return "no match (" + fields.map { mismatchText($0, flow: flow) }.joined(separator: ", ") + ")"
    case .invertedMatch: return "no match (every selector matches, and the rule says not)"
    case .nop: return "matched: nop, next rule"
    case .goto(let target): return "matched: goto \(target)"
    case .unresolvedGoto(let target): return "matched: goto \(target), but no rule has priority \(target): next rule"
    case .rejected(let error): return "matched: \(step.rule.action) -> \(error.kernelMessage)"
    case .lookup(let table, let result, let incomplete):
      let name = tableName(table, names: names)
      let missing = incomplete ? " (this table's routes were left out in part: a more specific one may exist)" : ""
      switch result {
      case .noRoute: return "matched: table \(name) has no route to \(flow.destination)\(missing); next rule"
      case .thrown(let route): return "matched: table \(name): \(routeText(route, names: names)); next rule\(missing)"
      case .rejected(let route, let error):
        return "matched: table \(name): \(routeText(route, names: names)) -> \(error.kernelMessage)\(missing)"
      case .found(let route, _): return "matched: table \(name): \(routeText(route, names: names))\(missing)"
      case .suppressedPrefix(let route, let limit):
        return "matched: table \(name): \(routeText(route, names: names)), a /\(route.destination.length) "
          + "route, suppressed (suppress_prefixlength \(limit)); next rule\(missing)"
      case .suppressedGroup(let route, let group):
        return "matched: table \(name): \(routeText(route, names: names)), on a device of group \(group), "
          + "suppressed (suppress_ifgroup); next rule\(missing)"
      }
    }
  }

  /// The steps, one line each: priority, rule, verdict.
  static func stepLines(_ trace: FlowTrace, names: RoutingTableNames, style: Style) -> [String] {
    let rules = trace.steps.map { RuleText.selectorAndAction($0.rule, names: names) }
    let width = min(rules.map(\.count).max() ?? 0, 48)
    return zip(trace.steps, rules).map { step, rule in
      let priority = String(step.rule.priority).padding(to: 6)
      let verdict = verdictText(step, flow: trace.flow, names: names)
      return "  \(priority)\(rule.padding(to: width + 1)) \(step.matched ? verdict : style.dim(verdict))"
    }
  }

  /// The outcome, in one line after `->`.
  static func outcomeLine(_ trace: FlowTrace, names: RoutingTableNames, style: Style) -> String {
    switch trace.outcome {
    case .egress(let egress):
      var text = egress.summary
      if let source = egress.source { text += ", source \(source)" }
      text += " (table \(tableName(egress.table, names: names)), rule \(egress.rulePriority))"
      return "  -> " + style.green(text)
    case .rejected(let rejection):
      return "  -> " + style.red(rejection.summary(names: names))
    }
  }

  /// The whole trace: steps, reverse-path check, outcome and notes.
  static func traceLines(_ trace: FlowTrace, names: RoutingTableNames, style: Style) -> [String] {
    var lines = stepLines(trace, names: names, style: style)
    if let check = trace.reverseCheck {
      let mode = check.mode == 1 ? "strict" : check.mode == 2 ? "loose" : "off"
      lines.append(
        "  reverse-path check (rp_filter \(mode)): the route back to \(trace.flow.source.map(\.description) ?? "?") "
          + "is " + check.outcome.summary(names: names))
    }
    lines.append(outcomeLine(trace, names: names, style: style))
    if trace.isIncomplete {
      let tables = trace.incompleteTables.map { tableName($0, names: names) }.joined(separator: ", ")
      lines.append(
        "  "
          + style.yellow(
            "note: the snapshot left out routes of table \(tables): this answer may miss a more specific one"))
    }
    for note in trace.notes { lines.append("  note: \(note)") }
    return lines
  }

  /// The cells of the side-by-side summary for one trace: where it goes, its source, its table and rule.
  static func summaryCells(_ trace: FlowTrace, names: RoutingTableNames) -> [String] {
    switch trace.outcome {
    case .egress(let egress):
      return [
        egress.summary, egress.source?.description ?? "none",
        "\(tableName(egress.table, names: names)) (rule \(egress.rulePriority))",
      ]
    case .rejected(let rejection):
      let by: String
      switch rejection.cause {
      case .rule(let rule): by = "rule \(rule.priority)"
      case .route(let route, let rule): by = "\(tableName(route.table, names: names)) (rule \(rule.priority))"
      default: by = "-"
      }
      return ["rejected: " + rejection.error.kernelMessage, "-", by]
    }
  }

  /// The two traces side by side: a row each for where the flow goes, its source, and its table.
  static func sideBySide(now: FlowTrace, after: FlowTrace, names: RoutingTableNames, style: Style) -> [String] {
    let left = summaryCells(now, names: names)
    let right = summaryCells(after, names: names)
    let width = max(left.map(\.count).max() ?? 0, 3) + 2
    let changed = !after.outcome.sameWay(as: now.outcome)
    var lines = ["  " + "".padding(to: 9) + "now".padding(to: width) + "after the plan"]
    for (index, label) in ["goes", "source", "table"].enumerated() {
      let after = left[index] == right[index] ? right[index] : (changed ? style.yellow(right[index]) : right[index])
      lines.append("  " + label.padding(to: 9) + left[index].padding(to: width) + after)
    }
    return lines
  }
}

extension Style {
  /// Dim, for rules that did not match.
  func dim(_ text: String) -> String { wrap(text, "2") }
}

/// The JSON form of a trace, as `trace --json` and `plan --json` print it.
struct TraceJSON: Encodable {
  /// One rule consulted.
  struct Step: Encodable {
    /// The rule's priority.
    var priority: UInt32
    /// The rule, as `ip rule` prints it.
    var rule: String
    /// Whether the rule matched.
    var matched: Bool
    /// `no-match`, `nop`, `goto`, `unresolved-goto`, `rejected`, `lookup`.
    var action: String
    /// The selectors that did not match.
    var mismatched: [String]?
    /// The table looked up.
    var table: UInt32?
    /// What the lookup found: `no-route`, `throw`, `rejected`, `found`, `suppressed`.
    var lookup: String?
    /// The route found.
    var route: String?
    /// Whether the table's routes were left out in part.
    var incomplete: Bool?
    /// The step in words.
    var detail: String
  }

  /// A next hop.
  struct Hop: Encodable {
    /// The device.
    var device: String
    /// The gateway.
    var gateway: String?
  }

  /// The outcome.
  struct Outcome: Encodable {
    /// The route type (`unicast`, `local`, ...), absent when rejected.
    var type: String?
    /// The output device.
    var device: String?
    /// The gateway.
    var gateway: String?
    /// The source address.
    var source: String?
    /// The table.
    var table: UInt32?
    /// The rule's priority.
    var rule: UInt32?
    /// The route, as `ip route` prints it.
    var route: String?
    /// Every hop a multipath route may take.
    var hops: [Hop]?
    /// The error (`network-unreachable`, ...), when rejected.
    var error: String?
    /// The message `ip route get` prints for it.
    var message: String?
    /// The outcome in words.
    var summary: String
  }

  /// The steps.
  var steps: [Step]
  /// The outcome.
  var outcome: Outcome
  /// The reverse-path check's outcome, for an arriving packet.
  var reversePath: Outcome?
  /// Tables whose routes were left out in part.
  var incompleteTables: [UInt32]
  /// What the answer assumes.
  var notes: [String]

  /// The JSON form of a trace.
  init(_ trace: FlowTrace, names: RoutingTableNames) {
    steps = trace.steps.map { step in
      var entry = Step(
        priority: step.rule.priority, rule: RuleText.selectorAndAction(step.rule, names: names),
        matched: step.matched, action: "",
        detail: TraceReport.verdictText(step, flow: trace.flow, names: names))
      switch step.verdict {
      case .noMatch(let fields):
        entry.action = "no-match"
        entry.mismatched = fields.map(\.rawValue)
      case .invertedMatch: entry.action = "no-match"
      case .nop: entry.action = "nop"
      case .goto: entry.action = "goto"
      case .unresolvedGoto: entry.action = "unresolved-goto"
      case .rejected: entry.action = "rejected"
      case .lookup(let table, let result, let incomplete):
        entry.action = "lookup"
        entry.table = table
        entry.incomplete = incomplete
        switch result {
        case .noRoute: entry.lookup = "no-route"
        case .thrown(let route):
          entry.lookup = "throw"
          entry.route = TraceReport.routeText(route, names: names)
        case .rejected(let route, _):
          entry.lookup = "rejected"
          entry.route = TraceReport.routeText(route, names: names)
        case .found(let route, _):
          entry.lookup = "found"
          entry.route = TraceReport.routeText(route, names: names)
        case .suppressedPrefix(let route, _), .suppressedGroup(let route, _):
          entry.lookup = "suppressed"
          entry.route = TraceReport.routeText(route, names: names)
        }
      }
      return entry
    }
    outcome = Self.outcome(trace.outcome, names: names)
    reversePath = trace.reverseCheck.map { Self.outcome($0.outcome, names: names) }
    incompleteTables = trace.incompleteTables
    notes = trace.notes
  }

  /// The JSON form of an outcome.
  static func outcome(_ outcome: TraceOutcome, names: RoutingTableNames) -> Outcome {
    switch outcome {
    case .egress(let egress):
      return Outcome(
        type: egress.type.rawValue, device: egress.device, gateway: egress.gateway?.description,
        source: egress.source?.description, table: egress.table, rule: egress.rulePriority,
        route: TraceReport.routeText(egress.route, names: names),
        hops: egress.hops.map { Hop(device: $0.device, gateway: $0.gateway?.description) },
        summary: outcome.summary(names: names))
    case .rejected(let rejection):
      return Outcome(
        error: rejection.error.rawValue, message: rejection.error.kernelMessage,
        summary: rejection.summary(names: names))
    }
  }
}
