/// Why JSON could not be read.
public enum JSONScanError: Error, Equatable, Sendable {
  /// The bytes ended inside a value: more may follow when the input is a stream.
  case truncated
  /// A byte that cannot appear at this point.
  case unexpected(byte: UInt8, offset: Int, expected: String)
  /// A value of the wrong kind for a field.
  case wrongType(field: String, offset: Int, expected: String)
  /// An array or object opened deeper than `JSONScanner.maximumDepth` levels, at the offset of its bracket.
  case nestedTooDeep(offset: Int)

  /// What is wrong with nesting, for messages: the same words wherever JSON is read.
  public static let nestingProblem = "arrays and objects nested more than \(JSONScanner.maximumDepth) deep"
}

/// A pull parser over UTF-8 JSON bytes that decodes straight into values without building a document tree.
///
/// `ip -j route show` prints ~70 bytes a route; a million routes make 70 MB, where JSONSerialization needs seconds
/// and gigabytes. This reads fields in place, compares keys as bytes, and never allocates for keys.
public struct JSONScanner {
  /// How deeply arrays and objects may nest. Readers recurse once a level, and `[` repeated 40,000 times overflowed
  /// the stack; polroute's own documents nest at most 6 levels (snapshots), `ip -j` output 5, JSON policies 3.
  public static let maximumDepth = 128

  /// The bytes being read; the caller keeps them alive for the scanner's lifetime.
  let bytes: UnsafeRawBufferPointer
  /// The offset of the next unread byte.
  public var position: Int

