/// An ifcfg file (`/etc/sysconfig/network-scripts/ifcfg-NAME`) or /etc/sysconfig/network: shell-style `KEY=value`
/// assignments, read without running a shell, as NetworkManager's ifcfg-rh plugin (shvar.c) reads them.
///
/// A value may mix unquoted text (a backslash escapes the next character), `'single'` quotes (literal),
/// `"double"` quotes (a backslash escapes only `$`, `` ` ``, `"`, `\` and a newline) and `$'ANSI-C'` quotes;
/// unquoted blanks end the value, and what follows must be a comment. Lines whose first non-blank character is
/// `#` are comments; so is a line with no `=`. The last assignment of a key wins.
public struct IfcfgFile: Hashable, Sendable {
  /// A value and its line.
  public struct Value: Hashable, Sendable {
    /// The value, unquoted.
    public var text: String
    /// The line.
    public var line: Int
  }

  /// The file.
  public var path: String
  /// The assignments, by key.
  public var values: [String: Value]
  /// Lines that could not be read.
  public var diagnostics: [Diagnostic]

  /// The value of a key, or nil.
  public subscript(key: String) -> String? { values[key]?.text }

  /// The location of a key's assignment.
  public func location(_ key: String) -> SourceLocation? {
    values[key].map { SourceLocation(file: path, line: $0.line, column: 1) }
  }

  /// Reads a file.
  public static func parse(_ text: String, path: String) -> IfcfgFile {
    var file = IfcfgFile(path: path, values: [:], diagnostics: [])
    for (index, raw) in text.byteLines.enumerated() {
      let line = Array(String(raw))
      var position = 0
      while position < line.count, line[position] == " " || line[position] == "\t" { position += 1 }
      guard position < line.count, line[position] != "#" else { continue }
      let keyStart = position
      while position < line.count, line[position].isLetter || line[position].isNumber || line[position] == "_" {
        position += 1
      }
      guard position > keyStart, position < line.count, line[position] == "=" else {
        file.diagnostics.append(
          .warning(
            "line is not a KEY=value assignment, ignored", at: SourceLocation(file: path, line: index + 1, column: 1)
          ))
        continue
      }
      let key = String(line[keyStart..<position])
      position += 1
      switch unquote(line, from: position) {
      case .success(let value):
        file.values[key] = Value(text: value, line: index + 1)
      case .failure(let problem):
        file.diagnostics.append(
          .warning(
            "\(problem.message) in the value of \(key), ignored",
            at: SourceLocation(file: path, line: index + 1, column: problem.column + 1)))
      }
    }
    return file
  }

  /// Why a value could not be read, and the 0-based column.
  struct Problem: Error {
    /// What is wrong.
    var message: String
    /// Where.
    var column: Int
  }

  /// Unquotes a value starting at `start`.
  static func unquote(_ line: [Character], from start: Int) -> Result<String, Problem> {
    var result = ""
    var position = start
    while position < line.count {
      let character = line[position]
      switch character {
      case " ", "\t":
        var rest = position
        while rest < line.count, line[rest] == " " || line[rest] == "\t" { rest += 1 }
        if rest == line.count || line[rest] == "#" { return .success(result) }
        return .failure(Problem(message: "unquoted blank", column: position))
      case "\\":
        guard position + 1 < line.count else { return .success(result) }
        result.append(line[position + 1])
        position += 2
      case "'":
        guard let end = line[(position + 1)...].firstIndex(of: "'") else {
          return .failure(Problem(message: "unterminated single quote", column: position))
        }
        result += String(line[(position + 1)..<end])
        position = end + 1
      case "\"":
        position += 1
        var closed = false
        while position < line.count {
          let inner = line[position]
          if inner == "\"" {
            closed = true
            position += 1
            break
          }
          if inner == "\\", position + 1 < line.count, "$`\"\\".contains(line[position + 1]) {
            result.append(line[position + 1])
            position += 2
          } else {
            result.append(inner)
            position += 1
          }
        }
        guard closed else { return .failure(Problem(message: "unterminated double quote", column: start)) }
      case "$" where position + 1 < line.count && line[position + 1] == "'":
        position += 2
        var closed = false
        while position < line.count {
          let inner = line[position]
          if inner == "'" {
            closed = true
            position += 1
            break
          }
          if inner == "\\", position + 1 < line.count {
            let escaped = line[position + 1]
            switch escaped {
            case "n": result.append("\n")
            case "t": result.append("\t")
            case "r": result.append("\r")
            default: result.append(escaped)
            }
            position += 2
          } else {
            result.append(inner)
            position += 1
          }
        }
        guard closed else { return .failure(Problem(message: "unterminated $' quote", column: start)) }
      case "`", "$", ";", "&", "|", "<", ">", "(", ")":
        // shvar.c refuses values a shell would expand or split; so does polroute (no shell runs them here).
        return .failure(Problem(message: "shell character '\(character)'", column: position))
      default:
        result.append(character)
        position += 1
      }
    }
    return .success(result)
  }

