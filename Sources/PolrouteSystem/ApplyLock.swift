import Glibc
import PolrouteCore

/// Why the apply lock could not be taken.
public enum LockError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Another process holds it.
  case busy(path: String, holder: LockHolder, waited: Int)
  /// The lock file cannot be opened.
  case unavailable(path: String, reason: String)
  /// The run directory or the lock file is one another user could control, so it is not used.
  case unsafe(path: String, what: String, reason: String)

  /// The message shown to the user.
  public var description: String {
    switch self {
    case .busy(let path, .polroute(let pid), let waited):
      return "another polroute apply (pid \(pid)) holds \(path); gave up after \(waited) s (see --wait)"
    case .busy(let path, let holder, let waited):
      return "\(holder) holds \(path) and is not a polroute apply; gave up after \(waited) s (see --wait)"
    case .unavailable(let path, let reason):
      return "cannot open the lock \(path): \(reason)"
    case .unsafe(let path, let what, let reason):
      return "refusing the \(what) \(path): \(reason)"
    }
  }
}

/// Who holds the apply lock, for the messages of an apply that must wait.
public enum LockHolder: Equatable, Sendable, CustomStringConvertible {
  /// A running polroute.
  case polroute(pid: Int32)
  /// A running process that is not polroute (`flock(1)`, or anything that opened the file).
  case process(pid: Int32, command: String, user: String)
  /// No live holder could be found (no /proc, or it exited just now).
  case unknown

  /// `another polroute apply (pid N)`, `process N (flock, user nobody)` or `an unknown process`.
  public var description: String {
    switch self {
    case .polroute(let pid): return "another polroute apply (pid \(pid))"
    case .process(let pid, let command, let user): return "process \(pid) (\(command), user \(user))"
    case .unknown: return "an unknown process"
    }
  }
}

/// An exclusive `flock` on a file, so that only one apply changes a host at a time; released when the value goes
/// away or the process dies (the kernel drops flocks with the descriptor).
///
/// The file is mode 0600 in a directory only root may enter: `flock` works on a descriptor opened read-only, so
/// a lock file others can read is one any user can hold to block every apply.
public final class ApplyLock: @unchecked Sendable {
  /// The open descriptor holding the lock.
  let descriptor: Int32

