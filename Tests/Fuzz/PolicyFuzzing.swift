/// Policies from arbitrary bytes: parsed, and when they parse, resolved against real hosts, planned and rendered.
enum PolicyFuzzing {
  /// A policy file.
  static func text(_ bytes: [UInt8]) {
    let parsed = PolicyParser.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.conf")
    use(parsed.document, parsed.diagnostics)
  }

  /// A JSON policy.
  static func json(_ bytes: [UInt8]) {
    let parsed = PolicyJSON.parse(bytes, file: "fuzz.json")
    use(parsed.document, parsed.diagnostics)
  }

  /// Everything downstream of a parsed policy, against each fixture host.
  static func use(_ document: PolicyDocument, _ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics { _ = diagnostic.description }
    guard !diagnostics.contains(where: { $0.severity == .error }) else { return }
    for state in FuzzHosts.states {
      FuzzHosts.exercise(state: state, document: document)
    }
  }
}
