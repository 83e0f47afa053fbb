/// Quotes words for POSIX sh, so that a value polroute did not produce itself can never be read as shell syntax.
public enum ShellQuoting {
  /// Characters that never need quoting.
  static let safe: Set<Character> = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,")

  /// The word unchanged when it holds only safe characters, otherwise single-quoted with `'` written as `'\''`.
  public static func quote(_ word: String) -> String {
    if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
    return "'" + word.replacingAll("'", with: "'\\''") + "'"
  }

  /// Always single-quotes, for values that came from outside polroute (interface names, user input).
  public static func alwaysQuote(_ word: String) -> String {
    "'" + word.replacingAll("'", with: "'\\''") + "'"
  }
}

/// Double-quotes words for the readers that understand `"` with `\"` and `\\` escapes: `ip -batch` and polroute's
/// own policy lexer.
public enum DoubleQuoting {
  /// The word unchanged unless it is empty or holds a character `special` names; then in double quotes with `"` and
  /// `\` escaped.
  public static func quote(_ word: String, special: (Character) -> Bool) -> String {
    guard word.isEmpty || word.contains(where: { special($0) || $0 == "\"" || $0 == "\\" }) else { return word }
    var quoted = "\""
    for character in word {
      if character == "\"" || character == "\\" { quoted.append("\\") }
      quoted.append(character)
    }
    return quoted + "\""
  }
}

extension String {
  /// Replaces every occurrence of a character (Core has no Foundation, so no `replacingOccurrences`).
  func replacingAll(_ character: Character, with replacement: String) -> String {
    var result = ""
    result.reserveCapacity(count)
    for each in self {
      if each == character {
        result += replacement
      } else {
        result.append(each)
      }
    }
    return result
  }
}
