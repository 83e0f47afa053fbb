import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// Signals at random points of real applies (issue 16): SIGINT, SIGTERM, SIGHUP and SIGKILL after a random delay,
/// many times, with the seed printed so a failure can be replayed (`POLROUTE_SIGNAL_SEED`; `POLROUTE_SIGNAL_ROUNDS`
/// runs more rounds, `POLROUTE_SIGNALS=KILL,HUP` sends only those). The host never ends half-applied: an `apply --confirm` that is signalled ends exactly as before
/// (by its own rollback, its watchdog, or `polroute rollback` after a SIGHUP it rightly ignores while it waits), and a
/// plain apply killed mid-batch is finished by the next apply with no duplicates; the lock is free after each round.
@Suite("signals at random points, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost), .serialized)
struct SignalLiveTests {
  /// The seed: from the environment, or the time.
  static let seed: UInt64 = {
    if let text = ProcessInfo.processInfo.environment["POLROUTE_SIGNAL_SEED"], let seed = UInt64(text) { return seed }
    return UInt64(Date().timeIntervalSince1970 * 1000)
  }()

  /// How many rounds each test runs.
  static func rounds(_ fallback: Int) -> Int {
    ProcessInfo.processInfo.environment["POLROUTE_SIGNAL_ROUNDS"].flatMap(Int.init) ?? fallback
  }

  /// A policy whose apply takes long enough to be caught mid-way: the derived uplinks and 2,000 routes in a table.
  static let bulkPolicy =
    "auto\ntable bulk 300\n"
    + (0..<2000).map { "route blackhole 100.\(64 + $0 / 256).\($0 % 256).0/24 table bulk\n" }.joined()

  /// The signals sent: all four, or those `POLROUTE_SIGNALS` names (`KILL,HUP`).
  static let signals: [Int32] = {
    let all: [String: Int32] = ["INT": SIGINT, "TERM": SIGTERM, "HUP": SIGHUP, "KILL": SIGKILL]
    let named = (ProcessInfo.processInfo.environment["POLROUTE_SIGNALS"] ?? "").split(separator: ",")
      .compactMap { all[String($0)] }
    return named.isEmpty ? [SIGINT, SIGTERM, SIGHUP, SIGKILL] : named
  }()

  /// The signal's name.
  static func name(_ signal: Int32) -> String { signal == SIGKILL ? "SIGKILL" : SignalWatch.name(signal) }

  @Test("apply --confirm signalled at a random point ends exactly as before, the record, watchdog and lock gone")
  func confirmedApplies() throws {
    let host = try ApplyHost("sigconf")
    let policy = try host.policy(Self.bulkPolicy)
    let before = try host.server.dump()
    var generator = SeededGenerator(seed: Self.seed)
    print("signals at random points: seed \(Self.seed)")
    var outcomes: [String: Int] = [:]
    for round in 1...Self.rounds(8) {
      let signal = Self.signals.randomElement(using: &generator)!
      let delay = Int.random(in: 0...900, using: &generator)
      let label = "seed \(Self.seed), round \(round): \(Self.name(signal)) after \(delay) ms"
      let apply = try host.start(["apply", "--policy", policy, "--confirm", "60"])
      usleep(UInt32(delay) * 1000)
      kill(apply.pid, signal)
      var outcome: String?
      if !eventually(seconds: 5, { !apply.isRunning }) {
        // SIGHUP while it waits for a confirmation does not end the wait; 'polroute rollback' does.
        #expect(signal == SIGHUP, "\(label): still running")
        let rollback = try host.polroute(["rollback"])
        #expect(rollback.status == 0, "\(label): \(rollback.errorText)")
        #expect(rollback.outputText.hasPrefix("rolled back: "), "\(label)")
        outcome = "SIGHUP while waiting, then polroute rollback"
      }
      let status = apply.wait()
      let stderr = apply.stderr
      if signal == SIGKILL {
        outcome = "SIGKILL (the watchdog restores once the record is written)"
      } else if outcome == nil {
        outcome =
          stderr.contains("interrupted by \(Self.name(signal)) while waiting for confirmation")
          ? "signalled while waiting"
          : stderr.contains("rolling back: interrupted by") ? "signalled mid-change" : "signalled before any change"
      }
      outcomes[outcome!, default: 0] += 1
      #expect(status != 0, "\(label): the apply succeeded without a confirmation")
      #expect(
        try eventually(seconds: 30) { try host.server.dump() == before && host.recordGone },
        "\(label): \(apply.stderr); record gone \(host.recordGone); watchdog log: \(host.run.read("watchdog.log") ?? "")"
      )
      #expect(eventually(seconds: 10) { host.watchdogs().isEmpty }, "\(label)")
      #expect(host.handshakeGone, "\(label)")
      // The lock is free: an apply that may not wait takes it (and finds the change to make).
      let dry = try host.polroute(["plan", "--policy", policy, "--detailed-exitcode"])
      #expect(dry.status == 2, "\(label)")
    }
    print(
      "signals at random points: "
        + outcomes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
    let free = try host.polroute(["apply", "--policy", policy, "--wait", "0"])
    #expect(free.status == 0, "\(free.errorText)")
  }

  @Test("a plain apply killed at a random point: the next apply finishes it exactly, with nothing twice")
  func killedApplies() throws {
    let host = try ApplyHost("sigkill")
    let bulk = try host.policy(Self.bulkPolicy, name: "bulk.conf")
    let small = try host.policy(autoPolicy, name: "small.conf")
    // What a clean apply of each leaves.
    #expect(try host.polroute(["apply", "--policy", bulk]).status == 0)
    let bulkDump = try host.server.dump()
    #expect(try host.polroute(["apply", "--policy", small]).status == 0)
    let smallDump = try host.server.dump()
    var generator = SeededGenerator(seed: Self.seed &+ 1)
    print("killed applies: seed \(Self.seed &+ 1)")
    for round in 1...Self.rounds(6) {
      let (target, wanted) = round % 2 == 1 ? (bulk, bulkDump) : (small, smallDump)
      let signal = Self.signals.randomElement(using: &generator)!
      let delay = Int.random(in: 0...800, using: &generator)
      let label = "seed \(Self.seed &+ 1), round \(round): \(Self.name(signal)) after \(delay) ms"
      let apply = try host.start(["apply", "--policy", target])
      usleep(UInt32(delay) * 1000)
      kill(apply.pid, signal)
      let status = apply.wait()
      if signal != SIGKILL {
        // Caught: rolled back to the other policy's state, or done before the signal came.
        let now = try host.server.dump()
        #expect(now == wanted || now == (wanted == bulkDump ? smallDump : bulkDump), "\(label): status \(status)")
      }
      let next = try host.polroute(["apply", "--policy", target, "--wait", "10"])
      #expect(next.status == 0, "\(label): \(next.errorText)")
      #expect(try host.server.dump() == wanted, "\(label)")
      #expect(try host.planStatus(target) == 0, "\(label)")
    }
  }
}
