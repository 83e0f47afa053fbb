/// Parses /etc/os-release: `KEY=value` lines, values optionally in single or double quotes with `\` escapes.
public enum OSRelease {
  /// The keys and their unquoted values.
  public static func parse(_ text: String) -> [String: String] {
    var result: [String: String] = [:]
    for line in text.lines where !line.isEmpty {
      let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
      guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
      let key = String(trimmed[..<equals])
      var value = Substring(trimmed[trimmed.index(after: equals)...])
      if let quote = value.first, quote == "\"" || quote == "'", value.count >= 2, value.last == quote {
        value = value.dropFirst().dropLast()
        var unescaped = ""
        var escaping = false
        for character in value {
          if escaping || character != "\\" {
            unescaped.append(character)
            escaping = false
          } else {
            escaping = true
          }
        }
        result[key] = unescaped
      } else {
        result[key] = String(value)
      }
    }
    return result
  }
}
