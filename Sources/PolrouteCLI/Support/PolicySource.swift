import PolrouteCore
import PolrouteSystem

/// Where a command's policy comes from, and the read-and-resolve loop that produces it.
enum PolicySource {
  /// A policy file of this many bytes (about a thousand statements) is parsed while the host is read.
  static let parallelParseBytes = 1 << 16

  /// The policy file: `--policy FILE`, else /etc/polroute.conf on a live host when it exists, else nil (derive).
  /// A snapshot is of another host, so this host's /etc/polroute.conf is not used for it.
  static func file(_ arguments: ParsedArguments, context: CLIContext) throws -> (path: String, bytes: [UInt8])? {
    if let given = arguments.value("policy") { return (given, try UserFiles.read(given)) }
    if !HostSource.isSnapshot(arguments), let found = try context.hostFiles.read(PolrouteFiles.policy) {
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
  static func resolve(_ arguments: ParsedArguments, context: CLIContext) throws -> (state: HostState, policy: Policy) {
    let document: PolicyDocument?
    let state: HostState
    let file = try file(arguments, context: context)
    if let file, file.bytes.count >= parallelParseBytes {
      // Reading the host is mostly waiting for `ip`: a policy of thousands of statements parses in that time on the
      // other core (measured: 10,000 rules and routes, 124 ms before, see bench row 4).
      let parsing = BackgroundWork { try Self.document(path: file.path, bytes: file.bytes) }
      let loaded = Result { try HostSource.load(arguments, context: context) }
      document = try parsing.value()
      state = try loaded.get()
    } else {
      document = try file.map { try Self.document(path: $0.path, bytes: $0.bytes) }
      state = try HostSource.load(arguments, context: context)
    }
    let policy = try PolicyResolver(state: state, document: document, isSnapshot: HostSource.isSnapshot(arguments))
      .resolve()
    return (state, policy)
  }

  /// Prints the policy's warnings and notes to stderr.
  static func printDiagnostics(_ policy: Policy, context: CLIContext) {
    for diagnostic in policy.diagnostics {
      let text = diagnostic.description
      context.stderr.write((diagnostic.severity == .warning ? context.style.yellow(text) : text) + "\n")
    }
  }
}
