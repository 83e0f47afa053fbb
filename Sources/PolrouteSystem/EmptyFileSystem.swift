import PolrouteCore

/// No files, and nothing may be written: the files a plan for another host's snapshot compares with.
public struct EmptyFileSystem: FileSystem {
  /// The empty view.
  public init() {}

  /// Nothing exists.
  public func read(_ path: String) throws -> [UInt8]? { nil }
  /// Every directory is empty.
  public func list(_ directory: String) -> [String] { [] }
  /// Refused: a snapshot's host is not this one.
  public func write(_ path: String, contents: [UInt8], mode: UInt32) throws {
    throw FileSystemError.failed(operation: "write", path: path, reason: "a snapshot's files are not on this host")
  }
  /// Refused likewise.
  public func remove(_ path: String) throws {
    throw FileSystemError.failed(operation: "remove", path: path, reason: "a snapshot's files are not on this host")
  }
}
