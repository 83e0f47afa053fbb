/// Parses site-file text into a `SiteDocument`, collecting every error with its file position. The lexical
/// conventions are the policy file's (`PolicyLexer`): one statement a line, `\` continues it, `#` comments, double
/// quotes; values are read by the policy parser's own helpers, so addresses and numbers get the same messages.
public enum SiteParser {
  /// The statement keywords.
  static let statementKeywords = ["site", "announce", "provider", "prefer"]

  /// Parses a whole file.
  public static func parse(_ text: String, file: String) -> (document: SiteDocument, diagnostics: [Diagnostic]) {
    let lexed = PolicyLexer.statements(text, file: file)
    let parsed = parse(statements: lexed.statements, file: file)
    return (parsed.document, PolicyParser.inFileOrder(lexed.errors + parsed.diagnostics))
  }

  /// Parses statements already split into tokens (the JSON site form produces these too).
  public static func parse(statements: [[Token]], file: String) -> (document: SiteDocument, diagnostics: [Diagnostic]) {
    var diagnostics: [Diagnostic] = []
    var result: [SiteStatement] = []
    for tokens in statements {
      var parser = SiteStatementParser(tokens: tokens)
      if let statement = parser.statement() { result.append(statement) }
      diagnostics += parser.values.diagnostics
    }
    return (SiteDocument(file: file, statements: result), diagnostics)
  }

