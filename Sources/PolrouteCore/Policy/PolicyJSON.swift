/// A JSON value that remembers where it was written, for error messages with positions.
indirect enum LocatedJSON {
  /// An object: its members in order, each with the key's offset.
  case object([(key: String, keyOffset: Int, value: LocatedJSON)], offset: Int)
  /// An array.
  case array([LocatedJSON], offset: Int)
  /// A string.
  case string(String, offset: Int)
  /// A number, as written.
  case number(String, offset: Int)
  /// true or false.
  case bool(Bool, offset: Int)
  /// null.
  case null(offset: Int)

  /// Where the value starts.
  var offset: Int {
    switch self {
    case .object(_, let offset), .array(_, let offset), .string(_, let offset), .number(_, let offset),
      .bool(_, let offset),
      .null(let offset):
      return offset
    }
  }

  /// Reads a whole document: one value and nothing after it; a malformed one gives the error at its position.
  static func document(_ bytes: [UInt8], location: (Int) -> SourceLocation) -> Result<LocatedJSON, DocumentError> {
    let result = bytes.withUnsafeBytes { buffer -> Result<LocatedJSON, JSONScanError> in
      var scanner = JSONScanner(buffer)
      do throws(JSONScanError) {
        let value = try LocatedJSON.parse(&scanner)
        guard scanner.atEnd() else {
          throw .unexpected(
            byte: buffer[scanner.position], offset: scanner.position, expected: "the end of the document")
        }
        return .success(value)
      } catch {
        return .failure(error)
      }
    }
    switch result {
    case .success(let value): return .success(value)
    case .failure(let error):
      let (offset, message): (Int, String)
      switch error {
      case .truncated: (offset, message) = (bytes.count, "the JSON document ends too early")
      case .unexpected(_, let at, let expected):
        (offset, message) = (
          at, "invalid JSON: found '\(PolicyJSON.character(at: at, in: bytes))', expected \(expected)"
        )
      case .wrongType(let field, let at, let expected):
        (offset, message) = (at, "invalid JSON: \(field) should be \(expected)")
      case .nestedTooDeep(let at):
        (offset, message) = (at, "invalid JSON: \(JSONScanError.nestingProblem)")
      }
      return .failure(DocumentError(diagnostic: .error(message, at: location(offset))))
    }
  }

  /// A document that is not JSON, as the one error to report.
  struct DocumentError: Error {
    /// The error, at its position.
    var diagnostic: Diagnostic
  }

  /// Reads one value inside `depth` open arrays and objects; deeper than `JSONScanner.maximumDepth` is an error, so
  /// the recursion stays well inside the stack.
  static func parse(_ scanner: inout JSONScanner, depth: Int = 0) throws(JSONScanError) -> LocatedJSON {
    let next = try scanner.peek()
    let offset = scanner.position
    switch next {
    case UInt8(ascii: "{"):
      try scanner.checkDepth(depth)
      scanner.position += 1
      var members: [(String, Int, LocatedJSON)] = []
      var first = true
      while true {
        let next = try scanner.peek()
        if next == UInt8(ascii: "}") {
          scanner.position += 1
          break
        }
        if !first { try scanner.expect(UInt8(ascii: ","), "',' or '}'") }
        first = false
        scanner.skipWhitespace()
        let keyOffset = scanner.position
        let key = try scanner.string()
        try scanner.expect(UInt8(ascii: ":"), "':'")
        members.append((key, keyOffset, try parse(&scanner, depth: depth + 1)))
      }
      return .object(members.map { (key: $0.0, keyOffset: $0.1, value: $0.2) }, offset: offset)
    case UInt8(ascii: "["):
      try scanner.checkDepth(depth)
      scanner.position += 1
      var elements: [LocatedJSON] = []
      var first = true
      while try scanner.nextElement(first: &first) { elements.append(try parse(&scanner, depth: depth + 1)) }
      return .array(elements, offset: offset)
    case UInt8(ascii: "\""):
      return .string(try scanner.string(), offset: offset)
    case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
      guard let value = try scanner.literal() else { return .null(offset: offset) }
      return .bool(value, offset: offset)
    default:
      try scanner.skipValue()
      let text = String(
        decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[offset..<scanner.position]), as: UTF8.self)
      return .number(text, offset: offset)
    }
  }
}

