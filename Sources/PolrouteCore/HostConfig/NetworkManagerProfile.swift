/// What polroute needs of one NetworkManager connection profile, read from a keyfile or (through `IfcfgFile`) an
/// ifcfg file: its names, the interface it is bound to, the addressing method of each family and its gateways.
/// Nothing else is kept: keyfiles also hold Wi-Fi keys and 802.1x passwords.
public struct NetworkManagerProfile: Hashable, Sendable {
  /// The file.
  public var path: String
  /// Keyfile or ifcfg.
  public var storage: NetworkManagerBinding.Storage
  /// `connection.id`.
  public var id: String?
  /// `connection.uuid`.
  public var uuid: String?
  /// `connection.type`.
  public var type: String?
  /// `connection.interface-name`.
  public var interfaceName: String?
  /// `match.interface-name` patterns (`!` and `~` kept), when the profile is bound that way.
  public var interfacePatterns: [String]
  /// `connection.autoconnect`; nil when not set (default true).
  public var autoconnect: Bool?
  /// `connection.autoconnect-priority`; nil when not set (default 0).
  public var autoconnectPriority: Int?
  /// IPv4 addressing.
  public var ipv4: AddressingMethod?
  /// IPv6 addressing.
  public var ipv6: AddressingMethod?
  /// Gateways: `gateway=`, the gateway of an `addressN=ADDR/LEN,GW` entry, default routes (`routeN=0.0.0.0/0,GW`)
  /// in table main.
  public var gateways: [LocatedAddress]
  /// Values that could not be read.
  public var diagnostics: [Diagnostic]

  /// Builds an empty profile for a file.
  public init(path: String, storage: NetworkManagerBinding.Storage) {
    self.path = path
    self.storage = storage
    self.interfacePatterns = []
    self.gateways = []
    self.diagnostics = []
  }

  /// Whether the profile is bound to an interface: by `interface-name`, or by `match.interface-name` with
  /// NetworkManager's rules for match lists: `!PATTERN` must not match, `&PATTERN` must match, and of the plain (or
  /// `~`) patterns, if there are any, one must match.
  public func applies(to interface: String) -> Bool {
    if let interfaceName { return interfaceName == interface }
    guard !interfacePatterns.isEmpty else { return false }
    var hasOptional = false
    var optionalMatched = false
    for pattern in interfacePatterns {
      switch pattern.first {
      case "!":
        if Self.glob(String(pattern.dropFirst()), interface) { return false }
      case "&":
        if !Self.glob(String(pattern.dropFirst()), interface) { return false }
      default:
        hasOptional = true
        let glob = pattern.hasPrefix("~") ? String(pattern.dropFirst()) : pattern
        if Self.glob(glob, interface) { optionalMatched = true }
      }
    }
    return !hasOptional || optionalMatched
  }

  /// Glob matching of a name.
  static func glob(_ pattern: String, _ name: String) -> Bool {
    DebianPlacement.Glob.matches(pattern, name) || pattern == name
  }

  /// Reads a keyfile.
  public static func keyfile(_ text: String, path: String) -> NetworkManagerProfile {
    let document = INIDocument.parse(text, file: path, dialect: .keyFile)
    var profile = NetworkManagerProfile(path: path, storage: .keyfile)
    profile.diagnostics = document.diagnostics
    profile.id = document.last("connection", "id")?.value
    profile.uuid = document.last("connection", "uuid")?.value
    profile.type = document.last("connection", "type")?.value
    profile.interfaceName = document.last("connection", "interface-name")?.value.nonEmpty
    if let entry = document.last("match", "interface-name") {
      profile.interfacePatterns = Self.list(entry.value)
    }
    if let entry = document.last("connection", "autoconnect") { profile.autoconnect = BooleanWord.parse(entry.value) }
    if let entry = document.last("connection", "autoconnect-priority") {
      profile.autoconnectPriority = Int(entry.value)
    }
    for (section, family) in [("ipv4", AddressFamily.inet), ("ipv6", .inet6)] {
      let method = document.last(section, "method").map { entry -> AddressingMethod? in
        let location = document.location(entry)
        switch entry.value {
        case "auto": return AddressingMethod(family == .inet ? .dhcp : .autoconf, at: location)
        case "dhcp": return AddressingMethod(.dhcp, at: location)
        case "manual", "shared": return AddressingMethod(.static, at: location)
        case "link-local": return AddressingMethod(.linkLocal, at: location)
        case "disabled": return AddressingMethod(.disabled, at: location)
        case "ignore": return nil
        default:
          profile.diagnostics.append(
            .warning("\(section).method '\(entry.value.echoed)' is unknown, ignored", at: location))
          return nil
        }
      }
      if family == .inet { profile.ipv4 = method ?? nil } else { profile.ipv6 = method ?? nil }
      profile.readGateways(document, section: section, family: family)
    }
    return profile
  }

