/// A kernel link as the configuration readers need it: its name, index (networkd and NetworkManager key their state
/// files by it) and the words networkd's `Type=` and `Kind=` match.
public struct LinkIdentity: Hashable, Sendable {
  /// The name.
  public var name: String
  /// The kernel's index.
  public var index: Int?
  /// networkd's `Type=` word (`ether`, `loopback`, `bridge`, `bond`, `vlan`, `wlan`, ...).
  public var networkdType: String?
  /// The netdev kind (`veth`, `bridge`, ...), for `Kind=`; nil for physical devices.
  public var kind: String?

  /// Builds an identity.
  public init(name: String, index: Int? = nil, networkdType: String? = nil, kind: String? = nil) {
    self.name = name
    self.index = index
    self.networkdType = networkdType
    self.kind = kind
  }

  /// The identity of a kernel interface: networkd's `Type=` is udev's DEVTYPE where the kernel sets one (bridge,
  /// bond, vlan, wlan, ...), else the link type (`ether`, `loopback`).
  public init(_ interface: Interface) {
    let devtypes: Set<String> = ["bridge", "bond", "vlan", "wlan", "wwan", "wireguard", "vxlan", "macvlan", "team"]
    let type = interface.kind.flatMap { devtypes.contains($0) ? $0 : nil } ?? interface.linkType
    self.init(name: interface.name, index: interface.index, networkdType: type, kind: interface.kind)
  }
}

/// Turns a host's files into a `HostConfiguration` in two steps: `parse` reads every manager's files (all the text
/// work, which needs no kernel state, so the system's reader runs it while `ip` runs), then
/// `ParsedHostFiles.configuration(links:now:)` decides interface by interface who manages it
/// (`ManagementDecision`) and orders its gateways (`GatewayPrecedence`).
public struct HostConfigurationBuilder {
  /// The files.
  let files: HostFiles
  /// Notes gathered on the way.
  var notes: [Diagnostic] = []

  /// Builds the configuration of a host from its files and links; leases are judged at `now` (seconds since the
  /// epoch; nil leaves expiry unjudged).
  public static func build(_ files: HostFiles, links: [LinkIdentity], now: Int64? = nil) -> HostConfiguration {
    parse(files).configuration(links: links, now: now)
  }

  /// Parses every file.
  public static func parse(_ files: HostFiles) -> ParsedHostFiles {
    var builder = HostConfigurationBuilder(files: files)
    return builder.parse()
  }

  /// Does the parsing.
  mutating func parse() -> ParsedHostFiles {
    notes = files.notes
    let services = enabledServices()
    let networkdFiles = readNetworkdFiles()
    let networkdSettings = readNetworkdSettings()
    let nmSettings = readNetworkManagerSettings()
    let nmPresent = nmSettings != nil || services.contains { $0.manager == .networkManager }
    let ifcfgFiles = files.names(in: HostConfigurationPaths.networkScripts).filter(IfcfgFile.isConfigName).compactMap {
      name -> IfcfgFile? in
      let path = HostConfigurationPaths.networkScripts + "/" + name
      return files.text(path).map { IfcfgFile.parse($0, path: path) }
    }
    for file in ifcfgFiles { notes += file.diagnostics }
    let sysconfigNetwork = files.text(HostConfigurationPaths.sysconfigNetwork).map {
      IfcfgFile.parse($0, path: HostConfigurationPaths.sysconfigNetwork)
    }
    var profiles = readKeyfiles()
    if nmPresent { profiles += ifcfgFiles.filter { $0.flag("NM_CONTROLLED") != false }.map(\.profile) }
    let (ifupdown, ifupdownNotes) = IfupdownInterfacesFile.read(files)
    notes += ifupdownNotes
    let netplanFiles = NetplanConfiguration.files(files.listings)
    let netplan =
      netplanFiles.isEmpty
      ? nil : NetplanConfiguration.merge(netplanFiles.map { ($0, files.text($0) ?? "") })
    notes += netplan?.diagnostics ?? []
    var parsed = ParsedHostFiles(
      services: services, networkdFiles: networkdFiles, networkdSettings: networkdSettings,
      networkManager: nmSettings, networkManagerPresent: nmPresent, ifcfgFiles: ifcfgFiles,
      sysconfigNetwork: sysconfigNetwork, profiles: profiles, ifupdown: ifupdown, ifupdownStarted: ifupdownState(),
      netplan: netplan)
    parsed.namedLeases = readNamedLeases()
    for name in files.names(in: HostConfigurationPaths.networkdLeases) {
      let path = HostConfigurationPaths.networkdLeases + "/" + name
      if let index = Int(name), let text = files.text(path) { parsed.networkdLeases.append((index, path, text)) }
    }
    for directory in HostConfigurationPaths.dhcpcdDirectories {
      for name in files.names(in: directory) where name.hasSuffix(".lease") {
        let path = directory + "/" + name
        if let bytes = files.contents[path] { parsed.dhcpcdLeases.append((name, path, bytes)) }
      }
    }
    for name in files.names(in: HostConfigurationPaths.networkdLinks) {
      let path = HostConfigurationPaths.networkdLinks + "/" + name
      if let index = Int(name), let text = files.text(path) {
        parsed.networkdLinks[index] = KeyValueFile.parse(text, path: path)
      }
    }
    for name in files.names(in: HostConfigurationPaths.networkManagerDevices) {
      let path = HostConfigurationPaths.networkManagerDevices + "/" + name
      if let index = Int(name), let text = files.text(path) {
        parsed.networkManagerDevices[index] = INIDocument.parse(text, file: path, dialect: .keyFile)
      }
    }
    parsed.cloudAgents = CloudAgentDetector.detect(files, notes: &notes)
    parsed.notes = notes
    return parsed
  }

