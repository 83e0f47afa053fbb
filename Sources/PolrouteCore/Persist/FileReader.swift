/// Files Core may read (never write): the host's configuration under a root, or a test's in-memory files. Core
/// decides what to write from what is there; only System writes.
public protocol FileReader: Sendable {
  /// The contents of a file, or nil when it does not exist.
  func read(_ path: String) throws -> [UInt8]?
  /// The names in a directory, sorted; empty when it does not exist.
  func list(_ directory: String) -> [String]
  /// The contents of files below one directory, by their paths relative to it (`u7/rp_filter`), each nil when it
  /// does not exist: the same as reading each, for hundreds of small files (every interface's sysctls) at once.
  func read(_ relativePaths: [String], in directory: String) throws -> [[UInt8]?]
}

extension FileReader {
  /// Reads each file on its own.
  public func read(_ relativePaths: [String], in directory: String) throws -> [[UInt8]?] {
    try relativePaths.map { try read(directory + "/" + $0) }
  }

  /// A file's contents as text, or nil when it does not exist.
  public func readText(_ path: String) throws -> String? {
    try read(path).map { String(decoding: $0, as: UTF8.self) }
  }
}
