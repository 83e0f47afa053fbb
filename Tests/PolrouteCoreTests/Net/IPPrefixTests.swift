import Foundation
import Testing

@testable import PolrouteCore

/// Parsing, containment, route text, ordering and coding of `IPPrefix`.
struct IPPrefixTests {
  /// The error `init(parsing:)` throws for `text`, or nil when it parses.
  func parseError(_ text: String) -> AddressError? {
    do {
      _ = try IPPrefix(parsing: text)
      return nil
    } catch {
      return error
    }
  }

  /// A prefix that must parse.
  func prefix(_ text: String) throws -> IPPrefix {
    try IPPrefix(parsing: text)
  }

  /// An address that must parse.
  func address(_ text: String) throws -> IPAddress {
    try IPAddress(parsing: text)
  }

  /// Valid text, its network address, length and canonical `ADDR/LEN` text.
  static let valid: [(String, String, UInt8, String)] = [
    ("192.0.2.0/24", "192.0.2.0", 24, "192.0.2.0/24"),
    ("192.0.2.128/25", "192.0.2.128", 25, "192.0.2.128/25"),
    ("198.51.100.7/32", "198.51.100.7", 32, "198.51.100.7/32"),
    ("198.51.100.7", "198.51.100.7", 32, "198.51.100.7/32"),
    ("0.0.0.0/0", "0.0.0.0", 0, "0.0.0.0/0"),
    ("100.64.0.0/10", "100.64.0.0", 10, "100.64.0.0/10"),
    ("2001:db8::/32", "2001:db8::", 32, "2001:db8::/32"),
    ("2001:0DB8:0:0::/48", "2001:db8::", 48, "2001:db8::/48"),
    ("2001:db8::1/128", "2001:db8::1", 128, "2001:db8::1/128"),
    ("2001:db8::1", "2001:db8::1", 128, "2001:db8::1/128"),
    ("2001:db8:0:1::/64", "2001:db8:0:1::", 64, "2001:db8:0:1::/64"),
    ("2001:db8::8000:0:0:0/65", "2001:db8:0:0:8000::", 65, "2001:db8:0:0:8000::/65"),
    ("::/0", "::", 0, "::/0"),
    ("fe80::/10", "fe80::", 10, "fe80::/10"),
  ]

  /// Valid text gives the expected address and length, and prints canonically.
  @Test(arguments: valid)
  func parses(text: String, network: String, length: UInt8, canonical: String) throws {
    let parsed = try prefix(text)
    #expect(parsed.address == (try address(network)))
    #expect(parsed.length == length)
    #expect(parsed.description == canonical)
    #expect(IPPrefix(text) == parsed)
    #expect(try prefix(canonical) == parsed)
  }

