import Testing

@testable import PolrouteCore

/// Strings, numbers, literals, skipping, truncation and error offsets of `JSONScanner`.
struct JSONScannerTests {
  /// Runs `body` on a scanner over `text` and returns its result and where the scanner stopped.
  static func read<T>(
    _ text: String, _ body: (inout JSONScanner) throws(JSONScanError) -> T
  ) throws(JSONScanError) -> (value: T, position: Int) {
    let bytes = Array(text.utf8)
    let result = bytes.withUnsafeBytes { buffer -> Result<(T, Int), JSONScanError> in
      var scanner = JSONScanner(buffer)
      do throws(JSONScanError) {
        let value = try body(&scanner)
        return .success((value, scanner.position))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// The error `body` throws on a scanner over `bytes`, or nil when it succeeds.
  static func failure(_ bytes: [UInt8], _ body: (inout JSONScanner) throws(JSONScanError) -> Void) -> JSONScanError? {
    bytes.withUnsafeBytes { buffer in
      var scanner = JSONScanner(buffer)
      do throws(JSONScanError) {
        try body(&scanner)
        return nil
      } catch {
        return error
      }
    }
  }

  /// The error `body` throws on a scanner over `text`, or nil when it succeeds.
  static func failure(_ text: String, _ body: (inout JSONScanner) throws(JSONScanError) -> Void) -> JSONScanError? {
    failure(Array(text.utf8), body)
  }

  // MARK: Strings

  /// JSON string literals and the text they decode to.
  static let strings: [(String, String)] = [
    (#""plain""#, "plain"),
    (#""""#, ""),
    (#""a\"b""#, "a\"b"),
    (#""a\\b""#, "a\\b"),
    (#""a\/b""#, "a/b"),
    (#""\b\f\n\r\t""#, "\u{08}\u{0C}\n\r\t"),
    (#""caf\u00e9""#, "café"),
    (#""caf\u00E9""#, "café"),
    (#""x\u0041y""#, "xAy"),
    (#""\u0000""#, "\u{0}"),
    (#""\u20ac 5""#, "€ 5"),
    (#""\ud83d\ude00""#, "😀"),
    (#""\uD83D\uDE00!""#, "😀!"),
    (#""a\ud83d\ude00b\u00e9\n""#, "a😀bé\n"),
    (#""\\\\\"\"""#, "\\\\\"\""),
    ("\"café 😀\"", "café 😀"),
    ("\"tab\there\"", "tab\there"),
    // A lone low surrogate is not a character; it becomes U+FFFD rather than failing the whole document.
    (#""\udc00""#, "\u{FFFD}"),
  ]

  /// Every escape decodes, and the scanner stops right after the closing quote.
  @Test(arguments: strings)
  func decodesString(json: String, expected: String) throws {
    let (value, position) = try Self.read(json + ",") { (s: inout JSONScanner) throws(JSONScanError) in try s.string() }
    #expect(value == expected)
    #expect(position == json.utf8.count)
  }

  /// Leading whitespace is skipped before a string.
  @Test func skipsWhitespaceBeforeString() throws {
    let (value, position) = try Self.read(" \t\r\n\"data\"]") { (s: inout JSONScanner) throws(JSONScanError) in
      try s.string()
    }
    #expect(value == "data" && position == 10)
  }

  /// `withRawString` hands over the bytes between the quotes without decoding them.
  @Test func rawString() throws {
    let (value, position) = try Self.read(#" "192.0.2.0/24", "#) { (s: inout JSONScanner) throws(JSONScanError) in
      try s.withRawString { raw in String(decoding: raw, as: UTF8.self) }
    }
    #expect(value == "192.0.2.0/24")
    #expect(position == 15)
    let (count, _) = try Self.read(#""""#) { (s: inout JSONScanner) throws(JSONScanError) in
      try s.withRawString { raw in raw.count }
    }
    #expect(count == 0)
  }

  /// `withRawString` refuses escapes (it cannot hand over decoded bytes) and passes the body's error on.
  @Test func rawStringErrors() {
    #expect(
      Self.failure(#""a\"b""#) { (s: inout JSONScanner) throws(JSONScanError) in
        _ = try s.withRawString { $0.count }
      } == .unexpected(byte: UInt8(ascii: "\\"), offset: 2, expected: "a key without escapes"))
    #expect(
      Self.failure(#""data""#) { (s: inout JSONScanner) throws(JSONScanError) in
        try s.withRawString { (_) throws(JSONScanError) in throw .wrongType(field: "dev", offset: 1, expected: "x") }
      } == .wrongType(field: "dev", offset: 1, expected: "x"))
    #expect(
      Self.failure("7") { (s: inout JSONScanner) throws(JSONScanError) in _ = try s.withRawString { $0.count } }
        == .unexpected(byte: UInt8(ascii: "7"), offset: 0, expected: "'\"'"))
  }

  /// Malformed strings and where the error points.
  static let badStrings: [(String, JSONScanError)] = [
    ("7", .unexpected(byte: UInt8(ascii: "7"), offset: 0, expected: "a string")),
    (#" ["a"]"#, .unexpected(byte: UInt8(ascii: "["), offset: 1, expected: "a string")),
    (#""\x",1"#, .unexpected(byte: UInt8(ascii: "x"), offset: 2, expected: "an escape character")),
    (#""ab\'",1"#, .unexpected(byte: UInt8(ascii: "'"), offset: 4, expected: "an escape character")),
    (#""\u12G4",1"#, .unexpected(byte: UInt8(ascii: "G"), offset: 5, expected: "a hex digit")),
    (#""\u-123",1"#, .unexpected(byte: UInt8(ascii: "-"), offset: 3, expected: "a hex digit")),
    (#""\ud83dx",1"#, .unexpected(byte: UInt8(ascii: "x"), offset: 7, expected: "a low surrogate")),
    (#""\ud83d",1"#, .unexpected(byte: UInt8(ascii: "\""), offset: 7, expected: "a low surrogate")),
    (#""\ud83d\n",1"#, .unexpected(byte: UInt8(ascii: "\\"), offset: 7, expected: "a low surrogate")),
    // A second escape that is not a low surrogate.
    (#""\ud83d\u0041",1"#, .unexpected(byte: UInt8(ascii: "0"), offset: 9, expected: "a low surrogate")),
    (#""\ud83d\ud83d",1"#, .unexpected(byte: UInt8(ascii: "d"), offset: 9, expected: "a low surrogate")),
    (#""\ud83d\ue000",1"#, .unexpected(byte: UInt8(ascii: "e"), offset: 9, expected: "a low surrogate")),
    (#""\udbff\u00e9",1"#, .unexpected(byte: UInt8(ascii: "0"), offset: 9, expected: "a low surrogate")),
    // Bad hex near the end of the bytes is an error, not a truncation: no more bytes could make it valid.
    (#""\u1""#, .unexpected(byte: UInt8(ascii: "\""), offset: 4, expected: "a hex digit")),
    (#""\ud83d\uZ"]"#, .unexpected(byte: UInt8(ascii: "Z"), offset: 9, expected: "a hex digit")),
    (#""\ud83dx"#, .unexpected(byte: UInt8(ascii: "x"), offset: 7, expected: "a low surrogate")),
    (#""\ud83d\"#, .truncated),
  ]

  /// Malformed strings fail with the byte, offset and expectation of the first problem, and never crash.
  @Test(arguments: badStrings)
  func refusesString(json: String, error: JSONScanError) {
    #expect(Self.failure(json) { (s: inout JSONScanner) throws(JSONScanError) in _ = try s.string() } == error)
  }

  /// The highest and lowest surrogate pairs decode to the ends of the supplementary planes.
  @Test func surrogateExtremes() throws {
    let (low, _) = try Self.read(#""\ud800\udc00""#) { (s: inout JSONScanner) throws(JSONScanError) in try s.string() }
    #expect(low.unicodeScalars.map(\.value) == [0x10000])
    let (high, _) = try Self.read(#""\udbff\udfff""#) { (s: inout JSONScanner) throws(JSONScanError) in try s.string() }
    #expect(high.unicodeScalars.map(\.value) == [0x10FFFF])
  }

  // MARK: Numbers

  /// Non-negative integers, as numbers or as the strings `ip` prints for some fields.
  @Test(arguments: [
    ("0,", UInt64(0), 1),
    ("7]", 7, 1),
    ("42}", 42, 2),
    (" 1024 ,", 1024, 5),
    ("4294967295,", 4_294_967_295, 10),
    ("18446744073709551615,", .max, 20),
    (#""101","#, 101, 5),
    (#""0"]"#, 0, 3),
    (#""18446744073709551615"}"#, .max, 22),
    // A fraction or exponent stops the number; the caller then meets the '.' or 'e'.
    ("1.5,", 1, 1),
    ("2e3,", 2, 1),
  ])
  func readsUnsigned(json: String, expected: UInt64, end: Int) throws {
    let (value, position) = try Self.read(json) { (s: inout JSONScanner) throws(JSONScanError) in
      try s.unsigned(field: "metric")
    }
    #expect(value == expected)
    #expect(position == end)
  }

  /// Numbers that are not non-negative integers, and what the error says.
  @Test(arguments: [
    ("-1,", JSONScanError.wrongType(field: "metric", offset: 0, expected: "a non-negative integer")),
    ("x,", .wrongType(field: "metric", offset: 0, expected: "a non-negative integer")),
    ("null,", .wrongType(field: "metric", offset: 0, expected: "a non-negative integer")),
    (#""12x","#, .wrongType(field: "metric", offset: 5, expected: "a number")),
    (#""","#, .wrongType(field: "metric", offset: 2, expected: "a number")),
    (#""-1","#, .wrongType(field: "metric", offset: 4, expected: "a number")),
    // One past UInt64.max: the last digit's addition overflows, not the multiplication.
    ("18446744073709551616,", .wrongType(field: "metric", offset: 19, expected: "a smaller number")),
    ("18446744073709551619,", .wrongType(field: "metric", offset: 19, expected: "a smaller number")),
    ("18446744073709551620,", .wrongType(field: "metric", offset: 19, expected: "a smaller number")),
    ("99999999999999999999,", .wrongType(field: "metric", offset: 19, expected: "a smaller number")),
    ("184467440737095516150,", .wrongType(field: "metric", offset: 20, expected: "a smaller number")),
    ("12", .truncated),
    ("", .truncated),
    (#""12"#, .truncated),
  ])
  func refusesUnsigned(json: String, error: JSONScanError) {
    let failure = Self.failure(json) { (s: inout JSONScanner) throws(JSONScanError) in
      _ = try s.unsigned(field: "metric")
    }
    #expect(failure == error)
  }

  /// Signed integers over the whole Int64 range.
  @Test(arguments: [
    ("0,", Int64(0)),
    ("-0,", 0),
    ("297,", 297),
    ("-42,", -42),
    (" -1 ]", -1),
    ("9223372036854775807,", .max),
    ("-9223372036854775807,", -.max),
    ("-9223372036854775808,", .min),
  ])
  func readsInteger(json: String, expected: Int64) throws {
    let (value, _) = try Self.read(json) { (s: inout JSONScanner) throws(JSONScanError) in
      try s.integer(field: "expires")
    }
    #expect(value == expected)
  }

  /// Malformed integers, and integers outside Int64, which fail with an error pointing at the number.
  @Test(arguments: [
    ("--1,", JSONScanError.wrongType(field: "expires", offset: 1, expected: "a non-negative integer")),
    ("9223372036854775808,", .wrongType(field: "expires", offset: 0, expected: "a smaller number")),
    (" 18446744073709551615,", .wrongType(field: "expires", offset: 1, expected: "a smaller number")),
    ("-9223372036854775809,", .wrongType(field: "expires", offset: 0, expected: "a smaller number")),
    ("-18446744073709551615,", .wrongType(field: "expires", offset: 0, expected: "a smaller number")),
    ("-18446744073709551616,", .wrongType(field: "expires", offset: 20, expected: "a smaller number")),
    ("-", .truncated),
    ("-12", .truncated),
  ])
  func refusesInteger(json: String, error: JSONScanError) {
    let failure = Self.failure(json) { (s: inout JSONScanner) throws(JSONScanError) in
      _ = try s.integer(field: "expires")
    }
    #expect(failure == error)
  }

  // MARK: Literals

  /// `true`, `false` and `null` (which `ip` prints for set flags).
  @Test(arguments: [
    ("true,", true as Bool?, 4),
    ("false}", false, 5),
    ("null]", nil, 4),
    ("  null,", nil, 6),
    ("true", true, 4),
  ])
  func readsLiteral(json: String, expected: Bool?, end: Int) throws {
    let (value, position) = try Self.read(json) { (s: inout JSONScanner) throws(JSONScanError) in try s.literal() }
    #expect(value == expected)
    #expect(position == end)
  }

  /// Misspelt literals fail at their first byte; a correct beginning cut off by the end of the bytes is truncated.
  @Test(arguments: [
    ("nul,", JSONScanError.unexpected(byte: UInt8(ascii: "n"), offset: 0, expected: "true, false or null")),
    ("ture,", .unexpected(byte: UInt8(ascii: "t"), offset: 0, expected: "true, false or null")),
    ("fals]", .unexpected(byte: UInt8(ascii: "f"), offset: 0, expected: "true, false or null")),
    ("True", .unexpected(byte: UInt8(ascii: "T"), offset: 0, expected: "true, false or null")),
    ("1", .unexpected(byte: UInt8(ascii: "1"), offset: 0, expected: "true, false or null")),
    // Fewer bytes than the word but already wrong: an error, not a truncation.
    ("tx]", .unexpected(byte: UInt8(ascii: "t"), offset: 0, expected: "true, false or null")),
    ("f]", .unexpected(byte: UInt8(ascii: "f"), offset: 0, expected: "true, false or null")),
    (" nX", .unexpected(byte: UInt8(ascii: "n"), offset: 1, expected: "true, false or null")),
    ("t", .truncated),
    ("tru", .truncated),
    ("fals", .truncated),
    ("nu", .truncated),
    ("  ", .truncated),
  ])
  func refusesLiteral(json: String, error: JSONScanError) {
    #expect(Self.failure(json) { (s: inout JSONScanner) throws(JSONScanError) in _ = try s.literal() } == error)
  }

  // MARK: Structure

  /// Arrays of strings, with and without whitespace.
  @Test(arguments: [
    (#"[]"#, [String]()),
    (#"[ ]"#, []),
    (#"["UP"]"#, ["UP"]),
    (#"["BROADCAST","MULTICAST","UP","LOWER_UP"]"#, ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]),
    (#" [ "a" , "b\u00e9" ] "#, ["a", "bé"]),
  ])
  func readsStringArray(json: String, expected: [String]) throws {
    let (value, _) = try Self.read(json) { (s: inout JSONScanner) throws(JSONScanError) in try s.stringArray() }
    #expect(value == expected)
  }

  /// Malformed string arrays.
  @Test(arguments: [
    (#""UP""#, JSONScanError.unexpected(byte: UInt8(ascii: "\""), offset: 0, expected: "an array")),
    (#"["a",1]"#, .unexpected(byte: UInt8(ascii: "1"), offset: 5, expected: "a string")),
    (#"["a" "b"]"#, .unexpected(byte: UInt8(ascii: "\""), offset: 5, expected: "',' or ']'")),
    (#"["a",]"#, .unexpected(byte: UInt8(ascii: "]"), offset: 5, expected: "a string")),
    (#"[,"a"]"#, .unexpected(byte: UInt8(ascii: ","), offset: 1, expected: "a string")),
    (#"["a""#, .truncated),
  ])
  func refusesStringArray(json: String, error: JSONScanError) {
    #expect(Self.failure(json) { (s: inout JSONScanner) throws(JSONScanError) in _ = try s.stringArray() } == error)
  }

  /// Keys come back as byte ranges that `key(_:is:)` compares exactly.
  @Test func keys() throws {
    let json = #"{"dst":1, "dstlen" :2,"":3}"#
    let (names, position) = try Self.read(json) { (s: inout JSONScanner) throws(JSONScanError) in
      try s.expect(UInt8(ascii: "{"), "an object")
      var first = true
      var names: [String] = []
      while let key = try s.nextKey(first: &first) {
        if s.key(key, is: "dst") {
          #expect(!s.key(key, is: "ds") && !s.key(key, is: "dstx") && !s.key(key, is: "DST") && !s.key(key, is: "dsT"))
          #expect(key == 2..<5)
          names.append("dst")
        } else if s.key(key, is: "dstlen") {
          names.append("dstlen")
        } else if s.key(key, is: "") {
          names.append("(empty)")
        }
        try s.skipValue()
      }
      return names
    }
    #expect(names == ["dst", "dstlen", "(empty)"])
    #expect(position == 27)
  }

  /// `atEnd`, `peek` and `expect` skip whitespace; `expect` reports what it found.
  @Test func whitespaceAndExpect() throws {
    #expect(try Self.read(" \n\t\r") { (s: inout JSONScanner) throws(JSONScanError) in s.atEnd() }.value)
    let (notAtEnd, position) = try Self.read("  [") { (s: inout JSONScanner) throws(JSONScanError) in s.atEnd() }
    #expect(!notAtEnd && position == 2)
    let peeked = try Self.read(" \n{") { (s: inout JSONScanner) throws(JSONScanError) in try s.peek() }
    #expect(peeked.value == UInt8(ascii: "{") && peeked.position == 2)
    #expect(Self.failure("   ") { (s: inout JSONScanner) throws(JSONScanError) in _ = try s.peek() } == .truncated)
    #expect(
      Self.failure(" x") { (s: inout JSONScanner) throws(JSONScanError) in try s.expect(UInt8(ascii: "["), "'['") }
        == .unexpected(byte: UInt8(ascii: "x"), offset: 1, expected: "'['"))
    // Only JSON's four whitespace bytes are skipped.
    #expect(
      Self.failure("\u{0B}[") { (s: inout JSONScanner) throws(JSONScanError) in try s.expect(UInt8(ascii: "["), "'['") }
        == .unexpected(byte: 0x0B, offset: 0, expected: "'['"))
  }

  /// A scanner can start in the middle of the bytes.
  @Test func startsAtPosition() {
    let bytes = Array(#"xx"data""#.utf8)
    bytes.withUnsafeBytes { buffer in
      var scanner = JSONScanner(buffer, position: 2)
      #expect((try? scanner.string()) == "data")
      #expect(scanner.position == 8)
      let atEnd = scanner.atEnd()
      #expect(atEnd)
    }
  }

  // MARK: Skipping

  /// `skipValue` passes over any value, nested or not, and stops right after it.
  @Test(arguments: [
    #""plain""#,
    #""esc\"aped \\ \u00e9 ]}""#,
    "0",
    "-12.5e+3",
    "1E-7",
    "true",
    "false",
    "null",
    "[]",
    "{}",
    "[1,[2,[3,[4]]],{}]",
    #"{"a":[1,2,{"b":null,"c":"x\"]}"}],"d":{},"e":-1.5e+3,"f":[true,false]}"#,
    #" { "metrics" : [ { "mtu" : 1400 } ] , "flags" : [ ] } "#,
  ])
  func skipsValue(json: String) throws {
    let (_, position) = try Self.read(json + #","next""#) { (s: inout JSONScanner) throws(JSONScanError) in
      try s.skipValue()
      try s.expect(UInt8(ascii: ","), "','")
      #expect(try s.string() == "next")
    }
    #expect(position == json.utf8.count + 7)
  }

  /// Malformed values and where `skipValue` reports them.
  @Test(
    arguments: [
      ("}", JSONScanError.unexpected(byte: UInt8(ascii: "}"), offset: 0, expected: "a value")),
      (#"{"a" 1}"#, .unexpected(byte: UInt8(ascii: "1"), offset: 5, expected: "':'")),
      (#"{"a":1 "b":2}"#, .unexpected(byte: UInt8(ascii: "\""), offset: 7, expected: "',' or '}'")),
      (#"{"a":1,}"#, .unexpected(byte: UInt8(ascii: "}"), offset: 7, expected: "a key")),
      (#"{1:2}"#, .unexpected(byte: UInt8(ascii: "1"), offset: 1, expected: "a key")),
      (#"{"a":}"#, .unexpected(byte: UInt8(ascii: "}"), offset: 5, expected: "a value")),
      // A skipped object's keys may hold escapes (a snapshot's, rewritten by JSONSerialization): skipped whole.
      (#"{"a\"b":1}"#, nil),
      ("[1 2]", .unexpected(byte: UInt8(ascii: "2"), offset: 3, expected: "',' or ']'")),
      ("[1,]", .unexpected(byte: UInt8(ascii: "]"), offset: 3, expected: "a value")),
      ("[,1]", .unexpected(byte: UInt8(ascii: ","), offset: 1, expected: "a value")),
      ("[tru,1]", .unexpected(byte: UInt8(ascii: "t"), offset: 1, expected: "true, false or null")),
      ("[nul]", .unexpected(byte: UInt8(ascii: "n"), offset: 1, expected: "true, false or null")),
      ("[tx]", .unexpected(byte: UInt8(ascii: "t"), offset: 1, expected: "true, false or null")),
      ("[f]", .unexpected(byte: UInt8(ascii: "f"), offset: 1, expected: "true, false or null")),
      ("[1]]", nil),
      ("[x]", .unexpected(byte: UInt8(ascii: "x"), offset: 1, expected: "a value")),
    ] as [(String, JSONScanError?)])
  func refusesSkipping(json: String, error: JSONScanError?) {
    #expect(Self.failure(json) { (s: inout JSONScanner) throws(JSONScanError) in try s.skipValue() } == error)
  }

  // MARK: Truncation

  /// What `readSample` decodes.
  struct Sample: Equatable {
    /// The escaped string.
    var text = ""
    /// The raw string.
    var raw = ""
    /// The number printed as a string.
    var quoted: UInt64 = 0
    /// The plain number.
    var number: UInt64 = 0
    /// The negative number.
    var signed: Int64 = 0
    /// The literals, in order.
    var literals: [Bool?] = []
    /// The string array.
    var flags: [String] = []
    /// The keys skipped.
    var skipped = 0
  }

  /// A document exercising every reader, with values at the start and end of objects and arrays.
  static let sample = #"""
    {"text":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n","raw":"192.0.2.0/24","quoted":"101","number":4294967295,
     "signed":-42,"t":true,"f":false,"z":null,"flags":["UP","LOWER_UP"],
     "skip":{"x":[1,{"y":"}]\""}],"w":-1.5e+3,"v":[true,null]},"empty":[],"last":7}
    """#

  /// The values in `sample`.
  static let sampleValues = Sample(
    text: "café 😀 \"q\" \\ / \n", raw: "192.0.2.0/24", quoted: 101, number: 4_294_967_295, signed: -42,
    literals: [true, false, nil], flags: ["UP", "LOWER_UP"], skipped: 3)

  /// Decodes `sample` with every reading method.
  static func readSample(_ s: inout JSONScanner) throws(JSONScanError) -> Sample {
    try s.expect(UInt8(ascii: "{"), "an object")
    var sample = Sample()
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "text") {
        sample.text = try s.string()
      } else if s.key(key, is: "raw") {
        sample.raw = try s.withRawString { String(decoding: $0, as: UTF8.self) }
      } else if s.key(key, is: "quoted") {
        sample.quoted = try s.unsigned(field: "quoted")
      } else if s.key(key, is: "number") {
        sample.number = try s.unsigned(field: "number")
      } else if s.key(key, is: "signed") {
        sample.signed = try s.integer(field: "signed")
      } else if s.key(key, is: "t") || s.key(key, is: "f") || s.key(key, is: "z") {
        sample.literals.append(try s.literal())
      } else if s.key(key, is: "flags") {
        sample.flags = try s.stringArray()
      } else {
        try s.skipValue()
        sample.skipped += 1
      }
    }
    return sample
  }

  /// The whole sample decodes to the expected values and consumes every byte.
  @Test func decodesSample() throws {
    let (sample, position) = try Self.read(Self.sample) { (s: inout JSONScanner) throws(JSONScanError) in
      try Self.readSample(&s)
    }
    #expect(sample == Self.sampleValues)
    #expect(position == Self.sample.utf8.count)
  }

  /// Cutting the sample at every byte makes every reader report truncation: never a wrong value, never a crash.
  @Test func truncatedAtEveryByte() {
    let bytes = Array(Self.sample.utf8)
    for length in 0..<bytes.count {
      let prefix = Array(bytes[0..<length])
      let decoded = Self.failure(prefix) { (s: inout JSONScanner) throws(JSONScanError) in _ = try Self.readSample(&s) }
      #expect(decoded == .truncated, "decoding \(length) bytes")
      let skipped = Self.failure(prefix) { (s: inout JSONScanner) throws(JSONScanError) in try s.skipValue() }
      #expect(skipped == .truncated, "skipping \(length) bytes")
    }
  }

  /// Cutting every string and number reader's input at every byte reports truncation too.
  @Test(arguments: [
    #""a\"b\\c\u00e9\ud83d\ude00\n""#,
    "18446744073709551615",
    "-9223372036854775808",
    "true", "false", "null",
    #"["UP","LOWER_UP"]"#,
  ])
  func truncatedReaders(json: String) {
    let bytes = Array(json.utf8)
    for length in 0..<bytes.count {
      let prefix = Array(bytes[0..<length])
      let error = Self.failure(prefix) { (s: inout JSONScanner) throws(JSONScanError) in
        switch bytes[0] {
        case UInt8(ascii: "\""): _ = try s.string()
        case UInt8(ascii: "-"): _ = try s.integer(field: "n")
        case UInt8(ascii: "["): _ = try s.stringArray()
        case UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try s.unsigned(field: "n")
        default: _ = try s.literal()
        }
      }
      #expect(error == .truncated, "\(length) bytes of \(json)")
    }
  }

  /// Replacing any byte of the sample with a structural or escape byte never crashes, and every error's offset
  /// points at the byte it names.
  @Test func mutationsNeverCrash() {
    let original = Array(Self.sample.utf8)
    let replacements = Array(#""\u0dD{}[],:9-tfn eE.+/"#.utf8) + [0x00, 0x80, 0xFF]
    var failures = 0
    for index in original.indices {
      for replacement in replacements where replacement != original[index] {
        var bytes = original
        bytes[index] = replacement
        let error = Self.failure(bytes) { (s: inout JSONScanner) throws(JSONScanError) in _ = try Self.readSample(&s) }
        switch error {
        case .unexpected(let byte, let offset, _)?:
          failures += 1
          #expect(offset >= 0 && offset < bytes.count && bytes[offset] == byte, "byte \(index) set to \(replacement)")
        case .wrongType(_, let offset, _)?:
          failures += 1
          #expect(offset >= 0 && offset <= bytes.count, "byte \(index) set to \(replacement)")
        case .nestedTooDeep(let offset)?:
          Issue.record("one byte cannot nest the sample 128 deep (offset \(offset))")
        case .truncated?, nil:
          break
        }
      }
    }
    // Most mutations must be caught, or the sample is not exercising the parser.
    #expect(failures > original.count * replacements.count / 2)
  }
}
