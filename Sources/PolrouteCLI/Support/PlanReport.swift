import PolrouteCore
import PolrouteSystem

/// What a change would do, ready to print as text or JSON: `plan` prints it, and so does `apply --dry-run`, from
/// the same kernel plan and persistence plan `apply` carries out.
struct PlanReport {
  /// The host name.
  var host: String?
  /// Where the policy came from.
  var origin: String
  /// The kernel changes.
  var kernel: KernelPlan
  /// The kernel diff text.
  var kernelDiff: String
  /// The file changes, refusals and file diagnostics; nil when no format was asked for.
  var files: PersistencePlan?
  /// The root the files were compared under (nil: no files, for a snapshot of another host).
  var root: String?
  /// The policy's own warnings and notes.
  var policyDiagnostics: [Diagnostic]
  /// The flows that matter, traced now and after the kernel plan; nil when not asked for.
  var flows: FlowTable?
  /// The table names the report's text uses.
  var names: RoutingTableNames
  /// The kernel settings the policy asks for.
  var settings: [KernelSetting] = []
  /// Those whose value differs on the host, with the value now (nil: unknown, as in a snapshot).
  var settingChanges: [(setting: KernelSetting, now: String?)] = []

  /// Plans the kernel always (only `scope`'s part, when given), the files of `formats` against `files`, with
  /// `flows` the flow table, and with `diff` the kernel diff's text (an apply that reports in JSON prints none).
  static func make(
    state: HostState, policy: Policy, formats: [RenderFormat], files: any FileReader, root: String?, inputs: Inputs,
    context: CLIContext, selection: PersistSelection? = nil, flows: Bool = true, diff: Bool = true,
    scope: InterfaceScope? = nil
  ) throws -> PlanReport {
    var kernel = KernelPlan.make(state: state, policy: policy)
    if let scope { kernel = scope.restrict(kernel, state: state, policy: policy) }
    let names = KernelText.names(state: state, policy: policy)
    let persistence =
      formats.isEmpty
      ? nil
      : try FileTargets.plan(
        formats, policy: policy, state: state, files: files, root: root, inputs: inputs, context: context,
        selection: selection)
    return PlanReport(
      host: state.hostname, origin: policy.origin, kernel: kernel,
      kernelDiff: diff ? KernelText.diff(kernel, state: state, names: names) : "", files: persistence, root: root,
      policyDiagnostics: policy.diagnostics,
      flows: flows ? FlowTable.make(before: state, after: kernel.state(after: state), policy: policy) : nil,
      names: names, settings: policy.settings,
      settingChanges: KernelSetting.changes(policy.settings, current: state.kernelSettings ?? [:]))
  }

  /// Whether anything would change.
  var hasChanges: Bool { !kernel.isEmpty || !settingChanges.isEmpty || (files?.hasChanges ?? false) }

  /// `Kernel settings: ...` and one line per setting to change; empty when the policy asks for none.
  static func settingsText(_ settings: [KernelSetting], changes: [(setting: KernelSetting, now: String?)]) -> String {
    guard !settings.isEmpty else { return "" }
    guard !changes.isEmpty else {
      return "Kernel settings: the \(settings.count) the policy asks for are set (sysctl).\n"
    }
    var text = "Kernel settings: \(changes.count) to set (sysctl; the policy asks for them):\n"
    for (setting, now) in changes {
      text += "  \(setting.name) \(now ?? "unknown") -> \(setting.value)  (\(setting.reason))\n"
    }
    return text
  }

  /// Whether the files cannot be written as planned.
  var isRefused: Bool { !(files?.refusals.isEmpty ?? true) }

  /// Everything to print on standard error: the policy's diagnostics, the files', then the refusals.
  var diagnostics: [Diagnostic] { policyDiagnostics + (files.map { $0.diagnostics + $0.refusals } ?? []) }

