import Foundation
import PolrouteCore
import PolrouteSystem
import Synchronization

/// A directory of files a live test writes (scripts, policies, ifupdown configurations); it is removed with
/// everything in it when the value goes away, even when the test fails.
public final class ScratchDirectory: Sendable {
  /// A counter that makes names unique within the process.
  static let counter = Mutex(0)

  /// The directory's absolute path (`/tmp/polroute-LABEL-PID-N`).
  public let path: String

  /// Creates an empty directory.
  public init(_ label: String) throws {
    let number = ScratchDirectory.counter.withLock { value -> Int in
      value += 1
      return value
    }
    path = "/tmp/polroute-\(label)-\(getpid())-\(number)"
    try? FileManager.default.removeItem(atPath: path)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    remove()
  }

  /// Removes the directory and everything in it.
  public func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Writes a file at `name` (relative, intermediate directories created) and returns its absolute path.
  @discardableResult
  public func write(_ name: String, _ contents: String, mode: Int = 0o644) throws -> String {
    let file = path + "/" + name
    let directory = (file as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try contents.write(toFile: file, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
    return file
  }

  /// Creates a directory at `name` (relative) and returns its absolute path.
  @discardableResult
  public func directory(_ name: String) throws -> String {
    let directory = path + "/" + name
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return directory
  }

  /// A file's text, or nil.
  public func read(_ name: String) -> String? {
    TestPaths.read(path + "/" + name)
  }

  /// Whether a file exists at `name` (relative).
  public func exists(_ name: String) -> Bool {
    FileManager.default.fileExists(atPath: path + "/" + name)
  }
}

/// polroute's own kernel objects, separated from everything else, for exact comparisons in live tests.
extension Namespace {
  /// The rules and routes polroute made (marked protocol 177) of both families, one a line with whitespace runs
  /// collapsed to one space: `-4 rule 20000: from 203.0.113.10 lookup 100 proto 177`,
  /// `-6 route default via 2001:db8:a::1 dev mgmt table 101 proto 177 metric 1024 pref medium`.
  public func owned() throws -> String {
    try objects(owned: true)
  }

  /// `owned()` for a failure message: the listing, or why it could not be read.
  public var ownedListing: String {
    do { return try owned() } catch { return "(cannot list: \(error))" }
  }

  /// Every rule and route polroute did not make, in the same form as `owned()`.
  public func foreign() throws -> String {
    try objects(owned: false)
  }

  /// The rules and routes whose protocol is (or is not) polroute's.
  func objects(owned: Bool) throws -> String {
    var lines: [String] = []
    for family in ["-4", "-6"] {
      for line in try ip("\(family) rule show").outputText.split(separator: "\n") {
        let words = line.split(whereSeparator: \.isWhitespace)
        let marked = zip(words, words.dropFirst()).contains { $0 == "proto" && $1 == "177" }
        if marked == owned { lines.append("\(family) rule " + words.joined(separator: " ")) }
      }
    }
    for family in ["-4", "-6"] {
      for line in try ip("\(family) route show table all").outputText.split(separator: "\n") {
        let words = line.split(whereSeparator: \.isWhitespace)
        let marked = zip(words, words.dropFirst()).contains { $0 == "proto" && $1 == "177" }
        if marked == owned { lines.append("\(family) route " + words.joined(separator: " ")) }
      }
    }
    return lines.map { $0 + "\n" }.joined()
  }

  /// Runs a shell script file inside the namespace with `sh`, the way a user runs polroute.sh.
  @discardableResult
  public func sh(_ file: String, environment: [String] = []) throws -> CommandResult {
    let prefix = environment.isEmpty ? [] : ["env"] + environment
    return try exec(prefix + ["sh", file])
  }
}
