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

  /// Reads the host (or the snapshot) and resolves the policy, reading more tables while resolution asks for them.
  static func resolve(_ arguments: ParsedArguments, context: CLIContext) throws -> (state: HostState, policy: Policy) {
    let document = try document(arguments, context: context)
    let isSnapshot = HostSource.isSnapshot(arguments)
    var state: HostState
    if isSnapshot {
      state = try HostSource.load(arguments, context: context)
    } else {
      let reader = StateReader(runner: context.runner, files: context.hostFiles)
      state = try reader.read { partial in
        // The candidate tables only depend on the policy and rt_tables, so they come with the first read.
        PolicyResolver(state: partial, document: document, isSnapshot: false).tablesToRead()
      }
      state = try completeOwnedTables(state, reader: reader)
    }
    let reader = StateReader(runner: context.runner, files: context.hostFiles)
    for _ in 0..<8 {
      switch try PolicyResolver(state: state, document: document, isSnapshot: isSnapshot).resolve() {
      case .policy(let policy):
        return (state, policy)
      case .needsTables(let tables):
        try reader.readTables(tables, into: &state)
      }
    }
    throw PolicyError([.error("could not find free routing tables after reading 8 rounds of candidates")])
  }

  /// Reads the tables polroute owned before (named in its rt_tables file) that are not read yet, so stale routes in
  /// them are seen.
  static func completeOwnedTables(_ state: HostState, reader: StateReader) throws -> HostState {
    var state = state
    let previous = Set(state.tableNames.filter { $0.file == PolrouteFiles.rtTables }.map(\.number))
    let missing = previous.subtracting(state.tablesRead).subtracting(RoutingTable.reserved)
    if !missing.isEmpty { try reader.readTables(missing, into: &state) }
    return state
  }

  /// Prints the policy's warnings and notes to stderr.
  static func printDiagnostics(_ policy: Policy, context: CLIContext) {
    for diagnostic in policy.diagnostics {
      let text = diagnostic.description
      context.stderr.write((diagnostic.severity == .warning ? context.style.yellow(text) : text) + "\n")
    }
  }
}