  // MARK: systemd-networkd

  /// The `.network` files networkd loads, in its matching order, with their drop-ins.
  mutating func readNetworkdFiles() -> [NetworkdNetworkFile] {
    var chosen: [String: String] = [:]
    for directory in HostConfigurationPaths.networkdDirectories {
      for name in files.names(in: directory) where name.hasSuffix(".network") && chosen[name] == nil {
        chosen[name] = directory + "/" + name
      }
    }
    var result: [NetworkdNetworkFile] = []
    for name in chosen.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      let path = chosen[name]!
      // An empty file (or a link to /dev/null, which reads empty) masks the name.
      guard let text = files.text(path), !text.trimmingASCIIWhitespace().isEmpty else { continue }
      var dropIns: [String: String] = [:]
      for directory in HostConfigurationPaths.networkdDirectories {
        let dropInDirectory = directory + "/" + name + ".d"
        for dropIn in files.names(in: dropInDirectory) where dropIn.hasSuffix(".conf") && dropIns[dropIn] == nil {
          dropIns[dropIn] = dropInDirectory + "/" + dropIn
        }
      }
      let ordered = dropIns.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.compactMap {
        dropIn -> (path: String, text: String)? in
        let dropInPath = dropIns[dropIn]!
        guard let text = files.text(dropInPath), !text.trimmingASCIIWhitespace().isEmpty else { return nil }
        return (dropInPath, text)
      }
      let file = NetworkdNetworkFile.parse(path: path, text: text, dropIns: ordered)
      notes += file.diagnostics
      if !file.hasMatch {
        notes.append(
          .warning(
            "no [Match] setting: networkd ignores this file (add 'Name=*' to match every interface)",
            at: SourceLocation(file: path, line: 1, column: 1)))
        continue
      }
      result.append(file)
    }
    return result
  }

  /// networkd.conf and its drop-ins; nil when none exists.
  mutating func readNetworkdSettings() -> NetworkdSettings? {
    var ordered: [(path: String, text: String)] = []
    if let main = HostConfigurationPaths.networkdConfFiles.first(where: { files.contents[$0] != nil }) {
      ordered.append((main, files.text(main)!))
    }
    var dropIns: [String: String] = [:]
    for directory in HostConfigurationPaths.networkdConfDirectories {
      for name in files.names(in: directory) where name.hasSuffix(".conf") && dropIns[name] == nil {
        dropIns[name] = directory + "/" + name
      }
    }
    for name in dropIns.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      if let text = files.text(dropIns[name]!) { ordered.append((dropIns[name]!, text)) }
    }
    guard !ordered.isEmpty else { return nil }
    let (settings, diagnostics) = NetworkdConfFile.settings(ordered)
    notes += diagnostics
    return settings
  }

  // MARK: NetworkManager

  /// NetworkManager.conf, its conf.d files, its run directory and the dispatcher; nil when there is none of them.
  mutating func readNetworkManagerSettings() -> NetworkManagerSettings? {
    var ordered: [String] = []
    if files.contents[HostConfigurationPaths.networkManagerConf] != nil {
      ordered.append(HostConfigurationPaths.networkManagerConf)
    }
    var confD: [String: String] = [:]
    for directory in HostConfigurationPaths.networkManagerConfDirectories {
      // Later directories win for the same name: /etc over /run over /usr/lib.
      for name in files.names(in: directory) where name.hasSuffix(".conf") { confD[name] = directory + "/" + name }
    }
    ordered += confD.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { confD[$0]! }
    let dispatcher = HostConfigurationPaths.dispatcherDirectories.lazy.map {
      $0 + "/" + HostConfigurationPaths.routingRulesDispatcher
    }.first { path in
      let parent = DebianPlacement.Path.parent(path)
      return files.names(in: parent).contains(HostConfigurationPaths.routingRulesDispatcher)
    }
    let running = files.hasEntries(HostConfigurationPaths.networkManagerRun)
    guard
      !ordered.isEmpty || dispatcher != nil || running || files.hasEntries(HostConfigurationPaths.keyfileDirectories[0])
    else { return nil }
    var settings = NetworkManagerSettings(routingRulesDispatcher: dispatcher, files: ordered, running: running)
    for path in ordered {
      guard let text = files.text(path) else { continue }
      let document = INIDocument.parse(text, file: path, dialect: .keyFile)
      notes += document.diagnostics
      if let entry = document.last("main", "plugins") {
        settings.plugins = NetworkManagerProfile.list(entry.value.replacingCommas())
      }
      if let entry = document.last("ifupdown", "managed"), let value = BooleanWord.parse(entry.value) {
        settings.ifupdownManaged = LocatedFlag(value, at: document.location(entry))
      }
      if let entry = document.last("keyfile", "unmanaged-devices") {
        settings.unmanagedDevices = NetworkManagerProfile.list(entry.value)
      }
      // `[device-NAME]` sections with `managed=false` and `match-device=` do the same.
      for section in document.sections where section.name.hasPrefix("device") {
        guard let managed = section.value("managed"), BooleanWord.parse(managed.value) == false,
          let match = section.value("match-device")
        else { continue }
        settings.unmanagedDevices += NetworkManagerProfile.list(match.value.replacingCommas())
      }
    }
    return settings
  }

  /// Every keyfile profile.
  mutating func readKeyfiles() -> [NetworkManagerProfile] {
    var result: [NetworkManagerProfile] = []
    for directory in HostConfigurationPaths.keyfileDirectories {
      for name in files.names(in: directory) where HostConfigurationPaths.isKeyfileName(name) {
        let path = directory + "/" + name
        guard let text = files.text(path) else { continue }
        let profile = NetworkManagerProfile.keyfile(text, path: path)
        notes += profile.diagnostics
        result.append(profile)
      }
    }
    return result
  }

  // MARK: ifupdown, services, leases

  /// The interfaces ifupdown has brought up: `IFACE=CONFIG` lines of /run/network/ifstate, and ifupdown 0.8's
  /// per-interface `ifstate.IFACE` files, with the line that says so.
  func ifupdownState() -> [String: SourceLocation] {
    var result: [String: SourceLocation] = [:]
    if let text = files.text(HostConfigurationPaths.ifupdownState) {
      for (index, line) in text.byteLines.enumerated() {
        guard let equals = line.firstIndex(of: "=") else { continue }
        result[String(line[..<equals])] = SourceLocation(
          file: HostConfigurationPaths.ifupdownState, line: index + 1, column: 1)
      }
    }
    for name in files.names(in: HostConfigurationPaths.ifupdownRun) where name.hasPrefix("ifstate.") {
      let path = HostConfigurationPaths.ifupdownRun + "/" + name
      if let text = files.text(path), !text.trimmingASCIIWhitespace().isEmpty {
        result[String(name.dropFirst(8))] = SourceLocation(file: path, line: 1, column: 1)
      }
    }
    return result
  }

  /// The network services enabled at boot.
  func enabledServices() -> [EnabledService] {
    let units: [(String, NetworkConfigurator)] = [
      ("NetworkManager.service", .networkManager), ("NetworkManager-wait-online.service", .networkManager),
      ("dbus-org.freedesktop.NetworkManager.service", .networkManager),
      ("systemd-networkd.service", .networkd), ("systemd-networkd.socket", .networkd),
      ("systemd-networkd-wait-online.service", .networkd), ("dbus-org.freedesktop.network1.service", .networkd),
      ("networking.service", .ifupdown), ("network.service", .initscripts),
    ]
    var result: [EnabledService] = []
    for directory in HostConfigurationPaths.wantsDirectories {
      for (unit, manager) in units where files.names(in: directory).contains(unit) {
        result.append(EnabledService(manager: manager, unit: unit, path: directory + "/" + unit))
      }
    }
    for path in HostConfigurationPaths.serviceAliases where files.exists(path) {
      let unit = String(path.split(separator: "/").last!)
      if let manager = units.first(where: { $0.0 == unit })?.1 {
        result.append(EnabledService(manager: manager, unit: unit, path: path))
      }
    }
    for directory in HostConfigurationPaths.sysvDirectories {
      for name in files.names(in: directory) where name.hasPrefix("S") {
        let script = String(name.drop { $0 == "S" || $0.isASCIIDigit })
        if script == "network" {
          result.append(EnabledService(manager: .initscripts, unit: "network", path: directory + "/" + name))
        } else if script == "networking" {
          result.append(EnabledService(manager: .ifupdown, unit: "networking", path: directory + "/" + name))
        }
      }
    }
    return result
  }

  /// The DHCPv4 leases whose files name their interface: NetworkManager's and dhclient's.
  mutating func readNamedLeases() -> [DHCPLease] {
    var leases: [DHCPLease] = []
    for name in files.names(in: HostConfigurationPaths.networkManagerLeases) {
      let path = HostConfigurationPaths.networkManagerLeases + "/" + name
      guard let (interface, client) = NetworkdLeaseFile.networkManagerLease(fileName: name),
        let text = files.text(path)
      else { continue }
      if client == .networkManager {
        let (lease, diagnostics) = NetworkdLeaseFile.parse(text, path: path, interface: interface, client: client)
        notes += diagnostics
        if let lease { leases.append(lease) }
      } else {
        let (found, diagnostics) = DhclientLeaseFile.parse(
          text, path: path, client: client, fallbackInterface: interface)
        notes += diagnostics
        leases += found
      }
    }
    for directory in HostConfigurationPaths.dhclientDirectories {
      for name in files.names(in: directory) where name.hasSuffix(".leases") || name.hasSuffix(".lease") {
        let path = directory + "/" + name
        guard let text = files.text(path) else { continue }
        // NetworkManager keeps dhclient leases here too on some distributions (dhclient-UUID-IFACE.lease).
        let client: DHCPLease.Client =
          NetworkdLeaseFile.networkManagerLease(fileName: name) != nil ? .networkManagerDhclient : .dhclient
        let (found, diagnostics) = DhclientLeaseFile.parse(text, path: path, client: client)
        notes += diagnostics
        leases += found
      }
    }
    return leases
  }
}

