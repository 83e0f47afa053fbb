import Testing

@testable import PolrouteCore

/// The policy parser's errors: every message in full, with its file, line and column.
struct PolicyParserErrorTests {
  typealias T = PolicyTesting

  /// The messages of text.
  static func errors(_ text: String) -> [String] { T.parse(text).messages }

  @Test(arguments: [
    ("uplnk isp1 dev eth0", "p.conf:1:1: error: unknown statement 'uplnk' (did you mean 'uplink'?)"),
    ("rules fwmark 1 lookup main", "p.conf:1:1: error: unknown statement 'rules' (did you mean 'rule'?)"),
    ("  exlcude eth1", "p.conf:1:3: error: unknown statement 'exlcude' (did you mean 'exclude'?)"),
    ("Uplink isp1 dev eth0", "p.conf:1:1: error: unknown statement 'Uplink' (did you mean 'uplink'?)"),
    ("atuo", "p.conf:1:1: error: unknown statement 'atuo' (did you mean 'auto'?)"),
    (
      "frobnicate x",
      "p.conf:1:1: error: unknown statement 'frobnicate' (expected one of: uplink, table, route, rule, exclude, include, auto, balance, failover)"
    ),
  ])
  func unknownStatements(text: String, message: String) {
    let parsed = T.parse(text)
    #expect(parsed.messages == [message])
    #expect(parsed.document.statements == [])
  }

  @Test(arguments: [
    ("uplink isp1 dev eth0 tabel 100", "p.conf:1:22: error: unknown word 'tabel' in uplink (did you mean 'table'?)"),
    ("uplink isp1 dev eth0 vai6 fe80::1", "p.conf:1:22: error: unknown word 'vai6' in uplink (did you mean 'via6'?)"),
    ("uplink isp1 dev eth0 metric 5", "p.conf:1:22: error: unknown word 'metric' in uplink"),
    ("route 192.0.2.0/24 dve eth0 table x", "p.conf:1:20: error: unknown word 'dve' in route (did you mean 'dev'?)"),
    (
      "route 192.0.2.0/24 via 198.51.100.1 tabel x",
      "p.conf:1:37: error: unknown word 'tabel' in route (did you mean 'table'?)"
    ),
    ("route 192.0.2.0/24 table x proto static", "p.conf:1:28: error: unknown word 'proto' in route"),
    ("rule from 192.0.2.0/24 lokup main", "p.conf:1:24: error: unknown word 'lokup' in rule (did you mean 'lookup'?)"),
    ("rule fwmrk 1 lookup main", "p.conf:1:6: error: unknown word 'fwmrk' in rule (did you mean 'fwmark'?)"),
    ("rule fwmark 1 lookup main prio 5", "p.conf:1:27: error: unknown word 'prio' in rule"),
    (
      "rule fwmark 1 lookup main priorty 5",
      "p.conf:1:27: error: unknown word 'priorty' in rule (did you mean 'priority'?)"
    ),
  ])
  func unknownWordsStopTheStatementWithOneError(text: String, message: String) {
    // The words after an unknown one are not read: they would only give follow-on errors.
    let parsed = T.parse(text)
    #expect(parsed.messages == [message])
    #expect(parsed.document.statements == [])
  }

  @Test(arguments: [
    ("table vpn 100 200", "p.conf:1:15: error: unexpected '200' after table vpn"),
    ("exclude eth1 eth2", "p.conf:1:14: error: unexpected 'eth2' after exclude eth1"),
    ("include eth1 eth2 eth3", "p.conf:1:14: error: unexpected 'eth2' after include eth1"),
    ("auto all", "p.conf:1:6: error: 'auto' takes no arguments, found 'all'"),
  ])
  func extraWords(text: String, message: String) {
    #expect(Self.errors(text) == [message])
  }

