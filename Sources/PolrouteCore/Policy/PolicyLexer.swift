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
///
/// It works on UTF-8 bytes: policy files from provisioning tools run to tens of thousands of lines, and every
/// special character is ASCII (bytes of multi-byte characters are never mistaken for one).
public enum PolicyLexer {
  /// The statements of a file, each a non-empty list of tokens; errors for unterminated quotes.
  public static func statements(_ text: String, file: String) -> (statements: [[Token]], errors: [Diagnostic]) {
    var text = text
    return text.withUTF8 { statements(bytes: $0, file: file) }
  }

  /// The statements of a file's bytes.
  static func statements(bytes: UnsafeBufferPointer<UInt8>, file: String) -> (
    statements: [[Token]], errors: [Diagnostic]
  ) {
    var statements: [[Token]] = []
    var errors: [Diagnostic] = []
    // Statements have a handful of words: room for eight saves growing each statement's array several times.
    var current: [Token] = []
    current.reserveCapacity(8)
    var line = 1
    var lineStart = 0
    var word: [UInt8] = []
    let space = UInt8(ascii: " ")
    let tab = UInt8(ascii: "\t")
    let hash = UInt8(ascii: "#")
    let quote = UInt8(ascii: "\"")
    let backslash = UInt8(ascii: "\\")
    while lineStart <= bytes.count {
      var lineEnd = lineStart
      while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
      var end = lineEnd
      if end > lineStart && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
      // A `\` that only spaces follow ends the line and continues the statement, even right after a word.
      var lastVisible = end - 1
      while lastVisible >= lineStart && (bytes[lastVisible] == space || bytes[lastVisible] == tab) { lastVisible -= 1 }
      let continuation = lastVisible >= lineStart ? lastVisible : -1
      let ascii = !bytes[lineStart..<end].contains { $0 >= 0x80 }
      // Where each character of a non-ASCII line starts, found at its first word: decoding the line up to every word
      // instead made a long line quadratic (50,000 words after an `é` took 25 s).
      var columns: LineColumns?
      var index = lineStart
      var lineEndsWithContinuation = false
      while index < end {
        let byte = bytes[index]
        if byte == space || byte == tab {
          index += 1
          continue
        }
        if byte == hash { break }
        // Between words no quote is open, so a last `\\` here is the continuation.
        if byte == backslash && index == continuation {
          lineEndsWithContinuation = true
          break
        }
        let column: Int
        if ascii {
          column = index - lineStart + 1
        } else {
          if columns == nil { columns = LineColumns(UnsafeBufferPointer(rebasing: bytes[lineStart..<end])) }
          column = columns!.column(at: index - lineStart)
        }
        let start = SourceLocation(file: file, line: line, column: column)
        let wordStart = index
        var quoted = false
        word.removeAll(keepingCapacity: true)
        var inQuotes = false
        while index < end {
          let next = bytes[index]
          if inQuotes {
            if next == backslash && index + 1 < end {
              word.append(bytes[index + 1])
              index += 2
              continue
            }
            if next == quote {
              inQuotes = false
            } else {
              word.append(next)
            }
            index += 1
            continue
          }
          if next == space || next == tab || next == hash { break }
          if next == backslash && index == continuation { break }
          if next == quote {
            if !quoted {
              // The first quote: from here on the word differs from its bytes, so collect it.
              quoted = true
              word.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[wordStart..<index]))
            }
            inQuotes = true
          } else if quoted {
            word.append(next)
          }
          index += 1
        }
        if inQuotes {
          errors.append(.error("unterminated quote", at: start))
        }
        let text =
          quoted
          ? String(decoding: word, as: UTF8.self)
          : String(decoding: UnsafeBufferPointer(rebasing: bytes[wordStart..<index]), as: UTF8.self)
        current.append(Token(text, at: start))
      }
      if !lineEndsWithContinuation && !current.isEmpty {
        statements.append(current)
        current = []
        current.reserveCapacity(8)
      }
      line += 1
      lineStart = lineEnd + 1
    }
    if !current.isEmpty { statements.append(current) }
    return (statements, errors)
  }
}