  /// Starts reading at `position`.
  public init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
    self.bytes = bytes
    self.position = position
  }

  /// Whether only whitespace remains.
  public mutating func atEnd() -> Bool {
    skipWhitespace()
    return position >= bytes.count
  }

  /// Skips JSON whitespace.
  @inline(__always)
  public mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x0A, 0x0D, 0x09: position += 1
      default: return
      }
    }
  }

  /// The next non-whitespace byte, not consumed.
  @inline(__always)
  public mutating func peek() throws(JSONScanError) -> UInt8 {
    skipWhitespace()
    guard position < bytes.count else { throw .truncated }
    return bytes[position]
  }

  /// Consumes one expected byte.
  @inline(__always)
  public mutating func expect(_ byte: UInt8, _ what: String) throws(JSONScanError) {
    let next = try peek()
    guard next == byte else { throw .unexpected(byte: next, offset: position, expected: what) }
    position += 1
  }

  /// Advances to the next key of an object and returns its bytes' range, or nil after the closing brace.
  /// Call with `first` true right after `{` has been consumed.
  public mutating func nextKey(first: inout Bool) throws(JSONScanError) -> Range<Int>? {
    var next = try peek()
    if next == UInt8(ascii: "}") {
      position += 1
      return nil
    }
    if !first {
      guard next == UInt8(ascii: ",") else { throw .unexpected(byte: next, offset: position, expected: "',' or '}'") }
      position += 1
      next = try peek()
    }
    first = false
    guard next == UInt8(ascii: "\"") else { throw .unexpected(byte: next, offset: position, expected: "a key") }
    let range = try rawStringRange()
    try expect(UInt8(ascii: ":"), "':'")
    return range
  }

  /// Advances to the next element of an array: true when one follows, false after the closing bracket.
  /// Call with `first` true right after `[` has been consumed.
  public mutating func nextElement(first: inout Bool) throws(JSONScanError) -> Bool {
    let next = try peek()
    if next == UInt8(ascii: "]") {
      position += 1
      return false
    }
    if !first {
      guard next == UInt8(ascii: ",") else { throw .unexpected(byte: next, offset: position, expected: "',' or ']'") }
      position += 1
    }
    first = false
    return true
  }

  /// Whether the bytes in `range` spell `key`.
  @inline(__always)
  public func key(_ range: Range<Int>, is key: StaticString) -> Bool {
    let count = key.utf8CodeUnitCount
    guard range.count == count else { return false }
    let start = key.utf8Start
    for offset in 0..<count where bytes[range.lowerBound + offset] != start[offset] { return false }
    return true
  }

  /// The range of a string's bytes between its quotes, for strings without escapes; consumes the string.
  /// Strings with escapes are refused here (use `string()`).
  mutating func rawStringRange() throws(JSONScanError) -> Range<Int> {
    try expect(UInt8(ascii: "\""), "'\"'")
    let start = position
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        position += 1
        return start..<(position - 1)
      }
      if byte == UInt8(ascii: "\\") {
        throw .unexpected(byte: byte, offset: position, expected: "a key without escapes")
      }
      position += 1
    }
    throw .truncated
  }

  /// Reads a string value, decoding escapes.
  public mutating func string() throws(JSONScanError) -> String {
    try expect(UInt8(ascii: "\""), "a string")
    let start = position
    // Fast path: no escapes, which is every string `ip` prints for ordinary names.
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        position += 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(position - 1)]), as: UTF8.self)
      }
      if byte == UInt8(ascii: "\\") { break }
      position += 1
    }
    guard position < bytes.count else { throw .truncated }
    var scalars = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
    while position < bytes.count {
      let byte = bytes[position]
      position += 1
      switch byte {
      case UInt8(ascii: "\""):
        return String(decoding: scalars, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard position < bytes.count else { throw .truncated }
        let escaped = bytes[position]
        position += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
        case UInt8(ascii: "b"): scalars.append(0x08)
        case UInt8(ascii: "f"): scalars.append(0x0C)
        case UInt8(ascii: "n"): scalars.append(0x0A)
        case UInt8(ascii: "r"): scalars.append(0x0D)
        case UInt8(ascii: "t"): scalars.append(0x09)
        case UInt8(ascii: "u"):
          var code = try hex4()
          if (0xD800..<0xDC00).contains(code) {
            // As in `hex4()`, a wrong byte before the end is an error, not a truncation.
            guard position < bytes.count else { throw .truncated }
            let escape = bytes[position] == UInt8(ascii: "\\")
            guard escape, position + 1 == bytes.count || bytes[position + 1] == UInt8(ascii: "u") else {
              throw .unexpected(byte: bytes[position], offset: position, expected: "a low surrogate")
            }
            guard position + 1 < bytes.count else { throw .truncated }
            position += 2
            let low = try hex4()
            // Anything but a low surrogate here would make the pair arithmetic below underflow.
            guard (0xDC00..<0xE000).contains(low) else {
              throw .unexpected(byte: bytes[position - 4], offset: position - 4, expected: "a low surrogate")
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          }
          let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
          scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
          throw .unexpected(byte: escaped, offset: position - 1, expected: "an escape character")
        }
      default:
        scalars.append(byte)
      }
    }
    throw .truncated
  }

  /// Reads four hex digits of a `\u` escape.
  mutating func hex4() throws(JSONScanError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      // Check each digit there is before running out, so `\u1"` is an error rather than a truncation.
      guard position < bytes.count else { throw .truncated }
      let byte = bytes[position]
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
      default: throw .unexpected(byte: byte, offset: position, expected: "a hex digit")
      }
      value = value << 4 | digit
      position += 1
    }
    return value
  }

  /// Reads a string value and hands its raw bytes to `body` without making a String (no escapes allowed).
  @inline(__always)
  public mutating func withRawString<T>(_ body: (UnsafeRawBufferPointer) throws(JSONScanError) -> T)
    throws(JSONScanError) -> T
  {
    let range = try rawStringRange()
    return try body(UnsafeRawBufferPointer(rebasing: bytes[range]))
  }

  /// Reads a non-negative integer; `ip` prints some numbers as strings ("table":"101"), which are accepted too.
  public mutating func unsigned(field: String) throws(JSONScanError) -> UInt64 {
    let next = try peek()
    if next == UInt8(ascii: "\"") {
      let text = try string()
      guard let value = UInt64(text) else { throw .wrongType(field: field, offset: position, expected: "a number") }
      return value
    }
    var value: UInt64 = 0
    var digits = 0
    while position < bytes.count {
      let byte = bytes[position]
      guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { break }
      let (product, overflow) = value.multipliedReportingOverflow(by: 10)
      // The addition overflows on its own for 18446744073709551616 to ...619, where the product still fits.
      let (sum, carry) = product.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
      guard !overflow, !carry else { throw .wrongType(field: field, offset: position, expected: "a smaller number") }
      value = sum
      digits += 1
      position += 1
    }
    // A number that runs to the end of the bytes may continue in the next chunk of a stream.
    guard position < bytes.count else { throw .truncated }
    guard digits > 0 else { throw .wrongType(field: field, offset: position, expected: "a non-negative integer") }
    return value
  }

  /// Reads a signed integer.
  public mutating func integer(field: String) throws(JSONScanError) -> Int64 {
    let negative = try peek() == UInt8(ascii: "-")
    let start = position
    if negative { position += 1 }
    let magnitude = try unsigned(field: field)
    // Int64 is lopsided: -9223372036854775808 fits but 9223372036854775808 does not, so check before converting.
    guard magnitude <= (negative ? Int64.min.magnitude : UInt64(Int64.max)) else {
      throw .wrongType(field: field, offset: start, expected: "a smaller number")
    }
    return negative ? Int64(bitPattern: 0 &- magnitude) : Int64(magnitude)
  }

  /// Reads `true`, `false` or `null` (which `ip` prints for flags that are set, as in `"l3mdev":null`).
  public mutating func literal() throws(JSONScanError) -> Bool? {
    let next = try peek()
    let (word, value): (StaticString, Bool?) =
      switch next {
      case UInt8(ascii: "t"): ("true", true)
      case UInt8(ascii: "f"): ("false", false)
      case UInt8(ascii: "n"): ("null", nil)
      default: throw .unexpected(byte: next, offset: position, expected: "true, false or null")
      }
    let count = word.utf8CodeUnitCount
    // Compare the bytes there are before deciding: `tx` is wrong already, while `tr` may be the start of `true`.
    let available = min(count, bytes.count - position)
    let letters = word.utf8Start
    for offset in 0..<available where bytes[position + offset] != letters[offset] {
      throw .unexpected(byte: next, offset: position, expected: "true, false or null")
    }
    guard available == count else { throw .truncated }
    position += count
    return value
  }

  /// Reads an array of strings (`"flags":["UP","LOWER_UP"]`).
  public mutating func stringArray() throws(JSONScanError) -> [String] {
    try expect(UInt8(ascii: "["), "an array")
    var result: [String] = []
    var first = true
    while try nextElement(first: &first) { result.append(try string()) }
    return result
  }

  /// Skips any value, nested or not (at most `maximumDepth` levels).
  public mutating func skipValue() throws(JSONScanError) {
    try skipValue(depth: 0)
  }

  /// Throws `nestedTooDeep` when a container would open at `depth` levels already open.
  @inline(__always)
  public func checkDepth(_ depth: Int) throws(JSONScanError) {
    guard depth < JSONScanner.maximumDepth else { throw .nestedTooDeep(offset: position) }
  }

  /// Skips a string, escapes and all, from its opening quote.
  mutating func skipString() throws(JSONScanError) {
    position += 1
    while position < bytes.count {
      let byte = bytes[position]
      position += 1
      if byte == UInt8(ascii: "\\") {
        position += 1
      } else if byte == UInt8(ascii: "\"") {
        return
      }
    }
    throw .truncated
  }

  /// Skips a value inside `depth` open containers.
  mutating func skipValue(depth: Int) throws(JSONScanError) {
    let next = try peek()
    switch next {
    case UInt8(ascii: "\""):
      try skipString()
    case UInt8(ascii: "{"):
      try checkDepth(depth)
      position += 1
      var first = true
      // Keys are skipped like any string: a skipped object may have keys with escapes (a snapshot's settings keyed
      // by paths that JSONSerialization writes as `net\/ipv4\/...`), which `nextKey` refuses.
      while true {
        var next = try peek()
        if next == UInt8(ascii: "}") {
          position += 1
          break
        }
        if !first {
          guard next == UInt8(ascii: ",") else {
            throw .unexpected(byte: next, offset: position, expected: "',' or '}'")
          }
          position += 1
          next = try peek()
        }
        first = false
        guard next == UInt8(ascii: "\"") else { throw .unexpected(byte: next, offset: position, expected: "a key") }
        try skipString()
        try expect(UInt8(ascii: ":"), "':'")
        try skipValue(depth: depth + 1)
      }
    case UInt8(ascii: "["):
      try checkDepth(depth)
      position += 1
      var first = true
      while try nextElement(first: &first) { try skipValue(depth: depth + 1) }
    case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
      _ = try literal()
    default:
      // A number: consume its characters; one running to the end of the bytes may continue in a stream.
      let start = position
      while position < bytes.count {
        switch bytes[position] {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
          UInt8(ascii: "e"), UInt8(ascii: "E"):
          position += 1
        default:
          guard position > start else { throw .unexpected(byte: next, offset: position, expected: "a value") }
          return
        }
      }
      throw .truncated
    }
  }
}
