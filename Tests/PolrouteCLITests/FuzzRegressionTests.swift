import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI

/// Every input under Tests/Fuzz/regressions (crashes the fuzzer or an audit found) goes through the command that
/// reads its kind, and gets the exit status and the first lines of stderr pinned in Tests/Fuzz/expected (FILE
/// stands for the input's path). `ip -j` output has no command of its own: it goes through the route, rule and
/// address decoders, one line each. `make fuzz` also starts each target from these inputs.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
  /// Tests/Fuzz.
  static let directory = TestPaths.packageRoot + "/Tests/Fuzz"

  /// Every regression input, as (target, name).
  static let inputs: [(target: String, name: String)] = ["policy-text", "policy-json", "ip-json", "snapshot"].flatMap {
    target in TestPaths.list(directory + "/regressions/" + target).map { (target, $0) }
  }

  @Test func thereAreRegressionsForEveryJSONReader() {
    #expect(Set(Self.inputs.map(\.target)).isSuperset(of: ["policy-json", "ip-json", "snapshot"]))
  }

  @Test(arguments: inputs.map { "\($0.target)/\($0.name)" })
  func regression(_ input: String) throws {
    let path = Self.directory + "/regressions/" + input
    let expectedText = try #require(TestPaths.read(Self.directory + "/expected/" + input), "no expected/\(input)")
    let expected = expectedText.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let status = try #require(Int32(expected[0]))
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    let target = String(input.prefix { $0 != "/" })
    let (gotStatus, stderr, shownPath) = try Self.run(target, bytes: bytes, path: path)
    #expect(gotStatus == status, "\(stderr)")
    let wanted = (expected.count > 1 ? String(expected[1]) : "").split(
      separator: "\n", omittingEmptySubsequences: false
    )
    .map(String.init).filter { !$0.isEmpty }.map { $0.replacingOccurrences(of: "FILE", with: shownPath) }
    let got = stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(Array(got.prefix(wanted.count)) == wanted)
  }

  /// Runs an input the way its target reads it: the exit status, stderr and the path messages name.
  static func run(_ target: String, bytes: [UInt8], path: String) throws -> (Int32, String, String) {
    let snapshot = TestPaths.examples + "/dual-homed-server/state.json"
    switch target {
    case "policy-text", "policy-json":
      // The CLI picks the parser by the file's ending.
      let copy = TemporaryFile(target == "policy-json" ? "fuzz.json" : "fuzz.conf", "")
      try Data(bytes).write(to: URL(fileURLWithPath: copy.path))
      let run = CLIRun(["policy", "--state", snapshot, "--policy", copy.path])
      return (run.status, run.stderr, copy.path)
    case "snapshot":
      let run = CLIRun(["inspect", "--state", path])
      return (run.status, run.stderr, path)
    default:
      let decoder = IPOutputDecoder()
      var failed = false
      func outcome(_ label: String, _ body: () throws -> Void) -> String {
        do {
          try body()
          return "\(label): ok"
        } catch {
          failed = true
          return "\(label): \(error)"
        }
      }
      let lines = [
        outcome("routes") {
          _ = try decoder.routes(bytes, family: .inet, defaultTable: RoutingTable.main, command: "ip -j route show")
        },
        outcome("rules") { _ = try decoder.rules(bytes, family: .inet, command: "ip -j rule show") },
        outcome("interfaces") { _ = try decoder.interfaces(bytes, command: "ip -d -j addr show") },
      ]
      return (failed ? 1 : 0, lines.joined(separator: "\n") + "\n", path)
    }
  }
}
