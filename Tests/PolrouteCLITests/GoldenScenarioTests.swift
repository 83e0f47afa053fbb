import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI

/// Runs the CLI in-process over each scenario under Tests/Scenarios and compares with its golden files.
///
/// A scenario is `input/host` (the name of a recorded host under Tests/Fixtures/hosts) or `input/state.json` (a
/// snapshot), plus an optional `input/policy.conf` or `input/policy.json`. Golden files:
/// - `expected/policy.conf` — `polroute policy`, or `expected/errors.txt` when the policy is refused
/// - `expected/diagnostics.txt` — the warnings and notes it prints on stderr
/// - `expected/plan.txt` — `polroute plan` against the host
/// - `expected/inspect.txt` — `polroute inspect` of the host: its findings
/// - `expected/files/` — every file `polroute render --format all --root` writes, compared as a set, then one by one
@Suite("Golden scenarios")
struct GoldenScenarioTests {
  /// Every scenario directory.
  static let scenarios = TestPaths.list(TestPaths.scenarios)

  @Test("scenario", arguments: scenarios)
  func scenario(_ name: String) throws {
    let scenario = GoldenScenario(name: name)
    let policyRun = scenario.run(["policy"])
    if policyRun.status != 0 {
      check(policyRun.stderr + "exit \(policyRun.status)\n", "errors.txt", scenario)
      return
    }
    check(policyRun.stdout, "policy.conf", scenario)
    check(policyRun.stderr, "diagnostics.txt", scenario)
    check(scenario.run(["plan"]).stdout, "plan.txt", scenario)
    check(scenario.run(["inspect"]).stdout, "inspect.txt", scenario)

    // Every format, written under a temporary root: the exact set of files first, then each file.
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("polroute-golden-\(name)-\(getpid())").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let render = scenario.run(["render", "--format", "all", "--root", root])
    #expect(render.status == 0, "render failed: \(render.stderr)")
    let written = TestPaths.files(under: root)
    let expectedDirectory = scenario.directory + "/expected/files"
    if let problem = Golden.checkFileSet(written, in: expectedDirectory) { Issue.record(Comment(rawValue: problem)) }
    for path in written {
      // Headers name the policy file: shown relative to the package, so golden files are portable.
      let text = (TestPaths.read(root + "/" + path) ?? "").replacingOccurrences(
        of: TestPaths.packageRoot + "/", with: "")
      if let problem = Golden.check(text, against: expectedDirectory + "/" + path) {
        Issue.record(Comment(rawValue: problem))
      }
    }

    // The printed policy, parsed back, resolves to the same policy on the same host.
    let state = try scenario.state()
    let original = try scenario.resolve(document: scenario.policyDocument(), state: state)
    let reparsed = PolicyParser.parse(policyRun.stdout, file: "printed")
    #expect(
      reparsed.diagnostics.filter { $0.severity == .error }.isEmpty,
      "printed policy does not parse: \(reparsed.diagnostics)")
    let roundTrip = try scenario.resolve(document: reparsed.document, state: state)
    #expect(roundTrip.kernelView == original.kernelView, "the printed policy resolves differently")
  }

  /// Records a golden mismatch as a test issue.
  func check(_ actual: String, _ file: String, _ scenario: GoldenScenario) {
    if let problem = Golden.check(actual, against: scenario.directory + "/expected/" + file) {
      Issue.record(Comment(rawValue: problem))
    }
  }
}

/// One scenario's inputs and how to run the CLI on them.
struct GoldenScenario {
  /// The scenario's name.
  let name: String

  /// Its directory.
  var directory: String { TestPaths.scenarios + "/" + name }

  /// The recorded host it uses, if any.
  var host: FixtureHost? {
    TestPaths.read(directory + "/input/host").map { FixtureHost($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }

  /// The policy file, if any.
  var policyPath: String? {
    ["policy.conf", "policy.json"].map { directory + "/input/" + $0 }.first {
      FileManager.default.fileExists(atPath: $0)
    }
  }

  /// The arguments every command gets: the snapshot (when there is no recorded host) and the policy.
  var commonArguments: [String] {
    var arguments: [String] = []
    if host == nil { arguments += ["--state", directory + "/input/state.json"] }
    if let policyPath { arguments += ["--policy", policyPath] }
    return arguments
  }

  /// Runs polroute in-process; paths under the package are shown relative to it, so golden files are portable.
  func run(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
    let stdout = CapturedSink()
    let stderr = CapturedSink()
    let context = CLIContext(
      runner: host?.runner() ?? ReplayRunner(directory: "/nonexistent"),
      hostFiles: host?.files ?? RootedFileSystem(root: "/nonexistent"),
      environment: [:], stdout: stdout, stderr: stderr, isRoot: false)
    let status = CLI.run(arguments + commonArguments, context: context)
    let prefix = TestPaths.packageRoot + "/"
    return (
      status, stdout.text.replacingOccurrences(of: prefix, with: ""),
      stderr.text.replacingOccurrences(of: prefix, with: "")
    )
  }

  /// The host state the scenario plans for.
  func state() throws -> HostState {
    if let host { return try host.state() }
    let path = directory + "/input/state.json"
    return try Snapshot.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
  }

  /// The parsed policy file, if any.
  func policyDocument() -> PolicyDocument? {
    guard let policyPath, let data = FileManager.default.contents(atPath: policyPath) else { return nil }
    return policyPath.hasSuffix(".json")
      ? PolicyJSON.parse(Array(data), file: policyPath).document
      : PolicyParser.parse(String(decoding: data, as: UTF8.self), file: policyPath).document
  }

  /// Resolves a policy against the state.
  func resolve(document: PolicyDocument?, state: HostState) throws -> Policy {
    try PolicyResolver(state: state, document: document, isSnapshot: host == nil).resolve()
  }
}
