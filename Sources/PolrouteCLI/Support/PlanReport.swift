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

  /// Plans the kernel always, and the files of `formats` against `files`.
  static func make(
    state: HostState, policy: Policy, formats: [RenderFormat], files: any FileReader, root: String?, inputs: Inputs,
    context: CLIContext, selection: PersistSelection? = nil
  ) throws -> PlanReport {
    let kernel = KernelPlan.make(state: state, policy: policy)
    let persistence =
      formats.isEmpty
      ? nil
      : try FileTargets.plan(
        formats, policy: policy, state: state, files: files, root: root, inputs: inputs, context: context,
        selection: selection)
    return PlanReport(
      host: state.hostname, origin: policy.origin, kernel: kernel,
      kernelDiff: KernelText.diff(kernel, state: state, names: KernelText.names(state: state, policy: policy)),
      files: persistence, root: root, policyDiagnostics: policy.diagnostics)
  }

  /// Whether anything would change.
  var hasChanges: Bool { !kernel.isEmpty || (files?.hasChanges ?? false) }

  /// Whether the files cannot be written as planned.
  var isRefused: Bool { !(files?.refusals.isEmpty ?? true) }

  /// Everything to print on standard error: the policy's diagnostics, the files', then the refusals.
  var diagnostics: [Diagnostic] { policyDiagnostics + (files.map { $0.diagnostics + $0.refusals } ?? []) }

  /// The human-readable plan: a summary line per part, then the diffs.
  func text(style: Style) -> String {
    var text = style.bold("polroute plan for \(host ?? "this host"), policy \(origin)") + "\n\n"
    text += Self.kernelSummary(kernel, style: style, diff: kernelDiff)
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
    }
    let document = Document(
      host: host, policy: origin, changes: hasChanges, kernel: kernel.changes.map { JSONOutput.Change($0) },
      kernelDiff: kernelDiff,
      files: (files?.changes ?? []).map { File(path: $0.path, action: $0.action.rawValue, diff: $0.diff) },
      refusals: (files?.refusals ?? []).map(\.description),
      diagnostics: (policyDiagnostics + (files?.diagnostics ?? [])).map(\.description))
    return try JSONOutput.encode(document)
  }
}
