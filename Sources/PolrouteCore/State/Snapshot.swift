#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Why a snapshot file could not be loaded.
public enum SnapshotError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file is not JSON, or not a polroute snapshot.
  case invalid(file: String, reason: String)
  /// The snapshot was written by a newer polroute.
  case unsupportedVersion(file: String, version: Int)

  /// The message shown to the user.
  public var description: String {
    switch self {
    case .invalid(let file, let reason): return "\(file): error: not a polroute host snapshot: \(reason)"
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
  public static func decode(_ bytes: [UInt8], file: String) throws(SnapshotError) -> HostState {
    struct Header: Decodable {
      var format: String?
      var version: Int?
    }
    let data = Data(bytes)
    let header: Header
    do {
      header = try JSONDecoder().decode(Header.self, from: data)
    } catch {
      throw .invalid(file: file, reason: "it is not a JSON object")
    }
    guard header.format == format else {
      throw .invalid(
        file: file, reason: "its \"format\" is not \"\(format)\" (write one with `polroute inspect --json`)")
    }
    guard let version = header.version else { throw .invalid(file: file, reason: "it has no \"version\"") }
    guard version <= Snapshot.version else { throw .unsupportedVersion(file: file, version: version) }
    do {
      return try JSONDecoder().decode(Snapshot.self, from: data).state
    } catch let error as DecodingError {
      throw .invalid(file: file, reason: describe(error))
    } catch {
      throw .invalid(file: file, reason: "\(error)")
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
