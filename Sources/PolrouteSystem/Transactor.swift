import Glibc
import PolrouteCore

/// Makes the kernel match a policy as a transaction: snapshot → apply → verify → (confirm) → commit, and on any
/// failure (a rejected batch line, a failed verification, SIGINT/SIGTERM/SIGHUP, no confirmation in time) restores
/// the snapshot. A failed restore never hides the original error.
public struct Transactor: Sendable {
  /// Runs `ip`.
  public let runner: any CommandRunner
  /// Reads the host again to verify and to restore.
  public let reader: StateReader
  /// Reports what happened that the user must know (one line each).
  public let log: @Sendable (String) -> Void
  /// Reports what the transaction is doing now, for a progress line.
  public let progress: @Sendable (ApplyStage) -> Void
  /// The termination signals that abort the transaction.
  public let signals: any SignalSource
  /// The clock the confirmation deadline is measured with.
  public let clock: any TransactionClock
  /// The most rtnetlink sockets (or `ip -batch` processes) a family's probes are split between.
  public let probeProcesses: Int
  /// A family's probes go to one socket or process up to this many, and are split above it.
  public let probesPerProcess: Int

  /// The processors online (at least one, at most four): the default number of probe processes.
  public static let processorsOnline = max(1, min(4, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))

  /// Builds a transactor; the signals and the clock are the process's unless a test scripts them.
  public init(
    runner: any CommandRunner, reader: StateReader, log: @escaping @Sendable (String) -> Void,
    progress: @escaping @Sendable (ApplyStage) -> Void = { _ in }, signals: any SignalSource = ProcessSignals(),
    clock: any TransactionClock = MonotonicClock(), probeProcesses: Int = Transactor.processorsOnline,
    probesPerProcess: Int = 16
  ) {
    self.runner = runner
    self.reader = reader
    self.log = log
    self.progress = progress
    self.signals = signals
    self.clock = clock
    self.probeProcesses = max(1, probeProcesses)
    self.probesPerProcess = max(1, probesPerProcess)
  }

  /// Applies `policy` to a host whose state before the change is `snapshot`. `commit` runs once the kernel change is
  /// verified and confirmed (persisting files); if it throws, the kernel change is rolled back too.
  /// `early` are the probes `startProbes` began on `snapshot`: when nothing needs changing they are its verification.
  public func apply(
    snapshot: HostState, policy: Policy, plan precomputed: KernelPlan? = nil, options: ApplyOptions,
    confirmation: ConfirmationSource?, early: EarlyProbes? = nil, commit: () throws -> [FileChange]
  ) throws -> ApplyOutcome {
    // However the apply ends, no lookup of the early probes is left running.
    defer { _ = try? early?.results.value() }
    var plan = precomputed ?? KernelPlan.make(state: snapshot, policy: policy)
    if precomputed == nil, let scope = options.scope { plan = scope.restrict(plan, state: snapshot, policy: policy) }
    // The host is about to change: the probes of it as it was would be thrown away, and their lookups would take a
    // processor from the change, its read-back and the probes after it.
    if !plan.isEmpty { early?.cancel() }
    func scopedProbes(_ state: HostState) -> [Verification.Probe] {
      Self.probes(policy: policy, state: state, scope: options.scope)
    }
    if plan.isEmpty {
      // Nothing to change in the kernel: no transaction is needed, but the host is still verified (its replies can
      // go astray for reasons of the host's own), and files may still be written.
      let results: [ProbeResult]
      if let early {
        progress(.verifying(probes: early.count))
        results = try early.results.value()
      } else {
        results = try probe(scopedProbes(snapshot), names: snapshot)
      }
      let failed = results.filter { $0.probe.promised && !$0.passed }
      guard failed.isEmpty else {
        throw ApplyFailure(
          cause: "nothing needed changing, but replies do not leave where the policy says:\n  "
            + failed.map(\.description).joined(separator: "\n  "),
          restored: true, restoreProblem: nil, remaining: [])
      }
      progress(.persisting)
      let files = try commit()
      return ApplyOutcome(
        changes: [], batchLines: [], processes: 0, probes: results, unresolved: Self.unresolved(results, policy),
        files: files, confirmed: nil)
    }
    let lines = plan.changes.map(\.batchLine)
    signals.install()
    let ownership = plan.ownership.adding(plan.touchedTables)
    // Recorded before the kernel changes, so that a process killed from here on is still rolled back.
    let changeGuard = options.confirmSeconds == nil ? nil : options.changeGuard
    try changeGuard?.arm(snapshot: snapshot, tables: ownership.tables)
    var processes = 0
    var probes: [ProbeResult] = []
    // The probes after the change, once it is written; stopped and waited for if the apply fails before their answers.
    var probing: BackgroundWork<[ProbeResult], any Error>?
    let stopProbing = Cancellation()
    do {
      processes = try write(plan.changes, lines: lines)
      // The probes need only the host's addresses and main's connected networks, which the change leaves as they
      // were: their lookups (the kernel's work) start now, while the changed objects are read back and compared
      // (polroute's), instead of after them.
      let toProbe = scopedProbes(snapshot)
      probing = BackgroundWork { [self] in try lookUp(toProbe, names: snapshot, cancellation: stopProbing) }
      progress(.readingBack)
      let after = try reader.readBack(plan.changes, over: snapshot)
      progress(.verifying(probes: toProbe.count))
      let problems = Transaction.verify(
        policy: policy, state: after, scope: options.scope, parts: KernelParts(touchedBy: plan.changes))
      let probed = Result { try probing?.value() ?? [] }
      guard problems.isEmpty else {
        throw StepError("verification failed after the apply:\n  " + problems.joined(separator: "\n  "))
      }
      probes = try probed.get()
      let failed = probes.filter { $0.probe.promised && !$0.passed }
      guard failed.isEmpty else {
        throw StepError(
          "replies would not leave where the policy says:\n  " + failed.map(\.description).joined(separator: "\n  "))
      }
      try stopIfSignalled()
      var confirmed: Bool?
      if let seconds = options.confirmSeconds {
        try waitForConfirmation(seconds: seconds, options: options, source: confirmation)
        try changeGuard?.disarm()
        confirmed = true
      }
      progress(.persisting)
      let files = try commit()
      return ApplyOutcome(
        changes: plan.changes, batchLines: lines, processes: processes, probes: probes,
        unresolved: Self.unresolved(probes, policy), files: files,
        confirmed: confirmed)
    } catch {
      stopProbing.cancel()
      _ = try? probing?.value()
      let failure = rollback(cause: describe(error), snapshot: snapshot, ownership: ownership)
      // A change that is not back as it was keeps its record: the watchdog or the next apply tries again.
      if failure.restored { try? changeGuard?.disarm() }
      throw failure
    }
  }

