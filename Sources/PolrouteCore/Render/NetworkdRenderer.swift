/// Renders systemd-networkd configuration: for each interface, a drop-in (`NAME.network.d/polroute.conf`) for the
/// `.network` file networkd applies to it on this host, or a `.network` file of polroute's own where none matches,
/// with a `[Route]` section per route of its tables and a `[RoutingPolicyRule]` per rule, every selector and
/// priority explicit.
///
/// Measured with systemd 252 (Debian 12), networkd run standalone in a network namespace:
/// - Routes carry `Protocol=177`, so they are marked as polroute's. Rules cannot: `[RoutingPolicyRule]` has no
///   `Protocol=`, and networkd installs them `proto static`; `polroute plan` takes such a rule for the wanted one
///   (see `Ownership.isInstalledCopy`). A route whose gateway follows DHCP (`Gateway=_dhcp4`) gets `proto dhcp`
///   whatever its `Protocol=`, and is taken the same way.
/// - `ManageForeignRoutingPolicyRules=` and `ManageForeignRoutes=` (networkd.conf, default yes) make networkd remove
///   every rule it did not configure (all but the kernel's) and the routes of the link it configures, polroute's
///   included, whenever it configures a link: `networkctl reconfigure`, `networkctl reload` after a `.network` file
///   changed, a link that appears (or becomes managed) later. Not at its own start (it configures the links it
///   finds before it has read the rules and routes), and not when a carrier goes down and up. Rules and routes in
///   networkd's own configuration (these files) are its own and stay. Where some of polroute's rules and routes are
///   not in networkd's configuration (interfaces another manager or the boot unit persists), polroute writes
///   `/etc/systemd/networkd.conf.d/polroute.conf` turning both settings off.
public enum NetworkdRenderer: Renderer {
  /// networkd's directory in /etc: drop-ins for files in every directory networkd reads go here too.
  public static let directory = "/etc/systemd/network"
  /// The name of polroute's drop-ins.
  public static let dropInName = "polroute.conf"
  /// The networkd.conf drop-in that keeps the rules and routes networkd did not configure.
  public static let settingPath = "/etc/systemd/networkd.conf.d/polroute.conf"
  /// The directory of netplan's generated `.network` files.
  static let netplanDirectory = "/run/systemd/network"

  /// Where an interface's routes and rules go on this host.
  public enum Target: Hashable, Sendable {
    /// A drop-in for the `.network` file networkd applies to the interface.
    case dropIn(network: String)
    /// A `.network` file of polroute's own: no file matches the interface.
    case own
    /// No file polroute can write reaches only this interface: the `.network` file that matches it (named) may
    /// match other links, which a drop-in would reach too.
    case shared(network: String)

    /// The file polroute writes, nil for `shared`.
    public func path(for device: String) -> String? {
      switch self {
      case .dropIn(let network):
        return NetworkdRenderer.directory + "/" + (network.split(separator: "/").last.map(String.init) ?? network)
          + ".d/" + NetworkdRenderer.dropInName
      case .own: return NetworkdRenderer.directory + "/90-polroute-\(device).network"
      case .shared: return nil
      }
    }
  }

  /// The target for an interface: the `.network` file networkd applies to it (netplan's generated one where
  /// netplan renders for networkd), else polroute's own.
  public static func target(for device: String, context: RenderContext) -> Target {
    guard let configuration = context.configuration(of: device) else { return .own }
    if let binding = configuration.networkd {
      // A file another interface uses too is shared even when its name pattern was not recorded.
      let others = (context.networkdFileUsers[binding.file] ?? 0) > 1
      return binding.exclusive == false || others ? .shared(network: binding.file) : .dropIn(network: binding.file)
    }
    if let netplan = configuration.netplan, netplan.renderer == .networkd {
      return .dropIn(network: "\(netplanDirectory)/10-netplan-\(netplan.id).network")
    }
    return .own
  }

