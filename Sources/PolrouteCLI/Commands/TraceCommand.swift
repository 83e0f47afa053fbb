import PolrouteCore
import PolrouteSystem

/// `polroute trace`: the path of one flow through the kernel's rules and tables, now and after the plan.
enum TraceCommand: Subcommand {
  /// `--to`.
  static let to = OptionSpec("to", value: "address", help: "The destination address (required).")
  /// `--from`.
  static let from = OptionSpec(
    "from", value: "address", help: "The source address (for a packet this host sends: one of its addresses).")
  /// `--iif`.
  static let iif = OptionSpec(
    "iif", value: "interface", help: "Trace a packet arriving on this interface (needs --from) instead of one sent.")
  /// `--ipproto`.
  static let ipproto = OptionSpec("ipproto", value: "protocol", help: "The IP protocol, by name or number.")
  /// `--sport`.
  static let sport = OptionSpec("sport", value: "port", help: "The source port (with --ipproto tcp, udp, ...).")
  /// `--dport`.
  static let dport = OptionSpec("dport", value: "port", help: "The destination port.")
  /// `--fwmark`.
  static let fwmark = OptionSpec(
    "fwmark", value: "mark", help: "The packet's firewall mark, M or M/MASK as a rule writes it (the mark is M).")
  /// `--uid`.
  static let uid = OptionSpec("uid", value: "uid", help: "The sending user's uid (packets this host sends).")
  /// `--tos`.
  static let tos = OptionSpec("tos", value: "tos", help: "The TOS byte (IPv6: the traffic class).")
  /// `--after`.
  static let after = OptionSpec("after", help: "Trace only on the host as it would be after the plan.")

  /// The command's description.
  static let spec = CommandSpec(
    name: "trace",
    abstract: "Show the path of one flow through the kernel's rules and routing tables, now and after the plan.",
    discussion: """
      Simulates the kernel's routing decision on the host's state (or a snapshot): every rule in priority order, \
      why it matched or not, the table it looked up and the route chosen there (longest prefix, then metric), \
      then where the packet leaves: device, gateway and source address, or the error 'ip route get' would report. \
      When the plan has changes, the flow is traced on the host now and after the plan, side by side; --after \
      traces only the latter. Without --iif the packet is one this host sends; with --iif it arrives there and is \
      forwarded or delivered. Without --ipproto the flow has no protocol, so rules that select one do not match \
      it ('ip route get' assumes udp). On a live host every route that covers the flow's addresses is read, however \
      large its table; a snapshot keeps only a sample of a huge table, and trace says when its answer depends on \
      routes the snapshot left out.
      """,
    options: [
      to, from, iif, ipproto, sport, dport, fwmark, uid, tos, CommonOptions.state, CommonOptions.policy, after,
      CommonOptions.json,
    ])

  /// The options, typed.
  struct Options {
    /// The host and the policy.
    var inputs: Inputs
    /// The flow.
    var flow: Flow
    /// Whether to trace only after the plan.
    var afterOnly: Bool
    /// Whether to print JSON.
    var json: Bool

    /// Reads and checks the parsed arguments.
    init(_ arguments: ParsedArguments) throws(UsageError) {
      inputs = Inputs(arguments)
      afterOnly = arguments.has(TraceCommand.after)
      json = arguments.has(CommonOptions.json)
      guard let destination = arguments.value(TraceCommand.to) else {
        throw UsageError("Missing expected option '--to <address>'", command: spec.name)
      }
      var description = FlowSpec()
      description.destination = destination
      description.source = arguments.value(TraceCommand.from)
      description.inputInterface = arguments.value(TraceCommand.iif)
      description.ipProtocol = arguments.value(TraceCommand.ipproto)
      description.sourcePort = arguments.value(TraceCommand.sport)
      description.destinationPort = arguments.value(TraceCommand.dport)
      description.mark = arguments.value(TraceCommand.fwmark)
      description.uid = arguments.value(TraceCommand.uid)
      description.tos = arguments.value(TraceCommand.tos)
      do {
        flow = try description.flow()
      } catch {
        throw UsageError("'--\(error.field)': \(error.message)", command: spec.name)
      }
    }
  }

