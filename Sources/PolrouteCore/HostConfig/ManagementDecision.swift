/// Decides who manages one interface from every manager's evidence, and orders its gateways.
///
/// **Who manages an interface.** Every piece of evidence is a `ManagementClaim`; the first claim in this order
/// decides:
/// 1. Run-time state beats configuration: networkd's link state (`ADMIN_STATE=` other than `unmanaged`, `pending`
///    or `initialized`), NetworkManager's device state (`managed=true`), ifupdown's ifstate. These say what a manager
///    did on this boot; configuration only says what it would do.
/// 2. Then configuration bound to the interface: an ifupdown `iface` stanza, an ifcfg file (initscripts when
///    NetworkManager is absent or `NM_CONTROLLED=no`), a NetworkManager profile (keyfile, or ifcfg read by
///    ifcfg-rh), a networkd `.network` file that matches it, a netplan definition (for its renderer's manager).
/// 3. Then a manager's default: NetworkManager, when it is enabled or running, configures an Ethernet device nobody
///    else claims with an automatic "Wired connection".
///
/// Within one kind of evidence, a manager whose service is enabled at boot comes before one whose service is not
/// (when the unit links were found at all), then ifupdown, initscripts, NetworkManager, networkd, in that order:
/// NetworkManager leaves interfaces of /etc/network/interfaces to ifupdown by default (`[ifupdown] managed=false`),
/// and ifcfg files reach initscripts only where NetworkManager does not take them.
///
/// A manager told to keep off (`[Link] Unmanaged=yes`, `managed=false`, `NM_CONTROLLED=no`, NetworkManager's
/// `unmanaged-devices`, or its ifupdown plugin with `managed=false` for an interface ifupdown configures) cannot
/// decide through configuration; only its run-time state still counts.
///
/// **Gateways** (`GatewayPrecedence`), per family, best first:
/// 1. When the manager configures the family by DHCP: the leases of that manager's own DHCP client (networkd's
///    for networkd; NetworkManager's internal or dhclient leases for NetworkManager; dhclient's and dhcpcd's for
///    ifupdown and initscripts), unexpired first and newest expiry first; then gateways its configuration also names
///    (networkd's `Gateway=` next to `DHCP=`); then expired leases of that client.
/// 2. When the family is static (or manual, or autoconfigured): the gateways of the manager's configuration, in
///    file order (its own file first, then the netplan definition that generated it).
/// 3. When the configuration does not say how the family is addressed: its gateways, then its client's leases.
/// All of these are `active`. After them, as `inactive`: gateways that other managers' files name, and leases of
/// clients the manager does not run for the family (a stale dhclient lease on an interface now configured
/// statically). A lease is what the DHCP server handed out this time, so for a DHCP interface it beats a gateway
/// written in a file; for a static interface a lease can only be left over from before.
struct ManagementDecision {
  /// What is known of one interface and of the host.
  struct HostFacts {
    /// The enabled services.
    var services: [EnabledService]
    /// Whether NetworkManager is installed, enabled or running.
    var networkManagerPresent: Bool
    /// NetworkManager's settings.
    var networkManager: NetworkManagerSettings?
    /// The interfaces ifupdown brought up.
    var ifupdownStarted: [String: SourceLocation]
    /// The link.
    var link = LinkIdentity(name: "")
    /// networkd's run-time state for it.
    var networkdRuntime: KeyValueFile?
    /// NetworkManager's device state for it.
    var networkManagerDevice: INIDocument?
    /// The networkd file that matches it, with the unchecked match keys.
    var networkd: (file: NetworkdNetworkFile, unchecked: [String])?
    /// The NetworkManager profiles bound to it.
    var profiles: [NetworkManagerProfile] = []
    /// Its ifcfg file.
    var ifcfg: IfcfgFile?
    /// /etc/sysconfig/network.
    var sysconfigNetwork: IfcfgFile?
    /// Its ifupdown stanzas.
    var ifupdown: IfupdownBinding?
    /// Its netplan definition, the renderer netplan selects and the line that selects it.
    var netplan: (device: NetplanConfiguration.Device, renderer: NetplanRenderer, location: SourceLocation?)?
    /// Its leases.
    var leases: [DHCPLease] = []
  }