/// Reads the JSON form of a policy (for provisioning tools that generate one) into the same statements the policy
/// file parser reads, so both forms share one grammar, one set of checks and the same messages with positions.
///
/// Schema (every key optional):
/// `{"auto": true, "uplinks": [{"name", "dev", "table", "via", "via6", "onlink", "realm"}], "tables": [{"name", "id"}],
///   "routes": [{"to", "type", "via", "dev", "onlink", "src", "metric", "table",
///               "nexthops": [{"via", "dev", "weight", "onlink"}]}],
///   "groups": [{"type": "balance"|"failover", "name", "table", "uplinks": ["NAME[:WEIGHT]", ...], "hash",
///               "rules-only"}],
///   "rules": [{"not", "from", "to", "tos", "fwmark", "iif", "oif", "uidrange", "ipproto", "sport", "dport", "l3mdev",
///              "suppress_prefixlength", "family", "lookup", "goto", "action", "priority",
///              "realm"}],
///   "exclude": ["IFACE"], "include": ["IFACE"]}`
public enum PolicyJSON {
  /// Parses JSON policy text.
  public static func parse(_ bytes: [UInt8], file: String) -> (document: PolicyDocument, diagnostics: [Diagnostic]) {
    let lines = LineIndex(bytes)
    func location(_ offset: Int) -> SourceLocation { lines.location(of: offset, file: file) }
    let root: LocatedJSON
    switch LocatedJSON.document(bytes, location: location) {
    case .success(let value): root = value
    case .failure(let error): return (PolicyDocument(file: file, statements: []), [error.diagnostic])
    }
    var converter = Converter(location: location)
    let statements = converter.statements(root)
    let parsed = PolicyParser.parse(statements: statements, file: file)
    return (parsed.document, PolicyParser.inFileOrder(converter.diagnostics + parsed.diagnostics))
  }

  /// The character starting at a byte offset, decoded as UTF-8 (a lone byte would show `é` as `Ã`).
  static func character(at offset: Int, in bytes: [UInt8]) -> Character {
    String(decoding: bytes[offset..<min(offset + 4, bytes.count)], as: UTF8.self).first ?? "\u{FFFD}"
  }

  /// Turns JSON objects into statement tokens.
  struct Converter {
    /// Maps a byte offset to a file position.
    let location: (Int) -> SourceLocation
    /// Errors in the JSON's shape.
    var diagnostics: [Diagnostic] = []

    /// The keys each kind of object may have, in the order their words are emitted.
    static let uplinkKeys = ["name", "dev", "table", "via", "via6", "onlink", "realm"]
    static let tableKeys = ["name", "id"]
    static let routeKeys = ["type", "to", "via", "dev", "onlink", "src", "metric", "table", "nexthops"]
    /// The keys of a next hop in a route's `nexthops`.
    static let nexthopKeys = ["via", "dev", "weight", "onlink"]
    static let ruleKeys =
      RuleSelector.Field.allCases.map(\.rawValue) + [
        "suppress_prefixlength", "family", "lookup", "goto", "action", "priority", "realm",
      ]
    static let topKeys = ["auto", "uplinks", "tables", "routes", "rules", "groups", "exclude", "include"]
    /// The keys of a group (`balance` or `failover`, by `type`).
    static let groupKeys = ["type", "name", "table", "uplinks", "hash", "rules-only"]
    /// The key each kind of statement cannot do without: its first positional word.
    static let requiredKeys = ["uplink": "name", "table": "name", "route": "to"]
    /// The keys whose value is true or false.
    static let flagKeys: Set<String> = [
      "onlink", RuleSelector.Field.invert.rawValue, RuleSelector.Field.l3mdev.rawValue,
    ]

