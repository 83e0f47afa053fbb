import Glibc
import PolrouteCore

/// Reads the files that say who manages each interface and where its gateways are configured or leased
/// (`HostConfigurationPaths` lists them), through a `FileSystem` so that `--root` works, and hands them to
/// `HostConfigurationBuilder`.
///
/// Only the directories and files of that list are touched, plus what /etc/network/interfaces sources and networkd's
/// `NAME.network.d` drop-in directories. Every file is bounded (`maximumFileSize`), every directory
/// (`maximumEntries`), and so is the total (`maximumTotalSize`); a file that cannot be read, or is over a bound,
/// becomes a note and the rest is still read. On a host without any of these files this is a few dozen failed
/// `opendir`/`open` calls.
public struct HostConfigurationReader: Sendable {
  /// The file system.
  public let files: any FileSystem
  /// The largest file read (a dhclient lease database grows with every renewal, so it gets room).
  public static let maximumFileSize = 1 << 20
  /// The most entries taken from one directory.
  public static let maximumEntries = 1000
  /// The most bytes read in all.
  public static let maximumTotalSize = 32 << 20
  /// The most files ifupdown's `source` lines may pull in.
  public static let maximumSourcedFiles = 200

  /// Reads through `files`.
  public init(files: any FileSystem) {
    self.files = files
  }

  /// Reads the files and builds the configuration for these links; leases are judged at `now` (seconds since the
  /// epoch).
  public func read(links: [LinkIdentity], now: Int64?) -> HostConfiguration {
    HostConfigurationBuilder.build(readFiles(), links: links, now: now)
  }

  /// Starts reading and parsing the files on another thread, so that it overlaps the `ip` processes that tell which
  /// links exist; `PendingHostConfiguration.finish` then decides per link.
  public func start() -> PendingHostConfiguration {
    PendingHostConfiguration(reader: self)
  }

  /// The files, read.
  public func readFiles() -> HostFiles {
    var collector = Collector(files: files)
    for path in HostConfigurationPaths.readFiles { collector.read(path) }
    for path in HostConfigurationPaths.probedFiles where files.exists(path) { collector.result.present.insert(path) }
    for directory in HostConfigurationPaths.listedDirectories { _ = collector.list(directory) }
    // networkd reads a name from its highest-priority directory only (on merged-/usr hosts /lib is /usr/lib).
    var networkdNames: Set<String> = []
    for (directory, wants) in HostConfigurationPaths.readDirectories {
      let networkd = HostConfigurationPaths.networkdDirectories.contains(directory)
      for name in collector.list(directory) where wants(name) {
        if networkd && !networkdNames.insert(name).inserted { continue }
        collector.read(directory + "/" + name)
      }
    }
    // networkd's drop-in directories: NAME.network.d/*.conf in every networkd directory.
    for directory in HostConfigurationPaths.networkdDirectories {
      for name in collector.result.names(in: directory)
      where name.hasSuffix(HostConfigurationPaths.networkdDropInSuffix) {
        let dropIns = directory + "/" + name
        for dropIn in collector.list(dropIns) where dropIn.hasSuffix(".conf") { collector.read(dropIns + "/" + dropIn) }
      }
    }
    collector.followIfupdownSources()
    return collector.result
  }

  /// Gathers what was read, within the bounds.
  struct Collector {
    /// The file system.
    let files: any FileSystem
    /// What was read.
    var result = HostFiles()
    /// Bytes read so far.
    var total = 0

    /// Reads one file into the result; a problem becomes a note.
    mutating func read(_ path: String) {
      guard result.contents[path] == nil else { return }
      guard total < HostConfigurationReader.maximumTotalSize else {
        note(
          "not read: polroute reads at most \(HostConfigurationReader.maximumTotalSize) bytes of configuration", path)
        return
      }
      do {
        guard let bytes = try files.read(path, limit: HostConfigurationReader.maximumFileSize) else { return }
        total += bytes.count
        result.contents[path] = bytes
      } catch {
        note("not read: \(error)", path)
      }
    }

    /// Lists a directory into the result (bounded) and returns the names.
    mutating func list(_ directory: String) -> [String] {
      if let names = result.listings[directory] { return names }
      var names = files.list(directory)
      if names.count > HostConfigurationReader.maximumEntries {
        note(
          "only the first \(HostConfigurationReader.maximumEntries) of \(names.count) entries were read", directory)
        names = Array(names.prefix(HostConfigurationReader.maximumEntries))
      }
      if !names.isEmpty { result.listings[directory] = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
      return result.listings[directory] ?? []
    }

    /// Reads what /etc/network/interfaces sources, and what those files source, as ifupdown would reach them.
    mutating func followIfupdownSources() {
      var pending = [DebianPlacement.mainFile]
      var seen: Set<String> = [DebianPlacement.mainFile]
      while let path = pending.popLast() {
        guard let text = result.text(path) else { continue }
        for reference in IfupdownInterfacesFile.references(text, path: path) {
          for name in reference.matches(list(reference.directory)) {
            let included = reference.directory == "/" ? "/" + name : reference.directory + "/" + name
            guard seen.insert(included).inserted else { continue }
            guard seen.count <= HostConfigurationReader.maximumSourcedFiles else {
              note(
                "not read: ifupdown's source lines name more than \(HostConfigurationReader.maximumSourcedFiles) files",
                included)
              return
            }
            read(included)
            pending.append(included)
          }
        }
      }
    }

    /// Adds a note about a path.
    mutating func note(_ message: String, _ path: String) {
      result.notes.append(Diagnostic(.note, message, at: SourceLocation(file: path, line: 1, column: 1)))
    }
  }

  /// The current time in seconds since the epoch.
  public static func now() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec)
  }
}

/// Host configuration being read and parsed on another thread.
public final class PendingHostConfiguration: Sendable {
  /// The parsing.
  private let parsing: BackgroundWork<ParsedHostFiles, Never>

  /// Starts the work.
  init(reader: HostConfigurationReader) {
    parsing = BackgroundWork { HostConfigurationBuilder.parse(reader.readFiles()) }
  }

  /// Waits for the parsing and decides who manages each of `links`.
  public func finish(links: [LinkIdentity], now: Int64?) -> HostConfiguration {
    parsing.value().configuration(links: links, now: now)
  }
}