  /// The facts.
  let facts: HostFacts
  /// The time leases are judged at.
  let now: Int64?
  /// Notes for the configuration.
  var notes: [Diagnostic] = []

  /// Builds a decision.
  init(facts: HostFacts, now: Int64?) {
    self.facts = facts
    self.now = now
  }

  /// The managers in the order that breaks ties between claims of one kind.
  static let order: [NetworkConfigurator] = [.ifupdown, .initscripts, .networkManager, .networkd]

  /// The interface's configuration.
  mutating func decide() -> InterfaceConfiguration {
    let name = facts.link.name
    var interface = InterfaceConfiguration(name: name, index: facts.link.index)
    let profile = chooseProfile()
    let claims = gatherClaims(profile: profile)
    let declined = Set(claims.filter { $0.basis == .declined }.map(\.manager))
    let enabled = Set(facts.services.map(\.manager))
    func rank(_ claim: ManagementClaim) -> (Int, Int, Int) {
      let service = claim.basis == .runtime || enabled.isEmpty || enabled.contains(claim.manager) ? 0 : 1
      return (claim.basis.rank, service, Self.order.firstIndex(of: claim.manager)!)
    }
    let sorted = claims.sorted { rank($0) < rank($1) }
    let deciding = sorted.first { claim in
      claim.basis != .declined && (claim.basis == .runtime || !declined.contains(claim.manager))
    }
    let manager = deciding?.manager
    let runtimeManagers = Set(claims.filter { $0.basis == .runtime }.map(\.manager))
    if runtimeManagers.count > 1 {
      notes.append(
        .warning(
          "\(name): several managers say they configure it now ("
            + runtimeManagers.sorted().map(\.rawValue).joined(separator: ", ") + "); polroute takes "
            + (manager?.rawValue ?? "none")))
    }
    interface.management = InterfaceManagement(
      manager: manager, viaNetplan: manager != nil && facts.netplan?.renderer.manager == manager,
      claims: deciding.map { [$0] + sorted.filter { $0 != deciding } } ?? sorted)
    bind(&interface, profile: profile)

    let sources = configuredSources(profile: profile)
    let active = sources.filter { $0.manager == manager }
    for family in AddressFamily.allCases {
      let method = active.lazy.compactMap { $0.method(family) }.first
      if family == .inet { interface.ipv4 = method } else { interface.ipv6 = method }
      interface.gateways += gateways(family: family, method: method, manager: manager, sources: sources)
    }
    return interface
  }

  // MARK: claims

  /// The NetworkManager profile for the interface: the one NetworkManager says is active, else the one it would
  /// autoconnect first (highest `autoconnect-priority`, file order after that).
  func chooseProfile() -> NetworkManagerProfile? {
    let activeUUID = facts.networkManagerDevice?.last("device", "connection-uuid")?.value
    if let activeUUID, let active = facts.profiles.first(where: { $0.uuid == activeUUID }) { return active }
    let candidates = facts.profiles.filter { $0.autoconnect != false }
    let pool = candidates.isEmpty ? facts.profiles : candidates
    return pool.enumerated().max { lhs, rhs in
      let left = lhs.element.autoconnectPriority ?? 0
      let right = rhs.element.autoconnectPriority ?? 0
      return left != right ? left < right : lhs.offset > rhs.offset
    }?.element
  }