  /// `yes`/`no` as ifcfg files write booleans; nil when unset or unreadable.
  public func flag(_ key: String) -> Bool? {
    self[key].flatMap { BooleanWord.parse($0) }
  }

  /// The interface the file configures: `DEVICE=`, else the file name after `ifcfg-`.
  public var device: String? {
    if let device = self["DEVICE"], !device.isEmpty { return device }
    let name = path.split(separator: "/").last.map(String.init) ?? path
    return name.hasPrefix("ifcfg-") ? String(name.dropFirst(6)) : nil
  }

  /// The file as a NetworkManager profile (what the ifcfg-rh plugin makes of it).
  public var profile: NetworkManagerProfile {
    var profile = NetworkManagerProfile(path: path, storage: .ifcfg)
    profile.id = self["NAME"] ?? device.map { "System \($0)" }
    profile.uuid = self["UUID"]
    profile.type = self["TYPE"]
    profile.interfaceName = device
    profile.autoconnect = flag("ONBOOT")
    profile.ipv4 = ipv4
    profile.ipv6 = ipv6
    profile.gateways = gateways
    profile.diagnostics = diagnostics
    return profile
  }

  /// IPv4 addressing: `BOOTPROTO=dhcp|bootp`, or static with an `IPADDR`.
  public var ipv4: AddressingMethod? {
    let bootProto = self["BOOTPROTO"]?.lowercased()
    if bootProto == "dhcp" || bootProto == "bootp" { return AddressingMethod(.dhcp, at: location("BOOTPROTO")) }
    if let key = ["IPADDR", "IPADDR0", "IPADDR1"].first(where: { self[$0] != nil }) {
      return AddressingMethod(.static, at: location(key))
    }
    return nil
  }

  /// IPv6 addressing, when `IPV6INIT=yes`: `DHCPV6C=yes`, a static `IPV6ADDR`, or autoconfiguration.
  public var ipv6: AddressingMethod? {
    guard flag("IPV6INIT") == true else { return nil }
    if flag("DHCPV6C") == true { return AddressingMethod(.dhcp, at: location("DHCPV6C")) }
    if self["IPV6ADDR"] != nil { return AddressingMethod(.static, at: location("IPV6ADDR")) }
    if flag("IPV6_AUTOCONF") != false { return AddressingMethod(.autoconf, at: location("IPV6INIT")) }
    return nil
  }

  /// The gateways: `GATEWAY=` (and `GATEWAY0`...), `IPV6_DEFAULTGW=` (without its `%DEVICE`).
  public var gateways: [LocatedAddress] {
    var result: [LocatedAddress] = []
    let keys =
      ["GATEWAY"] + (0...9).map { "GATEWAY\($0)" } + ["IPV6_DEFAULTGW"]
    for key in keys {
      guard let value = self[key], !value.isEmpty, let location = location(key) else { continue }
      let text = value.split(separator: "%").first.map(String.init) ?? value
      if let address = IPAddress(text) { result.append(LocatedAddress(address: address, location: location)) }
    }
    return result
  }

  /// The prefixes of the static IPv4 addresses (`IPADDR` with `PREFIX` or `NETMASK`), for /etc/sysconfig/network's
  /// `GATEWAY=`, which belongs to the interface whose network holds it.
  public var ipv4Prefixes: [IPPrefix] {
    var result: [IPPrefix] = []
    for suffix in [""] + (0...9).map(String.init) {
      guard let text = self["IPADDR" + suffix], let address = IPAddress(text) else { continue }
      var length: Int?
      if let prefix = self["PREFIX" + suffix] { length = Int(prefix) }
      if length == nil, let mask = self["NETMASK" + suffix], let maskAddress = IPAddress(mask) {
        length = Self.maskLength(maskAddress)
      }
      if let length, (0...32).contains(length) { result.append(IPPrefix(masking: address, length: length)) }
    }
    return result
  }

  /// The length of a contiguous IPv4 netmask.
  static func maskLength(_ mask: IPAddress) -> Int? {
    let octets = mask.description.split(separator: ".").compactMap { UInt32($0) }
    guard octets.count == 4 else { return nil }
    let value = octets.reduce(0) { $0 << 8 | $1 }
    let length = value.leadingZeroBitCount == 32 ? 0 : (~value).leadingZeroBitCount
    return value == (length == 0 ? 0 : ~UInt32(0) << (32 - length)) ? length : nil
  }

  /// Whether a name in network-scripts is an ifcfg file initscripts and NetworkManager read: `ifcfg-*` but not the
  /// backups and package leftovers both skip.
  public static func isConfigName(_ name: String) -> Bool {
    guard name.hasPrefix("ifcfg-"), name.count > 6 else { return false }
    let ignored = [".bak", ".orig", ".rej", ".rpmnew", ".rpmorig", ".rpmsave", "~", ".augnew", ".augtmp"]
    return !ignored.contains { name.hasSuffix($0) } && name != "ifcfg-lo"
  }
}
