/// What would happen to one configuration file.
public struct FileChange: Hashable, Sendable {
  /// Create, update, delete, or nothing.
  public enum Action: String, Hashable, Sendable {
    /// The file does not exist yet.
    case create
    /// The file exists with other contents.
    case update
    /// polroute made the file earlier and the policy no longer needs it.
    case delete
    /// The file already has these contents.
    case unchanged
  }

  /// The absolute path on the target host.
  public var path: String
  /// What happens.
  public var action: Action
  /// What is there now, if anything.
  public var old: String?
  /// What polroute would write (nil for a deletion).
  public var new: RenderedFile?

  /// Builds a change.
  public init(path: String, action: Action, old: String?, new: RenderedFile?) {
    self.path = path
    self.action = action
    self.old = old
    self.new = new
  }

  /// The unified diff from old to new.
  public var diff: String {
    let oldLines = old.map(lines) ?? []
    let newLines = new.map { lines($0.contents) } ?? []
    return UnifiedDiff.make(
      old: oldLines, new: newLines, oldName: old == nil ? "/dev/null" : "a\(path)",
      newName: new == nil ? "/dev/null" : "b\(path)")
  }

  /// A text's lines without the final newline's empty line.
  func lines(_ text: String) -> [String] {
    var parts = text.lines.map(String.init)
    if parts.last == "" { parts.removeLast() }
    return parts
  }
}