  /// Every claim about the interface.
  func gatherClaims(profile: NetworkManagerProfile?) -> [ManagementClaim] {
    let name = facts.link.name
    var claims: [ManagementClaim] = []
    if let runtime = facts.networkdRuntime, let state = runtime["ADMIN_STATE"] {
      let location = runtime.location("ADMIN_STATE")
      if state == "unmanaged" {
        claims.append(ManagementClaim(.networkd, .declined, "ADMIN_STATE=unmanaged", at: location))
      } else if !["pending", "initialized"].contains(state) {
        let file = runtime["NETWORK_FILE"].map { ", NETWORK_FILE=\($0)" } ?? ""
        claims.append(ManagementClaim(.networkd, .runtime, "ADMIN_STATE=\(state)\(file)", at: location))
      }
    }
    if let device = facts.networkManagerDevice, let managed = device.last("device", "managed") {
      let location = device.location(managed)
      if BooleanWord.parse(managed.value) == true {
        let uuid = device.last("device", "connection-uuid").map { ", connection-uuid=\($0.value)" } ?? ""
        claims.append(ManagementClaim(.networkManager, .runtime, "managed=true\(uuid)", at: location))
      } else {
        claims.append(ManagementClaim(.networkManager, .declined, "managed=\(managed.value)", at: location))
      }
    }
    if let location = facts.ifupdownStarted[name] {
      claims.append(ManagementClaim(.ifupdown, .runtime, "ifup brought \(name) up", at: location))
    }
    if let (file, _) = facts.networkd {
      let location = SourceLocation(file: file.path, line: 1, column: 1)
      if file.unmanaged {
        claims.append(ManagementClaim(.networkd, .declined, "[Link] Unmanaged=yes", at: location))
      } else {
        claims.append(ManagementClaim(.networkd, .configuration, "the first .network file that matches", at: location))
      }
    }
    if let settings = facts.networkManager {
      if let spec = settings.unmanagedDevices.first(where: { Self.deviceSpec($0, matches: name) }) {
        claims.append(
          ManagementClaim(
            .networkManager, .declined, "unmanaged-devices includes '\(spec.echoed)'",
            at: settings.files.last.map { SourceLocation(file: $0, line: 1, column: 1) }))
      }
      if let binding = facts.ifupdown, !binding.stanzas.isEmpty, settings.plugins?.contains("ifupdown") == true,
        settings.ifupdownManaged?.value != true
      {
        claims.append(
          ManagementClaim(
            .networkManager, .declined,
            "its ifupdown plugin leaves interfaces of /etc/network/interfaces to ifupdown ([ifupdown] managed=false)",
            at: settings.ifupdownManaged?.location))
      }
    }
    if let ifcfg = facts.ifcfg {
      let location = SourceLocation(file: ifcfg.path, line: 1, column: 1)
      if ifcfg.flag("NM_CONTROLLED") == false {
        claims.append(
          ManagementClaim(.networkManager, .declined, "NM_CONTROLLED=no", at: ifcfg.location("NM_CONTROLLED")))
        claims.append(ManagementClaim(.initscripts, .configuration, "ifcfg file with NM_CONTROLLED=no", at: location))
      } else if !facts.networkManagerPresent {
        claims.append(
          ManagementClaim(.initscripts, .configuration, "ifcfg file, and no NetworkManager", at: location))
      }
    }
    if let profile {
      claims.append(
        ManagementClaim(
          .networkManager, .configuration,
          "profile '\((profile.id ?? "?").echoed)'" + (profile.uuid.map { " (\($0))" } ?? ""),
          at: SourceLocation(file: profile.path, line: 1, column: 1)))
    }
    if let binding = facts.ifupdown, let first = binding.stanzas.first {
      claims.append(
        ManagementClaim(.ifupdown, .configuration, "iface \(name) \(first.family) \(first.method)", at: first.location))
    }
    if let (device, renderer, location) = facts.netplan {
      claims.append(
        ManagementClaim(
          renderer.manager, .configuration,
          "netplan definition '\(device.id.echoed)' (renderer \(renderer.rawValue)"
            + (location.map { " from \($0.file):\($0.line)" } ?? ", netplan's default") + ")",
          at: device.locations.first))
    }
    let nmRuns =
      facts.services.contains { $0.manager == .networkManager } || facts.networkManager?.running == true
    if nmRuns, facts.link.networkdType == "ether", facts.link.kind == nil,
      !claims.contains(where: { $0.manager == .networkManager })
    {
      claims.append(
        ManagementClaim(
          .networkManager, .managerDefault,
          "NetworkManager runs and gives Ethernet devices without a profile an automatic connection"))
    }
    return claims
  }

