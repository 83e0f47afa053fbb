import PolrouteCore
import Testing

/// The pending-change record of `apply --confirm`: its text round-trips, every bad record is a located error (never
/// a crash), `/proc/PID/stat` is read past a command name with spaces and parentheses, and a record found by another
/// process is kept, restored or discarded as its apply and the boot say.
@Suite("Pending change")
struct PendingChangeTests {
  /// A record of pid 4242.
  static let record = PendingChange(
    token: "5f0c2a9e81d3b7c4", pid: 4242, startTime: 1_234_567, bootID: "0f6d8a4e-3b1c-4d5e-9f70-1a2b3c4d5e6f",
    deadline: nil, tables: [101, 100])

  @Test func textRoundTrips() throws {
    #expect(
      Self.record.text == """
        polroute-pending-change 1
        token 5f0c2a9e81d3b7c4
        pid 4242
        start 1234567
        boot 0f6d8a4e-3b1c-4d5e-9f70-1a2b3c4d5e6f
        deadline none
        tables 100 101

        """)
    #expect(try PendingChange.parse(Array(Self.record.text.utf8), file: "change") == Self.record)
    var waiting = Self.record
    waiting.deadline = 98_765
    waiting.tables = []
    #expect(try PendingChange.parse(Array(waiting.text.utf8), file: "change") == waiting)
  }

  /// The record with one line replaced (or removed, for an empty replacement).
  static func edited(_ key: String, _ line: String) -> [UInt8] {
    let lines = record.text.split(separator: "\n").map { $0.hasPrefix(key + " ") ? line : String($0) }
    return Array((lines.filter { !$0.isEmpty }.joined(separator: "\n") + "\n").utf8)
  }

  /// Bad records and their messages.
  static let badInputs: [([UInt8], String)] = [
    (
      Array(record.text.utf8.dropLast()),
      "change:7:1: error: not a polroute pending change: it does not end with a newline, so it may be cut short"
    ),
    ([0xFF, 0x0A], "change:1:1: error: not a polroute pending change: it is not UTF-8 text"),
    (
      Array("4242\n".utf8),
      "change:1:1: error: not a polroute pending change: the first line must be 'polroute-pending-change 1', not '4242'"
    ),
    (
      Array("polroute-pending-change 2\n".utf8),
      "change:1:1: error: not a polroute pending change: the first line must be 'polroute-pending-change 1', not "
        + "'polroute-pending-change 2'"
    ),
    (
      edited("pid", "pid -1"),
      "change:3:1: error: not a polroute pending change: 'pid' must be a whole number from 1 to 2147483647, not '-1'"
    ),
    (
      edited("pid", "pid +5"),
      "change:3:1: error: not a polroute pending change: 'pid' must be a whole number from 1 to 2147483647, not '+5'"
    ),
    (
      edited("pid", "pid 99999999999"),
      "change:3:1: error: not a polroute pending change: 'pid' must be a whole number from 1 to 2147483647, not "
        + "'99999999999'"
    ),
    (edited("pid", ""), "change:7:1: error: not a polroute pending change: it has no 'pid' line"),
    (
      edited("start", "start x\u{1b}[2J"),
      "change:4:1: error: not a polroute pending change: 'start' must be a whole number from 0 to "
        + "18446744073709551615, not 'x\\u{1b}[2J'"
    ),
    (
      edited("boot", "boot ../../etc"),
      "change:5:1: error: not a polroute pending change: 'boot' must be a boot id such as "
        + "/proc/sys/kernel/random/boot_id holds, not '../../etc'"
    ),
    (
      edited("deadline", "deadline soon"),
      "change:6:1: error: not a polroute pending change: 'deadline' must be a whole number from 0 to "
        + "9223372036854775807, not 'soon'"
    ),
    (
      edited("tables", "tables 100 main"),
      "change:7:1: error: not a polroute pending change: 'tables' must list table numbers, not 'main'"
    ),
    (
      edited("token", "token a b"),
      "change:2:1: error: not a polroute pending change: 'token' must be letters and digits, not 'a b'"
    ),
    (
      Array((record.text + "pid 1\n").utf8),
      "change:8:1: error: not a polroute pending change: 'pid' is given twice"
    ),
    (
      Array((record.text + "owner root\n").utf8),
      "change:8:1: error: not a polroute pending change: unknown key 'owner' (expected one of token, pid, start, "
        + "boot, deadline, tables)"
    ),
    (
      Array(repeating: UInt8(ascii: "a"), count: 5000) + [0x0A],
      "change:1:1: error: not a polroute pending change: it has 5001 bytes, more than 4096"
    ),
  ]

  @Test(arguments: badInputs)
  func badRecords(bytes: [UInt8], message: String) {
    #expect(throws: PendingChange.ParseError.self) { try PendingChange.parse(bytes, file: "change") }
    do {
      _ = try PendingChange.parse(bytes, file: "change")
    } catch {
      #expect(error.description == message)
    }
  }

  /// A long token is echoed shortened, and the parser survives every prefix of a record and random bytes.
  @Test func noInputCrashes() {
    let long = Self.edited("token", "token " + String(repeating: "-", count: 2000))
    do {
      _ = try PendingChange.parse(long, file: "change")
      Issue.record("accepted a bad token")
    } catch {
      #expect(error.description.hasSuffix("... (2000 bytes)'"), "\(error.description)")
    }
    let text = Array(Self.record.text.utf8)
    for count in 0..<text.count {
      #expect(throws: PendingChange.ParseError.self) { try PendingChange.parse(Array(text[..<count]), file: "c") }
    }
    var generator = SeededGenerator(seed: 16)
    for _ in 0..<2000 {
      var bytes = text
      for _ in 0..<3 {
        bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
      }
      _ = try? PendingChange.parse(bytes, file: "c")
    }
  }

  @Test func processStat() {
    let line = "4242 (polroute (x) y) S 1 4242 4242 0 -1 4194560 210 0 0 0 1 0 0 0 20 0 1 0 1234567 123 45 18446\n"
    #expect(
      ProcessStat.parse(line)
        == ProcessStat(state: "S", startTime: 1_234_567, parent: 1, processGroup: 4242, command: "polroute (x) y"))
    #expect(ProcessStat.parse(line)?.isDead == false)
    let zombie = "7 (sh) Z 1 7 7 0 -1 4194560 210 0 0 0 1 0 0 0 20 0 1 0 99 0 0 0"
    #expect(ProcessStat.parse(zombie)?.isDead == true)
    #expect(ProcessStat.parse("") == nil)
    #expect(ProcessStat.parse("7 (sh) S 1 2 3") == nil)
    #expect(ProcessStat.parse("7 sh S 1 7 7 0 -1 4194560 210 0 0 0 1 0 0 0 20 0 1 0 99") == nil)
  }

  @Test func decisions() {
    let record = Self.record
    let boot = record.bootID
    #expect(record.decision(bootID: boot, process: ProcessStat(state: "S", startTime: 1_234_567)) == .live)
    #expect(
      record.decision(bootID: boot, process: nil)
        == .restore(reason: "polroute apply (pid 4242) that made it is gone without a confirmation"))
    #expect(
      record.decision(bootID: boot, process: ProcessStat(state: "Z", startTime: 1_234_567))
        == .restore(reason: "polroute apply (pid 4242) that made it died without a confirmation"))
    #expect(
      record.decision(bootID: boot, process: ProcessStat(state: "S", startTime: 99))
        == .restore(
          reason: "polroute apply (pid 4242) that made it is gone without a confirmation (pid 4242 is now another "
            + "process, started at tick 99, not 1234567)"))
    // After a reboot the kernel holds none of the change, whatever runs under that pid now.
    #expect(
      record.decision(bootID: "other", process: ProcessStat(state: "S", startTime: 1_234_567))
        == .discard(
          reason: "polroute apply (pid 4242) made it before the host last booted (boot \(boot), now other), and the "
            + "reboot took its kernel change away"))
  }
}
