/// Where ifupdown reads polroute's stanzas (`/etc/network/interfaces.d/polroute`) relative to the user's own
/// `iface DEVICE` stanzas, found by reading /etc/network/interfaces as ifupdown 0.8 does.
///
/// Measured with ifupdown 0.8.41: `ifup DEVICE` runs every `iface DEVICE` stanza in the order it read them, a
/// sourced file's stanzas standing where its `source` line is. `source PATTERN` globs relative to the including
/// file's directory, in sorted order, `*` not matching a leading dot; `source-directory DIR` reads the names
/// matching `^[a-zA-Z0-9_-]+$`, sorted; a file read again adds no stanza; lines whose first non-blank character is
/// `#` are comments (a trailing backslash does not continue them); a backslash at the end of any other line joins
/// the next one. Only patterns and directories that resolve into /etc/network/interfaces.d are followed.
public enum DebianPlacement: Hashable, Sendable {
  /// polroute's stanzas are read after every one of the user's stanzas for the device: ifup gives exactly the policy.
  case after
  /// polroute's stanzas are read (by `source`) before `stanza`, one of the user's stanzas for the device: ifup adds
  /// the link routes before the address exists, so without `src`.
  case before(source: DebianSourceLine, stanza: SourceLocation)
  /// No stanza of the user's for the device is read: ifupdown does not configure it, and runs polroute's stanza
  /// only when something runs `ifup DEVICE`.
  case notDefined
  /// No `source` or `source-directory` line reads polroute's file: ifup never runs its stanzas.
  case notRead

  /// The file ifupdown starts from.
  public static let mainFile = "/etc/network/interfaces"
  /// The directory polroute's file is in.
  public static let directory = "/etc/network/interfaces.d"
  /// polroute's file's name in it.
  public static let fileName = "polroute"

  /// The placement of polroute's stanzas for each device, from the text of /etc/network/interfaces and the files
  /// of /etc/network/interfaces.d by name (polroute's own file counts as there whether or not it is given).
  public static func placements(interfaces text: String, directory files: [String: String], devices: [String])
    -> [String: DebianPlacement]
  {
    var reader = Reader(files: files)
    reader.read(text, path: mainFile)
    let polroute = reader.events.firstIndex { if case .polroute = $0 { return true } else { return false } }
    var result: [String: DebianPlacement] = [:]
    for device in devices {
      guard let polroute, case .polroute(let source) = reader.events[polroute] else {
        result[device] = .notRead
        continue
      }
      let stanzas = reader.events.indices.compactMap { index -> (Int, SourceLocation)? in
        guard case .stanza(let name, let location) = reader.events[index], name == device else { return nil }
        return (index, location)
      }
      if stanzas.isEmpty {
        result[device] = .notDefined
      } else if let later = stanzas.first(where: { $0.0 > polroute }) {
        result[device] = .before(source: source, stanza: later.1)
      } else {
        result[device] = .after
      }
    }
    return result
  }

  /// What to tell the user: a warning per `source` line that reads polroute's stanzas too early, a warning when
  /// nothing reads them, and a note for devices ifupdown does not configure.
  public static func diagnostics(_ placements: [String: DebianPlacement]) -> [Diagnostic] {
    var early: [DebianSourceLine: [(device: String, stanza: SourceLocation)]] = [:]
    var undefined: [String] = []
    var unread = false
    for (device, placement) in placements.sorted(by: { $0.key < $1.key }) {
      switch placement {
      case .after: continue
      case .before(let source, let stanza): early[source, default: []].append((device, stanza))
      case .notDefined: undefined.append(device)
      case .notRead: unread = true
      }
    }
    var diagnostics: [Diagnostic] = []
    if unread {
      diagnostics.append(
        .warning(
          "debian: \(mainFile) does not read \(directory)/\(fileName) (no 'source' or 'source-directory' line "
            + "includes it), so ifup never runs polroute's stanzas: add the line 'source \(directory)/*' at the end "
            + "of \(mainFile)"))
    }
    for (source, devices) in early.sorted(by: { $0.key.location < $1.key.location }) {
      let names = Self.list(devices.map(\.device))
      let stanzas = Self.list(devices.map { "'iface \($0.device)' at \($0.stanza.file):\($0.stanza.line)" })
      let move =
        source.location.file == mainFile
        ? "move this line to the end of \(mainFile)"
        : "make \(mainFile) read \(directory)/\(fileName) after them (for example with the line "
          + "'source \(directory)/*' at its end)"
      diagnostics.append(
        .warning(
          "debian: '\(source.text)' makes ifupdown read polroute's stanzas for \(names) before your own "
            + "(\(stanzas)), so ifup adds their link routes without 'src': \(move), or expect link routes without "
            + "'src' until 'polroute apply' runs",
          at: source.location))
    }
    if !undefined.isEmpty {
      let names = Self.list(undefined)
      diagnostics.append(
        Diagnostic(
          .note,
          "debian: ifupdown reads no 'iface' stanza of yours for \(names), so it does not configure them: "
            + "polroute's stanzas run only when 'ifup' does for them"))
    }
    return diagnostics
  }

