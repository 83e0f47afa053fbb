// polroute-bench: times polroute against the iproute2 commands it is built on, side by side in one run.
// Usage: polroute-bench POLROUTE [--output FILE] [--only 1,2,...] [--runs N] [--routes N] [--fail-on-miss]
import Foundation

// First, before any other thread exists: SIGINT/SIGTERM/SIGHUP go to a thread that deletes the namespaces.
installSignalCleanup()

let usage = """
  usage: polroute-bench POLROUTE [--output FILE] [--only ROWS] [--runs N] [--routes N] [--nice N] [--fail-on-miss]

    POLROUTE        the polroute binary to measure (make bench passes the release build)
    --output FILE   also write the table as JSON (make bench: bench/results.json)
    --only ROWS     run only these benchmarks, e.g. --only 1,5 (rows: 1 2 3 4 5 6 7 8 9a 9b 10a 10b 10c)
    --runs N        runs per side for every row, instead of each row's own count (trials only)
    --routes N      routes in main for benchmark 2 instead of 1000000 (trials only)
    --nice N        scheduling priority of the harness and everything it runs (default -10, so that other work on
                    the machine disturbs the runs less; both sides of every ratio run at the same priority)
    --fail-on-miss  exit 1 when a goal does not hold (a benchmark that cannot run always exits 1)

  polroute-bench --write-snapshot N FILE   writes benchmark 5's snapshot with N uplinks (for profiling by hand)
  polroute-bench --write-policy N FILE     writes benchmark 3's policy with N routes and N rules

  Needs root: it creates network namespaces (prb-PID-...) and always deletes them.

  """

func parseOptions(_ arguments: [String]) -> Options? {
  var options = Options()
  var rest = arguments[...]
  while let argument = rest.popFirst() {
    switch argument {
    case "--output": options.output = rest.popFirst()
    case "--only": options.only = rest.popFirst().map { Set($0.split(separator: ",").map(String.init)) }
    case "--runs":
      guard let value = rest.popFirst().flatMap({ Int($0) }), value > 0 else { return nil }
      options.runs = value
    case "--routes":
      guard let value = rest.popFirst().flatMap({ Int($0) }), value > 0 else { return nil }
      options.millionRoutes = value
    case "--nice":
      guard let value = rest.popFirst().flatMap({ Int32($0) }) else { return nil }
      options.nice = value
    case "--fail-on-miss": options.failOnMiss = true
    case "-h", "--help": return nil
    default:
      guard !argument.hasPrefix("-"), options.polroute.isEmpty else { return nil }
      options.polroute = argument
    }
  }
  return options.polroute.isEmpty ? nil : options
}

/// The machine, for the record: the numbers mean little without it.
func machine(polroute: String) -> [String: String] {
  func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
  func firstLine(_ arguments: [String]) -> String {
    ((try? Spawn.run(arguments, capture: true))?.outputText ?? "").split(separator: "\n").first.map(String.init) ?? ""
  }
  var name = utsname()
  uname(&name)
  let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
  let model =
    read("/proc/cpuinfo").split(separator: "\n").first { $0.hasPrefix("model name") }
    .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "?"
  let memory = read("/proc/meminfo").split(separator: "\n").first { $0.hasPrefix("MemTotal") }.map(String.init) ?? "?"
  return [
    "cpus": String(sysconf(Int32(_SC_NPROCESSORS_ONLN))), "cpuModel": model, "kernel": release,
    "memory": memory.replacingOccurrences(of: "MemTotal:", with: "").trimmingCharacters(in: .whitespaces),
    "iproute2": firstLine(["ip", "-V"]), "polroute": firstLine([polroute, "--version"]),
    "loadAverageAtStart": read("/proc/loadavg").trimmingCharacters(in: .whitespacesAndNewlines),
    "date": ISO8601DateFormatter().string(from: Date()),
    "nice": String(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)),
  ]
}

// The inputs, for profiling one case by hand: `polroute-bench --write-snapshot 10000 big.json`,
// `polroute-bench --write-policy 10000 bulk.conf`.
let commandLine = Array(CommandLine.arguments.dropFirst())
if commandLine.count == 3, ["--write-snapshot", "--write-policy"].contains(commandLine[0]),
  let count = Int(commandLine[1])
{
  let text =
    commandLine[0] == "--write-snapshot" ? Fixtures.snapshot(uplinks: count) : Fixtures.bulkPolicy(count: count)
  do { try text.write(toFile: commandLine[2], atomically: true, encoding: .utf8) } catch {
    log("error: \(error)")
    exit(1)
  }
  exit(0)
}

guard var options = parseOptions(commandLine) else {
  FileHandle.standardError.write(Data(usage.utf8))
  exit(64)
}
guard geteuid() == 0 else {
  log("needs root (it creates network namespaces): run 'sudo make bench'")
  exit(1)
}
if !options.polroute.contains("/") {
  log("give the polroute binary as a path")
  exit(64)
}
options.polroute = URL(fileURLWithPath: options.polroute).standardizedFileURL.path
guard access(options.polroute, X_OK) == 0 else {
  log("\(options.polroute) is not an executable")
  exit(1)
}
if access("/etc/polroute.conf", F_OK) == 0 {
  log("warning: /etc/polroute.conf exists; 'plan' and 'inspect' on a live host read it instead of deriving the policy")
}

if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, options.nice) != 0 {
  log("warning: cannot set the priority to \(options.nice): \(String(cString: strerror(errno)))")
}

var exitCode: Int32 = 0
do {
  try NetnsSwitch.setUp()
  Namespace.deleteStale()
  var template = Array("/tmp/\(Namespace.temporaryPrefix)\(getpid()).XXXXXX".utf8CString)
  guard let made = mkdtemp(&template) else { throw BenchError(description: "mkdtemp failed") }
  let temp = String(cString: made)
  Namespace.registerDirectory(temp)

  var facts = machine(polroute: options.polroute)
  let header =
    "polroute \(facts["polroute"] ?? "?") on \(facts["cpus"] ?? "?") × \(facts["cpuModel"] ?? "?"), "
    + "Linux \(facts["kernel"] ?? "?"), \(facts["memory"] ?? "?"), \(facts["iproute2"] ?? "?"); load \(facts["loadAverageAtStart"] ?? "?")"
  log(header)

  let bench = Bench(options: options, temp: temp)
  bench.runAll()
  facts["loadAverageAtEnd"] = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
    .trimmingCharacters(in: .whitespacesAndNewlines)

  var text = "\npolroute-bench: " + header + "\n\n" + Report.table(bench.rows)
  let missed = bench.rows.filter { $0.holds == false }.map(\.id)
  let judged = bench.rows.filter { $0.holds != nil }.count
  text +=
    "\n\(judged - missed.count) of \(judged) goals hold"
    + (missed.isEmpty ? "" : "; missed: \(missed.joined(separator: ", "))") + ".\n"
  for (id, error) in bench.failures { text += "benchmark \(id) could not run: \(error)\n" }
  print(text, terminator: "")
  if let output = options.output {
    try Report.json(bench.rows, machine: facts).write(to: URL(fileURLWithPath: output))
    log("wrote \(output)")
  }
  if !bench.failures.isEmpty || (options.failOnMiss && !missed.isEmpty) { exitCode = 1 }
} catch {
  log("error: \(error)")
  exitCode = 1
}
Namespace.deleteAll()
exit(exitCode)
