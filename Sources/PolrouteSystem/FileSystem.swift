import Glibc
import PolrouteCore

/// Why a file could not be read or written; the message names the path.
public enum FileSystemError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A system call failed on a path.
  case failed(operation: String, path: String, reason: String)

  /// The message shown to the user.
  public var description: String {
    switch self {
    case .failed(let operation, let path, let reason): return "cannot \(operation) \(path): \(reason)"
    }
  }
}

/// Files polroute reads and writes, by absolute path; implementations may place them under a root directory.
public protocol FileSystem: FileReader {
  /// Replaces a file atomically (temporary file, fsync, rename), creating parent directories.
  func write(_ path: String, contents: [UInt8], mode: UInt32) throws
  /// Removes a file if it exists.
  func remove(_ path: String) throws
  /// The contents of a regular file of at most `limit` bytes, or nil when it does not exist; a larger file, or one
  /// that is not a regular file (a FIFO would block), is an error. /dev/null reads as empty (systemd masks files by
  /// linking them there).
  func read(_ path: String, limit: Int) throws -> [UInt8]?
  /// Whether a path exists (without reading it).
  func exists(_ path: String) -> Bool
}

extension FileSystem {
  /// Reads the whole file and refuses it when it is over the limit (file systems without a cheaper way).
  public func read(_ path: String, limit: Int) throws -> [UInt8]? {
    guard let bytes = try read(path) else { return nil }
    guard bytes.count <= limit else {
      throw FileSystemError.failed(operation: "read", path: path, reason: "larger than \(limit) bytes")
    }
    return bytes
  }

  /// Whether reading the path finds a file.
  public func exists(_ path: String) -> Bool {
    ((try? read(path)) ?? nil) != nil
  }
}

/// The real file system, with every path placed under `root` (`/` for the live host; `--root DIR` otherwise).
public struct RootedFileSystem: FileSystem {
  /// The directory absolute paths are taken relative to.
  public let root: String

  /// Uses `root` as `/`.
  public init(root: String = "/") {
    self.root = root
  }

