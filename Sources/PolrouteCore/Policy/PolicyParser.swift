/// Parses policy-file text into a `PolicyDocument`, collecting every error with its file position.
public enum PolicyParser {
  /// The statement keywords.
  static let statementKeywords = [
    "uplink", "table", "route", "rule", "exclude", "include", "auto", "balance", "failover",
  ]

  /// Parses a whole file.
  public static func parse(_ text: String, file: String) -> (document: PolicyDocument, diagnostics: [Diagnostic]) {
    let lexed = PolicyLexer.statements(text, file: file)
    let parsed = parse(statements: lexed.statements, file: file)
    return (parsed.document, inFileOrder(lexed.errors + parsed.diagnostics))
  }

  /// Diagnostics sorted by position, keeping the order of those at the same place (the sort is stable).
  public static func inFileOrder(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
    let nowhere = SourceLocation(file: "", line: 0, column: 0)
    return diagnostics.sorted { ($0.location ?? nowhere) < ($1.location ?? nowhere) }
  }

  /// Parses statements already split into tokens (the JSON policy produces these too).
  public static func parse(statements: [[Token]], file: String) -> (document: PolicyDocument, diagnostics: [Diagnostic])
  {
    var diagnostics: [Diagnostic] = []
    var result: [PolicyStatement] = []
    for tokens in statements {
      var parser = StatementParser(tokens: tokens)
      if let statement = parser.statement() { result.append(statement) }
      diagnostics += parser.diagnostics
    }
    return (PolicyDocument(file: file, statements: result), diagnostics)
  }
}

/// Parses the tokens of one statement.
struct StatementParser {
  /// The tokens.
  let tokens: [Token]
  /// The next token's index.
  var index = 0
  /// Errors found.
  var diagnostics: [Diagnostic] = []

  /// Starts at the first token.
  init(tokens: [Token]) {
    self.tokens = tokens
  }

  /// The next token, consumed.
  mutating func next() -> Token? {
    guard index < tokens.count else { return nil }
    defer { index += 1 }
    return tokens[index]
  }

  /// Records an error.
  mutating func error(_ message: String, at location: SourceLocation) {
    diagnostics.append(.error(message, at: location))
  }

  /// The value after a keyword, or an error saying what was expected.
  mutating func value(after keyword: Token, _ what: String) -> Token? {
    guard let token = next() else {
      error("'\(keyword.text.echoed)' needs \(what)", at: keyword.location)
      return nil
    }
    return token
  }

  /// Errors for a word given twice; `seen` maps each canonical word to the keyword first written for it (its text is
  /// what was written: keywords match exactly).
  mutating func once(
    _ seen: inout [(canonical: Keyword, written: Keyword)], _ word: Token, _ keyword: Keyword, canonical: Keyword
  )
    -> Bool
  {
    // A statement has a handful of words: a list of two enums is cheaper than hashing each one.
    guard let first = seen.first(where: { $0.canonical == canonical })?.written else {
      seen.append((canonical, keyword))
      return true
    }
    if canonical == .lookup {
      error("rule has more than one action ('\(first.text.echoed)', then '\(word.text.echoed)')", at: word.location)
    } else if first != keyword {
      error(
        "'\(word.text.echoed)' is another name for '\(first.text.echoed)', which is already given", at: word.location)
    } else {
      error("'\(word.text.echoed)' is given more than once", at: word.location)
    }
    return false
  }

