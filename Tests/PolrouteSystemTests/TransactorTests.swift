import Foundation
import Glibc
import PolrouteCore
import PolrouteSystem
import Synchronization
import TestSupport
import Testing

/// The transaction's failure paths, run against a scripted kernel without root: a rejected line, a failed
/// verification, a failed restore, a signal, a confirmation that never comes, and a commit that fails. Each must
/// end with the host as it was (or, when the restore itself fails, say so without hiding the first error).
@Suite("transaction, scripted")
struct TransactorTests {
  /// A signal that arrives when the transaction asks for the `after`-th time whether one came.
  final class ScriptedSignals: SignalSource {
    /// How many times it was asked, and whether it was cleared.
    let asked = Mutex(0)
    /// The signal.
    let signal: Int32
    /// From which question on it is there.
    let after: Int

    /// `signal` arrives at question `after`.
    init(_ signal: Int32, after: Int) {
      self.signal = signal
      self.after = after
    }

    func install() {}
    var received: Int32? {
      asked.withLock { count in
        count += 1
        return count >= after ? signal : nil
      }
    }
    func clear() {}
  }

  /// A clock that moves on by what is slept, at once.
  final class JumpingClock: TransactionClock {
    /// The time now.
    let now = Mutex<Int64>(0)
    func milliseconds() -> Int64 { now.withLock { $0 } }
    func sleep(milliseconds: Int) { now.withLock { $0 += Int64(milliseconds) } }
  }

  /// A confirmation source that says `yes` at once.
  struct Yes: ConfirmationSource {
    func poll(milliseconds: Int) -> Bool { true }
  }

  /// The dual-homed host and its derived policy, and a transactor over a kernel holding it.
  struct Setup {
    let kernel: FakeKernel
    let snapshot: HostState
    let policy: Policy
    let transactor: Transactor

    init(
      rejectLine: (@Sendable (String) -> String?)? = nil, afterWrite: (@Sendable (inout HostState) -> Void)? = nil,
      signals: any SignalSource = ScriptedSignals(SIGTERM, after: .max), clock: any TransactionClock = JumpingClock()
    ) throws {
      kernel = FakeKernel(SampleHosts.dualHomed, rejectLine: rejectLine, afterWrite: afterWrite)
      let reader = StateReader(runner: kernel, files: InMemoryFileSystem())
      snapshot = try reader.read()
      policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
      transactor = Transactor(runner: kernel, reader: reader, log: { _ in }, signals: signals, clock: clock)
    }

    /// Applies, and returns the failure it ends with (nil when it succeeded).
    func apply(
      confirmSeconds: Int? = nil, confirmation: (any ConfirmationSource)? = nil, runDirectory: String = "/nonexistent",
      commit: () throws -> [FileChange] = { [] }
    ) -> ApplyFailure? {
      do {
        _ = try transactor.apply(
          snapshot: snapshot, policy: policy,
          options: ApplyOptions(confirmSeconds: confirmSeconds, runDirectory: runDirectory),
          confirmation: confirmation, commit: commit)
        return nil
      } catch let failure as ApplyFailure {
        return failure
      } catch {
        Issue.record("not an ApplyFailure: \(error)")
        return nil
      }
    }

    /// Whether the kernel holds what it held before the apply.
    var restored: Bool {
      let now = kernel.state
      return now.rules == snapshot.rules && Set(now.routes) == Set(snapshot.routes)
    }
  }

  @Test("a clean apply changes the kernel to the policy, verifies it, and leaves nothing to do")
  func cleanApply() throws {
    let setup = try Setup()
    #expect(setup.apply() == nil)
    let after = try StateReader(runner: setup.kernel, files: InMemoryFileSystem()).read()
    #expect(KernelPlan.make(state: after, policy: setup.policy).isEmpty)
  }