  @Test(arguments: [
    ("uplink", "p.conf:1:1: error: 'uplink' needs a name"),
    ("uplink isp1", "p.conf:1:1: error: uplink isp1 needs 'dev IFACE'"),
    ("uplink isp1 dev", "p.conf:1:13: error: 'dev' needs an interface name"),
    ("uplink isp1 dev eth0 table", "p.conf:1:22: error: 'table' needs a table number"),
    ("uplink isp1 dev eth0 via", "p.conf:1:22: error: 'via' needs an IPv4 gateway address"),
    ("uplink isp1 dev eth0 via6", "p.conf:1:22: error: 'via6' needs an IPv6 gateway address"),
    ("table", "p.conf:1:1: error: 'table' needs a name"),
    ("route", "p.conf:1:1: error: 'route' needs a destination prefix"),
    ("route blackhole", "p.conf:1:7: error: 'blackhole' needs a destination prefix"),
    ("route throw", "p.conf:1:7: error: 'throw' needs a destination prefix"),
    ("route 192.0.2.0/24 table", "p.conf:1:20: error: 'table' needs a table name or number"),
    ("route 192.0.2.0/24 table x via", "p.conf:1:28: error: 'via' needs a gateway address"),
    ("route 192.0.2.0/24 table x dev", "p.conf:1:28: error: 'dev' needs an interface name"),
    ("route 192.0.2.0/24 table x src", "p.conf:1:28: error: 'src' needs a source address"),
    ("route 192.0.2.0/24 table x metric", "p.conf:1:28: error: 'metric' needs a number"),
    ("rule lookup main from", "p.conf:1:18: error: 'from' needs a prefix or 'all'"),
    ("rule lookup main to", "p.conf:1:18: error: 'to' needs a prefix or 'all'"),
    ("rule lookup main tos", "p.conf:1:18: error: 'tos' needs a value"),
    ("rule lookup main dsfield", "p.conf:1:18: error: 'dsfield' needs a value"),
    ("rule lookup main fwmark", "p.conf:1:18: error: 'fwmark' needs a mark (VALUE or VALUE/MASK)"),
    ("rule lookup main iif", "p.conf:1:18: error: 'iif' needs an interface name"),
    ("rule lookup main oif", "p.conf:1:18: error: 'oif' needs an interface name"),
    ("rule lookup main uidrange", "p.conf:1:18: error: 'uidrange' needs a range A-B"),
    ("rule lookup main ipproto", "p.conf:1:18: error: 'ipproto' needs a protocol name or number"),
    ("rule lookup main sport", "p.conf:1:18: error: 'sport' needs a port or range A-B"),
    ("rule lookup main dport", "p.conf:1:18: error: 'dport' needs a port or range A-B"),
    ("rule lookup main suppress_prefixlength", "p.conf:1:18: error: 'suppress_prefixlength' needs a prefix length"),
    ("rule lookup main family", "p.conf:1:18: error: 'family' needs inet or inet6"),
    ("rule lookup main priority", "p.conf:1:18: error: 'priority' needs a priority number"),
    ("rule lookup main pref", "p.conf:1:18: error: 'pref' needs a priority number"),
    ("rule lookup main preference", "p.conf:1:18: error: 'preference' needs a priority number"),
    ("rule fwmark 1 lookup", "p.conf:1:15: error: 'lookup' needs a table name or number"),
    ("rule fwmark 1 table", "p.conf:1:15: error: 'table' needs a table name or number"),
    ("rule fwmark 1 goto", "p.conf:1:15: error: 'goto' needs a rule priority"),
    ("exclude", "p.conf:1:1: error: 'exclude' needs an interface name"),
    ("include", "p.conf:1:1: error: 'include' needs an interface name"),
  ])
  func missingValues(text: String, message: String) {
    #expect(Self.errors(text) == [message])
  }

  @Test(arguments: [
    ("uplink isp1 dev eth0 dev eth1", "p.conf:1:22: error: 'dev' is given more than once"),
    ("uplink isp1 dev eth0 onlink onlink", "p.conf:1:29: error: 'onlink' is given more than once"),
    ("uplink isp1 via 192.0.2.1 dev eth0 via 192.0.2.2", "p.conf:1:36: error: 'via' is given more than once"),
    ("route 192.0.2.0/24 metric 1 metric 2 table x", "p.conf:1:29: error: 'metric' is given more than once"),
    ("route 192.0.2.0/24 table x table y", "p.conf:1:28: error: 'table' is given more than once"),
    ("rule from 192.0.2.0/24 from 198.51.100.0/24 lookup main", "p.conf:1:24: error: 'from' is given more than once"),
    ("rule pref 1 pref 2 lookup main", "p.conf:1:13: error: 'pref' is given more than once"),
    (
      "rule tos 1 dsfield 2 lookup main",
      "p.conf:1:12: error: 'dsfield' is another name for 'tos', which is already given"
    ),
    (
      "rule lookup main priority 1 pref 2",
      "p.conf:1:29: error: 'pref' is another name for 'priority', which is already given"
    ),
    ("rule lookup main blackhole", "p.conf:1:18: error: rule has more than one action ('lookup', then 'blackhole')"),
    ("rule lookup main table 5", "p.conf:1:18: error: rule has more than one action ('lookup', then 'table')"),
    ("rule nop nop", "p.conf:1:10: error: rule has more than one action ('nop', then 'nop')"),
  ])
  func wordsGivenTwice(text: String, message: String) {
    let parsed = T.parse(text)
    #expect(parsed.messages == [message])
    #expect(parsed.document.statements == [])
  }

