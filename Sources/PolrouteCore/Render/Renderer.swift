/// A target polroute renders for. Each renderer owns its files: it renders them, says which files on a host it
/// wrote before (so the ones the policy no longer needs are cleaned up, and only those), and says how the host will
/// read them. Nothing outside a renderer knows its file names.
public protocol Renderer {
  /// The files for a policy, and diagnostics for settings the target cannot express.
  static func render(_ policy: Policy, context: RenderContext) -> RenderResult
  /// The files among `files` this renderer may have written before (whole files with polroute's header, or files
  /// holding its marked block): those it no longer renders are removed, or lose the block.
  static func previousFiles(in files: any FileReader) -> [String]
  /// Warnings about how the host will read the rendered files (for example where ifupdown reads Debian stanzas, or
  /// a manager that ignores or undoes them).
  static func hostDiagnostics(_ policy: Policy, context: RenderContext, files: any FileReader) throws -> [Diagnostic]
}

extension Renderer {
  /// No files written before but those it renders now.
  public static func previousFiles(in files: any FileReader) -> [String] { [] }

  /// Nothing to say about the host.
  public static func hostDiagnostics(_ policy: Policy, context: RenderContext, files: any FileReader) throws
    -> [Diagnostic]
  { [] }
}
