import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI

/// Runs the CLI in-process with captured output.
struct CLIRun {
  /// The exit status.
  var status: Int32
  /// Standard output.
  var stdout: String
  /// Standard error.
  var stderr: String

  /// Runs polroute with arguments; `terminal` pretends stdout is a terminal, `errorTerminal` stderr; `environment`
  /// is the whole environment.
  init(
    _ arguments: [String], terminal: Bool = false, errorTerminal: Bool = false, environment: [String: String] = [:]
  ) {
    let out = CapturedSink(terminal: terminal)
    let err = CapturedSink(terminal: errorTerminal)
    let context = CLIContext(
      runner: ReplayRunner(directory: "/nonexistent"), hostFiles: RootedFileSystem(root: "/nonexistent"),
      environment: environment, stdout: out, stderr: err, isRoot: false)
    status = CLI.run(arguments, context: context)
    stdout = out.text
    stderr = err.text
  }
}

/// A temporary file that is removed when the value goes away.
final class TemporaryFile {
  /// Its path.
  let path: String

  /// Writes `contents` to a new temporary file named after `name`.
  init(_ name: String, _ contents: String) {
    path =
      FileManager.default.temporaryDirectory.appendingPathComponent("polroute-\(getpid())-\(UUID().uuidString)-\(name)")
      .path
    _ = FileManager.default.createFile(atPath: path, contents: Data(contents.utf8))
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The dual-homed sample host as a snapshot file.
func dualHomedSnapshot() throws -> TemporaryFile {
  TemporaryFile("state.json", String(decoding: try Snapshot(state: SampleHosts.dualHomed).encoded(), as: UTF8.self))
}

@Suite("Command line")
struct CLITests {
  static let subcommands = ["inspect", "policy", "plan", "render"]

  @Test("--help, -h and 'help' print the same overview")
  func rootHelp() {
    let long = CLIRun(["--help"])
    #expect(long.status == 0)
    #expect(long.stdout.hasPrefix("OVERVIEW: Policy routing for multi-homed Linux hosts"))
    #expect(long.stdout.contains("USAGE: polroute <subcommand>"))
    #expect(long.stdout.contains("SUBCOMMANDS:\n  inspect "))
    #expect(long.stdout.contains("See 'polroute help <subcommand>' for detailed help."))
    #expect(CLIRun(["-h"]).stdout == long.stdout)
    #expect(CLIRun(["help"]).stdout == long.stdout)
    #expect(CLIRun([]).stdout == long.stdout)
  }

  @Test("CMD --help, CMD -h and 'help CMD' print the same text", arguments: subcommands)
  func subcommandHelp(_ name: String) {
    let long = CLIRun([name, "--help"])
    #expect(long.status == 0)
    #expect(long.stdout.hasPrefix("OVERVIEW: "))
    #expect(long.stdout.contains("USAGE: polroute \(name) "))
    #expect(long.stdout.contains("OPTIONS:\n"))
    #expect(long.stdout.contains("  -h, --help              Show help information.\n"))
    #expect(CLIRun([name, "-h"]).stdout == long.stdout)
    #expect(CLIRun(["help", name]).stdout == long.stdout)
  }

  @Test("an unknown option names it, shows the usage line and exits 64")
  func unknownOption() {
    let run = CLIRun(["plan", "--jsno"])
    #expect(run.status == 64)
    #expect(run.stdout.isEmpty)
    #expect(
      run.stderr == """
        Error: Unknown option '--jsno' (did you mean '--json'?)
        Usage: polroute plan [--state <file>] [--policy <file>] [--format <format>] ... [--root <dir>] [--detailed-exitcode] [--no-flows] [--json]
          See 'polroute plan --help' for more information.

        """)
  }

  @Test(
    "usage errors",
    arguments: [
      (
        ["frobnicate"],
        "Error: Unknown subcommand 'frobnicate'\nUsage: polroute <subcommand>\n  See 'polroute --help' for more information.\n"
      ),
      (
        ["plna"],
        "Error: Unknown subcommand 'plna' (did you mean 'plan'?)\nUsage: polroute <subcommand>\n  See 'polroute --help' for more information.\n"
      ),
      (["plan", "--state"], "Error: Missing value for '--state <file>'\n"),
      (["plan", "--json", "--json"], "Error: The option '--json' was given more than once\n"),
      (["inspect", "extra"], "Error: Unexpected argument 'extra'\n"),
      (
        ["render", "--format", "yaml"],
        "Error: Unknown format 'yaml'; expected one of: script, rhel, debian, rt_tables, networkd, nm, netplan, systemd, all\n"
      ),
      (["help", "nope"], "Error: Unknown subcommand 'nope'\n"),
      (["--frob"], "Error: Unknown option '--frob'\n"),
    ])
  func usageErrors(_ arguments: [String], _ expectedStart: String) throws {
    let run = CLIRun(arguments + (arguments.first == "render" ? ["--state", try dualHomedSnapshot().path] : []))
    #expect(run.status == 64)
    #expect(run.stderr.hasPrefix(expectedStart), "got: \(run.stderr)")
  }

  @Test("--version prints the version")
  func version() {
    let run = CLIRun(["--version"])
    #expect(run.status == 0)
    #expect(run.stdout == PolrouteVersion.current + "\n")
  }

  @Test("inspect --json of a snapshot reproduces the same document")
  func snapshotRoundTrip() throws {
    let snapshot = try dualHomedSnapshot()
    let first = CLIRun(["inspect", "--state", snapshot.path, "--json"])
    #expect(first.status == 0)
    let saved = TemporaryFile("saved.json", first.stdout)
    let second = CLIRun(["inspect", "--state", saved.path, "--json"])
    #expect(second.status == 0)
    #expect(second.stdout == first.stdout)
    #expect(first.stdout.contains("\"code\" : \"asymmetric-reply\""))
  }

  @Test("a snapshot that is not one is refused with exit 65")
  func badSnapshot() {
    let file = TemporaryFile("bad.json", "{\"format\": \"something-else\", \"version\": 1}")
    let run = CLIRun(["inspect", "--state", file.path])
    #expect(run.status == 65)
    #expect(
      run.stderr.contains(
        "\(file.path): error: not a polroute host snapshot: its \"format\" is not \"polroute-host-state\""))
  }

