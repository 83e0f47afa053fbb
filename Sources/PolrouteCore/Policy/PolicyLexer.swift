/// A word of a policy file and where it starts.
public struct Token: Hashable, Sendable {
  /// The word, with quotes and escapes removed.
  public var text: String
  /// Where it starts.
  public var location: SourceLocation

  /// Builds a token.
  public init(_ text: String, at location: SourceLocation) {
    self.text = text
    self.location = location
  }
}

/// Splits a policy file into statements of tokens: one statement a line (a `\` at the end of a line continues it),
/// `#` starts a comment, double quotes keep spaces and `#` inside a word (`\"` and `\\` escape).
public enum PolicyLexer {
  /// The statements of a file, each a non-empty list of tokens; errors for unterminated quotes.
  public static func statements(_ text: String, file: String) -> (statements: [[Token]], errors: [Diagnostic]) {
    var statements: [[Token]] = []
    var errors: [Diagnostic] = []
    var current: [Token] = []
    var line = 1
    var continuing = false
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      defer { line += 1 }
      var characters = Array(rawLine)
      if characters.last == "\r" { characters.removeLast() }
      var column = 0
      var lineEndsWithContinuation = false
      while column < characters.count {
        let character = characters[column]
        if character == " " || character == "\t" {
          column += 1
          continue
        }
        if character == "#" { break }
        if character == "\\" && characters[(column + 1)...].allSatisfy({ $0 == " " || $0 == "\t" }) {
          lineEndsWithContinuation = true
          break
        }
        let start = SourceLocation(file: file, line: line, column: column + 1)
        var word = ""
        var inQuotes = false
        while column < characters.count {
          let next = characters[column]
          if inQuotes {
            if next == "\\" && column + 1 < characters.count {
              word.append(characters[column + 1])
              column += 2
              continue
            }
            if next == "\"" {
              inQuotes = false
              column += 1
              continue
            }
            word.append(next)
            column += 1
            continue
          }
          if next == " " || next == "\t" || next == "#" { break }
          if next == "\"" {
            inQuotes = true
            column += 1
            continue
          }
          word.append(next)
          column += 1
        }
        if inQuotes {
          errors.append(.error("unterminated quote", at: start))
        }
        current.append(Token(word, at: start))
      }
      continuing = lineEndsWithContinuation
      if !continuing && !current.isEmpty {
        statements.append(current)
        current = []
      }
    }
    if !current.isEmpty { statements.append(current) }
    return (statements, errors)
  }
}