  /// The first few items, and how many more: a host with thousands of interfaces gets one readable line.
  static func list(_ items: [String], limit: Int = 8) -> String {
    guard items.count > limit else { return items.joined(separator: ", ") }
    return items.prefix(limit).joined(separator: ", ") + " and \(items.count - limit) more"
  }
}

/// A `source` or `source-directory` line: where it is and what it says.
public struct DebianSourceLine: Hashable, Sendable {
  /// The file and the line it starts on (column 1).
  public var location: SourceLocation
  /// The line, continuation lines joined and blanks at the ends removed.
  public var text: String

  /// Builds a line.
  public init(location: SourceLocation, text: String) {
    self.location = location
    self.text = text
  }
}

extension DebianPlacement {
  /// What reading the files met, in order.
  enum Event {
    /// A user's `iface NAME` stanza.
    case stanza(String, SourceLocation)
    /// polroute's file, read because of a line.
    case polroute(DebianSourceLine)
  }

  /// Reads the files as ifupdown does and records the stanzas and where polroute's file is read.
  struct Reader {
    /// The files of /etc/network/interfaces.d by name.
    let files: [String: String]
    /// Their names and polroute's, in byte order (as glob sorts in the C locale).
    let names: [String]
    /// The paths read so far.
    var read: Set<String> = []
    /// What was met.
    var events: [Event] = []

