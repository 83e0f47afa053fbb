import Glibc
import PolrouteCore

/// Writes the changes of a `PersistencePlan` under a root: atomically, keeping a backup of every file it replaces or
/// removes, and undoing what it wrote when a later write fails. The plan has already refused what polroute must
/// not touch.
public struct Persister: Sendable {
  /// The files, under the root.
  public let files: any FileSystem
  /// Where backups go (under the root too): outside the directories ifupdown and initscripts read, where a backup
  /// of a stanza file or a route- file would be read as configuration.
  public static let backupDirectory = "/var/backups/polroute"

  /// Writes under `files`' root.
  public init(files: any FileSystem) {
    self.files = files
  }

  /// A file written, and how to undo it.
  public struct Written: Sendable {
    /// The path.
    public var path: String
    /// The backup of what was there, if anything.
    public var backup: String?
  }

  /// Throws what writing the changes would throw for what is on disk now, changing nothing: no change or backup
  /// may write through a link or onto something that is not a regular file. `apply --persist` checks this before it
  /// touches the kernel (the refusals of files polroute did not write come from the persistence plan).
  public func checkWritable(_ changes: [FileChange]) throws {
    for change in changes where change.action != .unchanged {
      try files.checkWritable(change.path, removing: change.action == .delete)
      if change.old != nil { try files.checkWritable(Self.backupDirectory + change.path + ".backup", removing: false) }
    }
  }

  /// Writes the changes in order; on a failure, undoes what it wrote and rethrows.
  public func write(_ changes: [FileChange], stamp: String) throws -> [Written] {
    var written: [Written] = []
    do {
      for change in changes where change.action != .unchanged {
        var backup: String?
        if let old = change.old {
          let path = Self.backupDirectory + change.path + "." + stamp
          try files.write(path, contents: Array(old.utf8), mode: 0o600)
          backup = path
        }
        if let file = change.new {
          try files.write(file.path, contents: Array(file.contents.utf8), mode: file.mode)
        } else {
          try files.remove(change.path)
        }
        written.append(Written(path: change.path, backup: backup))
      }
      return written
    } catch {
      undo(written)
      throw error
    }
  }

  /// Puts back what `write` replaced and removes what it created.
  public func undo(_ written: [Written]) {
    for entry in written.reversed() {
      if let backup = entry.backup, let bytes = try? files.read(backup) {
        try? files.write(entry.path, contents: bytes, mode: 0o644)
      } else if entry.backup == nil {
        try? files.remove(entry.path)
      }
    }
  }

  /// A UTC timestamp for backup names (`20261121T163000Z`).
  public static func timestamp() -> String {
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return
      "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
  }
}
