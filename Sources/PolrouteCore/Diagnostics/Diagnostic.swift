/// A position in a policy file, 1-based.
public struct SourceLocation: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
  /// The file as the user named it.
  public var file: String
  /// The line.
  public var line: Int
  /// The column, in characters.
  public var column: Int

  /// Builds a location.
  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `FILE:LINE:COL`.
  public var description: String { "\(file):\(line):\(column)" }

  /// By file, line, column.
  public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
  }
}

/// An error, warning or note about a policy, located in its file where it has one.
public struct Diagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
  /// How serious it is.
  public enum Severity: String, Hashable, Sendable, Codable {
    /// The policy cannot be used.
    case error
    /// The policy is used, but something needs attention.
    case warning
    /// Context for the user.
    case note
  }

  /// How serious it is.
  public var severity: Severity
  /// Where, if the diagnostic is about a place in a file.
  public var location: SourceLocation?
  /// What is wrong, lowercase, no trailing period; a hint may follow in parentheses.
  public var message: String

  /// Builds a diagnostic.
  public init(_ severity: Severity, _ message: String, at location: SourceLocation? = nil) {
    self.severity = severity
    self.location = location
    self.message = message
  }

  /// An error.
  public static func error(_ message: String, at location: SourceLocation? = nil) -> Diagnostic {
    Diagnostic(.error, message, at: location)
  }

  /// A warning.
  public static func warning(_ message: String, at location: SourceLocation? = nil) -> Diagnostic {
    Diagnostic(.warning, message, at: location)
  }

  /// `FILE:LINE:COL: error: message`, or `error: message` without a location.
  public var description: String {
    (location.map { "\($0): " } ?? "") + "\(severity.rawValue): \(message)"
  }
}

/// A policy that cannot be used: every error found, in file order.
public struct PolicyError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The errors (and warnings found on the way, which are printed too).
  public var diagnostics: [Diagnostic]

  /// Wraps diagnostics.
  public init(_ diagnostics: [Diagnostic]) {
    self.diagnostics = diagnostics
  }

  /// One diagnostic per line.
  public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
