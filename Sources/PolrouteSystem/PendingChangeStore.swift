import Glibc
import PolrouteCore

/// Why a pending change could not be armed, read, confirmed or restored.
public struct PendingChangeError: Error, Sendable, CustomStringConvertible {
  /// The message.
  public let description: String
  /// Whether the message is already an error in its own words (`FILE:LINE:COL: error: ...`).
  public let isLocated: Bool

  /// Wraps a message.
  public init(_ description: String, isLocated: Bool = false) {
    self.description = description
    self.isLocated = isLocated
  }
}

/// The pending-change record of an `apply --confirm` and the snapshot it restores, in the run directory:
/// `DIR/change` (a `PendingChange`) and `DIR/change.state` (a host snapshot), both 0600, written as every file polroute
/// writes is (a fresh temporary, fsync, rename; no link followed) in the 0700 directory `RunDirectory` checks.
public struct PendingChangeStore: Sendable {
  /// The run directory.
  public let directory: String

  /// Uses `directory`.
  public init(directory: String) {
    self.directory = directory
  }

  /// The record.
  public var recordPath: String { directory + "/change" }
  /// The snapshot to restore.
  public var snapshotPath: String { directory + "/change.state" }

  /// The record, or nil when there is none; a record that is not one is an error naming its line.
  public func record() throws -> PendingChange? {
    guard let bytes = try RootedFileSystem().read(recordPath, limit: PendingChange.sizeLimit + 1) else { return nil }
    do throws(PendingChange.ParseError) {
      return try PendingChange.parse(bytes, file: recordPath)
    } catch {
      throw PendingChangeError(
        "\(error)\nthe host may still hold an unconfirmed change: check it, then remove \(recordPath) and "
          + "\(snapshotPath)", isLocated: true)
    }
  }

  /// Writes the snapshot, then the record (so a record always has its snapshot).
  func write(_ record: PendingChange, snapshot: HostState?) throws {
    _ = try RunDirectory.open(directory, create: true)
    if let snapshot {
      try RootedFileSystem().write(snapshotPath, contents: try Snapshot(state: snapshot).encoded(), mode: 0o600)
    }
    try RootedFileSystem().write(recordPath, contents: Array(record.text.utf8), mode: 0o600)
  }

  /// The snapshot the record restores.
  public func snapshot() throws -> HostState {
    guard let bytes = try RootedFileSystem().read(snapshotPath, limit: 512 << 20) else {
      throw PendingChangeError(
        "\(recordPath) names an unconfirmed change, but its snapshot \(snapshotPath) is missing: check the host, then "
          + "remove \(recordPath)")
    }
    do throws(SnapshotError) {
      return try Snapshot.decode(bytes, file: snapshotPath)
    } catch {
      throw PendingChangeError("\(error)", isLocated: true)
    }
  }

  /// Removes the record first (then nothing acts on it), then its snapshot, the confirmation handshake files and the
  /// temporaries of writes a killed process left. The caller holds the apply lock.
  public func remove() throws {
    let files = RootedFileSystem()
    try files.remove(recordPath)
    try files.remove(snapshotPath)
    try? files.remove(directory + "/pending")
    // A process killed while it wrote one of these files leaves its temporary (`.change.polroute-RANDOM`): only the
    // holder of the apply lock removes the record, and it writes no other file here meanwhile.
    for name in files.list(directory)
    where name.hasPrefix("confirmed.") || (name.hasPrefix(".") && name.contains(".polroute-")) {
      try? files.remove(directory + "/" + name)
    }
  }

  /// What the record's pid is now: its `/proc/PID/stat`, or nil when there is no such process.
  public static func process(_ pid: Int32) -> ProcessStat? {
    guard let text = (try? RootedFileSystem().readText("/proc/\(pid)/stat")) ?? nil else { return nil }
    return ProcessStat.parse(text)
  }

  /// This boot's id.
  public static func bootID() throws -> String {
    guard let text = try RootedFileSystem().readText("/proc/sys/kernel/random/boot_id") else {
      throw PendingChangeError("cannot read /proc/sys/kernel/random/boot_id: it is missing")
    }
    return text.trimmingASCIIWhitespace()
  }

