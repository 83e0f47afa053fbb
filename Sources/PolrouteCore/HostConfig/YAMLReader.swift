/// A YAML value with the position of its first character.
public indirect enum YAMLNode: Hashable, Sendable {
  /// A scalar; an empty plain scalar is YAML's null.
  case scalar(YAMLScalar)
  /// A sequence.
  case sequence([YAMLNode], SourceLocation)
  /// A mapping, its pairs in file order (keys are unique).
  case mapping([YAMLPair], SourceLocation)

  /// Where the value starts.
  public var location: SourceLocation {
    switch self {
    case .scalar(let scalar): return scalar.location
    case .sequence(_, let location), .mapping(_, let location): return location
    }
  }

  /// The scalar's text, or nil for a collection.
  public var text: String? {
    if case .scalar(let scalar) = self { return scalar.text }
    return nil
  }

  /// The pairs of a mapping, or nil.
  public var pairs: [YAMLPair]? {
    if case .mapping(let pairs, _) = self { return pairs }
    return nil
  }

  /// The items of a sequence, or nil.
  public var items: [YAMLNode]? {
    if case .sequence(let items, _) = self { return items }
    return nil
  }

  /// The value of a mapping's key, or nil.
  public subscript(key: String) -> YAMLNode? {
    pairs?.first { $0.key.text == key }?.value
  }

  /// What the value is, for messages: "a mapping", "a sequence", "a scalar".
  public var kindName: String {
    switch self {
    case .scalar: return "a scalar"
    case .sequence: return "a sequence"
    case .mapping: return "a mapping"
    }
  }
}

/// A scalar and how it was written.
public struct YAMLScalar: Hashable, Sendable {
  /// The styles of the subset.
  public enum Style: Hashable, Sendable {
    /// Unquoted.
    case plain
    /// `'single'`.
    case singleQuoted
    /// `"double"`.
    case doubleQuoted
  }

  /// The value, quotes removed and escapes resolved.
  public var text: String
  /// How it was written.
  public var style: Style
  /// Where it starts.
  public var location: SourceLocation

  /// Whether it is YAML's null (nothing, `~` or `null`, unquoted).
  public var isNull: Bool { style == .plain && (text.isEmpty || text == "~" || text == "null" || text == "Null") }
}

/// A mapping's key and value.
public struct YAMLPair: Hashable, Sendable {
  /// The key (the subset allows only scalar keys).
  public var key: YAMLScalar
  /// The value.
  public var value: YAMLNode
}

/// Why a YAML text could not be read: the message and its `FILE:LINE:COL`.
public struct YAMLError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What is wrong.
  public var message: String
  /// Where.
  public var location: SourceLocation

  /// `FILE:LINE:COL: error: message`.
  public var description: String { "\(location): error: \(message)" }

  /// As a diagnostic.
  public var diagnostic: Diagnostic { .error(message, at: location) }
}

/// Reads the subset of YAML that netplan files use: block mappings and sequences (including a sequence written at
/// its key's indentation and `- key: value` items), flow sequences and mappings (over several lines too), plain,
/// single-quoted and double-quoted scalars, comments, and one document (an optional leading `---`).
///
/// Anchors, aliases, tags, block scalars (`|`, `>`), complex keys and multi-line plain scalars are refused with a
/// located error rather than misread; netplan's own files never need them.
public struct YAMLReader {
  /// The lines, as characters.
  let lines: [[Character]]
  /// The file, for locations.
  let file: String
  /// The line being read (0-based).
  var line = 0

  /// Reads a document; an empty file is a null scalar.
  public static func parse(_ text: String, file: String) throws(YAMLError) -> YAMLNode {
    var reader = YAMLReader(lines: text.lines.map { Array($0) }, file: file)
    return try reader.document()
  }

  /// A location from 0-based line and column.
  func location(_ line: Int, _ column: Int) -> SourceLocation {
    SourceLocation(file: file, line: line + 1, column: column + 1)
  }

  /// An error at 0-based line and column.
  func error(_ message: String, _ line: Int, _ column: Int) -> YAMLError {
    YAMLError(message: message, location: location(line, column))
  }

  /// The whole document.
  mutating func document() throws(YAMLError) -> YAMLNode {
    try skipBlankLines()
    if line < lines.count, Self.isMarker(lines[line], "---") {
      line += 1
      try skipBlankLines()
    }
    guard line < lines.count else { return .scalar(YAMLScalar(text: "", style: .plain, location: location(0, 0))) }
    let node = try block(minimumIndent: 0, line: line, column: indent(of: line))
    try skipBlankLines()
    if line < lines.count {
      if Self.isMarker(lines[line], "---") {
        throw error("a second document ('---') is not supported in a netplan file", line, 0)
      }
      if !Self.isMarker(lines[line], "...") {
        throw error("unexpected content after the document's top-level value", line, indent(of: line))
      }
    }
    return node
  }

