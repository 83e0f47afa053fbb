import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI

/// Every input under Tests/Fuzz/regressions (crashes the fuzzer or an audit found) goes through the command that
/// reads its kind, and gets the exit status and first line of stderr pinned in Tests/Fuzz/expected (FILE stands for
/// the input's path). `make fuzz` also starts each target from these inputs.
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
    let firstLine = stderr.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
    let wanted = expected.count > 1 ? expected[1].trimmingCharacters(in: .newlines) : ""
    #expect(firstLine == wanted.replacingOccurrences(of: "FILE", with: shownPath))
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
      do {
        _ = try IPOutputDecoder().routes(
          bytes, family: .inet, defaultTable: RoutingTable.main, command: "ip -j route show")
        return (0, "", path)
      } catch {
        return (1, error.description + "\n", path)
      }
    }
  }
}
