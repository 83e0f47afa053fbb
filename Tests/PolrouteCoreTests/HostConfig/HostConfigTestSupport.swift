import Foundation
import TestSupport

@testable import PolrouteCore

/// A position in a file (Testing has a `SourceLocation` of its own).
func at(_ file: String, _ line: Int, _ column: Int = 1) -> PolrouteCore.SourceLocation {
  PolrouteCore.SourceLocation(file: file, line: line, column: column)
}

/// An IP address literal of a test.
func addr(_ text: String) -> IPAddress {
  guard let address = IPAddress(text) else { preconditionFailure("bad address literal \(text)") }
  return address
}

/// The fixtures under Tests/Fixtures/hostconfig.
enum HostConfigFixtures {
  /// The directory.
  static let directory = TestPaths.packageRoot + "/Tests/Fixtures/hostconfig"

  /// Every file under `SOURCE/root`, as a host's files at their absolute paths.
  static func files(_ source: String) -> HostFiles {
    let root = directory + "/" + source + "/root"
    var files = HostFiles()
    for relative in TestPaths.files(under: root) {
      let data = FileManager.default.contents(atPath: root + "/" + relative) ?? Data()
      files.add("/" + relative, Array(data))
    }
    return files
  }

  /// One fixture file's text, by its path under `SOURCE/root`.
  static func text(_ source: String, _ path: String) -> String {
    TestPaths.read(directory + "/" + source + "/root" + path) ?? ""
  }

  /// One fixture file's bytes.
  static func bytes(_ source: String, _ path: String) -> [UInt8] {
    Array(FileManager.default.contents(atPath: directory + "/" + source + "/root" + path) ?? Data())
  }
}

extension HostFiles {
  /// These files with others added.
  func adding(_ texts: [String: String]) -> HostFiles {
    var files = self
    for (path, text) in texts { files.add(path, Array(text.utf8)) }
    return files
  }
}