  /// The probes that verify `policy` on a host in `state`: only the scope's addresses, when there is one (another
  /// uplink's replies are that uplink's apply's to judge).
  public static func probes(policy: Policy, state: HostState, scope: InterfaceScope?) -> [Verification.Probe] {
    Verification.probes(policy: policy, state: state, from: scope?.interfaces)
  }

  /// Starts the probes of the host as it is, on another thread, before the plan is made: the lookups are the
  /// kernel's work, done while polroute plans on this one. When nothing needs changing they are the verification
  /// (`apply(early:)`); otherwise they are cancelled, and the apply probes again after its change. On 50 uplinks and
  /// 10,000 statements the 51 lookups take 7 ms, which an apply with nothing to change spent after its plan. They
  /// are asked one after another, on one thread: that leaves the plan a processor of a two-processor host, where
  /// split between two threads they slowed it by half.
  public func startProbes(snapshot: HostState, policy: Policy, scope: InterfaceScope?) -> EarlyProbes {
    let probes = Self.probes(policy: policy, state: snapshot, scope: scope)
    let cancellation = Cancellation()
    return EarlyProbes(
      count: probes.count, cancellation: cancellation,
      results: BackgroundWork { [self] in
        try lookUp(probes, names: snapshot, parts: 1, cancellation: cancellation)
      })
  }

  /// Probes begun before the plan was made (`startProbes`).
  public struct EarlyProbes: Sendable {
    /// How many lookups.
    public let count: Int
    /// Stops the lookups between two of them.
    let cancellation: Cancellation
    /// Their answers, once they are done; `CancelledError` once cancelled.
    public let results: BackgroundWork<[ProbeResult], any Error>

    /// Stops the lookups at the next one: their answers are not wanted. A runner without rtnetlink lookups cannot
    /// stop its `ip` process, which finishes.
    public func cancel() { cancellation.cancel() }
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
    if let signal = signals.received { throw StepError("interrupted by \(SignalWatch.name(signal))") }
  }

  /// Writes changes in the kernel's fastest order, chunk by chunk, stopping between chunks if a signal arrived.
  func write(_ changes: [KernelChange], lines: [String]) throws -> Int {
    var processes = 0
    let writer = KernelWriter(runner: runner)
    let order = Transaction.kernelOrderIndices(changes)
    for family in AddressFamily.allCases {
      let familyLines = order.filter { changes[$0].family == family }.map { lines[$0] }
      var sent = 0
      processes += try writer.write(lines: familyLines, family: family) {
        try stopIfSignalled()
        progress(.writing(family: family, done: sent, total: familyLines.count))
        sent = min(sent + KernelWriter.chunkSize, familyLines.count)
      }
    }
    try stopIfSignalled()
    return processes
  }

