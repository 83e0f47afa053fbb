import Testing

@testable import PolrouteCore

/// The checks across a site's statements: the errors that stop it, and the warnings where the recipe cannot hold.
struct SiteResolverTests {
  /// Parses and resolves text as `s.conf`; every diagnostic as text.
  static func resolve(_ text: String) -> (site: Site?, messages: [String]) {
    let parsed = SiteParser.parse(text, file: "s.conf")
    #expect(parsed.diagnostics == [], "the test's site does not parse")
    let resolved = SiteResolver.resolve(parsed.document)
    return (resolved.site, resolved.diagnostics.map(\.description))
  }

  /// A public AS, a public prefix and public providers: no warnings of their own.
  static let clean = """
    site as 64000
    announce 8.8.8.0/24
    provider isp1 neighbor 203.0.113.1 as 3356 role primary
    provider isp2 neighbor 203.0.113.5 as 174 role backup backup-community 174:70

    """

  @Test func aCleanSiteHasNoDiagnostics() throws {
    let resolved = Self.resolve(Self.clean)
    #expect(resolved.messages == [])
    let site = try #require(resolved.site)
    #expect(site.asn.value == 64000)
    #expect(site.prependCount == 3)
    let isp1 = try #require(site.provider(named: "isp1"))
    let isp2 = try #require(site.provider(named: "isp2"))
    #expect(site.localPreference(of: isp1) == 100)
    #expect(site.localPreference(of: isp2) == 70)
    #expect(site.backupPaths(to: isp1).isEmpty)
    #expect(site.backupPaths(to: isp2).map(\.prefix.value.description) == ["8.8.8.0/24"])
  }