/// What `HostConfigurationBuilder.parse` found in a host's files, before the kernel's links are known.
public struct ParsedHostFiles: Sendable {
  /// The enabled services.
  var services: [EnabledService]
  /// networkd's `.network` files in matching order.
  var networkdFiles: [NetworkdNetworkFile]
  /// networkd.conf.
  var networkdSettings: NetworkdSettings?
  /// NetworkManager's settings.
  var networkManager: NetworkManagerSettings?
  /// Whether NetworkManager is installed, enabled or running.
  var networkManagerPresent: Bool
  /// The ifcfg files.
  var ifcfgFiles: [IfcfgFile]
  /// /etc/sysconfig/network.
  var sysconfigNetwork: IfcfgFile?
  /// NetworkManager's profiles (keyfiles, and ifcfg files when NetworkManager reads them).
  var profiles: [NetworkManagerProfile]
  /// ifupdown's stanzas by interface.
  var ifupdown: [String: IfupdownBinding]
  /// The interfaces ifupdown brought up.
  var ifupdownStarted: [String: SourceLocation]
  /// netplan's merged configuration.
  var netplan: NetplanConfiguration?
  /// Leases whose files name the interface.
  var namedLeases: [DHCPLease] = []
  /// networkd's lease files, by interface index.
  var networkdLeases: [(index: Int, path: String, text: String)] = []
  /// dhcpcd's lease files, by file name.
  var dhcpcdLeases: [(name: String, path: String, bytes: [UInt8])] = []
  /// networkd's link state files, by interface index.
  var networkdLinks: [Int: KeyValueFile] = [:]
  /// NetworkManager's device state files, by interface index.
  var networkManagerDevices: [Int: INIDocument] = [:]
  /// The cloud agents.
  var cloudAgents: [CloudAgent] = []
  /// Notes so far.
  var notes: [Diagnostic] = []

