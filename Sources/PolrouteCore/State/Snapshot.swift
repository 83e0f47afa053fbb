#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Why a snapshot file could not be loaded.
public enum SnapshotError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file is not JSON, or not a polroute snapshot.
  case invalid(file: String, reason: String)
  /// The file is not JSON, or its version is not one, at a position in it.
  case malformed(location: SourceLocation, reason: String)
  /// The snapshot was written by a newer polroute (the version as written, which may not fit an Int).
  case unsupportedVersion(file: String, version: String)

  /// The message shown to the user.
  public var description: String {
    switch self {
    case .invalid(let file, let reason): return "\(file): error: not a polroute host snapshot: \(reason)"
    case .malformed(let location, let reason): return "\(location): error: not a polroute host snapshot: \(reason)"
    case .unsupportedVersion(let file, let version):
      return "\(file): error: snapshot version \(version) is newer than this polroute understands (\(Snapshot.version))"
    }
  }
}

/// The versioned JSON document `polroute inspect --json` prints and `--state FILE` reads.
public struct Snapshot: Codable, Sendable, Equatable {
  /// The format name, so other JSON is recognised as not a snapshot.
  public static let format = "polroute-host-state"
  /// The version this polroute writes; it reads this version and older ones.
  public static let version = 1

  /// Always `polroute-host-state`.
  public var format: String
  /// The document version.
  public var version: Int
  /// The host state.
  public var state: HostState
  /// The findings about it (ignored when loading: they are computed again).
  public var findings: [Finding]?

  /// Wraps a state (and its findings) in the current format.
  public init(state: HostState, findings: [Finding]? = nil) {
    self.format = Snapshot.format
    self.version = Snapshot.version
    self.state = state
    self.findings = findings
  }

  /// Pretty JSON with sorted keys, so the same state always gives the same bytes.
  public func encoded() throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
  }

  /// Reads a snapshot; `file` names it in errors.
  ///
  /// The bytes are checked before JSONDecoder sees them: it says only "not valid JSON" for invalid UTF-8, a syntax
  /// error and nesting past its limit alike, and a wrong `version` needs its own message before the rest is decoded
  /// by a schema that version may not have.
  public static func decode(_ bytes: [UInt8], file: String) throws(SnapshotError) -> HostState {
    switch bytes.withUnsafeBytes({ Header.read($0) }) {
    case .problem(let offset, let reason):
      throw .malformed(location: LineIndex(bytes).location(of: offset, file: file), reason: reason)
    case .header(let format, let versionValue):
      guard format == Snapshot.format else {
        throw .invalid(
          file: file, reason: "its \"format\" is not \"\(Snapshot.format)\" (write one with `polroute inspect --json`)")
      }
      guard let versionValue else { throw .invalid(file: file, reason: "it has no \"version\"") }
      func wrong(_ reason: String) -> SnapshotError {
        .malformed(location: LineIndex(bytes).location(of: versionValue.offset, file: file), reason: reason)
      }
      guard let text = versionValue.number else {
        throw wrong("\"version\" must be a whole number, not \(versionValue.kind)")
      }
      guard text.allSatisfy({ $0 == "-" || $0.isASCII && $0.isNumber }) else {
        throw wrong("\"version\" must be a whole number, not \(text)")
      }
      guard !text.hasPrefix("-"), let number = Int(text), number >= 1 else {
        // Digits too many for an Int are a version from far in the future, unless negative.
        if !text.hasPrefix("-") && Int(text) == nil { throw .unsupportedVersion(file: file, version: text) }
        throw wrong("\"version\" must be 1 or more, not \(text)")
      }
      guard number <= Snapshot.version else { throw .unsupportedVersion(file: file, version: text) }
    }
    do {
      return try JSONDecoder().decode(Snapshot.self, from: Data(bytes)).state
    } catch let error as DecodingError {
      throw .invalid(file: file, reason: describe(error))
    } catch {
      throw .invalid(file: file, reason: "\(error)")
    }
  }

  /// What a snapshot says about itself, read before the rest is decoded.
  enum Header {
    /// The `format` string (nil when missing or not a string), and the `version` value's offset, its kind in words
    /// ("a string") and, for a number, its text.
    case header(format: String?, version: (offset: Int, kind: String, number: String?)?)
    /// The bytes are not a JSON object: where, and why.
    case problem(offset: Int, reason: String)

    /// Checks the bytes (UTF-8, JSON syntax, nesting, an object at the top) and reads `format` and `version`.
    static func read(_ bytes: UnsafeRawBufferPointer) -> Header {
      var scanner = JSONScanner(bytes)
      if scanner.atEnd() { return .problem(offset: 0, reason: "the file is empty") }
      if let problem = JSONValidator.checkUTF8(bytes) {
        return .problem(offset: problem.offset, reason: problem.message)
      }
      if let problem = JSONValidator.check(bytes) {
        return .problem(offset: problem.offset, reason: "invalid JSON: " + problem.message)
      }
      scanner.position = 0
      var format: String?
      var version: (offset: Int, kind: String, number: String?)?
      do throws(JSONScanError) {
        let first = try scanner.peek()
        guard first == UInt8(ascii: "{") else {
          return .problem(offset: scanner.position, reason: "it is \(kind(first)), not a JSON object")
        }
        scanner.position += 1
        var isFirst = true
        while true {
          if try scanner.peek() == UInt8(ascii: "}") { break }
          if !isFirst { try scanner.expect(UInt8(ascii: ","), "','") }
          isFirst = false
          let key = try scanner.string()
          try scanner.expect(UInt8(ascii: ":"), "':'")
          let next = try scanner.peek()
          let start = scanner.position
          switch key {
          case "format" where next == UInt8(ascii: "\""):
            format = try scanner.string()
          case "version":
            try scanner.skipValue()
            let isNumber = next == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next)
            let text = String(
              decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<scanner.position]), as: UTF8.self)
            version = (start, kind(next), isNumber ? text : nil)
          default:
            try scanner.skipValue()
          }
        }
      } catch {
        // The validator has passed the bytes, so the scanner cannot fail on them; say so rather than trap.
        return .problem(offset: scanner.position, reason: "invalid JSON")
      }
      return .header(format: format, version: version)
    }

    /// A JSON value's kind in words, from its first byte (the bytes are valid JSON).
    static func kind(_ first: UInt8) -> String {
      switch first {
      case UInt8(ascii: "{"): return "an object"
      case UInt8(ascii: "["): return "an array"
      case UInt8(ascii: "\""): return "a string"
      case UInt8(ascii: "t"): return "true"
      case UInt8(ascii: "f"): return "false"
      case UInt8(ascii: "n"): return "null"
      default: return "a number"
      }
    }
  }

  /// A decoding error as a path and a reason (`state.routes[3].destination: invalid prefix ...`).
  static func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined().drop(while: { $0 == "." })
        .description
    }
    switch error {
    case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
    case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): missing"
    case .typeMismatch(_, let context): return "\(path(context.codingPath)): \(context.debugDescription)"
    case .valueNotFound(_, let context): return "\(path(context.codingPath)): missing value"
    @unknown default: return "\(error)"
    }
  }
}