  @Test func announceViaMakesEveryOtherProviderABackupPathForThatPrefix() throws {
    let site = try #require(
      Self.resolve(
        Self.clean + "announce 8.8.9.0/24 via isp2\nprovider isp3 neighbor 2001:db8::3 as 1299 role primary\n"
      ).site)
    let isp1 = try #require(site.provider(named: "isp1"))
    let isp2 = try #require(site.provider(named: "isp2"))
    let isp3 = try #require(site.provider(named: "isp3"))
    #expect(site.backupPaths(to: isp1).map(\.prefix.value.description) == ["8.8.9.0/24"])
    #expect(site.backupPaths(to: isp2).map(\.prefix.value.description) == ["8.8.8.0/24"])
    #expect(site.backupPaths(to: isp3).isEmpty, "an IPv6 session gets no IPv4 prefixes")
    #expect(site.providers(of: .inet6).map(\.name.value) == ["isp3"])
  }

  /// Sites with an error, and the errors.
  static let errorCases: [(String, [String])] = [
    ("announce 8.8.8.0/24", ["s.conf:1:1: error: the site file needs a 'site as ASN' statement"]),
    (
      "site as 64000\nsite as 64001\nprovider a neighbor 203.0.113.1 as 2 role primary",
      ["s.conf:2:1: error: 'site' is given more than once (first at 1:1)"]
    ),
    (
      "site as 64000",
      ["s.conf:1:1: error: the site has no provider (add 'provider NAME neighbor ADDR as ASN role primary')"]
    ),
    (
      "site as 64000\nprovider a neighbor 203.0.113.1 as 2 role primary\n"
        + "provider a neighbor 203.0.113.5 as 3 role backup",
      ["s.conf:3:10: error: provider 'a' is already defined at 2:1"]
    ),
    (
      "site as 64000\nprovider a neighbor 203.0.113.1 as 2 role primary\n"
        + "provider b neighbor 203.0.113.1 as 3 role backup",
      ["s.conf:3:21: error: neighbor 203.0.113.1 is already provider a's"]
    ),
    (
      "site as 64000\nprovider a neighbor 203.0.113.1 as 64000 role primary",
      [
        "s.conf:2:36: error: provider a has the site's own AS 64000: that is an iBGP neighbor, not a provider"
      ]
    ),
    (
      "site as 64000\nprovider a neighbor 203.0.113.1 as 2 role primary\n"
        + "provider b neighbor 203.0.113.5 as 3 role primary",
      [
        "s.conf:3:43: error: only one IPv4 provider can be primary (a is); to share the traffic, make them all"
          + " 'load-shared'"
      ]
    ),
    (
      "site as 64000\nprovider a neighbor 203.0.113.1 as 2 role primary\n"
        + "provider b neighbor 203.0.113.5 as 3 role load-shared",
      [
        "s.conf:3:43: error: provider b is load-shared, but a is primary: make one primary with backups, or share"
          + " the traffic among 'load-shared' providers"
      ]
    ),
    (
      "site as 64000\nprovider a neighbor 203.0.113.1 as 2 role backup",
      [
        "s.conf:2:43: error: every provider is a backup, so none is preferred: make one 'primary'"
          + " (or several 'load-shared')"
      ]
    ),
    (
      "site as 64000\nprovider a neighbor 203.0.113.1 as 2 role primary\nannounce 0.0.0.0/0",
      [
        "s.conf:3:10: error: announcing a default route (0.0.0.0/0) would offer the site as transit to the whole"
          + " Internet"
      ]
    ),
    (
      "site as 64000\nprovider a neighbor 203.0.113.1 as 2 role primary\nannounce 8.8.8.0/24\nannounce 8.8.8.0/24",
      ["s.conf:4:10: error: 8.8.8.0/24 is already announced at 3:1"]
    ),
    (
      "site as 64000\nprovider isp1 neighbor 203.0.113.1 as 2 role primary\nannounce 8.8.8.0/24 via isp2",
      ["s.conf:3:25: error: unknown provider 'isp2' (did you mean 'isp1'?)"]
    ),
    (
      "site as 64000\nprovider a neighbor 203.0.113.1 as 2 role primary\nannounce 2600::/48 via a",
      ["s.conf:3:24: error: provider a's neighbor is IPv4, so its session cannot carry 2600::/48"]
    ),
    (
      "site as 64000\nprovider a neighbor 2600::1 as 2 role primary\nprefer 9.0.0.0/8 via a",
      ["s.conf:3:22: error: provider a's neighbor is IPv6, so its session cannot carry 9.0.0.0/8"]
    ),
    (
      "site as 64000\nprovider a neighbor 203.0.113.1 as 2 role primary\nprefer 9.0.0.0/8 via xyz",
      ["s.conf:3:22: error: unknown provider 'xyz'"]
    ),
    (
      "site as 64000\nprovider a neighbor 203.0.113.1 as 2 role primary\nprefer 9.0.0.0/8 via a\n"
        + "prefer 9.0.0.0/8 via a",
      ["s.conf:4:8: error: prefer 9.0.0.0/8 is already given at 3:1"]
    ),
  ]

  @Test("errors across statements", arguments: errorCases)
  func error(_ text: String, _ messages: [String]) {
    let resolved = Self.resolve(text)
    #expect(resolved.site == nil)
    #expect(resolved.messages.sorted() == messages.sorted())
  }

  @Test func rolesArePerFamilyAnIPv4AndAnIPv6SessionMayBothBePrimary() {
    let resolved = Self.resolve(
      Self.clean + "provider isp1-v6 neighbor 2001:db8::1 as 3356 role primary\nannounce 2600::/48\n")
    #expect(resolved.site != nil)
    #expect(resolved.messages == [])
  }

  /// The clean site with a line replaced (or added), and the one warning it gets.
  static let warningCases: [(String, String, String)] = [
    (
      "site as 64000\n", "site as 65055",
      "s.conf:1:9: warning: the site's AS 65055 is a private AS number (RFC 6996), which providers do not pass on:"
        + " they strip it or refuse the routes, and a site announced through several providers needs a public AS"
    ),
    (
      "site as 64000\n", "site as 4200000000",
      "s.conf:1:9: warning: the site's AS 4200000000 is a private AS number (RFC 6996), which providers do not pass"
        + " on: they strip it or refuse the routes, and a site announced through several providers needs a public AS"
    ),
    (
      "site as 64000\n", "site as 64496",
      "s.conf:1:9: warning: the site's AS 64496 is an AS number reserved for documentation (RFC 5398), which"
        + " providers do not pass on: they strip it or refuse the routes, and a site announced through several"
        + " providers needs a public AS"
    ),
    (
      "announce 8.8.8.0/24\n", "",
      "s.conf:1:1: warning: the site announces no prefix, so providers learn nothing from it (add 'announce PREFIX')"
    ),
    (
      "announce 8.8.8.0/24\n", "announce 192.0.2.0/24",
      "s.conf:2:10: warning: 192.0.2.0/24 is reserved for documentation (RFC 5737): no site owns it, and providers"
        + " drop it"
    ),
    (
      "announce 8.8.8.0/24\n", "announce 10.1.0.0/16",
      "s.conf:2:10: warning: 10.1.0.0/16 lies in 10.0.0.0/8, private address space (RFC 1918): no site owns it, and"
        + " providers drop it"
    ),
    (
      "announce 8.8.8.0/24\n", "announce 0.0.0.0/1",
      "s.conf:2:10: warning: 0.0.0.0/1 covers 0.0.0.0/8, 'this network' (RFC 791): no site owns it, and providers"
        + " drop it"
    ),
    (
      "announce 8.8.8.0/24\n", "announce 172.16.5.0/24",
      "s.conf:2:10: warning: 172.16.5.0/24 lies in 172.16.0.0/12, private address space (RFC 1918): no site owns"
        + " it, and providers drop it"
    ),
    (
      "announce 8.8.8.0/24\n", "announce 8.8.8.0/25",
      "s.conf:2:10: warning: 8.8.8.0/25 is longer than /24, which most networks drop: traffic to it follows a"
        + " shorter prefix that covers it, if the site announces one"
    ),
    (
      "announce 8.8.8.0/24\n", "announce 2600::/48",
      "s.conf:2:10: warning: no provider has an IPv6 neighbor, so 2600::/48 is announced to none"
    ),
    (
      "provider isp2 neighbor 203.0.113.5 as 174 role backup backup-community 174:70\n",
      "provider isp2 neighbor 203.0.113.5 as 174 role backup",
      "s.conf:4:1: warning: backup provider isp2 has no 'backup-community': isp2 prefers routes learned from its"
        + " customers by local preference, whatever their AS-path length, so traffic from isp2 and its customers"
        + " still arrives over the backup link (ask isp2 for the community that sets local preference below its"
        + " transit routes)"
    ),
    (
      "provider isp2 neighbor 203.0.113.5 as 174 role backup backup-community 174:70\n",
      "provider isp2 neighbor 203.0.113.5 as 174 role backup backup-community 3356:70",
      "s.conf:4:72: warning: backup-community 3356:70 is in the space of AS 3356, not of isp2's AS 174: providers"
        + " act on communities in their own AS's space (check the value with isp2)"
    ),
    (
      "provider isp2 neighbor 203.0.113.5 as 174 role backup backup-community 174:70\n",
      "provider isp2 neighbor 203.0.113.5 as 4200000001 role backup backup-community 6000:70",
      "s.conf:4:79: warning: backup-community 6000:70 is in the space of AS 6000, not of isp2's AS 4200000001:"
        + " providers act on communities in their own AS's space (a provider whose AS needs 4 bytes usually"
        + " publishes a large community, GLOBAL:LOCAL1:LOCAL2)"
    ),
    (
      "", "announce 8.8.9.0/24 via isp2",
      "s.conf:3:1: warning: provider isp1 gets 8.8.9.0/24 as a backup path but has no 'backup-community': isp1"
        + " prefers routes learned from its customers by local preference, whatever their AS-path length, so"
        + " traffic from isp1 and its customers to it still arrives over isp1"
    ),
    (
      "site as 64000\n", "site as 64000 prepend 8",
      "s.conf:1:23: warning: prepending more than 5 times will not matter: few AS paths are that long, so where"
        + " path length decides the backup already loses, and where local preference decides (the backup"
        + " provider and its customers) no length helps; the backup community does"
    ),
    (
      "site as 64000\n", "site as 64000 prepend 0",
      "s.conf:1:23: warning: prepend 0: backup paths are as short as the preferred ones, so networks that reach the"
        + " site through several providers choose by other means, and some of their traffic arrives over a backup"
    ),
    (
      "", "prefer 8.8.8.128/25 via isp2",
      "s.conf:5:8: warning: prefer 8.8.8.128/25 will not matter: routes inside the site's own 8.8.8.0/24 are refused"
        + " from providers"
    ),
    (
      "", "prefer 192.168.0.0/24 via isp2",
      "s.conf:5:8: warning: prefer 192.168.0.0/24 will not matter: routes in 192.168.0.0/16, private address space"
        + " (RFC 1918), are refused from providers"
    ),
    (
      "", "prefer 9.9.9.0/25 via isp2",
      "s.conf:5:8: warning: prefer 9.9.9.0/25 will not matter: routes longer than /24 are refused from providers,"
        + " and no shorter one fits inside it"
    ),
  ]

  @Test("warnings where the recipe cannot hold", arguments: warningCases)
  func warning(_ replaced: String, _ replacement: String, _ message: String) {
    // The clean site with one line replaced (or, when `replaced` is empty, one line added).
    let text =
      replaced.isEmpty
      ? Self.clean + replacement + "\n" : Self.clean.replacingOccurrences(of: replaced, with: replacement + "\n")
    let resolved = Self.resolve(text)
    #expect(resolved.site != nil, "\(resolved.messages)")
    #expect(resolved.messages == [message])
    #expect(resolved.site?.diagnostics.map(\.description) == [message])
  }

  @Test func prependWithNothingToPrependWillNotMatter() {
    let resolved = Self.resolve(
      "site as 64000 prepend 3\nannounce 8.8.8.0/24\nprovider isp1 neighbor 203.0.113.1 as 3356 role primary\n")
    #expect(
      resolved.messages == [
        "s.conf:1:23: warning: prepend 3 will not matter: no provider gets a backup path (there is no backup provider"
          + " and no 'announce ... via'), so nothing is prepended"
      ])
  }

  @Test func aPrefixOnlyBackupsCanCarryWarns() {
    let resolved = Self.resolve(
      Self.clean + "provider isp2-v6 neighbor 2001:db8::5 as 174 role backup backup-community 174:70\n"
        + "announce 2600::/48\n")
    #expect(
      resolved.messages == [
        "s.conf:6:10: warning: every provider that can carry 2600::/48 is a backup (isp2-v6): its traffic arrives"
          + " over a backup, and prepending will not matter"
      ])
  }

  @Test func loadThrowsTheParseErrorsThenTheChecksErrors() throws {
    #expect(
      throws: PolicyError([
        .error(
          "unknown statement 'x' (expected one of: site, announce, provider, prefer)",
          at: SourceLocation(file: "s.conf", line: 1, column: 1))
      ])
    ) {
      try SiteResolver.load(Array("x\n".utf8), file: "s.conf")
    }
    do {
      _ = try SiteResolver.load(Array("site as 65055\n".utf8), file: "s.conf")
      Issue.record("a site without providers was accepted")
    } catch {
      #expect(
        error.diagnostics.map(\.description) == [
          "s.conf:1:1: error: the site has no provider (add 'provider NAME neighbor ADDR as ASN role primary')"
        ])
    }
    let json = """
      {"site": {"as": 64000}, "announce": ["8.8.8.0/24"],
       "providers": [{"name": "a", "neighbor": "203.0.113.1", "as": 2, "role": "primary"}]}
      """
    let site = try SiteResolver.load(Array(json.utf8), file: "s.json")
    #expect(site.providers.map(\.name.value) == ["a"])
  }

  @Test func asNumbers() {
    #expect(ASNumbers.unrouted(64511) != nil)
    #expect(ASNumbers.unrouted(64512) != nil)
    #expect(ASNumbers.unrouted(65534) != nil)
    #expect(ASNumbers.unrouted(65551) != nil)
    #expect(ASNumbers.unrouted(65552) == nil)
    #expect(ASNumbers.unrouted(64495) == nil)
    #expect(ASNumbers.unrouted(4_199_999_999) == nil)
    #expect(ASNumbers.unrouted(4_294_967_294) != nil)
    #expect(ASNumbers.reserved(1) == nil)
  }
}