  /// Reads the host, plans, traces and prints.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let options = try Options(arguments)
    let flow = options.flow
    let covering = [flow.destination] + (flow.source.map { [$0] } ?? [])
    let (state, policy) = try options.inputs.resolve(context, covering: covering)
    if flow.inputInterface != "lo", state.interface(named: flow.inputInterface) == nil {
      let names = state.interfaces.map(\.name)
      let hint = Suggestion.closest(to: flow.inputInterface, among: names).map { " (did you mean '\($0)'?)" } ?? ""
      throw UsageError(
        "'--iif': \(options.inputs.isSnapshot ? "the snapshot's host" : "this host") has no interface "
          + "'\(MessageText.quoted(flow.inputInterface))'\(hint)",
        command: spec.name)
    }
    context.diagnostics.print(policy.diagnostics.filter { $0.severity != .note })
    let plan = KernelPlan.make(state: state, policy: policy)
    // A live read kept every route that covers the flow's addresses: its lookups are exact.
    let complete: Set<IPAddress> = options.inputs.isSnapshot ? [] : Set(covering)
    let names = KernelText.names(state: state, policy: policy)
    let now = FlowSimulator(state: state, complete: complete).trace(flow)
    let later = plan.isEmpty ? nil : FlowSimulator(state: plan.state(after: state), complete: complete).trace(flow)
    let shown: (now: FlowTrace?, after: FlowTrace?) = options.afterOnly ? (nil, later ?? now) : (now, later)
    if options.json {
      context.stdout.write(try json(flow: flow, shown: shown, plan: plan, origin: policy.origin, names: names))
    } else {
      context.stdout.write(
        text(flow: flow, shown: shown, plan: plan, origin: policy.origin, names: names, style: context.style))
    }
    return .success
  }

  /// The human-readable trace.
  static func text(
    flow: Flow, shown: (now: FlowTrace?, after: FlowTrace?), plan: KernelPlan, origin: String,
    names: RoutingTableNames, style: Style
  ) -> String {
    var lines = [style.bold("Flow: " + TraceReport.flowText(flow))]
    let count = plan.changes.count
    lines.append(
      "Policy \(origin): "
        + (plan.isEmpty ? "the plan changes nothing" : "the plan makes \(count) change\(count == 1 ? "" : "s")"))
    if let now = shown.now, let after = shown.after {
      lines.append("")
      lines += TraceReport.sideBySide(now: now, after: after, names: names, style: style)
      lines += ["", style.bold("Now:")] + TraceReport.traceLines(now, names: names, style: style)
      lines += ["", style.bold("After the plan:")] + TraceReport.traceLines(after, names: names, style: style)
      lines.append("")
      lines.append(
        after.outcome.sameWay(as: now.outcome)
          ? "The plan does not change this flow's path."
          : style.yellow("The plan changes this flow's path."))
    } else if let now = shown.now {
      lines += ["", style.bold("Now:")] + TraceReport.traceLines(now, names: names, style: style)
    } else if let after = shown.after {
      let heading = plan.isEmpty ? "After the plan (the same as now):" : "After the plan:"
      lines += ["", style.bold(heading)] + TraceReport.traceLines(after, names: names, style: style)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The JSON document.
  static func json(
    flow: Flow, shown: (now: FlowTrace?, after: FlowTrace?), plan: KernelPlan, origin: String,
    names: RoutingTableNames
  ) throws -> String {
    /// The whole document.
    struct Document: Encodable {
      /// The flow, as `ip route get` words.
      var flow: String
      /// The policy's origin.
      var policy: String
      /// How many changes the plan makes.
      var planChanges: Int
      /// The trace on the host now (absent with --after).
      var now: TraceJSON?
      /// The trace after the plan (absent when the plan changes nothing, unless --after).
      var after: TraceJSON?
      /// Whether the plan changes the flow's path (absent unless both are traced).
      var changed: Bool?
    }
    var changed: Bool?
    if let now = shown.now, let after = shown.after { changed = !after.outcome.sameWay(as: now.outcome) }
    let document = Document(
      flow: flow.words.joined(separator: " "), policy: origin, planChanges: plan.changes.count,
      now: shown.now.map { TraceJSON($0, names: names) }, after: shown.after.map { TraceJSON($0, names: names) },
      changed: changed)
    return try JSONOutput.encode(document)
  }
}
