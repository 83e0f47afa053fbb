import Foundation
import Glibc
import PolrouteCore
import PolrouteSystem
import Synchronization
import TestSupport
import Testing

/// Fault injection at every step of a transaction: for a representative plan (the derived policies of the dual-homed host
/// and of the recorded dual-stack host, so both families are written), the k-th command polroute runs fails,
/// for every k from the first read to the last check of the rollback. Whatever failed (a read, a batch chunk, the
/// read-back, a probe, a restore read or write), the kernel must end holding exactly the snapshot.
@Suite("fault injection, scripted")
struct FaultInjectionTests {
  /// The hosts the plans are made for.
  static func hosts() throws -> [(String, HostState)] {
    [("dual-homed", SampleHosts.dualHomed), ("dual-stack", try RecordedHost.read("dual-stack").state)]
  }

  /// An error the commit throws, so the rollback runs after a complete apply.
  struct CommitFailed: Error, CustomStringConvertible { var description: String { "commit failed" } }

  /// Applies to a kernel holding `host` whose command `failing` (1-based; nil: none) fails; the commit fails too when
  /// `failCommit` is set. Returns the kernel, the snapshot and the failure.
  static func run(_ host: HostState, failing: Int?, failCommit: Bool) throws -> (
    kernel: FakeKernel, snapshot: HostState, failure: ApplyFailure?
  ) {
    let kernel = FakeKernel(
      host,
      intercept: { index, command in
        guard index == failing else { return nil }
        return CommandResult(status: 2, errorOutput: Array("injected failure of \(command)\n".utf8))
      })
    let reader = StateReader(runner: kernel, files: InMemoryFileSystem())
    // The snapshot is read before the fault counts (an apply plans from a read it already made).
    let snapshot = try StateReader(runner: FakeKernel(host), files: InMemoryFileSystem()).read()
    let policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
    let transactor = Transactor(
      runner: kernel, reader: reader, log: { _ in }, signals: TransactorTests.ScriptedSignals(SIGTERM, after: .max),
      clock: TransactorTests.JumpingClock())
    do {
      _ = try transactor.apply(snapshot: snapshot, policy: policy, options: ApplyOptions(), confirmation: nil) {
        if failCommit { throw CommitFailed() }
        return []
      }
      return (kernel, snapshot, nil)
    } catch let failure as ApplyFailure {
      return (kernel, snapshot, failure)
    }
  }

  /// What the kernel holds that the snapshot does not, and the other way round (empty: exactly the snapshot's rules
  /// and routes).
  static func differences(_ kernel: FakeKernel, _ snapshot: HostState) throws -> [String] {
    // Read as polroute reads it (the fault was injected once, and is past), as the snapshot was.
    let now = try StateReader(runner: kernel, files: InMemoryFileSystem()).read()
    var found: [String] = Set(now.rules).subtracting(snapshot.rules).map { "extra rule \($0)" }
    found += Set(snapshot.rules).subtracting(now.rules).map { "missing rule \($0)" }
    found += Set(now.routes).subtracting(snapshot.routes).map { "extra route \($0)" }
    found += Set(snapshot.routes).subtracting(now.routes).map { "missing route \($0)" }
    if found.isEmpty && now.rules != snapshot.rules { found.append("the rules in another order") }
    return found
  }

  @Test("the k-th command fails, for every k of the apply and of its rollback: the kernel ends as the snapshot")
  func everyCommandFails() throws {
    for (name, host) in try Self.hosts() {
      let clean = try Self.run(host, failing: nil, failCommit: false)
      #expect(clean.failure == nil, "\(name)")
      let applyCommands = clean.kernel.log.count
      let full = try Self.run(host, failing: nil, failCommit: true)
      let allCommands = full.kernel.log.count
      #expect(full.failure?.restored == true, "\(name)")
      // At least the write, the read-back and the probes; the rollback reads, writes and checks.
      #expect(applyCommands >= 3, "\(name): \(clean.kernel.log.map(\.description))")
      #expect(allCommands > applyCommands + 2, "\(name)")
      for k in 1...allCommands {
        // A fault among the apply's own commands fails the apply; one after them, in the rollback that a failed
        // commit starts.
        let run = try Self.run(host, failing: k, failCommit: k > applyCommands)
        let failure = try #require(run.failure, "\(name), command \(k): the apply succeeded")
        #expect(failure.restored, "\(name), command \(k) (\(run.kernel.log[k - 1])): \(failure)")
        let differences = try Self.differences(run.kernel, run.snapshot)
        #expect(differences.isEmpty, "\(name), command \(k) (\(run.kernel.log[k - 1])): \(differences)")
        if k <= applyCommands {
          #expect(failure.cause.contains("injected failure"), "\(name), command \(k): \(failure.cause)")
        } else {
          #expect(failure.cause == "commit failed", "\(name), command \(k)")
        }
      }
    }
  }

