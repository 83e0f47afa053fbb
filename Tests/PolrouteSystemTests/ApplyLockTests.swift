import Foundation
import TestSupport
import Testing

@testable import PolrouteSystem

/// The apply lock and its run directory: modes no other user can use, links refused, and the live holder named.
/// (Another user's directory and another user's holder need root: see LockLiveTests.)
@Suite("Apply lock")
struct ApplyLockTests {
  /// A permission mode of a path.
  static func mode(_ path: String) -> Int {
    var status = stat()
    return lstat(path, &status) == 0 ? Int(status.st_mode & 0o777) : -1
  }

  /// The message a throwing call gives, or nil.
  static func message(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch {
      return "\(error)"
    }
  }

  @Test("a missing run directory is created 0700, and the lock file 0600")
  func createsPrivateDirectoryAndLock() throws {
    let scratch = try TemporaryDirectory("lock")
    let run = scratch.path + "/run"
    try RunDirectory.prepare(run)
    #expect(Self.mode(run) == 0o700)
    let lock = try ApplyLock(path: run + "/lock", wait: 0) { _ in }
    #expect(Self.mode(run + "/lock") == 0o600)
    withExtendedLifetime(lock) {}
  }

  @Test("a run directory others may read (0755, as polroute made it) and a 0644 lock are narrowed")
  func narrowsOldModes() throws {
    let scratch = try TemporaryDirectory("narrow")
    let run = scratch.path + "/run"
    #expect(mkdir(run, 0o755) == 0)
    #expect(chmod(run, 0o755) == 0)
    let lockPath = try scratch.write("run/lock", "pid 1\n")
    #expect(chmod(lockPath, 0o644) == 0)
    try RunDirectory.prepare(run)
    let lock = try ApplyLock(path: lockPath, wait: 0) { _ in }
    #expect(Self.mode(run) == 0o700)
    #expect(Self.mode(lockPath) == 0o600)
    withExtendedLifetime(lock) {}
  }