  /// Asks the kernel `ip route get` for every probe: over rtnetlink where the runner can, else through `ip -batch`
  /// processes of one family each. A lookup walks the rules ahead of the one that decides it, so on a host of
  /// thousands of rules fifty probes kept one process busy 14 ms: more than `probesPerProcess` probes of a family are
  /// split between up to `probeProcesses` sockets (each on a thread of its own) or processes, asked at the same time.
  func probe(_ probes: [Verification.Probe], names host: HostState) throws -> [ProbeResult] {
    progress(.verifying(probes: probes.count))
    return try lookUp(probes, names: host)
  }

  /// The lookups of `probe`, without the progress report, in the probes' order within each family, IPv4 first; each
  /// family's split in at most `parts` (`probeProcesses` by default).
  func lookUp(
    _ probes: [Verification.Probe], names host: HostState, parts most: Int? = nil, cancellation: Cancellation? = nil
  ) throws -> [ProbeResult] {
    var chunks: [(family: AddressFamily, probes: ArraySlice<Verification.Probe>)] = []
    for family in AddressFamily.allCases {
      let familyProbes = probes.filter { $0.source.family == family }
      guard !familyProbes.isEmpty else { continue }
      let parts = max(1, min(most ?? probeProcesses, familyProbes.count / probesPerProcess))
      let size = (familyProbes.count + parts - 1) / parts
      for start in stride(from: 0, to: familyProbes.count, by: size) {
        chunks.append((family, familyProbes[start..<min(start + size, familyProbes.count)]))
      }
    }
    return try runner.canLookUpRoutes
      ? askKernel(chunks, names: host, cancellation: cancellation) : runIP(chunks, names: host)
  }

  /// The lookups over rtnetlink, a socket and a thread for each chunk; the kernel answers with the device's index,
  /// which the host's interfaces name (`ip` names an index it does not know `ifN`, and so does this).
  func askKernel(
    _ chunks: [(family: AddressFamily, probes: ArraySlice<Verification.Probe>)], names host: HostState,
    cancellation: Cancellation?
  ) throws -> [ProbeResult] {
    let runner = runner
    let asked = chunks.map { chunk in
      let lookups = chunk.probes.map { RouteLookup(destination: $0.destination, source: $0.source) }
      return BackgroundWork { try runner.lookUpRoutes(lookups, cancellation: cancellation) }
    }
    // Every socket's answers are waited for before any error is thrown: no thread is left asking.
    let answered = asked.map { work in Result { try work.value() } }
    let names = Dictionary(host.interfaces.map { ($0.index, $0.name) }, uniquingKeysWith: { first, _ in first })
    var results: [ProbeResult] = []
    for (chunk, answers) in zip(chunks, answered) {
      for (probe, answer) in zip(chunk.probes, try answers.get()) {
        switch answer {
        case .route(let index, let gateway):
          let device = index.map { names[Int($0)] ?? "if\($0)" }
          results.append(ProbeResult(probe: probe, device: device, gateway: gateway))
        case .failed:
          results.append(ProbeResult(probe: probe, device: nil, gateway: nil))
        }
      }
    }
    return results
  }

  /// The lookups through `ip -batch`, a process for each chunk. `ip` prints a table by the name the host's rt_tables
  /// give it (polroute's own file among them), so the answers are read with the names of `host`.
  func runIP(
    _ chunks: [(family: AddressFamily, probes: ArraySlice<Verification.Probe>)], names host: HostState
  ) throws -> [ProbeResult] {
    let decoder = IPOutputDecoder(tableNames: host.names, extraProtocols: host.protocolNames)
    let batches = chunks.map { family, chunk in
      // -force: a destination with no route at all (an address on a network with no way out) is an answer too.
      // `ip` then prints nothing for that line and names it on stderr ("Command failed -:N"), and the arrays of
      // the others follow in order.
      let command = Command(
        ["ip", family.ipOption, "-j", "-force", "-batch", "-"],
        inputText: chunk.map(\.batchLine).joined(separator: "\n") + "\n")
      return (family: family, probes: chunk, command: command)
    }
    let outputs = try runner.runAll(batches.map { CommandJob($0.command) })
    var results: [ProbeResult] = []
    for ((family, chunk, command), result) in zip(batches, outputs) {
      let failedLines = Set(
        result.errorText.split(separator: "\n").compactMap { line -> Int? in
          guard line.hasPrefix("Command failed -:") else { return nil }
          return Int(line.dropFirst("Command failed -:".count))
        })
      if result.status != 0 && failedLines.isEmpty {
        throw CommandError.failed(command: command.description, status: result.status, stderr: result.errorText)
      }
      var stream = JSONArrayStream()
      var routes: [Int: Route] = [:]
      try result.output.withUnsafeBytes { bytes in
        try stream.feed(bytes) { document, scanner in
          routes[document] = try decoder.route(
            &scanner, family: family, defaultTable: RoutingTable.main, command: command.description)
        }
      }
      var answered = 0
      for (index, probe) in chunk.enumerated() {
        guard !failedLines.contains(index + 1) else {
          results.append(ProbeResult(probe: probe, device: nil, gateway: nil))
          continue
        }
        results.append(ProbeResult(probe: probe, device: routes[answered]?.device, gateway: routes[answered]?.gateway))
        answered += 1
      }
    }
    return results
  }