  @Test("the read-back reads what the changes touched: a table's routes put back read only that family's routes")
  func readBackOfWhatChanged() throws {
    let removedLater = Mutex(false)
    let setup = try Setup(afterWrite: { state in
      // The second apply's write: another tool deletes one of the routes it put back.
      if removedLater.withLock({ $0 }) { state.routes.removeAll { $0.table == 100 && $0.isDefault } }
    })
    #expect(setup.apply() == nil)
    // The kernel emptied the uplink's table, as when its address went away and came back.
    setup.kernel.change { $0.routes.removeAll { $0.table == 100 } }
    let reader = StateReader(runner: setup.kernel, files: InMemoryFileSystem())
    let emptied = try reader.read()
    let plan = KernelPlan.make(state: emptied, policy: setup.policy)
    #expect(!plan.changes.isEmpty && plan.changes.allSatisfy { !$0.isRule && $0.family == .inet })
    let before = setup.kernel.log.count
    _ = try setup.transactor.apply(
      snapshot: emptied, policy: setup.policy, options: ApplyOptions(runDirectory: "/nonexistent"),
      confirmation: nil, commit: { [] })
    // The reads, not the probes (`ip -j -force -batch -` of `route get`).
    let reads = setup.kernel.log[before...].filter {
      $0.arguments.contains("-j") && $0.arguments.contains("-batch") && !$0.arguments.contains("-force")
    }
    #expect(reads.map(\.arguments) == [["ip", "-4", "-j", "-batch", "-"]])
    #expect(reads.map { String(decoding: $0.input ?? [], as: UTF8.self) } == ["route show table all\n"])
    #expect(!setup.kernel.log[before...].contains { $0.arguments.contains("addr") })
    #expect(KernelPlan.make(state: try reader.read(), policy: setup.policy).isEmpty)

    // What the read-back reads, it checks: a route gone behind polroute's back fails the apply, which restores.
    setup.kernel.change { $0.routes.removeAll { $0.table == 100 } }
    removedLater.withLock { $0 = true }
    let failure = try #require(
      throws: ApplyFailure.self,
      performing: {
        try setup.transactor.apply(
          snapshot: emptied, policy: setup.policy, options: ApplyOptions(runDirectory: "/nonexistent"),
          confirmation: nil, commit: { [] })
      })
    #expect(failure.cause.hasPrefix("verification failed after the apply:\n  route missing: default via"))
    #expect(failure.restored)
    #expect(!setup.kernel.state.routes.contains { $0.table == 100 })
  }

  @Test(
    "probes started before the plan: the verification when nothing changes, waited for and probed again after a change")
  func earlyProbes() throws {
    let setup = try Setup()
    func probeBatches() -> Int {
      setup.kernel.log.count { $0.arguments.contains("-force") && $0.arguments.contains("-j") }
    }
    // A change: the early probes run once, and the apply probes again after it.
    let early = setup.transactor.startProbes(snapshot: setup.snapshot, policy: setup.policy, scope: nil)
    _ = try setup.transactor.apply(
      snapshot: setup.snapshot, policy: setup.policy, options: ApplyOptions(runDirectory: "/nonexistent"),
      confirmation: nil, early: early, commit: { [] })
    #expect(probeBatches() == 2)
    // Nothing to change: the early probes are the verification, and the same as probing then.
    let now = try StateReader(runner: setup.kernel, files: InMemoryFileSystem()).read()
    let before = probeBatches()
    let again = setup.transactor.startProbes(snapshot: now, policy: setup.policy, scope: nil)
    let outcome = try setup.transactor.apply(
      snapshot: now, policy: setup.policy, options: ApplyOptions(runDirectory: "/nonexistent"), confirmation: nil,
      early: again, commit: { [] })
    #expect(probeBatches() == before + 1)
    let earlyResults = try again.results.value()
    #expect(!outcome.probes.isEmpty && outcome.probes == earlyResults)
    let probedThen = try setup.transactor.apply(
      snapshot: now, policy: setup.policy, options: ApplyOptions(runDirectory: "/nonexistent"), confirmation: nil,
      commit: { [] })
    #expect(probedThen.probes == outcome.probes)
  }

  @Test("work on another thread gives its value, or its error, to every call", .timeLimit(.minutes(1)))
  func backgroundWorkTwice() throws {
    let work = BackgroundWork { 42 }
    #expect(work.value() == 42)
    #expect(work.value() == 42)
    struct Failure: Error {}
    let failing = BackgroundWork<Int, any Error> { throw Failure() }
    #expect(throws: Failure.self) { try failing.value() }
    #expect(throws: Failure.self) { try failing.value() }
  }

  @Test("work on another thread starts at once, however many others are running", .timeLimit(.minutes(1)))
  func backgroundWorkStartsAtOnce() {
    // More pieces of work than CPUs, each waiting for all the others to start: a pool as wide as the CPUs (Dispatch's
    // global queue) starts only some, and the rule dumps of a read queued behind a policy being parsed that way.
    let count = ProcessInfo.processInfo.activeProcessorCount + 2
    let started = DispatchSemaphore(value: 0)
    let gate = DispatchSemaphore(value: 0)
    let works = (0..<count).map { index in
      BackgroundWork { () -> Int in
        started.signal()
        gate.wait()
        return index
      }
    }
    var allStarted = true
    for _ in 0..<count where started.wait(timeout: .now() + .milliseconds(500)) == .timedOut { allStarted = false }
    for _ in 0..<count { gate.signal() }
    #expect(allStarted, "only some of \(count) pieces of work started within half a second")
    #expect(works.map { $0.value() } == Array(0..<count))
  }

  @Test("the stages a progress line shows, in order: writing, reading back, verifying, persisting; a rollback too")
  func stages() throws {
    let seen = Mutex<[ApplyStage]>([])
    let kernel = FakeKernel(SampleHosts.dualHomed)
    let reader = StateReader(runner: kernel, files: InMemoryFileSystem())
    let snapshot = try reader.read()
    let policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
    let transactor = Transactor(
      runner: kernel, reader: reader, log: { _ in }, progress: { stage in seen.withLock { $0.append(stage) } })
    let plan = KernelPlan.make(state: snapshot, policy: policy)
    _ = try transactor.apply(snapshot: snapshot, policy: policy, options: ApplyOptions(), confirmation: nil) { [] }
    let probes = Verification.probes(policy: policy, state: snapshot).count
    #expect(
      seen.withLock { $0 } == [
        .writing(family: .inet, done: 0, total: plan.changes.count), .readingBack, .verifying(probes: probes),
        .persisting,
      ])
    // A commit that fails rolls the kernel back, and says so.
    seen.withLock { $0 = [] }
    let fresh = FakeKernel(SampleHosts.dualHomed)
    let failing = Transactor(
      runner: fresh, reader: StateReader(runner: fresh, files: InMemoryFileSystem()), log: { _ in },
      progress: { stage in seen.withLock { $0.append(stage) } })
    _ = try? failing.apply(snapshot: snapshot, policy: policy, options: ApplyOptions(), confirmation: nil) {
      throw CommandError.failed(command: "persist", status: 1, stderr: "disk full")
    }
    #expect(
      seen.withLock { $0 } == [
        .writing(family: .inet, done: 0, total: plan.changes.count), .readingBack, .verifying(probes: probes),
        .persisting, .rollingBack,
      ])
  }

  @Test(
    "seed 002's host: data has no known gateway, so its address is listed unresolved with its fix, and the rest verified"
  )
  func unresolvedAddress() throws {
    var host = SampleHosts.dualHomed
    host.routes.removeAll { $0.device == "data" && $0.hasGateway }
    let kernel = FakeKernel(host)
    let reader = StateReader(runner: kernel, files: InMemoryFileSystem())
    let snapshot = try reader.read()
    let policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
    #expect(policy.excluded.first { $0.name == "data" }?.reason == .noGateway)
    let outcome = try Transactor(runner: kernel, reader: reader, log: { _ in }).apply(
      snapshot: snapshot, policy: policy, options: ApplyOptions(), confirmation: nil, commit: { [] })
    #expect(
      outcome.unresolved == [
        Verification.Unresolved(
          address: IPAddress("203.0.113.10")!, interface: "data", leaves: "mgmt",
          reason: "data is not an uplink: a local network: no gateway is known",
          fix: "uplink data dev data via GATEWAY; or, if data is a local network and not an uplink: exclude data")
      ])
    // mgmt's address and both connected networks are as the policy says.
    #expect(outcome.probes.filter { $0.probe.promised }.allSatisfy { $0.passed })
    // Applied again, nothing changes, and the same address is still unresolved.
    let after = try reader.read()
    let againPolicy = try PolicyResolver(state: after, document: nil, isSnapshot: false).resolve()
    let again = try Transactor(runner: kernel, reader: reader, log: { _ in }).apply(
      snapshot: after, policy: againPolicy,
      options: ApplyOptions(), confirmation: nil, commit: { [] })
    #expect(again.changes.isEmpty)
    #expect(again.unresolved.map(\.address) == [IPAddress("203.0.113.10")!])
  }

  @Test("where rt_tables names polroute's tables, ip route get prints the names: the probes read them")
  func namedTables() throws {
    // Found by the boot unit's live test: an apply after 'apply --persist' wrote rt_tables.d/polroute.conf failed
    // its probes ("printed table 'data', which polroute cannot interpret") and rolled back.
    let names = "# Generated by polroute\n100\tdata\n101\tmgmt\n"
    let kernel = FakeKernel(SampleHosts.dualHomed, tableNames: [100: "data", 101: "mgmt"])
    let reader = StateReader(runner: kernel, files: InMemoryFileSystem([PolrouteFiles.rtTables: names]))
    let snapshot = try reader.read()
    let policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
    let outcome = try Transactor(runner: kernel, reader: reader, log: { _ in }).apply(
      snapshot: snapshot, policy: policy, options: ApplyOptions(confirmSeconds: nil, runDirectory: "/nonexistent"),
      confirmation: nil, commit: { [] })
    #expect(!outcome.probes.isEmpty && outcome.probes.allSatisfy(\.passed), "\(outcome.probes)")
  }

  @Test("a line the kernel rejects: the first error names the line, and the host is restored")
  func rejectedLine() throws {
    let setup = try Setup(rejectLine: {
      $0.hasPrefix("rule add from 198.51.100.10") ? "RTNETLINK answers: Invalid argument" : nil
    })
    let failure = try #require(setup.apply())
    #expect(failure.cause.hasPrefix("`ip -4 -batch -` line "))
    #expect(failure.cause.contains("failed: RTNETLINK answers: Invalid argument"))
    #expect(failure.cause.contains("the line was: rule add from 198.51.100.10 lookup 101 priority 20001 protocol 177"))
    #expect(failure.restored)
    #expect(setup.restored)
  }

  @Test("a rule removed behind polroute's back after the write: verification fails, and the host is restored")
  func failedVerification() throws {
    let setup = try Setup(afterWrite: { state in
      state.rules.removeAll { $0.priority == 20000 && $0.family == .inet }
    })
    let failure = try #require(setup.apply())
    #expect(
      failure.cause
        == "verification failed after the apply:\n  rule missing: 20000: from 203.0.113.10 lookup data")
    #expect(failure.restored)
    #expect(setup.restored)
  }

  @Test("a restore line the kernel rejects too: the first error stays first, and what is left is printed")
  func failedRestore() throws {
    // The apply's rule fails; then the restore cannot delete the link route the apply added.
    let setup = try Setup(rejectLine: { line in
      if line.hasPrefix("rule add from 198.51.100.10") { return "RTNETLINK answers: Invalid argument" }
      if line.hasPrefix("route del 203.0.113.0/24") { return "RTNETLINK answers: Operation not permitted" }
      return nil
    })
    let failure = try #require(setup.apply())
    #expect(!failure.restored)
    #expect(failure.description.hasPrefix(failure.cause))
    #expect(failure.description.contains("!!! ROLLBACK FAILED: the host is NOT as it was before the apply !!!"))
    #expect(failure.restoreProblem?.contains("Operation not permitted") == true)
    #expect(failure.remaining == ["ip -4 route del 203.0.113.0/24 dev data table 100"])
    #expect(!setup.restored)
  }

  @Test("SIGTERM between the IPv4 and IPv6 batches: interrupted, and the IPv4 changes are undone")
  func signal() throws {
    // The transaction asks before the first chunk of each family and once after the last.
    let setup = try Setup(signals: ScriptedSignals(SIGTERM, after: 2))
    let failure = try #require(setup.apply())
    #expect(failure.cause == "interrupted by SIGTERM")
    #expect(failure.restored)
    #expect(setup.restored)
    #expect(
      setup.kernel.writes.map { $0.arguments } == [
        ["ip", "-4", "-batch", "-"], ["ip", "-4", "-force", "-batch", "-"],
      ])
  }

  @Test("no confirmation by the deadline: rolled back; a yes in time keeps the change")
  func confirmation() throws {
    let run = try TemporaryDirectory("confirm")
    let setup = try Setup()
    let failure = try #require(setup.apply(confirmSeconds: 2, runDirectory: run.path))
    #expect(failure.cause == "no confirmation within 2 s")
    #expect(failure.restored)
    #expect(setup.restored)
    #expect(!FileManager.default.fileExists(atPath: run.path + "/pending"), "the handshake file was left behind")

    let confirmed = try Setup()
    #expect(confirmed.apply(confirmSeconds: 2, confirmation: Yes(), runDirectory: run.path) == nil)
    #expect(!confirmed.restored)
  }

  @Test("persisting the files fails after the kernel change: the kernel change is rolled back too")
  func failedCommit() throws {
    let setup = try Setup()
    struct DiskFull: Error, CustomStringConvertible { var description: String { "no space left on device" } }
    let failure = try #require(setup.apply(commit: { throw DiskFull() }))
    #expect(failure.cause == "no space left on device")
    #expect(failure.restored)
    #expect(setup.restored)
  }

  /// The fake kernel, with route lookups answered over "rtnetlink" by `answer`; with `holdFirst`, the first call (the
  /// early probes) waits until it is cancelled.
  final class AskingKernel: CommandRunner {
    let kernel = FakeKernel(SampleHosts.dualHomed)
    let holdFirst: Bool
    let answer: @Sendable (RouteLookup, [Interface]) -> NetlinkRouteLookup.Answer
    let asked = Mutex<[[RouteLookup]]>([])
    /// Signalled when the first call arrives.
    let firstAsked = DispatchSemaphore(value: 0)
    init(
      holdFirst: Bool = false, answer: @escaping @Sendable (RouteLookup, [Interface]) -> NetlinkRouteLookup.Answer
    ) {
      self.holdFirst = holdFirst
      self.answer = answer
    }
    func run(_ command: Command, output: ((UnsafeRawBufferPointer) throws -> Void)?) throws -> CommandResult {
      try kernel.run(command, output: output)
    }
    var canLookUpRoutes: Bool { true }
    func lookUpRoutes(_ lookups: [RouteLookup], cancellation: Cancellation?) throws -> [NetlinkRouteLookup.Answer] {
      let first = asked.withLock { calls in
        calls.append(lookups)
        return calls.count == 1
      }
      if first { firstAsked.signal() }
      if first && holdFirst {
        // Never cancelled, the lookups answer after five seconds, and the test sees it.
        let deadline = DispatchTime.now() + .seconds(5)
        while cancellation?.isCancelled != true && DispatchTime.now() < deadline { usleep(1000) }
        if cancellation?.isCancelled == true { throw CancelledError() }
      }
      let interfaces = kernel.state.interfaces
      return lookups.map { answer($0, interfaces) }
    }
  }

  @Test("probes over rtnetlink: in the probes' order, each device named by its index, no route as none")
  func probesOverRTNetlink() throws {
    let runner = AskingKernel { lookup, interfaces in
      switch lookup.source.description {
      case "203.0.113.10": return .failed(errno: ENETUNREACH)
      case "198.51.100.10": return .route(interfaceIndex: 999, gateway: nil)
      default:
        let own = interfaces.first { $0.addresses.contains { $0.address.address == lookup.source } }
        return .route(interfaceIndex: own.map { UInt32($0.index) }, gateway: IPAddress("192.0.2.1"))
      }
    }
    let reader = StateReader(runner: runner, files: InMemoryFileSystem())
    let snapshot = try reader.read()
    let policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
    let transactor = Transactor(runner: runner, reader: reader, log: { _ in }, probeProcesses: 3, probesPerProcess: 1)
    let probes = Transactor.probes(policy: policy, state: snapshot, scope: nil)
    let results = try transactor.startProbes(snapshot: snapshot, policy: policy, scope: nil).results.value()
    // No `ip route get` ran; the early lookups went to one socket and came back in the probes' order.
    #expect(!runner.kernel.log.contains { $0.arguments.contains("-force") })
    #expect(runner.asked.withLock { $0.map(\.count) } == [probes.count])
    #expect(results.map(\.probe) == probes.sorted { $0.source.family == .inet && $1.source.family == .inet6 })
    for result in results {
      switch result.probe.source.description {
      case "203.0.113.10": #expect(result.device == nil && result.gateway == nil)
      case "198.51.100.10": #expect(result.device == "if999")
      default:
        #expect(result.device == result.probe.interface, "\(result)")
        #expect(result.gateway == IPAddress("192.0.2.1"))
      }
    }
    #expect(Set(results.map(\.probe.source.description)).isSuperset(of: ["203.0.113.10", "198.51.100.10"]))
  }

  @Test("a change cancels the early probes, which would take a processor from it; the probes after it are split")
  func earlyProbesCancelled() throws {
    let expected = Mutex<[RouteLookup: Verification.Probe]>([:])
    let runner = AskingKernel(holdFirst: true) { lookup, interfaces in
      // Where each probe expects its lookup to leave.
      guard let probe = expected.withLock({ $0[lookup] }) else { return .failed(errno: ENETUNREACH) }
      let device = interfaces.first { $0.name == probe.device }
      return .route(interfaceIndex: device.map { UInt32($0.index) }, gateway: probe.gateway)
    }
    let reader = StateReader(runner: runner, files: InMemoryFileSystem())
    let snapshot = try reader.read()
    let policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
    let probes = Transactor.probes(policy: policy, state: snapshot, scope: nil)
    expected.withLock { map in
      for probe in probes { map[RouteLookup(destination: probe.destination, source: probe.source)] = probe }
    }
    let transactor = Transactor(runner: runner, reader: reader, log: { _ in }, probeProcesses: 3, probesPerProcess: 1)
    let early = transactor.startProbes(snapshot: snapshot, policy: policy, scope: nil)
    // The early lookups are asked before the apply starts (on a loaded machine their thread could start after the
    // probes of the change, and be taken for them).
    #expect(runner.firstAsked.wait(timeout: .now() + .seconds(60)) == .success)
    let outcome = try transactor.apply(
      snapshot: snapshot, policy: policy, options: ApplyOptions(runDirectory: "/nonexistent"), confirmation: nil,
      early: early, commit: { [] })
    #expect(!outcome.changes.isEmpty)
    #expect(throws: CancelledError.self) { try early.results.value() }
    #expect(outcome.probes.count == probes.count && outcome.probes.allSatisfy(\.passed), "\(outcome.probes)")
    let sizes = runner.asked.withLock { $0.map(\.count) }
    #expect(sizes.first == probes.count && sizes.count == 4 && sizes.dropFirst().reduce(0, +) == probes.count)
  }

  @Test("the probes after a change start as soon as it is written, while it is read back")
  func probesOverlapReadBack() throws {
    /// Holds the read-back after the change until a lookup has been asked (or 30 seconds have passed).
    final class OverlapKernel: CommandRunner {
      let kernel = FakeKernel(SampleHosts.dualHomed)
      let written = Mutex(false)
      let looked = DispatchSemaphore(value: 0)
      let overlapped = Mutex<Bool?>(nil)
      func run(_ command: Command, output: ((UnsafeRawBufferPointer) throws -> Void)?) throws -> CommandResult {
        let input = String(decoding: command.input ?? [], as: UTF8.self)
        if input.contains("show"), written.withLock({ $0 }), overlapped.withLock({ $0 == nil }) {
          let asked = looked.wait(timeout: .now() + 30) == .success
          overlapped.withLock { $0 = asked }
        }
        if input.contains("route replace") || input.contains("rule add") { written.withLock { $0 = true } }
        return try kernel.run(command, output: output)
      }
      var canLookUpRoutes: Bool { true }
      func lookUpRoutes(_ lookups: [RouteLookup], cancellation: Cancellation?) throws -> [NetlinkRouteLookup.Answer] {
        looked.signal()
        let interfaces = kernel.state.interfaces
        return lookups.map { lookup in
          let own = interfaces.first { $0.addresses.contains { $0.address.address == lookup.source } }
          return .route(interfaceIndex: own.map { UInt32($0.index) }, gateway: nil)
        }
      }
    }
    let runner = OverlapKernel()
    let reader = StateReader(runner: runner, files: InMemoryFileSystem())
    let snapshot = try reader.read()
    let policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
    let transactor = Transactor(runner: runner, reader: reader, log: { _ in })
    // The answers are not the policy's, so the apply fails and rolls back: what matters is when they were asked.
    #expect(throws: ApplyFailure.self) {
      try transactor.apply(
        snapshot: snapshot, policy: policy, options: ApplyOptions(runDirectory: "/nonexistent"), confirmation: nil,
        commit: { [] })
    }
    #expect(runner.overlapped.withLock { $0 } == true)
  }

  @Test("probes split between several ip processes answer exactly as one process does, in the same order")
  func splitProbes() throws {
    func run(processes: Int) throws -> (probes: [ProbeResult], batches: [String]) {
      let kernel = FakeKernel(SampleHosts.dualHomed)
      let reader = StateReader(runner: kernel, files: InMemoryFileSystem())
      let snapshot = try reader.read()
      let policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
      let transactor = Transactor(
        runner: kernel, reader: reader, log: { _ in }, signals: ScriptedSignals(SIGTERM, after: .max),
        clock: JumpingClock(), probeProcesses: processes, probesPerProcess: 2)
      let outcome = try transactor.apply(
        snapshot: snapshot, policy: policy, options: ApplyOptions(runDirectory: "/nonexistent"), confirmation: nil
      ) { [] }
      let batches = kernel.log.filter { $0.arguments.contains("-force") && $0.arguments.contains("-j") }.map {
        String(decoding: $0.input ?? [], as: UTF8.self)
      }
      return (outcome.probes, batches)
    }
    let one = try run(processes: 1)
    let three = try run(processes: 3)
    #expect(one.probes.count >= 4, "\(one.probes)")
    #expect(one.probes.allSatisfy { $0.passed }, "\(one.probes)")
    #expect(three.probes == one.probes)
    // The same lines, split: one process per family before, several now.
    #expect(three.batches.count > one.batches.count, "\(three.batches)")
    #expect(three.batches.joined() == one.batches.joined())
  }
}
