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

  /// Confirms the waiting apply (for `polroute confirm`); returns its pid.
  public func confirm() throws -> Int32 {
    guard let text = try RootedFileSystem().readText(pendingPath),
      let pid = Int32(text.split(separator: "\n").first ?? ""),
      kill(pid, 0) == 0 || errno == EPERM
    else {
      throw FileSystemError.failed(
        operation: "confirm", path: pendingPath, reason: "no polroute apply is waiting for confirmation")
    }
    try RootedFileSystem().write(confirmedPath(pid), contents: [], mode: 0o600)
    return pid
  }
}