  /// Whether a line is a document marker.
  static func isMarker(_ line: [Character], _ marker: String) -> Bool {
    let text = String(line)
    return text == marker || text.hasPrefix(marker + " ") || text.hasPrefix(marker + "\t")
  }

  /// The column of a line's first non-blank character.
  func indent(of line: Int) -> Int {
    lines[line].firstIndex { $0 != " " } ?? lines[line].count
  }

  /// Whether a line holds nothing but blanks and a comment.
  func isBlank(_ line: Int) -> Bool {
    var column = 0
    let characters = lines[line]
    while column < characters.count, characters[column] == " " || characters[column] == "\t" { column += 1 }
    return column == characters.count || characters[column] == "#"
  }

  /// Moves to the next line with content; a tab in a content line's indentation is an error.
  mutating func skipBlankLines() throws(YAMLError) {
    while line < lines.count, isBlank(line) { line += 1 }
    if line < lines.count {
      let column = indent(of: line)
      if column < lines[line].count, lines[line][column] == "\t" {
        throw error("a tab character indents this line (YAML allows only spaces)", line, column)
      }
    }
  }

  /// A block node starting at (`line`, `column`), the first line already current.
  mutating func block(minimumIndent: Int, line start: Int, column: Int) throws(YAMLError) -> YAMLNode {
    let characters = lines[start]
    if characters[column] == "-", column + 1 == characters.count || characters[column + 1] == " " {
      return try sequence(column: column)
    }
    if try keyEnd(start, column) != nil { return try mapping(column: column) }
    let (node, end) = try inline(start, column)
    line = end + 1
    return node
  }

  /// A block sequence whose dashes are at `column`.
  mutating func sequence(column: Int) throws(YAMLError) -> YAMLNode {
    let start = location(line, column)
    var items: [YAMLNode] = []
    while line < lines.count, indent(of: line) == column, lines[line][column] == "-",
      column + 1 == lines[line].count || lines[line][column + 1] == " "
    {
      let itemLine = line
      var content = column + 1
      while content < lines[itemLine].count, lines[itemLine][content] == " " { content += 1 }
      if content == lines[itemLine].count || lines[itemLine][content] == "#" {
        // The item is on the following lines, indented more than the dash.
        line += 1
        try skipBlankLines()
        if line < lines.count, indent(of: line) > column {
          items.append(try block(minimumIndent: column + 1, line: line, column: indent(of: line)))
        } else {
          items.append(.scalar(YAMLScalar(text: "", style: .plain, location: location(itemLine, content))))
        }
      } else {
        items.append(try block(minimumIndent: column + 1, line: itemLine, column: content))
      }
      try skipBlankLines()
    }
    if line < lines.count, indent(of: line) > column {
      throw error(
        "unexpected indentation (a sequence item was expected at column \(column + 1))", line, indent(of: line))
    }
    return .sequence(items, start)
  }

  /// A block mapping whose keys are at `column` (the first key may follow a `- ` on its line).
  mutating func mapping(column: Int) throws(YAMLError) -> YAMLNode {
    let start = location(line, column)
    var pairs: [YAMLPair] = []
    var keyColumn = column
    while line < lines.count {
      let keyLine = line
      guard let (key, colon) = try keyEnd(keyLine, keyColumn) else {
        throw error("expected a 'key: value' line in this mapping", keyLine, keyColumn)
      }
      if let previous = pairs.first(where: { $0.key.text == key.text }) {
        throw error(
          "duplicate key '\(key.text.echoed)' (first at line \(previous.key.location.line))", keyLine, keyColumn)
      }
      var content = colon + 1
      while content < lines[keyLine].count, lines[keyLine][content] == " " { content += 1 }
      let value: YAMLNode
      if content == lines[keyLine].count || lines[keyLine][content] == "#" {
        line += 1
        try skipBlankLines()
        let nested = line < lines.count ? indent(of: line) : -1
        if nested > column {
          value = try block(minimumIndent: column + 1, line: line, column: nested)
        } else if nested == column, lines[line][column] == "-",
          column + 1 == lines[line].count || lines[line][column + 1] == " "
        {
          // YAML lets a mapping's sequence value start at the key's own indentation.
          value = try sequence(column: column)
        } else {
          value = .scalar(YAMLScalar(text: "", style: .plain, location: location(keyLine, content)))
        }
      } else {
        let character = lines[keyLine][content]
        if character == "-", content + 1 == lines[keyLine].count || lines[keyLine][content + 1] == " " {
          throw error("a block sequence cannot start on its key's line", keyLine, content)
        }
        if try keyEnd(keyLine, content) != nil {
          throw error("a mapping cannot start on its key's line (put it on the next line, indented)", keyLine, content)
        }
        let (node, end) = try inline(keyLine, content)
        value = node
        line = end + 1
      }
      pairs.append(YAMLPair(key: key, value: value))
      try skipBlankLines()
      guard line < lines.count else { break }
      if Self.isMarker(lines[line], "---") || Self.isMarker(lines[line], "...") { break }
      let next = indent(of: line)
      if next < column { break }
      if next > column {
        throw error("unexpected indentation (a key was expected at column \(column + 1))", line, next)
      }
      if lines[line][next] == "-", next + 1 == lines[line].count || lines[line][next + 1] == " " { break }
      keyColumn = column
    }
    return .mapping(pairs, start)
  }