  /// Whether a provider name can be used in FRR's route-map and prefix-list names: letters, digits, `-`, `_` and
  /// `.`, starting with a letter, at most 32 characters.
  public static func isValidProviderName(_ name: String) -> Bool {
    guard let first = name.utf8.first, name.utf8.count <= 32 else { return false }
    let letter = { (byte: UInt8) in (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
    return letter(first)
      && name.utf8.allSatisfy { letter($0) || (0x30...0x39).contains($0) || [0x2D, 0x2E, 0x5F].contains($0) }
  }
}

/// Parses the tokens of one site statement.
struct SiteStatementParser {
  /// The token cursor and value readers, shared with the policy parser.
  var values: StatementParser

  /// Starts at the first token.
  init(tokens: [Token]) {
    values = StatementParser(tokens: tokens)
  }

  /// The words of a `site` statement.
  static let siteWords = ["as", "router-id", "prepend"]
  /// The words of an `announce` statement.
  static let announceWords = ["via"]
  /// The words of a `provider` statement.
  static let providerWords = ["neighbor", "as", "role", "backup-community"]
  /// The words of a `prefer` statement.
  static let preferWords = ["via"]
  /// The largest prepend count: more never helps (the checks warn from 6 on).
  static let maximumPrepend: UInt32 = 10

  /// Parses the statement.
  mutating func statement() -> SiteStatement? {
    guard let keyword = values.next() else { return nil }
    switch keyword.text {
    case "site": return site(keyword)
    case "announce": return announce(keyword)
    case "provider": return provider(keyword)
    case "prefer": return prefer(keyword)
    default:
      let hint = Suggestion.closest(to: keyword.text, among: SiteParser.statementKeywords).map {
        " (did you mean '\($0)'?)"
      }
      values.error(
        "unknown statement '\(keyword.text.echoed)'"
          + (hint ?? " (expected one of: \(SiteParser.statementKeywords.joined(separator: ", ")))"),
        at: keyword.location)
      return nil
    }
  }

  /// The next keyword of a statement, or nil at the end or after an error (an unknown or repeated word: the rest
  /// would be misread, its value as another unknown word).
  mutating func nextWord(in statement: String, words: [String], seen: inout [String]) -> Token?? {
    guard let word = values.next() else { return .some(nil) }
    guard words.contains(word.text) else {
      values.unknown(word, in: statement, candidates: words)
      return nil
    }
    guard !seen.contains(word.text) else {
      values.error("'\(word.text.echoed)' is given more than once", at: word.location)
      return nil
    }
    seen.append(word.text)
    return .some(word)
  }

  /// `site as ASN [router-id ADDR] [prepend N]`.
  mutating func site(_ keyword: Token) -> SiteStatement? {
    var asn: Located<UInt32>?
    var routerID: Located<IPAddress>?
    var prepend: Located<UInt32>?
    var seen: [String] = []
    var failed = false
    while true {
      guard let next = nextWord(in: "site", words: Self.siteWords, seen: &seen) else { return nil }
      guard let word = next else { break }
      switch word.text {
      case "as":
        guard let token = values.value(after: word, "an AS number") else { return nil }
        asn = asNumber(token)
        failed = failed || asn == nil
      case "router-id":
        guard let token = values.value(after: word, "an IPv4 address") else { return nil }
        routerID = self.routerID(token)
        failed = failed || routerID == nil
      default:
        guard let token = values.value(after: word, "a count") else { return nil }
        prepend = values.number(token, "prepend count", range: 0...Self.maximumPrepend)
        failed = failed || prepend == nil
      }
    }
    guard let asn else {
      if !seen.contains("as") { values.error("'site' needs 'as ASN'", at: keyword.location) }
      return nil
    }
    if failed { return nil }
    return .site(SiteSettingsStatement(location: keyword.location, asn: asn, routerID: routerID, prepend: prepend))
  }

  /// `announce PREFIX [via PROVIDER]`.
  mutating func announce(_ keyword: Token) -> SiteStatement? {
    guard let prefixToken = values.value(after: keyword, "a prefix") else { return nil }
    let prefix = values.prefix(prefixToken)
    var via: Located<String>?
    var seen: [String] = []
    while true {
      guard let next = nextWord(in: "announce", words: Self.announceWords, seen: &seen) else { return nil }
      guard let word = next else { break }
      guard let token = values.value(after: word, "a provider name") else { return nil }
      via = Located(token.text, at: token.location)
    }
    guard let prefix else { return nil }
    return .announce(SiteAnnouncement(location: keyword.location, prefix: prefix, via: via))
  }

  /// `provider NAME neighbor ADDR as ASN role ROLE [backup-community COMMUNITY]`.
  mutating func provider(_ keyword: Token) -> SiteStatement? {
    guard let nameToken = values.value(after: keyword, "a name") else { return nil }
    var failed = false
    if !SiteParser.isValidProviderName(nameToken.text) {
      values.error(
        "'\(nameToken.text.echoed)' is not a valid provider name"
          + " (use up to 32 letters, digits, '-', '_' and '.', starting with a letter)",
        at: nameToken.location)
      failed = true
    }
    var neighbor: Located<IPAddress>?
    var asn: Located<UInt32>?
    var role: Located<ProviderRole>?
    var community: Located<BGPCommunity>?
    var seen: [String] = []
    while true {
      guard let next = nextWord(in: "provider", words: Self.providerWords, seen: &seen) else { return nil }
      guard let word = next else { break }
      switch word.text {
      case "neighbor":
        guard let token = values.value(after: word, "an address") else { return nil }
        neighbor = neighborAddress(token)
        if neighbor == nil { failed = true }
      case "as":
        guard let token = values.value(after: word, "an AS number") else { return nil }
        asn = asNumber(token)
        if asn == nil { failed = true }
      case "role":
        guard let token = values.value(after: word, "primary, backup or load-shared") else { return nil }
        role = self.role(token)
        if role == nil { failed = true }
      default:
        guard let token = values.value(after: word, "a community (ASN:VALUE)") else { return nil }
        community = self.community(token)
        if community == nil { failed = true }
      }
    }
    for (word, shape) in [("neighbor", "ADDR"), ("as", "ASN"), ("role", "primary|backup|load-shared")]
    where !seen.contains(word) {
      values.error("provider \(nameToken.text) needs '\(word) \(shape)'", at: keyword.location)
      failed = true
    }
    guard !failed, let neighbor, let asn, let role else { return nil }
    return .provider(
      SiteProvider(
        location: keyword.location, name: Located(nameToken.text, at: nameToken.location), neighbor: neighbor,
        asn: asn, role: role, backupCommunity: community))
  }

  /// `prefer PREFIX via PROVIDER`.
  mutating func prefer(_ keyword: Token) -> SiteStatement? {
    guard let prefixToken = values.value(after: keyword, "a destination prefix") else { return nil }
    let destination = values.prefix(prefixToken)
    var via: Located<String>?
    var seen: [String] = []
    while true {
      guard let next = nextWord(in: "prefer", words: Self.preferWords, seen: &seen) else { return nil }
      guard let word = next else { break }
      guard let token = values.value(after: word, "a provider name") else { return nil }
      via = Located(token.text, at: token.location)
    }
    guard let via else {
      if destination != nil {
        values.error("prefer \(prefixToken.text) needs 'via PROVIDER'", at: keyword.location)
      }
      return nil
    }
    guard let destination else { return nil }
    return .prefer(SitePreference(location: keyword.location, destination: destination, via: via))
  }

  // MARK: Values

  /// An AS number: a plain number from 1 to 4294967295 that is not reserved. FRR 8 reads no asdot (`1.10`), so
  /// that form gets the plain number as a hint.
  mutating func asNumber(_ token: Token) -> Located<UInt32>? {
    let text = token.text
    let digits = { (part: Substring) in !part.isEmpty && part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
    guard digits(Substring(text)), let asn = UInt32(text) else {
      let parts = text.split(separator: ".", omittingEmptySubsequences: false)
      if parts.count == 2, digits(parts[0]), digits(parts[1]), let high = UInt16(parts[0]),
        let low = UInt16(parts[1])
      {
        values.error(
          "invalid AS number '\(text.echoed)' (FRR takes plain numbers: did you mean "
            + "\(UInt32(high) << 16 | UInt32(low))?)",
          at: token.location)
      } else {
        values.error("invalid AS number '\(text.echoed)' (expected a number from 1 to 4294967295)", at: token.location)
      }
      return nil
    }
    if let reason = ASNumbers.reserved(asn) {
      values.error("\(reason) and cannot be used", at: token.location)
      return nil
    }
    return Located(asn, at: token.location)
  }

  /// A router ID: an IPv4 address.
  mutating func routerID(_ token: Token) -> Located<IPAddress>? {
    guard let address = values.address(token, what: "router ID") else { return nil }
    guard address.value.family == .inet else {
      values.error("a router ID is an IPv4 address, but \(address.value) is IPv6", at: token.location)
      return nil
    }
    return address
  }

  /// A neighbor address: a global unicast address of either family.
  mutating func neighborAddress(_ token: Token) -> Located<IPAddress>? {
    guard let address = values.address(token, what: "neighbor address") else { return nil }
    if case .v6(let v6) = address.value, v6.isLinkLocal {
      values.error(
        "neighbor \(address.value) is link-local: give the provider's global address"
          + " (a link-local session needs an interface, which a site file does not name)",
        at: token.location)
      return nil
    }
    guard address.value.isGlobalUnicast else {
      values.error(
        "neighbor \(address.value) is not a unicast address a provider can have"
          + " (loopback, multicast, broadcast or unspecified)",
        at: token.location)
      return nil
    }
    return address
  }

  /// `primary`, `backup` or `load-shared`.
  mutating func role(_ token: Token) -> Located<ProviderRole>? {
    guard let role = ProviderRole(rawValue: token.text) else {
      let names = ProviderRole.allCases.map(\.rawValue)
      let hint =
        Suggestion.closest(to: token.text, among: names).map { "did you mean '\($0)'?" }
        ?? "expected primary, backup or load-shared"
      values.error("unknown role '\(token.text.echoed)' (\(hint))", at: token.location)
      return nil
    }
    return Located(role, at: token.location)
  }

  /// A standard or large community.
  mutating func community(_ token: Token) -> Located<BGPCommunity>? {
    guard let community = BGPCommunity(token.text) else {
      values.error(
        "invalid community '\(token.text.echoed)' (expected ASN:VALUE with numbers from 0 to 65535,"
          + " or a large community GLOBAL:LOCAL1:LOCAL2 with numbers from 0 to 4294967295)",
        at: token.location)
      return nil
    }
    return Located(community, at: token.location)
  }
}
