import Foundation

/// The harness's settings.
struct Options: Sendable {
  /// The polroute binary.
  var polroute = ""
  /// Where the JSON goes.
  var output: String?
  /// Rows to run ("1" ... "6"); nil for all.
  var only: Set<String>?
  /// Runs per side for every row instead of each row's own count (for quick trials).
  var runs: Int?
  /// Routes in main for benchmark 2.
  var millionRoutes = 1_000_000
  /// Rules and routes applied in benchmark 3.
  var bulk = 10_000
  /// Uplinks of benchmark 5's two snapshots.
  var uplinks = (small: 1_000, large: 10_000)
  /// The harness's nice value, inherited by everything it runs.
  var nice: Int32 = -10
  /// Exit 1 when a goal does not hold.
  var failOnMiss = false
}

/// One timed run.
struct Sample: Sendable {
  /// Wall seconds.
  var seconds: Double
  /// Peak RSS in KiB.
  var maxrssKiB: Int
}

/// A benchmark that could not be measured (its setup or a check failed).
struct BenchError: Error, CustomStringConvertible {
  let description: String
}

/// Runs the benchmarks and collects the rows.
final class Bench {
  let options: Options
  /// A temporary directory for policies, snapshots and apply's run directory.
  let temp: String
  /// Rows measured so far.
  var rows: [Row] = []
  /// Rows that failed, with the error.
  var failures: [(String, String)] = []

  init(options: Options, temp: String) {
    self.options = options
    self.temp = temp
  }

  var polroute: String { options.polroute }

  /// A row's run count, unless --runs overrides it.
  func runs(_ count: Int) -> Int { options.runs ?? count }

  /// Whether a row was asked for.
  func wants(_ id: String) -> Bool { options.only?.contains(id) ?? true }

  /// Runs every side `runs` times after `warmup` rounds, interleaved: each round runs every side once, and the order
  /// rotates from round to round, so that whatever else the machine is doing falls on all sides alike.
  func interleaved(_ label: String, runs: Int, warmup: Int = 1, sides: [() throws -> Sample]) throws -> [[Sample]] {
    var results = Array(repeating: [Sample](), count: sides.count)
    let rounds = warmup + runs
    let started = monotonicSeconds()
    for round in 0..<rounds {
      for offset in 0..<sides.count {
        let index = (offset + round) % sides.count
        let sample = try sides[index]()
        if round >= warmup { results[index].append(sample) }
      }
      if monotonicSeconds() - started > 5 || round + 1 == rounds {
        log("\(label): round \(round + 1) of \(rounds) (\(round < warmup ? "warm-up" : "measured"))")
      }
    }
    return results
  }

  /// Runs a command that must succeed and times it.
  func timed(_ arguments: [String], input: [UInt8]? = nil, environment: [String: String] = [:]) throws -> Sample {
    let result = try Spawn.check(arguments, input: input, environment: environment)
    return Sample(seconds: result.seconds, maxrssKiB: result.maxrssKiB)
  }

  /// Runs commands one after the other, each of which must succeed: their times summed, the largest peak memory.
  func timedInTurn(_ commands: [(arguments: [String], input: [UInt8]?)]) throws -> Sample {
    let samples = try commands.map { try timed($0.arguments, input: $0.input) }
    return Sample(seconds: samples.map(\.seconds).reduce(0, +), maxrssKiB: samples.map(\.maxrssKiB).max() ?? 0)
  }

  /// The three reads `plan` makes of a live host, one after the other: `ip -d -j addr show`, and for each family
  /// `ip -j -batch -` of `rule show` and `route show table all`.
  func planReads() throws -> Sample {
    let batch = Array("rule show\nroute show table all\n".utf8)
    return try timedInTurn([
      (["ip", "-d", "-j", "addr", "show"], nil), (["ip", "-4", "-j", "-batch", "-"], batch),
      (["ip", "-6", "-j", "-batch", "-"], batch),
    ])
  }

