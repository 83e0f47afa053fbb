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