  @Test(arguments: [
    ("uplink isp1 table 100", "p.conf:1:1: error: uplink isp1 needs 'dev IFACE'"),
    (
      "route 192.0.2.0/24 via 198.51.100.1",
      "p.conf:1:1: error: route 192.0.2.0/24 needs 'table NAME|ID' (polroute never changes table main)"
    ),
    (
      "route default dev eth0",
      "p.conf:1:1: error: route default needs 'table NAME|ID' (polroute never changes table main)"
    ),
    (
      "route unreachable 192.0.2.0/24",
      "p.conf:1:1: error: route 192.0.2.0/24 needs 'table NAME|ID' (polroute never changes table main)"
    ),
    (
      "rule from 192.0.2.0/24",
      "p.conf:1:1: error: rule needs an action: lookup TABLE, goto N, blackhole, unreachable, prohibit or nop"
    ),
    ("rule", "p.conf:1:1: error: rule needs an action: lookup TABLE, goto N, blackhole, unreachable, prohibit or nop"),
    (
      "rule priority 100",
      "p.conf:1:1: error: rule needs an action: lookup TABLE, goto N, blackhole, unreachable, prohibit or nop"
    ),
  ])
  func requiredWordsMissing(text: String, message: String) {
    let parsed = T.parse(text)
    #expect(parsed.messages == [message])
    #expect(parsed.document.statements == [])
  }

  @Test(arguments: [
    (
      "uplink isp1 dev eth0 via 192.0.2",
      "p.conf:1:26: error: invalid IPv4 address '192.0.2': expected 4 octets, found 3"
    ),
    (
      "uplink isp1 dev eth0 via 192.0.2.256",
      "p.conf:1:26: error: invalid IPv4 address '192.0.2.256': octet 256 is out of range 0-255"
    ),
    (
      "uplink isp1 dev eth0 via6 2001:db8::g",
      "p.conf:1:27: error: invalid IPv6 address '2001:db8::g': group 'g' is not hexadecimal"
    ),
    (
      "uplink isp1 dev eth0 via6 fe80::1%eth0",
      "p.conf:1:27: error: invalid IPv6 address 'fe80::1%eth0': a zone index is not allowed here"
    ),
    ("route 192.0.2.0/24 via gw table x", "p.conf:1:24: error: invalid IPv4 address 'gw': unexpected character 'g'"),
    (
      "route 192.0.2.0/24 src 198.51.100.010 table x",
      "p.conf:1:24: error: invalid IPv4 address '198.51.100.010': leading zero in octet '010'"
    ),
    ("route 192.0.2.0/24 via \"\" table x", "p.conf:1:24: error: empty IP address"),
  ])
  func badAddresses(text: String, message: String) {
    #expect(Self.errors(text) == [message])
  }