  /// Whether a path names a directory (following links: `--root` may be one).
  public static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }

  /// The real path of an absolute path under the root.
  public func realPath(_ path: String) -> String {
    if root == "/" || root.isEmpty { return path }
    let trimmedRoot = root.hasSuffix("/") ? String(root.dropLast()) : root
    return trimmedRoot + (path.hasPrefix("/") ? path : "/" + path)
  }

  /// Reads a whole file.
  public func read(_ path: String) throws -> [UInt8]? {
    let real = realPath(path)
    let fd = open(real, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      if errno == ENOENT || errno == ENOTDIR { return nil }
      throw FileSystemError.failed(operation: "read", path: real, reason: ProcessRunner.errorText(errno))
    }
    defer { close(fd) }
    var result: [UInt8] = []
    // An uninitialized buffer: the files read here are small (proc entries, rt_tables), and zeroing a large chunk for
    // each of them cost more than the reads.
    return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16384) { chunk in
      while true {
        let count = systemRead(fd, chunk.baseAddress, chunk.count)
        if count < 0 {
          if errno == EINTR { continue }
          throw FileSystemError.failed(operation: "read", path: real, reason: ProcessRunner.errorText(errno))
        }
        if count == 0 { return result }
        result.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<count]))
      }
    }
  }

  /// Reads a regular file up to `limit` bytes: opened without blocking and checked with fstat, so a FIFO or device
  /// in a configuration directory cannot hang or flood the reader.
  public func read(_ path: String, limit: Int) throws -> [UInt8]? {
    let real = realPath(path)
    let fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    if fd < 0 {
      if errno == ENOENT || errno == ENOTDIR { return nil }
      throw FileSystemError.failed(operation: "read", path: real, reason: ProcessRunner.errorText(errno))
    }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0 else {
      throw FileSystemError.failed(operation: "read", path: real, reason: ProcessRunner.errorText(errno))
    }
    let type = status.st_mode & S_IFMT
    // /dev/null is character device 1:3 (glibc's encoding of major 1, minor 3 is 0x103).
    if type == S_IFCHR && status.st_rdev == 0x103 { return [] }
    guard type == S_IFREG else {
      throw FileSystemError.failed(operation: "read", path: real, reason: "not a regular file")
    }
    guard Int(status.st_size) <= limit else {
      throw FileSystemError.failed(
        operation: "read", path: real, reason: "\(status.st_size) bytes is more than the \(limit) read at most")
    }
    var result: [UInt8] = []
    result.reserveCapacity(Int(status.st_size))
    return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16384) { chunk in
      while result.count <= limit {
        let count = systemRead(fd, chunk.baseAddress, chunk.count)
        if count < 0 {
          if errno == EINTR { continue }
          throw FileSystemError.failed(operation: "read", path: real, reason: ProcessRunner.errorText(errno))
        }
        if count == 0 { return result }
        result.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<count]))
      }
      // The file grew past the limit while it was read.
      throw FileSystemError.failed(operation: "read", path: real, reason: "more than the \(limit) bytes read at most")
    }
  }

  /// Whether the path exists under the root (a dangling symlink does not).
  public func exists(_ path: String) -> Bool {
    access(realPath(path), F_OK) == 0
  }

  /// Lists a directory.
  public func list(_ directory: String) -> [String] {
    guard let handle = opendir(realPath(directory)) else { return [] }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafePointer(to: entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  /// Writes through a temporary file in the same directory, fsyncs it, renames it over the target and fsyncs the
  /// directory, so a crash leaves either the old or the new file, never a mix.
  public func write(_ path: String, contents: [UInt8], mode: UInt32) throws {
    let real = realPath(path)
    let directory = String(real[..<(real.lastIndex(of: "/") ?? real.startIndex)])
    try makeDirectories(directory.isEmpty ? "/" : directory)
    let temporary = "\(real).polroute-tmp.\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
    guard fd >= 0 else {
      throw FileSystemError.failed(operation: "write", path: temporary, reason: ProcessRunner.errorText(errno))
    }
    var written = 0
    while written < contents.count {
      let count = contents.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + written, contents.count - written) }
      if count < 0 {
        if errno == EINTR { continue }
        let reason = ProcessRunner.errorText(errno)
        close(fd)
        unlink(temporary)
        throw FileSystemError.failed(operation: "write", path: temporary, reason: reason)
      }
      written += count
    }
    // The umask may have narrowed the mode; generated files must have exactly the mode asked for.
    fchmod(fd, mode_t(mode))
    guard fsync(fd) == 0, close(fd) == 0 else {
      let reason = ProcessRunner.errorText(errno)
      unlink(temporary)
      throw FileSystemError.failed(operation: "sync", path: temporary, reason: reason)
    }
    guard rename(temporary, real) == 0 else {
      let reason = ProcessRunner.errorText(errno)
      unlink(temporary)
      throw FileSystemError.failed(operation: "rename into place", path: real, reason: reason)
    }
    let directoryFD = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if directoryFD >= 0 {
      fsync(directoryFD)
      close(directoryFD)
    }
  }

  /// Removes a file under the root.
  public func remove(_ path: String) throws {
    let real = realPath(path)
    if unlink(real) != 0 && errno != ENOENT {
      throw FileSystemError.failed(operation: "remove", path: real, reason: ProcessRunner.errorText(errno))
    }
  }

  /// `mkdir -p` on a real path.
  func makeDirectories(_ real: String) throws {
    var current = ""
    for component in real.split(separator: "/") {
      current += "/" + component
      if mkdir(current, 0o755) != 0 && errno != EEXIST {
        throw FileSystemError.failed(
          operation: "create directory", path: current, reason: ProcessRunner.errorText(errno))
      }
    }
  }
}
