import PolrouteCore
import PolrouteSystem

/// `polroute apply`: make the kernel match the policy, safely.
enum ApplyCommand: Subcommand {
  /// `--confirm`.
  static let confirm = OptionSpec(
    "confirm", value: "seconds",
    help: "After a verified apply, roll back unless 'yes' is typed or 'polroute confirm' runs within this time.")
  /// `--persist`.
  static let persist = OptionSpec(
    "persist",
    help:
      "Also write, for each interface, the files its network manager reads, or polroute's boot unit where it writes for none (atomically, with backups)."
  )
  /// `--format`.
  static let format = OptionSpec(
    "format", value: "format", repeatable: true,
    help: "The formats to write instead of the detected ones (implies --persist).")
  /// `--wait`.
  static let wait = OptionSpec(
    "wait", value: "seconds", help: "How long to wait for another apply to finish (default: 60).")
  /// `--dry-run`.
  static let dryRun = OptionSpec(
    "dry-run", help: "Show what would change, as 'polroute plan' shows it, and change nothing.")
  /// `--keep`.
  static let keep = OptionSpec(
    "keep", value: "flow", repeatable: true,
    help: "Refuse a plan that would change where this connection's replies go: 'PEER [from LOCAL] [ipproto P] ...'.")
  /// `--interface`.
  static let interface = OptionSpec(
    "interface", value: "interface", repeatable: true,
    help:
      "Converge only this uplink: its table, its rules, and the rules its addresses and networks feed; what polroute had for it goes when it is no longer an uplink."
  )
  /// `--force`.
  static let force = OptionSpec(
    "force", help: "Apply even when the plan would cut the SSH session or a --keep connection.")

  /// The command's description.
  static let spec = CommandSpec(
    name: "apply",
    abstract: "Make the kernel's rules and routes match the policy: apply, verify, and roll back on any failure.",
    discussion: """
      Prints the kernel plan, runs it through 'ip -batch', reads the state back and verifies it (every wanted rule \
      and route present, nothing stale left, 'ip route get' from each uplink address leaving through its uplink). \
      On a rejected line, a failed verification, SIGINT, SIGTERM or SIGHUP, or no confirmation in time, it restores \
      the rules and tables it touched. Needs root. The lock and the confirmation handshake live in /run/polroute \
      (POLROUTE_RUN_DIR overrides). With --dry-run it prints the plan of exactly this apply (the kernel and, with \
      --persist, the files) and changes nothing. Before changing anything it traces the replies of the SSH session \
      it runs in (SSH_CONNECTION) and of every --keep connection on the host as the plan would leave it, and \
      refuses, naming the rule or route, if they would leave another way or not at all (--force overrides). With \
      --persist and no --root, NetworkManager's profiles are changed by running the nm format's nmcli script. \
      With --interface (the network managers' hooks use it on a new lease or a link going up or down) only that \
      uplink's part is changed, verified and probed, under the same lock and rollback; the other uplinks are left \
      as they are. With --confirm, the snapshot is recorded in the run directory before the kernel changes and a \
      watchdog restores it if this apply dies unconfirmed (see 'polroute rollback').
      """,
    options: [
      CommonOptions.policy, confirm, persist, format, CommonOptions.root, wait, dryRun, interface, keep, force,
      CommonOptions.state, CommonOptions.json,
    ])

  /// The most seconds `--confirm` and `--wait` take: a day, far below where milliseconds overflow.
  static let maximumSeconds = 86_400

  /// The options, typed.
  struct Options {
    /// The host and the policy.
    var inputs: Inputs
    /// Seconds to wait for a confirmation, if one is asked for.
    var confirmSeconds: Int?
    /// Whether to write the configuration files.
    var persist: Bool
    /// The formats `--format` names (empty: detect them).
    var formats: [RenderFormat]
    /// The root of the files, if given.
    var root: String?
    /// Seconds to wait for another apply's lock.
    var waitSeconds: Int
    /// Whether to change nothing.
    var dryRun: Bool
    /// Whether to print JSON.
    var json: Bool
    /// The `--keep` connections: their words and their replies' flow.
    var keeps: [(text: String, flow: Flow)]
    /// Whether to apply even when a connection would be cut.
    var force: Bool
    /// The interfaces `--interface` converges; nil for the whole policy.
    var scope: InterfaceScope?

