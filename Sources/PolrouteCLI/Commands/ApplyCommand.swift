import PolrouteCore
import PolrouteSystem

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#endif

/// `polroute apply`: make the kernel match the policy, safely.
enum ApplyCommand: Subcommand {
  /// The command's description.
  static let spec = CommandSpec(
    name: "apply",
    abstract: "Make the kernel's rules and routes match the policy: apply, verify, and roll back on any failure.",
    discussion: """
      Prints the kernel plan, runs it through 'ip -batch', reads the state back and verifies it (every wanted rule \
      and route present, nothing stale left, 'ip route get' from each uplink address leaving through its uplink). \
      On a rejected line, a failed verification, SIGINT, SIGTERM or SIGHUP, or no confirmation in time, it restores \
      the rules and tables it touched. Needs root. The lock and the confirmation handshake live in /run/polroute \
      (POLROUTE_RUN_DIR overrides).
      """,
    options: [
      CommonOptions.policy,
      OptionSpec(
        "confirm", value: "seconds",
        help: "After a verified apply, roll back unless 'yes' is typed or 'polroute confirm' runs within this time."),
      OptionSpec(
        "persist", help: "Also write the configuration files for this host's distribution (atomically, with backups)."),
      OptionSpec(
        "format", value: "format", repeatable: true,
        help: "With --persist: the formats to write instead of the detected ones."),
      CommonOptions.root,
      OptionSpec("wait", value: "seconds", help: "How long to wait for another apply to finish (default: 60)."),
      OptionSpec("dry-run", help: "Show what would change and change nothing (the same as 'polroute plan')."),
      CommonOptions.state, CommonOptions.json,
    ])

