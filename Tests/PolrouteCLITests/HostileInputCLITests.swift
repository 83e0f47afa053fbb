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

  /// `--state` and `--policy` on a file that never ends read until memory ran out.
  @Test func endlessFilesStopAtTheReadLimit() throws {
    let snapshot = try dualHomedSnapshot()
    let message = "error: cannot read /dev/zero: it is larger than 512 MiB, the most polroute reads from one file\n"
    let state = CLIRun(["plan", "--state", "/dev/zero"])
    #expect(state.status == 1)
    #expect(state.stdout.isEmpty)
    #expect(state.stderr == message)
    let policy = CLIRun(["plan", "--state", snapshot.path, "--policy", "/dev/zero"])
    #expect(policy.status == 1)
    #expect(policy.stderr == message)
  }

  /// A scratch directory with the script rendered into it.
  final class OutputDirectory {
    /// The directory.
    let directory: TemporaryDirectory
    /// The snapshot rendered.
    let snapshot: TemporaryFile

    init() throws {
      directory = try TemporaryDirectory("output")
      snapshot = try dualHomedSnapshot()
    }

    /// `render --output PATH` of the dual-homed sample.
    func render(_ path: String) -> CLIRun { CLIRun(["render", "--state", snapshot.path, "--output", path]) }

    /// The names in the directory.
    var names: [String] { TestPaths.list(directory.path) }

    /// What is at a path, without following a link: file, link, fifo, directory or missing.
    func kind(_ path: String) -> String {
      var status = stat()
      guard lstat(path, &status) == 0 else { return "missing" }
      switch status.st_mode & S_IFMT {
      case S_IFREG: return "file"
      case S_IFLNK: return "link"
      case S_IFIFO: return "fifo"
      case S_IFDIR: return "directory"
      default: return "other"
      }
    }
  }

  /// `render --output` onto a FIFO replaced it with a regular file (as root, /dev/null too).
  @Test func renderOutputOntoAFIFOIsRefused() throws {
    let output = try OutputDirectory()
    let fifo = output.directory.path + "/f"
    #expect(mkfifo(fifo, 0o644) == 0)
    let run = output.render(fifo)
    #expect(run.status == 1)
    #expect(run.stderr == "error: cannot write \(fifo): it is a FIFO, not a regular file\n")
    #expect(output.kind(fifo) == "fifo")
    #expect(output.names == ["f"])
  }

  /// A link at `--output` is refused: polroute never writes through a link it did not make.
  @Test func renderOutputOntoALinkIsRefused() throws {
    let output = try OutputDirectory()
    let target = try output.directory.write("target", "precious\n")
    let link = output.directory.path + "/link"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
    let run = output.render(link)
    #expect(run.status == 1)
    #expect(
      run.stderr == "error: cannot write \(link): it is a symbolic link, and polroute does not write through links\n")
    #expect(output.kind(link) == "link")
    #expect(output.directory.read("target") == "precious\n")
    #expect(output.names == ["link", "target"])
  }

  /// A directory at `--output` is refused.
  @Test func renderOutputOntoADirectoryIsRefused() throws {
    let output = try OutputDirectory()
    let run = output.render(output.directory.path)
    #expect(run.status == 1)
    #expect(run.stderr == "error: cannot write \(output.directory.path): it is a directory, not a regular file\n")
  }

  /// An existing regular file is replaced atomically: a new file (mode 0755) renamed over it, so a hard link to the
  /// old one keeps the old content.
  @Test func renderOutputReplacesARegularFile() throws {
    let output = try OutputDirectory()
    let path = try output.directory.write("polroute.sh", "old\n")
    let hardLink = output.directory.path + "/old-copy"
    #expect(link(path, hardLink) == 0)
    let run = output.render(path)
    #expect(run.status == 0, "\(run.stderr)")
    let script = output.directory.read("polroute.sh") ?? ""
    #expect(script.hasPrefix("#!/bin/sh"))
    #expect(output.directory.read("old-copy") == "old\n")
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o755)
    #expect(output.names == ["old-copy", "polroute.sh"])
  }

  /// `render --output` into a directory that does not exist created it (a typo left the file where no one looks).
  @Test func renderOutputIntoAMissingDirectoryIsRefused() throws {
    let output = try OutputDirectory()
    let path = output.directory.path + "/new/dir/polroute.sh"
    let run = output.render(path)
    #expect(run.status == 1)
    #expect(run.stdout.isEmpty)
    #expect(
      run.stderr
        == "error: cannot write \(path): its directory \(output.directory.path)/new/dir does not exist (polroute "
        + "makes no directory for --output)\n")
    #expect(output.names.isEmpty)
    let file = try output.directory.write("file", "")
    let under = output.render(file + "/polroute.sh")
    #expect(under.status == 1)
    #expect(under.stderr == "error: cannot write \(file)/polroute.sh: \(file) is a regular file, not a directory\n")
  }
}
