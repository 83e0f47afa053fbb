import PolrouteCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// How an apply ended when it could not complete.
public struct ApplyFailure: Error, Sendable, CustomStringConvertible {
  /// What went wrong first: this is the error the user must see.
  public var cause: String
  /// Whether the host was put back as it was.
  public var restored: Bool
  /// When the restore failed too: why, and the commands still to run by hand.
  public var restoreProblem: String?
  /// The `ip` commands that would finish the restore.
  public var remaining: [String]

  /// The original error first; a failed restore after it, loudly, with what is left to fix by hand.
  public var description: String {
    var text = cause
    if restored {
      text += "\nthe host was restored to its state before the apply"
    } else {
      text += "\n\n!!! ROLLBACK FAILED: the host is NOT as it was before the apply !!!\n"
      text += "!!! \(restoreProblem ?? "the restore did not complete")\n"
      if !remaining.isEmpty {
        text += "!!! run these as root to finish restoring it:\n"
        text += remaining.map { "    \($0)" }.joined(separator: "\n")
      }
    }
    return text
  }
}

/// The result of a probe: where a reply from an uplink address actually leaves.
public struct ProbeResult: Sendable, Hashable {
  /// The probe.
  public var probe: Transaction.Probe
  /// The device `ip route get` chose.
  public var device: String?
  /// The gateway it chose.
  public var gateway: IPAddress?

  /// Whether the reply leaves where the policy says.
  public var passed: Bool { device == probe.device && gateway == probe.gateway }

  /// "203.0.113.10 -> 198.18.0.1 leaves via 203.0.113.1 dev data".
  public var description: String {
    let actual = (gateway.map { "via \($0) " } ?? "") + "dev \(device ?? "?")"
    return "from \(probe.source) to \(probe.destination): \(actual)"
      + (passed ? "" : " (expected via \(probe.gateway) dev \(probe.device))")
  }
}

/// What an apply did.
public struct ApplyOutcome: Sendable {
  /// The changes made (empty when the host already matched).
  public var changes: [KernelChange]
  /// The `ip -batch` line of each change, made once for the kernel and the report.
  public var batchLines: [String]
  /// How many `ip` processes changed the kernel.
  public var processes: Int
  /// The probes run after the change.
  public var probes: [ProbeResult]
  /// The files written with --persist.
  public var files: [FileChange]
  /// Whether a confirmation was asked for and given.
  public var confirmed: Bool?
}

/// Options of one apply.
public struct ApplyOptions: Sendable {
  /// Seconds to wait for confirmation after a verified apply; nil for none.
  public var confirmSeconds: Int?
  /// The directory for the confirmation handshake.
  public var runDirectory: String

  /// Builds options.
  public init(confirmSeconds: Int? = nil, runDirectory: String = RunDirectory.defaultPath) {
    self.confirmSeconds = confirmSeconds
    self.runDirectory = runDirectory
  }
}

/// Makes the kernel match a policy as a transaction: snapshot → apply → verify → (confirm) → commit, and on any
/// failure (a rejected batch line, a failed verification, SIGINT/SIGTERM/SIGHUP, no confirmation in time) restores
/// the snapshot. A failed restore never hides the original error.
public struct Transactor: Sendable {
  /// Runs `ip`.
  public let runner: any CommandRunner
  /// Reads the host again to verify and to restore.
  public let reader: StateReader
  /// Reports progress (one line each).
  public let log: @Sendable (String) -> Void

  /// Builds a transactor.
  public init(runner: any CommandRunner, reader: StateReader, log: @escaping @Sendable (String) -> Void) {
    self.runner = runner
    self.reader = reader
    self.log = log
  }

