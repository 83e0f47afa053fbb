import Testing

@testable import PolrouteCore

/// The site-file parser: every statement, and each error with its message and position.
struct SiteParserTests {
  /// The file name every site in these tests is parsed as.
  static let file = "s.conf"

  /// A position in `file`.
  static func at(_ line: Int, _ column: Int) -> PolrouteCore.SourceLocation {
    PolrouteCore.SourceLocation(file: file, line: line, column: column)
  }

  /// A value located in `file`.
  static func located<Value>(_ value: Value, _ line: Int, _ column: Int) -> Located<Value> {
    Located(value, at: at(line, column))
  }

  /// Parses text; every diagnostic as `FILE:LINE:COL: error: message`.
  static func parse(_ text: String) -> (statements: [SiteStatement], messages: [String]) {
    let parsed = SiteParser.parse(text, file: file)
    return (parsed.document.statements, parsed.diagnostics.map(\.description))
  }

  /// The messages for text.
  static func errors(_ text: String) -> [String] { parse(text).messages }

  @Test func everyStatementWithEveryWord() {
    let parsed = Self.parse(
      """
      # comment
      site as 65055 router-id 192.0.2.1 prepend 4   # trailing comment
      announce 192.0.2.0/24
      announce 2001:db8:55::/48 via "isp2"
      provider isp1 neighbor 203.0.113.1 as 65066 role primary
      provider isp2 neighbor 2001:db8:2::1 as 4200000077 role backup \\
        backup-community 4200000077:0:70
      provider isp3 role load-shared as 65067 neighbor 203.0.113.9 backup-community 65067:70
      prefer 100.64.0.0/16 via isp1
      """)
    #expect(parsed.messages == [])
    #expect(
      parsed.statements == [
        .site(
          SiteSettingsStatement(
            location: Self.at(2, 1), asn: Self.located(65055, 2, 9),
            routerID: Self.located(IPAddress("192.0.2.1")!, 2, 25), prepend: Self.located(4, 2, 43))),
        .announce(SiteAnnouncement(location: Self.at(3, 1), prefix: Self.located(IPPrefix("192.0.2.0/24")!, 3, 10))),
        .announce(
          SiteAnnouncement(
            location: Self.at(4, 1), prefix: Self.located(IPPrefix("2001:db8:55::/48")!, 4, 10),
            via: Self.located("isp2", 4, 31))),
        .provider(
          SiteProvider(
            location: Self.at(5, 1), name: Self.located("isp1", 5, 10),
            neighbor: Self.located(IPAddress("203.0.113.1")!, 5, 24), asn: Self.located(65066, 5, 39),
            role: Self.located(.primary, 5, 50))),
        .provider(
          SiteProvider(
            location: Self.at(6, 1), name: Self.located("isp2", 6, 10),
            neighbor: Self.located(IPAddress("2001:db8:2::1")!, 6, 24), asn: Self.located(4_200_000_077, 6, 41),
            role: Self.located(.backup, 6, 57),
            backupCommunity: Self.located(.large(4_200_000_077, 0, 70), 7, 20))),
        .provider(
          SiteProvider(
            location: Self.at(8, 1), name: Self.located("isp3", 8, 10),
            neighbor: Self.located(IPAddress("203.0.113.9")!, 8, 50), asn: Self.located(65067, 8, 35),
            role: Self.located(.loadShared, 8, 20), backupCommunity: Self.located(.standard(65067, 70), 8, 79))),
        .prefer(
          SitePreference(
            location: Self.at(9, 1), destination: Self.located(IPPrefix("100.64.0.0/16")!, 9, 8),
            via: Self.located("isp1", 9, 26))),
      ])
  }

  @Test(
    "each error, with its message and position",
    arguments: [
      ("sitee as 1", "s.conf:1:1: error: unknown statement 'sitee' (did you mean 'site'?)"),
      ("bogus", "s.conf:1:1: error: unknown statement 'bogus' (expected one of: site, announce, provider, prefer)"),
      ("site", "s.conf:1:1: error: 'site' needs 'as ASN'"),
      ("site router-id 192.0.2.1", "s.conf:1:1: error: 'site' needs 'as ASN'"),
      ("site as", "s.conf:1:6: error: 'as' needs an AS number"),
      ("site as 1.10", "s.conf:1:9: error: invalid AS number '1.10' (FRR takes plain numbers: did you mean 65546?)"),
      ("site as abc", "s.conf:1:9: error: invalid AS number 'abc' (expected a number from 1 to 4294967295)"),
      (
        "site as 4294967296",
        "s.conf:1:9: error: invalid AS number '4294967296' (expected a number from 1 to 4294967295)"
      ),
      ("site as +5", "s.conf:1:9: error: invalid AS number '+5' (expected a number from 1 to 4294967295)"),
      ("site as 0", "s.conf:1:9: error: AS 0 is reserved (RFC 7607) and cannot be used"),
      (
        "site as 23456",
        "s.conf:1:9: error: AS 23456 is AS_TRANS, which stands in for 4-byte AS numbers (RFC 6793) and cannot be used"
      ),
      ("site as 65535", "s.conf:1:9: error: AS 65535 is reserved (RFC 7300) and cannot be used"),
      ("site as 4294967295", "s.conf:1:9: error: AS 4294967295 is reserved (RFC 7300) and cannot be used"),
      (
        "site as 1 router-id 2001:db8::1", "s.conf:1:21: error: a router ID is an IPv4 address, but 2001:db8::1 is IPv6"
      ),
      ("site as 1 router-id 1.2.3", "s.conf:1:21: error: invalid IPv4 address '1.2.3': expected 4 octets, found 3"),
      ("site as 1 prepend 11", "s.conf:1:19: error: invalid prepend count '11' (expected a number from 0 to 10)"),
      ("site as 1 prepend", "s.conf:1:11: error: 'prepend' needs a count"),
      ("site as 1 prepend 3 prepend 4", "s.conf:1:21: error: 'prepend' is given more than once"),
      ("site as 1 colour blue", "s.conf:1:11: error: unknown word 'colour' in site"),
      (
        "site as 1 router-ip 192.0.2.1",
        "s.conf:1:11: error: unknown word 'router-ip' in site (did you mean 'router-id'?)"
      ),
      ("announce", "s.conf:1:1: error: 'announce' needs a prefix"),
      ("announce 192.0.2.1/24", "s.conf:1:10: error: host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)"),
      ("announce 192.0.2.0/33", "s.conf:1:10: error: invalid prefix '192.0.2.0/33': prefix length must be 0 to 32"),
      ("announce 192.0.2.0/24 via", "s.conf:1:23: error: 'via' needs a provider name"),
      ("announce 192.0.2.0/24 via a via a", "s.conf:1:29: error: 'via' is given more than once"),
      ("announce 192.0.2.0/24 vai a", "s.conf:1:23: error: unknown word 'vai' in announce (did you mean 'via'?)"),
      ("provider", "s.conf:1:1: error: 'provider' needs a name"),
      (
        "provider 1sp neighbor 203.0.113.1 as 2 role primary",
        "s.conf:1:10: error: '1sp' is not a valid provider name"
          + " (use up to 32 letters, digits, '-', '_' and '.', starting with a letter)"
      ),
      (
        "provider \"is p\" neighbor 203.0.113.1 as 2 role primary",
        "s.conf:1:10: error: 'is p' is not a valid provider name"
          + " (use up to 32 letters, digits, '-', '_' and '.', starting with a letter)"
      ),
      ("provider a neighbor 203.0.113.1 as 2", "s.conf:1:1: error: provider a needs 'role primary|backup|load-shared'"),
      ("provider a neighbor", "s.conf:1:12: error: 'neighbor' needs an address"),
      ("provider a neighbor 203.0.113.1 as 2 role", "s.conf:1:38: error: 'role' needs primary, backup or load-shared"),
      (
        "provider a neighbor 203.0.113.1 as 2 role primay",
        "s.conf:1:43: error: unknown role 'primay' (did you mean 'primary'?)"
      ),
      (
        "provider a neighbor 203.0.113.1 as 2 role spare",
        "s.conf:1:43: error: unknown role 'spare' (expected primary, backup or load-shared)"
      ),
      (
        "provider a neighbor fe80::1 as 2 role primary",
        "s.conf:1:21: error: neighbor fe80::1 is link-local: give the provider's global address"
          + " (a link-local session needs an interface, which a site file does not name)"
      ),
      (
        "provider a neighbor 224.0.0.5 as 2 role primary",
        "s.conf:1:21: error: neighbor 224.0.0.5 is not a unicast address a provider can have"
          + " (loopback, multicast, broadcast or unspecified)"
      ),
      (
        "provider a neighbor 203.0.113.1 as 2 role backup backup-community 65536:70",
        "s.conf:1:67: error: invalid community '65536:70' (expected ASN:VALUE with numbers from 0 to 65535,"
          + " or a large community GLOBAL:LOCAL1:LOCAL2 with numbers from 0 to 4294967295)"
      ),
      (
        "provider a neighbor 203.0.113.1 as 2 role backup backup-community 1:2:3:4",
        "s.conf:1:67: error: invalid community '1:2:3:4' (expected ASN:VALUE with numbers from 0 to 65535,"
          + " or a large community GLOBAL:LOCAL1:LOCAL2 with numbers from 0 to 4294967295)"
      ),
      (
        "provider a neighbor 203.0.113.1 as 2 as 3 role primary",
        "s.conf:1:38: error: 'as' is given more than once"
      ),
      (
        "provider a neighbor 203.0.113.1 as 2 role primary remote-as 3",
        "s.conf:1:51: error: unknown word 'remote-as' in provider"
      ),
      ("prefer 100.64.0.0/16", "s.conf:1:1: error: prefer 100.64.0.0/16 needs 'via PROVIDER'"),
      ("prefer", "s.conf:1:1: error: 'prefer' needs a destination prefix"),
      ("prefer 100.64.0.0/16 via", "s.conf:1:22: error: 'via' needs a provider name"),
    ])
  func error(_ text: String, _ message: String) {
    #expect(Self.errors(text) == [message])
  }

  @Test func aProviderLackingSeveralWordsGetsAnErrorForEach() {
    #expect(
      Self.errors("provider isp1") == [
        "s.conf:1:1: error: provider isp1 needs 'neighbor ADDR'",
        "s.conf:1:1: error: provider isp1 needs 'as ASN'",
        "s.conf:1:1: error: provider isp1 needs 'role primary|backup|load-shared'",
      ])
  }

  @Test func errorsOnSeveralLinesComeInFileOrder() {
    #expect(
      Self.errors("\"unterminated\nsite as 0\nannounce 192.0.2.1/24") == [
        "s.conf:1:1: error: unterminated quote",
        "s.conf:1:1: error: unknown statement 'unterminated' (expected one of: site, announce, provider, prefer)",
        "s.conf:2:9: error: AS 0 is reserved (RFC 7607) and cannot be used",
        "s.conf:3:10: error: host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)",
      ])
  }

  @Test func providerNames() {
    for name in ["isp1", "a", "ISP_2.backup-link", String(repeating: "x", count: 32)] {
      #expect(SiteParser.isValidProviderName(name), "\(name)")
    }
    for name in ["", "1isp", "-x", "_x", "is p", "isp/1", "isp!", "é", String(repeating: "x", count: 33)] {
      #expect(!SiteParser.isValidProviderName(name), "\(name)")
    }
  }

  @Test func communities() {
    #expect(BGPCommunity("65077:70") == .standard(65077, 70))
    #expect(BGPCommunity("0:0") == .standard(0, 0))
    #expect(BGPCommunity("4200000077:0:70") == .large(4_200_000_077, 0, 70))
    for text in ["", "70", "65077:", ":70", "65536:1", "1:65536", "a:b", "1:2:3:4", "4294967296:0:0", "+1:2", " 1:2"] {
      #expect(BGPCommunity(text) == nil, "\(text)")
    }
    #expect(BGPCommunity.large(1, 2, 3).description == "1:2:3")
    #expect(BGPCommunity.standard(65077, 70).administrator == 65077)
  }
}