  /// If a mapping key starts at (`line`, `column`), the key and the column of its `:`.
  func keyEnd(_ line: Int, _ column: Int) throws(YAMLError) -> (YAMLScalar, Int)? {
    let characters = lines[line]
    guard column < characters.count else { return nil }
    let first = characters[column]
    if first == "\"" || first == "'" {
      let (scalar, end) = try quoted(line, column)
      var position = end
      while position < characters.count, characters[position] == " " { position += 1 }
      guard position < characters.count, characters[position] == ":",
        position + 1 == characters.count || characters[position + 1] == " "
      else { return nil }
      return (scalar, position)
    }
    if "[{&*!|>%@`?".contains(first) { return nil }
    var position = column
    while position < characters.count {
      let character = characters[position]
      if character == ":", position + 1 == characters.count || characters[position + 1] == " " {
        let text = String(characters[column..<position]).trimmingBlanks()
        return (YAMLScalar(text: text, style: .plain, location: location(line, column)), position)
      }
      if character == "#", position > column, characters[position - 1] == " " { return nil }
      position += 1
    }
    return nil
  }

  /// A value on one line (or a flow collection over several): a scalar or a flow collection, with the line it
  /// ends on. Only blanks and a comment may follow it on that line.
  func inline(_ line: Int, _ column: Int) throws(YAMLError) -> (YAMLNode, Int) {
    let characters = lines[line]
    let first = characters[column]
    var node: YAMLNode
    var endLine = line
    var endColumn: Int
    switch first {
    case "[", "{":
      var flow = FlowReader(reader: self, line: line, column: column)
      node = try flow.value()
      endLine = flow.line
      endColumn = flow.column
    case "\"", "'":
      let (scalar, end) = try quoted(line, column)
      node = .scalar(scalar)
      endColumn = end
    case "|", ">":
      throw error("block scalars ('\(first)') are not supported in netplan files", line, column)
    case "&", "*":
      throw error("anchors and aliases ('\(first)') are not supported in netplan files", line, column)
    case "!":
      throw error("tags ('!') are not supported in netplan files", line, column)
    case "@", "`":
      throw error("'\(first)' is reserved in YAML and cannot start a plain scalar", line, column)
    default:
      var end = column
      while end < characters.count, !(characters[end] == "#" && end > column && characters[end - 1] == " ") {
        end += 1
      }
      let text = String(characters[column..<end]).trimmingBlanks()
      if text.contains(": ") || text.hasSuffix(":") {
        throw error("unexpected ':' in a plain scalar (quote the value)", line, column)
      }
      return (.scalar(YAMLScalar(text: text, style: .plain, location: location(line, column))), line)
    }
    let rest = lines[endLine]
    var position = endColumn
    while position < rest.count, rest[position] == " " || rest[position] == "\t" { position += 1 }
    guard position == rest.count || rest[position] == "#" else {
      throw error("unexpected text after the value", endLine, position)
    }
    return (node, endLine)
  }

  /// A quoted scalar on one line starting at `column`, and the column after its closing quote.
  func quoted(_ line: Int, _ column: Int) throws(YAMLError) -> (YAMLScalar, Int) {
    let characters = lines[line]
    let quote = characters[column]
    var text = ""
    var position = column + 1
    while position < characters.count {
      let character = characters[position]
      if quote == "'" {
        if character == "'" {
          if position + 1 < characters.count, characters[position + 1] == "'" {
            text.append("'")
            position += 2
            continue
          }
          return (YAMLScalar(text: text, style: .singleQuoted, location: location(line, column)), position + 1)
        }
        text.append(character)
        position += 1
        continue
      }
      if character == "\"" {
        return (YAMLScalar(text: text, style: .doubleQuoted, location: location(line, column)), position + 1)
      }
      if character == "\\" {
        guard position + 1 < characters.count else { break }
        let (escaped, length) = try escape(characters, position + 1, line)
        text += escaped
        position += 1 + length
        continue
      }
      text.append(character)
      position += 1
    }
    throw error(
      "unterminated \(quote == "'" ? "single" : "double")-quoted scalar (quoted scalars over several "
        + "lines are not supported)", line, column)
  }