  /// Applies `policy` to a host whose state before the change is `snapshot`. `commit` runs once the kernel change is
  /// verified and confirmed (persisting files); if it throws, the kernel change is rolled back too.
  public func apply(
    snapshot: HostState, policy: Policy, plan precomputed: KernelPlan? = nil, options: ApplyOptions,
    confirmation: ConfirmationSource?, commit: () throws -> [FileChange]
  ) throws -> ApplyOutcome {
    let plan = precomputed ?? KernelPlan.make(state: snapshot, policy: policy)
    if plan.isEmpty {
      // Nothing to change in the kernel: no transaction is needed, but files may still be written.
      let files = try commit()
      return ApplyOutcome(changes: [], batchLines: [], processes: 0, probes: [], files: files, confirmed: nil)
    }
    let lines = plan.changes.map(\.batchLine)
    SignalWatch.install()
    let ownership = plan.ownership.adding(plan.touchedTables)
    var processes = 0
    var probes: [ProbeResult] = []
    do {
      processes = try write(plan.changes, lines: lines)
      let after = try reader.read()
      let problems = Transaction.verify(policy: policy, state: after)
      guard problems.isEmpty else {
        throw StepError("verification failed after the apply:\n  " + problems.joined(separator: "\n  "))
      }
      probes = try probe(Transaction.probes(policy: policy))
      let failed = probes.filter { !$0.passed }
      guard failed.isEmpty else {
        throw StepError(
          "replies would not leave where the policy says:\n  " + failed.map(\.description).joined(separator: "\n  "))
      }
      try stopIfSignalled()
      var confirmed: Bool?
      if let seconds = options.confirmSeconds {
        try waitForConfirmation(seconds: seconds, options: options, source: confirmation)
        confirmed = true
      }
      let files = try commit()
      return ApplyOutcome(
        changes: plan.changes, batchLines: lines, processes: processes, probes: probes, files: files,
        confirmed: confirmed)
    } catch {
      throw rollback(cause: describe(error), snapshot: snapshot, ownership: ownership)
    }
  }

  /// An error of one step, described in its own words.
  struct StepError: Error, CustomStringConvertible {
    /// The message.
    let description: String

    /// Wraps a message.
    init(_ description: String) {
      self.description = description
    }
  }

  /// An error's message.
  func describe(_ error: any Error) -> String {
    "\(error)"
  }

  /// Stops with an error if a termination signal arrived.
  func stopIfSignalled() throws {
    if let signal = SignalWatch.received { throw StepError("interrupted by \(SignalWatch.name(signal))") }
  }

  /// Writes changes chunk by chunk, stopping between chunks if a signal arrived.
  func write(_ changes: [KernelChange], lines: [String]) throws -> Int {
    var processes = 0
    let writer = KernelWriter(runner: runner)
    let order = Transaction.kernelOrderIndices(changes)
    for family in AddressFamily.allCases {
      let familyLines = order.filter { changes[$0].family == family }.map { lines[$0] }
      for start in stride(from: 0, to: familyLines.count, by: Transaction.chunkSize) {
        try stopIfSignalled()
        processes += 1
        try writer.run(
          lines: Array(familyLines[start..<min(start + Transaction.chunkSize, familyLines.count)]), family: family)
      }
    }
    try stopIfSignalled()
    return processes
  }

  /// Runs `ip route get` for every probe, one `ip -batch` per family.
  func probe(_ probes: [Transaction.Probe]) throws -> [ProbeResult] {
    var results: [ProbeResult] = []
    let decoder = IPOutputDecoder()
    for family in AddressFamily.allCases {
      let familyProbes = probes.filter { $0.source.family == family }
      guard !familyProbes.isEmpty else { continue }
      let command = Command(
        ["ip", family.ipOption, "-j", "-batch", "-"],
        inputText: familyProbes.map(\.batchLine).joined(separator: "\n") + "\n")
      let output = try runner.check(command).output
      var stream = JSONArrayStream()
      var routes: [Int: Route] = [:]
      try output.withUnsafeBytes { bytes in
        try stream.feed(bytes) { document, scanner in
          routes[document] = try decoder.route(
            &scanner, family: family, defaultTable: RoutingTable.main, command: command.description)
        }
      }
      for (index, probe) in familyProbes.enumerated() {
        results.append(ProbeResult(probe: probe, device: routes[index]?.device, gateway: routes[index]?.gateway))
      }
    }
    return results
  }

  /// Puts the host back as `snapshot` had it (polroute's rules and the touched tables), then checks that it did;
  /// what still differs is reported as the commands that would finish the restore.
  func rollback(cause: String, snapshot: HostState, ownership: Ownership) -> ApplyFailure {
    log("rolling back: \(cause.split(separator: "\n").first ?? "")")
    var remaining: [KernelChange] = []
    var problem: String?
    do {
      let current = try reader.read()
      remaining = Transaction.restore(snapshot: snapshot, current: current, ownership: ownership)
      if !remaining.isEmpty {
        // A line the kernel rejects (a route on a link that went down) must not keep the lines after it, or the
        // other family, from being restored: every line is tried.
        do { try KernelWriter(runner: runner).write(remaining, force: true) } catch { problem = "\(error)" }
      }
      let check = try reader.read()
      remaining = Transaction.restore(snapshot: snapshot, current: check, ownership: ownership)
      guard remaining.isEmpty else {
        let summary = "after the restore, \(remaining.count) differences remain"
        return ApplyFailure(
          cause: cause, restored: false, restoreProblem: problem ?? summary, remaining: commands(remaining))
      }
      return ApplyFailure(cause: cause, restored: true, restoreProblem: nil, remaining: [])
    } catch {
      return ApplyFailure(
        cause: cause, restored: false, restoreProblem: problem ?? "\(error)", remaining: commands(remaining))
    }
  }