    /// The statements of the whole document.
    mutating func statements(_ root: LocatedJSON) -> [[Token]] {
      guard case .object(let members, _) = root else {
        diagnostics.append(.error("a JSON policy must be an object", at: location(root.offset)))
        return []
      }
      var result: [[Token]] = []
      var seen: Set<String> = []
      for member in members {
        guard seen.insert(member.key).inserted else {
          diagnostics.append(
            .error("key '\(member.key.echoed)' is given more than once", at: location(member.keyOffset)))
          continue
        }
        switch member.key {
        case "auto":
          guard case .bool(let value, let offset) = member.value else {
            typeError(member.key, member.value, "true or false")
            continue
          }
          if value { result.append([Token("auto", at: location(offset))]) }
        case "uplinks", "tables", "routes", "rules":
          guard case .array(let elements, _) = member.value else {
            typeError(member.key, member.value, "an array of objects")
            continue
          }
          for element in elements {
            if let statement = objectStatement(kind: member.key, element) { result.append(statement) }
          }
        case "groups":
          guard case .array(let elements, _) = member.value else {
            typeError(member.key, member.value, "an array of objects")
            continue
          }
          for element in elements {
            if let statement = groupStatement(element) { result.append(statement) }
          }
        case "exclude", "include":
          guard case .array(let elements, _) = member.value else {
            typeError(member.key, member.value, "an array of interface names")
            continue
          }
          for element in elements {
            guard case .string(let name, let offset) = element else {
              diagnostics.append(
                .error(
                  "each element of '\(member.key.echoed)' must be an interface name (a string)",
                  at: location(element.offset)))
              continue
            }
            result.append([Token(member.key, at: location(offset)), Token(name, at: location(offset))])
          }
        default:
          unknownKey(member.key, at: member.keyOffset, among: Self.topKeys, in: "the policy")
        }
      }
      return result
    }

    /// One statement from an uplink, table, route or rule object.
    mutating func objectStatement(kind: String, _ value: LocatedJSON) -> [Token]? {
      guard case .object(let members, let offset) = value else {
        diagnostics.append(.error("each element of '\(kind)' must be an object", at: location(value.offset)))
        return nil
      }
      let keyword: String
      let allowed: [String]
      switch kind {
      case "uplinks": (keyword, allowed) = ("uplink", Self.uplinkKeys)
      case "tables": (keyword, allowed) = ("table", Self.tableKeys)
      case "routes": (keyword, allowed) = ("route", Self.routeKeys)
      default: (keyword, allowed) = ("rule", Self.ruleKeys)
      }
      // An object with a bad key or value is left out: its other words alone would only give follow-on errors.
      let errorsBefore = diagnostics.count
      let what = keyword == "uplink" ? "an uplink" : "a \(keyword)"
      var byKey: [String: (value: LocatedJSON, keyOffset: Int)] = [:]
      for member in members {
        guard allowed.contains(member.key) else {
          unknownKey(member.key, at: member.keyOffset, among: allowed, in: what)
          continue
        }
        guard byKey[member.key] == nil else {
          diagnostics.append(
            .error("key '\(member.key.echoed)' is given more than once", at: location(member.keyOffset)))
          continue
        }
        byKey[member.key] = (member.value, member.keyOffset)
      }
      if let required = Self.requiredKeys[keyword], byKey[required] == nil, diagnostics.count == errorsBefore {
        // Without it, the next word would be read in its place (`dev` as an uplink's name).
        diagnostics.append(.error("\(what) needs '\(required)'", at: location(offset)))
      }
      var tokens = [Token(keyword, at: location(offset))]
      for key in allowed {
        guard let (value, keyOffset) = byKey[key] else { continue }
        let keyLocation = location(keyOffset)
        switch (keyword, key) {
        case ("uplink", "name"), ("table", "name"), ("table", "id"), ("route", "type"), ("route", "to"),
          ("rule", "action"):
          // Positional words: written without a keyword.
          guard let text = scalar(key, value) else { continue }
          tokens.append(Token(text, at: location(value.offset)))
        case ("route", "nexthops"):
          guard case .array(let hops, _) = value else {
            typeError(key, value, "an array of objects")
            continue
          }
          for hop in hops { tokens += nexthopTokens(hop) }
        case _ where Self.flagKeys.contains(key):
          guard case .bool(let flag, _) = value else {
            typeError(key, value, "true or false")
            continue
          }
          if flag { tokens.append(Token(key, at: keyLocation)) }
        default:
          guard let text = scalar(key, value) else { continue }
          tokens.append(Token(key, at: keyLocation))
          tokens.append(Token(text, at: location(value.offset)))
        }
      }
      return diagnostics.count == errorsBefore ? tokens : nil
    }