  /// Applies.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    if arguments.has("dry-run") {
      var planArguments = ParsedArguments()
      for name in ["state", "policy", "root", "format"] {
        if let values = arguments.values[name] { planArguments.values[name] = values }
      }
      if arguments.has("json") { planArguments.flags.insert("json") }
      if arguments.has("persist") && planArguments.values["format"] == nil {
        planArguments.values["format"] = try persistFormats(
          arguments, state: HostSource.load(arguments, context: context)
        ).map(\.rawValue)
      }
      return try PlanCommand.run(planArguments, context: context)
    }
    if arguments.value("state") != nil {
      throw UsageError(
        "'--state' plans for a snapshot and cannot be applied; use it with --dry-run or 'polroute plan'",
        command: spec.name)
    }
    let confirmSeconds = try arguments.value("confirm").map { try positiveNumber($0, option: "confirm") }
    let wait = try arguments.value("wait").map { try positiveNumber($0, option: "wait", allowZero: true) } ?? 60
    guard context.isRoot else {
      throw ApplyRefusal(
        "polroute apply changes the kernel's routing and must run as root; 'polroute plan' shows the changes without root"
      )
    }
    let start = monotonicMilliseconds()
    let runDirectory = context.environment["POLROUTE_RUN_DIR"] ?? "/run/polroute"
    try RunDirectory.prepare(runDirectory)
    let lock = try ApplyLock(path: runDirectory + "/lock", wait: wait) { message in context.stderr.write(message + "\n")
    }
    defer { withExtendedLifetime(lock) {} }

    let (state, policy) = try PolicySource.resolve(arguments, context: context)
    PolicySource.printDiagnostics(policy, context: context)
    // Everything that could refuse the files is checked before the kernel is touched.
    var fileChanges: [FileChange] = []
    let root = RootedFileSystem(root: arguments.value("root") ?? "/")
    let persister = Persister(files: root)
    if arguments.has("persist") {
      fileChanges = try persistChanges(arguments, state: state, policy: policy, root: root, context: context)
      try persister.check(fileChanges)
    }
    let plan = KernelPlan.make(state: state, policy: policy)
    let json = arguments.has("json")
    if !json {
      if plan.isEmpty {
        context.stdout.write(
          "Kernel: nothing to change; the rules and routes polroute owns match the policy (0 commands run).\n")
      } else {
        let counts = plan.summary
        context.stdout.write(
          "Kernel: \(counts.add) to add, \(counts.replace) to replace, \(counts.delete) to delete.\n\n")
        let diff = KernelText.diff(
          current: KernelText.current(state, policy: policy), planned: KernelText.planned(policy, state: state))
        context.stdout.write(
          PlanReport(
            host: nil, origin: "", kernel: plan, kernelDiff: diff, files: [], renderDiagnostics: [],
            policyDiagnostics: [], root: "/"
          ).colorDiff(diff, style: context.style) + "\n")
      }
    }
    let transactor = Transactor(
      runner: context.runner, reader: StateReader(runner: context.runner, files: context.hostFiles),
      log: { message in context.stderr.write(message + "\n") })
    let confirmation: (any ConfirmationSource)? = isatty(0) == 1 ? TerminalConfirmation() : nil
    let outcome: ApplyOutcome
    do {
      outcome = try transactor.apply(
        snapshot: state, policy: policy, plan: plan,
        options: ApplyOptions(confirmSeconds: confirmSeconds, lockWait: wait, runDirectory: runDirectory),
        confirmation: confirmation
      ) {
        let pending = fileChanges.filter { $0.action != .unchanged }
        if !pending.isEmpty { _ = try persister.write(pending, stamp: Persister.timestamp()) }
        return fileChanges
      }
    } catch let failure as ApplyFailure {
      if json {
        context.stdout.write(try ApplyReport.failureJSON(failure, milliseconds: monotonicMilliseconds() - start))
      }
      context.stderr.write(context.style.red("error: ") + failure.description + "\n")
      return .failure
    }
    let report = ApplyReport(outcome: outcome, milliseconds: monotonicMilliseconds() - start)
    context.stdout.write(json ? try report.json() : report.text(style: context.style))
    return .success
  }

  /// The most seconds `--confirm` and `--wait` take: a day, far below where milliseconds overflow.
  static let maximumSeconds = 86_400

  /// A whole number of seconds for an option, at most `maximumSeconds`.
  static func positiveNumber(_ text: String, option: String, allowZero: Bool = false) throws -> Int {
    // Beyond the maximum, the millisecond arithmetic of the lock wait and the confirmation deadline would trap,
    // and a trap in the confirmation wait leaves the kernel changed without a rollback.
    guard let value = Int(text), value > 0 || (allowZero && value == 0), value <= maximumSeconds else {
      throw UsageError(
        "'--\(option)' needs a number of seconds from \(allowZero ? 0 : 1) to \(maximumSeconds), not '\(text)'",
        command: spec.name)
    }
    return value
  }

  /// The formats --persist writes: --format, else the host's.
  static func persistFormats(_ arguments: ParsedArguments, state: HostState) throws -> [RenderFormat] {
    let formats = try FileTargets.formats(arguments, command: spec.name, default: [])
    if !formats.isEmpty { return formats }
    return try PersistFormats.detect(state.system).get()
  }

  /// The file changes --persist makes, with the rt_tables fallback for iproute2 older than 4.4.
  static func persistChanges(
    _ arguments: ParsedArguments, state: HostState, policy: Policy, root: RootedFileSystem, context: CLIContext
  ) throws -> [FileChange] {
    var formats = try persistFormats(arguments, state: state)
    let version = (try? context.runner.check(Command(["ip", "-V"])).outputText) ?? ""
    let legacyTables = formats.contains(.rtTables) && !PersistFormats.readsTablesDirectory(ipVersion: version)
    if legacyTables { formats.removeAll { $0 == .rtTables } }
    let rendered = try FileTargets.render(formats, policy: policy, state: state)
    let placement = try FileTargets.debianPlacement(formats, policy: policy, root: root)
    for diagnostic in rendered.diagnostics + placement {
      context.stderr.write(context.style.yellow(diagnostic.description) + "\n")
    }
    var changes = try FileTargets.changes(rendered.files, formats: formats, root: root)
    if legacyTables {
      // This iproute2 does not read rt_tables.d: polroute keeps its entries in a marked block of rt_tables.
      let path = "/etc/iproute2/rt_tables"
      let old = try root.readText(path)
      let merged = PersistFormats.mergeTablesBlock(existing: old ?? "", policy: policy)
      if old != merged {
        changes.append(
          FileChange(
            path: path, action: old == nil ? .create : .update, old: old,
            new: RenderedFile(path: path, contents: merged)))
      }
    }
    return changes
  }
}

