import Glibc
import PolrouteCore

/// Why a file could not be read or written; the message names the path.
public enum FileSystemError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A system call failed on a path, or what is there must not be touched.
  case failed(operation: String, path: String, reason: String)
  /// A file is larger than polroute reads.
  case tooLarge(path: String, limit: Int)

  /// The message shown to the user.
  public var description: String {
    switch self {
    case .failed(let operation, let path, let reason): return "cannot \(operation) \(path): \(reason)"
    case .tooLarge(let path, let limit):
      let size = limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"
      return "cannot read \(path): it is larger than \(size), the most polroute reads from one file"
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
  /// Throws what `write` (or, with `removing`, `remove`) would throw for what is at the path now; changes nothing.
  func checkWritable(_ path: String, removing: Bool) throws
}

extension FileSystem {
  /// Reads the whole file and refuses it when it is over the limit (file systems without a cheaper way).
  public func read(_ path: String, limit: Int) throws -> [UInt8]? {
    guard let bytes = try read(path) else { return nil }
    guard bytes.count <= limit else { throw FileSystemError.tooLarge(path: path, limit: limit) }
    return bytes
  }

  /// Whether reading the path finds a file.
  public func exists(_ path: String) -> Bool {
    ((try? read(path)) ?? nil) != nil
  }

  /// Nothing on a file system without links or special files can stop a write.
  public func checkWritable(_ path: String, removing: Bool) throws {}
}

/// The real file system, with every path placed under `root` (`/` for the live host; `--root DIR` otherwise).
///
/// Every path below the root is opened one component at a time (see `PathWalk`): writes, removes and the
/// directories they create follow no symbolic link, and write only regular files; reads follow links as if the root
/// were `/`, so none leads out of it. Writes go through a temporary file created with `O_CREAT|O_EXCL|O_NOFOLLOW`
/// under an unpredictable name, then renamed over the target.
public struct RootedFileSystem: FileSystem {
  /// The directory absolute paths are taken relative to.
  public let root: String

  /// The most polroute reads from one file: 512 MiB. A snapshot keeps every route polroute owns, and a host with a
  /// million of them gives a 342 MB `inspect --json` (measured: 342 bytes a route); other routes are sampled
  /// (10,000 kept, 3.4 MB for a million in main). A policy of a million statements is about 50 MB. Without a limit,
  /// `--state /dev/zero` read until memory ran out.
  public static let readLimit = 512 << 20

  /// Uses `root` as `/`.
  public init(root: String = "/") {
    self.root = root
  }

  /// Whether a path names a directory (following links: `--root` may be one).
  public static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }

  /// Why `path` cannot be used as a directory (`no such directory`, `it is a regular file, not a directory`), or nil
  /// when it is one (links followed: the user named it).
  public static func directoryProblem(_ path: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return errno == ENOENT ? "no such directory" : ProcessRunner.errorText(errno) }
    return info.st_mode & S_IFMT == S_IFDIR ? nil : "it is \(PathWalk.kind(info.st_mode)), not a directory"
  }

  /// Whether this is the real root, where relative paths are taken from the working directory.
  var isRealRoot: Bool { root == "/" || root.isEmpty }

  /// The real path of an absolute path under the root.
  public func realPath(_ path: String) -> String {
    if isRealRoot { return path }
    let trimmedRoot = root.hasSuffix("/") ? String(root.dropLast()) : root
    return trimmedRoot + (path.hasPrefix("/") ? path : "/" + path)
  }

  /// The directory a path is walked from (the root, or the working directory for a relative path on the real
  /// root) and its components; nil when the root does not exist and `create` is not set.
  func start(_ path: String, create: Bool, operation: String) throws -> (base: OpenFile, components: [String])? {
    let base: String
    if isRealRoot {
      base = path.hasPrefix("/") ? "/" : "."
    } else {
      base = root
      // The root itself is a path the user named: its own links are followed, and it is created for a write.
      if create { try makeDirectories(root) }
    }
    let fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else {
      if errno == ENOENT && !create { return nil }
      throw FileSystemError.failed(operation: operation, path: base, reason: ProcessRunner.errorText(errno))
    }
    return (OpenFile(fd), PathWalk.components(path))
  }

  /// The real path of the first `count` components, for messages.
  func shown(_ path: String, _ components: [String], _ count: Int) -> String {
    let prefix = components.prefix(count).joined(separator: "/")
    return realPath(path.hasPrefix("/") || !isRealRoot ? "/" + prefix : prefix)
  }

  /// Reads a whole regular file (at most `readLimit` bytes), resolving links inside the root; nil when it does not
  /// exist. A FIFO, a device or a directory is an error: reading one would block, never end, or fail.
  public func read(_ path: String) throws -> [UInt8]? {
    try read(path, limit: Self.readLimit)
  }

  /// Reads a regular file of at most `limit` bytes (and never more than `readLimit`), resolving links inside the
  /// root; nil when it does not exist. /dev/null, or a link to it, reads as empty: systemd masks a file by linking
  /// it there.
  public func read(_ path: String, limit: Int) throws -> [UInt8]? {
    let real = realPath(path)
    guard let (base, components) = try start(path, create: false, operation: "read"),
      let file = try PathWalk.openForReading(base, components, flags: O_RDONLY | O_NONBLOCK, shown: real)
    else { return nil }
    var status = stat()
    guard fstat(file.fd, &status) == 0 else {
      throw FileSystemError.failed(operation: "read", path: real, reason: ProcessRunner.errorText(errno))
    }
    // /dev/null is character device 1:3 (glibc's encoding of major 1, minor 3 is 0x103).
    if status.st_mode & S_IFMT == S_IFCHR && status.st_rdev == 0x103 { return [] }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw FileSystemError.failed(
        operation: "read", path: real, reason: "it is \(PathWalk.kind(status.st_mode)), not a regular file")
    }
    return try PathWalk.readAll(file.fd, limit: min(limit, Self.readLimit), shown: real)
  }

  /// Reads files below one directory, opening the directory and each subdirectory once, not once per file: every
  /// interface's sysctls are hundreds of files under /proc/sys/net, and walking to each from the root cost 9 ms of a
  /// 50-uplink apply. Each path's components are opened as `read` opens them (no link followed); a path that meets
  /// a link, or anything but directories and a regular file, is read by `read` itself, which resolves links inside
  /// the root and gives its errors.
  public func read(_ relativePaths: [String], in directory: String) throws -> [[UInt8]?] {
    let real = realPath(directory)
    guard let (base, components) = try start(directory, create: false, operation: "read"),
      let top = try PathWalk.openForReading(base, components, flags: O_RDONLY | O_DIRECTORY, shown: real)
    else { return relativePaths.map { _ in nil } }
    var directories: [String: OpenFile?] = ["": top]
    /// The directory at `path` below `top`, opened without following a link; nil when that fails (missing, a link,
    /// not a directory), which `read` then decides for each file below it.
    func subdirectory(_ path: Substring) -> OpenFile? {
      let key = String(path)
      if let known = directories[key] { return known }
      let slash = path.lastIndex(of: "/")
      let name = String(slash.map { path[path.index(after: $0)...] } ?? path)
      let parent = subdirectory(slash.map { path[..<$0] } ?? "")
      let fd = parent.map { openat($0.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) } ?? -1
      let opened = fd >= 0 ? OpenFile(fd) : nil
      directories[key] = .some(opened)
      return opened
    }
    return try relativePaths.map { path in
      let whole = directory + "/" + path
      let slash = path.lastIndex(of: "/")
      guard !path.hasPrefix("/"), !path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }),
        let parent = subdirectory(slash.map { path[..<$0] } ?? "")
      else { return try read(whole) }
      let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
      let fd = openat(parent.fd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
      // A directory reached without links that lacks the name: `read` would find nothing either.
      if fd < 0 && errno == ENOENT { return nil }
      guard fd >= 0 else { return try read(whole) }
      let file = OpenFile(fd)
      var status = stat()
      guard fstat(file.fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return try read(whole) }
      return try PathWalk.readAll(file.fd, limit: Self.readLimit, shown: realPath(whole))
    }
  }

  /// `O_PATH` (open a name without reading it: no FIFO blocks, no device is touched), which Glibc's Swift module
  /// does not export.
  static let pathOnly: Int32 = 0o10000000

  /// Whether the path exists under the root (links resolved inside it; a dangling link does not).
  public func exists(_ path: String) -> Bool {
    guard let (base, components) = try? start(path, create: false, operation: "read"),
      let file = try? PathWalk.openForReading(base, components, flags: Self.pathOnly, shown: realPath(path))
    else { return false }
    return file.fd >= 0
  }

  /// Reads a file the user named on the command line (`--state`, `--policy`, `/dev/stdin` for `-`): its links are
  /// followed and it may be a pipe (`--policy <(generate)`), since the user chose it, but no more than `limit`
  /// bytes are read. Nil when it does not exist.
  public static func readNamed(_ path: String, limit: Int = readLimit) throws -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      if errno == ENOENT || errno == ENOTDIR { return nil }
      throw FileSystemError.failed(operation: "read", path: path, reason: ProcessRunner.errorText(errno))
    }
    let file = OpenFile(fd)
    return try PathWalk.readAll(file.fd, limit: limit, shown: path)
  }

  /// Lists a directory, resolving links inside the root; empty when it does not exist or cannot be read.
  public func list(_ directory: String) -> [String] {
    let real = realPath(directory)
    guard let (base, components) = try? start(directory, create: false, operation: "list"),
      let opened = try? PathWalk.openForReading(base, components, flags: O_RDONLY | O_DIRECTORY, shown: real)
    else { return [] }
    let fd = opened.release()
    guard let handle = fdopendir(fd) else {
      close(fd)
      return []
    }
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
  /// directory, so a crash leaves either the old or the new file, never a mix. Only a regular file is replaced: a
  /// link, FIFO, device or directory at the target is refused, as is a link on the way to it.
  public func write(_ path: String, contents: [UInt8], mode: UInt32) throws {
    let real = realPath(path)
    guard let (base, components) = try start(path, create: true, operation: "write"),
      let name = components.last, name != ".."
    else {
      throw FileSystemError.failed(operation: "write", path: real, reason: "it is a directory, not a regular file")
    }
    let parent = try PathWalk.openDirectoryForWriting(
      base, Array(components.dropLast()), create: true, operation: "write", target: real,
      shown: { shown(path, components, $0) })!
    try checkReplaceable(parent.fd, name, operation: "write", real: real)
    let temporary = PathWalk.temporaryName(for: name)
    let shownTemporary = shown(path, components, components.count - 1) + "/" + temporary
    let fd = openat(parent.fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      throw FileSystemError.failed(operation: "write", path: shownTemporary, reason: ProcessRunner.errorText(errno))
    }
    func fail(_ operation: String, _ path: String, _ code: Int32) -> FileSystemError {
      unlinkat(parent.fd, temporary, 0)
      return FileSystemError.failed(operation: operation, path: path, reason: ProcessRunner.errorText(code))
    }
    var written = 0
    while written < contents.count {
      let count = contents.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + written, contents.count - written) }
      if count < 0 {
        if errno == EINTR { continue }
        let code = errno
        close(fd)
        throw fail("write", shownTemporary, code)
      }
      written += count
    }
    // Created 0600 so no one reads it half-written; the umask must not narrow the mode asked for either.
    fchmod(fd, mode_t(mode))
    guard fsync(fd) == 0, close(fd) == 0 else { throw fail("sync", shownTemporary, errno) }
    guard renameat(parent.fd, temporary, parent.fd, name) == 0 else { throw fail("rename into place", real, errno) }
    fsync(parent.fd)
  }

  /// Throws what `write` (or, with `removing`, `remove`) would throw for what is on disk now: a link or a
  /// non-directory on the way, or something at the path polroute does not replace; changes nothing. `apply --persist`
  /// checks every file before it touches the kernel.
  public func checkWritable(_ path: String, removing: Bool = false) throws {
    let real = realPath(path)
    let operation = removing ? "remove" : "write"
    // A root that does not exist yet is created by the write, with everything below it.
    guard let (base, components) = try start(path, create: false, operation: operation) else { return }
    guard let name = components.last, name != ".." else {
      if removing { return }
      throw FileSystemError.failed(operation: operation, path: real, reason: "it is a directory, not a regular file")
    }
    guard
      let parent = try PathWalk.openDirectoryForWriting(
        base, Array(components.dropLast()), create: false, operation: operation, target: real,
        shown: { shown(path, components, $0) })
    else { return }
    var status = stat()
    if removing && fstatat(parent.fd, name, &status, AT_SYMLINK_NOFOLLOW) == 0 && status.st_mode & S_IFMT == S_IFLNK {
      return
    }
    try checkReplaceable(parent.fd, name, operation: operation, real: real)
  }

  /// Throws unless `name` in `directory` is missing or a regular file (the only things polroute replaces).
  func checkReplaceable(_ directory: Int32, _ name: String, operation: String, real: String) throws {
    var status = stat()
    guard fstatat(directory, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
      if errno == ENOENT { return }
      throw FileSystemError.failed(operation: operation, path: real, reason: ProcessRunner.errorText(errno))
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: return
    case S_IFLNK:
      throw FileSystemError.failed(
        operation: operation, path: real, reason: "it is a symbolic link, and polroute does not write through links")
    default:
      throw FileSystemError.failed(
        operation: operation, path: real, reason: "it is \(PathWalk.kind(status.st_mode)), not a regular file")
    }
  }

  /// Removes a file under the root, if it exists. A link is removed itself (never what it points to); a FIFO,
  /// device or directory is refused, as is a link on the way to it.
  public func remove(_ path: String) throws {
    let real = realPath(path)
    guard let (base, components) = try start(path, create: false, operation: "remove"),
      let name = components.last, name != ".."
    else { return }
    guard
      let parent = try PathWalk.openDirectoryForWriting(
        base, Array(components.dropLast()), create: false, operation: "remove", target: real,
        shown: { shown(path, components, $0) })
    else { return }
    var status = stat()
    guard fstatat(parent.fd, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
      if errno == ENOENT { return }
      throw FileSystemError.failed(operation: "remove", path: real, reason: ProcessRunner.errorText(errno))
    }
    let type = status.st_mode & S_IFMT
    guard type == S_IFREG || type == S_IFLNK else {
      throw FileSystemError.failed(
        operation: "remove", path: real, reason: "it is \(PathWalk.kind(status.st_mode)), not a regular file")
    }
    if unlinkat(parent.fd, name, 0) != 0 && errno != ENOENT {
      throw FileSystemError.failed(operation: "remove", path: real, reason: ProcessRunner.errorText(errno))
    }
  }

  /// `mkdir -p` on the root directory itself, which the user named (so its own links are followed).
  func makeDirectories(_ real: String) throws {
    var current = real.hasPrefix("/") ? "" : "."
    for component in real.split(separator: "/") {
      current += "/" + component
      if mkdir(current, 0o755) != 0 && errno != EEXIST {
        throw FileSystemError.failed(
          operation: "create directory", path: current, reason: ProcessRunner.errorText(errno))
      }
    }
  }
}
