/// Routing table names for the tables polroute owns, where the host's iproute2 reads them: `ID NAME` lines in
/// `/etc/iproute2/rt_tables.d/polroute.conf`, or, for an iproute2 older than 4.4 (which does not read that
/// directory), a marked block in `/etc/iproute2/rt_tables` that leaves the rest of that file as it is.
public enum RTTablesRenderer: Renderer {
  /// The directory file.
  public static let path = PolrouteFiles.rtTables
  /// The main file, which older iproute2 reads alone.
  public static let legacyPath = "/etc/iproute2/rt_tables"

  /// The one file (or the block).
  public static func render(_ policy: Policy, context: RenderContext) -> RenderResult {
    let entries = policy.tables.map { "\($0.number)\t\($0.name)" }
    if let version = context.iproute2Version, !PersistFormats.readsTablesDirectory(ipVersion: version) {
      return RenderResult(files: [
        RenderedFile(path: legacyPath, contents: MarkedBlock.block(entries), extent: .block)
      ])
    }
    var lines = context.header(policy)
    lines.append("# Routing table names for the tables polroute owns; iproute2 reads this directory.")
    lines += entries
    return RenderResult(files: [RenderedFile(path: path, contents: lines.joined(separator: "\n") + "\n")])
  }

  /// Either file, whichever polroute wrote before (an iproute2 upgrade moves the entries to the directory).
  public static func previousFiles(in files: any FileReader) -> [String] { [path, legacyPath] }
}