  /// The record for this process, with a new token, before it changes the kernel.
  static func recordForThisProcess(tables: Set<UInt32>) throws -> PendingChange {
    guard let me = process(getpid()) else {
      throw PendingChangeError("cannot read /proc/self/stat: polroute needs /proc to arm --confirm")
    }
    let token = String(UInt64.random(in: 1...UInt64.max), radix: 16)
    return PendingChange(
      token: token, pid: getpid(), startTime: me.startTime, bootID: try bootID(), deadline: nil,
      tables: Array(tables))
  }

  /// Restores the record's snapshot (the caller holds the apply lock) and, once the host is back as it was, removes
  /// the record; a restore that fails keeps it, so the next attempt tries again.
  public func restore(_ record: PendingChange, runner: any CommandRunner, reader: StateReader, cause: String) throws
    -> ApplyFailure
  {
    let snapshot = try snapshot()
    let transactor = Transactor(runner: runner, reader: reader, log: { _ in })
    let result = transactor.rollback(
      cause: cause, snapshot: snapshot, ownership: Ownership(tables: Set(record.tables)))
    if result.restored { try remove() }
    return result
  }

  /// What the next apply does with a record it finds under the lock: an apply that died unconfirmed is restored
  /// (the host as it was before it) and one from before a reboot is dropped, each with a note; a restore that fails
  /// stops this apply.
  public func recoverStale(runner: any CommandRunner, reader: StateReader, note: (String) -> Void) throws {
    guard let record = try record() else { return }
    switch record.decision(bootID: try Self.bootID(), process: Self.process(record.pid)) {
    case .live:
      // Its apply runs, yet this one holds the lock: the record was written by hand or the pid was rewritten.
      throw PendingChangeError(
        "\(recordPath) names polroute apply (pid \(record.pid)), which still runs but does not hold the apply lock; "
          + "refusing to apply over its unconfirmed change (run 'polroute rollback', or remove the record)")
    case .discard(let reason):
      try remove()
      note("discarded an unconfirmed change: \(reason)")
    case .restore(let reason):
      note("restoring the host as it was before an unconfirmed change: \(reason)")
      let result = try restore(record, runner: runner, reader: reader, cause: reason)
      guard result.restored else {
        throw PendingChangeError(
          result.description + "\nthe record stays in \(recordPath) until the host is restored")
      }
    }
  }
}

/// What a transaction tells the world about a change that must be rolled back unless confirmed, so the promise
/// outlives its process. The real one writes `PendingChangeStore`'s files and starts a watchdog.
public protocol ChangeGuard: Sendable {
  /// Before the kernel changes: records the snapshot and what the restore owns, and arms the watchdog.
  func arm(snapshot: HostState, tables: Set<UInt32>) throws
  /// The change is verified and waits for a confirmation until `deadline` (monotonic milliseconds).
  func waiting(deadline: Int64) throws
  /// The change was confirmed, or rolled back: the record is no longer needed.
  func disarm() throws
}

/// The real guard: the files in the run directory and a detached `polroute rollback --watch`.
public final class PendingChangeGuard: ChangeGuard, @unchecked Sendable {
  /// The files.
  let store: PendingChangeStore
  /// Starts the watchdog.
  let startWatchdog: () throws -> Void
  /// The record written, once armed.
  var record: PendingChange?

  /// Guards changes recorded in `directory`; `startWatchdog` starts the process that restores them.
  public init(directory: String, startWatchdog: @escaping () throws -> Void) {
    store = PendingChangeStore(directory: directory)
    self.startWatchdog = startWatchdog
  }

  /// Writes the record and starts the watchdog.
  public func arm(snapshot: HostState, tables: Set<UInt32>) throws {
    let record = try PendingChangeStore.recordForThisProcess(tables: tables)
    try store.write(record, snapshot: snapshot)
    self.record = record
    do {
      try startWatchdog()
    } catch {
      try? store.remove()
      self.record = nil
      throw error
    }
  }

  /// Rewrites the record with the deadline.
  public func waiting(deadline: Int64) throws {
    guard var record else { return }
    record.deadline = deadline
    try store.write(record, snapshot: nil)
    self.record = record
  }

  /// Removes the record.
  public func disarm() throws {
    guard record != nil else { return }
    try store.remove()
    record = nil
  }
}
