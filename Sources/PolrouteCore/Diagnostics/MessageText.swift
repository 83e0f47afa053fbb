/// Text from the input as messages show it: a control character or escape sequence in a policy file, a snapshot or
/// an interface name must never reach the user's terminal as one, and a megabyte token is not echoed whole.
public enum MessageText {
  /// How many characters of a value a message quotes.
  public static let quoteLimit = 80

  /// A value from the input, shortened to `limit` characters (saying how long it was) with its control characters
  /// escaped.
  public static func quoted(_ text: some StringProtocol, limit: Int = quoteLimit) -> String {
    let escaped = escapingControls(String(text.prefix(limit)))
    guard text.count > limit else { return escaped }
    return escaped + "... (\(text.utf8.count) bytes)"
  }

  /// The text with every control character but newline and tab written as `\u{..}`: C0, DEL and C1 (ESC and CSI
  /// start terminal escape sequences).
  public static func escapingControls(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var result = ""
    for scalar in text.unicodeScalars {
      if isControl(scalar) {
        result += "\\u{" + String(scalar.value, radix: 16) + "}"
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// Whether a scalar is a control character a terminal could act on (newline and tab are layout, not control).
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    return (value < 0x20 && value != 0x0A && value != 0x09) || (0x7F...0x9F).contains(value)
  }
}

extension StringProtocol {
  /// This text from the input as a message echoes it: `MessageText.quoted` (shortened, control characters escaped).
  public var echoed: String { MessageText.quoted(self) }
}
