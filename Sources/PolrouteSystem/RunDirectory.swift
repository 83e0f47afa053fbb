import Glibc
import PolrouteCore

/// The run directory (`/run/polroute`, or `POLROUTE_RUN_DIR`): the apply lock and the confirmation handshake live
/// there, so a user who could create files in it could block every apply (by holding the lock) or keep a change
/// that should roll back (by confirming it). It must be a directory (not a link) of the user polroute runs as
/// (root), mode 0700.
public enum RunDirectory {
  /// The directory unless `POLROUTE_RUN_DIR` moves it.
  public static let defaultPath = "/run/polroute"

  /// The directory for an environment.
  public static func path(in environment: [String: String]) -> String {
    environment["POLROUTE_RUN_DIR"] ?? defaultPath
  }

  /// The apply lock in a run directory.
  public static func lockPath(_ directory: String) -> String { directory + "/lock" }

  /// Creates the directory (mode 0700) when it is missing, and checks it as `open` does.
  public static func prepare(_ path: String) throws {
    _ = try open(path, create: true)
  }

  /// Opens the directory one component at a time without following a link (as every file polroute writes is
  /// reached, so the lock and the handshake files agree on where they are), creating the last one (mode 0700) when
  /// `create` is set, and refuses it unless the effective user owns it and no other user may write to it. One that
  /// others may only read or enter (0755, as polroute made it before) is narrowed to 0700: no one else can have put
  /// anything in it.
  static func open(_ path: String, create: Bool = false) throws -> OpenFile {
    let components = PathWalk.components(path)
    let start = Glibc.open(path.hasPrefix("/") ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard start >= 0 else { throw LockError.unavailable(path: path, reason: ProcessRunner.errorText(errno)) }
    var current = OpenFile(start)
    for (index, name) in components.enumerated() {
      let isLast = index == components.count - 1
      var fd = openat(current.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      if fd < 0 && errno == ENOENT && isLast && create {
        guard mkdirat(current.fd, name, 0o700) == 0 || errno == EEXIST else {
          throw LockError.unavailable(path: path, reason: ProcessRunner.errorText(errno))
        }
        fd = openat(current.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      }
      guard fd >= 0 else {
        let error = errno
        var status = stat()
        if (error == ELOOP || error == ENOTDIR) && fstatat(current.fd, name, &status, AT_SYMLINK_NOFOLLOW) == 0 {
          let shown = (path.hasPrefix("/") ? "/" : "") + components[...index].joined(separator: "/")
          throw LockError.unsafe(
            path: path, what: "run directory",
            reason: isLast
              ? "it is \(PathWalk.kind(status.st_mode)), not a directory (see POLROUTE_RUN_DIR)"
              : status.st_mode & S_IFMT == S_IFLNK
                ? "\(shown) is a symbolic link, and polroute follows no link to its run directory (see POLROUTE_RUN_DIR)"
                : "\(shown) is \(PathWalk.kind(status.st_mode)), not a directory")
        }
        throw LockError.unavailable(path: path, reason: ProcessRunner.errorText(error))
      }
      current = OpenFile(fd)
    }
    let fd = current.fd
    let directory = current
    var status = stat()
    guard fstat(fd, &status) == 0 else {
      throw LockError.unavailable(path: path, reason: ProcessRunner.errorText(errno))
    }
    guard status.st_uid == geteuid() else {
      throw LockError.unsafe(
        path: path, what: "run directory",
        reason:
          "it belongs to \(Users.name(status.st_uid)), not \(Users.name(geteuid())), and that user could block or "
          + "steer an apply through it (see POLROUTE_RUN_DIR)")
    }
    let permissions = status.st_mode & 0o777
    guard permissions & 0o022 == 0 else {
      throw LockError.unsafe(
        path: path, what: "run directory",
        reason:
          "its mode \(octal(permissions)) lets other users create files in it, and they could block or steer an "
          + "apply (chmod 700 it)")
    }
    if permissions != 0o700 && fchmod(fd, 0o700) != 0 {
      throw LockError.unavailable(path: path, reason: ProcessRunner.errorText(errno))
    }
    return directory
  }

  /// A mode as four octal digits (`0755`).
  static func octal(_ mode: mode_t) -> String {
    let digits = String(mode, radix: 8)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }
}
