import PolrouteCore
import PolrouteSystem
import Synchronization

/// A file system in memory, the test twin of `RootedFileSystem`: persistence runs against it without root or disk,
/// and a test can make the k-th write fail to prove nothing is left half-done.
public final class InMemoryFileSystem: FileSystem {
  /// The files by absolute path, and how many writes have been made.
  private let state: Mutex<(files: [String: (bytes: [UInt8], mode: UInt32)], writes: Int)>
  /// The write (1-based) that fails, if any.
  public let failingWrite: Int?

  /// Starts with `files` (text by absolute path); `failingWrite` makes that write throw.
  public init(_ files: [String: String] = [:], failingWrite: Int? = nil) {
    state = Mutex((files.mapValues { (Array($0.utf8), 0o644) }, 0))
    self.failingWrite = failingWrite
  }

  /// A file's bytes, or nil.
  public func read(_ path: String) throws -> [UInt8]? { state.withLock { $0.files[path]?.bytes } }

  /// The names directly inside a directory, sorted.
  public func list(_ directory: String) -> [String] {
    let prefix = directory.hasSuffix("/") ? directory : directory + "/"
    return state.withLock { state in
      Set(
        state.files.keys.compactMap { path -> String? in
          guard path.hasPrefix(prefix) else { return nil }
          return path.dropFirst(prefix.count).split(separator: "/").first.map(String.init)
        }
      ).sorted()
    }
  }

  /// Replaces a file, or throws when this is the write that fails.
  public func write(_ path: String, contents: [UInt8], mode: UInt32) throws {
    try state.withLock { state in
      state.writes += 1
      if state.writes == failingWrite {
        throw FileSystemError.failed(operation: "write", path: path, reason: "injected failure")
      }
      state.files[path] = (contents, mode)
    }
  }

  /// Removes a file.
  public func remove(_ path: String) throws { _ = state.withLock { $0.files.removeValue(forKey: path) } }

  /// Every file as text, by path.
  public var texts: [String: String] {
    state.withLock { $0.files.mapValues { String(decoding: $0.bytes, as: UTF8.self) } }
  }

  /// A file's mode.
  public func mode(_ path: String) -> UInt32? { state.withLock { $0.files[path]?.mode } }
}
