/// Checks that bytes are one well-formed JSON document (RFC 8259) in UTF-8, and says where and how they are not.
///
/// Foundation's JSONDecoder says only "The given data was not valid JSON" for every such fault (invalid UTF-8,
/// a stray comma, nesting past its limit), so snapshots are checked here first, for a message with a position.
/// It loops rather than recursing, and stops at `JSONScanner.maximumDepth` levels like every other reader.
public enum JSONValidator {
  /// What is wrong, and the byte offset where it is.
  public struct Problem: Equatable, Sendable {
    /// The offset of the byte at fault (the end of the bytes when they end too early).
    public var offset: Int
    /// What is wrong, lowercase.
    public var message: String
  }

  /// The offset of the first byte that is not part of valid UTF-8, or nil.
  public static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
    var offset = 0
    // ASCII needs no decoding, and snapshots are almost all ASCII.
    while offset < bytes.count {
      if bytes[offset] < 0x80 {
        offset += 1
        continue
      }
      var parser = Unicode.UTF8.ForwardParser()
      var iterator = UnsafeRawBufferPointer(rebasing: bytes[offset...]).makeIterator()
      switch parser.parseScalar(from: &iterator) {
      case .valid(let scalar): offset += scalar.count
      case .error, .emptyInput: return offset
      }
    }
    return nil
  }

  /// The first problem in a document's UTF-8, or nil when it is valid UTF-8.
  public static func checkUTF8(_ bytes: UnsafeRawBufferPointer) -> Problem? {
    firstInvalidUTF8(bytes).map { Problem(offset: $0, message: "invalid UTF-8 (byte 0x\(hex(bytes[$0])))") }
  }

  /// The first problem in a document's JSON syntax, or nil when it is well-formed; the bytes must be valid UTF-8
  /// (`checkUTF8`), since only the structure is checked here.
  public static func check(_ bytes: UnsafeRawBufferPointer) -> Problem? {
    var checker = Checker(bytes: bytes)
    return checker.document()
  }

  /// Two lowercase hex digits.
  static func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
  }

  /// The state of one check.
  struct Checker {
    /// The document.
    let bytes: UnsafeRawBufferPointer
    /// The next byte to read.
    var position = 0
    /// The open containers, innermost last: true for an object.
    var open: [Bool] = []

    /// A problem at the current byte: what was found there and what was expected.
    func found(expected: String) -> Problem {
      guard position < bytes.count else { return Problem(offset: position, message: "the document ends too early") }
      return Problem(offset: position, message: "found '\(character(at: position))', expected \(expected)")
    }

    /// The character starting at an offset.
    func character(at offset: Int) -> Character {
      let end = min(offset + 4, bytes.count)
      return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self).first ?? "\u{FFFD}"
    }

    /// Skips JSON whitespace.
    mutating func skipWhitespace() {
      while position < bytes.count {
        switch bytes[position] {
        case 0x20, 0x0A, 0x0D, 0x09: position += 1
        default: return
        }
      }
    }

    /// Consumes `byte` after whitespace, or returns the problem.
    mutating func expect(_ byte: UInt8, _ what: String) -> Problem? {
      skipWhitespace()
      guard position < bytes.count, bytes[position] == byte else { return found(expected: what) }
      position += 1
      return nil
    }

    /// The whole document: one value, then only whitespace.
    mutating func document() -> Problem? {
      // True while a value must come next; false after one, when a separator or a closing bracket must.
      var wantValue = true
      while true {
        if wantValue {
          switch value() {
          case .problem(let problem): return problem
          case .scalar: wantValue = false
          case .opened(let isObject):
            // An empty container closes at once; an object's first member starts with its key.
            skipWhitespace()
            if position < bytes.count, bytes[position] == (isObject ? 0x7D : 0x5D) {
              position += 1
              open.removeLast()
              wantValue = false
            } else if isObject, let problem = key(expected: "a key or '}'") {
              return problem
            }
          }
          continue
        }
        skipWhitespace()
        guard let isObject = open.last else {
          return position < bytes.count ? found(expected: "the end of the document") : nil
        }
        guard position < bytes.count else { return found(expected: "") }
        switch bytes[position] {
        case 0x2C:
          position += 1
          if isObject, let problem = key(expected: "a key") { return problem }
          wantValue = true
        case isObject ? 0x7D : 0x5D:
          position += 1
          open.removeLast()
        default:
          return found(expected: isObject ? "',' or '}'" : "',' or ']'")
        }
      }
    }

    /// A key and its colon.
    mutating func key(expected: String) -> Problem? {
      skipWhitespace()
      guard position < bytes.count, bytes[position] == 0x22 else { return found(expected: expected) }
      if let problem = string() { return problem }
      return expect(0x3A, "':'")
    }

    /// What reading a value did.
    enum Outcome {
      /// Read a whole string, number or literal.
      case scalar
      /// Opened an object (true) or array, now the innermost in `open`.
      case opened(Bool)
      /// Found a problem.
      case problem(Problem)
    }

    /// A scalar value, or the opening bracket of a container (which is pushed).
    mutating func value() -> Outcome {
      skipWhitespace()
      guard position < bytes.count else { return .problem(found(expected: "a value")) }
      let problem: Problem?
      switch bytes[position] {
      case 0x7B, 0x5B:
        guard open.count < JSONScanner.maximumDepth else {
          return .problem(Problem(offset: position, message: JSONScanError.nestingProblem))
        }
        open.append(bytes[position] == 0x7B)
        position += 1
        return .opened(open.last!)
      case 0x22: problem = string()
      case 0x2D, 0x30...0x39: problem = number()
      case 0x74: problem = literal("true")
      case 0x66: problem = literal("false")
      case 0x6E: problem = literal("null")
      default: problem = found(expected: "a value")
      }
      return problem.map { .problem($0) } ?? .scalar
    }

    /// `true`, `false` or `null`.
    mutating func literal(_ word: StaticString) -> Problem? {
      let count = word.utf8CodeUnitCount
      let start = position
      for offset in 0..<count {
        guard start + offset < bytes.count else {
          position = bytes.count
          return found(expected: "")
        }
        guard bytes[start + offset] == word.utf8Start[offset] else { return found(expected: "a value") }
      }
      position += count
      return nil
    }

    /// A number: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    mutating func number() -> Problem? {
      if bytes[position] == 0x2D { position += 1 }
      guard position < bytes.count, isDigit(bytes[position]) else { return found(expected: "a digit") }
      // A leading zero stands alone: `01` ends the number after `0`, and the `1` is then out of place.
      if bytes[position] == 0x30 { position += 1 } else { digits() }
      if position < bytes.count, bytes[position] == 0x2E {
        position += 1
        guard position < bytes.count, isDigit(bytes[position]) else { return found(expected: "a digit") }
        digits()
      }
      if position < bytes.count, bytes[position] == 0x65 || bytes[position] == 0x45 {
        position += 1
        if position < bytes.count, bytes[position] == 0x2B || bytes[position] == 0x2D { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { return found(expected: "a digit") }
        digits()
      }
      return nil
    }

    /// Whether a byte is an ASCII digit.
    func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Skips digits.
    mutating func digits() {
      while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    /// A string, from its opening quote: no control characters, only JSON's escapes, surrogates in pairs.
    mutating func string() -> Problem? {
      position += 1
      while position < bytes.count {
        let byte = bytes[position]
        switch byte {
        case 0x22:
          position += 1
          return nil
        case 0x5C:
          if let problem = escape() { return problem }
        case 0x00..<0x20:
          return Problem(offset: position, message: "found a control character in a string")
        default:
          position += 1
        }
      }
      return found(expected: "")
    }

    /// An escape, from its backslash.
    mutating func escape() -> Problem? {
      let start = position
      position += 1
      guard position < bytes.count else { return found(expected: "") }
      switch bytes[position] {
      case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
        position += 1
        return nil
      case 0x75:
        position += 1
        guard let code = hex4() else { return found(expected: "a hex digit") }
        if (0xDC00..<0xE000).contains(code) {
          position = start
          return found(expected: "a high surrogate before a low one")
        }
        guard (0xD800..<0xDC00).contains(code) else { return nil }
        guard position + 1 < bytes.count, bytes[position] == 0x5C, bytes[position + 1] == 0x75 else {
          return found(expected: "a low surrogate")
        }
        position += 2
        guard let low = hex4() else { return found(expected: "a hex digit") }
        guard (0xDC00..<0xE000).contains(low) else {
          position -= 6
          return found(expected: "a low surrogate")
        }
        return nil
      default:
        return found(expected: "an escape character")
      }
    }

    /// Four hex digits, or nil with `position` at the first that is not one.
    mutating func hex4() -> UInt32? {
      var value: UInt32 = 0
      for _ in 0..<4 {
        guard position < bytes.count else { return nil }
        let byte = bytes[position]
        let digit: UInt32
        switch byte {
        case 0x30...0x39: digit = UInt32(byte - 0x30)
        case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
        case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
        default: return nil
        }
        value = value << 4 | digit
        position += 1
      }
      return value
    }
  }
}
