import PolrouteCore
import PolrouteSystem

/// Options several commands share, described once.
enum CommonOptions {
  /// `--state <file>`.
  static let state = OptionSpec(
    "state", value: "file",
    help:
      "Read the host from a snapshot written by 'polroute inspect --json' (- for stdin) instead of the live kernel; needs no root."
  )
  /// `--policy <file>`.
  static let policy = OptionSpec(
    "policy", value: "file",
    help:
      "Read the policy from this file (.json for JSON) instead of /etc/polroute.conf; with neither, derive it from the host."
  )
  /// `--json`.
  static let json = OptionSpec("json", help: "Print machine-readable JSON.")
  /// `--root <dir>`.
  static let root = OptionSpec(
    "root", value: "dir", help: "Treat this directory as / for configuration files (default: /).")
}

/// Where a command's host state comes from.
enum HostSource {
  /// The state named by `--state`, or the live host's.
  static func load(_ arguments: ParsedArguments, context: CLIContext) throws -> HostState {
    if let path = arguments.value("state") {
      return try Snapshot.decode(try UserFiles.read(path), file: path)
    }
    return try StateReader(runner: context.runner, files: context.hostFiles).read()
  }

  /// Whether the state comes from a snapshot rather than this host.
  static func isSnapshot(_ arguments: ParsedArguments) -> Bool { arguments.value("state") != nil }
}

/// Files the user names on the command line: plain paths on this machine, `-` for stdin.
enum UserFiles {
  /// Reads a file the user named; a missing file is an error naming it.
  static func read(_ path: String) throws -> [UInt8] {
    let real = path == "-" ? "/dev/stdin" : path
    guard let bytes = try RootedFileSystem.readNamed(real) else {
      throw FileSystemError.failed(operation: "read", path: path, reason: "No such file or directory")
    }
    return bytes
  }
}