  /// A double-quoted escape after its backslash: the text and how many characters it took.
  func escape(_ characters: [Character], _ position: Int, _ line: Int) throws(YAMLError) -> (String, Int) {
    let character = characters[position]
    switch character {
    case "0": return ("\0", 1)
    case "a": return ("\u{07}", 1)
    case "b": return ("\u{08}", 1)
    case "t", "\t": return ("\t", 1)
    case "n": return ("\n", 1)
    case "v": return ("\u{0B}", 1)
    case "f": return ("\u{0C}", 1)
    case "r": return ("\r", 1)
    case "e": return ("\u{1B}", 1)
    case " ", "\"", "/", "\\": return (String(character), 1)
    case "N": return ("\u{85}", 1)
    case "_": return ("\u{A0}", 1)
    case "L": return ("\u{2028}", 1)
    case "P": return ("\u{2029}", 1)
    case "x", "u", "U":
      let digits = character == "x" ? 2 : character == "u" ? 4 : 8
      guard position + digits < characters.count,
        let value = UInt32(String(characters[(position + 1)...(position + digits)]), radix: 16),
        let scalar = Unicode.Scalar(value)
      else { throw error("invalid '\\\(character)' escape", line, position - 1) }
      return (String(Character(scalar)), 1 + digits)
    default:
      throw error("unknown escape '\\\(character)' in a double-quoted scalar", line, position - 1)
    }
  }

  /// Reads a flow collection, which may run over several lines.
  struct FlowReader {
    /// The document.
    let reader: YAMLReader
    /// The current line.
    var line: Int
    /// The current column.
    var column: Int
    /// Where the outermost collection opens, for "unterminated" errors.
    var opening: (line: Int, column: Int)

    /// Starts at the collection's opening bracket.
    init(reader: YAMLReader, line: Int, column: Int) {
      self.reader = reader
      self.line = line
      self.column = column
      self.opening = (line, column)
    }

    /// The character at the cursor, or nil at the end of a line.
    var current: Character? {
      column < reader.lines[line].count ? reader.lines[line][column] : nil
    }

    /// Skips blanks, comments and line ends.
    mutating func skip() throws(YAMLError) {
      while line < reader.lines.count {
        while let character = current, character == " " || character == "\t" { column += 1 }
        if current == nil || current == "#" {
          line += 1
          column = 0
          guard line < reader.lines.count else {
            throw reader.error("unterminated flow collection", opening.line, opening.column)
          }
          continue
        }
        return
      }
    }

    /// A value inside a flow collection (or the collection itself).
    mutating func value() throws(YAMLError) -> YAMLNode {
      try skip()
      let start = reader.location(line, column)
      switch current {
      case "[":
        column += 1
        var items: [YAMLNode] = []
        while true {
          try skip()
          if current == "]" {
            column += 1
            return .sequence(items, start)
          }
          items.append(try value())
          try skip()
          if current == "," {
            column += 1
          } else if current != "]" {
            throw reader.error("expected ',' or ']' in a flow sequence", line, column)
          }
        }
      case "{":
        column += 1
        var pairs: [YAMLPair] = []
        while true {
          try skip()
          if current == "}" {
            column += 1
            return .mapping(pairs, start)
          }
          guard case .scalar(let key) = try value() else {
            throw reader.error("a flow mapping's key must be a scalar", start.line - 1, start.column - 1)
          }
          if pairs.contains(where: { $0.key.text == key.text }) {
            throw reader.error("duplicate key '\(key.text.echoed)'", key.location.line - 1, key.location.column - 1)
          }
          try skip()
          var mapped: YAMLNode = .scalar(YAMLScalar(text: "", style: .plain, location: reader.location(line, column)))
          if current == ":" {
            column += 1
            try skip()
            if current != "," && current != "}" { mapped = try value() }
          }
          pairs.append(YAMLPair(key: key, value: mapped))
          try skip()
          if current == "," {
            column += 1
          } else if current != "}" {
            throw reader.error("expected ',' or '}' in a flow mapping", line, column)
          }
        }
      case "\"", "'":
        let (scalar, end) = try reader.quoted(line, column)
        column = end
        return .scalar(scalar)
      case "&", "*", "!", "|", ">", "@", "`":
        throw reader.error("'\(current!)' is not supported in a netplan flow collection", line, column)
      default:
        let characters = reader.lines[line]
        var end = column
        while end < characters.count {
          let character = characters[end]
          if ",[]{}".contains(character) { break }
          if character == ":", end + 1 == characters.count || " ,[]{}".contains(characters[end + 1]) { break }
          if character == "#", end > column, characters[end - 1] == " " { break }
          end += 1
        }
        let text = String(characters[column..<end]).trimmingBlanks()
        column = end
        return .scalar(YAMLScalar(text: text, style: .plain, location: start))
      }
    }
  }
}
