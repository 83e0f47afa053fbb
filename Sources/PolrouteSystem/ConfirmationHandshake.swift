import Glibc
import PolrouteCore

/// The files by which `polroute confirm` in another shell confirms a waiting apply: the apply writes
/// `DIR/pending` with its pid; `polroute confirm` creates `DIR/confirmed.PID`.
public struct ConfirmationHandshake: Sendable {
  /// The run directory.
  public let directory: String

  /// Uses `directory`.
  public init(directory: String) {
    self.directory = directory
  }

  /// The pending file.
  var pendingPath: String { directory + "/pending" }

  /// The confirmation file for a pid.
  func confirmedPath(_ pid: Int32) -> String { directory + "/confirmed.\(pid)" }

  /// Says an apply is waiting.
  func announce() throws {
    mkdir(directory, 0o700)
    unlink(confirmedPath(getpid()))
    try RootedFileSystem().write(pendingPath, contents: Array("\(getpid())\n".utf8), mode: 0o600)
  }

  /// Whether the confirmation came.
  func isConfirmed() -> Bool { access(confirmedPath(getpid()), F_OK) == 0 }

  /// Removes the handshake files.
  func finish() {
    unlink(confirmedPath(getpid()))
    if let text = try? RootedFileSystem().readText(pendingPath),
      Int32(text.split(separator: "\n").first ?? "") == getpid()
    {
      unlink(pendingPath)
    }
  }

  /// Confirms the waiting apply (for `polroute confirm`); returns its pid. The pending-change record names the apply
  /// by pid and start time: a pid that is now another process, or an apply that died, is refused (its change is
  /// being rolled back), as is one that is not polroute or does not wait for a confirmation yet.
  public func confirm() throws -> Int32 {
    let store = PendingChangeStore(directory: directory)
    guard let record = try store.record() else {
      throw FileSystemError.failed(
        operation: "confirm", path: pendingPath, reason: "no polroute apply is waiting for confirmation")
    }
    let refused = "cannot confirm the change recorded in \(store.recordPath): "
    switch record.decision(bootID: try PendingChangeStore.bootID(), process: PendingChangeStore.process(record.pid)) {
    case .discard(let reason):
      throw PendingChangeError(refused + reason)
    case .restore(let reason):
      throw PendingChangeError(
        refused + reason + "; it is rolled back by its watchdog, or now by 'polroute rollback'")
    case .live:
      break
    }
    guard case .polroute = ApplyLock.describe(record.pid) else {
      throw PendingChangeError(refused + "pid \(record.pid) is \(ApplyLock.describe(record.pid)), not polroute")
    }
    let waiting = ((try? RootedFileSystem().readText(pendingPath)) ?? nil).flatMap {
      Int32($0.split(separator: "\n").first ?? "")
    }
    guard record.deadline != nil, waiting == record.pid else {
      throw PendingChangeError(
        refused + "polroute apply (pid \(record.pid)) is still changing the kernel; run 'polroute confirm' once it "
          + "asks for a confirmation")
    }
    try RootedFileSystem().write(confirmedPath(record.pid), contents: [], mode: 0o600)
    return record.pid
  }
}