  /// The drop-ins and own files of every interface networkd persists, and the setting that keeps polroute's other
  /// rules and routes where networkd would remove them.
  public static func render(_ policy: Policy, context: RenderContext) -> RenderResult {
    var files: [RenderedFile] = []
    var diagnostics: [Diagnostic] = []
    var skipped = false
    for contents in InterfaceContents.all(policy) {
      guard context.renders(contents.device, as: .networkd) else {
        skipped = true
        continue
      }
      let target = target(for: contents.device, context: context)
      guard let path = target.path(for: contents.device) else {
        skipped = true
        if case .shared(let network) = target {
          diagnostics.append(
            .warning(
              "networkd: \(network) matches \(contents.device) and other links too, so a drop-in for it would add "
                + "\(contents.device)'s routes to them: polroute writes nothing for \(contents.device) (give it a "
                + ".network file of its own, or use --format systemd)"))
        }
        continue
      }
      var lines = context.header(policy)
      lines.append("#")
      switch target {
      case .dropIn(let network):
        lines.append("# The routes and rules of polroute's policy for \(contents.device), added to \(network).")
      default:
        lines.append(
          "# No .network file matches \(contents.device): this one makes networkd add polroute's routes and rules")
        lines.append("# for it, keeping the addresses and routes it finds there (KeepConfiguration=yes).")
      }
      lines += [
        "# networkd installs the routes with protocol 177 and the rules as 'proto static' (it cannot mark rules);",
        "# 'polroute plan' takes those rules for its own.",
      ]
      if case .own = target {
        lines += ["", "[Match]", "Name=\(contents.device)", "", "[Network]", "KeepConfiguration=yes"]
        diagnostics.append(
          Diagnostic(
            .note,
            "networkd: no .network file matches \(contents.device): polroute writes \(path), which makes networkd "
              + "manage \(contents.device) (keeping the addresses and routes it finds there)"))
      }
      for route in contents.routes {
        guard let section = routeSection(route, policy: policy, context: context, path: path, into: &diagnostics)
        else { continue }
        lines += [""] + section
      }
      for rule in contents.rules {
        guard let section = ruleSection(rule, path: path, into: &diagnostics) else { continue }
        lines += [""] + section
      }
      files.append(RenderedFile(path: path, contents: lines.joined(separator: "\n") + "\n"))
    }
    for rule in InterfaceContents.homeless(policy) {
      diagnostics.append(
        .warning(
          "networkd: rule \(rule.priority) belongs to no interface and polroute has no uplink to put it with; it is "
            + "not written"))
    }
    // networkd removes the rules and routes it did not configure: where polroute has some that networkd does not
    // carry, it is told to keep them.
    if skipped, let file = settingFile(policy, context: context) { files.append(file) }
    return RenderResult(files: files, diagnostics: diagnostics)
  }

  /// polroute's drop-ins (any `*.network.d/polroute.conf`), its own `.network` files, and the setting.
  public static func previousFiles(in files: any FileReader) -> [String] {
    var paths: [String] = []
    for name in files.list(directory) {
      if name.hasSuffix(".network.d") {
        if files.list(directory + "/" + name).contains(dropInName) {
          paths.append("\(directory)/\(name)/\(dropInName)")
        }
      } else if name.hasPrefix("90-polroute-") && name.hasSuffix(".network") {
        paths.append(directory + "/" + name)
      }
    }
    return paths + [settingPath]
  }

