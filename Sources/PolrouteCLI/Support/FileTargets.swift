import PolrouteCore
import PolrouteSystem

/// Rendering for the formats a command asks for, and comparing the result with the files under a root.
enum FileTargets {
  /// `--format FORMAT` (repeatable, or comma-separated; `all` for every format).
  static func formats(_ arguments: ParsedArguments, command: String, default defaultFormats: [RenderFormat]) throws
    -> [RenderFormat]
  {
    let values = arguments.all("format").flatMap { $0.split(separator: ",").map(String.init) }
    guard !values.isEmpty else { return defaultFormats }
    var formats: [RenderFormat] = []
    for value in values {
      guard let parsed = RenderFormat.parse(value) else {
        let names = RenderFormat.allCases.map(\.rawValue) + ["all"]
        let hint = Suggestion.closest(to: value, among: names).map { " (did you mean '\($0)'?)" } ?? ""
        throw UsageError(
          "Unknown format '\(value)'\(hint); expected one of: \(names.joined(separator: ", "))", command: command)
      }
      for format in parsed where !formats.contains(format) { formats.append(format) }
    }
    return formats
  }

  /// Renders; errors a target reports (a setting it cannot express) stop the command with exit 65.
  static func render(_ formats: [RenderFormat], policy: Policy, state: HostState) throws -> RenderResult {
    let result = Renderers.render(formats, policy: policy, context: RenderContext(hostname: state.hostname))
    if result.diagnostics.contains(where: { $0.severity == .error }) { throw PolicyError(result.diagnostics) }
    return result
  }

  /// The warnings about where /etc/network/interfaces (under `root`) has ifupdown read polroute's stanzas
  /// relative to the user's own, when `formats` writes them; none when that file does not exist.
  static func debianPlacement(_ formats: [RenderFormat], policy: Policy, root: any FileSystem) throws -> [Diagnostic] {
    guard formats.contains(.debian), let main = try root.readText(DebianPlacement.mainFile) else { return [] }
    var files: [String: String] = [:]
    for name in root.list(DebianPlacement.directory) where name != DebianPlacement.fileName {
      // A file polroute cannot read (a directory, no permission) holds no stanza it can see.
      files[name] = (try? root.readText(DebianPlacement.directory + "/" + name)) ?? ""
    }
    let placements = DebianPlacement.placements(
      interfaces: main, directory: files, devices: DebianRenderer.stanzaDevices(policy))
    return DebianPlacement.diagnostics(placements)
  }

  /// The paths that may hold files polroute generated earlier for these formats (removed when no longer rendered).
  static func candidates(_ formats: [RenderFormat], files: any FileSystem) -> [String] {
    var paths: [String] = []
    if formats.contains(.rhel) {
      let directory = RHELRenderer.directory
      for name in files.list(directory)
      where ["route-", "rule-", "route6-", "rule6-"].contains(where: { name.hasPrefix($0) }) {
        paths.append(directory + "/" + name)
      }
    }
    return paths
  }

  /// The file changes for the rendered files against `root`.
  static func changes(_ rendered: [RenderedFile], formats: [RenderFormat], root: any FileSystem) throws -> [FileChange]
  {
    let candidates = candidates(formats, files: root)
    var existing: [String: String] = [:]
    for path in Set(rendered.map(\.path) + candidates) {
      if let text = try root.readText(path) { existing[path] = text }
    }
    return FilePlan.make(rendered: rendered, existing: existing, candidates: candidates)
  }
}
