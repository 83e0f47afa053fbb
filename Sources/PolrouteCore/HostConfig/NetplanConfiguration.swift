/// netplan's configuration, merged from all its files as netplan merges them: files in /run/netplan hide same-named
/// files in /etc/netplan, which hide those in /lib/netplan; the rest are read in file-name order whatever their
/// directory; a later file overrides scalars, appends to sequences and merges mappings key by key
/// (netplan-generate(8), "HANDLING MULTIPLE FILES").
public struct NetplanConfiguration: Hashable, Sendable {
  /// One device definition after merging.
  public struct Device: Hashable, Sendable {
    /// The ID.
    public var id: String
    /// The type key (`ethernets`, `bonds`, ...).
    public var type: String
    /// The merged definition.
    public var node: YAMLNode
    /// Where each file defines or amends it (the ID key), in merge order.
    public var locations: [SourceLocation]
    /// The renderer the type block sets, in the last file that sets one for a block holding the device.
    public var typeRenderer: LocatedRenderer?

    /// `match: name:`, when the definition matches by name.
    public var matchName: String? { node["match"]?["name"]?.text }
    /// `set-name:`.
    public var setName: String? { node["set-name"]?.text }
    /// Whether the definition has `match:`.
    public var hasMatch: Bool { node["match"] != nil }

    /// The `match:` keys other than `name`, which cannot be checked from files.
    public var uncheckedMatchKeys: [String] {
      (node["match"]?.pairs ?? []).map(\.key.text).filter { $0 != "name" }
    }

    /// Whether the definition applies to an interface: by its ID when it has no `match:`; by `set-name:` or by a
    /// `match: name:` glob otherwise (a match on MAC address or driver alone is taken to apply when `set-name:`
    /// names the interface, and not otherwise: without the link's properties it cannot be checked).
    public func applies(to interface: String) -> Bool {
      guard hasMatch else { return id == interface }
      if let setName { return setName == interface }
      if let matchName { return DebianPlacement.Glob.matches(matchName, interface) || matchName == interface }
      return false
    }

    /// The addressing of one family.
    public func method(_ family: AddressFamily) -> AddressingMethod? {
      let key = family == .inet ? "dhcp4" : "dhcp6"
      if let value = node[key], let text = value.text, BooleanWord.parse(text) == true {
        return AddressingMethod(.dhcp, at: value.location)
      }
      for item in node["addresses"]?.items ?? [] {
        // An address is a scalar, or (netplan 0.100+) a one-key mapping `ADDR: {lifetime: ...}`.
        let text = item.text ?? item.pairs?.first?.key.text
        guard let text, let address = IPAddress(text.split(separator: "/").first ?? ""), address.family == family
        else { continue }
        return AddressingMethod(.static, at: item.location)
      }
      if family == .inet6, let value = node["accept-ra"], let text = value.text, BooleanWord.parse(text) == true {
        return AddressingMethod(.autoconf, at: value.location)
      }
      return nil
    }

    /// The gateways: `gateway4`, `gateway6`, and default routes (`to: default`, `0.0.0.0/0`, `::/0`) in table
    /// main, in file order.
    public func gateways() -> (gateways: [LocatedAddress], diagnostics: [Diagnostic]) {
      var gateways: [LocatedAddress] = []
      var diagnostics: [Diagnostic] = []
      func add(_ node: YAMLNode) {
        guard let text = node.text, let address = IPAddress(text) else {
          diagnostics.append(
            .warning("'\((node.text ?? node.kindName).echoed)' is not a gateway address, ignored", at: node.location))
          return
        }
        gateways.append(LocatedAddress(address: address, location: node.location))
      }
      for key in ["gateway4", "gateway6"] {
        if let value = node[key] { add(value) }
      }
      for route in node["routes"]?.items ?? [] {
        guard let to = route["to"]?.text, let via = route["via"] else { continue }
        guard to == "default" || IPPrefix(to)?.isDefault == true else { continue }
        if let table = route["table"]?.text, table != "254", table != "main" { continue }
        add(via)
      }
      return (gateways, diagnostics)
    }
  }

  /// A renderer and the line that selects it.
  public struct LocatedRenderer: Hashable, Sendable {
    /// The renderer.
    public var renderer: NetplanRenderer
    /// Its line.
    public var location: SourceLocation
  }

  /// The device types netplan knows; `renderer` inside them is the type's renderer, not an ID.
  public static let deviceTypes: Set<String> = [
    "ethernets", "wifis", "modems", "bonds", "bridges", "vlans", "tunnels", "vrfs", "dummy-devices",
    "virtual-ethernets", "nm-devices",
  ]

  /// The directories, lowest priority first.
  public static let directories = ["/lib/netplan", "/etc/netplan", "/run/netplan"]

  /// The global settings.
  public var settings: NetplanSettings
  /// The definitions, by first appearance.
  public var devices: [Device]
  /// Files that could not be read, and values that were ignored.
  public var diagnostics: [Diagnostic]

