/// What polroute needs of one systemd-networkd `.network` file with its drop-ins applied: how it matches links,
/// how it addresses them, and the gateways it configures.
///
/// Matching follows systemd 252's `net_match_config`: every `[Match]` key must hold; a key's words are globs, a
/// leading `!` inverts the line's words, and the key holds when no inverted pattern matches and, if there is a
/// positive pattern, one does; an empty assignment resets the key. A file whose `[Match]` has no key is ignored by
/// networkd ("No valid settings found in the [Match] section").
public struct NetworkdNetworkFile: Hashable, Sendable {
  /// The `.network` file.
  public var path: String
  /// Its drop-ins, in the order they were applied.
  public var dropIns: [String]
  /// `Name=` patterns (`!` kept on inverted ones).
  public var names: [String]
  /// `Type=` patterns.
  public var types: [String]
  /// `Kind=` patterns.
  public var kinds: [String]
  /// Link-dependent `[Match]` keys that cannot be checked from files (`MACAddress=`, `Path=`, `Driver=`, ...).
  public var uncheckedKeys: [String]
  /// Whether `[Match]` has any key at all.
  public var hasMatch: Bool
  /// `[Link] Unmanaged=`.
  public var unmanaged: Bool
  /// `[Network] DHCP=`; nil when not set.
  public var dhcp: DHCPSetting?
  /// `[Network] IPv6AcceptRA=`, with its line; nil when not set.
  public var acceptRA: LocatedFlag?
  /// The first static `Address=` (or `[Address] Address=`) of each family.
  public var staticAddresses: [AddressFamily: SourceLocation]
  /// The gateways: `[Network] Gateway=`, and `[Route] Gateway=` of routes without a destination (or with a default
  /// one) in table main.
  public var gateways: [LocatedAddress]
  /// Values that could not be read.
  public var diagnostics: [Diagnostic]

  /// A `DHCP=` setting.
  public struct DHCPSetting: Hashable, Sendable {
    /// DHCPv4 on.
    public var v4: Bool
    /// DHCPv6 on.
    public var v6: Bool
    /// The line.
    public var location: SourceLocation
  }

  /// `[Match]` keys that depend on the link but cannot be checked without it.
  static let linkKeys: Set<String> = [
    "MACAddress", "PermanentMACAddress", "Path", "Driver", "Property", "WLANInterfaceType", "SSID", "BSSID",
  ]

  /// Reads a `.network` file and its drop-ins (path and text, in the order networkd applies them).
  public static func parse(path: String, text: String, dropIns: [(path: String, text: String)] = [])
    -> NetworkdNetworkFile
  {
    var file = NetworkdNetworkFile(
      path: path, dropIns: dropIns.map(\.path), names: [], types: [], kinds: [], uncheckedKeys: [], hasMatch: false,
      unmanaged: false, dhcp: nil, acceptRA: nil, staticAddresses: [:], gateways: [], diagnostics: [])
    for (documentPath, documentText) in [(path, text)] + dropIns {
      let document = INIDocument.parse(documentText, file: documentPath, dialect: .systemd)
      file.diagnostics += document.diagnostics
      file.apply(document)
    }
    return file
  }

  /// Applies one file's settings on top of what was read before.
  mutating func apply(_ document: INIDocument) {
    for section in document.sections {
      switch section.name {
      case "Match":
        for entry in section.entries { match(entry) }
      case "Link":
        if let entry = section.value("Unmanaged"), let value = BooleanWord.parse(entry.value) { unmanaged = value }
      case "Network":
        for entry in section.entries { network(entry, document) }
      case "Address":
        if let entry = section.value("Address") { staticAddress(entry.value, document.location(entry)) }
      case "Route":
        route(section, document)
      default:
        continue
      }
    }
  }

  /// One `[Match]` line.
  mutating func match(_ entry: INIDocument.Entry) {
    func words() -> [String] {
      var value = Substring(entry.value)
      let invert = value.hasPrefix("!")
      if invert { value = value.dropFirst() }
      return value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { (invert ? "!" : "") + $0 }
    }
    hasMatch = true
    switch entry.key {
    case "Name", "OriginalName":
      names = entry.value.isEmpty ? [] : names + words()
    case "Type":
      types = entry.value.isEmpty ? [] : types + words()
    case "Kind":
      kinds = entry.value.isEmpty ? [] : kinds + words()
    default:
      if Self.linkKeys.contains(entry.key) && !uncheckedKeys.contains(entry.key) { uncheckedKeys.append(entry.key) }
    }
  }

  /// One `[Network]` line.
  mutating func network(_ entry: INIDocument.Entry, _ document: INIDocument) {
    let location = document.location(entry)
    switch entry.key {
    case "DHCP":
      switch entry.value.lowercased() {
      case "yes", "true", "on", "1", "both": dhcp = DHCPSetting(v4: true, v6: true, location: location)
      case "ipv4", "v4": dhcp = DHCPSetting(v4: true, v6: false, location: location)
      case "ipv6", "v6": dhcp = DHCPSetting(v4: false, v6: true, location: location)
      case "no", "false", "off", "0", "none": dhcp = DHCPSetting(v4: false, v6: false, location: location)
      default:
        diagnostics.append(.warning("DHCP= has an unknown value '\(entry.value.echoed)', ignored", at: location))
      }
    case "IPv6AcceptRA":
      if let value = BooleanWord.parse(entry.value) { acceptRA = LocatedFlag(value, at: location) }
    case "Address":
      staticAddress(entry.value, location)
    case "Gateway":
      gateway(entry.value, location)
    default:
      return
    }
  }