  /// Takes the lock, waiting up to `wait` seconds (polling every 50 ms); `waiting` is called once if it must wait.
  /// The directory holding `path` is checked as `RunDirectory.open` does, and the lock file must be a regular file
  /// of the effective user (it is created, or narrowed, to mode 0600).
  public init(path: String, wait: Int, waiting: (String) -> Void) throws {
    let slash = path.lastIndex(of: "/")
    let directoryPath = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    let directory = try RunDirectory.open(directoryPath)
    let fd = openat(directory.fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      if errno == ELOOP {
        throw LockError.unsafe(path: path, what: "lock", reason: "it is a symbolic link")
      }
      throw LockError.unavailable(path: path, reason: ProcessRunner.errorText(errno))
    }
    do {
      try ApplyLock.check(fd, path: path)
    } catch {
      close(fd)
      throw error
    }
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
        if case .polroute = holder {
          waiting("waiting for \(holder) to finish")
        } else {
          waiting("waiting for \(holder), which holds \(path) and is not a polroute apply")
        }
        announced = true
      }
      usleep(50_000)
      waitedMilliseconds += 50
    }
    // Record who holds it, for people looking (the holder a waiting apply names comes from /proc/locks).
    let text = Array("pid \(getpid())\n".utf8)
    _ = ftruncate(fd, 0)
    _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    descriptor = fd
  }

  deinit {
    close(descriptor)
  }

  /// Refuses a lock file that is not a regular file of the effective user with one name, and narrows its mode to
  /// 0600 (polroute created it 0644 before).
  static func check(_ fd: Int32, path: String) throws {
    var status = stat()
    guard fstat(fd, &status) == 0 else {
      throw LockError.unavailable(path: path, reason: ProcessRunner.errorText(errno))
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw LockError.unsafe(
        path: path, what: "lock", reason: "it is \(PathWalk.kind(status.st_mode)), not a regular file")
    }
    guard status.st_uid == geteuid() else {
      throw LockError.unsafe(
        path: path, what: "lock",
        reason: "it belongs to \(Users.name(status.st_uid)), not \(Users.name(geteuid()))")
    }
    guard status.st_nlink == 1 else {
      throw LockError.unsafe(path: path, what: "lock", reason: "it has \(status.st_nlink) hard links")
    }
    if status.st_mode & 0o777 != 0o600 && fchmod(fd, 0o600) != 0 {
      throw LockError.unavailable(path: path, reason: ProcessRunner.errorText(errno))
    }
  }

  /// The live process holding the lock on `fd`'s file: found in /proc/locks by the file's device and inode (the pid
  /// written in the file may be of an apply long gone), else the pid written there if that process still runs.
  static func holder(_ fd: Int32) -> LockHolder {
    var status = stat()
    if fstat(fd, &status) == 0, let text = try? RootedFileSystem().readText("/proc/locks"),
      let pid = lockingProcess(in: text, device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    {
      return describe(pid)
    }
    var buffer = [UInt8](repeating: 0, count: 64)
    let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    let written = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    if let line = written.split(separator: "\n").first, line.hasPrefix("pid "), let pid = Int32(line.dropFirst(4)) {
      return describe(pid)
    }
    return .unknown
  }

  /// The pid holding a `flock` on the file with this device and inode, from /proc/locks lines such as
  /// `1: FLOCK  ADVISORY  WRITE 4242 00:1a:1234 0 EOF` (the device's major and minor in hex); lines of processes
  /// waiting (`1: -> FLOCK ...`) are skipped.
  static func lockingProcess(in text: String, device: UInt64, inode: UInt64) -> Int32? {
    // glibc's encoding of dev_t (gnu_dev_major, gnu_dev_minor).
    let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~UInt64(0xFFF))
    let minor = (device & 0xFF) | ((device >> 12) & ~UInt64(0xFF))
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count >= 6, fields[1] == "FLOCK" else { continue }
      let identity = fields[5].split(separator: ":")
      guard identity.count == 3, UInt64(identity[0], radix: 16) == major, UInt64(identity[1], radix: 16) == minor,
        UInt64(identity[2]) == inode, let pid = Int32(fields[4]), pid > 0
      else { continue }
      return pid
    }
    return nil
  }

  /// Whether a pid runs, and whether it is polroute (its command name, or the same executable as this one).
  public static func describe(_ pid: Int32) -> LockHolder {
    guard kill(pid, 0) == 0 || errno == EPERM else { return .unknown }
    let files = RootedFileSystem()
    let command = ((try? files.readText("/proc/\(pid)/comm")) ?? nil)?.trimmingASCIIWhitespace() ?? "?"
    var theirs = stat()
    var ours = stat()
    let sameExecutable =
      stat("/proc/\(pid)/exe", &theirs) == 0 && stat("/proc/self/exe", &ours) == 0 && theirs.st_dev == ours.st_dev
      && theirs.st_ino == ours.st_ino
    if command == "polroute" || sameExecutable { return .polroute(pid: pid) }
    var process = stat()
    let user = stat("/proc/\(pid)", &process) == 0 ? Users.name(process.st_uid) : "?"
    return .process(pid: pid, command: command, user: user)
  }
}

/// User names for messages, read from /etc/passwd: the static executable makes no name-service lookups.
enum Users {
  /// `root`, the name /etc/passwd gives a uid, or `uid N`.
  static func name(_ uid: uid_t) -> String {
    if uid == 0 { return "root" }
    if let text = try? RootedFileSystem().readText("/etc/passwd") {
      for line in text.split(separator: "\n") {
        let fields = line.split(separator: ":", omittingEmptySubsequences: false)
        if fields.count > 2, UInt32(fields[2]) == uid { return "\(fields[0]) (uid \(uid))" }
      }
    }
    return "uid \(uid)"
  }
}