  /// A time row from interleaved samples (seconds in, milliseconds shown).
  func timeRow(
    _ id: String, _ title: String, subject: String, baseline: String, _ mine: [Sample], _ theirs: [Sample]?, goal: Goal,
    notes: [String] = []
  ) -> Row {
    var row = Row(
      id: id, title: title, subject: subject, baselineLabel: baseline, unit: "ms",
      polroute: Summary(mine.map { $0.seconds * 1000 }), baseline: theirs.map { Summary($0.map { $0.seconds * 1000 }) },
      goal: goal,
      notes: notes)
    if let theirs { row.pairedRatios = zip(mine, theirs).map { $0.seconds / $1.seconds } }
    if !row.pairedRatios.isEmpty {
      let paired = Summary(row.pairedRatios)
      row.notes.append(
        "paired ratios (each run over the baseline run next to it): median \(format(paired.median))× [\(format(paired.min))–\(format(paired.max))]"
      )
    }
    return row
  }

  /// Runs one benchmark; a failure is recorded and the others still run.
  func attempt(_ ids: [String], _ body: () throws -> Void) {
    guard ids.contains(where: wants) else { return }
    do {
      try body()
    } catch {
      log("benchmark \(ids.joined(separator: ", ")) failed: \(error)")
      for id in ids where wants(id) { failures.append((id, "\(error)")) }
    }
  }

  /// Every benchmark, the cheap ones first and the million routes last (their setup and teardown load the
  /// machine most).
  func runAll() {
    attempt(["6"], startup)
    attempt(["5"], renderScaling)
    attempt(["3", "4"], bulkApply)
    attempt(["9a", "9b"], oneInterface)
    attempt(["10a", "10b", "10c"], balancedUplinks)
    attempt(["1", "2", "7", "8"], twoUplinks)
    rows.sort { $0.id.localizedStandardCompare($1.id) == .orderedAscending }
  }

  // MARK: 6

  /// 6: `polroute --version` against `ip -V`: what starting a process costs.
  func startup() throws {
    let samples = try interleaved(
      "6 startup", runs: runs(21),
      sides: [
        { try self.timed([self.polroute, "--version"]) }, { try self.timed(["ip", "-V"]) },
      ])
    rows.append(
      timeRow("6", "startup", subject: "polroute --version", baseline: "ip -V", samples[0], samples[1], goal: .none))
  }

  // MARK: 5

  /// 5: `render --format all` for 1,000 and 10,000 uplinks: ten times the uplinks must cost at most 12 times as much.
  func renderScaling() throws {
    let (small, large) = options.uplinks
    var paths: [Int: String] = [:]
    var notes: [String] = []
    for count in [small, large] {
      let path = "\(temp)/uplinks-\(count).json"
      try Fixtures.snapshot(uplinks: count).write(toFile: path, atomically: false, encoding: .utf8)
      paths[count] = path
      // Check once that the snapshot is read and rendered (and how much it renders).
      let result = try Spawn.check([polroute, "render", "--format", "all", "--state", path], capture: true)
      let files = result.outputText.split(separator: "\n").filter { $0.hasPrefix("### ") }.count
      notes.append("\(count) uplinks: \(files) files, \(result.output.count / 1024) KiB rendered")
    }
    let command = { (count: Int) in [self.polroute, "render", "--format", "all", "--state", paths[count]!] }
    let samples = try interleaved(
      "5 render", runs: runs(7),
      sides: [
        { try self.timed(command(large)) }, { try self.timed(command(small)) },
      ])
    rows.append(
      timeRow(
        "5", "render --format all: \(large) vs \(small) uplinks",
        subject: "polroute render --format all --state (snapshot with \(large) uplinks)",
        baseline: "the same with \(small) uplinks (ratio: cost of \(large / small)× the uplinks)", samples[0],
        samples[1],
        goal: .ratioAtMost(12), notes: notes))
  }

  // MARK: 3 and 4