  /// One `[Route]` section: a gateway when it has no destination (or a default one) and goes to table main.
  mutating func route(_ section: INIDocument.Section, _ document: INIDocument) {
    guard let entry = section.value("Gateway") else { return }
    if let destination = section.value("Destination")?.value,
      IPPrefix(destination).map({ !$0.isDefault }) ?? true
    {
      return
    }
    if let table = section.value("Table")?.value, table != "main", table != "254" { return }
    gateway(entry.value, document.location(entry))
  }

  /// Records a static address's family.
  mutating func staticAddress(_ value: String, _ location: SourceLocation) {
    let text = value.split(separator: "/").first.map(String.init) ?? value
    guard let address = IPAddress(text) else { return }
    if staticAddresses[address.family] == nil { staticAddresses[address.family] = location }
  }

  /// Records a gateway; `_dhcp4` and `_ipv6ra` mean "the one DHCP or router advertisements give" and name none.
  mutating func gateway(_ value: String, _ location: SourceLocation) {
    if value.isEmpty || value.hasPrefix("_") { return }
    // A zone (`fe80::1%eth0`) is allowed; it is the link the gateway is on.
    let text = value.split(separator: "%").first.map(String.init) ?? value
    guard let address = IPAddress(text) else {
      diagnostics.append(.warning("Gateway= '\(value.echoed)' is not an IP address, ignored", at: location))
      return
    }
    gateways.append(LocatedAddress(address: address, location: location))
  }

  /// Whether the file applies to a link, and the link-dependent keys it was taken to hold on; nil when it does not.
  /// `type` is networkd's `Type=` word for the link (`ether`, `loopback`, `bridge`, ...), `kind` its netdev kind.
  public func matches(name: String, type: String?, kind: String?) -> [String]? {
    guard hasMatch else { return nil }
    guard Self.test(names, name), Self.test(types, type), Self.test(kinds, kind) else { return nil }
    return uncheckedKeys
  }

  /// One match key: true when no inverted pattern matches and, if any pattern is positive, one matches.
  static func test(_ patterns: [String], _ value: String?) -> Bool {
    guard !patterns.isEmpty else { return true }
    var matched = false
    var positive = false
    for pattern in patterns {
      let inverted = pattern.hasPrefix("!")
      let glob = inverted ? String(pattern.dropFirst()) : pattern
      if !inverted { positive = true }
      if let value, DebianPlacement.Glob.matches(glob, value) || glob == value {
        if inverted { return false }
        matched = true
      }
    }
    return positive ? matched : true
  }

  /// Static and DHCP configuration of one family, as the file says.
  public func method(_ family: AddressFamily) -> AddressingMethod? {
    if let dhcp, family == .inet ? dhcp.v4 : dhcp.v6 { return AddressingMethod(.dhcp, at: dhcp.location) }
    if let location = staticAddresses[family] { return AddressingMethod(.static, at: location) }
    if family == .inet6, let acceptRA, acceptRA.value { return AddressingMethod(.autoconf, at: acceptRA.location) }
    return nil
  }
}

/// networkd.conf and its drop-ins: the settings that decide whether networkd removes foreign rules and routes.
public enum NetworkdConfFile {
  /// Applies files in the order networkd reads them (the main file, then drop-ins by name) to the settings.
  public static func settings(_ files: [(path: String, text: String)]) -> (NetworkdSettings, [Diagnostic]) {
    var settings = NetworkdSettings(files: files.map(\.path))
    var diagnostics: [Diagnostic] = []
    for (path, text) in files {
      let document = INIDocument.parse(text, file: path, dialect: .systemd)
      diagnostics += document.diagnostics
      for entry in document.entries("Network", "ManageForeignRoutingPolicyRules") {
        if let flag = flag(entry, document, &diagnostics) { settings.manageForeignRoutingPolicyRules = flag }
      }
      for entry in document.entries("Network", "ManageForeignRoutes") {
        if let flag = flag(entry, document, &diagnostics) { settings.manageForeignRoutes = flag }
      }
    }
    return (settings, diagnostics)
  }

  /// A boolean setting, or a warning.
  static func flag(_ entry: INIDocument.Entry, _ document: INIDocument, _ diagnostics: inout [Diagnostic])
    -> LocatedFlag?
  {
    guard let value = BooleanWord.parse(entry.value) else {
      diagnostics.append(
        .warning(
          "\(entry.key)= has a value that is not a boolean: '\(entry.value.echoed)'", at: document.location(entry)))
      return nil
    }
    return LocatedFlag(value, at: document.location(entry))
  }
}