  /// The configuration, interface by interface, for the kernel's links.
  public func configuration(links: [LinkIdentity], now: Int64?) -> HostConfiguration {
    var notes = self.notes
    let leases = resolveLeases(links: links, notes: &notes)
    // Every interface the kernel has, and every one a configuration names.
    var names = links.map(\.name)
    var seen = Set(names)
    func mention(_ name: String?) {
      guard let name, !name.isEmpty, seen.insert(name).inserted else { return }
      names.append(name)
    }
    for (name, binding) in ifupdown.sorted(by: { $0.key < $1.key }) where !binding.stanzas.isEmpty { mention(name) }
    for file in ifcfgFiles { mention(file.device) }
    for profile in profiles { mention(profile.interfaceName) }
    for device in netplan?.devices ?? [] { mention(device.hasMatch ? device.setName : device.id) }

    let host = ManagementDecision.HostFacts(
      services: services, networkManagerPresent: networkManagerPresent, networkManager: networkManager,
      ifupdownStarted: ifupdownStarted)
    var interfaces: [InterfaceConfiguration] = []
    for name in names.sorted() {
      let link = links.first { $0.name == name } ?? LinkIdentity(name: name)
      var facts = host
      facts.link = link
      facts.networkdRuntime = link.index.flatMap { networkdLinks[$0] }
      facts.networkManagerDevice = link.index.flatMap { networkManagerDevices[$0] }
      facts.networkd =
        networkdFiles.lazy.compactMap { file in
          file.matches(name: link.name, type: link.networkdType, kind: link.kind).map { (file, $0) }
        }.first
      facts.profiles = profiles.filter { $0.applies(to: name) }
      facts.ifcfg = ifcfgFiles.first { $0.device == name }
      facts.sysconfigNetwork = sysconfigNetwork
      facts.ifupdown = ifupdown[name]
      if let netplan, let device = netplan.device(for: name) {
        let (renderer, location) = netplan.renderer(of: device)
        facts.netplan = (device, renderer, location)
      }
      facts.leases = leases.filter { $0.interface == name }
      var decision = ManagementDecision(facts: facts, now: now)
      interfaces.append(decision.decide())
      notes += decision.notes
    }
    return HostConfiguration(
      interfaces: interfaces, leases: leases, cloudAgents: cloudAgents, services: services,
      networkd: networkdSettings, networkManager: networkManager, netplan: netplan.map(\.settings), notes: notes)
  }

