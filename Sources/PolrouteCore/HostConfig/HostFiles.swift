/// The files a host's network configuration is read from, already read: what `HostConfigurationBuilder` works on,
/// filled by the system's reader from disk and by tests from strings.
public struct HostFiles: Sendable {
  /// The contents of every file read, by absolute path.
  public var contents: [String: [UInt8]]
  /// The names in every directory listed, by absolute path, sorted.
  public var listings: [String: [String]]
  /// Files known to exist without being read (markers such as a cloud agent's unit).
  public var present: Set<String>
  /// What could not be read (too large, unreadable), one note each.
  public var notes: [Diagnostic]

  /// Builds a set of files.
  public init(
    contents: [String: [UInt8]] = [:], listings: [String: [String]] = [:], present: Set<String> = [],
    notes: [Diagnostic] = []
  ) {
    self.contents = contents
    self.listings = listings
    self.present = present
    self.notes = notes
  }

  /// Text files by path; the directories they are in are listed as holding them.
  public init(texts: [String: String]) {
    self.init()
    for (path, text) in texts { add(path, Array(text.utf8)) }
  }

  /// Adds a file and lists it in its directory (and that directory in its parents).
  public mutating func add(_ path: String, _ bytes: [UInt8]) {
    contents[path] = bytes
    var child = path
    while true {
      let parent = DebianPlacement.Path.parent(child)
      let name = String(child.split(separator: "/").last ?? "")
      var names = listings[parent] ?? []
      if !names.contains(name) {
        names.append(name)
        listings[parent] = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      }
      if parent == "/" || parent == child { break }
      child = parent
    }
  }

  /// A file's text (UTF-8, invalid bytes replaced), or nil when it was not read.
  public func text(_ path: String) -> String? {
    contents[path].map { String(decoding: $0, as: UTF8.self) }
  }

  /// The names in a directory, sorted by bytes; empty when it was not listed.
  public func names(in directory: String) -> [String] {
    listings[directory] ?? []
  }

  /// Whether a file exists: read, or known to be present.
  public func exists(_ path: String) -> Bool {
    contents[path] != nil || present.contains(path)
  }

  /// Whether a directory was listed and holds anything.
  public func hasEntries(_ directory: String) -> Bool {
    !(listings[directory] ?? []).isEmpty
  }
}