  /// The gateways of one family's section, in the order NetworkManager uses them (`gateway=` first).
  mutating func readGateways(_ document: INIDocument, section: String, family: AddressFamily) {
    guard let group = document.sections(named: section).last else { return }
    if let entry = group.value("gateway") { add(entry.value, family, document.location(entry)) }
    // addressN= / addressesN= hold `ADDR/LEN[,GW]`; the legacy `addresses1=ADDR;LEN;GW;` form too.
    for entry in group.entries where Self.numbered(entry.key, ["address", "addresses"]) {
      let location = document.location(entry)
      let items = Self.list(entry.value)
      if !entry.value.contains(","), items.count == 3, items[1].allSatisfy(\.isASCIIDigit) {
        add(items[2], family, location)
        continue
      }
      for item in items {
        let parts = item.split(separator: ",", omittingEmptySubsequences: false)
        if parts.count >= 2 { add(String(parts[1]), family, location) }
      }
    }
    for entry in group.entries where Self.numbered(entry.key, ["route", "routes"]) {
      let parts = entry.value.split(separator: ",", omittingEmptySubsequences: false)
      guard parts.count >= 2, let destination = IPPrefix(parts[0]), destination.isDefault else { continue }
      if let options = group.value(entry.key + "_options")?.value,
        let table = Self.list(options, separator: ",").first(where: { $0.hasPrefix("table=") })?.dropFirst(6),
        table != "254", table != "0"
      {
        continue
      }
      add(String(parts[1]), family, document.location(entry))
    }
  }

  /// Records a gateway of the section's family; the unspecified address means none.
  mutating func add(_ text: String, _ family: AddressFamily, _ location: SourceLocation) {
    let trimmed = text.trimmingBlanks()
    guard !trimmed.isEmpty else { return }
    guard let address = IPAddress(trimmed), address.family == family else {
      diagnostics.append(.warning("'\(trimmed.echoed)' is not an \(family.displayName) gateway, ignored", at: location))
      return
    }
    if address.description == "0.0.0.0" || address.description == "::" { return }
    gateways.append(LocatedAddress(address: address, location: location))
  }

  /// Whether a key is one of `prefixes` followed by a number (`address1`, `route12`).
  static func numbered(_ key: String, _ prefixes: [String]) -> Bool {
    prefixes.contains { prefix in
      key.hasPrefix(prefix) && key.count > prefix.count && key.dropFirst(prefix.count).allSatisfy(\.isASCIIDigit)
    }
  }

  /// A key file list: items separated by `;` (or `separator`), `\;` kept as a literal, empty items dropped.
  static func list(_ value: String, separator: Character = ";") -> [String] {
    var items: [String] = []
    var current = ""
    var escaping = false
    for character in value {
      if escaping {
        current.append(character)
        escaping = false
      } else if character == "\\" {
        escaping = true
      } else if character == separator {
        items.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    items.append(current)
    return items.map { $0.trimmingBlanks() }.filter { !$0.isEmpty }
  }
}

extension String {
  /// The string, or nil when it is empty.
  var nonEmpty: String? { isEmpty ? nil : self }
}

extension Character {
  /// `0`...`9`.
  var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
