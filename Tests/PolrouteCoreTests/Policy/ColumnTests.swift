import Testing

@testable import PolrouteCore

/// Columns in characters, on lines with non-ASCII bytes: the lexer and the JSON policy's positions give what decoding
/// the line up to each word gives (the definition), now without decoding the line once per word.
struct ColumnTests {
  /// Pieces of words: ASCII, two-, three- and four-byte characters, a combining accent, a flag (two scalars, one
  /// character), a family emoji joined by ZWJ, and bytes that are not UTF-8 at all.
  static let pieces: [[UInt8]] = [
    Array("a".utf8), Array("eth0".utf8), Array("é".utf8), Array("中".utf8), Array("😀".utf8), Array("e\u{301}".utf8),
    Array("🇫🇷".utf8), Array("👨‍👩‍👧".utf8), [0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98],
  ]

  /// A random line of words separated by spaces and tabs, with each word's byte offset.
  static func randomLine(_ generator: inout SeededGenerator, words: Int) -> (bytes: [UInt8], starts: [Int]) {
    var bytes: [UInt8] = []
    var starts: [Int] = []
    for index in 0..<words {
      if index > 0 || Bool.random(using: &generator) {
        for _ in 0..<Int.random(in: 1...2, using: &generator) {
          bytes.append(Bool.random(using: &generator) ? UInt8(ascii: " ") : UInt8(ascii: "\t"))
        }
      }
      starts.append(bytes.count)
      for _ in 0..<Int.random(in: 1...4, using: &generator) {
        bytes += pieces.randomElement(using: &generator)!
      }
    }
    return (bytes, starts)
  }

  /// The definition: one more than the characters before the offset.
  static func naiveColumn(_ bytes: [UInt8], _ offset: Int) -> Int {
    String(decoding: bytes[0..<offset], as: UTF8.self).count + 1
  }

  @Test func lexerColumnsMatchTheDefinitionOnRandomLines() {
    var generator = SeededGenerator(seed: 16)
    for _ in 0..<300 {
      let line = Self.randomLine(&generator, words: Int.random(in: 1...12, using: &generator))
      // A first line of ASCII, so the line under test is not the first.
      let text = Array("auto\n".utf8) + line.bytes + Array("\nauto".utf8)
      let lexed = text.withUnsafeBufferPointer { PolicyLexer.statements(bytes: $0, file: "p.conf") }
      let expected = line.starts.map { "2:\(Self.naiveColumn(line.bytes, $0))" }
      let got = lexed.statements.dropFirst().first?.map { "\($0.location.line):\($0.location.column)" }
      #expect(got == expected, "line \(line.bytes)")
    }
  }

  @Test func jsonColumnsMatchTheDefinitionOnRandomLines() {
    var generator = SeededGenerator(seed: 17)
    for _ in 0..<300 {
      let line = Self.randomLine(&generator, words: Int.random(in: 1...12, using: &generator))
      let text = Array("{\n".utf8) + line.bytes
      let index = LineIndex(text)
      for start in line.starts {
        let location = index.location(of: 2 + start, file: "p.json")
        #expect(location.line == 2 && location.column == Self.naiveColumn(line.bytes, start), "line \(line.bytes)")
      }
      #expect(index.location(of: text.count, file: "p.json").column == Self.naiveColumn(line.bytes, line.bytes.count))
    }
  }

  @Test func manyWordsOnOneNonASCIILineKeepTheirColumns() {
    // 100,000 words after an `é`: this took minutes when each word's column decoded the line up to it.
    let words = 100_000
    let text = "exclude é " + (0..<words).map { "w\($0)" }.joined(separator: " ")
    let lexed = PolicyLexer.statements(text, file: "p.conf")
    let tokens = lexed.statements.first ?? []
    #expect(tokens.count == words + 2)
    #expect(tokens.last?.location.column == text.count - "w\(words - 1)".count + 1)
    #expect(tokens[2].location.column == 11)
  }

  @Test func minifiedJSONPolicyOnOneNonASCIILineKeepsItsColumns() {
    // A JSON policy as provisioning tools write it: one line. Each position decoded the line up to it.
    let rules = (0..<20_000).map { #"{"to":"198.51.100.0/24","iif":"é\#($0)","lookup":"main"}"# }
    let text = #"{"rules":["# + rules.joined(separator: ",") + #",{"to":"198.51.100.1/24","lookup":"main"}]}"#
    let parsed = PolicyJSON.parse(Array(text.utf8), file: "p.json")
    let bad = text.range(of: #""198.51.100.1/24""#)!
    let column = text.distance(from: text.startIndex, to: bad.lowerBound) + 1
    #expect(
      parsed.diagnostics.prefix(3).map(\.description) == [
        "p.json:1:\(column): error: host bits set in 198.51.100.1/24 (did you mean 198.51.100.0/24?)"
      ])
  }
}