/// Refusal to apply, with the reason.
struct ApplyRefusal: Error, CustomStringConvertible {
  /// The message.
  let description: String

  /// Wraps a message.
  init(_ description: String) {
    self.description = description
  }
}

/// What apply prints when it is done.
struct ApplyReport {
  /// What happened.
  var outcome: ApplyOutcome
  /// How long it took.
  var milliseconds: Int64

  /// The human summary.
  func text(style: Style) -> String {
    var text = ""
    if outcome.changes.isEmpty {
      text += "Nothing changed in the kernel.\n"
    } else {
      let plan = KernelPlan(changes: outcome.changes)
      text +=
        style.green("Applied")
        + ": \(plan.summary.add) added, \(plan.summary.replace) replaced, \(plan.summary.delete) deleted "
      text +=
        "with \(outcome.processes) ip process\(outcome.processes == 1 ? "" : "es") in \(milliseconds) ms; verified.\n"
      for probe in outcome.probes { text += "  reply \(probe.description)\n" }
      if outcome.confirmed == true { text += "Confirmed.\n" }
    }
    let written = outcome.files.filter { $0.action != .unchanged }
    for change in written { text += "\(change.action.rawValue) \(change.path)\n" }
    if !outcome.files.isEmpty && written.isEmpty { text += "Files already up to date.\n" }
    return text
  }

  /// The machine-readable summary (Ansible's changed_when reads "changed").
  func json() throws -> String {
    /// A verification probe.
    struct Probe: Encodable {
      /// The uplink address replies come from.
      var source: String
      /// The destination probed.
      var destination: String
      /// The device `ip route get` chose.
      var device: String?
      /// The gateway it chose.
      var gateway: String?
      /// Whether that is where the policy sends them.
      var passed: Bool
    }
    /// A file written (or already up to date).
    struct File: Encodable {
      /// The path.
      var path: String
      /// create, update, delete or unchanged.
      var action: String
    }
    /// The whole document.
    struct Document: Encodable {
      /// Whether the kernel or a file changed.
      var changed: Bool
      /// How many `ip` processes changed the kernel.
      var commandsRun: Int
      /// The kernel changes made.
      var changes: [JSONOutput.Change]
      /// Whether the result was verified (always, for a successful apply).
      var verified: Bool
      /// The probes.
      var probes: [Probe]
      /// The files.
      var files: [File]
      /// Whether a confirmation was given, when one was asked for.
      var confirmed: Bool?
      /// How long the apply took.
      var durationMilliseconds: Int64
    }
    let document = Document(
      changed: !outcome.changes.isEmpty || outcome.files.contains { $0.action != .unchanged },
      commandsRun: outcome.processes,
      changes: zip(outcome.changes, outcome.batchLines).map { JSONOutput.Change($0, line: $1) }, verified: true,
      probes: outcome.probes.map {
        Probe(
          source: $0.probe.source.description, destination: $0.probe.destination.description, device: $0.device,
          gateway: $0.gateway?.description, passed: $0.passed)
      },
      files: outcome.files.map { File(path: $0.path, action: $0.action.rawValue) }, confirmed: outcome.confirmed,
      durationMilliseconds: milliseconds)
    return try JSONOutput.encode(document)
  }

  /// The JSON of a failed apply.
  static func failureJSON(_ failure: ApplyFailure, milliseconds: Int64) throws -> String {
    /// The whole document.
    struct Document: Encodable {
      /// Whether the host was left changed (only when the restore failed).
      var changed: Bool
      /// The error that stopped the apply.
      var error: String
      /// Whether the host was restored.
      var restored: Bool
      /// Why the restore failed, if it did.
      var restoreProblem: String?
      /// The commands left to run by hand.
      var remaining: [String]
      /// How long it took.
      var durationMilliseconds: Int64
    }
    return try JSONOutput.encode(
      Document(
        changed: !failure.restored, error: failure.cause, restored: failure.restored,
        restoreProblem: failure.restoreProblem,
        remaining: failure.remaining, durationMilliseconds: milliseconds))
  }
}