  /// Every DHCPv4 lease, with networkd's (named by index) and dhcpcd's (named by file) tied to their interfaces.
  func resolveLeases(links: [LinkIdentity], notes: inout [Diagnostic]) -> [DHCPLease] {
    var leases = namedLeases
    let byIndex = Dictionary(links.compactMap { link in link.index.map { ($0, link.name) } }) { first, _ in first }
    for (index, path, text) in networkdLeases {
      guard let interface = byIndex[index] else {
        notes.append(
          Diagnostic(
            .note, "lease of interface index \(index), which no interface has now: ignored",
            at: SourceLocation(file: path, line: 1, column: 1)))
        continue
      }
      let (lease, diagnostics) = NetworkdLeaseFile.parse(text, path: path, interface: interface, client: .networkd)
      notes += diagnostics
      if let lease { leases.append(lease) }
    }
    let known = Set(links.map(\.name))
    for (name, path, bytes) in dhcpcdLeases {
      guard let interface = DhcpcdLeaseFile.interface(fileName: name, known: known) else { continue }
      let (lease, diagnostics) = DhcpcdLeaseFile.parse(bytes, path: path, interface: interface)
      notes += diagnostics
      if let lease { leases.append(lease) }
    }
    return leases.sorted { ($0.interface, $0.file, $0.line ?? 0) < ($1.interface, $1.file, $1.line ?? 0) }
  }
}

/// `KEY=value` lines (networkd's state files), each value with its line.
struct KeyValueFile: Sendable {
  /// The file.
  var path: String
  /// The values and lines.
  var values: [String: (value: String, line: Int)]

  /// Reads the lines; `#` comments and lines without `=` are skipped.
  static func parse(_ text: String, path: String) -> KeyValueFile {
    var values: [String: (value: String, line: Int)] = [:]
    for (index, raw) in text.byteLines.enumerated() {
      let line = raw.trimmingASCIIWhitespace()
      guard !line.isEmpty, !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
      values[String(line[..<equals])] = (String(line[line.index(after: equals)...]), index + 1)
    }
    return KeyValueFile(path: path, values: values)
  }

  /// A value.
  subscript(key: String) -> String? { values[key]?.value }

  /// The location of a key.
  func location(_ key: String) -> SourceLocation {
    SourceLocation(file: path, line: values[key]?.line ?? 1, column: 1)
  }
}

extension String {
  /// Commas as semicolons, for NetworkManager settings that take either separator.
  func replacingCommas() -> String {
    String(map { $0 == "," ? ";" : $0 })
  }
}
