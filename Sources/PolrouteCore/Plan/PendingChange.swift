/// The record an `apply --confirm` leaves in the run directory before it changes the kernel, so that the promise of
/// `--confirm` (roll back unless confirmed) outlives the process that made it: its watchdog, `polroute rollback` and
/// the next apply read it to restore the snapshot when that process died without a confirmation.
///
/// The text is one `KEY VALUE` line each, after a header line:
///
///     polroute-pending-change 1
///     token 5f0c2a9e81d3b7c4
///     pid 4242
///     start 1234567
///     boot 0f6d8a4e-3b1c-4d5e-9f70-1a2b3c4d5e6f
///     deadline none
///     tables 100 101
///
/// `start` is the process's start time in clock ticks after boot (`/proc/PID/stat` field 22), so a pid the kernel
/// gave to another process since is told apart; `boot` is `/proc/sys/kernel/random/boot_id`, since a reboot takes
/// every kernel change with it; `deadline` is the `CLOCK_MONOTONIC` millisecond the confirmation is due by (`none`
/// while the apply is still changing and verifying); `tables` are the tables the restore owns besides polroute's
/// marked rules and routes.
public struct PendingChange: Equatable, Sendable {
  /// The header line's first word.
  public static let format = "polroute-pending-change"
  /// The version written.
  public static let version = 1

  /// A random word naming this change, so a watchdog never acts on the record of a later apply.
  public var token: String
  /// The pid of the apply that made the change.
  public var pid: Int32
  /// Its start time, in clock ticks after boot.
  public var startTime: UInt64
  /// The boot the change was made in.
  public var bootID: String
  /// When the confirmation is due (monotonic milliseconds), once the apply waits for it.
  public var deadline: Int64?
  /// The tables the restore owns.
  public var tables: [UInt32]

  /// Builds a record.
  public init(token: String, pid: Int32, startTime: UInt64, bootID: String, deadline: Int64?, tables: [UInt32]) {
    self.token = token
    self.pid = pid
    self.startTime = startTime
    self.bootID = bootID
    self.deadline = deadline
    self.tables = tables.sorted()
  }

  /// The record's text.
  public var text: String {
    """
    \(Self.format) \(Self.version)
    token \(token)
    pid \(pid)
    start \(startTime)
    boot \(bootID)
    deadline \(deadline.map(String.init) ?? "none")
    tables \(tables.map(String.init).joined(separator: " "))

    """
  }

  /// Why a record could not be read.
  public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where.
    public var location: SourceLocation
    /// What is wrong.
    public var reason: String

