import Foundation
import PolrouteCore
import PolrouteSystem

/// Where the package's test data and the built binary are.
public enum TestPaths {
  /// The package root, found from this file's path (Tests/TestSupport/TestPaths.swift).
  public static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// `Tests/Fixtures/hosts`: recorded `ip -j` output of hosts built in namespaces.
  public static var hosts: String { packageRoot + "/Tests/Fixtures/hosts" }

  /// `Tests/Scenarios`: golden scenarios.
  public static var scenarios: String { packageRoot + "/Tests/Scenarios" }

  /// `Examples`.
  public static var examples: String { packageRoot + "/Examples" }

  /// The polroute binary live tests run: `POLROUTE_BINARY`, else the debug build `make test` makes.
  public static var binary: String {
    if let path = ProcessInfo.processInfo.environment["POLROUTE_BINARY"], !path.isEmpty { return path }
    return packageRoot + "/.build/debug/polroute"
  }

  /// The names in a directory, sorted.
  public static func list(_ directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
  }

  /// Every file under a directory, as paths relative to it, sorted.
  public static func files(under directory: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
    var result: [String] = []
    while let path = enumerator.nextObject() as? String {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        result.append(path)
      }
    }
    return result.sorted()
  }

  /// A file's text, or nil.
  public static func read(_ path: String) -> String? {
    try? String(contentsOfFile: path, encoding: .utf8)
  }
}

/// A host recorded under Tests/Fixtures/hosts/NAME: `ip/` holds the recorded `ip -j` output, `root/` the files the
/// reader reads (rt_tables, rp_filter, hostname, os-release).
public struct FixtureHost: Sendable {
  /// The fixture's name.
  public let name: String

  /// Names a fixture.
  public init(_ name: String) {
    self.name = name
  }

  /// The fixture directory.
  public var directory: String { TestPaths.hosts + "/" + name }

  /// A runner that replays the recordings.
  public func runner() -> ReplayRunner { ReplayRunner(directory: directory + "/ip") }

  /// The fixture's files, as the reader sees them.
  public var files: RootedFileSystem { RootedFileSystem(root: directory + "/root") }

  /// Reads the host's state through the real reader.
  public func state() throws -> HostState {
    try StateReader(runner: runner(), files: files).read()
  }

  /// Every recorded host, sorted.
  public static var all: [String] {
    TestPaths.list(TestPaths.hosts).filter {
      FileManager.default.fileExists(atPath: TestPaths.hosts + "/" + $0 + "/ip")
    }
  }
}
