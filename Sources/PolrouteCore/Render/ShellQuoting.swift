/// Quotes words for POSIX sh, so that a value polroute did not produce itself can never be read as shell syntax.
public enum ShellQuoting {
  /// The ASCII bytes that never need quoting, as a table: rendering checks every byte of every word.
  static let safe: [Bool] = {
    var table = [Bool](repeating: false, count: 256)
    for byte in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,".utf8 {
      table[Int(byte)] = true
    }
    return table
  }()

  /// The word unchanged when it holds only safe characters, otherwise single-quoted with `'` written as `'\''`.
  public static func quote(_ word: String) -> String {
    if !word.isEmpty && word.utf8.allSatisfy({ safe[Int($0)] }) { return word }
    return alwaysQuote(word)
  }

  /// Always single-quotes, for values that came from outside polroute (interface names, user input).
  public static func alwaysQuote(_ word: String) -> String {
    guard word.utf8.contains(UInt8(ascii: "'")) else { return "'" + word + "'" }
    return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
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
