import Glibc
import PolrouteCore

/// The process that keeps the promise of `apply --confirm` when the apply cannot: started by the apply before it
/// changes the kernel, in a session of its own (so the SIGHUP of a dropped SSH session or a closed terminal does
/// not reach it), it watches the pending-change record. When the record goes (confirmed, or rolled back by the apply
/// itself) it exits; when the apply dies without either (SIGKILL, the OOM killer, a crash) it takes the apply lock and
/// restores the snapshot; an apply still alive long after its deadline (stopped, or hung) is killed first.
public struct Watchdog: Sendable {
  /// How long after the deadline an apply that is still alive gets to finish its own rollback.
  public static let graceMilliseconds: Int64 = 60_000
  /// How often the record and the apply are looked at.
  public static let pollMilliseconds: Int32 = 100

  /// The run directory.
  public let directory: String
  /// Runs `ip` for the restore.
  public let runner: any CommandRunner
  /// Reads the host for the restore.
  public let reader: StateReader

  /// A watchdog over the record in `directory`.
  public init(directory: String, runner: any CommandRunner, reader: StateReader) {
    self.directory = directory
    self.runner = runner
    self.reader = reader
  }

  /// What the watch ended with.
  public enum Outcome: Equatable, Sendable {
    /// The record went: its apply confirmed or rolled back the change (or another process restored it).
    case finished
    /// The watchdog restored the snapshot (the message says why).
    case restored(String)
    /// The restore failed: the message and what is left to do.
    case failed(String)
  }

  /// Watches until the record of the change armed now goes or its apply dies; the record of a later apply (another
  /// token) is not this watch's.
  public func watch() throws -> Outcome {
    let store = PendingChangeStore(directory: directory)
    guard let armed = try store.record() else { return .finished }
    // Read while the apply lives: the `ip` it runs are in its process group.
    let applying = PendingChangeStore.process(armed.pid)
    while true {
      guard let record = try store.record(), record.token == armed.token else { return .finished }
      let process = PendingChangeStore.process(record.pid)
      if case .restore(let reason) = record.decision(bootID: record.bootID, process: process) {
        if let applying, record.pid == armed.pid { Self.waitForOrphans(of: applying) }
        return try restoreUnderLock(token: armed.token, cause: reason)
      }
      if let deadline = record.deadline, monotonicMilliseconds() > deadline + Self.graceMilliseconds {
        // Still alive a minute after its deadline: stopped (SIGSTOP) or hung, it will not roll back itself. SIGKILL
        // also ends a stopped process; the next look finds it dead and restores.
        kill(record.pid, SIGKILL)
      }
      var none = pollfd()
      _ = poll(&none, 0, Self.pollMilliseconds)
    }
  }

  /// The longest it waits for the `ip` processes of a dead apply to finish.
  static let orphanMilliseconds: Int64 = 30_000

  /// Waits (up to `orphanMilliseconds`) until no `ip` the dead apply started runs: killed mid-batch, the apply leaves
  /// its `ip -batch` to carry out the lines already in its pipe, and a restore read before that one finished would be
  /// undone by it (a SIGKILL round of the signal tests failed so under load). Its orphans are the `ip` processes of
  /// its process group, started after it, that init adopted (`ip` run by others in that group have their parents).
  static func waitForOrphans(of apply: ProcessStat) {
    let start = monotonicMilliseconds()
    while monotonicMilliseconds() - start < orphanMilliseconds {
      let running = RootedFileSystem().list("/proc").contains { name in
        guard let pid = Int32(name), pid != getpid(), let stat = PendingChangeStore.process(pid) else { return false }
        return stat.command == "ip" && stat.parent == 1 && stat.processGroup == apply.processGroup
          && stat.startTime >= apply.startTime && !stat.isDead
      }
      guard running else { return }
      var none = pollfd()
      _ = poll(&none, 0, 20)
    }
  }

  /// Takes the apply lock (another apply that took it first restores the record itself), reads the record again,
  /// and restores it if it is still the watched one.
  func restoreUnderLock(token: String, cause: String) throws -> Outcome {
    let lock = try ApplyLock(
      path: RunDirectory.lockPath(directory), wait: 86_400, waiting: { _ in })
    defer { withExtendedLifetime(lock) {} }
    let store = PendingChangeStore(directory: directory)
    guard let record = try store.record(), record.token == token else { return .finished }
    let result = try store.restore(record, runner: runner, reader: reader, cause: cause)
    return result.restored ? .restored(cause) : .failed(result.description)
  }

  /// The watchdog's log in a run directory.
  public static func logPath(_ directory: String) -> String { directory + "/watchdog.log" }

  /// Starts `EXECUTABLE rollback --watch` in a new session, with the run directory in its environment, standard
  /// input and output on /dev/null and standard error appended to the log (a pipe it held open would keep whoever
  /// reads the apply's output waiting), and the default signal dispositions; it is not waited for.
  public static func start(executable: String, directory: String) throws {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    // What it did, or why it could not, is appended to RUN/watchdog.log (no link followed; the run directory is
    // root's, 0700), where 'polroute rollback' and the user find it: no terminal is left to tell.
    posix_spawn_file_actions_addopen(
      &actions, 2, logPath(directory), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    // POSIX_SPAWN_SETSID (glibc 2.26): a session of its own, with no controlling terminal to hang up.
    let setsid: Int32 = 0x80
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | setsid))
    var environment = ProcessFacts.environment()
    environment["POLROUTE_RUN_DIR"] = directory
    let arguments = ["polroute", "rollback", "--watch"]
    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard status == 0 else {
      throw PendingChangeError(
        "cannot start the watchdog of --confirm (\(executable) rollback --watch): \(ProcessRunner.errorText(status))")
    }
  }
}
