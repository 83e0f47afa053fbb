import Glibc
import PolrouteCore

/// Why the apply lock could not be taken.
public enum LockError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Another apply holds it.
  case busy(path: String, holder: String, waited: Int)
  /// The lock file cannot be opened.
  case unavailable(path: String, reason: String)

  /// The message shown to the user.
  public var description: String {
    switch self {
    case .busy(let path, let holder, let waited):
      return "another polroute apply (\(holder)) holds \(path); gave up after \(waited) s (see --wait)"
    case .unavailable(let path, let reason):
      return "cannot open the lock \(path): \(reason)"
    }
  }
}

/// An exclusive `flock` on a file, so that only one apply changes a host at a time; released when the value goes
/// away or the process dies (the kernel drops flocks with the descriptor).
public final class ApplyLock: @unchecked Sendable {
  /// The open descriptor holding the lock.
  let descriptor: Int32

  /// Takes the lock, waiting up to `wait` seconds (polling every 50 ms); `waiting` is called once if it must wait.
  public init(path: String, wait: Int, waiting: (String) -> Void) throws {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw LockError.unavailable(path: path, reason: ProcessRunner.errorText(errno)) }
    var announced = false
    var waitedMilliseconds = 0
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EWOULDBLOCK || errno == EINTR else {
        let reason = ProcessRunner.errorText(errno)
        close(fd)
        throw LockError.unavailable(path: path, reason: reason)
      }
      let holder = ApplyLock.holder(fd)
      if waitedMilliseconds >= wait * 1000 {
        close(fd)
        throw LockError.busy(path: path, holder: holder, waited: wait)
      }
      if !announced {
        waiting("waiting for another polroute apply (\(holder)) to finish")
        announced = true
      }
      usleep(50_000)
      waitedMilliseconds += 50
    }
    // Record who holds it, for the message a second apply prints.
    let text = Array("pid \(getpid())\n".utf8)
    _ = ftruncate(fd, 0)
    _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    descriptor = fd
  }

  deinit {
    close(descriptor)
  }

  /// "pid N", as the holder wrote it.
  static func holder(_ fd: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 64)
    let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    let text = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    let trimmed = text.split(separator: "\n").first.map(String.init) ?? ""
    return trimmed.isEmpty ? "unknown process" : trimmed
  }
}
