import PolrouteSystem

/// ANSI colours, or nothing when colour is off. Colour is decided per stream: the stream written to must be a
/// terminal, and `NO_COLOR` must be unset and `TERM` not `dumb`.
public struct Style: Sendable {
  /// Whether escapes are written.
  public let enabled: Bool

  /// Colour for text written to `sink`.
  public init(for sink: any TextSink, environment: [String: String]) {
    enabled = sink.isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
  }

  /// Red, for errors and deletions.
  public func red(_ text: String) -> String { wrap(text, "31") }
  /// Green, for additions.
  public func green(_ text: String) -> String { wrap(text, "32") }
  /// Yellow, for warnings and replacements.
  public func yellow(_ text: String) -> String { wrap(text, "33") }
  /// Cyan, for headers.
  public func cyan(_ text: String) -> String { wrap(text, "36") }
  /// Bold.
  public func bold(_ text: String) -> String { wrap(text, "1") }

  /// Wraps text in an escape sequence when enabled.
  func wrap(_ text: String, _ code: String) -> String {
    enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }
}