  /// Invalid text and the exact message the user sees.
  static let invalid: [(String, String)] = [
    ("", "empty prefix"),
    ("/24", "empty IP address"),
    ("192.0.2/24", "invalid IPv4 address '192.0.2': expected 4 octets, found 3"),
    ("192.0.02.0/24", "invalid IPv4 address '192.0.02.0': leading zero in octet '02'"),
    ("2001:db8:::/32", "invalid IPv6 address '2001:db8:::': empty group"),
    ("fe80::1%eth0/64", "invalid IPv6 address 'fe80::1%eth0': a zone index is not allowed here"),
    ("192.0.2.0/33", "invalid prefix '192.0.2.0/33': prefix length must be 0 to 32"),
    ("192.0.2.0/99", "invalid prefix '192.0.2.0/99': prefix length must be 0 to 32"),
    ("192.0.2.0/128", "invalid prefix '192.0.2.0/128': prefix length must be 0 to 32"),
    ("192.0.2.0/1000", "invalid prefix '192.0.2.0/1000': prefix length must be 0 to 32"),
    (
      "192.0.2.0/99999999999999999999",
      "invalid prefix '192.0.2.0/99999999999999999999': prefix length must be 0 to 32"
    ),
    ("192.0.2.0/-1", "invalid prefix '192.0.2.0/-1': prefix length must be 0 to 32"),
    ("192.0.2.0/+24", "invalid prefix '192.0.2.0/+24': prefix length must be 0 to 32"),
    ("192.0.2.0/", "invalid prefix '192.0.2.0/': prefix length must be 0 to 32"),
    ("192.0.2.0/abc", "invalid prefix '192.0.2.0/abc': prefix length must be 0 to 32"),
    ("192.0.2.0/ 24", "invalid prefix '192.0.2.0/ 24': prefix length must be 0 to 32"),
    ("192.0.2.0/24 ", "invalid prefix '192.0.2.0/24 ': prefix length must be 0 to 32"),
    ("192.0.2.0/2\u{0664}", "invalid prefix '192.0.2.0/2\u{0664}': prefix length must be 0 to 32"),
    ("192.0.2.0/24/8", "invalid prefix '192.0.2.0/24/8': prefix length must be 0 to 32"),
    ("192.0.2.0/255.255.255.0", "invalid prefix '192.0.2.0/255.255.255.0': prefix length must be 0 to 32"),
    ("2001:db8::/129", "invalid prefix '2001:db8::/129': prefix length must be 0 to 128"),
    ("2001:db8::/-1", "invalid prefix '2001:db8::/-1': prefix length must be 0 to 128"),
    ("2001:db8::/", "invalid prefix '2001:db8::/': prefix length must be 0 to 128"),
    ("192.0.2.1/24", "host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)"),
    ("198.51.100.255/25", "host bits set in 198.51.100.255/25 (did you mean 198.51.100.128/25?)"),
    ("203.0.113.1/0", "host bits set in 203.0.113.1/0 (did you mean 0.0.0.0/0?)"),
    ("100.127.0.0/10", "host bits set in 100.127.0.0/10 (did you mean 100.64.0.0/10?)"),
    ("2001:db8::1/32", "host bits set in 2001:db8::1/32 (did you mean 2001:db8::/32?)"),
    ("2001:DB8:0:0:1::/64", "host bits set in 2001:DB8:0:0:1::/64 (did you mean 2001:db8::/64?)"),
    ("2001:db8::1/127", "host bits set in 2001:db8::1/127 (did you mean 2001:db8::/127?)"),
  ]

  /// Every error is refused with its exact message, and the non-throwing initialiser returns nil.
  @Test(arguments: invalid)
  func refuses(text: String, message: String) {
    #expect(parseError(text)?.description == message)
    #expect(IPPrefix(text) == nil)
  }

  /// The host-bits error carries the masked prefix as its suggestion.
  @Test func hostBitsErrorCase() {
    #expect(parseError("192.0.2.1/24") == .hostBitsSet(text: "192.0.2.1/24", suggestion: "192.0.2.0/24"))
    #expect(parseError("192.0.2.0/33") == .prefixLengthOutOfRange(text: "192.0.2.0/33", maximum: 32))
  }

  /// `init(masking:)` clears host bits instead of refusing them.
  @Test(arguments: [
    ("192.0.2.77", 24, "192.0.2.0/24"),
    ("192.0.2.77", 32, "192.0.2.77/32"),
    ("192.0.2.77", 0, "0.0.0.0/0"),
    ("198.51.100.255", 31, "198.51.100.254/31"),
    ("2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:4:5:6", 65, "2001:db8:1:2:8000::/65"),
    ("2001:db8:1:2:3:4:5:6", 0, "::/0"),
    ("2001:db8:1:2:3:4:5:7", 127, "2001:db8:1:2:3:4:5:6/127"),
  ])
  func masks(text: String, length: Int, expected: String) throws {
    #expect(IPPrefix(masking: try address(text), length: length).description == expected)
  }

  /// Host prefixes and default routes, and the flags that describe them.
  @Test func hostAndDefault() throws {
    let host = IPPrefix(host: try address("192.0.2.5"))
    #expect(host.description == "192.0.2.5/32" && host.isHost && !host.isDefault)
    let host6 = IPPrefix(host: try address("2001:db8::5"))
    #expect(host6.description == "2001:db8::5/128" && host6.isHost && !host6.isDefault)
    let v4 = IPPrefix.defaultRoute(.inet)
    #expect(v4 == (try prefix("0.0.0.0/0")) && v4.isDefault && !v4.isHost && v4.family == .inet)
    let v6 = IPPrefix.defaultRoute(.inet6)
    #expect(v6 == (try prefix("::/0")) && v6.isDefault && !v6.isHost && v6.family == .inet6)
    let network = try prefix("192.0.2.0/24")
    #expect(!network.isHost && !network.isDefault)
    let network6 = try prefix("2001:db8::/32")
    #expect(!network6.isHost && !network6.isDefault)
  }