  /// Warnings about interfaces whose drop-in networkd will not read.
  public static func hostDiagnostics(_ policy: Policy, context: RenderContext, files: any FileReader) throws
    -> [Diagnostic]
  {
    guard context.hostConfiguration != nil else { return [] }
    var diagnostics: [Diagnostic] = []
    for contents in InterfaceContents.all(policy) where context.renders(contents.device, as: .networkd) {
      let device = contents.device
      guard let configuration = context.configuration(of: device) else { continue }
      let target = target(for: device, context: context)
      guard case .dropIn(let network) = target else { continue }
      if let manager = configuration.management.manager, manager != .networkd {
        diagnostics.append(
          .warning(
            "networkd: \(device) is managed by \(manager.rawValue), not systemd-networkd, so networkd does not "
              + "read polroute's drop-in for \(network) (use --format \(PersistFormats.format(for: manager).rawValue))")
        )
        continue
      }
      guard let binding = configuration.networkd else { continue }
      if let runtime = binding.runtimeFile {
        diagnostics.append(
          .warning(
            "networkd: \(device) was configured from \(runtime) (its link state says so), not from \(network), "
              + "which matches it now: polroute's drop-in for \(network) takes effect only once networkd applies that "
              + "file ('networkctl reload')"))
      }
      if !binding.uncheckedMatchKeys.isEmpty {
        diagnostics.append(
          .warning(
            "networkd: \(network) was taken to match \(device) on its name, but its "
              + binding.uncheckedMatchKeys.map { $0 + "=" }.joined(separator: ", ")
              + " cannot be checked from files: if it does not hold, networkd applies another file and ignores "
              + "polroute's drop-in"))
      }
    }
    return diagnostics
  }

  // MARK: sections

  /// A `[Route]` section, or nil (with an error) when networkd cannot express the route.
  static func routeSection(
    _ route: Route, policy: Policy, context: RenderContext, path: String, into diagnostics: inout [Diagnostic]
  ) -> [String]? {
    let what = "route \(route.destination.routeText) (table \(route.table))"
    if route.realm != nil {
      diagnostics.append(
        .error("networkd: cannot write \(what) to \(path): networkd's routes have no realm (use --format systemd)"))
      return nil
    }
    var lines = ["[Route]"]
    if route.type != .unicast {
      guard [.blackhole, .unreachable, .prohibit, .throw].contains(route.type) else {
        diagnostics.append(
          .error("networkd: cannot write \(what) to \(path): networkd has no route type '\(route.type.rawValue)' here"))
        return nil
      }
      lines.append("Type=\(route.type.rawValue)")
    }
    lines.append("Destination=\(route.destination)")
    if let source = route.source { lines.append("Source=\(source)") }
    switch GatewayFollowing.of(route, policy: policy, context: context, manager: .networkd) {
    case .dhcp4?: lines.append("Gateway=_dhcp4")
    case .routerAdvertisement?: lines.append("Gateway=_ipv6ra")
    case nil: if let gateway = route.gateway { lines.append("Gateway=\(gateway)") }
    }
    if route.isOnlink { lines.append("GatewayOnLink=yes") }
    for hop in route.nexthops {
      guard let gateway = hop.gateway, !hop.flags.contains("onlink") else {
        diagnostics.append(
          .error(
            "networkd: cannot write \(what) to \(path): networkd's MultiPathRoute= takes a gateway for every next "
              + "hop and no 'onlink'"))
        return nil
      }
      lines.append("MultiPathRoute=\(gateway)" + (hop.device.map { "@" + $0 } ?? "") + " \(hop.weight)")
    }
    if let source = route.preferredSource { lines.append("PreferredSource=\(source)") }
    if route.family == .inet, route.type == .unicast {
      lines.append("Scope=\(scopeName(route.scope))")
    }
    lines += ["Metric=\(route.metric)", "Table=\(route.table)", "Protocol=\(route.protocolNumber)"]
    return lines
  }

  /// networkd's name for a route scope.
  static func scopeName(_ scope: UInt8) -> String {
    switch scope {
    case RouteScope.global: return "global"
    case RouteScope.site: return "site"
    case RouteScope.link: return "link"
    case RouteScope.host: return "host"
    default: return "nowhere"
    }
  }