    /// Reads and checks the parsed arguments; the same checks hold for a dry run.
    init(_ arguments: ParsedArguments) throws(UsageError) {
      inputs = Inputs(arguments)
      confirmSeconds = try arguments.value(ApplyCommand.confirm).map { text throws(UsageError) in
        try ApplyCommand.seconds(text, option: ApplyCommand.confirm)
      }
      waitSeconds =
        try arguments.value(ApplyCommand.wait).map { text throws(UsageError) in
          try ApplyCommand.seconds(text, option: ApplyCommand.wait, allowZero: true)
        } ?? 60
      formats = try FileTargets.formats(arguments.all(ApplyCommand.format), command: spec.name, defaults: [])
      // Naming formats asks for their files: `apply --dry-run --format F` then shows what `plan --format F` does.
      persist = arguments.has(ApplyCommand.persist) || !formats.isEmpty
      root = arguments.value(CommonOptions.root)
      dryRun = arguments.has(ApplyCommand.dryRun)
      json = arguments.has(CommonOptions.json)
      force = arguments.has(ApplyCommand.force)
      keeps = try arguments.all(ApplyCommand.keep).map { text throws(UsageError) in
        do throws(FlowSpec.Problem) {
          let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
          return (text, try FlowSpec(words: words).flow())
        } catch {
          throw UsageError("'--keep': \(error.message) in '\(MessageText.quoted(text))'", command: spec.name)
        }
      }
      let names = arguments.all(ApplyCommand.interface)
      for name in names where !InterfaceName.isValid(name) {
        throw UsageError(
          "'--interface': '\(MessageText.quoted(name))' is not an interface name (1 to 15 characters, no '/', ':' or"
            + " white space)",
          command: spec.name)
      }
      scope = names.isEmpty ? nil : InterfaceScope(Set(names))
      if scope != nil && persist {
        // A file holds every interface's lines: writing it from one uplink's view would drop or freeze the others.
        throw UsageError(
          "'--interface' converges the kernel only; persist the whole policy with 'polroute apply --persist'",
          command: spec.name)
      }
      if inputs.isSnapshot && !dryRun {
        throw UsageError(
          "'--state' plans for a snapshot and cannot be applied; use it with --dry-run or 'polroute plan'",
          command: spec.name)
      }
    }
  }

