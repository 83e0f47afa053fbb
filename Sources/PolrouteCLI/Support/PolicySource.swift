import PolrouteCore
import PolrouteSystem

/// Where a command's policy comes from, and the read-and-resolve loop that produces it.
enum PolicySource {
  /// The policy document: `--policy FILE`, else /etc/polroute.conf on a live host when it exists, else nil
  /// (derive). A snapshot is of another host, so this host's /etc/polroute.conf is not used for it.
  static func document(_ arguments: ParsedArguments, context: CLIContext) throws -> PolicyDocument? {
    let path: String
    let bytes: [UInt8]
    if let given = arguments.value("policy") {
      path = given
      bytes = try UserFiles.read(given)
    } else if !HostSource.isSnapshot(arguments), let found = try context.hostFiles.read(PolrouteFiles.policy) {
      path = PolrouteFiles.policy
      bytes = found
    } else {
      return nil
    }
    let parsed =
      path.hasSuffix(".json")
      ? PolicyJSON.parse(bytes, file: path) : PolicyParser.parse(String(decoding: bytes, as: UTF8.self), file: path)
    if parsed.diagnostics.contains(where: { $0.severity == .error }) { throw PolicyError(parsed.diagnostics) }
    return parsed.document
  }

  /// Reads the host (or the snapshot) and resolves the policy.
  static func resolve(_ arguments: ParsedArguments, context: CLIContext) throws -> (state: HostState, policy: Policy) {
    let document = try document(arguments, context: context)
    let state = try HostSource.load(arguments, context: context)
    let policy = try PolicyResolver(state: state, document: document, isSnapshot: HostSource.isSnapshot(arguments)).resolve()
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