  @Test("an invalid policy is refused with FILE:LINE:COL and exit 65, nothing printed on stdout")
  func invalidPolicy() throws {
    let snapshot = try dualHomedSnapshot()
    let policy = TemporaryFile("bad.conf", "uplink data dev data\nroute 192.0.2.1/24 via 203.0.113.1 table data\n")
    let run = CLIRun(["plan", "--state", snapshot.path, "--policy", policy.path])
    #expect(run.status == 65)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr == "\(policy.path):2:7: error: host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)\n")
  }

  /// A policy for the dual-homed sample padded with comment lines to `bytes`, with `last` as its final line.
  static func paddedPolicy(bytes: Int, last: String) -> String {
    var text = "uplink data dev data via 203.0.113.1\n"
    let comment = "# padding: a large policy is parsed while the host is read\n"
    while text.utf8.count < bytes { text += comment }
    return text + last + "\n"
  }

  @Test("a large policy, parsed while the host is read, gives the same plan and the same errors as a small one")
  func largePolicyParsedInParallel() throws {
    let snapshot = try dualHomedSnapshot()
    let rule = "rule to 198.51.100.0/24 lookup data priority 9000"
    let small = TemporaryFile("small.conf", Self.paddedPolicy(bytes: 0, last: rule))
    let large = TemporaryFile("large.conf", Self.paddedPolicy(bytes: Inputs.parallelParseBytes, last: rule))
    let smallRun = CLIRun(["plan", "--state", snapshot.path, "--policy", small.path])
    let largeRun = CLIRun(["plan", "--state", snapshot.path, "--policy", large.path])
    #expect(smallRun.status == 0)
    #expect(largeRun.status == 0)
    #expect(largeRun.stdout == smallRun.stdout.replacingOccurrences(of: small.path, with: large.path))
    #expect(largeRun.stdout.contains("9000:"))

    let broken = TemporaryFile(
      "broken.conf", Self.paddedPolicy(bytes: Inputs.parallelParseBytes, last: "rule lookup data prio 1"))
    let lines = Self.paddedPolicy(bytes: Inputs.parallelParseBytes, last: "").lines.count - 1
    let failed = CLIRun(["plan", "--state", snapshot.path, "--policy", broken.path])
    #expect(failed.status == 65)
    #expect(failed.stderr.hasPrefix("\(broken.path):\(lines):18: error: unknown word 'prio' in rule"))
    // The policy's error wins over the host's, as when the file was parsed before the host was read.
    let missingState = CLIRun(["plan", "--state", "/nonexistent/state.json", "--policy", broken.path])
    #expect(missingState.status == 65)
    #expect(missingState.stderr.hasPrefix("\(broken.path):\(lines):18: error: unknown word 'prio' in rule"))
  }