  /// A whole number of seconds, written as digits only, within 0 (when allowed) or 1 to `maximumSeconds`.
  static func seconds(_ text: String, option: OptionSpec, allowZero: Bool = false, command: String = spec.name)
    throws(UsageError) -> Int
  {
    // Beyond the maximum, the millisecond arithmetic of the lock wait and the confirmation deadline would trap,
    // and a trap in the confirmation wait leaves the kernel changed without a rollback. `+5` and ` 5` are refused:
    // Int() would take the first, and a number should look like one.
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text),
      value > 0 || (allowZero && value == 0), value <= maximumSeconds
    else {
      throw UsageError(
        "'--\(option.name)' needs a number of seconds from \(allowZero ? 0 : 1) to \(maximumSeconds), not "
          + "'\(MessageText.quoted(text))'",
        command: command)
    }
    return value
  }

  /// What an apply would do, prepared once for the dry run and the real apply alike.
  struct Preparation {
    /// The host before the change.
    var state: HostState
    /// The policy.
    var policy: Policy
    /// The files written under, and their root.
    var files: (files: any FileSystem, label: String?)
    /// The kernel plan, the file plan, and the text of both.
    var report: PlanReport

    /// The probes started before the plan, when a transactor was given.
    var early: Transactor.EarlyProbes?

    /// Reads the host, resolves the policy, and plans the kernel, (with --persist) the files and (for a dry run)
    /// the flow table. With a `transactor`, its probes of the host as it is start before the plan is made.
    init(_ options: Options, context: CLIContext, transactor: Transactor? = nil) throws {
      (state, policy) = try options.inputs.resolve(context)
      early = transactor?.startProbes(snapshot: state, policy: policy, scope: options.scope)
      files = try FileTargets.files(root: options.root, inputs: options.inputs, context: context)
      var formats = options.formats
      var selection: PersistSelection?
      if options.persist && formats.isEmpty {
        // Per interface, what its manager reads (the boot unit where polroute writes for no manager).
        selection = try PersistFormats.detect(policy: policy, state: state).get()
        formats = selection?.formats ?? []
      }
      report = try PlanReport.make(
        state: state, policy: policy, formats: formats, files: files.files, root: files.label,
        inputs: options.inputs, context: context, selection: selection, flows: options.dryRun,
        diff: options.dryRun || !options.json, scope: options.scope)
      for (name, reason) in options.scope?.departures(state: state, policy: policy) ?? [] {
        report.policyDiagnostics.append(
          Diagnostic(.note, "\(name): \(reason): the rules and table polroute had for it are removed"))
      }
    }

    /// Why this apply must not run: a connection it would cut (unless --force); nil when it may.
    func sessionRefusal(_ options: Options, context: CLIContext) -> String? {
      guard !options.force else { return nil }
      let connections = SessionKeeper.connections(keeps: options.keeps, context: context)
      return SessionKeeper.refusal(connections, state: state, plan: report.kernel, names: report.names)
    }
  }

  /// Applies, or with --dry-run prints what applying would do.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let options = try Options(arguments)
    if options.dryRun {
      let prepared = try Preparation(options, context: context)
      let status = try PlanCommand.print(
        prepared.report, json: options.json, detailedExitCode: false, context: context)
      if let refusal = prepared.sessionRefusal(options, context: context) {
        context.diagnostics.error(refusal)
        return .failure
      }
      return status
    }
    guard context.isRoot else {
      throw ApplyRefusal(
        "polroute apply changes the kernel's routing and must run as root; 'polroute plan' shows the changes without root"
      )
    }
    let start = monotonicMilliseconds()
    let progress = ProgressLine(sink: context.stderr, start: start)
    defer { progress.finish() }
    try RunDirectory.prepare(context.runDirectory)
    let lock = try ApplyLock(path: RunDirectory.lockPath(context.runDirectory), wait: options.waitSeconds) { message in
      progress.stage(.waitingForLock)
      progress.clearing { context.diagnostics.note(message) }
    }
    defer { withExtendedLifetime(lock) {} }
    // An apply --confirm that died unconfirmed left its record: the host goes back as it was before that change
    // first, so this apply plans from the state the promise of --confirm said the host would have.
    try PendingChangeStore(directory: context.runDirectory).recoverStale(
      runner: context.runner, reader: context.reader
    ) { message in progress.clearing { context.diagnostics.note(message) } }
    progress.stage(.planning)

    let transactor = Transactor(
      runner: context.runner, reader: context.reader,
      log: { message in progress.clearing { context.diagnostics.note(message) } }, progress: progress.stage)
    let prepared = try Preparation(options, context: context, transactor: transactor)
    // Whatever stops this apply, no lookup of the early probes is left running; their answers are wanted only by the
    // transactor, which has had them by then.
    defer {
      prepared.early?.cancel()
      _ = try? prepared.early?.results.value()
    }
    let report = prepared.report
    progress.clearing { context.diagnostics.print(report.diagnostics) }
    // Everything that could refuse the files is checked before the kernel is touched; the refusals were printed.
    if report.isRefused { return .failure }
    let persister = Persister(files: prepared.files.files)
    let fileChanges = report.files?.changes ?? []
    // A link or a special file where a file or its backup goes stops the apply here, not after the kernel changed.
    try persister.checkWritable(fileChanges)
    // Never cut the session polroute runs over: its replies are traced on the host as the plan would leave it.
    if let refusal = prepared.sessionRefusal(options, context: context) {
      context.diagnostics.error(refusal)
      return .failure
    }
    if !options.json {
      progress.clearing {
        context.stdout.write(
          report.kernel.isEmpty
            ? "Kernel: nothing to change; the rules and routes polroute owns match the policy (0 commands run).\n"
            : PlanReport.kernelSummary(report.kernel, style: context.style, diff: report.kernelDiff) + "\n")
        if !report.settings.isEmpty {
          context.stdout.write(PlanReport.settingsText(report.settings, changes: report.settingChanges) + "\n")
        }
      }
    }
    let settings = KernelSettingsWriter(runner: context.runner)
    let outcome: ApplyOutcome
    do {
      outcome = try transactor.apply(
        snapshot: prepared.state, policy: prepared.policy, plan: report.kernel,
        options: ApplyOptions(
          confirmSeconds: options.confirmSeconds, runDirectory: context.runDirectory, scope: options.scope,
          changeGuard: context.changeGuard(options.confirmSeconds)),
        confirmation: context.confirmation, early: prepared.early
      ) {
        // The settings once the routes are verified; put back if what follows fails, as the routes are.
        try settings.write(report.settingChanges)
        var committed = false
        defer { if !committed { settings.restore(report.settingChanges) } }
        let pending = fileChanges.filter { $0.action != .unchanged }
        if !pending.isEmpty { _ = try persister.write(pending, stamp: Persister.timestamp()) }
        // NetworkManager takes profile changes only through nmcli: on this host, its script is run.
        if prepared.files.label == "/",
          fileChanges.contains(where: { $0.path == NetworkManagerRenderer.scriptPath && $0.new != nil })
        {
          _ = try context.runner.check(Command(["sh", NetworkManagerRenderer.scriptPath]))
        }
        committed = true
        return fileChanges
      }
    } catch let failure as ApplyFailure {
      progress.finish()
      if options.json {
        context.stdout.write(try ApplyReport.failureJSON(failure, milliseconds: monotonicMilliseconds() - start))
      }
      context.diagnostics.error(failure.description)
      return .failure
    }
    progress.finish()
    let applied = ApplyReport(outcome: outcome, milliseconds: monotonicMilliseconds() - start)
    context.stdout.write(options.json ? try applied.json() : applied.text(style: context.style))
    return .success
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