  /// Whether a NetworkManager device spec (`interface-name:eth*`, `interface-name:=eth0`, `*`) matches a name;
  /// specs on other properties (`mac:`, `type:`, `driver:`) cannot be checked from files and do not match.
  static func deviceSpec(_ spec: String, matches name: String) -> Bool {
    if spec == "*" { return true }
    guard spec.hasPrefix("interface-name:") else { return false }
    var pattern = String(spec.dropFirst("interface-name:".count))
    if pattern.hasPrefix("=") { return String(pattern.dropFirst()) == name }
    if pattern.hasPrefix("~") { pattern.removeFirst() }
    return DebianPlacement.Glob.matches(pattern, name) || pattern == name
  }

  /// Fills in the files that bind the interface to each manager.
  func bind(_ interface: inout InterfaceConfiguration, profile: NetworkManagerProfile?) {
    if let (file, unchecked) = facts.networkd {
      let runtimeFile = facts.networkdRuntime?["NETWORK_FILE"]
      interface.networkd = NetworkdBinding(
        file: file.path, dropIns: file.dropIns, uncheckedMatchKeys: unchecked, unmanaged: file.unmanaged,
        adminState: facts.networkdRuntime?["ADMIN_STATE"],
        runtimeFile: runtimeFile == file.path || runtimeFile?.isEmpty == true ? nil : runtimeFile,
        exclusive: file.names == [interface.name])
    } else if let runtime = facts.networkdRuntime, let file = runtime["NETWORK_FILE"], !file.isEmpty {
      interface.networkd = NetworkdBinding(
        file: file, adminState: runtime["ADMIN_STATE"], runtimeFile: file)
    }
    if let profile {
      let activeUUID = facts.networkManagerDevice?.last("device", "connection-uuid")?.value
      interface.networkManager = NetworkManagerBinding(
        id: profile.id, uuid: profile.uuid, path: profile.path, storage: profile.storage,
        active: activeUUID != nil && activeUUID == profile.uuid,
        alternatives: facts.profiles.map(\.path).filter { $0 != profile.path })
    }
    if let (device, renderer, location) = facts.netplan {
      interface.netplan = NetplanDefinition(
        id: device.id, type: device.type, locations: device.locations, renderer: renderer,
        rendererLocation: location, uncheckedMatchKeys: device.uncheckedMatchKeys)
    }
    interface.ifupdown = facts.ifupdown.flatMap { $0.stanzas.isEmpty ? nil : $0 }
    if let ifcfg = facts.ifcfg {
      interface.ifcfg = IfcfgBinding(
        path: ifcfg.path, nmControlled: ifcfg.flag("NM_CONTROLLED"), onBoot: ifcfg.flag("ONBOOT"),
        bootProto: ifcfg["BOOTPROTO"])
    }
  }

  // MARK: configured gateways

  /// One manager's configuration of the interface, as a source of methods and gateways.
  struct ConfiguredSource {
    /// The manager whose file it is.
    var manager: NetworkConfigurator
    /// The gateway source.
    var source: ConfiguredGateway.Source
    /// The gateways.
    var gateways: [LocatedAddress]
    /// The addressing per family.
    var methods: [AddressFamily: AddressingMethod]

    /// The addressing of a family.
    func method(_ family: AddressFamily) -> AddressingMethod? { methods[family] }
  }

