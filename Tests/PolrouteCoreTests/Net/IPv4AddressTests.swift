import Testing

@testable import PolrouteCore

/// Parsing, printing, ordering and masks of `IPv4Address`.
struct IPv4AddressTests {
  /// The error `init(parsing:)` throws for `text`, or nil when it parses.
  func parseError(_ text: String) -> AddressError? {
    do {
      _ = try IPv4Address(parsing: text)
      return nil
    } catch {
      return error
    }
  }

  /// Valid dotted quads and the numbers they stand for.
  static let valid: [(String, UInt32)] = [
    ("0.0.0.0", 0),
    ("192.0.2.1", 0xC000_0201),
    ("192.0.2.0", 0xC000_0200),
    ("192.0.2.255", 0xC000_02FF),
    ("198.51.100.7", 0xC633_6407),
    ("203.0.113.10", 0xCB00_710A),
    ("100.64.0.1", 0x6440_0001),
    ("127.0.0.1", 0x7F00_0001),
    ("169.254.1.2", 0xA9FE_0102),
    ("224.0.0.251", 0xE000_00FB),
    ("255.255.255.255", 0xFFFF_FFFF),
    ("192.0.2.10", 0xC000_020A),
    ("203.0.113.100", 0xCB00_7164),
  ]

  /// Valid text parses to the expected number, both initialisers agree, and printing gives the text back.
  @Test(arguments: valid)
  func parsesAndPrints(text: String, value: UInt32) throws {
    let address = try IPv4Address(parsing: text)
    #expect(address.value == value)
    #expect(IPv4Address(text) == address)
    #expect(address.description == text)
    #expect(IPv4Address(value).description == text)
    #expect(IPv4Address.parse(utf8: Array(text.utf8)) == value)
  }

  /// A substring parses like the string it equals.
  @Test func parsesSubstring() throws {
    let text = "via 198.51.100.1 dev data"
    let words = text.split(separator: " ")
    #expect(try IPv4Address(parsing: words[1]) == IPv4Address(0xC633_6401))
    #expect(IPv4Address(words[1])?.description == "198.51.100.1")
  }

  /// Malformed text and the exact message the user sees.
  static let invalid: [(String, String)] = [
    ("", "empty IPv4 address"),
    ("192.0.2", "invalid IPv4 address '192.0.2': expected 4 octets, found 3"),
    ("192.0.2.1.5", "invalid IPv4 address '192.0.2.1.5': expected 4 octets, found 5"),
    ("192", "invalid IPv4 address '192': expected 4 octets, found 1"),
    (".", "invalid IPv4 address '.': expected 4 octets, found 2"),
    ("192.0.2.1.", "invalid IPv4 address '192.0.2.1.': expected 4 octets, found 5"),
    ("192.0.2.", "invalid IPv4 address '192.0.2.': empty octet"),
    (".192.0.2", "invalid IPv4 address '.192.0.2': empty octet"),
    ("192..2.1", "invalid IPv4 address '192..2.1': empty octet"),
    ("...", "invalid IPv4 address '...': empty octet"),
    ("192.0.2.256", "invalid IPv4 address '192.0.2.256': octet 256 is out of range 0-255"),
    ("256.0.2.1", "invalid IPv4 address '256.0.2.1': octet 256 is out of range 0-255"),
    ("192.0.2.999", "invalid IPv4 address '192.0.2.999': octet 999 is out of range 0-255"),
    ("192.0.2.1000", "invalid IPv4 address '192.0.2.1000': octet 1000 is out of range 0-255"),
    ("192.0.02.1", "invalid IPv4 address '192.0.02.1': leading zero in octet '02'"),
    ("01.2.3.4", "invalid IPv4 address '01.2.3.4': leading zero in octet '01'"),
    ("192.0.2.00", "invalid IPv4 address '192.0.2.00': leading zero in octet '00'"),
    ("192.0.2.010", "invalid IPv4 address '192.0.2.010': leading zero in octet '010'"),
    ("0192.0.2.1", "invalid IPv4 address '0192.0.2.1': leading zero in octet '0192'"),
    ("192.0.2.x", "invalid IPv4 address '192.0.2.x': unexpected character 'x'"),
    ("0x7f.0.0.1", "invalid IPv4 address '0x7f.0.0.1': unexpected character 'x'"),
    ("192.0.2.-1", "invalid IPv4 address '192.0.2.-1': unexpected character '-'"),
    ("192.0.2.+1", "invalid IPv4 address '192.0.2.+1': unexpected character '+'"),
    (" 192.0.2.1", "invalid IPv4 address ' 192.0.2.1': unexpected character ' '"),
    ("192.0.2.1 ", "invalid IPv4 address '192.0.2.1 ': unexpected character ' '"),
    ("192.0.2.1\t", "invalid IPv4 address '192.0.2.1\t': unexpected character '\t'"),
    ("192.0.2.1\n", "invalid IPv4 address '192.0.2.1\n': unexpected character '\n'"),
    ("192.0. 2.1", "invalid IPv4 address '192.0. 2.1': unexpected character ' '"),
    ("192.0.2.1/24", "invalid IPv4 address '192.0.2.1/24': unexpected character '/'"),
    ("192.0.2.1:80", "invalid IPv4 address '192.0.2.1:80': unexpected character ':'"),
    // Non-ASCII digits are digits to `Character.isNumber`, never to the parser.
    ("192.0.2.\u{0661}", "invalid IPv4 address '192.0.2.\u{0661}': unexpected character '\u{0661}'"),
    ("192.0.2.\u{FF11}", "invalid IPv4 address '192.0.2.\u{FF11}': unexpected character '\u{FF11}'"),
  ]

