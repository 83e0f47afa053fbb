import PolrouteCore

/// `apply`'s guard on the command line: which connections it must not cut (the SSH session from `SSH_CONNECTION`,
/// and every `--keep FLOW`), and the refusal when the plan would cut one. The judgement is `SessionGuard`'s, in Core.
enum SessionKeeper {
  /// A connection to keep: where it came from and its replies' flow.
  struct Connection {
    /// `the SSH session (SSH_CONNECTION)` or `--keep '192.0.2.10 from 198.51.100.10'`.
    var origin: String
    /// The replies' flow.
    var flow: Flow
  }

  /// The connections to keep: the SSH session polroute runs in, if any, then the `--keep` flows. A note is printed
  /// when `SSH_CONNECTION` is set but not of the form sshd writes.
  static func connections(keeps: [(text: String, flow: Flow)], context: CLIContext) -> [Connection] {
    var connections: [Connection] = []
    if let value = context.environment["SSH_CONNECTION"], !value.isEmpty {
      if let flow = FlowSpec.sshReplies(value) {
        connections.append(Connection(origin: "the SSH session (SSH_CONNECTION)", flow: flow))
      } else {
        context.diagnostics.note(
          "SSH_CONNECTION is not 'CLIENT PORT SERVER PORT' ('\(MessageText.quoted(value))'): the session is not checked"
        )
      }
    }
    connections += keeps.map { Connection(origin: "--keep '\($0.text)'", flow: $0.flow) }
    return connections
  }

  /// Why the plan may not be applied: every kept connection whose replies would leave another way, or not at all;
  /// nil when none would.
  static func refusal(_ connections: [Connection], state: HostState, plan: KernelPlan, names: RoutingTableNames)
    -> String?
  {
    guard !plan.isEmpty, !connections.isEmpty else { return nil }
    let after = plan.state(after: state)
    let cut = connections.compactMap { connection -> String? in
      let verdict = SessionGuard.check(connection.flow, before: state, after: after)
      return verdict.isCut ? "\(connection.origin): \(verdict.explanation(names: names))" : nil
    }
    guard !cut.isEmpty else { return nil }
    return "the plan would cut the connection polroute runs over, so nothing was changed:\n"
      + cut.map { "  " + $0 }.joined(separator: "\n")
      + "\nkeep that path in the policy, or add --force to apply anyway ('--confirm SECONDS' rolls back a change "
      + "that is not confirmed in time)"
  }
}
