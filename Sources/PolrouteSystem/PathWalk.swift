import PolrouteCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// An open file descriptor, closed when the value goes away.
final class OpenFile {
  /// The descriptor; -1 once handed on with `release()`.
  private(set) var fd: Int32

  /// Owns `fd`.
  init(_ fd: Int32) {
    self.fd = fd
  }

  deinit {
    if fd >= 0 { close(fd) }
  }

  /// Hands the descriptor to a caller that closes it (`fdopendir`).
  func release() -> Int32 {
    defer { fd = -1 }
    return fd
  }
}

/// Opens paths below a directory one component at a time (`openat` with `O_NOFOLLOW`), so that a symbolic link
/// planted under `--root` never leads out of it, and no step can be swapped for a link between a check and its use.
///
/// Writes, removes and the directories they create follow no link at all: polroute runs as root, and the files it
/// writes live in directories only root should be able to change, so a link there is a fault to report, not a path
/// to take. Reads resolve links as the kernel would if the root were `/` (an absolute target starts again at the
/// root, `..` stops there), because real systems link their configuration (`/etc/os-release` ->
/// `../usr/lib/os-release`), and a copy of a system under `--root` must read as that system.
enum PathWalk {
  /// How many links one read may follow, as the kernel's MAXSYMLINKS.
  static let maximumLinks = 40

  /// The kind of file a `st_mode` describes, for messages.
  static func kind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: return "a regular file"
    case S_IFDIR: return "a directory"
    case S_IFLNK: return "a symbolic link"
    case S_IFIFO: return "a FIFO"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    default: return "a special file"
    }
  }

  /// The components of a path, without empty ones and `.`.
  static func components(_ path: String) -> [String] {
    path.split(separator: "/").map(String.init).filter { $0 != "." }
  }

  /// What a link says, or nil when `name` in `directory` is not a link.
  static func linkTarget(_ directory: Int32, _ name: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlinkat(directory, name, &buffer, buffer.count - 1)
    guard count >= 0 else { return nil }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Opens a path below `base` for reading with `flags`, resolving links inside `base`; nil when a component does
  /// not exist (or is a file where a directory should be). `shown` names the path in errors.
  static func openForReading(_ base: OpenFile, _ components: [String], flags: Int32, shown: String) throws
    -> OpenFile?
  {
    // The directories from the base down to the current one, so `..` can go back up without leaving the base.
    var directories = [base]
    var pending = Array(components.reversed())
    var links = 0
    while let name = pending.popLast() {
      if name == "." { continue }
      if name == ".." {
        if directories.count > 1 { directories.removeLast() }
        continue
      }
      let isLast = pending.isEmpty
      let current = directories[directories.count - 1].fd
      let fd = openat(current, name, (isLast ? flags : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC)
      if fd >= 0 {
        if isLast { return OpenFile(fd) }
        directories.append(OpenFile(fd))
        continue
      }
      let error = errno
      if error == ENOENT { return nil }
      // A link gives ELOOP (the last component) or ENOTDIR (with O_DIRECTORY); a plain file used as a directory
      // gives ENOTDIR too, and then the path does not exist.
      guard error == ELOOP || error == ENOTDIR, let target = linkTarget(current, name) else {
        if error == ENOTDIR { return nil }
        throw FileSystemError.failed(operation: "read", path: shown, reason: ProcessRunner.errorText(error))
      }
      links += 1
      guard links <= maximumLinks else {
        throw FileSystemError.failed(operation: "read", path: shown, reason: ProcessRunner.errorText(ELOOP))
      }
      if target.hasPrefix("/") { directories = [base] }
      pending += PathWalk.components(target).reversed()
    }
    // The path named the base itself, or ended in `..`.
    let fd = openat(directories[directories.count - 1].fd, ".", flags | O_CLOEXEC)
    guard fd >= 0 else {
      throw FileSystemError.failed(operation: "read", path: shown, reason: ProcessRunner.errorText(errno))
    }
    return OpenFile(fd)
  }

  /// Opens the directory `components` below `base` for a write or a remove, following no link; missing
  /// directories are created (mode 0755) when `create` is set, else the result is nil. `shown(n)` names the path of
  /// the first `n` components in errors, `operation` and `target` name the file being written.
  static func openDirectoryForWriting(
    _ base: OpenFile, _ components: [String], create: Bool, operation: String, target: String,
    shown: (Int) -> String
  ) throws -> OpenFile? {
    var directories = [base]
    for (index, name) in components.enumerated() {
      if name == ".." {
        if directories.count > 1 { directories.removeLast() }
        continue
      }
      let current = directories[directories.count - 1].fd
      var fd = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      if fd < 0 && errno == ENOENT {
        guard create else { return nil }
        guard mkdirat(current, name, 0o755) == 0 || errno == EEXIST else {
          throw FileSystemError.failed(
            operation: "create directory", path: shown(index + 1), reason: ProcessRunner.errorText(errno))
        }
        fd = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      }
      guard fd >= 0 else {
        let error = errno
        var status = stat()
        if (error == ELOOP || error == ENOTDIR) && fstatat(current, name, &status, AT_SYMLINK_NOFOLLOW) == 0 {
          let reason =
            status.st_mode & S_IFMT == S_IFLNK
            ? "\(shown(index + 1)) is a symbolic link, and polroute does not write through links"
            : "\(shown(index + 1)) is \(kind(status.st_mode)), not a directory"
          throw FileSystemError.failed(operation: operation, path: target, reason: reason)
        }
        throw FileSystemError.failed(operation: operation, path: target, reason: ProcessRunner.errorText(error))
      }
      directories.append(OpenFile(fd))
    }
    return directories[directories.count - 1]
  }

  /// Reads a whole open file, refusing one larger than `limit` bytes (by its size when it is a regular file, before
  /// reading any of it; by what arrives otherwise, so `/dev/zero` stops at the limit).
  static func readAll(_ fd: Int32, limit: Int, shown: String) throws -> [UInt8] {
    var status = stat()
    let regular = fstat(fd, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
    if regular && Int(status.st_size) > limit { throw FileSystemError.tooLarge(path: shown, limit: limit) }
    var result: [UInt8] = []
    if regular { result.reserveCapacity(Int(status.st_size)) }
    // An uninitialized buffer: most files read here are small (proc entries, rt_tables), and zeroing a large chunk
    // for each of them cost more than the reads.
    return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65536) { chunk in
      while true {
        let count = systemRead(fd, chunk.baseAddress, chunk.count)
        if count < 0 {
          if errno == EINTR { continue }
          throw FileSystemError.failed(operation: "read", path: shown, reason: ProcessRunner.errorText(errno))
        }
        if count == 0 { return result }
        // Checked before appending, so the array never grows past the limit.
        guard result.count + count <= limit else { throw FileSystemError.tooLarge(path: shown, limit: limit) }
        result.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<count]))
      }
    }
  }

  /// A name for a temporary file beside `name` that no one can predict: hidden (iproute2, ifupdown and shell globs
  /// skip dot files), with 64 random bits from the kernel.
  static func temporaryName(for name: String) -> String {
    var generator = SystemRandomNumberGenerator()
    let random = String(generator.next() as UInt64, radix: 16)
    let padded = String(repeating: "0", count: 16 - random.count) + random
    // NAME_MAX is 255 bytes; a long name gives way to a generic one.
    let stem = name.utf8.count <= 200 ? name : "polroute"
    return ".\(stem).polroute-\(padded)"
  }
}
