import PolrouteCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The JSON that `--json` prints: pretty, keys sorted, slashes unescaped, one trailing newline.
enum JSONOutput {
  /// Encodes a document.
  static func encode(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
  }

  /// One kernel change, as `plan --json` and `apply --json` list it.
  struct Change: Encodable {
    /// `add`, `replace` or `delete`.
    var action: String
    /// `rule` or `route`.
    var object: String
    /// `inet` or `inet6`.
    var family: String
    /// The `ip -batch` line that makes it.
    var batchLine: String

    /// Describes a change; `line` is its batch line when already made.
    init(_ change: KernelChange, line: String? = nil) {
      action = change.action.rawValue
      switch change {
      case .addRule, .deleteRule: object = "rule"
      default: object = "route"
      }
      family = change.family.rawValue
      batchLine = line ?? change.batchLine
    }
  }
}