  /// Records what a transaction tells its guard, in order.
  final class RecordingGuard: ChangeGuard, @unchecked Sendable {
    /// The calls, and the kernel writes made before each.
    let calls = Mutex<[String]>([])
    /// The kernel, to count its writes at each call.
    let kernel: FakeKernel
    /// Whether `arm` fails.
    let armFails: Bool

    /// Records for `kernel`; `armFails` makes `arm` throw.
    init(kernel: FakeKernel, armFails: Bool = false) {
      self.kernel = kernel
      self.armFails = armFails
    }

    /// Records the call and the writes made so far.
    func arm(snapshot: HostState, tables: Set<UInt32>) throws {
      calls.withLock { $0.append("arm after \(kernel.writes.count) writes, tables \(tables.sorted())") }
      if armFails { throw PendingChangeError("cannot write the record") }
    }
    /// Records the call.
    func waiting(deadline: Int64) throws { calls.withLock { $0.append("waiting") } }
    /// Records the call.
    func disarm() throws { calls.withLock { $0.append("disarm") } }
  }

  /// A confirmation source that says `yes` at once.
  struct Yes: ConfirmationSource {
    /// Yes.
    func poll(milliseconds: Int) -> Bool { true }
  }

  @Test("with --confirm the record is armed before the first kernel write and removed once confirmed or restored")
  func guardOrder() throws {
    let run = try TemporaryDirectory("guard")
    for confirmed in [true, false] {
      let kernel = FakeKernel(SampleHosts.dualHomed)
      let reader = StateReader(runner: kernel, files: InMemoryFileSystem())
      let snapshot = try reader.read()
      let policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
      let recorder = RecordingGuard(kernel: kernel)
      let transactor = Transactor(
        runner: kernel, reader: reader, log: { _ in }, signals: TransactorTests.ScriptedSignals(SIGTERM, after: .max),
        clock: TransactorTests.JumpingClock())
      _ = try? transactor.apply(
        snapshot: snapshot, policy: policy,
        options: ApplyOptions(confirmSeconds: 2, runDirectory: run.path, changeGuard: recorder),
        confirmation: confirmed ? Yes() : nil
      ) { [] }
      let tables = policy.tables.map(\.number).sorted()
      #expect(recorder.calls.withLock { $0 } == ["arm after 0 writes, tables \(tables)", "waiting", "disarm"])
    }
  }

  @Test("a record that cannot be written stops the apply before the kernel changes")
  func armFailure() throws {
    let kernel = FakeKernel(SampleHosts.dualHomed)
    let reader = StateReader(runner: kernel, files: InMemoryFileSystem())
    let snapshot = try reader.read()
    let policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
    let recorder = RecordingGuard(kernel: kernel, armFails: true)
    let transactor = Transactor(runner: kernel, reader: reader, log: { _ in })
    #expect(throws: PendingChangeError.self) {
      try transactor.apply(
        snapshot: snapshot, policy: policy, options: ApplyOptions(confirmSeconds: 2, changeGuard: recorder),
        confirmation: nil
      ) { [] }
    }
    #expect(kernel.writes.isEmpty)
    #expect(kernel.state.rules == snapshot.rules)
  }

  @Test("without --confirm nothing is recorded")
  func noGuardWithoutConfirm() throws {
    let kernel = FakeKernel(SampleHosts.dualHomed)
    let reader = StateReader(runner: kernel, files: InMemoryFileSystem())
    let snapshot = try reader.read()
    let policy = try PolicyResolver(state: snapshot, document: nil, isSnapshot: false).resolve()
    let recorder = RecordingGuard(kernel: kernel)
    let transactor = Transactor(runner: kernel, reader: reader, log: { _ in })
    _ = try transactor.apply(
      snapshot: snapshot, policy: policy, options: ApplyOptions(changeGuard: recorder), confirmation: nil
    ) { [] }
    #expect(recorder.calls.withLock { $0 }.isEmpty)
  }
}