  /// The destination text iproute2 prints and accepts.
  @Test(arguments: [
    ("0.0.0.0/0", "default"),
    ("::/0", "default"),
    ("192.0.2.5/32", "192.0.2.5"),
    ("192.0.2.5", "192.0.2.5"),
    ("2001:db8::5/128", "2001:db8::5"),
    ("192.0.2.0/24", "192.0.2.0/24"),
    ("192.0.2.4/31", "192.0.2.4/31"),
    ("2001:db8::/32", "2001:db8::/32"),
    ("2001:db8::/127", "2001:db8::/127"),
  ])
  func routeText(text: String, expected: String) throws {
    #expect(try prefix(text).routeText == expected)
  }

  /// Which addresses a prefix contains, across families too.
  @Test(arguments: [
    ("192.0.2.0/24", "192.0.2.0", true),
    ("192.0.2.0/24", "192.0.2.255", true),
    ("192.0.2.0/24", "198.51.100.1", false),
    ("192.0.2.0/25", "192.0.2.128", false),
    ("192.0.2.128/25", "192.0.2.128", true),
    ("192.0.2.1/32", "192.0.2.1", true),
    ("192.0.2.1/32", "192.0.2.2", false),
    ("0.0.0.0/0", "203.0.113.9", true),
    ("100.64.0.0/10", "100.127.255.255", true),
    ("100.64.0.0/10", "198.51.100.1", false),
    ("0.0.0.0/0", "2001:db8::1", false),
    ("0.0.0.0/0", "::ffff:192.0.2.1", false),
    ("::/0", "192.0.2.1", false),
    ("::/0", "2001:db8::1", true),
    ("::ffff:0:0/96", "192.0.2.1", false),
    ("::ffff:0:0/96", "::ffff:192.0.2.1", true),
    ("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true),
    ("2001:db8::/33", "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff", true),
    ("2001:db8::/33", "2001:db8:8000::", false),
    ("2001:db8::/64", "2001:db8::1:2:3:4", true),
    ("2001:db8::/65", "2001:db8::8000:0:0:0", false),
    ("2001:db8::1/128", "2001:db8::1", true),
    ("2001:db8::1/128", "2001:db8::", false),
  ])
  func containsAddress(prefixText: String, addressText: String, contained: Bool) throws {
    #expect(try prefix(prefixText).contains(try address(addressText)) == contained)
  }

  /// Which prefixes a prefix contains: only longer or equal ones inside it, of its own family.
  @Test(arguments: [
    ("192.0.2.0/24", "192.0.2.0/24", true),
    ("192.0.2.0/24", "192.0.2.128/25", true),
    ("192.0.2.0/24", "192.0.2.7/32", true),
    ("192.0.2.128/25", "192.0.2.0/24", false),
    ("192.0.2.0/25", "192.0.2.128/25", false),
    ("192.0.2.0/24", "198.51.100.0/24", false),
    ("0.0.0.0/0", "0.0.0.0/0", true),
    ("0.0.0.0/0", "203.0.113.0/24", true),
    ("0.0.0.0/0", "::/0", false),
    ("::/0", "0.0.0.0/0", false),
    ("::/0", "2001:db8::/32", true),
    ("2001:db8::/32", "2001:db8:1::/48", true),
    ("2001:db8:1::/48", "2001:db8::/32", false),
    ("2001:db8::/32", "::/0", false),
    ("2001:db8::/64", "2001:db8:0:1::/64", false),
  ])
  func containsPrefix(outer: String, inner: String, contained: Bool) throws {
    #expect(try prefix(outer).contains(try prefix(inner)) == contained)
  }

  /// IPv4 first, then by address, then shorter first.
  @Test func orders() throws {
    let texts = [
      "2001:db8::/48", "198.51.100.0/24", "192.0.2.128/25", "::/0", "192.0.2.0/25", "2001:db8::/32",
      "192.0.2.0/24", "0.0.0.0/0", "192.0.2.1/32",
    ]
    let sorted = try texts.map { try prefix($0) }.sorted().map(\.description)
    #expect(
      sorted == [
        "0.0.0.0/0", "192.0.2.0/24", "192.0.2.0/25", "192.0.2.1/32", "192.0.2.128/25", "198.51.100.0/24", "::/0",
        "2001:db8::/32", "2001:db8::/48",
      ])
  }