  /// Every strict error is refused with its exact message, and the non-throwing initialiser returns nil.
  @Test(arguments: invalid)
  func refuses(text: String, message: String) {
    #expect(parseError(text)?.description == message)
    #expect(IPv4Address(text) == nil)
    #expect(IPv4Address.parse(utf8: Array(text.utf8)) == nil)
  }

  /// The empty string is its own error case, not a malformed address.
  @Test func emptyIsItsOwnCase() {
    #expect(parseError("") == .empty(kind: "IPv4 address"))
    let expected = AddressError.malformed(kind: "IPv4 address", text: "192.0.2", reason: "expected 4 octets, found 3")
    #expect(parseError("192.0.2") == expected)
  }

  /// Octets come out most significant first.
  @Test func octets() {
    #expect(IPv4Address(0xC633_6407).octets == [198, 51, 100, 7])
    #expect(IPv4Address(0).octets == [0, 0, 0, 0])
    #expect(IPv4Address(0xFFFF_FFFF).octets == [255, 255, 255, 255])
  }

  /// Addresses sort numerically, not as text ("192.0.2.10" sorts after "192.0.2.9").
  @Test func ordersNumerically() throws {
    let texts = ["203.0.113.1", "192.0.2.10", "0.0.0.0", "198.51.100.255", "192.0.2.9", "100.64.0.1", "192.0.2.100"]
    let sorted = try texts.map { try IPv4Address(parsing: $0) }.sorted().map(\.description)
    #expect(
      sorted == ["0.0.0.0", "100.64.0.1", "192.0.2.9", "192.0.2.10", "192.0.2.100", "198.51.100.255", "203.0.113.1"])
    #expect(IPv4Address(1) < IPv4Address(2))
    #expect(!(IPv4Address(2) < IPv4Address(2)))
    #expect(IPv4Address(0xFFFF_FFFF) > IPv4Address(0x7FFF_FFFF))
  }

  /// Equal addresses hash equally.
  @Test func hashes() {
    let set: Set<IPv4Address> = [IPv4Address("192.0.2.1")!, IPv4Address(0xC000_0201), IPv4Address("192.0.2.2")!]
    #expect(set.count == 2)
  }

  /// Netmasks for the interesting lengths.
  @Test(arguments: [
    (0, UInt32(0)),
    (1, UInt32(0x8000_0000)),
    (8, UInt32(0xFF00_0000)),
    (24, UInt32(0xFFFF_FF00)),
    (31, UInt32(0xFFFF_FFFE)),
    (32, UInt32(0xFFFF_FFFF)),
  ])
  func mask(length: Int, mask: UInt32) {
    #expect(IPv4Address.mask(length: length) == mask)
  }

  /// Every length gives exactly that many leading one bits and nothing else.
  @Test func everyMaskIsContiguous() {
    for length in 0...32 {
      let mask = IPv4Address.mask(length: length)
      #expect(mask.nonzeroBitCount == length, "length \(length)")
      #expect(mask.leadingZeroBitCount == (length == 0 ? 32 : 0), "length \(length)")
      #expect((~mask).leadingZeroBitCount == length, "length \(length)")
    }
  }

  /// Every number prints as text that parses back to it.
  @Test func randomRoundTrip() throws {
    var generator = SeededGenerator(seed: 4)
    for _ in 0..<2000 {
      let value = UInt32.random(in: .min ... .max, using: &generator)
      let address = IPv4Address(value)
      #expect(try IPv4Address(parsing: address.description) == address)
    }
  }
}
