import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// How many soak cycles: `POLROUTE_SOAK_CYCLES`, or none.
let soakCycles = ProcessInfo.processInfo.environment["POLROUTE_SOAK_CYCLES"].flatMap(Int.init) ?? 0

/// The soak (`make soak`, `SOAK_CYCLES`, default 1,000; not part of `make test`): apply/rollback cycles in one
/// namespace. Odd cycles roll back with `polroute rollback` while the apply waits for its confirmation, even ones by
/// killing the apply (SIGKILL) so its watchdog restores. After each cycle the kernel must hold exactly what it held
/// before the first, the run directory only the lock, and no watchdog may be left. It prints the figures: time per
/// cycle, the apply's and the watchdog's memory (VmHWM) and open descriptors at the first and last cycles and at
/// most, and what the run directory held.
@Suite(
  "soak, live",
  .enabled(if: Live.enabled && soakCycles > 0, "set POLROUTE_SOAK_CYCLES (make soak)"),
  .requires(TestTool.namespaceHost), .serialized)
struct SoakLiveTests {
  /// How many cycles.
  static var cycles: Int { soakCycles }

  /// A figure from `/proc/PID/status` (`VmHWM`, in kB).
  static func status(_ pid: Int32, _ key: String) -> Int? {
    // /proc files have no size: read them as a stream.
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
      return Int(line.dropFirst(key.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }
    return nil
  }

  /// How many descriptors a process has open.
  static func descriptors(_ pid: Int32) -> Int? {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
  }

  /// First, last and largest of a series.
  static func summary(_ values: [Int], unit: String) -> String {
    guard let first = values.first, let last = values.last, let most = values.max() else { return "none" }
    let unit = unit.isEmpty ? "" : " " + unit
    return "first \(first)\(unit), last \(last)\(unit), at most \(most)\(unit)"
  }

  @Test("apply/rollback cycles: no rule or route leaks, no file or process left, memory and descriptors flat")
  func soak() throws {
    let host = try ApplyHost("soak")
    let policy = try host.policy(
      "auto\ntable soak 310\n"
        + (0..<50).map { "route blackhole 100.\(64 + $0 / 256).\($0 % 256).0/24 table soak\n" }.joined())
    let before = try host.server.dump()
    var applyMemory: [Int] = []
    var applyDescriptors: [Int] = []
    var watchdogMemory: [Int] = []
    var watchdogDescriptors: [Int] = []
    var leftovers: [String: Int] = [:]
    var failures = 0
    let start = Date()
    var done = 0
    for cycle in 1...Self.cycles {
      done = cycle
      let apply = try host.start(["apply", "--policy", policy, "--confirm", "600"])
      let pid = try host.waitingApply()
      let watchdogs = host.watchdogs()
      if let memory = Self.status(pid, "VmHWM") { applyMemory.append(memory) }
      if let count = Self.descriptors(pid) { applyDescriptors.append(count) }
      if let watchdog = watchdogs.first {
        if let memory = Self.status(watchdog, "VmHWM") { watchdogMemory.append(memory) }
        if let count = Self.descriptors(watchdog) { watchdogDescriptors.append(count) }
      }
      #expect(
        watchdogs.count == 1,
        "cycle \(cycle): record \(TestPaths.read(host.recordPath) ?? "none"), log \(host.run.read("watchdog.log") ?? "")"
      )
      if cycle % 2 == 1 {
        let rollback = try host.polroute(["rollback"])
        #expect(rollback.status == 0, "cycle \(cycle): \(rollback.errorText)")
        #expect(apply.wait() == 1, "cycle \(cycle)")
      } else {
        kill(pid, SIGKILL)
        #expect(apply.wait() == 128 + SIGKILL, "cycle \(cycle)")
      }
      let restored = try eventually(seconds: 30) { try host.server.dump() == before && host.recordGone }
      let gone = eventually(seconds: 10) { host.watchdogs().isEmpty }
      let names = TestPaths.list(host.run.path)
      for name in names where name != "lock" && name != "watchdog.log" { leftovers[name, default: 0] += 1 }
      if !restored || !gone || !names.allSatisfy({ $0 == "lock" || $0 == "watchdog.log" }) {
        failures += 1
        Issue.record("cycle \(cycle): restored \(restored), watchdog gone \(gone), run directory \(names)")
        if failures > 5 { break }
      }
    }
    let seconds = Date().timeIntervalSince(start)
    print(
      """
      soak: \(done) cycles in \(Int(seconds)) s, \(Int(seconds * 1000) / max(done, 1)) ms per cycle \
      (apply --confirm to its question, then polroute rollback or SIGKILL and the watchdog's restore, and the checks)
      soak: apply VmHWM \(Self.summary(applyMemory, unit: "kB")); descriptors \(Self.summary(applyDescriptors, unit: ""))
      soak: watchdog VmHWM \(Self.summary(watchdogMemory, unit: "kB")); descriptors \
      \(Self.summary(watchdogDescriptors, unit: ""))
      soak: cycles that did not end as before: \(failures); files left in the run directory besides the lock: \
      \(leftovers.isEmpty ? "none" : "\(leftovers)")
      """)
    // Every other cycle the watchdog restores, and says so in its log.
    let log = host.run.read("watchdog.log") ?? ""
    let restores = log.split(separator: "\n").filter { $0.contains("restored the host") }.count
    print("soak: the watchdog's log: \(restores) restores, \(log.split(separator: "\n").count - restores) other lines")
    #expect(restores == done / 2)
    #expect(failures == 0)
    #expect(leftovers.isEmpty)
    #expect(try host.server.dump() == before)
  }
}