  @Test("plan --detailed-exitcode: 2 with changes pending, 1 on errors")
  func detailedExitCode() throws {
    let snapshot = try dualHomedSnapshot()
    #expect(CLIRun(["plan", "--state", snapshot.path, "--detailed-exitcode"]).status == 2)
    #expect(CLIRun(["plan", "--state", snapshot.path]).status == 0)
    let policy = TemporaryFile("bad.conf", "uplnk data dev data\n")
    let failed = CLIRun(["plan", "--state", snapshot.path, "--policy", policy.path, "--detailed-exitcode"])
    #expect(failed.status == 1)
    #expect(failed.stderr.contains("1:1: error: unknown statement 'uplnk' (did you mean 'uplink'?)"))
  }

  @Test("colour only on a terminal, never with NO_COLOR")
  func color() throws {
    let snapshot = try dualHomedSnapshot()
    let escape = "\u{1B}["
    #expect(!CLIRun(["plan", "--state", snapshot.path]).stdout.contains(escape))
    #expect(CLIRun(["plan", "--state", snapshot.path], terminal: true).stdout.contains(escape))
    #expect(
      !CLIRun(["plan", "--state", snapshot.path], terminal: true, environment: ["NO_COLOR": "1"]).stdout.contains(
        escape))
  }

  @Test("diagnostics are coloured by whether stderr is a terminal, whatever stdout is")
  func diagnosticsColorFollowsStderr() throws {
    let snapshot = try dualHomedSnapshot()
    // The snapshot has no eth9: a warning, not an error, when planning for a snapshot.
    let policy = TemporaryFile("warn.conf", "auto\nexclude eth9\n")
    let escape = "\u{1B}["
    // `polroute plan 2>log` on a terminal: the log gets no escape codes.
    let logged = CLIRun(["plan", "--state", snapshot.path, "--policy", policy.path], terminal: true)
    #expect(logged.stderr.contains("warning:"))
    #expect(!logged.stderr.contains(escape))
    #expect(logged.stdout.contains(escape))
    // `polroute plan >out` on a terminal: the warnings on the terminal are coloured, the file is not.
    let piped = CLIRun(["plan", "--state", snapshot.path, "--policy", policy.path], errorTerminal: true)
    #expect(piped.stderr.contains(escape + "33m"))
    #expect(!piped.stdout.contains(escape))
    let noColor = CLIRun(
      ["plan", "--state", snapshot.path, "--policy", policy.path], errorTerminal: true, environment: ["NO_COLOR": "1"])
    #expect(!noColor.stderr.contains(escape))
  }

  @Test("control characters from the input never reach the terminal as escape sequences")
  func controlCharactersEscaped() throws {
    let policy = TemporaryFile("esc.conf", "rule from 192.0.2.0/24 lookpu\u{1B}[31mred main\n")
    let run = CLIRun(["policy", "--state", try dualHomedSnapshot().path, "--policy", policy.path])
    #expect(run.status == 65)
    #expect(!run.stderr.contains("\u{1B}"))
    #expect(run.stderr.contains("unknown word 'lookpu\\u{1b}[31mred' in rule"))
  }

  @Test("plan --json describes the changes for machines")
  func planJSON() throws {
    let snapshot = try dualHomedSnapshot()
    let run = CLIRun(["plan", "--state", snapshot.path, "--json"])
    #expect(run.status == 0)
    let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
    #expect(object?["changes"] as? Bool == true)
    let kernel = object?["kernel"] as? [[String: Any]]
    // Link routes come before the routes through gateways, so a gateway is reachable in its own table.
    #expect(
      kernel?.first?["batchLine"] as? String
        == "route replace 203.0.113.0/24 dev data proto 177 scope link src 203.0.113.10 table 100")
    #expect(kernel?.first?["action"] as? String == "add")
  }
}
