/// One `NUMBER NAME` line of an rt_tables file, with where it came from.
public struct TableNameEntry: Codable, Hashable, Sendable {
  /// The table number.
  public var number: UInt32
  /// The name.
  public var name: String
  /// The file that defines it.
  public var file: String
  /// The line in that file (1-based).
  public var line: Int

  /// Builds an entry.
  public init(number: UInt32, name: String, file: String, line: Int) {
    self.number = number
    self.name = name
    self.file = file
    self.line = line
  }
}

/// Parses rt_tables files, as iproute2 reads them: `NUMBER NAME` per line (decimal or 0x hex), `#` comments.
public enum RoutingTableFile {
  /// The files iproute2 reads table names from, in the order it reads them; `.d` directories hold `*.conf`.
  public static let files = ["/usr/share/iproute2/rt_tables", "/etc/iproute2/rt_tables"]
  /// The directories whose `*.conf` files iproute2 also reads.
  public static let directories = ["/usr/share/iproute2/rt_tables.d", "/etc/iproute2/rt_tables.d"]

  /// The entries of one file and the lines that could not be read (`ip` ignores those silently).
  public static func parse(_ text: String, file: String) -> (entries: [TableNameEntry], malformedLines: [Int]) {
    var entries: [TableNameEntry] = []
    var malformed: [Int] = []
    for (offset, rawLine) in text.lines.enumerated() {
      var line = Substring(rawLine)
      if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
      if words.isEmpty { continue }
      guard words.count >= 2, let number = NumberText.unsigned32(words[0]), isValidName(String(words[1])) else {
        malformed.append(offset + 1)
        continue
      }
      entries.append(TableNameEntry(number: number, name: String(words[1]), file: file, line: offset + 1))
    }
    return (entries, malformed)
  }

  /// Whether a name is usable in rt_tables: it must not be a number (`ip` would read it as one), and holds only
  /// letters, digits, `-`, `_` and `.`, starting with a letter or `_`, at most 63 characters.
  public static func isValidName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63 else { return false }
    let isLetter = { (scalar: Unicode.Scalar) in (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") }
    guard isLetter(first) || first == "_" else { return false }
    return name.unicodeScalars.allSatisfy {
      isLetter($0) || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "_" || $0 == "."
    }
  }
}

/// The table names a host knows: the built-in four plus its rt_tables entries.
public struct RoutingTableNames: Sendable, Hashable {
  /// Every entry read, in reading order.
  public var entries: [TableNameEntry]

  /// Wraps a list of entries.
  public init(_ entries: [TableNameEntry] = []) {
    self.entries = entries
  }

  /// The number of a table name, as `ip` resolves it (the last definition wins, as in iproute2's hash table).
  public func number(for name: String) -> UInt32? {
    if let entry = entries.last(where: { $0.name == name }) { return entry.number }
    return RoutingTable.builtinNames.first(where: { $0.value == name })?.key
  }

  /// The name `ip` prints for a table number, if any.
  public func name(for number: UInt32) -> String? {
    if let entry = entries.last(where: { $0.number == number }) { return entry.name }
    return RoutingTable.builtinNames[number]
  }

  /// Parses a table reference as `ip` does: a known name, or a number.
  public func resolve(_ text: String) -> UInt32? {
    if let number = number(for: text) { return number }
    return NumberText.unsigned32(text)
  }

  /// Names defined more than once with different numbers.
  public var conflictingNames: [(name: String, entries: [TableNameEntry])] {
    Dictionary(grouping: entries, by: \.name)
      .filter { Set($0.value.map(\.number)).count > 1 }
      .sorted { $0.key < $1.key }
      .map { ($0.key, $0.value) }
  }

  /// Numbers given more than one different name.
  public var conflictingNumbers: [(number: UInt32, entries: [TableNameEntry])] {
    Dictionary(grouping: entries, by: \.number)
      .filter { Set($0.value.map(\.name)).count > 1 }
      .sorted { $0.key < $1.key }
      .map { ($0.key, $0.value) }
  }
}
