import Testing

@testable import PolrouteCore

/// Chunked decoding of concatenated top-level arrays by `JSONArrayStream`.
struct JSONArrayStreamTests {
  /// One decoded element and the array it came from.
  struct Element: Equatable, CustomStringConvertible {
    /// The index of the array in the stream.
    var document: Int
    /// The element in a compact canonical form.
    var value: String

    /// `document:value`, for failure messages.
    var description: String { "\(document):\(value)" }
  }

  /// Reads any JSON value into a compact canonical text, using every scanner reader.
  static func canonical(_ s: inout JSONScanner) throws(JSONScanError) -> String {
    switch try s.peek() {
    case UInt8(ascii: "\""):
      return "\"" + (try s.string()) + "\""
    case UInt8(ascii: "{"):
      try s.expect(UInt8(ascii: "{"), "an object")
      var members: [String] = []
      var first = true
      while let key = try s.nextKey(first: &first) {
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: s.bytes[key]), as: UTF8.self)
        members.append(name + "=" + (try canonical(&s)))
      }
      return "{" + members.joined(separator: ",") + "}"
    case UInt8(ascii: "["):
      try s.expect(UInt8(ascii: "["), "an array")
      var items: [String] = []
      var first = true
      while try s.nextElement(first: &first) { items.append(try canonical(&s)) }
      return "[" + items.joined(separator: ",") + "]"
    case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
      return (try s.literal()).map { $0 ? "true" : "false" } ?? "null"
    default:
      return String(try s.integer(field: "number"))
    }
  }

  /// Five arrays as `ip -j -batch -` prints them (the first split over two lines to fit here), two of them
  /// empty, with escapes, nesting and numbers that a chunk boundary can cut.
  static let input = Array(
    #"""
    [{"dst":"192.0.2.0/24","metric":100,"flags":["onlink"]},
    {"dst":"default","via":{"family":"inet6","host":"2001:db8::1"},"n":-42,"x":null,"t":true}]
    []
      [ ]
    [7,"caf\u00e9","\ud83d\ude00 \"q\"",false,[],{},123456789]
    [{"deep":[[[1]],{"k":[2,3]}]}]

    """#.utf8)

  /// What `input` decodes to.
  static let expected: [Element] = [
    Element(document: 0, value: #"{dst="192.0.2.0/24",metric=100,flags=["onlink"]}"#),
    Element(document: 0, value: #"{dst="default",via={family="inet6",host="2001:db8::1"},n=-42,x=null,t=true}"#),
    Element(document: 3, value: "7"),
    Element(document: 3, value: #""café""#),
    Element(document: 3, value: #""😀 "q"""#),
    Element(document: 3, value: "false"),
    Element(document: 3, value: "[]"),
    Element(document: 3, value: "{}"),
    Element(document: 3, value: "123456789"),
    Element(document: 4, value: #"{deep=[[[1]],{k=[2,3]}]}"#),
  ]

  /// Feeds `chunks` in order and returns the elements decoded and the stream.
  static func feed(_ chunks: [ArraySlice<UInt8>]) throws -> (elements: [Element], stream: JSONArrayStream) {
    var stream = JSONArrayStream()
    var elements: [Element] = []
    for chunk in chunks {
      try chunk.withUnsafeBytes { bytes in
        try stream.feed(bytes) { document, scanner in
          // Appending only after the whole element decoded is what the stream asks of its callers.
          let value = try canonical(&scanner)
          elements.append(Element(document: document, value: value))
        }
      }
    }
    return (elements, stream)
  }

  /// `input` cut at the given offsets.
  static func chunks(_ bytes: [UInt8], cuts: [Int]) -> [ArraySlice<UInt8>] {
    var result: [ArraySlice<UInt8>] = []
    var start = 0
    for cut in cuts + [bytes.count] {
      result.append(bytes[start..<cut])
      start = cut
    }
    return result
  }

  /// Fed in one chunk, the input decodes to the expected elements and documents.
  @Test func oneChunk() throws {
    let (elements, stream) = try Self.feed([Self.input[...]])
    #expect(elements == Self.expected)
    #expect(stream.documentIndex == 4)
    #expect(stream.elementCount == 10)
    try stream.finish()
  }

  /// Cut into two chunks at every offset, including empty first and last chunks, the result is the same.
  @Test func everyTwoChunkSplit() throws {
    for cut in 0...Self.input.count {
      let (elements, stream) = try Self.feed(Self.chunks(Self.input, cuts: [cut]))
      #expect(elements == Self.expected, "cut at \(cut)")
      #expect(stream.documentIndex == 4 && stream.elementCount == 10, "cut at \(cut)")
      #expect(throws: Never.self, "cut at \(cut)") { try stream.finish() }
    }
  }

  /// Cut into three chunks at every pair of offsets, the result is the same.
  @Test func everyThreeChunkSplit() throws {
    let count = Self.input.count
    for first in 0...count {
      for second in first...count {
        let (elements, stream) = try Self.feed(Self.chunks(Self.input, cuts: [first, second]))
        #expect(elements == Self.expected, "cuts at \(first) and \(second)")
        #expect(stream.documentIndex == 4 && stream.elementCount == 10, "cuts at \(first) and \(second)")
      }
    }
  }

  /// Fed one byte at a time, the result is the same.
  @Test func oneByteChunks() throws {
    let (elements, stream) = try Self.feed(Self.input.indices.map { Self.input[$0...$0] })
    #expect(elements == Self.expected)
    #expect(stream.documentIndex == 4 && stream.elementCount == 10)
    try stream.finish()
  }

  /// Fed in random chunk sizes, the result is the same.
  @Test func randomChunks() throws {
    var generator = SeededGenerator(seed: 7)
    for round in 0..<300 {
      var cuts: [Int] = []
      var offset = 0
      while true {
        offset += Int.random(in: 0...40, using: &generator)
        guard offset < Self.input.count else { break }
        cuts.append(offset)
      }
      let (elements, stream) = try Self.feed(Self.chunks(Self.input, cuts: cuts))
      #expect(elements == Self.expected, "round \(round), cuts \(cuts)")
      #expect(stream.documentIndex == 4 && stream.elementCount == 10, "round \(round)")
    }
  }

  /// The offsets after which the input is between documents, and how many documents had begun there.
  static func boundaries(_ bytes: [UInt8]) -> [Int: Int] {
    var result: [Int: Int] = [0: 0]
    var depth = 0
    var inString = false
    var escaped = false
    var documents = 0
    for (index, byte) in bytes.enumerated() {
      if inString {
        if escaped {
          escaped = false
        } else if byte == UInt8(ascii: "\\") {
          escaped = true
        } else if byte == UInt8(ascii: "\"") {
          inString = false
        }
        continue
      }
      switch byte {
      case UInt8(ascii: "\""): inString = true
      case UInt8(ascii: "["), UInt8(ascii: "{"):
        if depth == 0 { documents += 1 }
        depth += 1
      case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
      default: break
      }
      let whitespace = byte == 0x20 || byte == 0x0A
      if depth == 0 && (byte == UInt8(ascii: "]") || (whitespace && result[index] != nil)) {
        result[index + 1] = documents
      }
    }
    return result
  }

  /// A stream that stops between documents finishes cleanly; one that stops anywhere inside a document,
  /// including inside an element, reports truncation.
  @Test func finishAfterEveryPrefix() throws {
    let boundaries = Self.boundaries(Self.input)
    // Sanity: the start, after each of the five arrays and the whitespace after them.
    #expect(boundaries.values.max() == 5 && boundaries[Self.input.count] == 5)
    for length in 0...Self.input.count {
      let (elements, stream) = try Self.feed([Self.input[0..<length]])
      #expect(elements == Array(Self.expected.prefix(elements.count)), "\(length) bytes")
      if let documents = boundaries[length] {
        #expect(throws: Never.self, "\(length) bytes") { try stream.finish() }
        #expect(stream.documentIndex == documents - 1, "\(length) bytes")
      } else {
        #expect(throws: JSONScanError.truncated, "\(length) bytes") { try stream.finish() }
      }
    }
  }

  /// An empty stream and a stream of whitespace finish cleanly with no documents.
  @Test func emptyStream() throws {
    let (elements, stream) = try Self.feed([[], Array(" \n\t\r\n".utf8)[...]])
    #expect(elements.isEmpty)
    #expect(stream.documentIndex == -1 && stream.elementCount == 0)
    try stream.finish()
  }

  /// Malformed input fails the feed with the byte and offset, at whichever chunk completes it.
  @Test(arguments: [
    ("[1]x[2]", JSONScanError.unexpected(byte: UInt8(ascii: "x"), offset: 3, expected: "'['")),
    ("{}", .unexpected(byte: UInt8(ascii: "{"), offset: 0, expected: "'['")),
    ("[1 2]", .unexpected(byte: UInt8(ascii: "2"), offset: 3, expected: "',' or ']'")),
    ("[1,]", .wrongType(field: "number", offset: 3, expected: "a non-negative integer")),
    (#"[{"a":1,}]"#, .unexpected(byte: UInt8(ascii: "}"), offset: 8, expected: "a key")),
    ("[tx]", .unexpected(byte: UInt8(ascii: "t"), offset: 1, expected: "true, false or null")),
  ])
  func refusesMalformed(text: String, error: JSONScanError) throws {
    let bytes = Array(text.utf8)
    for cut in 0...bytes.count {
      var thrown: (any Error)?
      do {
        _ = try Self.feed(Self.chunks(bytes, cuts: [cut]))
      } catch {
        thrown = error
      }
      #expect(thrown as? JSONScanError == error, "cut at \(cut)")
    }
  }

  /// An error from the element decoder that is not a truncation stops the feed as it is.
  @Test func elementErrorsPropagate() {
    let bytes = Array(#"[{"dst":"192.0.2.0/24"},{"dst":"nonsense"}]"#.utf8)
    var stream = JSONArrayStream()
    var seen: [String] = []
    #expect(throws: IPOutputError.invalidValue(command: "test", field: "dst", value: "nonsense")) {
      try bytes.withUnsafeBytes { buffer in
        try stream.feed(buffer) { _, scanner in
          try scanner.expect(UInt8(ascii: "{"), "an object")
          var first = true
          while try scanner.nextKey(first: &first) != nil {
            let text = try scanner.string()
            guard IPPrefix(text) != nil else {
              throw IPOutputError.invalidValue(command: "test", field: "dst", value: text)
            }
            seen.append(text)
          }
        }
      }
    }
    #expect(seen == ["192.0.2.0/24"])
    #expect(stream.elementCount == 1)
  }

  /// Routes decoded by `IPOutputDecoder` inside the stream: its wrapped truncation (`IPOutputError.json`) also
  /// means "wait for more bytes".
  @Test func decodesRoutesAcrossChunks() throws {
    let bytes = Array(
      #"""
      [{"dst":"default","gateway":"198.51.100.1","dev":"mgmt","protocol":"static","metric":100,"flags":["onlink"]},
      {"dst":"192.0.2.0/24","dev":"data","protocol":"kernel","scope":"link","prefsrc":"192.0.2.10","flags":[]}]
      [{"dst":"203.0.113.0/24","nexthops":[{"gateway":"198.51.100.1","dev":"mgmt","weight":1,"flags":[]}]}]
      """#.utf8)
    let decoder = IPOutputDecoder()
    let expected = [
      Route(
        table: 101, destination: .defaultRoute(.inet), gateway: IPAddress("198.51.100.1"), device: "mgmt",
        protocolNumber: RouteProtocol.staticRoute, metric: 100, flags: ["onlink"]),
      Route(
        table: 101, destination: IPPrefix("192.0.2.0/24")!, device: "data", protocolNumber: RouteProtocol.kernel,
        scope: RouteScope.link, preferredSource: IPAddress("192.0.2.10")),
      Route(
        table: 102, destination: IPPrefix("203.0.113.0/24")!,
        nexthops: [Nexthop(gateway: IPAddress("198.51.100.1"), device: "mgmt")]),
    ]
    for cut in 0...bytes.count {
      var stream = JSONArrayStream()
      var routes: [Route] = []
      for chunk in Self.chunks(bytes, cuts: [cut]) {
        try chunk.withUnsafeBytes { buffer in
          try stream.feed(buffer) { document, scanner in
            let table: UInt32 = document == 0 ? 101 : 102
            routes.append(try decoder.route(&scanner, family: .inet, defaultTable: table, command: "ip -j route"))
          }
        }
      }
      try stream.finish()
      #expect(routes == expected, "cut at \(cut)")
    }
  }

  /// More than 64 KiB in small chunks: the consumed bytes are dropped along the way and nothing is lost.
  @Test func longStream() throws {
    var text = "["
    for index in 0..<4000 {
      if index > 0 { text += "," }
      text += #"{"dst":"198.51.100.\#(index % 256)","metric":\#(index)}"#
    }
    text += "]\n[]\n"
    let bytes = Array(text.utf8)
    #expect(bytes.count > 2 << 16)
    let cuts = Array(stride(from: 1000, to: bytes.count, by: 1000))
    let (elements, stream) = try Self.feed(Self.chunks(bytes, cuts: cuts))
    #expect(elements.count == 4000)
    #expect(elements.last == Element(document: 0, value: #"{dst="198.51.100.159",metric=3999}"#))
    #expect(elements.enumerated().allSatisfy { $0.element.value.hasSuffix("metric=\($0.offset)}") })
    #expect(stream.documentIndex == 1 && stream.elementCount == 4000)
    try stream.finish()
  }

  /// A long run of routes for the offset tests: `count` elements, each about 40 bytes.
  static func longDocument(_ count: Int) -> String {
    "[" + (0..<count).map { #"{"dst":"198.51.100.\#($0 % 256)","metric":\#($0)}"# }.joined(separator: ",") + "]\n"
  }

  /// Errors after the consumed bytes were dropped still give offsets from the start of the stream, as the
  /// `ip` output error messages print them; the table's offsets count from the start of the tail.
  @Test(arguments: [
    ("x", JSONScanError.unexpected(byte: UInt8(ascii: "x"), offset: 0, expected: "'['")),
    ("[1 2]", .unexpected(byte: UInt8(ascii: "2"), offset: 3, expected: "',' or ']'")),
    (#"[{"a":"\q"}]"#, .unexpected(byte: UInt8(ascii: "q"), offset: 8, expected: "an escape character")),
    ("[7,x]", .wrongType(field: "number", offset: 3, expected: "a non-negative integer")),
  ])
  func offsetsAfterDroppingBytes(tail: String, error: JSONScanError) throws {
    let head = Array(Self.longDocument(4000).utf8)
    let bytes = head + Array(tail.utf8)
    var thrown: (any Error)?
    do {
      _ = try Self.feed(Self.chunks(bytes, cuts: Array(stride(from: 1000, to: bytes.count, by: 1000))))
    } catch {
      thrown = error
    }
    switch error {
    case .unexpected(let byte, let offset, let expected):
      #expect(bytes[head.count + offset] == byte)
      #expect(thrown as? JSONScanError == .unexpected(byte: byte, offset: head.count + offset, expected: expected))
    case .wrongType(let field, let offset, let expected):
      #expect(thrown as? JSONScanError == .wrongType(field: field, offset: head.count + offset, expected: expected))
    case .nestedTooDeep(let offset):
      #expect(thrown as? JSONScanError == .nestedTooDeep(offset: head.count + offset))
    case .truncated:
      Issue.record("a truncation is not an error until finish()")
    }
  }

  /// The decoder's wrapped errors get stream offsets too.
  @Test func decoderOffsetsAfterDroppingBytes() throws {
    let head = Array(Self.longDocument(4000).utf8)
    let bytes = head + Array(#"[{"dst":"192.0.2.0/24","metric":1 2}]"#.utf8)
    var stream = JSONArrayStream()
    let decoder = IPOutputDecoder()
    var thrown: (any Error)?
    do {
      for chunk in Self.chunks(bytes, cuts: Array(stride(from: 1000, to: bytes.count, by: 1000))) {
        try chunk.withUnsafeBytes { buffer in
          try stream.feed(buffer) { _, scanner in
            _ = try decoder.route(&scanner, family: .inet, defaultTable: RoutingTable.main, command: "ip -j route")
          }
        }
      }
    } catch {
      thrown = error
    }
    let offset = head.count + 34
    #expect(bytes[offset] == UInt8(ascii: "2"))
    let expected = JSONScanError.unexpected(byte: UInt8(ascii: "2"), offset: offset, expected: "',' or '}'")
    #expect(thrown as? IPOutputError == .json(command: "ip -j route", error: expected))
  }
}