  /// Prefixes encode as `ADDR/LEN` text (host prefixes too) and decode back.
  @Test func codesAsText() throws {
    let prefixes = try ["192.0.2.0/24", "198.51.100.7", "::/0", "2001:db8::/32"].map { try prefix($0) }
    let data = try JSONEncoder().encode(prefixes)
    #expect(String(decoding: data, as: UTF8.self) == #"["192.0.2.0\/24","198.51.100.7\/32","::\/0","2001:db8::\/32"]"#)
    #expect(try JSONDecoder().decode([IPPrefix].self, from: data) == prefixes)
  }

  /// Decoding refuses host bits with the parse message.
  @Test func decodingHostBitsFails() {
    do {
      _ = try JSONDecoder().decode([IPPrefix].self, from: Data(#"["192.0.2.1/24"]"#.utf8))
      Issue.record("decoded a prefix with host bits")
    } catch DecodingError.dataCorrupted(let context) {
      #expect(context.debugDescription == "host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)")
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  /// Equal prefixes from different text hash equally.
  @Test func hashes() throws {
    let set: Set<IPPrefix> = [try prefix("2001:DB8::/32"), try prefix("2001:db8:0::/32"), try prefix("2001:db8::/33")]
    #expect(set.count == 2)
  }
}

@Suite("IPPrefix leading zeros")
struct IPPrefixLeadingZeroTests {
  @Test("a prefix length with a leading zero is refused: iproute2 would read 024 as octal, /20")
  func leadingZeroLength() {
    #expect(
      throws: AddressError.malformed(
        kind: "prefix", text: "192.0.2.0/024",
        reason: "the length 024 has a leading zero, which iproute2 reads as octal")
    ) {
      try IPPrefix(parsing: "192.0.2.0/024")
    }
    #expect(IPPrefix("0.0.0.0/0") != nil)
    #expect(IPPrefix("2001:db8::/064") == nil)
  }
}

@Suite("Hand-written hashing of families, prefixes and keys")
struct KeyHashingTests {
  @Test("equal prefixes, however written, land in one set entry; different ones, lengths or families stay apart")
  func prefixes() throws {
    let prefixes = [
      "192.0.2.0/24", "192.0.2.0/25", "192.0.2.0", "0.0.0.0/0", "::/0", "2001:db8::/32", "2001:db8::/33",
      "2001:db8::", "::ffff:192.0.2.0/120",
    ].map { IPPrefix($0)! }
    #expect(Set(prefixes).count == prefixes.count)
    let again = ["192.0.2.0/24", "2001:DB8:0::/32"].map { IPPrefix($0)! }
    #expect(Set(prefixes + again).count == prefixes.count)
    #expect(IPPrefix(masking: IPAddress("192.0.2.77")!, length: 24).hashValue == IPPrefix("192.0.2.0/24")!.hashValue)
  }

  @Test("families compare and hash by case; rule and route keys tell families, tables, metrics and sources apart")
  func keys() {
    #expect(AddressFamily.inet == .inet && AddressFamily.inet != .inet6)
    #expect(Set([AddressFamily.inet, .inet6, .inet]).count == 2)
    #expect(
      Set([
        RuleKey(family: .inet, priority: 1), RuleKey(family: .inet6, priority: 1), RuleKey(family: .inet, priority: 1),
      ]).count == 2)
    let destination = IPPrefix("2001:db8::/64")!
    let keys = [
      RouteKey(family: .inet6, table: 100, destination: destination, metric: 1024),
      RouteKey(family: .inet6, table: 101, destination: destination, metric: 1024),
      RouteKey(family: .inet6, table: 100, destination: destination, metric: 1),
      RouteKey(family: .inet6, table: 100, destination: destination, metric: 1024, source: IPPrefix("2001:db8:1::/48")),
    ]
    #expect(Set(keys + keys).count == keys.count)
  }
}
