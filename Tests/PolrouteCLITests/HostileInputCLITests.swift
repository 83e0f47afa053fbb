import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI

/// Input made to break polroute: each gets a clear message, a non-zero exit and no output on stdout, never a crash.
/// The README's "Hostile input" table lists the same cases.
@Suite("Hostile input")
struct HostileInputCLITests {
  /// A file of raw bytes, removed when the value goes away.
  final class BytesFile {
    /// Its path.
    let path: String

    /// Writes `bytes` to a new temporary file whose name ends in `name`.
    init(_ name: String, _ bytes: [UInt8]) {
      path =
        FileManager.default.temporaryDirectory.appendingPathComponent(
          "polroute-\(getpid())-\(UUID().uuidString)-\(name)"
        )
        .path
      _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
  }

  /// Every command that reads a policy, with the options that make it read one without root.
  static func policyCommands(snapshot: String) -> [[String]] {
    [
      ["policy", "--state", snapshot], ["plan", "--state", snapshot], ["render", "--state", snapshot],
      ["apply", "--dry-run", "--state", snapshot],
    ]
  }

  /// `[` 40,000 times overflowed the stack of every command that reads a JSON policy; 100,000 is also over the size
  /// that is parsed on another thread while the host is read.
  @Test(arguments: [40_000, 100_000])
  func deeplyNestedJSONPolicy(count: Int) throws {
    let snapshot = try dualHomedSnapshot()
    let policy = BytesFile("deep.json", Array(repeating: UInt8(ascii: "["), count: count))
    for command in Self.policyCommands(snapshot: snapshot.path) {
      let run = CLIRun(command + ["--policy", policy.path])
      #expect(run.status == 65, "\(command)")
      #expect(run.stdout.isEmpty, "\(command)")
      #expect(
        run.stderr == "\(policy.path):1:129: error: invalid JSON: arrays and objects nested more than 128 deep\n",
        "\(command)")
    }
  }

  /// Snapshots that all said "it is not a JSON object", and a negative version that was accepted.
  @Test(arguments: [
    ([0xFF] + Array("{}".utf8), ":1:1: error: not a polroute host snapshot: invalid UTF-8 (byte 0xff)"),
    (
      Array(#"{"format":"polroute-host-state","version":"1"}"#.utf8),
      #":1:43: error: not a polroute host snapshot: "version" must be a whole number, not a string"#
    ),
    (
      Array(#"{"format":"polroute-host-state","version":-1}"#.utf8),
      #":1:43: error: not a polroute host snapshot: "version" must be 1 or more, not -1"#
    ),
    (
      Array(repeating: UInt8(ascii: "["), count: 1_000_000),
      ":1:129: error: not a polroute host snapshot: invalid JSON: arrays and objects nested more than 128 deep"
    ),
  ])
  func badSnapshots(bytes: [UInt8], message: String) {
    let snapshot = BytesFile("state.json", bytes)
    for command in [["inspect"], ["policy"], ["plan"], ["plan", "--detailed-exitcode"], ["render"]] {
      let run = CLIRun(command + ["--state", snapshot.path])
      #expect(run.status == (command.last == "--detailed-exitcode" ? 1 : 65), "\(command)")
      #expect(run.stdout.isEmpty, "\(command)")
      #expect(run.stderr == snapshot.path + message + "\n", "\(command)")
    }
  }
}