    /// `FILE:LINE:COL: error: not a polroute pending change: REASON`.
    public var description: String { "\(location): error: not a polroute pending change: \(reason)" }
  }

  /// The most bytes a record may have: it is a few short lines, and a bigger file is not one.
  public static let sizeLimit = 4096

  /// Reads a record; `file` names it in errors. Every fault is an error at its line, never a crash.
  public static func parse(_ bytes: [UInt8], file: String) throws(ParseError) -> PendingChange {
    func fail(_ line: Int, _ reason: String) -> ParseError {
      ParseError(location: SourceLocation(file: file, line: line, column: 1), reason: reason)
    }
    guard bytes.count <= sizeLimit else { throw fail(1, "it has \(bytes.count) bytes, more than \(sizeLimit)") }
    guard let text = String(validating: bytes, as: UTF8.self) else { throw fail(1, "it is not UTF-8 text") }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // polroute writes the whole record at once (a temporary renamed into place): one without its last newline was
    // cut short by something else.
    guard text.hasSuffix("\n") else {
      throw fail(lines.count, "it does not end with a newline, so it may be cut short")
    }
    guard lines.first == "\(format) \(version)" else {
      throw fail(1, "the first line must be '\(format) \(version)', not '\(MessageText.quoted(lines.first ?? ""))'")
    }
    var values: [String: (line: Int, value: String)] = [:]
    let keys = ["token", "pid", "start", "boot", "deadline", "tables"]
    for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
      let number = index + 1
      let key = String(line.prefix(while: { $0 != " " }))
      let value = String(line.dropFirst(key.count + 1))
      guard keys.contains(key) else {
        throw fail(number, "unknown key '\(MessageText.quoted(key))' (expected one of \(keys.joined(separator: ", ")))")
      }
      guard values[key] == nil else { throw fail(number, "'\(key)' is given twice") }
      values[key] = (number, value)
    }
    func value(_ key: String) throws(ParseError) -> (line: Int, value: String) {
      guard let found = values[key] else { throw fail(lines.count, "it has no '\(key)' line") }
      return found
    }
    func number<T: FixedWidthInteger>(_ key: String, _ type: T.Type, minimum: T) throws(ParseError) -> T {
      let (line, text) = try value(key)
      guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let number = T(text),
        number >= minimum
      else {
        throw fail(
          line, "'\(key)' must be a whole number from \(minimum) to \(T.max), not '\(MessageText.quoted(text))'")
      }
      return number
    }
    let token = try value("token")
    guard !token.value.isEmpty, token.value.utf8.allSatisfy(Self.isWordByte) else {
      throw fail(token.line, "'token' must be letters and digits, not '\(MessageText.quoted(token.value))'")
    }
    let pid = try number("pid", Int32.self, minimum: 1)
    let start = try number("start", UInt64.self, minimum: 0)
    let boot = try value("boot")
    guard !boot.value.isEmpty, boot.value.utf8.allSatisfy({ Self.isWordByte($0) || $0 == UInt8(ascii: "-") }) else {
      throw fail(
        boot.line,
        "'boot' must be a boot id such as /proc/sys/kernel/random/boot_id holds, not "
          + "'\(MessageText.quoted(boot.value))'")
    }
    let deadline: Int64? = try value("deadline").value == "none" ? nil : number("deadline", Int64.self, minimum: 0)
    let tablesLine = try value("tables")
    var tables: [UInt32] = []
    for word in tablesLine.value.split(separator: " ") {
      guard word.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let table = UInt32(word), table > 0 else {
        throw fail(tablesLine.line, "'tables' must list table numbers, not '\(MessageText.quoted(word))'")
      }
      tables.append(table)
    }
    return PendingChange(
      token: token.value, pid: pid, startTime: start, bootID: boot.value, deadline: deadline, tables: tables)
  }

  /// An ASCII letter or digit.
  static func isWordByte(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
  }

  /// What to do with a record found by someone other than the apply that wrote it.
  public enum Decision: Equatable, Sendable {
    /// Its apply still runs: leave the record to it.
    case live
    /// It was made before the last reboot, which took its kernel change away: drop the record, restore nothing.
    case discard(reason: String)
    /// Its apply is gone without a confirmation: restore the snapshot, then drop the record.
    case restore(reason: String)
  }

  /// The decision for this record on a host now in boot `bootID`, where the record's pid is `process` (nil: no such
  /// process).
  public func decision(bootID current: String, process: ProcessStat?) -> Decision {
    guard current == bootID else {
      return .discard(
        reason: "polroute apply (pid \(pid)) made it before the host last booted (boot \(bootID), now \(current)), "
          + "and the reboot took its kernel change away")
    }
    guard let process else {
      return .restore(reason: "polroute apply (pid \(pid)) that made it is gone without a confirmation")
    }
    guard process.startTime == startTime else {
      return .restore(
        reason: "polroute apply (pid \(pid)) that made it is gone without a confirmation (pid \(pid) is now another "
          + "process, started at tick \(process.startTime), not \(startTime))")
    }
    guard !process.isDead else {
      return .restore(reason: "polroute apply (pid \(pid)) that made it died without a confirmation")
    }
    return .live
  }
}

/// The fields of `/proc/PID/stat` polroute needs to tell a live process from a dead one or a reused pid.
public struct ProcessStat: Equatable, Sendable {
  /// The state letter (`R`, `S`, `Z` ...).
  public var state: Character
  /// The start time in clock ticks after boot (field 22).
  public var startTime: UInt64
  /// The parent (field 4).
  public var parent: Int32
  /// The process group (field 5): the `ip` processes an apply runs are in its group.
  public var processGroup: Int32
  /// The command name (field 2).
  public var command: String

  /// Builds one.
  public init(
    state: Character, startTime: UInt64, parent: Int32 = 0, processGroup: Int32 = 0, command: String = ""
  ) {
    self.state = state
    self.startTime = startTime
    self.parent = parent
    self.processGroup = processGroup
    self.command = command
  }

  /// A zombie (dead, not yet reaped) or a process being torn down.
  public var isDead: Bool { state == "Z" || state == "X" || state == "x" }

  /// Reads the line; nil when it is not one. The command name (field 2) is in parentheses and may itself hold
  /// spaces and parentheses, so the fields are counted after its last `)`.
  public static func parse(_ text: String) -> ProcessStat? {
    guard let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    // Field 3 (the state) is the first after the name; field 22 (starttime) the 20th.
    guard fields.count >= 20, fields[0].count == 1, let state = fields[0].first,
      let start = UInt64(fields[19].trimmingASCIIWhitespace()), let parent = Int32(fields[1]),
      let group = Int32(fields[2])
    else { return nil }
    let open = text.firstIndex(of: "(").map { text.index(after: $0) } ?? close
    let command = open < close ? String(text[open..<close]) : ""
    return ProcessStat(state: state, startTime: start, parent: parent, processGroup: group, command: command)
  }
}
