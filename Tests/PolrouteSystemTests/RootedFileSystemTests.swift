import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// Files under a root with links, FIFOs and devices planted where polroute reads and writes: no link leads out of
/// the root, nothing but a regular file is written or read, temporary files cannot be predicted or hijacked, and
/// reads stop at a limit. (None of this needs root: the live tests repeat the cases that do.)
@Suite("Rooted file system")
struct RootedFileSystemTests {
  /// A scratch directory with a root inside it and a directory outside the root that links point to.
  final class Scratch {
    /// The scratch directory.
    let directory: TemporaryDirectory
    /// `DIR/root`, the root the file system is given.
    let root: String
    /// `DIR/outside`, which nothing under the root may touch.
    let outside: String

    init(_ label: String) throws {
      directory = try TemporaryDirectory(label)
      root = directory.path + "/root"
      outside = directory.path + "/outside"
      try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    }

    /// The file system rooted at `root`.
    var files: RootedFileSystem { RootedFileSystem(root: root) }

    /// Creates a directory (and its parents) below the scratch directory.
    func mkdir(_ relative: String) throws {
      try FileManager.default.createDirectory(
        atPath: directory.path + "/" + relative, withIntermediateDirectories: true)
    }

    /// Creates a symbolic link at `relative` (below the scratch directory) pointing to `target`, as written.
    func link(_ relative: String, to target: String) throws {
      try FileManager.default.createSymbolicLink(atPath: directory.path + "/" + relative, withDestinationPath: target)
    }

    /// Creates a FIFO.
    func fifo(_ relative: String) throws {
      #expect(mkfifo(directory.path + "/" + relative, 0o644) == 0)
    }

    /// A file's text below the scratch directory.
    func read(_ relative: String) -> String? { directory.read(relative) }

    /// The kind of what is at a path, without following a link there: file, directory, link, fifo or missing.
    func kind(_ relative: String) -> String {
      var status = stat()
      guard lstat(directory.path + "/" + relative, &status) == 0 else { return "missing" }
      switch status.st_mode & S_IFMT {
      case S_IFREG: return "file"
      case S_IFDIR: return "directory"
      case S_IFLNK: return "link"
      case S_IFIFO: return "fifo"
      default: return "other"
      }
    }

    /// The names in a directory below the scratch directory.
    func names(_ relative: String) -> [String] { TestPaths.list(directory.path + "/" + relative) }

