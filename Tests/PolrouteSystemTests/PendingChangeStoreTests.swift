import Foundation
import Glibc
import PolrouteCore
import PolrouteSystem
import Synchronization
import TestSupport
import Testing

/// The pending-change files of `apply --confirm` and what the next apply does with a record it finds: restore the
/// snapshot of an apply that is gone, discard one from an earlier boot, refuse one whose apply still runs, and clear
/// the temporaries a killed writer left.
@Suite("pending change files")
struct PendingChangeStoreTests {
  /// A kernel holding the dual-homed host with the derived policy applied, and the host as it was before.
  static func appliedKernel() throws -> (kernel: FakeKernel, before: HostState, tables: Set<UInt32>) {
    let kernel = FakeKernel(SampleHosts.dualHomed)
    let reader = StateReader(runner: kernel, files: InMemoryFileSystem())
    let before = try reader.read()
    let policy = try PolicyResolver(state: before, document: nil, isSnapshot: false).resolve()
    let plan = KernelPlan.make(state: before, policy: policy)
    _ = try Transactor(runner: kernel, reader: reader, log: { _ in }).apply(
      snapshot: before, policy: policy, options: ApplyOptions(), confirmation: nil
    ) { [] }
    return (kernel, before, plan.ownership.adding(plan.touchedTables).tables)
  }

  /// A pid no process has (above the kernel's largest).
  static let deadPid: Int32 = 4_194_305

  /// Writes a record and its snapshot as an apply would.
  static func writeRecord(_ record: PendingChange, snapshot: HostState, in directory: String) throws {
    let files = RootedFileSystem()
    try files.write(directory + "/change.state", contents: try Snapshot(state: snapshot).encoded(), mode: 0o600)
    try files.write(directory + "/change", contents: Array(record.text.utf8), mode: 0o600)
  }

  @Test("an apply that is gone: the snapshot is restored exactly, then the record and its files are removed")
  func restoresAGoneApply() throws {
    let run = try TemporaryDirectory("pending-gone")
    let (kernel, before, tables) = try Self.appliedKernel()
    #expect(kernel.state.rules != before.rules)
    let record = PendingChange(
      token: "abc", pid: Self.deadPid, startTime: 7, bootID: try PendingChangeStore.bootID(), deadline: 5,
      tables: Array(tables))
    try Self.writeRecord(record, snapshot: before, in: run.path)
    // A write the killed apply did not finish, and its handshake.
    _ = try run.write(".change.polroute-0123456789abcdef", "half")
    _ = try run.write("pending", "\(Self.deadPid)\n")
    let notes = Mutex<[String]>([])
    try PendingChangeStore(directory: run.path).recoverStale(
      runner: kernel, reader: StateReader(runner: kernel, files: InMemoryFileSystem())
    ) { note in notes.withLock { $0.append(note) } }
    #expect(
      notes.withLock { $0 } == [
        "restoring the host as it was before an unconfirmed change: polroute apply (pid \(Self.deadPid)) that made "
          + "it is gone without a confirmation"
      ])
    let now = try StateReader(runner: kernel, files: InMemoryFileSystem()).read()
    #expect(now.rules == before.rules)
    #expect(Set(now.routes) == Set(before.routes))
    #expect(TestPaths.list(run.path).isEmpty)
  }

  @Test("a record from another boot is discarded: nothing is restored")
  func discardsAnotherBoot() throws {
    let run = try TemporaryDirectory("pending-boot")
    let (kernel, before, tables) = try Self.appliedKernel()
    let applied = kernel.state
    let record = PendingChange(
      token: "abc", pid: Self.deadPid, startTime: 7, bootID: "0", deadline: nil, tables: Array(tables))
    try Self.writeRecord(record, snapshot: before, in: run.path)
    let notes = Mutex<[String]>([])
    try PendingChangeStore(directory: run.path).recoverStale(
      runner: kernel, reader: StateReader(runner: kernel, files: InMemoryFileSystem())
    ) { note in notes.withLock { $0.append(note) } }
    #expect(notes.withLock { $0.first?.hasPrefix("discarded an unconfirmed change: ") } == true)
    #expect(kernel.state == applied)
    #expect(kernel.writes.count == 1, "only the apply wrote")
    #expect(TestPaths.list(run.path).isEmpty)
  }

  @Test("a record whose apply still runs (this process, same start time) is refused, and kept")
  func refusesALiveApply() throws {
    let run = try TemporaryDirectory("pending-live")
    let (kernel, before, tables) = try Self.appliedKernel()
    let me = try #require(PendingChangeStore.process(getpid()))
    let record = PendingChange(
      token: "abc", pid: getpid(), startTime: me.startTime, bootID: try PendingChangeStore.bootID(), deadline: nil,
      tables: Array(tables))
    try Self.writeRecord(record, snapshot: before, in: run.path)
    do {
      try PendingChangeStore(directory: run.path).recoverStale(
        runner: kernel, reader: StateReader(runner: kernel, files: InMemoryFileSystem())
      ) { _ in }
      Issue.record("a live apply's record was not refused")
    } catch {
      #expect(
        "\(error)"
          == "\(run.path)/change names polroute apply (pid \(getpid())), which still runs but does not hold the apply "
          + "lock; refusing to apply over its unconfirmed change (run 'polroute rollback', or remove the record)")
    }
    #expect(TestPaths.list(run.path) == ["change", "change.state"])
  }

  @Test("a record without its snapshot is an error that says what to do, and nothing is changed")
  func missingSnapshot() throws {
    let run = try TemporaryDirectory("pending-nosnap")
    let (kernel, _, tables) = try Self.appliedKernel()
    let applied = kernel.state
    let record = PendingChange(
      token: "abc", pid: Self.deadPid, startTime: 7, bootID: try PendingChangeStore.bootID(), deadline: nil,
      tables: Array(tables))
    _ = try run.write("change", record.text)
    #expect(throws: PendingChangeError.self) {
      try PendingChangeStore(directory: run.path).recoverStale(
        runner: kernel, reader: StateReader(runner: kernel, files: InMemoryFileSystem())
      ) { _ in }
    }
    do {
      _ = try PendingChangeStore(directory: run.path).snapshot()
    } catch {
      #expect(
        "\(error)"
          == "\(run.path)/change names an unconfirmed change, but its snapshot \(run.path)/change.state is missing: "
          + "check the host, then remove \(run.path)/change")
    }
    #expect(kernel.state == applied)
  }
}
