import Foundation

/// Compares output with golden files kept under Tests/. `RECORD_GOLDEN=1` rewrites them instead, and reports a
/// failure so that a re-record is never silent.
public enum Golden {
  /// Whether this run re-records.
  public static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" }

  /// The problem with `actual` against the golden file at `path`, or nil when they are equal. When recording,
  /// writes the file and returns a note that it did.
  public static func check(_ actual: String, against path: String) -> String? {
    if recording {
      let directory = (path as NSString).deletingLastPathComponent
      try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try? actual.write(toFile: path, atomically: true, encoding: .utf8)
      return "re-recorded \(path) (RECORD_GOLDEN=1)"
    }
    guard let expected = TestPaths.read(path) else {
      return "missing golden file \(path); run 'make record-golden' to create it\n--- actual ---\n\(actual)"
    }
    guard expected != actual else { return nil }
    return "\(path) differs:\n" + lineDiff(expected: expected, actual: actual)
  }

  /// The exact set of files under a golden directory against the paths produced, as netplan's tests check first.
  /// When recording, removes golden files no longer produced.
  public static func checkFileSet(_ actual: [String], in directory: String) -> String? {
    let expected = TestPaths.files(under: directory)
    if recording {
      for stale in Set(expected).subtracting(actual) {
        try? FileManager.default.removeItem(atPath: directory + "/" + stale)
      }
      return nil
    }
    guard expected != actual.sorted() else { return nil }
    let missing = Set(expected).subtracting(actual).sorted()
    let extra = Set(actual).subtracting(expected).sorted()
    return "file set under \(directory) differs: not produced \(missing), not expected \(extra)"
  }

  /// `-expected` / `+actual` lines, for failure messages.
  static func lineDiff(expected: String, actual: String) -> String {
    let old = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let new = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var text = ""
    for change in new.difference(from: old) {
      switch change {
      case .remove(let offset, let line, _): text += "-\(offset + 1): \(line)\n"
      case .insert(let offset, let line, _): text += "+\(offset + 1): \(line)\n"
      }
    }
    return text
  }
}
