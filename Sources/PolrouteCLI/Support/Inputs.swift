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

/// Where a command's host state and policy come from: `--state`, `--policy`, or the live host and
/// /etc/polroute.conf.
struct Inputs: Sendable {
  /// The snapshot to read instead of the live host.
  var statePath: String?
  /// The policy file given.
  var policyPath: String?

  /// The inputs a command was given.
  init(_ arguments: ParsedArguments) {
    statePath = arguments.value(CommonOptions.state)
    policyPath = arguments.value(CommonOptions.policy)
  }

  /// Whether the state comes from a snapshot (possibly of another host) rather than this host.
  var isSnapshot: Bool { statePath != nil }

  /// A policy file of this many bytes (about a thousand statements) is parsed while the host is read.
  static let parallelParseBytes = 1 << 16

  /// The host's state: the snapshot, or the live host's (keeping every route that covers one of `covering`).
  func state(_ context: CLIContext, covering: [IPAddress] = []) throws -> HostState {
    if let statePath { return try Snapshot.decode(try UserFiles.read(statePath), file: statePath) }
    var reader = context.reader
    reader.covering = covering
    return try reader.read()
  }

  /// The policy file: `--policy FILE`, else /etc/polroute.conf on a live host when it exists, else nil (derive).
  /// A snapshot is of another host, so this host's /etc/polroute.conf is not used for it.
  func policyFile(_ context: CLIContext) throws -> (path: String, bytes: [UInt8])? {
    if let policyPath { return (policyPath, try UserFiles.read(policyPath)) }
    if !isSnapshot, let found = try context.hostFiles.read(PolrouteFiles.policy) {
      return (PolrouteFiles.policy, found)
    }
    return nil
  }

  /// Parses a policy file (JSON by its `.json` ending); throws its errors.
  static func document(path: String, bytes: [UInt8]) throws -> PolicyDocument {
    let parsed =
      path.hasSuffix(".json")
      ? PolicyJSON.parse(bytes, file: path) : PolicyParser.parse(String(decoding: bytes, as: UTF8.self), file: path)
    if parsed.diagnostics.contains(where: { $0.severity == .error }) { throw PolicyError(parsed.diagnostics) }
    return parsed.document
  }

  /// Reads the host (or the snapshot) and resolves the policy. Policy errors are reported before any error reading
  /// the host, as if the file were parsed first.
  func resolve(_ context: CLIContext, covering: [IPAddress] = []) throws -> (state: HostState, policy: Policy) {
    let document: PolicyDocument?
    let state: HostState
    let file = try policyFile(context)
    if let file, file.bytes.count >= Self.parallelParseBytes {
      // Reading the host is mostly waiting for `ip`: a policy of thousands of statements parses in that time on the
      // other core (measured: 10,000 rules and routes, 124 ms before, see bench row 4).
      let parsing = BackgroundWork { try Self.document(path: file.path, bytes: file.bytes) }
      let loaded = Result { try self.state(context, covering: covering) }
      document = try parsing.value()
      state = try loaded.get()
    } else {
      document = try file.map { try Self.document(path: $0.path, bytes: $0.bytes) }
      state = try self.state(context, covering: covering)
    }
    let policy = try PolicyResolver(state: state, document: document, isSnapshot: isSnapshot).resolve()
    return (state, policy)
  }
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