    /// A group object: `{"type": "balance", "name": "wan", "uplinks": ["isp1:3", "isp2"], "hash": "layer4"}`.
    mutating func groupStatement(_ value: LocatedJSON) -> [Token]? {
      guard case .object(let members, let offset) = value else {
        diagnostics.append(.error("each element of 'groups' must be an object", at: location(value.offset)))
        return nil
      }
      let errorsBefore = diagnostics.count
      var byKey: [String: (value: LocatedJSON, keyOffset: Int)] = [:]
      for member in members {
        guard Self.groupKeys.contains(member.key) else {
          unknownKey(member.key, at: member.keyOffset, among: Self.groupKeys, in: "a group")
          continue
        }
        guard byKey[member.key] == nil else {
          diagnostics.append(.error("key '\(member.key)' is given more than once", at: location(member.keyOffset)))
          continue
        }
        byKey[member.key] = (member.value, member.keyOffset)
      }
      for required in ["type", "name", "uplinks"] where byKey[required] == nil && diagnostics.count == errorsBefore {
        diagnostics.append(.error("a group needs '\(required)'", at: location(offset)))
      }
      guard diagnostics.count == errorsBefore, let type = byKey["type"], let name = byKey["name"],
        let uplinks = byKey["uplinks"]
      else { return nil }
      guard case .string(let kind, let kindOffset) = type.value, kind == "balance" || kind == "failover" else {
        typeError("type", type.value, "\"balance\" or \"failover\"")
        return nil
      }
      guard let nameText = scalar("name", name.value) else { return nil }
      var tokens = [Token(kind, at: location(kindOffset)), Token(nameText, at: location(name.value.offset))]
      if let table = byKey["table"], let text = scalar("table", table.value) {
        tokens += [Token("table", at: location(table.keyOffset)), Token(text, at: location(table.value.offset))]
      }
      guard case .array(let list, _) = uplinks.value else {
        typeError("uplinks", uplinks.value, "an array of uplink names (\"NAME\" or \"NAME:WEIGHT\")")
        return nil
      }
      tokens.append(Token("uplinks", at: location(uplinks.keyOffset)))
      for element in list {
        guard case .string(let text, let at) = element else {
          diagnostics.append(
            .error("each uplink must be a string (\"NAME\" or \"NAME:WEIGHT\")", at: location(element.offset)))
          continue
        }
        tokens.append(Token(text, at: location(at)))
      }
      if let hash = byKey["hash"], let text = scalar("hash", hash.value) {
        tokens += [Token("hash", at: location(hash.keyOffset)), Token(text, at: location(hash.value.offset))]
      }
      if let rulesOnly = byKey["rules-only"] {
        guard case .bool(let flag, _) = rulesOnly.value else {
          typeError("rules-only", rulesOnly.value, "true or false")
          return nil
        }
        if flag { tokens.append(Token("rules-only", at: location(rulesOnly.keyOffset))) }
      }
      return diagnostics.count == errorsBefore ? tokens : nil
    }