  /// The files netplan reads, in merge order, from the names in each of its directories.
  public static func files(_ listings: [String: [String]]) -> [String] {
    var byName: [String: String] = [:]
    for directory in directories {
      for name in listings[directory] ?? [] where name.hasSuffix(".yaml") {
        byName[name] = directory + "/" + name
      }
    }
    return byName.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { byName[$0]! }
  }

  /// Merges files given in merge order. A file that is not valid YAML is left out with its error (netplan itself
  /// refuses to generate anything then, which the error says).
  public static func merge(_ files: [(path: String, text: String)]) -> NetplanConfiguration {
    var configuration = NetplanConfiguration(
      settings: NetplanSettings(files: files.map(\.path)), devices: [], diagnostics: [])
    for (path, text) in files {
      let document: YAMLNode
      do {
        document = try YAMLReader.parse(text, file: path)
      } catch {
        configuration.diagnostics.append(
          .error(error.message + " (netplan generate refuses the whole configuration)", at: error.location))
        continue
      }
      if case .scalar(let scalar) = document, scalar.isNull { continue }
      guard let network = document["network"] else {
        configuration.diagnostics.append(.warning("no 'network:' mapping, nothing read", at: document.location))
        continue
      }
      configuration.read(network)
    }
    return configuration
  }

  /// Reads one file's `network:` mapping.
  mutating func read(_ network: YAMLNode) {
    guard let pairs = network.pairs else {
      diagnostics.append(.warning("'network:' is \(network.kindName), not a mapping", at: network.location))
      return
    }
    for pair in pairs {
      if pair.key.text == "renderer" {
        if let located = renderer(pair.value) {
          settings.renderer = located.renderer
          settings.rendererLocation = located.location
        }
        continue
      }
      guard Self.deviceTypes.contains(pair.key.text), let definitions = pair.value.pairs else { continue }
      let typeRenderer = definitions.first { $0.key.text == "renderer" }.flatMap { renderer($0.value) }
      for definition in definitions where definition.key.text != "renderer" {
        add(id: definition.key, type: pair.key.text, node: definition.value, typeRenderer: typeRenderer)
      }
    }
  }

  /// Adds or amends a definition.
  mutating func add(id: YAMLScalar, type: String, node: YAMLNode, typeRenderer: LocatedRenderer?) {
    if let index = devices.firstIndex(where: { $0.id == id.text }) {
      if devices[index].type != type {
        diagnostics.append(
          .warning(
            "'\(id.text.echoed)' is defined as \(devices[index].type) and as \(type); netplan refuses this",
            at: id.location))
        return
      }
      devices[index].node = Self.merge(devices[index].node, node)
      devices[index].locations.append(id.location)
      if let typeRenderer { devices[index].typeRenderer = typeRenderer }
    } else {
      devices.append(
        Device(id: id.text, type: type, node: node, locations: [id.location], typeRenderer: typeRenderer))
    }
  }

  /// A `renderer:` value, or a warning.
  mutating func renderer(_ node: YAMLNode) -> LocatedRenderer? {
    switch node.text {
    case "networkd": return LocatedRenderer(renderer: .networkd, location: node.location)
    case "NetworkManager": return LocatedRenderer(renderer: .networkManager, location: node.location)
    default:
      diagnostics.append(
        .warning(
          "unknown renderer '\((node.text ?? node.kindName).echoed)' (netplan knows networkd and NetworkManager)",
          at: node.location))
      return nil
    }
  }

  /// netplan's merge of a later value into an earlier one.
  static func merge(_ old: YAMLNode, _ new: YAMLNode) -> YAMLNode {
    switch (old, new) {
    case (.mapping(var pairs, let location), .mapping(let added, _)):
      for pair in added {
        if let index = pairs.firstIndex(where: { $0.key.text == pair.key.text }) {
          pairs[index].value = merge(pairs[index].value, pair.value)
        } else {
          pairs.append(pair)
        }
      }
      return .mapping(pairs, location)
    case (.sequence(let items, let location), .sequence(let added, _)):
      return .sequence(items + added, location)
    default:
      return new
    }
  }

  /// The definition that applies to an interface (the first, as netplan uses the first match).
  public func device(for interface: String) -> Device? {
    devices.first { $0.applies(to: interface) }
  }

  /// The renderer netplan selects for a definition, and the line that selects it (nil for the default).
  public func renderer(of device: Device) -> (NetplanRenderer, SourceLocation?) {
    if let value = device.node["renderer"], let text = value.text {
      if text == "NetworkManager" { return (.networkManager, value.location) }
      if text == "networkd" { return (.networkd, value.location) }
    }
    if let typeRenderer = device.typeRenderer { return (typeRenderer.renderer, typeRenderer.location) }
    if let renderer = settings.renderer { return (renderer, settings.rendererLocation) }
    return (.networkd, nil)
  }
}