  /// The addresses the policy cannot steer whose replies leave through another interface.
  static func unresolved(_ results: [ProbeResult], _ policy: Policy) -> [Verification.Unresolved] {
    Verification.unresolved(results.filter { !$0.passed }.map { ($0.probe, $0.device) }, policy: policy)
  }

  /// How many times a rollback reads the host and writes what still differs before it gives up: a dump the kernel
  /// interrupted, or an `ip` that failed once, must not leave the host half-restored when trying again would finish.
  static let restoreAttempts = 3

  /// Puts the host back as `snapshot` had it (polroute's rules and the touched tables), then checks that it did;
  /// what still differs is reported as the commands that would finish the restore.
  func rollback(cause: String, snapshot: HostState, ownership: Ownership) -> ApplyFailure {
    log("rolling back: \(cause.split(separator: "\n").first ?? "")")
    progress(.rollingBack)
    var remaining: [KernelChange] = []
    var problem: String?
    for attempt in 0...Self.restoreAttempts {
      do {
        let current = try reader.readRouting()
        remaining = Transaction.restore(snapshot: snapshot, current: current, ownership: ownership)
        if remaining.isEmpty { return ApplyFailure(cause: cause, restored: true, restoreProblem: nil, remaining: []) }
        // The last pass only checks what the writes before it left.
        guard attempt < Self.restoreAttempts else { break }
        // A line the kernel rejects (a route on a link that went down) must not keep the lines after it, or the
        // other family, from being restored: every line is tried.
        do { try KernelWriter(runner: runner).write(remaining, force: true) } catch { problem = "\(error)" }
      } catch {
        problem = "\(error)"
      }
    }
    let summary = remaining.isEmpty ? nil : "after the restore, \(remaining.count) differences remain"
    return ApplyFailure(
      cause: cause, restored: false, restoreProblem: problem ?? summary, remaining: commands(remaining))
  }

  /// The `ip` commands for changes, for a user to run by hand.
  func commands(_ changes: [KernelChange]) -> [String] {
    changes.map { "ip \($0.family.ipOption) \($0.batchLine)" }
  }

  /// Waits for a confirmation: `yes` typed on the terminal, or `polroute confirm` from another shell. SIGINT and
  /// SIGTERM abort at once; SIGHUP (the terminal went away) does not, since `polroute confirm` may still come.
  func waitForConfirmation(seconds: Int, options: ApplyOptions, source: ConfirmationSource?) throws {
    let handshake = ConfirmationHandshake(directory: options.runDirectory)
    // The record says it waits before the handshake does: 'polroute confirm' reads both, the record to check.
    try options.changeGuard?.waiting(deadline: monotonicMilliseconds() + Int64(seconds) * 1000)
    try handshake.announce()
    defer { handshake.finish() }
    progress(.waitingForConfirmation)
    log("the change is applied and verified; type 'yes' or run 'polroute confirm' within \(seconds) s to keep it")
    source?.begin()
    let deadline = clock.milliseconds() + Int64(seconds) * 1000
    while clock.milliseconds() < deadline {
      if let signal = signals.received {
        if signal == SIGHUP {
          log("the terminal hung up; still waiting for 'polroute confirm'")
          signals.clear()
        } else {
          throw StepError("interrupted by \(SignalWatch.name(signal)) while waiting for confirmation")
        }
      }
      if handshake.isConfirmed() { return }
      if let source, source.poll(milliseconds: 100) { return }
      if source == nil { clock.sleep(milliseconds: 100) }
    }
    throw StepError("no confirmation within \(seconds) s")
  }
}