  /// A `[RoutingPolicyRule]` section, or nil (with an error) when networkd cannot express the rule.
  static func ruleSection(_ rule: Rule, path: String, into diagnostics: inout [Diagnostic]) -> [String]? {
    let what =
      "\(rule.family.displayName) rule \(rule.priority) (\(RuleText.selectorWords(rule).joined(separator: " ")))"
    let selector = rule.selector
    if selector.l3mdev {
      diagnostics.append(.error("networkd: cannot write \(what) to \(path): systemd 252 has no l3mdev rule setting"))
      return nil
    }
    if rule.realms != nil {
      diagnostics.append(
        .error("networkd: cannot write \(what) to \(path): networkd's rules have no realms (use --format systemd)"))
      return nil
    }
    var lines = ["[RoutingPolicyRule]"]
    if let tos = selector.tos { lines.append("TypeOfService=\(tos)") }
    if let source = selector.source { lines.append("From=\(source)") }
    if let destination = selector.destination { lines.append("To=\(destination)") }
    if let mark = selector.fwmark {
      lines.append("FirewallMark=\(mark)" + (selector.fwmask.map { "/\($0)" } ?? ""))
    }
    switch rule.action {
    case .lookup(let table):
      guard table != RoutingTable.unspec else {
        diagnostics.append(.error("networkd: cannot write \(what) to \(path): networkd needs a table to look up"))
        return nil
      }
      lines.append("Table=\(table)")
    case .blackhole, .unreachable, .prohibit:
      lines.append("Type=\(rule.action.description)")
    case .goto, .nop:
      diagnostics.append(
        .error(
          "networkd: cannot write \(what) to \(path): networkd's rules have no '\(rule.action.description)' action "
            + "(use --format systemd)"))
      return nil
    }
    lines.append("Priority=\(rule.priority)")
    if let input = selector.inputInterface { lines.append("IncomingInterface=\(input)") }
    if let output = selector.outputInterface { lines.append("OutgoingInterface=\(output)") }
    if let ports = selector.sourcePort { lines.append("SourcePort=\(ports)") }
    if let ports = selector.destinationPort { lines.append("DestinationPort=\(ports)") }
    if let protocolNumber = selector.ipProtocol { lines.append("IPProtocol=\(protocolNumber)") }
    if selector.invert { lines.append("InvertRule=yes") }
    lines.append("Family=\(rule.family == .inet ? "ipv4" : "ipv6")")
    if let users = selector.uidRange { lines.append("User=\(users.start)-\(users.end)") }
    if let suppress = rule.suppressPrefixLength { lines.append("SuppressPrefixLength=\(suppress)") }
    return lines
  }

  // MARK: foreign rules

  /// Whether networkd runs on the host: it manages an interface, or its service is enabled.
  public static func isPresent(_ context: RenderContext) -> Bool {
    guard let host = context.hostConfiguration else { return false }
    return host.interfaces.contains { $0.management.manager == .networkd }
      || host.services.contains { $0.manager == .networkd }
  }

  /// Whether networkd, as configured, removes the rules or routes it did not configure.
  public static func removesForeign(_ context: RenderContext) -> Bool {
    let settings = context.hostConfiguration?.networkd
    return settings?.removesForeignRules ?? true || settings?.removesForeignRoutes ?? true
  }

  /// The networkd.conf drop-in that makes networkd keep polroute's rules and routes, where networkd runs and would
  /// remove them; nil otherwise.
  public static func settingFile(_ policy: Policy, context: RenderContext) -> RenderedFile? {
    guard isPresent(context), removesForeign(context) else { return nil }
    var lines = context.header(policy)
    lines += [
      "#",
      "# systemd-networkd removes every routing policy rule and route it did not configure (all but the kernel's)",
      "# whenever it configures a link: 'networkctl reconfigure', 'networkctl reload' after a .network file changed,",
      "# a link that appears later. polroute's own rules and routes are among them. Keep them.",
      "",
      "[Network]",
      "ManageForeignRoutingPolicyRules=no",
      "ManageForeignRoutes=no",
    ]
    return RenderedFile(path: settingPath, contents: lines.joined(separator: "\n") + "\n")
  }
}