  /// Every configuration of the interface, the manager's own files before the netplan definition that made them.
  mutating func configuredSources(profile: NetworkManagerProfile?) -> [ConfiguredSource] {
    var sources: [ConfiguredSource] = []
    func methods(_ method: (AddressFamily) -> AddressingMethod?) -> [AddressFamily: AddressingMethod] {
      var result: [AddressFamily: AddressingMethod] = [:]
      for family in AddressFamily.allCases { result[family] = method(family) }
      return result
    }
    if let (file, _) = facts.networkd, !file.unmanaged {
      sources.append(
        ConfiguredSource(manager: .networkd, source: .networkd, gateways: file.gateways, methods: methods(file.method)))
    }
    if let profile {
      sources.append(
        ConfiguredSource(
          manager: .networkManager, source: profile.storage == .ifcfg ? .ifcfg : .networkManagerKeyfile,
          gateways: profile.gateways,
          methods: methods { family in family == .inet ? profile.ipv4 : profile.ipv6 }))
    }
    if let (device, renderer, _) = facts.netplan {
      let (gateways, diagnostics) = device.gateways()
      notes += diagnostics
      sources.append(
        ConfiguredSource(
          manager: renderer.manager, source: .netplan, gateways: gateways, methods: methods(device.method)))
    }
    if let binding = facts.ifupdown, !binding.stanzas.isEmpty {
      let (gateways, diagnostics) = IfupdownInterfacesFile.gateways(binding)
      notes += diagnostics
      sources.append(
        ConfiguredSource(
          manager: .ifupdown, source: .ifupdown, gateways: gateways,
          methods: methods { IfupdownInterfacesFile.method(binding, $0) }))
    }
    if let ifcfg = facts.ifcfg, ifcfg.flag("NM_CONTROLLED") == false || !facts.networkManagerPresent {
      var sysconfig: [LocatedAddress] = []
      if let network = facts.sysconfigNetwork {
        for key in ["GATEWAY", "IPV6_DEFAULTGW"] {
          guard let text = network[key]?.split(separator: "%").first, let address = IPAddress(text),
            let location = network.location(key)
          else { continue }
          let device = network[key == "GATEWAY" ? "GATEWAYDEV" : "IPV6_DEFAULTDEV"]
          let holds = device == nil && ifcfg.ipv4Prefixes.contains { $0.contains(address) }
          if device == facts.link.name || holds {
            sysconfig.append(LocatedAddress(address: address, location: location))
          }
        }
      }
      sources.append(
        ConfiguredSource(
          manager: .initscripts, source: .ifcfg, gateways: ifcfg.gateways,
          methods: methods { $0 == .inet ? ifcfg.ipv4 : ifcfg.ipv6 }))
      if !sysconfig.isEmpty {
        sources.append(
          ConfiguredSource(manager: .initscripts, source: .sysconfigNetwork, gateways: sysconfig, methods: [:]))
      }
    }
    return sources
  }

  /// The gateways of one family in `GatewayPrecedence` order.
  func gateways(
    family: AddressFamily, method: AddressingMethod?, manager: NetworkConfigurator?, sources: [ConfiguredSource]
  ) -> [ConfiguredGateway] {
    func configured(_ source: ConfiguredSource, _ standing: ConfiguredGateway.Standing) -> [ConfiguredGateway] {
      source.gateways.filter { $0.address.family == family }.map {
        ConfiguredGateway(address: $0.address, source: source.source, location: $0.location, standing: standing)
      }
    }
    func leased(_ lease: DHCPLease, _ standing: ConfiguredGateway.Standing) -> [ConfiguredGateway] {
      lease.defaultGateways.filter { $0.family == family }.map {
        ConfiguredGateway(
          address: $0, source: lease.client.gatewaySource, location: lease.location, standing: standing,
          expires: lease.expires)
      }
    }
    let clients: Set<DHCPLease.Client> =
      switch manager {
      case .networkd: [.networkd]
      case .networkManager: [.networkManager, .networkManagerDhclient]
      case .ifupdown, .initscripts: [.dhclient, .dhcpcd]
      case nil: []
      }
    let own = facts.leases.filter { clients.contains($0.client) }.sorted {
      ($0.expires ?? Int64.min) > ($1.expires ?? Int64.min)
    }
    let expired = own.filter { lease in now.map { now in (lease.expires ?? Int64.max) < now } ?? false }
    let current = own.filter { !expired.contains($0) }
    let activeConfigured = sources.filter { $0.manager == manager }.flatMap { configured($0, .active) }
    var result: [ConfiguredGateway] = []
    var leasesActive = false
    switch method?.method {
    case .dhcp?:
      result = current.flatMap { leased($0, .active) } + activeConfigured + expired.flatMap { leased($0, .active) }
      leasesActive = true
    case nil where manager != nil:
      result = activeConfigured + current.flatMap { leased($0, .active) } + expired.flatMap { leased($0, .active) }
      leasesActive = true
    default:
      result = activeConfigured
    }
    result += sources.filter { $0.manager != manager }.flatMap { configured($0, .inactive) }
    let otherLeases = facts.leases.filter { !leasesActive || !clients.contains($0.client) }
    result += otherLeases.flatMap { leased($0, .inactive) }
    return result
  }
}
