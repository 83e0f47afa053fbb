import Glibc
import PolrouteCore
import PolrouteSystem

/// `polroute rollback`: undo the unconfirmed change of an `apply --confirm` now, whether its apply still waits or
/// died; with `--watch`, the watchdog that apply starts.
enum RollbackCommand: Subcommand {
  /// `--watch`.
  static let watch = OptionSpec(
    "watch",
    help:
      "Wait in the background until the recorded change is confirmed or rolled back, and restore it if its apply dies first (apply --confirm starts this itself)."
  )
  /// `--wait`.
  static let wait = OptionSpec(
    "wait", value: "seconds",
    help: "How long to wait for the apply lock and for a waiting apply to roll back (default: 60).")

  /// The command's description.
  static let spec = CommandSpec(
    name: "rollback",
    abstract: "Undo now the change a 'polroute apply --confirm' made and no one confirmed, even if that apply died.",
    discussion: """
      An apply with --confirm records, before it changes the kernel, its pid, its start time, the boot it runs in and \
      the host as it was (in the run directory, /run/polroute or POLROUTE_RUN_DIR), and starts a watchdog in a \
      session of its own. If the apply still waits, rollback makes it roll back (SIGTERM) and waits for it; if it \
      died (SIGKILL, the OOM killer, a crash), rollback restores the recorded state under the apply lock. A record \
      from before a reboot is discarded: the reboot took the change away. Needs root.
      """,
    options: [wait, watch])

  /// Rolls back, or watches.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let waitSeconds =
      try arguments.value(wait).map { text throws(UsageError) in
        try ApplyCommand.seconds(text, option: wait, allowZero: true, command: spec.name)
      } ?? 60
    guard context.isRoot else {
      throw ApplyRefusal("polroute rollback changes the kernel's routing and must run as root")
    }
    let directory = context.runDirectory
    let store = PendingChangeStore(directory: directory)
    if arguments.has(watch) {
      // Its standard error is RUN/watchdog.log: each line says when and which watchdog.
      let prefix = "\(Persister.timestamp()) polroute rollback --watch (pid \(getpid())): "
      do {
        switch try Watchdog(directory: directory, runner: context.runner, reader: context.reader).watch() {
        case .finished: return .success
        case .restored(let reason):
          context.diagnostics.note(prefix + "restored the host as it was before an unconfirmed change: \(reason)")
          return .success
        case .failed(let message):
          context.diagnostics.note(prefix + "error: " + message)
          return .failure
        }
      } catch {
        context.diagnostics.note(prefix + "error: \(error)")
        return .failure
      }
    }
    let start = monotonicMilliseconds()
    var signalled = false
    while true {
      guard let record = try store.record() else {
        guard signalled else {
          throw PendingChangeError(
            "nothing to roll back: no unconfirmed change of 'polroute apply --confirm' is recorded in \(directory)")
        }
        context.stdout.write("rolled back: the waiting polroute apply restored the host as it was before its change\n")
        return .success
      }
      switch record.decision(bootID: try PendingChangeStore.bootID(), process: PendingChangeStore.process(record.pid))
      {
      case .discard(let reason):
        try store.remove()
        context.stdout.write("discarded the record of an unconfirmed change: \(reason)\n")
        return .success
      case .restore(let reason):
        let lock = try ApplyLock(path: RunDirectory.lockPath(directory), wait: waitSeconds) { message in
          context.diagnostics.note(message)
        }
        defer { withExtendedLifetime(lock) {} }
        // Read again under the lock: the watchdog or an apply may have restored it meanwhile.
        guard let current = try store.record(), current.token == record.token else { continue }
        let result = try store.restore(current, runner: context.runner, reader: context.reader, cause: reason)
        guard result.restored else {
          context.diagnostics.error(result.description)
          return .failure
        }
        context.stdout.write("rolled back: \(reason); the host is as it was before its change\n")
        return .success
      case .live:
        guard case .polroute = ApplyLock.describe(record.pid) else {
          throw PendingChangeError(
            "\(store.recordPath) names pid \(record.pid), which is \(ApplyLock.describe(record.pid)), not polroute; "
              + "not signalling it")
        }
        if !signalled {
          // The apply rolls back itself on SIGTERM, under the lock it holds, and removes the record.
          context.diagnostics.note("asking polroute apply (pid \(record.pid)) to roll back its change (SIGTERM)")
          kill(record.pid, SIGTERM)
          signalled = true
        }
        guard monotonicMilliseconds() - start < Int64(waitSeconds) * 1000 else {
          throw PendingChangeError(
            "polroute apply (pid \(record.pid)) still holds its change after \(waitSeconds) s (see --wait)")
        }
        usleep(100_000)
      }
    }
  }
}