  /// 3: apply 10,000 rules and 10,000 routes on an empty host against `ip -batch` of the same lines; 4: apply again
  /// with nothing to change against one `ip -j rule show`.
  func bulkApply() throws {
    let count = options.bulk
    let (host, router) = try Fixtures.bulkHost("apply")
    defer {
      host.delete()
      router.delete()
    }
    let policyPath = "\(temp)/bulk.conf"
    try Fixtures.bulkPolicy(count: count).write(toFile: policyPath, atomically: false, encoding: .utf8)
    let runDirectory = "\(temp)/run-apply"
    mkdir(runDirectory, 0o755)
    let environment = ["POLROUTE_RUN_DIR": runDirectory]
    let apply = [polroute, "apply", "--policy", policyPath, "--json"]

    try NetnsSwitch.inside(host) {
      // The lines polroute would run, as `plan --json` prints them; the baseline feeds them to one `ip -4 -batch -`.
      let plan = try Spawn.check([polroute, "plan", "--policy", policyPath, "--json"], capture: true)
      guard let document = try JSONSerialization.jsonObject(with: Data(plan.output)) as? [String: Any],
        let kernel = document["kernel"] as? [[String: Any]]
      else { throw BenchError(description: "plan --json printed no \"kernel\" list") }
      let lines = kernel.compactMap { $0["batchLine"] as? String }
      let families = Set(kernel.compactMap { $0["family"] as? String })
      guard lines.count == 2 * count, families == ["inet"] else {
        throw BenchError(
          description:
            "plan --json: \(lines.count) lines of families \(families.sorted()), expected \(2 * count) of inet")
      }
      let input = Array((lines.joined(separator: "\n") + "\n").utf8)

      /// Removes what either side added, untimed, and checks that it is gone.
      func reset() throws {
        // `ip rule flush` deletes while it dumps, and the dump skips rules: repeat until only the 3 defaults remain.
        var rules = 0
        for _ in 0..<50 {
          try Spawn.check(["ip", "-4", "rule", "flush", "protocol", "177"])
          rules = try Spawn.check(["ip", "-4", "rule", "show"], capture: true).outputText.split(separator: "\n").count
          if rules <= 3 { break }
        }
        _ = try Spawn.run(["ip", "-4", "route", "flush", "table", "300"])  // fails when the table does not exist
        let routes = try Spawn.run(["ip", "-4", "route", "show", "table", "300"], capture: true).output.count
        guard rules == 3, routes == 0 else {
          throw BenchError(description: "reset left \(rules) rules and \(routes) bytes of table 300")
        }
      }
      /// Parses apply's JSON: whether it changed anything and how many `ip` processes changed the kernel.
      func outcome(_ result: RunResult) throws -> (changed: Bool, commands: Int) {
        guard let document = try JSONSerialization.jsonObject(with: Data(result.output)) as? [String: Any],
          let changed = document["changed"] as? Bool, let commands = document["commandsRun"] as? Int
        else { throw BenchError(description: "apply --json printed no changed/commandsRun") }
        return (changed, commands)
      }

      var commandsRun: Set<Int> = []
      let samples = try interleaved(
        "3 apply \(count)+\(count)", runs: runs(7),
        sides: [
          {
            try reset()
            let result = try Spawn.check(apply, capture: true, environment: environment)
            let (changed, commands) = try outcome(result)
            guard changed else { throw BenchError(description: "apply on an empty table changed nothing") }
            commandsRun.insert(commands)
            return Sample(seconds: result.seconds, maxrssKiB: result.maxrssKiB)
          },
          {
            try reset()
            return try self.timed(["ip", "-4", "-batch", "-"], input: input)
          },
        ])
      rows.append(
        timeRow(
          "3", "apply \(count) rules + \(count) routes from empty",
          subject:
            "polroute apply --policy bulk.conf --json (\(commandsRun.sorted().map(String.init).joined(separator: "/")) ip -batch processes)",
          baseline: "ip -4 -batch - with the \(lines.count) batchLine lines of plan --json", samples[0], samples[1],
          goal: .ratioAtMost(1.2),
          notes: ["namespace reset before every run, untimed (rule flush protocol 177, route flush table 300)"]))

      guard wants("4") else { return }
      // 4: the policy is in place; a second apply must run nothing.
      try reset()
      let first = try outcome(try Spawn.check(apply, capture: true, environment: environment))
      let present = try Spawn.check(["ip", "-4", "rule", "show"], capture: true).outputText.split(separator: "\n").count
      guard first.changed, present == count + 3 else {
        throw BenchError(
          description: "after the untimed apply: changed \(first.changed), \(present) rules (expected \(count + 3))")
      }
      let idle = try interleaved(
        "4 apply, nothing to change", runs: runs(11),
        sides: [
          {
            let result = try Spawn.check(apply, capture: true, environment: environment)
            let (changed, commands) = try outcome(result)
            guard !changed, commands == 0 else {
              throw BenchError(description: "a second apply reported changed \(changed) and commandsRun \(commands)")
            }
            return Sample(seconds: result.seconds, maxrssKiB: result.maxrssKiB)
          },
          { try self.timed(["ip", "-j", "rule", "show"]) },
        ])
      rows.append(
        timeRow(
          "4", "apply again, nothing to change (\(count) rules, \(count) routes present)",
          subject: "polroute apply --policy bulk.conf --json", baseline: "ip -j rule show", idle[0], idle[1],
          goal: .ratioAtMost(3),
          notes: ["every run checked: changed false, commandsRun 0; \(present) IPv4 rules present"]))
    }
  }