    /// A file's permission bits.
    func mode(_ relative: String) -> Int {
      let attributes = try? FileManager.default.attributesOfItem(atPath: directory.path + "/" + relative)
      return (attributes?[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
  }

  /// The message a throwing call gives, or nil.
  static func message(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch {
      return "\(error)"
    }
  }

  // MARK: Writes

  @Test("a link planted at the old temporary name is not followed: its target keeps its content and mode")
  func plantedTemporaryLink() throws {
    let scratch = try Scratch("tmplink")
    try scratch.mkdir("root/etc/iproute2/rt_tables.d")
    try scratch.directory.write("outside/victim", "precious\n")
    try Live.check(["chmod", "600", scratch.outside + "/victim"])
    // Before, the temporary file was TARGET.polroute-tmp.PID, opened without O_EXCL|O_NOFOLLOW.
    try scratch.link(
      "root/etc/iproute2/rt_tables.d/polroute.conf.polroute-tmp.\(getpid())", to: scratch.outside + "/victim")
    try scratch.files.write("/etc/iproute2/rt_tables.d/polroute.conf", contents: Array("100 data\n".utf8), mode: 0o644)
    #expect(scratch.read("outside/victim") == "precious\n")
    #expect(scratch.mode("outside/victim") == 0o600)
    #expect(scratch.read("root/etc/iproute2/rt_tables.d/polroute.conf") == "100 data\n")
  }

  @Test("a write leaves only the file: the temporary is renamed, with the mode asked for")
  func writeLeavesNoTemporary() throws {
    let scratch = try Scratch("write")
    for round in 0..<3 {
      try scratch.files.write(
        "/etc/network/interfaces.d/polroute", contents: Array("round \(round)\n".utf8), mode: 0o640)
    }
    #expect(scratch.names("root/etc/network/interfaces.d") == ["polroute"])
    #expect(scratch.read("root/etc/network/interfaces.d/polroute") == "round 2\n")
    #expect(scratch.mode("root/etc/network/interfaces.d/polroute") == 0o640)
  }

  @Test("an existing regular file is replaced (a new file renamed over it)")
  func replacesRegularFile() throws {
    let scratch = try Scratch("replace")
    try scratch.directory.write("root/etc/polroute.sh", "old\n")
    try scratch.files.write("/etc/polroute.sh", contents: Array("new\n".utf8), mode: 0o755)
    #expect(scratch.read("root/etc/polroute.sh") == "new\n")
    #expect(scratch.mode("root/etc/polroute.sh") == 0o755)
  }

  @Test("a symbolic link at the target is refused, and neither it nor what it points to changes")
  func linkAtTarget() throws {
    let scratch = try Scratch("targetlink")
    try scratch.mkdir("root/etc")
    try scratch.directory.write("outside/victim", "precious\n")
    try scratch.link("root/etc/polroute.sh", to: scratch.outside + "/victim")
    let error = Self.message {
      try scratch.files.write("/etc/polroute.sh", contents: Array("x\n".utf8), mode: 0o755)
    }
    #expect(
      error
        == "cannot write \(scratch.root)/etc/polroute.sh: it is a symbolic link, and polroute does not write through links"
    )
    #expect(scratch.kind("root/etc/polroute.sh") == "link")
    #expect(scratch.read("outside/victim") == "precious\n")
  }

  @Test("a FIFO at the target is refused and stays a FIFO")
  func fifoAtTarget() throws {
    let scratch = try Scratch("fifo")
    try scratch.mkdir("root/etc")
    try scratch.fifo("root/etc/polroute.sh")
    let error = Self.message {
      try scratch.files.write("/etc/polroute.sh", contents: Array("x\n".utf8), mode: 0o755)
    }
    #expect(error == "cannot write \(scratch.root)/etc/polroute.sh: it is a FIFO, not a regular file")
    #expect(scratch.kind("root/etc/polroute.sh") == "fifo")
    #expect(scratch.names("root/etc") == ["polroute.sh"])
  }

  @Test("a directory at the target is refused")
  func directoryAtTarget() throws {
    let scratch = try Scratch("dir")
    try scratch.mkdir("root/etc/polroute.sh")
    #expect(
      Self.message { try scratch.files.write("/etc/polroute.sh", contents: [], mode: 0o644) }
        == "cannot write \(scratch.root)/etc/polroute.sh: it is a directory, not a regular file")
  }

  /// Directory links where polroute writes: rt_tables.d, the backup directory, and /etc itself.
  @Test(arguments: [
    ("root/etc/iproute2/rt_tables.d", "/etc/iproute2/rt_tables.d/polroute.conf", "/etc/iproute2/rt_tables.d"),
    ("root/var/backups/polroute", "/var/backups/polroute/etc/network/interfaces.d/polroute.1", "/var/backups/polroute"),
    ("root/etc", "/etc/sysconfig/network-scripts/route-data", "/etc"),
  ])
  func directoryLinkOutOfTheRoot(link: String, path: String, shown: String) throws {
    let scratch = try Scratch("dirlink")
    let parent = (link as NSString).deletingLastPathComponent
    try scratch.mkdir(parent)
    try scratch.link(link, to: scratch.outside)
    let error = Self.message { try scratch.files.write(path, contents: Array("x\n".utf8), mode: 0o644) }
    #expect(
      error
        == "cannot write \(scratch.root)\(path): \(scratch.root)\(shown) is a symbolic link, and polroute does not write through links"
    )
    #expect(scratch.names("outside") == [])
  }

