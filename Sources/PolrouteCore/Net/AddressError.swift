/// Why a piece of text is not a valid address, prefix or number; messages quote the text and say what is wrong.
public enum AddressError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The text was empty.
  case empty(kind: String)
  /// The text has the wrong shape for the kind of value expected.
  case malformed(kind: String, text: String, reason: String)
  /// A prefix length outside 0...max for the family.
  case prefixLengthOutOfRange(text: String, maximum: Int)
  /// A prefix whose address has bits set beyond its length; carries the masked prefix as a hint.
  case hostBitsSet(text: String, suggestion: String)

  /// The message shown to the user, lowercase and without a trailing period.
  public var description: String {
    switch self {
    case .empty(let kind):
      return "empty \(kind)"
    case .malformed(let kind, let text, let reason):
      return "invalid \(kind) '\(text.echoed)': \(reason)"
    case .prefixLengthOutOfRange(let text, let maximum):
      return "invalid prefix '\(text.echoed)': prefix length must be 0 to \(maximum)"
    case .hostBitsSet(let text, let suggestion):
      return "host bits set in \(text) (did you mean \(suggestion)?)"
    }
  }
}