  // MARK: 1 and 2

  /// 1: `polroute plan` on a two-uplink host against the three reads it makes, run one after the other; 7: the same
  /// plan with its flow table against `plan --no-flows`; 2: inspect and plan with a million routes in main against
  /// one `ip -j route show table main`; 8: trace there against one `ip route get`.
  func twoUplinks() throws {
    let (host, router) = try Fixtures.twoUplinkHost("plan")
    var flushMain = false
    defer {
      host.delete(flushMain: flushMain)
      router.delete()
    }
    if wants("1") {
      try NetnsSwitch.inside(host) {
        let plan = try Spawn.check([polroute, "plan"], capture: true)
        let summary =
          plan.outputText.split(separator: "\n").first { $0.hasPrefix("Kernel:") }.map(String.init)
          ?? "(no Kernel: line)"
        let samples = try interleaved(
          "1 plan", runs: runs(15), sides: [{ try self.timed([self.polroute, "plan"]) }, { try self.planReads() }])
        rows.append(
          timeRow(
            "1", "plan, two uplinks", subject: "polroute plan (live, derived policy)",
            baseline:
              "ip -d -j addr show; ip -4 -j -batch -; ip -6 -j -batch - (rule show, route show table all), one after the other",
            samples[0], samples[1], goal: .ratioAtMost(1.5), notes: ["plan says: \(summary)"]))
      }
    }
    if wants("7") {
      try NetnsSwitch.inside(host) {
        let plan = try Spawn.check([polroute, "plan"], capture: true)
        let flows =
          plan.outputText.split(separator: "\n").first { $0.hasPrefix("Flows:") }.map(String.init)
          ?? "(no Flows: line)"
        let samples = try interleaved(
          "7 flow table", runs: runs(15),
          sides: [
            { try self.timed([self.polroute, "plan"]) }, { try self.timed([self.polroute, "plan", "--no-flows"]) },
          ])
        rows.append(
          timeRow(
            "7", "plan's flow table, two uplinks", subject: "polroute plan (with the flow table)",
            baseline: "polroute plan --no-flows", samples[0], samples[1], goal: .none, notes: ["plan says: \(flows)"]))
      }
    }
    guard wants("2") || wants("8") else { return }

    let count = options.millionRoutes
    log("2: adding \(count) routes to main in \(count / 10_000) ip -batch chunks")
    flushMain = true
    let started = monotonicSeconds()
    for chunk in 0..<(count + 9_999) / 10_000 {
      try host.ip(
        "-batch -", input: Fixtures.bulkRouteChunk(chunk, count: count, gateway: "198.51.100.1", device: "up0"))
    }
    log("2: routes added in \(format(monotonicSeconds() - started)) s")
    if wants("8") {
      try NetnsSwitch.inside(host) {
        // A destination among the million routes: trace reads every route that covers it, as the kernel has them.
        let trace = [polroute, "trace", "--to", "100.65.0.7", "--from", "198.51.100.10"]
        let answer = try Spawn.check(trace, capture: true)
        let outcome =
          answer.outputText.split(separator: "\n").first { $0.hasPrefix("  -> ") }.map(String.init) ?? "(no outcome)"
        let samples = try interleaved(
          "8 trace, \(count) routes", runs: runs(5),
          sides: [
            { try self.timed(trace) },
            { try self.timed(["ip", "route", "get", "100.65.0.7", "from", "198.51.100.10"]) },
          ])
        rows.append(
          timeRow(
            "8", "trace, \(count) routes in main", subject: "polroute trace (live, derived policy)",
            baseline: "ip route get 100.65.0.7 from 198.51.100.10", samples[0], samples[1], goal: .none,
            notes: ["trace says:\(outcome.dropFirst(4))"]))
      }
    }
    guard wants("2") else { return }
    try NetnsSwitch.inside(host) {
      // Once: what polroute read (kept and omitted routes), so the row says what was measured.
      let inspect = try Spawn.check([polroute, "inspect", "--json"], capture: true)
      guard let document = try JSONSerialization.jsonObject(with: Data(inspect.output)) as? [String: Any],
        let state = document["state"] as? [String: Any], let routes = state["routes"] as? [Any]
      else { throw BenchError(description: "inspect --json printed no state.routes") }
      let omitted = state["omittedRoutes"] as? Int ?? 0
      guard routes.count + omitted >= count else {
        throw BenchError(
          description: "inspect read \(routes.count) + \(omitted) omitted routes, fewer than the \(count) added")
      }
      let note = "inspect --json: \(routes.count) routes kept, \(omitted) omitted"
      // Time and memory come from separate runs, interleaved alike: memory is measured under GNU time (see
      // Spawn.peakMemory), which would add its own exec to a timed run.
      let commands = [[polroute, "inspect"], [polroute, "plan"], ["ip", "-j", "route", "show", "table", "main"]]
      var sides: [() throws -> Sample] = commands.map { command in { try self.timed(command) } }
      let haveTime = access(Spawn.timeProgram, X_OK) == 0
      if haveTime {
        sides += commands.map { command in { Sample(seconds: 0, maxrssKiB: try Spawn.peakMemory(command) ?? 0) } }
      } else {
        log(
          "2: \(Spawn.timeProgram) (GNU time) is missing: peak memory is wait4's ru_maxrss, which includes the harness's own"
        )
      }
      let samples = try interleaved("2 \(count) routes", runs: runs(5), sides: sides)
      let baseline = "ip -j route show table main"
      rows.append(
        timeRow(
          "2a", "inspect, \(count) routes in main", subject: "polroute inspect (live)", baseline: baseline, samples[0],
          samples[2],
          goal: .ratioAtMost(1.2), notes: [note]))
      rows.append(
        timeRow(
          "2b", "plan, \(count) routes in main", subject: "polroute plan (live, derived policy)", baseline: baseline,
          samples[1], samples[2],
          goal: .ratioAtMost(1.2)))
      let mebibytes = { (samples: [Sample]) in Summary(samples.map { Double($0.maxrssKiB) / 1024 }) }
      let memory = haveTime ? Array(samples[3...5]) : Array(samples[0...2])
      let how =
        haveTime
        ? "peak RSS from GNU time's wait4 (%M) in separate runs: polroute and the ip processes it waited for, whichever is larger"
        : "UPPER BOUND: wait4's ru_maxrss from the harness, which includes the harness's own peak (no /usr/bin/time)"
      for (id, name, index) in [("2c", "inspect", 0), ("2d", "plan", 1)] {
        rows.append(
          Row(
            id: id, title: "\(name) peak memory, \(count) routes", subject: "polroute \(name): maxrss",
            baselineLabel: "\(baseline): maxrss", unit: "MiB", polroute: mebibytes(memory[index]),
            baseline: mebibytes(memory[2]),
            goal: .maxAtMost(512, unit: "MiB"), notes: [how]))
      }
    }
  }
}