  @Test("a relative link with .. that climbs out of the root is refused for writes too")
  func relativeLinkOutOfTheRoot() throws {
    let scratch = try Scratch("dotdot")
    try scratch.mkdir("root/etc/iproute2")
    try scratch.link("root/etc/iproute2/rt_tables.d", to: "../../../outside")
    #expect(
      Self.message { try scratch.files.write("/etc/iproute2/rt_tables.d/polroute.conf", contents: [], mode: 0o644) }
        == "cannot write \(scratch.root)/etc/iproute2/rt_tables.d/polroute.conf: \(scratch.root)/etc/iproute2/rt_tables.d is a symbolic link, and polroute does not write through links"
    )
    #expect(scratch.names("outside") == [])
  }

  @Test("missing directories are created, mode 0755")
  func createsDirectories() throws {
    let scratch = try Scratch("mkdir")
    try scratch.files.write("/var/backups/polroute/etc/x.1", contents: Array("x".utf8), mode: 0o600)
    #expect(scratch.read("root/var/backups/polroute/etc/x.1") == "x")
    #expect(scratch.mode("root/var/backups/polroute/etc/x.1") == 0o600)
    #expect(scratch.kind("root/var/backups/polroute/etc") == "directory")
  }

  @Test("apply --persist checks every file (and its backup) before it changes anything")
  func persisterChecksBeforeWriting() throws {
    let scratch = try Scratch("persist")
    try scratch.mkdir("root/etc/iproute2")
    try scratch.directory.write("root/etc/network/interfaces.d/polroute", "# Generated by polroute\n")
    try scratch.link("root/etc/iproute2/rt_tables.d", to: scratch.outside)
    let persister = Persister(files: scratch.files)
    let create = FileChange(
      path: "/etc/iproute2/rt_tables.d/polroute.conf", action: .create, old: nil,
      new: RenderedFile(path: "/etc/iproute2/rt_tables.d/polroute.conf", contents: "100 data\n"))
    #expect(
      Self.message { try persister.checkWritable([create]) }
        == "cannot write \(scratch.root)/etc/iproute2/rt_tables.d/polroute.conf: \(scratch.root)/etc/iproute2/rt_tables.d is a symbolic link, and polroute does not write through links"
    )
    // A replaced file's backup goes under /var/backups/polroute: a link there is refused before anything is written.
    try scratch.mkdir("root/var/backups")
    try scratch.link("root/var/backups/polroute", to: scratch.outside)
    let update = FileChange(
      path: "/etc/network/interfaces.d/polroute", action: .update, old: "# Generated by polroute\n",
      new: RenderedFile(path: "/etc/network/interfaces.d/polroute", contents: "# Generated by polroute\nx\n"))
    #expect(
      Self.message { try persister.checkWritable([update]) }
        == "cannot write \(scratch.root)/var/backups/polroute/etc/network/interfaces.d/polroute.backup: \(scratch.root)/var/backups/polroute is a symbolic link, and polroute does not write through links"
    )
    #expect(scratch.names("outside") == [])
    #expect(scratch.read("root/etc/network/interfaces.d/polroute") == "# Generated by polroute\n")
    // A root that does not exist yet passes: the write creates it.
    let fresh = Persister(files: RootedFileSystem(root: scratch.directory.path + "/new-root"))
    #expect(Self.message { try fresh.checkWritable([create]) } == nil)
  }

  // MARK: Removes

  @Test("a remove through a directory link out of the root removes nothing")
  func removeThroughLink() throws {
    let scratch = try Scratch("rmlink")
    try scratch.mkdir("root/etc/sysconfig")
    try scratch.directory.write("outside/route-data", "precious\n")
    try scratch.link("root/etc/sysconfig/network-scripts", to: scratch.outside)
    let error = Self.message { try scratch.files.remove("/etc/sysconfig/network-scripts/route-data") }
    #expect(
      error
        == "cannot remove \(scratch.root)/etc/sysconfig/network-scripts/route-data: \(scratch.root)/etc/sysconfig/network-scripts is a symbolic link, and polroute does not write through links"
    )
    #expect(scratch.read("outside/route-data") == "precious\n")
  }

  @Test("removing a FIFO or a directory is refused; a missing file is no error")
  func removeRefusesSpecialFiles() throws {
    let scratch = try Scratch("rmfifo")
    try scratch.mkdir("root/etc/dir")
    try scratch.fifo("root/etc/fifo")
    #expect(
      Self.message { try scratch.files.remove("/etc/fifo") }
        == "cannot remove \(scratch.root)/etc/fifo: it is a FIFO, not a regular file")
    #expect(
      Self.message { try scratch.files.remove("/etc/dir") }
        == "cannot remove \(scratch.root)/etc/dir: it is a directory, not a regular file")
    #expect(Self.message { try scratch.files.remove("/etc/missing") } == nil)
    #expect(Self.message { try scratch.files.remove("/nowhere/missing") } == nil)
    try scratch.directory.write("root/etc/file", "x")
    try scratch.files.remove("/etc/file")
    #expect(scratch.kind("root/etc/file") == "missing")
  }

  // MARK: Reads and lists

  @Test("links are followed inside the root, as if it were /: an absolute target is taken from the root")
  func readsFollowLinksInsideTheRoot() throws {
    let scratch = try Scratch("readlink")
    try scratch.directory.write("outside/os-release", "ID=outside\n")
    try scratch.directory.write("root/usr/lib/os-release", "ID=inside\n")
    try scratch.mkdir("root/etc")
    // Debian's own layout: /etc/os-release -> ../usr/lib/os-release.
    try scratch.link("root/etc/os-release", to: "../usr/lib/os-release")
    #expect(try scratch.files.readText("/etc/os-release") == "ID=inside\n")
    // A planted absolute link to a file outside: read inside the root, where it does not exist.
    try scratch.link("root/etc/planted", to: scratch.outside + "/os-release")
    #expect(try scratch.files.readText("/etc/planted") == nil)
    // .. never climbs above the root.
    try scratch.link("root/etc/climb", to: "../../../../../../../../usr/lib/os-release")
    #expect(try scratch.files.readText("/etc/climb") == "ID=inside\n")
  }

  @Test("a directory link out of the root is read and listed inside the root")
  func listsInsideTheRoot() throws {
    let scratch = try Scratch("listlink")
    try scratch.directory.write("outside/secret.conf", "200 secret\n")
    try scratch.mkdir("root/etc/iproute2")
    try scratch.link("root/etc/iproute2/rt_tables.d", to: scratch.outside)
    #expect(scratch.files.list("/etc/iproute2/rt_tables.d") == [])
    #expect(try scratch.files.read("/etc/iproute2/rt_tables.d/secret.conf") == nil)
  }

  @Test("a link loop is an error, not a hang")
  func linkLoop() throws {
    let scratch = try Scratch("loop")
    try scratch.mkdir("root/etc")
    try scratch.link("root/etc/a", to: "b")
    try scratch.link("root/etc/b", to: "/etc/a")
    #expect(
      Self.message { _ = try scratch.files.read("/etc/a") }
        == "cannot read \(scratch.root)/etc/a: Too many levels of symbolic links")
  }

  @Test("a FIFO or a directory under the root is not read (a FIFO would block)")
  func readRefusesSpecialFiles() throws {
    let scratch = try Scratch("readfifo")
    try scratch.mkdir("root/etc/network/interfaces")
    try scratch.fifo("root/etc/polroute.conf")
    #expect(
      Self.message { _ = try scratch.files.read("/etc/polroute.conf") }
        == "cannot read \(scratch.root)/etc/polroute.conf: it is a FIFO, not a regular file")
    #expect(
      Self.message { _ = try scratch.files.read("/etc/network/interfaces") }
        == "cannot read \(scratch.root)/etc/network/interfaces: it is a directory, not a regular file")
  }

  @Test("reads through a missing directory or a file used as one find nothing")
  func readsOfMissingPaths() throws {
    let scratch = try Scratch("missing")
    try scratch.directory.write("root/etc/file", "x")
    #expect(try scratch.files.read("/etc/missing") == nil)
    #expect(try scratch.files.read("/etc/file/below") == nil)
    #expect(try RootedFileSystem(root: scratch.root + "/nonexistent").read("/etc/file") == nil)
    #expect(scratch.files.list("/nonexistent") == [])
  }

  @Test("reading many files below a directory gives what reading each gives: links, FIFOs, gaps and all")
  func batchedReadsMatchSingleReads() throws {
    let scratch = try Scratch("batch")
    try scratch.directory.write("outside/rp_filter", "9\n")
    try scratch.directory.write("root/proc/sys/net/ipv4/conf/u0/rp_filter", "2\n")
    try scratch.directory.write("root/proc/sys/net/ipv4/conf/u0/forwarding", "1\n")
    try scratch.directory.write("root/proc/sys/net/ipv4/conf/all/rp_filter", "1\n")
    try scratch.directory.write("root/proc/sys/net/ipv4/conf/file", "x")
    try scratch.mkdir("root/proc/sys/net/ipv4/conf/u2")
    // A link to a file inside the root, a planted absolute link (read inside the root, where it is missing), a
    // directory link out of the root, a link climbing with .., and a FIFO.
    try scratch.link("root/proc/sys/net/ipv4/conf/u0/alias", to: "../all/rp_filter")
    try scratch.link("root/proc/sys/net/ipv4/conf/u0/planted", to: scratch.outside + "/rp_filter")
    try scratch.link("root/proc/sys/net/ipv4/conf/u1", to: scratch.outside)
    try scratch.link(
      "root/proc/sys/net/ipv4/conf/u2/climb", to: "../../../../../../../../proc/sys/net/ipv4/conf/all/rp_filter")
    try scratch.fifo("root/proc/sys/net/ipv4/conf/u2/fifo")
    let paths = [
      "ipv4/conf/u0/rp_filter", "ipv4/conf/u0/forwarding", "ipv4/conf/all/rp_filter", "ipv4/conf/u0/alias",
      "ipv4/conf/u0/planted", "ipv4/conf/u1/rp_filter", "ipv4/conf/u2/climb", "ipv4/conf/missing/rp_filter",
      "ipv4/conf/file/rp_filter", "ipv4/conf/u0/../all/rp_filter", "ipv6/conf/u0/forwarding", "ipv4/conf/u2/rp_filter",
    ]
    let batched = try scratch.files.read(paths, in: "/proc/sys/net").map {
      $0.map { String(decoding: $0, as: UTF8.self) }
    }
    let single = try paths.map { try scratch.files.readText("/proc/sys/net/" + $0) }
    #expect(batched == single)
    #expect(batched == ["2\n", "1\n", "1\n", "1\n", nil, nil, "1\n", nil, nil, "1\n", nil, nil])
    // A FIFO is refused as a single read refuses it.
    #expect(
      Self.message { _ = try scratch.files.read(["ipv4/conf/u2/fifo"], in: "/proc/sys/net") }
        == "cannot read \(scratch.root)/proc/sys/net/ipv4/conf/u2/fifo: it is a FIFO, not a regular file")
    // A missing directory gives nothing for every path.
    #expect(try scratch.files.read(["a", "b/c"], in: "/proc/nonexistent") == [nil, nil])
  }

  // MARK: Bounded reads

  @Test("the read limit holds a snapshot of a million routes polroute owns (342 MB measured)")
  func limitIsDocumented() {
    #expect(RootedFileSystem.readLimit == 512 << 20)
  }

  @Test("a named file larger than the limit is refused, whatever its kind, naming it and the limit")
  func boundedNamedReads() throws {
    let scratch = try Scratch("bounded")
    let file = try scratch.directory.write("outside/eleven", "0123456789\n")
    #expect(try RootedFileSystem.readNamed(file, limit: 11) == Array("0123456789\n".utf8))
    #expect(
      Self.message { _ = try RootedFileSystem.readNamed(file, limit: 10) }
        == "cannot read \(file): it is larger than 10 bytes, the most polroute reads from one file")
    #expect(
      Self.message { _ = try RootedFileSystem.readNamed("/dev/zero", limit: 1 << 20) }
        == "cannot read /dev/zero: it is larger than 1 MiB, the most polroute reads from one file")
    #expect(try RootedFileSystem.readNamed(scratch.outside + "/missing") == nil)
  }

  @Test("a sparse file beyond the limit is refused before any of it is read")
  func sparseFileRefusedBySize() throws {
    let scratch = try Scratch("sparse")
    let path = try scratch.directory.write("root/etc/polroute.conf", "")
    #expect(truncate(path, 64 << 30) == 0)
    #expect(
      Self.message { _ = try scratch.files.read("/etc/polroute.conf") }
        == "cannot read \(path): it is larger than 512 MiB, the most polroute reads from one file")
    #expect(
      Self.message { _ = try RootedFileSystem.readNamed(path) }
        == "cannot read \(path): it is larger than 512 MiB, the most polroute reads from one file")
  }
}