  /// An error for an unknown word, with a suggestion from `candidates`.
  mutating func unknown(_ token: Token, in statement: String, candidates: [String]) {
    let hint = Suggestion.closest(to: token.text, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    error("unknown word '\(token.text.echoed)' in \(statement)\(hint)", at: token.location)
  }

  /// The words of an `uplink` statement.
  static let uplinkWords = ["dev", "table", "via", "via6", "onlink", "realm"]
  /// The keywords of an `uplink` statement.
  static let uplinkKeywords: [Keyword] = [.dev, .table, .via, .via6, .onlink, .realm]
  /// The words of a `route` statement.
  static let routeWords = ["via", "dev", "onlink", "src", "metric", "table", "nexthop"]
  /// The keywords of a `route` statement.
  static let routeKeywords: [Keyword] = [.via, .dev, .onlink, .src, .metric, .table, .nexthop]
  /// The words of a `nexthop` inside a `route` statement.
  static let nexthopWords = ["via", "dev", "weight", "onlink"]
  /// The keywords of a `nexthop`.
  static let nexthopKeywords: [Keyword] = [.via, .dev, .weight, .onlink]
  /// The words of a `rule` statement.
  static let ruleWords =
    RuleSelector.keywords + [
      "suppress_prefixlength", "family", "lookup", "table", "goto", "blackhole", "unreachable", "prohibit", "nop",
      "priority", "pref", "preference", "realm",
    ]

  /// Parses the statement.
  mutating func statement() -> PolicyStatement? {
    guard let keyword = next() else { return nil }
    switch keyword.text {
    case "uplink": return uplink(keyword)
    case "table": return table(keyword)
    case "route": return route(keyword)
    case "rule": return rule(keyword)
    case "exclude", "include":
      guard let nameToken = value(after: keyword, "an interface name"), let name = interfaceName(nameToken) else {
        return nil
      }
      if let extra = next() {
        error("unexpected '\(extra.text.echoed)' after \(keyword.text) \(name.value.echoed)", at: extra.location)
      }
      return keyword.text == "exclude" ? .exclude(name) : .include(name)
    case "auto":
      if let extra = next() { error("'auto' takes no arguments, found '\(extra.text.echoed)'", at: extra.location) }
      return .auto(keyword.location)
    case "balance": return group(keyword, kind: .balance)
    case "failover": return group(keyword, kind: .failover)
    default:
      let hint = Suggestion.closest(to: keyword.text, among: PolicyParser.statementKeywords).map {
        " (did you mean '\($0)'?)"
      }
      error(
        "unknown statement '\(keyword.text.echoed)'"
          + (hint ?? " (expected one of: \(PolicyParser.statementKeywords.joined(separator: ", ")))"),
        at: keyword.location)
      return nil
    }
  }

  /// `uplink NAME dev IFACE [table ID] [via GW] [via6 GW6] [onlink] [realm N]`.
  mutating func uplink(_ keyword: Token) -> PolicyStatement? {
    guard let nameToken = value(after: keyword, "a name") else { return nil }
    let name = tableName(nameToken)
    var device: Located<String>?
    var table: Located<UInt32>?
    var via: Located<IPAddress>?
    var via6: Located<IPAddress>?
    var onlink = false
    var realm: Located<UInt32>?
    var seen: [(canonical: Keyword, written: Keyword)] = []
    while let word = next() {
      // After an unknown or repeated word the rest would be misread (its value as another unknown word): stop.
      guard let keyword = Keyword.named[word.text], Self.uplinkKeywords.contains(keyword) else {
        unknown(word, in: "uplink", candidates: Self.uplinkWords)
        return nil
      }
      guard once(&seen, word, keyword, canonical: keyword) else { return nil }
      switch keyword {
      case .onlink:
        onlink = true
      case .realm:
        // The kernel's accounting (rt_acct) counts realms 0-255; realm 0 is none.
        if let token = value(after: word, "a realm number") { realm = number(token, "realm", range: 1...255) }
      case .dev:
        if let token = value(after: word, "an interface name") { device = interfaceName(token) }
      case .table:
        if let token = value(after: word, "a table number") {
          table = number(token, "table number", range: 1...UInt32.max)
        }
      case .via:
        if let token = value(after: word, "an IPv4 gateway address") {
          via = gateway(token, family: .inet, keyword: "via")
        }
      default:
        if let token = value(after: word, "an IPv6 gateway address") {
          via6 = gateway(token, family: .inet6, keyword: "via6")
        }
      }
    }
    guard let device else {
      if !seen.contains(where: { $0.canonical == .dev }) {
        error("uplink \(nameToken.text) needs 'dev IFACE'", at: keyword.location)
      }
      return nil
    }
    guard let name else { return nil }
    return .uplink(
      UplinkStatement(
        location: keyword.location, name: name, device: device, table: table, via: via, via6: via6, onlink: onlink,
        realm: realm))
  }

  /// `table NAME [ID]`.
  mutating func table(_ keyword: Token) -> PolicyStatement? {
    guard let nameToken = value(after: keyword, "a name") else { return nil }
    let name = tableName(nameToken)
    var number: Located<UInt32>?
    if let token = next() { number = self.number(token, "table number", range: 1...UInt32.max) }
    if let extra = next() {
      error("unexpected '\(extra.text.echoed)' after table \(nameToken.text.echoed)", at: extra.location)
    }
    guard let name else { return nil }
    return .table(TableStatement(location: keyword.location, name: name, number: number))
  }

  /// `route [TYPE] PREFIX [via GW] [dev IFACE] [onlink] [src ADDR] [metric N] table NAME|ID`.
  mutating func route(_ keyword: Token) -> PolicyStatement? {
    guard var destinationToken = value(after: keyword, "a destination prefix") else { return nil }
    var type = RouteType.unicast
    // Only a word can name a type: skip the string comparisons for the prefixes that nearly every route starts with.
    if let first = destinationToken.text.utf8.first, first >= UInt8(ascii: "a"),
      let special = RouteType(rawValue: destinationToken.text),
      [.unicast, .blackhole, .unreachable, .prohibit, .throw].contains(special)
    {
      type = special
      guard let next = value(after: destinationToken, "a destination prefix") else { return nil }
      destinationToken = next
    }
    var via: Located<IPAddress>?
    var device: Located<String>?
    var onlink = false
    var source: Located<IPAddress>?
    var metric: UInt32?
    var table: Located<TableReferenceText>?
    var seen: [(canonical: Keyword, written: Keyword)] = []
    var hops: [NexthopStatement] = []
    // The words of the `nexthop` being read: `via`, `dev`, `weight` and `onlink` after it are its own, as in
    // `ip route`; any other route word ends it.
    var hopSeen: [(canonical: Keyword, written: Keyword)] = []
    while let word = next() {
      let keyword = Keyword.named[word.text]
      if let keyword, !hops.isEmpty, Self.nexthopKeywords.contains(keyword) {
        guard once(&hopSeen, word, keyword, canonical: keyword) else { return nil }
        guard nexthopWord(word, keyword, into: &hops[hops.count - 1]) else { return nil }
        continue
      }
      if keyword == .nexthop {
        if let single = seen.first(where: { [.via, .dev, .onlink].contains($0.canonical) }) {
          error(
            "'\(single.written.text)' goes inside each 'nexthop' of a multipath route"
              + " (route PREFIX nexthop via GW dev IFACE weight N nexthop ...)",
            at: word.location)
          return nil
        }
        guard type == .unicast else {
          error("a \(type.rawValue) route takes no 'nexthop'", at: word.location)
          return nil
        }
        if let last = hops.last, last.via == nil, last.device == nil {
          error("'nexthop' needs 'via GW' or 'dev IFACE'", at: last.location)
          return nil
        }
        hops.append(NexthopStatement(location: word.location))
        hopSeen = []
        continue
      }
      // After an unknown or repeated word the rest would be misread (its value as another unknown word): stop.
      guard let keyword, Self.routeKeywords.contains(keyword) else {
        if keyword == .weight {
          error("'weight' belongs to a 'nexthop' (route PREFIX nexthop via GW weight N ...)", at: word.location)
        } else {
          unknown(
            word, in: hops.isEmpty ? "route" : "nexthop",
            candidates: hops.isEmpty ? Self.routeWords : Self.nexthopWords + Self.routeWords)
        }
        return nil
      }
      guard once(&seen, word, keyword, canonical: keyword) else { return nil }
      switch keyword {
      case .onlink: onlink = true
      case .via:
        if let token = value(after: word, "a gateway address") { via = address(token, what: "gateway address") }
      case .dev:
        if let token = value(after: word, "an interface name") { device = interfaceName(token) }
      case .src:
        if let token = value(after: word, "a source address") { source = address(token, what: "source address") }
      case .metric:
        if let token = value(after: word, "a number") { metric = number(token, "metric", range: 0...UInt32.max)?.value }
      default:
        if let token = value(after: word, "a table name or number") { table = tableReference(token) }
      }
    }
    if let last = hops.last, last.via == nil, last.device == nil {
      error("'nexthop' needs 'via GW' or 'dev IFACE'", at: last.location)
      return nil
    }
    let family = via?.value.family ?? hops.lazy.compactMap(\.via).first?.value.family ?? source?.value.family ?? .inet
    guard let destination = destinationPrefix(destinationToken, family: family) else { return nil }
    guard let table else {
      if !seen.contains(where: { $0.canonical == .table }) {
        error(
          "route \(destinationToken.text) needs 'table NAME|ID' (polroute never changes table main)",
          at: keyword.location)
      }
      return nil
    }
    if type != .unicast, let via {
      error("a \(type.rawValue) route takes no gateway", at: via.location)
    }
    return .route(
      RouteStatement(
        location: keyword.location, type: type, destination: destination, via: via, device: device, onlink: onlink,
        source: source, metric: metric, table: table, nexthops: hops))
  }

  /// One word of a `nexthop` (its value read too); false after an error that makes the rest unreadable.
  mutating func nexthopWord(_ word: Token, _ keyword: Keyword, into hop: inout NexthopStatement) -> Bool {
    switch keyword {
    case .onlink: hop.onlink = true
    case .via:
      guard let token = value(after: word, "a gateway address") else { return false }
      hop.via = address(token, what: "gateway address")
      return hop.via != nil
    case .dev:
      guard let token = value(after: word, "an interface name") else { return false }
      hop.device = interfaceName(token)
      return hop.device != nil
    default:
      // The kernel takes weights 1-256 (it stores weight - 1 in a byte).
      guard let token = value(after: word, "a weight from 1 to 256") else { return false }
      hop.weight = number(token, "weight", range: 1...256)
      return hop.weight != nil
    }
    return true
  }

  /// The words of a `balance` statement.
  static let balanceWords = ["uplinks", "table", "hash", "rules-only"]
  /// The words of a `failover` statement.
  static let failoverWords = ["uplinks", "table", "rules-only"]
  /// The words that end a group's list of uplinks.
  static let groupWords: Set<String> = Set(balanceWords + failoverWords)

  /// `balance NAME uplinks U[:W]... [table ID] [hash layer3|layer4] [rules-only]`, or
  /// `failover NAME uplinks PRIMARY BACKUP... [table ID] [rules-only]`.
  mutating func group(_ keyword: Token, kind: GroupKind) -> PolicyStatement? {
    let statement = kind.rawValue
    guard let nameToken = value(after: keyword, "a name") else { return nil }
    let name = tableName(nameToken)
    let words = kind == .balance ? Self.balanceWords : Self.failoverWords
    var table: Located<UInt32>?
    var members: [GroupMember]?
    var hash: Located<MultipathHash>?
    var rulesOnly = false
    var seen: Set<String> = []
    var failed = false
    while let word = next() {
      guard words.contains(word.text) else {
        if word.text == "hash" {
          error(
            "'hash' is for 'balance': a failover group sends everything through one uplink at a time",
            at: word.location)
        } else {
          unknown(word, in: statement, candidates: words)
        }
        return nil
      }
      guard seen.insert(word.text).inserted else {
        error("'\(word.text)' is given more than once", at: word.location)
        return nil
      }
      switch word.text {
      case "rules-only": rulesOnly = true
      case "table":
        guard let token = value(after: word, "a table number") else { return nil }
        table = number(token, "table number", range: 1...UInt32.max)
        if table == nil { failed = true }
      case "hash":
        guard let token = value(after: word, "layer3 or layer4") else { return nil }
        guard let value = MultipathHash(rawValue: token.text) else {
          let hint = Suggestion.closest(to: token.text, among: MultipathHash.allCases.map(\.rawValue)).map {
            " (did you mean '\($0)'?)"
          }
          error("unknown hash '\(token.text)'\(hint ?? " (expected layer3 or layer4)")", at: token.location)
          return nil
        }
        hash = Located(value, at: token.location)
      default:
        var list: [GroupMember] = []
        // The uplinks run to the next word of a group statement (a word of the other kind is refused above).
        while index < tokens.count, !Self.groupWords.contains(tokens[index].text) {
          let token = next()!
          if token.text.utf8.first.map({ $0 >= 0x30 && $0 <= 0x39 }) == true, let last = list.last,
            let meant = Suggestion.closest(to: last.name.value, among: words)
          {
            // `tabel 5`: a number is no uplink, and the word before it was a misspelt keyword.
            error(
              "unknown word '\(last.name.value)' in \(statement) (did you mean '\(meant)'?)", at: last.name.location)
            return nil
          }
          guard let member = groupMember(token, kind: kind) else {
            failed = true
            continue
          }
          if let first = list.first(where: { $0.name.value == member.name.value }) {
            error(
              "uplink '\(member.name.value)' is listed twice in \(statement) \(nameToken.text) (first at column "
                + "\(first.name.location.column))", at: member.name.location)
            failed = true
            continue
          }
          list.append(member)
        }
        if list.isEmpty && !failed {
          error("'uplinks' needs the names of uplinks", at: word.location)
          return nil
        }
        members = list
      }
    }
    guard let members else {
      if !failed {
        let shape = kind == .balance ? "uplinks NAME[:WEIGHT] NAME[:WEIGHT]..." : "uplinks PRIMARY BACKUP..."
        error("\(statement) \(nameToken.text) needs '\(shape)'", at: keyword.location)
      }
      return nil
    }
    if !failed, members.count < 2 {
      error(
        "\(statement) \(nameToken.text) needs at least two uplinks (one uplink needs no group: its own table is "
          + "'\(members[0].name.value)')", at: members[0].name.location)
      return nil
    }
    guard let name, !failed else { return nil }
    return .group(
      GroupStatement(
        location: keyword.location, kind: kind, name: name, table: table, members: members, hash: hash,
        rulesOnly: rulesOnly))
  }

  /// `NAME` or (in a balance) `NAME:WEIGHT`.
  mutating func groupMember(_ token: Token, kind: GroupKind) -> GroupMember? {
    let parts = token.text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    let nameText = String(parts[0])
    guard RoutingTableFile.isValidName(nameText) else {
      error("'\(nameText)' is not an uplink name", at: token.location)
      return nil
    }
    let name = Located(nameText, at: token.location)
    guard parts.count == 2 else { return GroupMember(name: name, weight: nil) }
    let weightLocation = SourceLocation(
      file: token.location.file, line: token.location.line, column: token.location.column + nameText.count + 1)
    guard kind == .balance else {
      error(
        "a failover group takes no weights: the uplinks are used in the order given (did you mean 'balance'?)",
        at: weightLocation)
      return nil
    }
    guard let weight = number(Token(String(parts[1]), at: weightLocation), "weight", range: 1...256) else {
      return nil
    }
    return GroupMember(name: name, weight: weight)
  }

  /// `rule SELECTOR... ACTION [priority N] [realm N]`.
  mutating func rule(_ keyword: Token) -> PolicyStatement? {
    var rule = RuleStatement(location: keyword.location)
    var seen: [(canonical: Keyword, written: Keyword)] = []
    var failed = false
    while let word = next() {
      // After an unknown or repeated word the rest would be misread (its value as another unknown word): stop.
      guard let keyword = Keyword.named[word.text], keyword.isRuleWord else {
        unknown(word, in: "rule", candidates: Self.ruleWords)
        return nil
      }
      // Spellings of one selector, and all the actions, count as one word for "given twice".
      let canonical: Keyword
      switch keyword {
      case .dsfield: canonical = .tos
      case .pref, .preference: canonical = .priority
      case .lookup, .table, .goto, .blackhole, .unreachable, .prohibit, .nop: canonical = .lookup
      default: canonical = keyword
      }
      guard once(&seen, word, keyword, canonical: canonical) else { return nil }
      if canonical == .lookup { rule.actionLocation = word.location }
      switch keyword {
      case .not: rule.selector.invert = true
      case .l3mdev: rule.selector.l3mdev = true
      case .blackhole: rule.action = .blackhole
      case .unreachable: rule.action = .unreachable
      case .prohibit: rule.action = .prohibit
      case .nop: rule.action = .nop
      case .from, .to:
        guard let token = value(after: word, "a prefix or 'all'") else { return nil }
        if token.text == "all" { continue }
        guard let prefix = prefix(token) else {
          failed = true
          continue
        }
        if prefix.value.isDefault {
          // The kernel stores a zero-length selector as none at all ("all"); keep only the family it implies.
          if rule.family == nil { rule.family = Located(prefix.value.family, at: prefix.location) }
          continue
        }
        if keyword == .from {
          rule.selector.source = prefix.value
          rule.selectorLocations[.source] = prefix.location
        } else {
          rule.selector.destination = prefix.value
          rule.selectorLocations[.destination] = prefix.location
        }
      case .tos, .dsfield:
        guard let token = value(after: word, "a value") else { return nil }
        if let tos = tosValue(token, keyword: word.text) {
          rule.selector.tos = tos
          rule.selectorLocations[.tos] = token.location
        } else {
          failed = true
        }
      case .fwmark:
        guard let token = value(after: word, "a mark (VALUE or VALUE/MASK)") else { return nil }
        if let (mark, mask) = fwmark(token) {
          rule.selector.fwmark = mark
          rule.selector.fwmask = mask
        } else {
          failed = true
        }
      case .iif, .oif:
        guard let token = value(after: word, "an interface name") else { return nil }
        guard let name = interfaceName(token) else {
          failed = true
          continue
        }
        if keyword == .iif {
          rule.selector.inputInterface = name.value
          rule.selectorLocations[.inputInterface] = name.location
        } else {
          rule.selector.outputInterface = name.value
          rule.selectorLocations[.outputInterface] = name.location
        }
      case .uidrange:
        guard let token = value(after: word, "a range A-B") else { return nil }
        if let range = range(token, "uid range", maximum: UInt32.max, requireDash: true) {
          rule.selector.uidRange = range
        } else {
          failed = true
        }
      case .ipproto:
        guard let token = value(after: word, "a protocol name or number") else { return nil }
        if let number = IPProtocolNames.numbers[token.text] ?? UInt8(token.text) {
          rule.selector.ipProtocol = number
        } else {
          error(
            "unknown IP protocol '\(token.text.echoed)' (use a name such as tcp, udp, icmp, or a number 0-255)",
            at: token.location)
          failed = true
        }
      case .sport, .dport:
        guard let token = value(after: word, "a port or range A-B") else { return nil }
        if let range = range(token, "port", maximum: 65535, requireDash: false) {
          if keyword == .sport { rule.selector.sourcePort = range } else { rule.selector.destinationPort = range }
        } else {
          failed = true
        }
      case .suppressPrefixLength:
        guard let token = value(after: word, "a prefix length") else { return nil }
        if let length = number(token, "prefix length", range: 0...128) {
          rule.suppressPrefixLength = Int(length.value)
        } else {
          failed = true
        }
      case .family:
        guard let token = value(after: word, "inet or inet6") else { return nil }
        switch token.text {
        case "inet", "ipv4", "4": rule.family = Located(.inet, at: token.location)
        case "inet6", "ipv6", "6": rule.family = Located(.inet6, at: token.location)
        default:
          error("unknown family '\(token.text.echoed)' (expected inet or inet6)", at: token.location)
          failed = true
        }
      case .lookup, .table:
        guard let token = value(after: word, "a table name or number") else { return nil }
        if let table = tableReference(token) { rule.action = .lookup(table) } else { failed = true }
      case .goto:
        guard let token = value(after: word, "a rule priority") else { return nil }
        if let target = number(token, "priority", range: 0...UInt32.max) {
          rule.action = .goto(target.value)
        } else {
          failed = true
        }
      case .priority, .pref, .preference:
        guard let token = value(after: word, "a priority number") else { return nil }
        if let priority = number(token, "priority", range: 1...32765) {
          rule.priority = priority
        } else {
          failed = true
        }
      case .realm:
        guard let token = value(after: word, "a realm number") else { return nil }
        // As on uplinks: the kernel's accounting counts realms 0-255, and realm 0 is none.
        if let realm = number(token, "realm", range: 1...255) { rule.realm = realm } else { failed = true }
      case .dev, .via, .via6, .onlink, .src, .metric, .nexthop, .weight:
        break  // not rule words: refused above
      }
    }
    if let source = rule.selector.source, let destination = rule.selector.destination,
      source.family != destination.family
    {
      error(
        "'from \(source)' and 'to \(destination)' are of different families",
        at: rule.selectorLocations[.destination] ?? keyword.location)
      failed = true
    }
    if let family = rule.family, let address = rule.selector.source ?? rule.selector.destination,
      address.family != family.value
    {
      // Also catches `from 0.0.0.0/0 to 2001:db8::/32`: the zero-length prefix set the family.
      error("family \(family.value.rawValue) does not match \(address)", at: family.location)
      failed = true
    }
    if case .lookup? = rule.action, rule.selector.l3mdev, let location = rule.actionLocation {
      // The kernel refuses a table with l3mdev: the VRF device the packet arrived on names the table.
      error("an 'l3mdev' rule looks up the VRF's own table and takes no 'lookup'", at: location)
      failed = true
    }
    if let realm = rule.realm, rule.families == [.inet6] {
      error("'realm' on an IPv6 rule: the kernel keeps realms for IPv4 rules only", at: realm.location)
      failed = true
    }
    // A bad value after an action word was reported already; only a rule without any action word lacks one.
    if rule.actionLocation == nil && !rule.selector.l3mdev {
      error("rule needs an action: lookup TABLE, goto N, blackhole, unreachable, prohibit or nop", at: keyword.location)
      failed = true
    }
    return failed ? nil : .rule(rule)
  }

  // MARK: Values

  /// A Linux interface name: 1 to 15 bytes, no `/`, `:`, whitespace or quotes, not `.` or `..`.
  mutating func interfaceName(_ token: Token) -> Located<String>? {
    let name = token.text
    let bytes = name.utf8.count
    if bytes == 0 || bytes > 15 || name == "." || name == ".."
      || Self.hasForbiddenInterfaceCharacter(name)
    {
      error(
        "invalid interface name '\(name.echoed)' (Linux names are 1-15 bytes without '/', ':' or spaces)",
        at: token.location)
      return nil
    }
    return Located(name, at: token.location)
  }

  /// Whether a name holds `/`, `:` or white space. ASCII names, nearly all of them, are checked byte by byte:
  /// checking Characters cost more than the rest of a policy line.
  static func hasForbiddenInterfaceCharacter(_ name: String) -> Bool {
    let bytes = name.utf8
    guard bytes.allSatisfy({ $0 < 0x80 }) else {
      return name.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace })
    }
    return bytes.contains(where: {
      $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 == 0x20 || (0x09...0x0D).contains($0)
    })
  }

  /// A name for rt_tables.
  mutating func tableName(_ token: Token) -> Located<String>? {
    guard RoutingTableFile.isValidName(token.text) else {
      error(
        "'\(token.text.echoed)' is not a valid rt_tables name"
          + " (use letters, digits, '-', '_' and '.', starting with a letter or '_')",
        at: token.location)
      return nil
    }
    guard !RoutingTable.reservedNames.contains(token.text) else {
      error("'\(token.text.echoed)' is a reserved table name", at: token.location)
      return nil
    }
    return Located(token.text, at: token.location)
  }

  /// A table named by number or name.
  mutating func tableReference(_ token: Token) -> Located<TableReferenceText>? {
    if let number = UInt32(token.text) { return Located(.number(number), at: token.location) }
    guard RoutingTableFile.isValidName(token.text) else {
      error("'\(token.text.echoed)' is not a table name or number", at: token.location)
      return nil
    }
    return Located(.name(token.text), at: token.location)
  }

  /// A decimal number in a range.
  mutating func number(_ token: Token, _ what: String, range: ClosedRange<UInt32>) -> Located<UInt32>? {
    guard token.text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = UInt32(token.text),
      range.contains(value)
    else {
      error(
        "invalid \(what) '\(token.text.echoed)' (expected a number from \(range.lowerBound) to \(range.upperBound))",
        at: token.location)
      return nil
    }
    return Located(value, at: token.location)
  }

  /// An address.
  mutating func address(_ token: Token, what: String) -> Located<IPAddress>? {
    do {
      return Located(try IPAddress(parsing: token.text), at: token.location)
    } catch {
      self.error("\(error)", at: token.location)
      return nil
    }
  }

  /// A gateway of a given family.
  mutating func gateway(_ token: Token, family: AddressFamily, keyword: String) -> Located<IPAddress>? {
    guard let address = address(token, what: "gateway") else { return nil }
    guard address.value.family == family else {
      let other = family == .inet ? "via6" : "via"
      error(
        "'\(keyword.echoed)' takes an \(family.displayName) gateway, but \(address.value) is"
          + " \(address.value.family.displayName) (use '\(other.echoed)')",
        at: token.location)
      return nil
    }
    return address
  }

  /// A prefix, refusing host bits.
  mutating func prefix(_ token: Token) -> Located<IPPrefix>? {
    do {
      return Located(try IPPrefix(parsing: token.text), at: token.location)
    } catch {
      self.error("\(error)", at: token.location)
      return nil
    }
  }

  /// A route destination: `default` (of the gateway's family) or a prefix.
  mutating func destinationPrefix(_ token: Token, family: AddressFamily) -> Located<IPPrefix>? {
    if token.text == "default" { return Located(.defaultRoute(family), at: token.location) }
    return prefix(token)
  }

  /// `N` or `A-B`, at most `maximum`.
  mutating func range(_ token: Token, _ what: String, maximum: UInt32, requireDash: Bool) -> NumberRange? {
    let parts = token.text.split(separator: "-", omittingEmptySubsequences: false)
    let numbers = parts.map { part in part.allSatisfy({ $0.isASCII && $0.isNumber }) ? UInt32(part) : nil }
    guard requireDash ? parts.count == 2 : (1...2).contains(parts.count), numbers.allSatisfy({ $0 != nil }),
      let start = numbers.first!, let end = numbers.last!, end <= maximum
    else {
      let shape = requireDash ? "A-B" : "N or A-B"
      error(
        "invalid \(what) '\(token.text.echoed)' (expected \(shape) with numbers from 0 to \(maximum))",
        at: token.location)
      return nil
    }
    guard start <= end else {
      error("invalid \(what) '\(token.text.echoed)': \(start) is greater than \(end)", at: token.location)
      return nil
    }
    return NumberRange(start, end)
  }

  /// `VALUE` or `VALUE/MASK`, decimal or 0x hex.
  mutating func fwmark(_ token: Token) -> (UInt32, UInt32?)? {
    let parts = token.text.split(separator: "/", omittingEmptySubsequences: false)
    let values = parts.map { NumberText.unsigned32(String($0)) }
    guard (1...2).contains(parts.count), values.allSatisfy({ $0 != nil }) else {
      error(
        "invalid fwmark '\(token.text.echoed)' (expected VALUE or VALUE/MASK, decimal or 0x hex, up to 32 bits)",
        at: token.location)
      return nil
    }
    return (values[0]!, values.count == 2 ? values[1]! : nil)
  }

  /// A tos/dsfield value: hex, decimal, or a DiffServ name; messages name the keyword as written.
  mutating func tosValue(_ token: Token, keyword: String) -> UInt8? {
    guard let value = NumberText.dsfield(token.text) else {
      error(
        "invalid \(keyword) '\(token.text.echoed)' (expected 0-255, 0x hex, or a DiffServ name such as AF11 or EF)",
        at: token.location)
      return nil
    }
    return value
  }
}

/// A word after a statement's first words, classified with one hash lookup: comparing the text with every word a
/// statement allows, and again in a `switch`, was most of the cost of parsing a policy of thousands of rules.
enum Keyword: Hashable, CaseIterable {
  case dev, table, via, via6, onlink, src, metric, realm, nexthop, weight
  case not, from, to, tos, dsfield, fwmark, iif, oif, uidrange, ipproto, sport, dport, l3mdev, suppressPrefixLength
  case family, lookup, goto, blackhole, unreachable, prohibit, nop, priority, pref, preference

  /// The word as a policy writes it.
  var text: String {
    switch self {
    case .suppressPrefixLength: "suppress_prefixlength"
    default: "\(self)"
    }
  }

  /// Every keyword by its text.
  static let named: [String: Keyword] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.text, $0) })

  /// Whether a `rule` statement takes the word.
  var isRuleWord: Bool {
    switch self {
    case .dev, .via, .via6, .onlink, .src, .metric, .nexthop, .weight: false
    default: true
    }
  }
}