  @Test("a run directory other users may write to is refused")
  func refusesWritableDirectory() throws {
    let scratch = try TemporaryDirectory("writable")
    let run = scratch.path + "/run"
    #expect(mkdir(run, 0o700) == 0)
    #expect(chmod(run, 0o1777) == 0)
    #expect(
      Self.message { try RunDirectory.prepare(run) }
        == "refusing the run directory \(run): its mode 0777 lets other users create files in it, and they could "
        + "block or steer an apply (chmod 700 it)")
    #expect(Self.message { _ = try ApplyLock(path: run + "/lock", wait: 0) { _ in } } != nil)
    #expect(!FileManager.default.fileExists(atPath: run + "/lock"))
  }

  @Test("a run directory that is a link, or a file, is refused")
  func refusesLinkedDirectory() throws {
    let scratch = try TemporaryDirectory("linkdir")
    let real = scratch.path + "/real"
    #expect(mkdir(real, 0o700) == 0)
    let link = scratch.path + "/run"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
    #expect(
      Self.message { try RunDirectory.prepare(link) }
        == "refusing the run directory \(link): it is a symbolic link, not a directory (see POLROUTE_RUN_DIR)")
    // A link further up is not followed either: the handshake files are written without following links.
    let below = link + "/polroute"
    #expect(mkdir(real + "/polroute", 0o700) == 0)
    #expect(
      Self.message { try RunDirectory.prepare(below) }
        == "refusing the run directory \(below): \(link) is a symbolic link, and polroute follows no link to its run "
        + "directory (see POLROUTE_RUN_DIR)")
    let file = try scratch.write("file", "")
    #expect(
      Self.message { try RunDirectory.prepare(file) }
        == "refusing the run directory \(file): it is a regular file, not a directory (see POLROUTE_RUN_DIR)")
  }

  @Test("a lock file that is a link is refused and what it points to is untouched")
  func refusesLinkedLock() throws {
    let scratch = try TemporaryDirectory("linklock")
    let run = scratch.path + "/run"
    try RunDirectory.prepare(run)
    let victim = try scratch.write("victim", "precious\n")
    #expect(chmod(victim, 0o644) == 0)
    try FileManager.default.createSymbolicLink(atPath: run + "/lock", withDestinationPath: victim)
    #expect(
      Self.message { _ = try ApplyLock(path: run + "/lock", wait: 0) { _ in } }
        == "refusing the lock \(run)/lock: it is a symbolic link")
    #expect(scratch.read("victim") == "precious\n")
    #expect(Self.mode(victim) == 0o644)
  }

  @Test("a lock file that is a FIFO or has another hard link is refused")
  func refusesOddLocks() throws {
    let scratch = try TemporaryDirectory("oddlock")
    let run = scratch.path + "/run"
    try RunDirectory.prepare(run)
    #expect(mkfifo(run + "/lock", 0o600) == 0)
    #expect(
      Self.message { _ = try ApplyLock(path: run + "/lock", wait: 0) { _ in } }
        == "refusing the lock \(run)/lock: it is a FIFO, not a regular file")
    #expect(unlink(run + "/lock") == 0)
    let other = try scratch.write("other", "")
    #expect(link(other, run + "/lock") == 0)
    #expect(
      Self.message { _ = try ApplyLock(path: run + "/lock", wait: 0) { _ in } }
        == "refusing the lock \(run)/lock: it has 2 hard links")
  }

  @Test("the holder named is the live process holding the lock, not the pid written in the file")
  func namesTheLiveHolder() throws {
    let scratch = try TemporaryDirectory("holder")
    let run = scratch.path + "/run"
    try RunDirectory.prepare(run)
    // The file names a pid that is not running; flock(1) holds the lock.
    let lockPath = try scratch.write("run/lock", "pid 2147483646\n")
    #expect(chmod(lockPath, 0o600) == 0)
    // The shell writes its pid, then becomes flock(1), which takes the lock and runs sleep (without the lock's
    // descriptor, so killing flock releases it); the sleep writes its own pid, to be ended by it.
    let pidFile = scratch.path + "/holder.pid"
    let sleeperFile = scratch.path + "/sleeper.pid"
    let holder = try BackgroundProcess([
      "sh", "-c", "echo $$ > \(pidFile); exec flock -o \(lockPath) sh -c 'echo $$ > \(sleeperFile); exec sleep 60'",
    ])
    defer {
      if let sleeper = Int32(scratch.read("sleeper.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
        kill(sleeper, SIGKILL)
      }
    }
    #expect(try eventually { try Live.run(["flock", "-n", lockPath, "true"]).status == 1 }, "the lock is not held")
    let pid = try #require(Int32(scratch.read("holder.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
    var messages: [String] = []
    let error = Self.message { _ = try ApplyLock(path: lockPath, wait: 1) { messages.append($0) } }
    let user = Users.name(geteuid())
    let expected = LockHolder.process(pid: pid, command: "flock", user: user)
    #expect(error == "\(expected) holds \(lockPath) and is not a polroute apply; gave up after 1 s (see --wait)")
    #expect(messages == ["waiting for \(expected), which holds \(lockPath) and is not a polroute apply"])
    withExtendedLifetime(holder) {}
  }

  @Test("/proc/locks: the FLOCK line for the device and inode, not waiters, POSIX locks or other files")
  func parsesProcLocks() {
    let text = """
      1: POSIX  ADVISORY  WRITE 111 08:01:4242 0 EOF
      2: FLOCK  ADVISORY  WRITE 222 08:02:4242 0 EOF
      3: FLOCK  ADVISORY  WRITE 333 08:01:4243 0 EOF
      4: FLOCK  ADVISORY  WRITE 444 08:01:4242 0 EOF
      4: -> FLOCK  ADVISORY  WRITE 555 08:01:4242 0 EOF
      5: FLOCK  ADVISORY  READ 666 103:0a:99 0 EOF

      """
    // dev_t 0x801 is major 8, minor 1; 0x1030a is major 0x103, minor 0x0a.
    #expect(ApplyLock.lockingProcess(in: text, device: 0x801, inode: 4242) == 444)
    #expect(ApplyLock.lockingProcess(in: text, device: 0x802, inode: 4242) == 222)
    #expect(ApplyLock.lockingProcess(in: text, device: 0x1030A, inode: 99) == 666)
    #expect(ApplyLock.lockingProcess(in: text, device: 0x801, inode: 1) == nil)
  }

  @Test("messages for each holder")
  func holderMessages() {
    #expect(
      LockError.busy(path: "/run/polroute/lock", holder: .polroute(pid: 42), waited: 60).description
        == "another polroute apply (pid 42) holds /run/polroute/lock; gave up after 60 s (see --wait)")
    #expect(
      LockError.busy(
        path: "/run/polroute/lock", holder: .process(pid: 7, command: "flock", user: "nobody (uid 65534)"), waited: 0
      ).description
        == "process 7 (flock, user nobody (uid 65534)) holds /run/polroute/lock and is not a polroute apply; "
        + "gave up after 0 s (see --wait)")
    #expect(
      LockError.busy(path: "/run/polroute/lock", holder: .unknown, waited: 0).description
        == "an unknown process holds /run/polroute/lock and is not a polroute apply; gave up after 0 s (see --wait)")
  }
}