  @Test(arguments: [
    (
      "rule from 192.0.2.0/ lookup main",
      "p.conf:1:11: error: invalid prefix '192.0.2.0/': prefix length must be 0 to 32"
    ),
    (
      "rule from 192.0.2.0/-1 lookup main",
      "p.conf:1:11: error: invalid prefix '192.0.2.0/-1': prefix length must be 0 to 32"
    ),
    (
      "rule from 192.0.2.0/33 lookup main",
      "p.conf:1:11: error: invalid prefix '192.0.2.0/33': prefix length must be 0 to 32"
    ),
    (
      "route 2001:db8::/129 table x",
      "p.conf:1:7: error: invalid prefix '2001:db8::/129': prefix length must be 0 to 128"
    ),
    (
      "rule from 300.0.0.0/8 lookup main",
      "p.conf:1:11: error: invalid IPv4 address '300.0.0.0': octet 300 is out of range 0-255"
    ),
    (
      "rule to 192.0.2.1/24 lookup main",
      "p.conf:1:9: error: host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)"
    ),
    ("route 192.0.2.1/24 table x", "p.conf:1:7: error: host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)"),
    (
      "route 2001:db8::1/32 table x", "p.conf:1:7: error: host bits set in 2001:db8::1/32 (did you mean 2001:db8::/32?)"
    ),
    (
      "route blackhole 198.51.100.7/25 table x",
      "p.conf:1:17: error: host bits set in 198.51.100.7/25 (did you mean 198.51.100.0/25?)"
    ),
  ])
  func badPrefixes(text: String, message: String) {
    #expect(Self.errors(text) == [message])
  }

  @Test(arguments: [
    (
      "rule dport 70000 lookup main",
      "p.conf:1:12: error: invalid port '70000' (expected N or A-B with numbers from 0 to 65535)"
    ),
    (
      "rule sport http lookup main",
      "p.conf:1:12: error: invalid port 'http' (expected N or A-B with numbers from 0 to 65535)"
    ),
    (
      "rule dport 1-2-3 lookup main",
      "p.conf:1:12: error: invalid port '1-2-3' (expected N or A-B with numbers from 0 to 65535)"
    ),
    (
      "rule dport 80- lookup main",
      "p.conf:1:12: error: invalid port '80-' (expected N or A-B with numbers from 0 to 65535)"
    ),
    (
      "rule dport -80 lookup main",
      "p.conf:1:12: error: invalid port '-80' (expected N or A-B with numbers from 0 to 65535)"
    ),
    ("rule dport 2000-1000 lookup main", "p.conf:1:12: error: invalid port '2000-1000': 2000 is greater than 1000"),
    (
      "rule uidrange 1000 lookup main",
      "p.conf:1:15: error: invalid uid range '1000' (expected A-B with numbers from 0 to 4294967295)"
    ),
    (
      "rule uidrange 0-4294967296 lookup main",
      "p.conf:1:15: error: invalid uid range '0-4294967296' (expected A-B with numbers from 0 to 4294967295)"
    ),
    (
      "rule uidrange 2000-1000 lookup main",
      "p.conf:1:15: error: invalid uid range '2000-1000': 2000 is greater than 1000"
    ),
  ])
  func badPortsAndRanges(text: String, message: String) {
    #expect(Self.errors(text) == [message])
  }

