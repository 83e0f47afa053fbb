import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// Examples/cloud-init/user-data.yaml: valid for cloud-init's own schema, its policy valid for polroute, its
/// commands valid polroute command lines, and its package the version this tree builds.
@Suite("cloud-init user-data")
struct CloudInitTests {
  /// The example.
  static let path = TestPaths.examples + "/cloud-init/user-data.yaml"

  /// The example's text.
  static var text: String { TestPaths.read(path) ?? "" }

  @Test(
    "cloud-init schema accepts the user-data, and rejects it with a key misspelt", .requires(TestTool("cloud-init")))
  func schema() throws {
    let valid = try Live.run(["cloud-init", "schema", "--config-file", Self.path])
    #expect(valid.status == 0, "\(valid.outputText)\(valid.errorText)")
    #expect(valid.outputText.contains("Valid cloud-config"), "\(valid.outputText)")

    let broken = try TemporaryDirectory("cloud-init")
    let misspelt = try broken.write("user-data.yaml", Self.text.replacing("permissions:", with: "permisions:"))
    let invalid = try Live.run(["cloud-init", "schema", "--config-file", misspelt])
    #expect(invalid.status != 0, "the schema check cannot fail: \(invalid.outputText)")
    #expect((invalid.outputText + invalid.errorText).contains("permisions"))
  }

  @Test("the policy it writes parses for the dual-homed server, and its runcmd lines are polroute command lines")
  func contents() throws {
    let lines = Self.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let start = try #require(lines.firstIndex { $0.hasSuffix("content: |") })
    let policy = lines[(start + 1)...].prefix { $0.hasPrefix("      ") }.map { $0.dropFirst(6) + "\n" }.joined()
    #expect(policy.contains("auto\n"))
    let file = TemporaryFile("polroute.conf", policy)
    let parsed = CLIRun([
      "policy", "--state", TestPaths.examples + "/dual-homed-server/state.json", "--policy", file.path,
    ])
    #expect(parsed.status == 0, "\(parsed.stderr)")
    #expect(parsed.stdout.contains("rule to 192.0.2.0/25 ipproto tcp dport 2049 lookup data"))

    // Every `[polroute, ...]` command parses (with --help added, the parser checks it and stops).
    let commands = lines.filter { $0.hasPrefix("  - [polroute") }.map { line in
      line.trimmingCharacters(in: CharacterSet(charactersIn: " -[]")).split(separator: ",").dropFirst()
        .map { $0.trimmingCharacters(in: .whitespaces) }
    }
    #expect(commands == [["inspect"], ["plan"], ["apply", "--persist"]])
    for command in commands {
      let run = CLIRun(command + ["--help"])
      #expect(run.status == 0, "polroute \(command.joined(separator: " ")): \(run.stderr)")
    }
    #expect(
      Self.text.contains("polroute_\(PolrouteVersion.current)_amd64.deb"), "the package's version is not this one")
  }
}
