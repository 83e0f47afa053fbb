import PolrouteCore
import PolrouteSystem

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// `polroute plan`: what polroute would change, as a reviewable diff.
enum PlanCommand: Subcommand {
  /// The command's description.
  static let spec = CommandSpec(
    name: "plan",
    abstract: "Show what polroute would change in the kernel and in configuration files, as unified diffs.",
    discussion: """
      Compares the rules and routes polroute owns with the policy, and for each --format the files under --root \
      with what polroute would write. Changes nothing, and needs no root with --state.
      """,
    options: [
      CommonOptions.state, CommonOptions.policy,
      OptionSpec(
        "format", value: "format", repeatable: true,
        help:
          "Also compare the files of these formats (script, rhel, debian, rt_tables, all); default: the kernel only."),
      CommonOptions.root,
      OptionSpec(
        "detailed-exitcode", help: "Exit 0 when nothing would change, 2 when changes are pending, 1 on errors."),
      CommonOptions.json,
    ])

  /// Plans and prints.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let detailed = arguments.has("detailed-exitcode")
    do {
      let formats = try FileTargets.formats(arguments, command: spec.name, default: [])
      let (state, policy) = try PolicySource.resolve(arguments, context: context)
      let report = try PlanReport.make(
        state: state, policy: policy, formats: formats, root: arguments.value("root") ?? "/")
      if arguments.has("json") {
        context.stdout.write(try report.json())
      } else {
        PolicySource.printDiagnostics(policy, context: context)
        for diagnostic in report.renderDiagnostics {
          context.stderr.write(context.style.yellow(diagnostic.description) + "\n")
        }
        context.stdout.write(report.text(style: context.style))
      }
      return detailed && report.hasChanges ? .changesPending : .success
    } catch let error as PolicyError where detailed {
      // With --detailed-exitcode every error is 1, as Terraform does, so 2 always means "changes pending".
      for diagnostic in error.diagnostics { context.stderr.write(context.style.red(diagnostic.description) + "\n") }
      return .failure
    } catch let error as SnapshotError where detailed {
      context.stderr.write(context.style.red(error.description) + "\n")
      return .failure
    }
  }
}

/// A plan, ready to print as text or JSON.
struct PlanReport {
  /// The host name.
  var host: String?
  /// Where the policy came from.
  var origin: String
  /// The kernel changes.
  var kernel: KernelPlan
  /// The kernel diff text.
  var kernelDiff: String
  /// The file changes (only for the formats asked for).
  var files: [FileChange]
  /// Warnings from rendering.
  var renderDiagnostics: [Diagnostic]
  /// The policy's own warnings.
  var policyDiagnostics: [Diagnostic]
  /// The root the files were compared under.
  var root: String

  /// Computes the plan: the kernel diff always, the file diffs for the formats given.
  static func make(state: HostState, policy: Policy, formats: [RenderFormat], root: String) throws -> PlanReport {
    let kernel = KernelPlan.make(state: state, policy: policy)
    let diff = KernelText.diff(
      current: KernelText.current(state, policy: policy), planned: KernelText.planned(policy, state: state))
    var changes: [FileChange] = []
    var diagnostics: [Diagnostic] = []
    if !formats.isEmpty {
      let rendered = try FileTargets.render(formats, policy: policy, state: state)
      let files = RootedFileSystem(root: root)
      diagnostics = rendered.diagnostics + (try FileTargets.debianPlacement(formats, policy: policy, root: files))
      changes = try FileTargets.changes(rendered.files, formats: formats, root: files)
    }
    return PlanReport(
      host: state.hostname, origin: policy.origin, kernel: kernel, kernelDiff: diff, files: changes,
      renderDiagnostics: diagnostics, policyDiagnostics: policy.diagnostics, root: root)
  }

  /// Whether anything would change.
  var hasChanges: Bool { !kernel.isEmpty || files.contains { $0.action != .unchanged } }

  /// The human-readable plan: a summary line per part, then the diffs.
  func text(style: Style) -> String {
    var text = style.bold("polroute plan for \(host ?? "this host"), policy \(origin)") + "\n\n"
    let counts = kernel.summary
    if kernel.isEmpty {
      text += "Kernel: no changes; the rules and routes polroute owns match the policy.\n"
    } else {
      text += "Kernel: \(counts.add) to add, \(counts.replace) to replace, \(counts.delete) to delete.\n\n"
      text += Self.colorDiff(kernelDiff, style: style)
    }
    if !files.isEmpty {
      let changed = files.filter { $0.action != .unchanged }
      let creates = changed.filter { $0.action == .create }.count
      let updates = changed.filter { $0.action == .update }.count
      let deletes = changed.filter { $0.action == .delete }.count
      text += "\nFiles under \(root): "
      text += changed.isEmpty ? "no changes.\n" : "\(creates) to create, \(updates) to update, \(deletes) to delete.\n"
      for change in changed { text += "\n" + Self.colorDiff(change.diff, style: style) }
    }
    return text
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
      /// Warnings and notes.
      var diagnostics: [String]
    }
    let document = Document(
      host: host, policy: origin, changes: hasChanges, kernel: kernel.changes.map { JSONOutput.Change($0) },
      kernelDiff: kernelDiff, files: files.map { File(path: $0.path, action: $0.action.rawValue, diff: $0.diff) },
      diagnostics: (policyDiagnostics + renderDiagnostics).map(\.description))
    return try JSONOutput.encode(document)
  }
}
