import Foundation
import PolrouteCore
import PolrouteSystem

/// The formats a command writes, and the files on disk it compares them with.
enum FileTargets {
  /// `--format FORMAT` values (repeatable, or comma-separated; `all` for every format), or `defaults` when none.
  static func formats(_ values: [String], command: String, defaults: [RenderFormat]) throws(UsageError)
    -> [RenderFormat]
  {
    let words = values.flatMap { $0.split(separator: ",").map(String.init) }
    guard !words.isEmpty else { return defaults }
    var formats: [RenderFormat] = []
    for word in words {
      guard let parsed = RenderFormat.parse(word) else {
        let names = RenderFormat.allCases.map(\.rawValue) + ["all"]
        let hint = Suggestion.closest(to: word, among: names).map { " (did you mean '\($0)'?)" } ?? ""
        throw UsageError(
          "Unknown format '\(MessageText.quoted(word))'\(hint); expected one of: \(names.joined(separator: ", "))",
          command: command)
      }
      for format in parsed where !formats.contains(format) { formats.append(format) }
    }
    return formats
  }

  /// The files a plan compares with: those under `--root`; without one, the live host's, or none for a snapshot of
  /// another host (this machine's /etc says nothing about it). A `--root` that is not a directory is an error.
  static func files(root: String?, inputs: Inputs, context: CLIContext) throws -> (
    files: any FileSystem, label: String?
  ) {
    if let root {
      if let problem = RootedFileSystem.directoryProblem(root) {
        throw FileSystemError.failed(operation: "use --root", path: root, reason: problem)
      }
      return (RootedFileSystem(root: root), root)
    }
    if inputs.isSnapshot { return (EmptyFileSystem(), nil) }
    return (context.hostFiles, "/")
  }

  /// The persistence plan for the formats, against `files`; the host's iproute2 version is asked for when the
  /// rt_tables format depends on it and the host is this one. `selection` is `apply --persist`'s choice per
  /// interface, whose reasons become notes.
  static func plan(
    _ formats: [RenderFormat], policy: Policy, state: HostState, files: any FileReader, root: String?,
    inputs: Inputs, context: CLIContext, selection: PersistSelection? = nil
  ) throws -> PersistencePlan {
    var renderContext = renderContext(state: state, inputs: inputs, context: context, selection: selection)
    if formats.contains(.rtTables) && renderContext.iproute2Version == nil && !inputs.isSnapshot {
      renderContext.iproute2Version = context.reader.readIPRouteVersion()
    }
    var plan = try PersistencePlan.make(
      policy, formats: formats, context: renderContext, files: files, root: root ?? "/")
    plan.diagnostics = (selection?.reasons ?? []) + plan.diagnostics
    return plan
  }

  /// What the renderers need: the host, `apply --persist`'s choice per interface, the executable and policy file
  /// the boot unit runs.
  static func renderContext(
    state: HostState, inputs: Inputs, context: CLIContext, selection: PersistSelection? = nil
  ) -> RenderContext {
    var renderContext = RenderContext(state)
    renderContext.assignment = selection?.assignment
    renderContext.executable = context.executablePath
    renderContext.policyFile = inputs.policyPath.flatMap { path in
      guard path != "-" else { return nil }
      return path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
    return renderContext
  }
}