    /// The words of one next hop: `nexthop` and its keys.
    mutating func nexthopTokens(_ value: LocatedJSON) -> [Token] {
      guard case .object(let members, let offset) = value else {
        diagnostics.append(.error("each element of 'nexthops' must be an object", at: location(value.offset)))
        return []
      }
      var tokens = [Token("nexthop", at: location(offset))]
      var seen: Set<String> = []
      for member in members {
        guard Self.nexthopKeys.contains(member.key) else {
          unknownKey(member.key, at: member.keyOffset, among: Self.nexthopKeys, in: "a nexthop")
          continue
        }
        guard seen.insert(member.key).inserted else {
          diagnostics.append(.error("key '\(member.key)' is given more than once", at: location(member.keyOffset)))
          continue
        }
        if member.key == "onlink" {
          guard case .bool(let flag, _) = member.value else {
            typeError(member.key, member.value, "true or false")
            continue
          }
          if flag { tokens.append(Token("onlink", at: location(member.keyOffset))) }
          continue
        }
        guard let text = scalar(member.key, member.value) else { continue }
        tokens.append(Token(member.key, at: location(member.keyOffset)))
        tokens.append(Token(text, at: location(member.value.offset)))
      }
      return tokens
    }

    /// A string or number as a word.
    mutating func scalar(_ key: String, _ value: LocatedJSON) -> String? {
      switch value {
      case .string(let text, _): return text
      case .number(let text, _): return text
      default:
        typeError(key, value, "a string or a number")
        return nil
      }
    }

    /// An error for a value of the wrong kind.
    mutating func typeError(_ key: String, _ value: LocatedJSON, _ expected: String) {
      diagnostics.append(.error("'\(key.echoed)' must be \(expected)", at: location(value.offset)))
    }

    /// An error for an unknown key, with a suggestion.
    mutating func unknownKey(_ key: String, at offset: Int, among keys: [String], in what: String) {
      let hint = Suggestion.closest(to: key, among: keys).map { " (did you mean '\($0)'?)" } ?? ""
      diagnostics.append(.error("unknown key '\(key.echoed)' in \(what)\(hint)", at: location(offset)))
    }
  }
}

/// Maps byte offsets of a UTF-8 text to lines and columns.
struct LineIndex {
  /// The offset at which each line starts.
  let starts: [Int]
  /// The text.
  let bytes: [UInt8]
  /// Each line's columns, indexed at the first position asked for on it: a JSON policy written by a provisioning
  /// tool is often one line, and decoding it up to every position was quadratic (20,000 rules: minutes).
  let columns = ColumnCache()

  /// The lines indexed so far, by line number from 0.
  final class ColumnCache {
    /// The columns of each line indexed so far.
    var lines: [Int: LineColumns] = [:]
  }

  /// Indexes a text.
  init(_ bytes: [UInt8]) {
    var starts = [0]
    for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
    self.starts = starts
    self.bytes = bytes
  }

  /// The 1-based line and column (in characters) of an offset.
  func location(of offset: Int, file: String) -> SourceLocation {
    var low = 0
    var high = starts.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if starts[middle] <= offset { low = middle } else { high = middle - 1 }
    }
    let start = starts[low]
    let end = min(max(offset, start), bytes.count)
    let line: LineColumns
    if let known = columns.lines[low] {
      line = known
    } else {
      // The line without its newline, which would join a `\r` before it into one character.
      let lineEnd = low + 1 < starts.count ? starts[low + 1] - 1 : bytes.count
      line = LineColumns(bytes[start..<lineEnd])
      columns.lines[low] = line
    }
    return SourceLocation(file: file, line: low + 1, column: line.column(at: end - start))
  }
}
