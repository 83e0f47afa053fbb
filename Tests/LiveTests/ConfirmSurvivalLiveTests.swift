import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

extension ApplyHost {
  /// The pending-change record of this host's run directory.
  var recordPath: String { run.path + "/change" }

  /// Whether the pending-change record and its snapshot are gone.
  var recordGone: Bool {
    !FileManager.default.fileExists(atPath: recordPath)
      && !FileManager.default.fileExists(atPath: run.path + "/change.state")
  }

  /// The pids of the watchdogs (`polroute rollback --watch`) working on this host's run directory, found by the
  /// run directory in their environment (other tests run watchdogs of their own).
  func watchdogs() -> [Int32] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return names.compactMap(Int32.init).filter { pid in
      guard let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
        let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
      else { return false }
      let words = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
      let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
      return words.suffix(2) == ["rollback", "--watch"] && variables.contains("POLROUTE_RUN_DIR=\(run.path)")
    }
  }
}

/// The session a process is in (`/proc/PID/stat` field 6), or nil when it is gone.
func sessionOf(_ pid: Int32) -> Int32? {
  guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
    let close = text.lastIndex(of: ")")
  else { return nil }
  let fields = text[text.index(after: close)...].split(separator: " ")
  return fields.count > 3 ? Int32(fields[3]) : nil
}