  /// The `ip` commands for changes, for a user to run by hand.
  func commands(_ changes: [KernelChange]) -> [String] {
    changes.map { "ip \($0.family.ipOption) \($0.batchLine)" }
  }

  /// Waits for a confirmation: `yes` typed on the terminal, or `polroute confirm` from another shell. SIGINT and
  /// SIGTERM abort at once; SIGHUP (the terminal went away) does not, since `polroute confirm` may still come.
  func waitForConfirmation(seconds: Int, options: ApplyOptions, source: ConfirmationSource?) throws {
    let handshake = ConfirmationHandshake(directory: options.runDirectory)
    try handshake.announce()
    defer { handshake.finish() }
    log("the change is applied and verified; type 'yes' or run 'polroute confirm' within \(seconds) s to keep it")
    source?.begin()
    let deadline = monotonicMilliseconds() + Int64(seconds) * 1000
    while monotonicMilliseconds() < deadline {
      if let signal = SignalWatch.received {
        if signal == SIGHUP {
          log("the terminal hung up; still waiting for 'polroute confirm'")
          SignalWatch.clear()
        } else {
          throw StepError("interrupted by \(SignalWatch.name(signal)) while waiting for confirmation")
        }
      }
      if handshake.isConfirmed() { return }
      if let source, source.poll(milliseconds: 100) { return }
      if source == nil { usleep(100_000) }
    }
    throw StepError("no confirmation within \(seconds) s")
  }
}

/// Milliseconds of a monotonic clock, for durations.
public func monotonicMilliseconds() -> Int64 {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
}

/// Where a typed `yes` comes from.
public protocol ConfirmationSource: Sendable {
  /// Called as the question is asked: only what is typed from now on counts.
  func begin()
  /// Waits up to `milliseconds` for input; true once the user typed `yes`.
  func poll(milliseconds: Int) -> Bool
}

extension ConfirmationSource {
  /// Nothing to discard.
  public func begin() {}
}

/// Reads `yes` from a terminal on standard input.
public struct TerminalConfirmation: ConfirmationSource {
  /// The descriptor (0).
  let descriptor: Int32
  /// Collected input.
  let buffer = LineBuffer()

  /// Reads from stdin.
  public init(descriptor: Int32 = 0) {
    self.descriptor = descriptor
  }

  /// Discards what was typed before the question: a `yes` typed ahead sits in the terminal's buffer on this host,
  /// and would confirm a change that cut the session it came from.
  public func begin() {
    tcflush(descriptor, TCIFLUSH)
  }

  /// Waits for input and checks for a line saying `yes`.
  public func poll(milliseconds: Int) -> Bool {
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    guard Glibc.poll(&entry, 1, Int32(milliseconds)) > 0 else { return false }
    // Hung up or closed: no one can type any more.
    if entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 && entry.revents & Int16(POLLIN) == 0 {
      usleep(UInt32(milliseconds) * 1000)
      return false
    }
    var bytes = [UInt8](repeating: 0, count: 256)
    let count = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
    if count <= 0 {
      usleep(UInt32(milliseconds) * 1000)
      return false
    }
    return buffer.append(bytes[0..<count])
  }
}

/// Accumulates typed input and recognises a `yes` line.
final class LineBuffer: @unchecked Sendable {
  /// The text so far.
  var text = ""

  /// Adds bytes; true once a complete line is `yes`.
  func append(_ bytes: ArraySlice<UInt8>) -> Bool {
    text += String(decoding: bytes, as: UTF8.self)
    while let newline = text.firstIndex(of: "\n") {
      let line = text[..<newline].trimmingASCIIWhitespace()
      text = String(text[text.index(after: newline)...])
      if line.lowercased() == "yes" { return true }
    }
    return false
  }
}

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
