/// Reads the JSON form of a site file into the same statements the text parser reads, so both forms share one
/// grammar, one set of checks and the same messages, with positions pointing into the JSON.
///
/// Schema (`site` and `providers` are required by the checks, not by the shape):
/// `{"site": {"as", "router-id", "prepend"}, "announce": ["PREFIX" or {"prefix", "via"}],
///   "providers": [{"name", "neighbor", "as", "role", "backup-community"}], "prefer": [{"prefix", "via"}]}`
public enum SiteJSON {
  /// The top-level keys.
  static let topKeys = ["site", "announce", "providers", "prefer"]
  /// The keys of the `site` object, in the order their words are emitted.
  static let siteKeys = ["as", "router-id", "prepend"]
  /// The keys of an `announce` or `prefer` object.
  static let prefixKeys = ["prefix", "via"]
  /// The keys of a provider object.
  static let providerKeys = ["name", "neighbor", "as", "role", "backup-community"]

  /// Parses JSON site text.
  public static func parse(_ bytes: [UInt8], file: String) -> (document: SiteDocument, diagnostics: [Diagnostic]) {
    let lines = LineIndex(bytes)
    func location(_ offset: Int) -> SourceLocation { lines.location(of: offset, file: file) }
    let root: LocatedJSON
    switch LocatedJSON.document(bytes, location: location) {
    case .success(let value): root = value
    case .failure(let error): return (SiteDocument(file: file, statements: []), [error.diagnostic])
    }
    var converter = Converter(shape: PolicyJSON.Converter(location: location))
    let statements = converter.statements(root)
    let parsed = SiteParser.parse(statements: statements, file: file)
    return (parsed.document, PolicyParser.inFileOrder(converter.shape.diagnostics + parsed.diagnostics))
  }

  /// Turns JSON objects into statement tokens.
  struct Converter {
    /// The policy form's reader of keys and values, and the errors in the JSON's shape.
    var shape: PolicyJSON.Converter

    /// A position.
    func location(_ offset: Int) -> SourceLocation { shape.location(offset) }

    /// An error at an offset.
    mutating func error(_ message: String, at offset: Int) {
      shape.diagnostics.append(.error(message, at: location(offset)))
    }

    /// The statements of the whole document.
    mutating func statements(_ root: LocatedJSON) -> [[Token]] {
      guard case .object(let members, _) = root else {
        error("a JSON site file must be an object", at: root.offset)
        return []
      }
      var result: [[Token]] = []
      var seen: Set<String> = []
      for member in members {
        guard seen.insert(member.key).inserted else {
          error("key '\(member.key.echoed)' is given more than once", at: member.keyOffset)
          continue
        }
        switch member.key {
        case "site":
          if let tokens = object(
            keyword: "site", what: "the site", positional: nil, keys: SiteJSON.siteKeys, member.value)
          {
            result.append(tokens)
          }
        case "announce", "prefer", "providers":
          guard case .array(let elements, _) = member.value else {
            shape.typeError(member.key, member.value, "an array")
            continue
          }
          for element in elements {
            if let tokens = statement(of: member.key, element) { result.append(tokens) }
          }
        default:
          shape.unknownKey(member.key, at: member.keyOffset, among: SiteJSON.topKeys, in: "the site file")
        }
      }
      return result
    }

    /// One statement from an element of `announce`, `prefer` or `providers`.
    mutating func statement(of key: String, _ value: LocatedJSON) -> [Token]? {
      switch key {
      case "announce":
        // A bare prefix is the common case.
        if case .string(let prefix, let offset) = value {
          return [Token("announce", at: location(offset)), Token(prefix, at: location(offset))]
        }
        return object(
          keyword: "announce", what: "an announcement", positional: "prefix", keys: SiteJSON.prefixKeys, value,
          elementOf: key, expected: "a prefix or an object")
      case "prefer":
        return object(
          keyword: "prefer", what: "a preference", positional: "prefix", keys: SiteJSON.prefixKeys, value,
          elementOf: key)
      default:
        return object(
          keyword: "provider", what: "a provider", positional: "name", keys: SiteJSON.providerKeys, value,
          elementOf: key)
      }
    }

    /// The tokens of one object: the keyword, the positional key's value without its key, then `KEY VALUE` pairs in
    /// `keys` order. Nil when the object has an error in its shape (its other words alone would only give follow-on
    /// errors).
    mutating func object(
      keyword: String, what: String, positional: String?, keys: [String], _ value: LocatedJSON,
      elementOf array: String? = nil, expected: String = "an object"
    ) -> [Token]? {
      guard case .object(let members, let offset) = value else {
        if let array {
          error("each element of '\(array)' must be \(expected)", at: value.offset)
        } else {
          shape.typeError(keyword, value, "an object")
        }
        return nil
      }
      let errorsBefore = shape.diagnostics.count
      var byKey: [String: (value: LocatedJSON, keyOffset: Int)] = [:]
      for member in members {
        guard keys.contains(member.key) else {
          shape.unknownKey(member.key, at: member.keyOffset, among: keys, in: what)
          continue
        }
        guard byKey[member.key] == nil else {
          error("key '\(member.key.echoed)' is given more than once", at: member.keyOffset)
          continue
        }
        byKey[member.key] = (member.value, member.keyOffset)
      }
      if let positional, byKey[positional] == nil, shape.diagnostics.count == errorsBefore {
        // Without it, the next word would be read in its place (`neighbor` as a provider's name).
        error("\(what) needs '\(positional)'", at: offset)
      }
      var tokens = [Token(keyword, at: location(offset))]
      for key in keys {
        guard let (value, keyOffset) = byKey[key], let text = shape.scalar(key, value) else { continue }
        if key != positional { tokens.append(Token(key, at: location(keyOffset))) }
        tokens.append(Token(text, at: location(value.offset)))
      }
      return shape.diagnostics.count == errorsBefore ? tokens : nil
    }
  }
}