  @Test(arguments: ["0xzz", "1/2/3", "4294967296", "-1", "0x1/", "\"\""])
  func badFwmarks(mark: String) {
    let shown = mark == "\"\"" ? "" : mark
    #expect(
      Self.errors("rule fwmark \(mark) lookup main") == [
        "p.conf:1:13: error: invalid fwmark '\(shown)' (expected VALUE or VALUE/MASK, decimal or 0x hex, up to 32 bits)"
      ])
  }

  @Test(arguments: ["foo", "256", "-1", "TCP"])
  func badIPProtocols(name: String) {
    #expect(
      Self.errors("rule ipproto \(name) lookup main") == [
        "p.conf:1:14: error: unknown IP protocol '\(name)' (use a name such as tcp, udp, icmp, or a number 0-255)"
      ])
  }

  @Test(arguments: [
    (
      "tos 256", "p.conf:1:10: error: invalid tos '256' (expected 0-255, 0x hex, or a DiffServ name such as AF11 or EF)"
    ),
    (
      "tos 0x100",
      "p.conf:1:10: error: invalid tos '0x100' (expected 0-255, 0x hex, or a DiffServ name such as AF11 or EF)"
    ),
    (
      "tos AF99",
      "p.conf:1:10: error: invalid tos 'AF99' (expected 0-255, 0x hex, or a DiffServ name such as AF11 or EF)"
    ),
    (
      "dsfield ef",
      "p.conf:1:14: error: invalid dsfield 'ef' (expected 0-255, 0x hex, or a DiffServ name such as AF11 or EF)"
    ),
  ])
  func badTos(words: String, message: String) {
    #expect(Self.errors("rule \(words) lookup main") == [message])
  }

  @Test(arguments: [
    (
      "uplink isp1 dev eth0 via 2001:db8::1",
      "p.conf:1:26: error: 'via' takes an IPv4 gateway, but 2001:db8::1 is IPv6 (use 'via6')"
    ),
    (
      "uplink isp1 dev eth0 via6 192.0.2.1",
      "p.conf:1:27: error: 'via6' takes an IPv6 gateway, but 192.0.2.1 is IPv4 (use 'via')"
    ),
    (
      "rule from 192.0.2.0/24 to 2001:db8::/32 lookup main",
      "p.conf:1:27: error: 'from 192.0.2.0/24' and 'to 2001:db8::/32' are of different families"
    ),
    ("rule to 2001:db8::/32 family inet lookup main", "p.conf:1:30: error: family inet does not match 2001:db8::/32"),
    ("rule family inet6 from 192.0.2.0/24 lookup main", "p.conf:1:13: error: family inet6 does not match 192.0.2.0/24"),
    ("rule family ipx lookup main", "p.conf:1:13: error: unknown family 'ipx' (expected inet or inet6)"),
  ])
  func familyMismatches(text: String, message: String) {
    #expect(Self.errors(text) == [message])
  }

  @Test(arguments: [
    ("exclude abcdefghijklmnop", "abcdefghijklmnop", 9),
    ("exclude éééééééé", "éééééééé", 9),
    ("uplink isp1 dev eth/0", "eth/0", 17),
    ("rule iif a:b lookup main", "a:b", 10),
    ("rule oif \"a b\" lookup main", "a b", 10),
    ("exclude \"\"", "", 9),
    ("include ..", "..", 9),
    ("include .", ".", 9),
    ("exclude \"a\tb\"", "a\tb", 9),
    ("exclude \"é\u{00A0}x\"", "é\u{00A0}x", 9),
  ])
  func invalidInterfaceNames(text: String, name: String, column: Int) {
    #expect(
      Self.errors(text) == [
        "p.conf:1:\(column): error: invalid interface name '\(name)' (Linux names are 1-15 bytes without '/', ':' or spaces)"
      ])
  }

  @Test func nonASCIINamesWithoutSpacesAreInterfaceNames() {
    #expect(T.statements("exclude wlé0") == [.exclude(T.located("wlé0", 1, 9))])
  }

  @Test func fifteenBytesIsTheLongestInterfaceName() {
    #expect(T.statements("exclude abcdefghijklmno") == [.exclude(T.located("abcdefghijklmno", 1, 9))])
  }

  @Test(arguments: [
    ("uplink 1isp dev eth0", "1isp", 8),
    ("table 100", "100", 7),
    ("table isp/1", "isp/1", 7),
    ("table -isp", "-isp", 7),
    ("table \"my isp\"", "my isp", 7),
    ("table " + String(repeating: "a", count: 64), String(repeating: "a", count: 64), 7),
  ])
  func invalidTableNames(text: String, name: String, column: Int) {
    let message =
      "p.conf:1:\(column): error: '\(name)' is not a valid rt_tables name (use letters, digits, '-', '_' and '.', starting with a letter or '_')"
    #expect(Self.errors(text) == [message])
  }

  @Test func sixtyThreeCharactersIsTheLongestTableName() {
    let name = String(repeating: "a", count: 63)
    #expect(
      T.statements("table \(name)") == [
        .table(TableStatement(location: T.at(1, 1), name: T.located(name, 1, 7), number: nil))
      ])
  }

  @Test(arguments: [
    ("uplink main dev eth0", "main", 8), ("uplink all dev eth0", "all", 8), ("table local", "local", 7),
    ("table default 5", "default", 7), ("table unspec", "unspec", 7),
  ])
  func reservedTableNames(text: String, name: String, column: Int) {
    #expect(Self.errors(text) == ["p.conf:1:\(column): error: '\(name)' is a reserved table name"])
  }

  @Test(arguments: [
    ("rule lookup 1abc", "p.conf:1:13: error: '1abc' is not a table name or number"),
    ("route 192.0.2.0/24 table x/y", "p.conf:1:26: error: 'x/y' is not a table name or number"),
    ("rule fwmark 1 lookup 4294967296", "p.conf:1:22: error: '4294967296' is not a table name or number"),
  ])
  func badTableReferences(text: String, message: String) {
    #expect(Self.errors(text) == [message])
  }

  @Test(arguments: [
    ("table vpn 0", "p.conf:1:11: error: invalid table number '0' (expected a number from 1 to 4294967295)"),
    (
      "uplink isp1 dev eth0 table 4294967296",
      "p.conf:1:28: error: invalid table number '4294967296' (expected a number from 1 to 4294967295)"
    ),
    (
      "uplink isp1 dev eth0 table 0",
      "p.conf:1:28: error: invalid table number '0' (expected a number from 1 to 4294967295)"
    ),
    (
      "uplink isp1 dev eth0 table 0x10",
      "p.conf:1:28: error: invalid table number '0x10' (expected a number from 1 to 4294967295)"
    ),
    (
      "route 192.0.2.0/24 metric -1 table x",
      "p.conf:1:27: error: invalid metric '-1' (expected a number from 0 to 4294967295)"
    ),
    ("rule lookup main priority 0", "p.conf:1:27: error: invalid priority '0' (expected a number from 1 to 32765)"),
    ("rule lookup main pref 32766", "p.conf:1:23: error: invalid priority '32766' (expected a number from 1 to 32765)"),
    ("rule lookup main priority +5", "p.conf:1:27: error: invalid priority '+5' (expected a number from 1 to 32765)"),
    ("rule goto x", "p.conf:1:11: error: invalid priority 'x' (expected a number from 0 to 4294967295)"),
    (
      "rule suppress_prefixlength 129 lookup main",
      "p.conf:1:28: error: invalid prefix length '129' (expected a number from 0 to 128)"
    ),
  ])
  func numbersOutOfRange(text: String, message: String) {
    #expect(Self.errors(text) == [message])
  }

  @Test func aRejectRouteTakesNoGateway() {
    #expect(
      Self.errors("route blackhole 192.0.2.0/24 via 198.51.100.1 table x") == [
        "p.conf:1:34: error: a blackhole route takes no gateway"
      ])
  }

  @Test func anL3mdevRuleTakesNoTable() {
    // The kernel refuses a rule with both (the VRF device names the table), and `ip rule` would print no table.
    #expect(
      Self.errors("rule l3mdev lookup 100") == [
        "p.conf:1:13: error: an 'l3mdev' rule looks up the VRF's own table and takes no 'lookup'"
      ])
  }

  @Test func anUnterminatedQuote() {
    let parsed = T.parse("exclude \"eth0")
    #expect(parsed.messages == ["p.conf:1:9: error: unterminated quote"])
  }

  @Test func quoteErrorsAndGrammarErrorsComeInFileOrder() {
    #expect(
      Self.errors("exclude eth/1\nexclude \"eth2") == [
        "p.conf:1:9: error: invalid interface name 'eth/1' (Linux names are 1-15 bytes without '/', ':' or spaces)",
        "p.conf:2:9: error: unterminated quote",
      ])
  }

  @Test func badValuesInOneRuleAreAllReported() {
    #expect(
      Self.errors("rule from 192.0.2.1/24 dport 70000 fwmark x lookup main") == [
        "p.conf:1:11: error: host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)",
        "p.conf:1:30: error: invalid port '70000' (expected N or A-B with numbers from 0 to 65535)",
        "p.conf:1:43: error: invalid fwmark 'x' (expected VALUE or VALUE/MASK, decimal or 0x hex, up to 32 bits)",
      ])
  }

  @Test func errorsOfAWholeFileComeInFileOrderAndTheGoodStatementsStay() {
    let text = """
      uplink a dev eth0 via 192.0.2
      exclude eth2

      rule from 192.0.2.1/24 \\
        lookup main
      uplnk b dev eth1
      exclude eth/1
      """
    let parsed = T.parse(text)
    #expect(
      parsed.messages == [
        "p.conf:1:23: error: invalid IPv4 address '192.0.2': expected 4 octets, found 3",
        "p.conf:4:11: error: host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)",
        "p.conf:6:1: error: unknown statement 'uplnk' (did you mean 'uplink'?)",
        "p.conf:7:9: error: invalid interface name 'eth/1' (Linux names are 1-15 bytes without '/', ':' or spaces)",
      ])
    #expect(parsed.document.statements.contains(.exclude(T.located("eth2", 2, 9))))
  }
}