  /// The human-readable plan: a summary line per part, then the diffs.
  func text(style: Style) -> String {
    var text = style.bold("polroute plan for \(host ?? "this host"), policy \(origin)") + "\n\n"
    text += Self.kernelSummary(kernel, style: style, diff: kernelDiff)
    if !settings.isEmpty { text += "\n" + Self.settingsText(settings, changes: settingChanges) }
    if let flows { text += "\n" + Self.flowText(flows, names: names, style: style) }
    if let files {
      let changed = files.pending
      let counts = Dictionary(grouping: changed, by: \.action).mapValues(\.count)
      let place = root.map { "under \($0)" } ?? "(compared with none: pass --root DIR holding the host's files)"
      text += "\nFiles \(place): "
      text +=
        changed.isEmpty
        ? "no changes.\n"
        : "\(counts[.create] ?? 0) to create, \(counts[.update] ?? 0) to update, \(counts[.delete] ?? 0) to delete.\n"
      for change in changed { text += "\n" + Self.colorDiff(change.diff, style: style) }
    }
    return text
  }

  /// `Kernel: 2 to add, ...` and the diff, or that nothing changes.
  static func kernelSummary(_ kernel: KernelPlan, style: Style, diff: String) -> String {
    guard !kernel.isEmpty else { return "Kernel: no changes; the rules and routes polroute owns match the policy.\n" }
    let counts = kernel.summary
    return "Kernel: \(counts.add) to add, \(counts.replace) to replace, \(counts.delete) to delete.\n\n"
      + colorDiff(diff, style: style)
  }

  /// At most this many flow rows are printed one by one; beyond it, only the rows that change (JSON has them all).
  static let flowRowLimit = 60

  /// The flow table: where each flow that matters goes now, and after the plan when that changes.
  static func flowText(_ table: FlowTable, names: RoutingTableNames, style: Style) -> String {
    let changed = table.rows.count { $0.changed }
    var text =
      "Flows: \(table.rows.count) traced, "
      + (changed == 0
        ? "none changes its path.\n" : "\(changed) change\(changed == 1 ? "s" : "") path (now -> after).\n")
    guard changed > 0 else { return text }
    let rows = table.rows.count > flowRowLimit ? table.changedRows : table.rows
    let labels = rows.map { $0.label(names: names) }
    // Labels are addresses and words: their UTF-8 length is their width, and cheaper to take than `count`.
    let width = min(labels.map(\.utf8.count).max() ?? 0, 64)
    for (row, label) in zip(rows, labels) {
      let before = outcomeText(row.before.outcome)
      let line: String
      if row.changed {
        line = style.yellow("\(before) -> \(outcomeText(row.after.outcome))")
      } else {
        line = "\(before) (unchanged)"
      }
      let pad = String(repeating: " ", count: max(width + 1 - label.utf8.count, 1))
      text += "  \(label)\(pad) \(line)\(row.incomplete ? " ?" : "")\n"
    }
    if rows.count < table.rows.count {
      text += "  (\(table.rows.count - rows.count) other flows keep their path; plan --json lists every one)\n"
    }
    if rows.contains(where: \.incomplete) {
      text += "  ? the snapshot left out routes this answer may depend on\n"
    }
    return text
  }

  /// `via 198.51.100.1 dev mgmt src 198.51.100.10` or `rejected: Network is unreachable`.
  static func outcomeText(_ outcome: TraceOutcome) -> String {
    switch outcome {
    case .egress(let egress):
      // Over several devices the kernel takes the source address of the hop it picks, not one for all.
      if egress.isMultipath, Set(egress.hops.map(\.device)).count > 1 { return egress.summary + ", each hop's src" }
      return egress.summary + (egress.source.map { " src \($0)" } ?? "")
    case .rejected(let rejection): return "rejected: \(rejection.error.kernelMessage)"
    }
  }

