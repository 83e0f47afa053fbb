/// What persisting a policy would do to the files of a host: every file change, the refusals that stop it, and what
/// the renderers and the host's layout have to say. Made once, from the policy, the formats and the files on disk,
/// and used alike by `plan`, `apply --dry-run`, `apply --persist` and `render --root`, so all four agree.
public struct PersistencePlan: Hashable, Sendable {
  /// A change for every file rendered (unchanged ones too), and the removals of files polroute wrote before that
  /// the policy no longer needs, in path order.
  public var changes: [FileChange]
  /// Errors that forbid writing anything: a file polroute would replace that it did not write.
  public var refusals: [Diagnostic]
  /// Warnings and notes from the renderers and about how the host will read the files.
  public var diagnostics: [Diagnostic]

  /// Builds a plan from its parts.
  public init(changes: [FileChange] = [], refusals: [Diagnostic] = [], diagnostics: [Diagnostic] = []) {
    self.changes = changes
    self.refusals = refusals
    self.diagnostics = diagnostics
  }

  /// The changes that write or remove something.
  public var pending: [FileChange] { changes.filter { $0.action != .unchanged } }

  /// Whether any file would change.
  public var hasChanges: Bool { !pending.isEmpty }

  /// Plans the files of `formats` for `policy` against `files` (the host's, under its root). A setting a target
  /// cannot express stops everything: those errors are thrown.
  /// `root` names where `files` are, for messages (`/` for the host itself).
  public static func make(
    _ policy: Policy, formats: [RenderFormat], context: RenderContext, files: any FileReader, root: String = "/"
  ) throws -> PersistencePlan {
    let rendered = Renderers.render(formats, policy: policy, context: context)
    if rendered.diagnostics.contains(where: { $0.severity == .error }) { throw PolicyError(rendered.diagnostics) }
    var plan = PersistencePlan(diagnostics: rendered.diagnostics)
    // What the host cannot take as rendered (an error from a renderer's look at the files) stops the writing.
    for diagnostic in try Renderers.hostDiagnostics(
      formats, policy: policy, context: context, rendered: rendered.files, files: files)
    where !plan.diagnostics.contains(diagnostic) && !plan.refusals.contains(diagnostic) {
      if diagnostic.severity == .error {
        plan.refusals.append(diagnostic)
      } else {
        plan.diagnostics.append(diagnostic)
      }
    }
    let renderedPaths = Set(rendered.files.map(\.path))
    for file in rendered.files {
      let old = try files.readText(file.path)
      switch file.extent {
      case .whole:
        let (change, refusal) = wholeFile(file, old: old, root: root)
        plan.changes.append(change)
        if let refusal { plan.refusals.append(refusal) }
      case .block:
        // A whole file an older polroute wrote there (its header, no block) is polroute's to replace.
        let isOlderWhole = old.map { Renderers.isGenerated($0) && !MarkedBlock.isPresent(in: $0) } ?? false
        let merged = MarkedBlock.merge(file.contents, into: isOlderWhole ? "" : old ?? "")
        plan.changes.append(
          change(file.path, old: old, new: RenderedFile(path: file.path, contents: merged, mode: file.mode)))
      }
    }
    var seen = renderedPaths
    for format in formats {
      for path in format.renderer.previousFiles(in: files) where seen.insert(path).inserted {
        guard let old = try files.readText(path) else { continue }
        // polroute's block goes and the user's lines stay; a file left with nothing but blank lines goes too, and so
        // does a whole file an older polroute wrote.
        if MarkedBlock.isPresent(in: old) {
          let rest = MarkedBlock.merge(nil, into: old)
          plan.changes.append(
            rest.allSatisfy(\.isWhitespace)
              ? FileChange(path: path, action: .delete, old: old, new: nil)
              : change(path, old: old, new: RenderedFile(path: path, contents: rest)))
        } else if Renderers.isGenerated(old) {
          plan.changes.append(FileChange(path: path, action: .delete, old: old, new: nil))
        }
      }
    }
    plan.changes.sort { $0.path < $1.path }
    return plan
  }

  /// The change for a file polroute owns whole, and the refusal when the file there is someone else's (it has no
  /// polroute header and differs). `root` names where the file is, for the message.
  public static func wholeFile(_ file: RenderedFile, old: String?, root: String) -> (FileChange, Diagnostic?) {
    let change = change(file.path, old: old, new: file)
    guard let old, old != file.contents, !Renderers.isGenerated(old) else { return (change, nil) }
    let shown = root == "/" ? file.path : (root.hasSuffix("/") ? String(root.dropLast()) : root) + file.path
    return (
      change,
      .error("\(shown) exists and polroute did not write it: move it away or merge it by hand; nothing was changed")
    )
  }

  /// The change that turns `old` into `new`.
  static func change(_ path: String, old: String?, new: RenderedFile) -> FileChange {
    let action: FileChange.Action = old == nil ? .create : (old == new.contents ? .unchanged : .update)
    return FileChange(path: path, action: action, old: old, new: new)
  }
}
