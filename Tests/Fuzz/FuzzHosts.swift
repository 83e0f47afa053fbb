#if canImport(Glibc)
  import Glibc
#endif

/// The hosts policies are resolved against, and the work done for a state and a policy.
enum FuzzHosts {
  /// The repository, found from this file's path (Tests/Fuzz/FuzzHosts.swift).
  static let repository: String = {
    var path = #filePath
    for _ in 0..<3 { path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }
    return path
  }()

  /// The bundled dual-homed and dual-stack servers.
  static let states: [HostState] = ["dual-homed-server", "dual-stack"].map { name in
    let path = repository + "/Examples/\(name)/state.json"
    guard let file = fopen(path, "rb") else { fatalError("polroute-fuzz: cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = fread(&buffer, 1, buffer.count, file)
      if count == 0 { break }
      bytes += buffer[0..<count]
    }
    do {
      return try Snapshot.decode(bytes, file: path)
    } catch {
      fatalError("polroute-fuzz: \(error)")
    }
  }

  /// Inspects the state, resolves the policy (derived when `document` is nil), and plans and renders it.
  static func exercise(state: HostState, document: PolicyDocument?) {
    _ = Inspector.findings(state)
    _ = Inspector.interfaceReports(state)
    let policy: Policy
    do {
      policy = try PolicyResolver(state: state, document: document, isSnapshot: true).resolve()
    } catch {
      _ = "\(error)"
      return
    }
    _ = PolicyPrinter.text(policy, hostname: state.hostname)
    let plan = KernelPlan.make(state: state, policy: policy)
    _ = plan.changes.map(\.batchLine)
    let rendered = Renderers.render(
      RenderFormat.allCases, policy: policy, context: RenderContext(hostname: state.hostname))
    for diagnostic in rendered.diagnostics { _ = diagnostic.description }
  }
}