  /// Colours a unified diff: additions green, deletions red, hunk headers cyan.
  static func colorDiff(_ diff: String, style: Style) -> String {
    guard style.enabled else { return diff }
    return diff.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
      if line.hasPrefix("+++") || line.hasPrefix("---") { return style.bold(String(line)) }
      if line.hasPrefix("+") { return style.green(String(line)) }
      if line.hasPrefix("-") { return style.red(String(line)) }
      if line.hasPrefix("@@") { return style.cyan(String(line)) }
      return String(line)
    }.joined(separator: "\n")
  }

  /// The plan as JSON for machines.
  func json() throws -> String {
    /// A file change.
    struct File: Encodable {
      /// The path on the target host.
      var path: String
      /// create, update, delete or unchanged.
      var action: String
      /// The unified diff.
      var diff: String
    }
    /// One flow of the flow table.
    struct Flow: Encodable {
      /// `remote-client`, `local-network`, `application-rule` or `new-connection`.
      var subject: String
      /// The host address it is sent from, for the first two.
      var from: String?
      /// The directly connected network, for `local-network`.
      var network: String?
      /// The application rule's priority.
      var rule: UInt32?
      /// The uplink group, for `new-connection`.
      var group: String?
      /// The flow, as `ip route get` words.
      var flow: String
      /// Where it goes now.
      var before: TraceJSON.Outcome
      /// Where it goes after the plan.
      var after: TraceJSON.Outcome
      /// Whether the plan changes its path.
      var changed: Bool
      /// Whether either answer may depend on routes the snapshot left out.
      var incomplete: Bool
    }
    /// The whole document.
    struct Document: Encodable {
      /// The host's name.
      var host: String?
      /// Where the policy came from.
      var policy: String
      /// Whether anything would change.
      var changes: Bool
      /// The kernel changes.
      var kernel: [JSONOutput.Change]
      /// The kernel diff text.
      var kernelDiff: String
      /// The file changes.
      var files: [File]
      /// Why the files cannot be written, if they cannot.
      var refusals: [String]
      /// Warnings and notes.
      var diagnostics: [String]
      /// The flow table (absent with --no-flows).
      var flows: [Flow]?
      /// The kernel settings the policy asks for (absent when it asks for none).
      var settings: [Setting]?
    }
    /// A kernel setting.
    struct Setting: Encodable {
      /// The sysctl name.
      var name: String
      /// The value the policy asks for.
      var value: String
      /// The value on the host now (absent when unknown).
      var now: String?
      /// Why.
      var reason: String
    }
    let document = Document(
      host: host, policy: origin, changes: hasChanges, kernel: kernel.changes.map { JSONOutput.Change($0) },
      kernelDiff: kernelDiff,
      files: (files?.changes ?? []).map { File(path: $0.path, action: $0.action.rawValue, diff: $0.diff) },
      refusals: (files?.refusals ?? []).map(\.description),
      diagnostics: (policyDiagnostics + (files?.diagnostics ?? [])).map(\.description),
      flows: flows?.rows.map { row in
        var entry = Flow(
          subject: "", flow: row.flow.words.joined(separator: " "),
          before: TraceJSON.outcome(row.before.outcome, names: names),
          after: TraceJSON.outcome(row.after.outcome, names: names), changed: row.changed, incomplete: row.incomplete)
        switch row.subject {
        case .remoteClient(let address):
          entry.subject = "remote-client"
          entry.from = address.description
        case .localNetwork(let address, let network):
          entry.subject = "local-network"
          entry.from = address.description
          entry.network = network.description
        case .applicationRule(let rule):
          entry.subject = "application-rule"
          entry.rule = rule.priority
        case .newConnection(let group):
          entry.subject = "new-connection"
          entry.group = group
        }
        return entry
      },
      settings: settings.isEmpty
        ? nil
        : settings.map { setting in
          Setting(
            name: setting.name, value: setting.value,
            now: settingChanges.first { $0.setting == setting }.map { $0.now } ?? setting.value,
            reason: setting.reason)
        })
    return try JSONOutput.encode(document)
  }
}