    /// Starts with nothing read.
    init(files: [String: String]) {
      self.files = files
      names = Set(files.keys).union([DebianPlacement.fileName]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Reads one file.
    mutating func read(_ text: String, path: String) {
      read.insert(path)
      let directory = Path.parent(path)
      for line in Self.logicalLines(text) {
        let trimmed = String(line.text.drop { $0 == " " || $0 == "\t" })
        let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let keyword = words.first else { continue }
        let location = SourceLocation(file: path, line: line.number, column: 1)
        // ifupdown takes the rest of the line as the one pattern or directory.
        let rest = String(trimmed.dropFirst(keyword.count).drop { $0 == " " || $0 == "\t" })
        let source = DebianSourceLine(location: location, text: trimmed.trimmingBlanks())
        switch keyword {
        case "iface" where words.count >= 2:
          events.append(.stanza(String(words[1]), location))
        case "source":
          guard let (parent, pattern) = Path.split(rest.trimmingBlanks(), relativeTo: directory),
            parent == DebianPlacement.directory
          else { continue }
          include(names.filter { Glob.matches(pattern, $0) }, line: source)
        case "source-directory":
          let named = Path.normalized(rest.trimmingBlanks(), relativeTo: directory)
          guard named == DebianPlacement.directory else { continue }
          include(names.filter(Self.isDirectoryName), line: source)
        default:
          continue
        }
      }
    }

    /// Reads the named files of /etc/network/interfaces.d that were not read yet.
    mutating func include(_ matches: [String], line: DebianSourceLine) {
      for name in matches {
        let path = DebianPlacement.directory + "/" + name
        guard !read.contains(path) else { continue }
        if name == DebianPlacement.fileName {
          read.insert(path)
          events.append(.polroute(line))
        } else {
          read(files[name] ?? "", path: path)
        }
      }
    }

    /// Whether `source-directory` reads a name: `^[a-zA-Z0-9_-]+$`.
    static func isDirectoryName(_ name: String) -> Bool {
      !name.isEmpty
        && name.unicodeScalars.allSatisfy { scalar in
          ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
            || scalar == "-"
        }
    }

    /// The lines ifupdown parses, with the number of the line each starts on: comment lines left out, lines ending
    /// in a backslash joined to the next.
    static func logicalLines(_ text: String) -> [(number: Int, text: String)] {
      var result: [(number: Int, text: String)] = []
      var pending: (number: Int, text: String)?
      // ifupdown takes CRLF line ends too (measured); Swift holds "\r\n" as one Character.
      let physical = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
      for (index, raw) in physical.enumerated() {
        let line = String(raw)
        if pending == nil && line.drop(while: { $0 == " " || $0 == "\t" }).first == "#" { continue }
        var current = pending ?? (index + 1, "")
        if line.hasSuffix("\\") {
          current.text += line.dropLast()
          pending = current
          continue
        }
        current.text += line
        pending = nil
        result.append(current)
      }
      if let pending { result.append(pending) }
      return result
    }
  }

  /// Absolute paths without a file system: joining, `.` and `..`, splitting off the last component.
  enum Path {
    /// The path without its last component (`/` for a file at the root).
    static func parent(_ path: String) -> String {
      let components = path.split(separator: "/")
      return "/" + components.dropLast().joined(separator: "/")
    }

    /// An absolute path with `.`, `..` and repeated or trailing slashes resolved; relative ones start at `directory`.
    static func normalized(_ path: String, relativeTo directory: String) -> String? {
      guard !path.isEmpty else { return nil }
      let full = path.hasPrefix("/") ? path : directory + "/" + path
      var components: [Substring] = []
      for component in full.split(separator: "/") {
        switch component {
        case ".": continue
        case "..": _ = components.popLast()
        default: components.append(component)
        }
      }
      return "/" + components.joined(separator: "/")
    }

    /// The directory and the last component of a pattern; nil when the directory has glob characters (not
    /// followed) or there is no last component.
    static func split(_ pattern: String, relativeTo directory: String) -> (String, String)? {
      guard let full = normalized(pattern, relativeTo: directory), full != "/" else { return nil }
      let last = String(full.split(separator: "/").last!)
      let parent = self.parent(full)
      guard !parent.contains(where: { "*?[".contains($0) }) else { return nil }
      return (parent, last)
    }
  }

  /// glob(3) matching of one path component: `*`, `?`, `[...]` (ranges, `!` or `^` to negate), `\` escapes; a
  /// leading `.` is matched only by a literal `.`.
  enum Glob {
    /// Whether `name` matches `pattern`.
    static func matches(_ pattern: String, _ name: String) -> Bool {
      let pattern = Array(pattern)
      let name = Array(name)
      if name.first == "." && pattern.first != "." { return false }
      return match(pattern[...], name[...])
    }

    /// Matches the rest of a pattern against the rest of a name.
    static func match(_ pattern: ArraySlice<Character>, _ name: ArraySlice<Character>) -> Bool {
      guard let first = pattern.first else { return name.isEmpty }
      switch first {
      case "*":
        // Every split of the name: the star takes nothing, one character, two, ...
        var rest = name
        while true {
          if match(pattern.dropFirst(), rest) { return true }
          guard !rest.isEmpty else { return false }
          rest = rest.dropFirst()
        }
      case "?":
        return !name.isEmpty && match(pattern.dropFirst(), name.dropFirst())
      case "[":
        guard let character = name.first, let (matched, after) = bracket(pattern.dropFirst(), character) else {
          // An unclosed bracket is an ordinary character.
          return name.first == "[" && match(pattern.dropFirst(), name.dropFirst())
        }
        return matched && match(after, name.dropFirst())
      case "\\" where pattern.count > 1:
        let literal = pattern[pattern.index(after: pattern.startIndex)]
        return name.first == literal && match(pattern.dropFirst(2), name.dropFirst())
      default:
        return name.first == first && match(pattern.dropFirst(), name.dropFirst())
      }
    }

    /// Whether a character is in the bracket expression that starts `pattern` (just after `[`), and the pattern
    /// after its `]`; nil when it is not closed.
    static func bracket(_ pattern: ArraySlice<Character>, _ character: Character) -> (Bool, ArraySlice<Character>)? {
      var rest = pattern
      var negated = false
      if rest.first == "!" || rest.first == "^" {
        negated = true
        rest = rest.dropFirst()
      }
      var matched = false
      var first = true
      while let current = rest.first {
        if current == "]" && !first { return (matched != negated, rest.dropFirst()) }
        first = false
        rest = rest.dropFirst()
        if rest.first == "-", rest.count > 1, rest[rest.index(after: rest.startIndex)] != "]" {
          let upper = rest[rest.index(after: rest.startIndex)]
          if current <= character && character <= upper { matched = true }
          rest = rest.dropFirst(2)
        } else if current == character {
          matched = true
        }
      }
      return nil
    }
  }
}