/// `apply --confirm`'s promise outlives its process: a record and a watchdog restore the host when the apply dies
/// without a confirmation, `polroute confirm` checks the record's pid and start time, `polroute rollback` restores
/// at once, and the next apply restores or discards a stale record.
@Suite("apply --confirm survives its process, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost))
struct ConfirmSurvivalLiveTests {
  @Test("apply --confirm killed with SIGKILL: its watchdog restores the host, the record is removed")
  func killedApplyIsRolledBack() throws {
    let host = try ApplyHost("kill9")
    let policy = try host.policy(autoPolicy)
    let before = try host.server.dump()
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "60"])
    let pid = try host.waitingApply()
    #expect(try host.planStatus(policy) == 0, "the change must be in place while it waits")
    let watchdogs = host.watchdogs()
    #expect(watchdogs.count == 1)
    // A session of its own: the hangup of the apply's terminal or SSH session does not reach it.
    for watchdog in watchdogs {
      #expect(sessionOf(watchdog) == watchdog)
      #expect(sessionOf(watchdog) != sessionOf(pid))
    }
    let record = try #require(TestPaths.read(host.recordPath))
    #expect(record.hasPrefix("polroute-pending-change 1\n"))
    #expect(record.contains("\npid \(pid)\n"))
    kill(pid, SIGKILL)
    #expect(apply.wait() == 128 + SIGKILL)
    // Far sooner than the 60 s deadline: the watchdog sees the death within a tenth of a second.
    #expect(eventually(seconds: 30) { host.recordGone }, "the watchdog did not restore the host")
    #expect(try host.server.dump() == before)
    #expect(try host.planStatus(policy) == 2)
    #expect(eventually(seconds: 10) { host.watchdogs().isEmpty })
    #expect(host.handshakeGone)
    // What it did is in its log, where no terminal was left to show it.
    let log = host.run.read("watchdog.log") ?? ""
    // (It died, or is gone: the apply's parent may not have reaped it yet.)
    #expect(
      log.contains(
        "): restored the host as it was before an unconfirmed change: polroute apply (pid \(pid)) that made it "),
      "\(log)")
    #expect(log.hasSuffix(" without a confirmation\n"), "\(log)")
    #expect(TestPaths.list(host.run.path) == ["lock", "watchdog.log"])
  }

  @Test("every process of the apply's session killed, as when an SSH session is torn down: the watchdog restores")
  func sessionKilled() throws {
    let host = try ApplyHost("session")
    let policy = try host.policy(autoPolicy)
    let before = try host.server.dump()
    // `setsid -w`: the apply leads a session of its own, as a login shell's commands do.
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "60"], detached: true)
    let pid = try host.waitingApply()
    let session = try #require(sessionOf(pid))
    #expect(try host.planStatus(policy) == 0)
    kill(-session, SIGHUP)
    kill(-session, SIGKILL)
    _ = apply.wait()
    #expect(eventually(seconds: 30) { host.recordGone }, "the watchdog did not restore the host")
    #expect(try host.server.dump() == before)
    #expect(eventually(seconds: 10) { host.watchdogs().isEmpty })
  }

  @Test("'polroute confirm' from another process keeps the change, and the watchdog exits")
  func confirmEndsTheWatchdog() throws {
    let host = try ApplyHost("confwd")
    let policy = try host.policy(autoPolicy)
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "60"])
    let pid = try host.waitingApply()
    #expect(host.watchdogs().count == 1)
    let confirm = try host.polroute(["confirm"])
    #expect(confirm.status == 0, "\(confirm.errorText)")
    #expect(confirm.outputText == "confirmed: polroute apply (pid \(pid)) keeps its change\n")
    #expect(apply.wait() == 0, "\(apply.stderr)")
    #expect(host.recordGone)
    #expect(eventually(seconds: 10) { host.watchdogs().isEmpty })
    // The watchdog exited without touching the confirmed change.
    #expect(try host.planStatus(policy) == 0)
  }

  @Test("a record whose pid names another process: 'polroute confirm' refuses, the apply rolls back at its deadline")
  func tamperedRecordIsNotConfirmed() throws {
    let host = try ApplyHost("tamper")
    let policy = try host.policy(autoPolicy)
    let before = try host.server.dump()
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "4"])
    let pid = try host.waitingApply()
    let other = Process()
    other.executableURL = URL(fileURLWithPath: "/bin/sleep")
    other.arguments = ["60"]
    try other.run()
    defer { other.terminate() }
    let record = try #require(TestPaths.read(host.recordPath))
    let start = try #require(record.split(separator: "\n").first { $0.hasPrefix("start ") }).dropFirst(6)
    try record.replacingOccurrences(of: "\npid \(pid)\n", with: "\npid \(other.processIdentifier)\n")
      .write(toFile: host.recordPath, atomically: true, encoding: .utf8)
    let confirm = try host.polroute(["confirm"])
    #expect(confirm.status == 1)
    let theirs = try #require(PendingChangeStore.process(other.processIdentifier))
    #expect(
      confirm.errorText
        == "error: cannot confirm the change recorded in \(host.recordPath): polroute apply (pid "
        + "\(other.processIdentifier)) that made it is gone without a confirmation (pid \(other.processIdentifier) "
        + "is now another process, started at tick \(theirs.startTime), not \(start)); it is rolled back by its "
        + "watchdog, or now by 'polroute rollback'")
    #expect(apply.wait() == 1)
    #expect(apply.stderr.contains("error: no confirmation within 4 s"), "\(apply.stderr)")
    #expect(try host.server.dump() == before)
    #expect(host.recordGone)
    #expect(eventually(seconds: 10) { host.watchdogs().isEmpty })
  }

  @Test("'polroute rollback' while the apply waits: the apply rolls back at once")
  func rollbackWhileWaiting() throws {
    let host = try ApplyHost("rbwait")
    let policy = try host.policy(autoPolicy)
    let before = try host.server.dump()
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "60"])
    let pid = try host.waitingApply()
    let rollback = try host.polroute(["rollback"])
    #expect(rollback.status == 0, "\(rollback.errorText)")
    #expect(rollback.errorText == "asking polroute apply (pid \(pid)) to roll back its change (SIGTERM)")
    #expect(
      rollback.outputText == "rolled back: the waiting polroute apply restored the host as it was before its change\n")
    #expect(apply.wait() == 1)
    #expect(apply.stderr.contains("error: interrupted by SIGTERM while waiting for confirmation"))
    #expect(try host.server.dump() == before)
    #expect(host.recordGone)
  }

  @Test("apply and its watchdog both killed: 'polroute rollback' restores, then finds nothing to roll back")
  func rollbackAfterBothDied() throws {
    let host = try ApplyHost("rbdead")
    let policy = try host.policy(autoPolicy)
    let before = try host.server.dump()
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "60"])
    let pid = try host.waitingApply()
    for watchdog in host.watchdogs() { kill(watchdog, SIGKILL) }
    kill(pid, SIGKILL)
    _ = apply.wait()
    #expect(try host.planStatus(policy) == 0, "nothing restored it yet")
    let rollback = try host.polroute(["rollback"])
    #expect(rollback.status == 0, "\(rollback.errorText)")
    #expect(
      rollback.outputText
        == "rolled back: polroute apply (pid \(pid)) that made it is gone without a confirmation; the host is as it "
        + "was before its change\n")
    #expect(try host.server.dump() == before)
    #expect(host.recordGone)
    let again = try host.polroute(["rollback"])
    #expect(again.status == 1)
    #expect(
      again.errorText
        == "error: nothing to roll back: no unconfirmed change of 'polroute apply --confirm' is recorded in "
        + "\(host.run.path)")
  }

  @Test("the next apply restores a dead apply's unconfirmed change first, then applies")
  func nextApplyRestoresAStaleRecord() throws {
    let host = try ApplyHost("stale")
    let policy = try host.policy(autoPolicy)
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "60"])
    let pid = try host.waitingApply()
    for watchdog in host.watchdogs() { kill(watchdog, SIGKILL) }
    kill(pid, SIGKILL)
    _ = apply.wait()
    let next = try host.polroute(["apply", "--policy", policy])
    #expect(next.status == 0, "\(next.errorText)")
    #expect(
      next.errorText.hasPrefix(
        "restoring the host as it was before an unconfirmed change: polroute apply (pid \(pid)) that made it "
          + "is gone without a confirmation"), "\(next.errorText)")
    // It planned from the restored host: the change is made again, not found already made.
    #expect(!next.outputText.hasPrefix("Kernel: nothing to change"), "\(next.outputText)")
    #expect(host.recordGone)
    #expect(try host.planStatus(policy) == 0)
  }

  @Test("a record from an earlier boot is discarded with a note: the reboot took its change away")
  func recordFromAnotherBootIsDiscarded() throws {
    let host = try ApplyHost("boot")
    let policy = try host.policy(autoPolicy)
    let record = PendingChange(
      token: "abc123", pid: 4_000_000, startTime: 5, bootID: "00000000-0000-0000-0000-000000000000", deadline: 9,
      tables: [100])
    try host.run.write("change", record.text)
    let boot = try PendingChangeStore.bootID()
    let next = try host.polroute(["apply", "--policy", policy])
    #expect(next.status == 0, "\(next.errorText)")
    #expect(
      next.errorText.hasPrefix(
        "discarded an unconfirmed change: polroute apply (pid 4000000) made it before the host last booted "
          + "(boot 00000000-0000-0000-0000-000000000000, now \(boot)), and the reboot took its kernel change away"),
      "\(next.errorText)")
    #expect(host.recordGone)
  }

  @Test("a record that is not one stops the next apply before the kernel changes, naming the line")
  func corruptRecordStopsApply() throws {
    let host = try ApplyHost("corrupt")
    let policy = try host.policy(autoPolicy)
    let before = try host.server.dump()
    try host.run.write("change", "polroute-pending-change 1\ntoken abc\npid \u{1b}[31mred\n")
    let next = try host.polroute(["apply", "--policy", policy])
    #expect(next.status == 1)
    #expect(
      next.errorText
        == "\(host.recordPath):3:1: error: not a polroute pending change: 'pid' must be a whole number from 1 "
        + "to 2147483647, not '\\u{1b}[31mred'\nthe host may still hold an unconfirmed change: check it, then remove "
        + "\(host.recordPath) and \(host.run.path)/change.state", "\(next.errorText)")
    #expect(try host.server.dump() == before)
  }
}
