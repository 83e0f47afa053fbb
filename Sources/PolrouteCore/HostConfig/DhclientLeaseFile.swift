/// ISC dhclient's lease database (`dhclient.leases`, `dhclient.IFACE.leases`, NetworkManager's
/// `dhclient-UUID-IFACE.lease`): `lease { ... }` blocks that dhclient appends as leases arrive, so for each
/// interface the last block with a `fixed-address` is the current lease. `lease6` blocks (DHCPv6 carries no router)
/// and `default-duid` are skipped.
///
/// Times are written `expire W YYYY/MM/DD HH:MM:SS;` in UTC, or `expire epoch N;` with `db-time-format local`,
/// or `never` (dhclient's `print_time`).
public enum DhclientLeaseFile {
  /// The current lease of each interface in a file, by interface, with the problems met; `client` says who ran
  /// dhclient, and `fallbackInterface` names the interface of blocks without an `interface` statement.
  public static func parse(
    _ text: String, path: String, client: DHCPLease.Client = .dhclient, fallbackInterface: String? = nil
  ) -> (leases: [DHCPLease], diagnostics: [Diagnostic]) {
    var tokens = Tokenizer(text: Array(text.unicodeScalars))
    var latest: [String: DHCPLease] = [:]
    var order: [String] = []
    var diagnostics: [Diagnostic] = []
    func location(_ line: Int) -> SourceLocation { SourceLocation(file: path, line: line, column: 1) }
    while let token = tokens.next() {
      guard token.text == "lease" || token.text == "lease6" else {
        // Top-level statements (`default-duid "...";`) end at their semicolon.
        if token.text != ";" { tokens.skipStatement() }
        continue
      }
      guard let open = tokens.next(), open.text == "{" else {
        diagnostics.append(.warning("'\(token.text.echoed)' is not followed by '{'", at: location(token.line)))
        break
      }
      let statements = tokens.block()
      guard statements.closed else {
        diagnostics.append(.warning("lease block is not closed with '}'", at: location(token.line)))
        break
      }
      guard token.text == "lease" else { continue }
      var lease = DHCPLease(interface: fallbackInterface ?? "", client: client, file: path, line: token.line)
      var valid = true
      for statement in statements.statements {
        let words = statement.words
        switch words.first {
        case "interface" where words.count == 2:
          lease.interface = words[1]
        case "fixed-address" where words.count == 2:
          guard let address = IPAddress(words[1]) else {
            diagnostics.append(
              .warning("fixed-address '\(words[1].echoed)' is not an address", at: location(statement.line)))
            valid = false
            continue
          }
          lease.address = address
        case "option" where words.count >= 3:
          let value = words[2...].joined(separator: " ")
          switch words[1] {
          case "routers":
            lease.routers = addresses(value)
          case "subnet-mask":
            lease.prefixLength = IPAddress(value).flatMap { IfcfgFile.maskLength($0) }
          case "dhcp-server-identifier":
            lease.server = IPAddress(value)
          case "dhcp-lease-time":
            lease.leaseSeconds = UInt32(value)
          case "rfc3442-classless-static-routes", "classless-static-routes", "ms-classless-static-routes":
            lease.classlessDefaultGateways = classlessDefault(value)
          default:
            continue
          }
        case "expire" where words.count >= 2:
          lease.expires = time(Array(words.dropFirst()))
        default:
          continue
        }
      }
      guard valid, lease.address != nil else { continue }
      guard !lease.interface.isEmpty else {
        diagnostics.append(.warning("lease has no 'interface' statement, ignored", at: location(token.line)))
        continue
      }
      if latest[lease.interface] == nil { order.append(lease.interface) }
      latest[lease.interface] = lease
    }
    return (order.map { latest[$0]! }, diagnostics)
  }

  /// Comma-separated addresses.
  static func addresses(_ text: String) -> [IPAddress] {
    text.split(separator: ",").compactMap { IPAddress($0.trimmingBlanks()) }
  }

  /// The default route's gateways in dhclient's rendering of option 121 (`24,192,0,2,192,0,2,1,0,203,0,113,1`:
  /// a width, the destination's significant octets, the router's four).
  static func classlessDefault(_ text: String) -> [IPAddress]? {
    let numbers = text.split(separator: ",").compactMap { UInt8($0.trimmingBlanks()) }
    return DhcpcdLeaseFile.classlessDefault(numbers[...])
  }

  /// Seconds since the epoch of `W YYYY/MM/DD HH:MM:SS` (UTC) or `epoch N`; nil for `never` or nonsense.
  static func time(_ words: [String]) -> Int64? {
    if words.first == "epoch", words.count >= 2 { return Int64(words[1]) }
    guard words.count >= 3 else { return nil }
    let date = words[1].split(separator: "/").compactMap { Int64($0) }
    let clock = words[2].split(separator: ":").compactMap { Int64($0) }
    guard date.count == 3, clock.count == 3 else { return nil }
    return daysFromCivil(year: date[0], month: date[1], day: date[2]) * 86400 + clock[0] * 3600 + clock[1] * 60
      + clock[2]
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
  static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146097 + dayOfEra - 719468
  }

  /// A token and its line.
  struct Token {
    /// The text (quotes removed from strings).
    var text: String
    /// The line.
    var line: Int
  }

  /// A statement inside a block.
  struct Statement {
    /// Its words.
    var words: [String]
    /// Its first line.
    var line: Int
  }

  /// Splits dhclient's lease syntax into words, strings, braces and semicolons; `#` comments to the line end.
  struct Tokenizer {
    /// The text.
    let text: [Unicode.Scalar]
    /// The position.
    var position = 0
    /// The line.
    var line = 1

    /// The next token, or nil at the end.
    mutating func next() -> Token? {
      while position < text.count {
        let character = text[position]
        if character == "\n" {
          line += 1
          position += 1
        } else if character == " " || character == "\t" || character == "\r" {
          position += 1
        } else if character == "#" {
          while position < text.count, text[position] != "\n" { position += 1 }
        } else {
          break
        }
      }
      guard position < text.count else { return nil }
      let character = text[position]
      if character == "{" || character == "}" || character == ";" {
        position += 1
        return Token(text: String(character), line: line)
      }
      if character == "\"" {
        let start = line
        position += 1
        var value = ""
        while position < text.count, text[position] != "\"" {
          if text[position] == "\\", position + 1 < text.count { position += 1 }
          if text[position] == "\n" { line += 1 }
          value.unicodeScalars.append(text[position])
          position += 1
        }
        position += 1
        return Token(text: value, line: start)
      }
      var value = ""
      while position < text.count, !" \t\r\n{};#\"".unicodeScalars.contains(text[position]) {
        value.unicodeScalars.append(text[position])
        position += 1
      }
      return Token(text: value, line: line)
    }

    /// Skips to the end of the current statement.
    mutating func skipStatement() {
      while let token = next(), token.text != ";" {
        if token.text == "{" { _ = block() }
      }
    }

    /// The statements up to the matching `}` (nested blocks skipped), and whether it was found.
    mutating func block() -> (statements: [Statement], closed: Bool) {
      var statements: [Statement] = []
      var current: Statement?
      while let token = next() {
        switch token.text {
        case "}":
          return (statements, true)
        case "{":
          guard block().closed else { return (statements, false) }
          current = nil
        case ";":
          if let current { statements.append(current) }
          current = nil
        default:
          if current == nil { current = Statement(words: [], line: token.line) }
          current!.words.append(token.text)
        }
      }
      return (statements, false)
    }
  }
}
