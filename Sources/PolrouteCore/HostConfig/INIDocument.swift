/// An INI-style file as systemd or GLib's key files read it: `[Section]` headers and `Key=Value` lines, each entry
/// with its line, sections repeated as often as they are written (systemd reads `[Route]` once per route).
public struct INIDocument: Hashable, Sendable {
  /// The two dialects.
  public enum Dialect: Hashable, Sendable {
    /// systemd unit-style files (`.network`, drop-ins, networkd.conf): `#` and `;` start comments, a trailing `\`
    /// continues a line (joined with a space, as systemd's config parser does), values are kept as written.
    case systemd
    /// GLib key files (NetworkManager keyfiles, NetworkManager.conf, its device state): only `#` starts a comment,
    /// no continuation, values unescaped (`\s`, `\n`, `\t`, `\r`, `\\`).
    case keyFile
  }

  /// One `[Name]` section.
  public struct Section: Hashable, Sendable {
    /// The name between the brackets.
    public var name: String
    /// The header's line.
    public var line: Int
    /// The entries, in file order.
    public var entries: [Entry]

    /// The last value of a key (later assignments override earlier ones), or nil.
    public func value(_ key: String) -> Entry? {
      entries.last { $0.key == key }
    }
  }

  /// One `Key=Value` line.
  public struct Entry: Hashable, Sendable {
    /// The key, blanks removed.
    public var key: String
    /// The value, blanks at the ends removed (and unescaped for key files).
    public var value: String
    /// The line.
    public var line: Int
  }

  /// The file, for locations.
  public var file: String
  /// The sections, in file order.
  public var sections: [Section]
  /// Lines that could not be read, as warnings (systemd and GLib skip them too).
  public var diagnostics: [Diagnostic]

  /// Reads a file's text.
  public static func parse(_ text: String, file: String, dialect: Dialect) -> INIDocument {
    var document = INIDocument(file: file, sections: [], diagnostics: [])
    var pending: (line: Int, text: String)?
    let lines = text.byteLines
    for (index, raw) in lines.enumerated() {
      let number = index + 1
      var line = String(raw).trimmingASCIIWhitespace()
      if dialect == .systemd {
        // systemd skips comment lines even inside a continuation.
        if line.hasPrefix("#") || line.hasPrefix(";") { continue }
        if line.hasSuffix("\\") {
          line.removeLast()
          if pending != nil {
            pending!.text += " " + line
          } else {
            pending = (number, line)
          }
          continue
        }
        if let start = pending {
          line = start.text + " " + line
          pending = nil
          document.add(line, number: start.line, dialect: dialect)
          continue
        }
      } else if line.hasPrefix("#") {
        continue
      }
      document.add(line, number: number, dialect: dialect)
    }
    if let pending { document.add(pending.text, number: pending.line, dialect: dialect) }
    return document
  }

  /// Adds one logical line.
  mutating func add(_ line: String, number: Int, dialect: Dialect) {
    guard !line.isEmpty else { return }
    let location = SourceLocation(file: file, line: number, column: 1)
    if line.hasPrefix("[") {
      guard line.hasSuffix("]"), line.count >= 2 else {
        diagnostics.append(.warning("section header '\(line.echoed)' has no closing ']', ignored", at: location))
        return
      }
      sections.append(Section(name: String(line.dropFirst().dropLast()), line: number, entries: []))
      return
    }
    guard let equals = line.firstIndex(of: "=") else {
      diagnostics.append(.warning("line '\(line.echoed)' has no '=', ignored", at: location))
      return
    }
    guard !sections.isEmpty else {
      diagnostics.append(.warning("assignment outside of any section, ignored", at: location))
      return
    }
    let key = String(line[..<equals]).trimmingBlanks()
    var value = String(line[line.index(after: equals)...]).trimmingBlanks()
    if dialect == .keyFile { value = Self.unescape(value) }
    sections[sections.count - 1].entries.append(Entry(key: key, value: value, line: number))
  }

  /// GLib's key file escapes; an unknown escape keeps the character after the backslash.
  static func unescape(_ value: String) -> String {
    guard value.contains("\\") else { return value }
    var result = ""
    var escaping = false
    for character in value {
      if escaping {
        switch character {
        case "s": result.append(" ")
        case "n": result.append("\n")
        case "t": result.append("\t")
        case "r": result.append("\r")
        default: result.append(character)
        }
        escaping = false
      } else if character == "\\" {
        escaping = true
      } else {
        result.append(character)
      }
    }
    return result
  }

  /// The sections with a name, in file order.
  public func sections(named name: String) -> [Section] {
    sections.filter { $0.name == name }
  }

  /// Every entry of a key in the sections with a name, in file order.
  public func entries(_ section: String, _ key: String) -> [Entry] {
    sections(named: section).flatMap { $0.entries.filter { $0.key == key } }
  }

  /// The last value of a key in the sections with a name.
  public func last(_ section: String, _ key: String) -> Entry? {
    entries(section, key).last
  }

  /// The location of an entry.
  public func location(_ entry: Entry) -> SourceLocation {
    SourceLocation(file: file, line: entry.line, column: 1)
  }
}

/// Boolean words as systemd and GLib accept them.
enum BooleanWord {
  /// `yes`/`true`/`on`/`1` and `no`/`false`/`off`/`0`, any case; nil for anything else.
  static func parse(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "1", "yes", "y", "true", "t", "on": return true
    case "0", "no", "n", "false", "f", "off": return false
    default: return nil
    }
  }
}
