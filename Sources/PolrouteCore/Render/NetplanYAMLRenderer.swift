/// Renders `/etc/netplan/90-polroute.yaml`: `routes` (with `table:`) and `routing-policy` for each interface netplan
/// defines on this host, under the definition's own ID and type, so that netplan merges them with the user's files
/// by its own rules (a later file's sequences are appended to an earlier one's).
///
/// Measured with netplan 0.106 (Debian 12), `netplan generate`:
/// - netplan's `routing-policy` has only `from`, `to`, `table`, `priority`, `mark` (no mask) and
///   `type-of-service`: rules with other selectors, `suppress_prefixlength` (the local-networks rule) or an action
///   other than a table lookup cannot be written, and polroute says so for each.
/// - With the NetworkManager renderer, netplan drops `routing-policy` without a word, and refuses (fails) on a
///   route that is not unicast: polroute writes neither, and says so. `apply --persist` leaves those rules to the boot
///   unit.
/// - An interface netplan does not define gets nothing: a definition with only routes would have netplan take the
///   interface over with no address.
public enum NetplanYAMLRenderer: Renderer {
  /// The file.
  public static let path = "/etc/netplan/90-polroute.yaml"

  /// The file, or nothing when no interface polroute writes for is defined in netplan.
  public static func render(_ policy: Policy, context: RenderContext) -> RenderResult {
    var diagnostics: [Diagnostic] = []
    var blocks: [String: [String]] = [:]
    for contents in InterfaceContents.all(policy) where context.renders(contents.device, as: .netplan) {
      let device = contents.device
      guard let definition = context.configuration(of: device)?.netplan else {
        diagnostics.append(
          .warning(
            "netplan: \(device) is not defined in netplan on this host, so polroute writes nothing for it (a definition "
              + "with only routes would have netplan take \(device) over with no address)"))
        continue
      }
      let networkManager = definition.renderer == .networkManager
      var lines = ["    \(yamlKey(definition.id)):"]
      var routes: [String] = []
      for route in contents.routes {
        if let problem = problem(route, networkManager: networkManager) {
          diagnostics.append(
            .warning(
              "netplan: cannot carry route \(route.destination.routeText) (table \(route.table)) for \(device): "
                + problem, at: policy.routeLocations[route.key]))
          continue
        }
        routes += routeItem(route)
      }
      var rules: [String] = []
      // What netplan cannot carry, said once per interface: (family, priority, why).
      var missing: [(family: AddressFamily, priority: UInt32, problem: String?)] = []
      for rule in contents.rules {
        if networkManager {
          missing.append((rule.family, rule.priority, nil))
        } else if let problem = problem(rule) {
          missing.append((rule.family, rule.priority, problem))
        } else {
          rules += ruleItem(rule)
        }
      }
      if !missing.isEmpty {
        let lists = AddressFamily.allCases.compactMap { family -> String? in
          let entries = missing.filter { $0.family == family }.map { entry in
            "\(entry.priority)" + (entry.problem.map { " (\($0))" } ?? "")
          }
          return entries.isEmpty ? nil : entries.joined(separator: ", ") + " (\(family.displayName))"
        }.joined(separator: "; ")
        if networkManager {
          let location = definition.rendererLocation.map { " (\($0))" } ?? ""
          diagnostics.append(
            .warning(
              "netplan: the NetworkManager renderer netplan selects for \(device)\(location) drops routing-policy "
                + "(netplan 0.106), so these rules of \(device) are not carried: \(lists); polroute's boot unit "
                + "(--format systemd) carries them"))
        } else {
          diagnostics.append(
            .warning(
              "netplan: netplan's routing-policy cannot carry these rules of \(device): \(lists); add --format "
                + "networkd (a drop-in for the file netplan generates) or --format systemd for them"))
        }
      }
      if !routes.isEmpty { lines += ["      routes:"] + routes }
      if !rules.isEmpty { lines += ["      routing-policy:"] + rules }
      guard lines.count > 1 else { continue }
      blocks[definition.type, default: []] += lines
    }
    guard !blocks.isEmpty else { return RenderResult(diagnostics: diagnostics) }
    var text = context.header(policy)
    text += [
      "#",
      "# polroute's routes and rules, merged by netplan with the definitions of the same IDs in your files.",
      "network:",
      "  version: 2",
    ]
    for type in blocks.keys.sorted() {
      text.append("  \(yamlKey(type)):")
      text += blocks[type]!
    }
    return RenderResult(
      files: [RenderedFile(path: path, contents: text.joined(separator: "\n") + "\n", mode: 0o600)],
      diagnostics: diagnostics)
  }

  /// The file.
  public static func previousFiles(in files: any FileReader) -> [String] { [path] }

  /// Warnings about interfaces netplan defines but another manager configures.
  public static func hostDiagnostics(_ policy: Policy, context: RenderContext, files: any FileReader) throws
    -> [Diagnostic]
  {
    var diagnostics: [Diagnostic] = []
    for contents in InterfaceContents.all(policy) where context.renders(contents.device, as: .netplan) {
      guard let configuration = context.configuration(of: contents.device), configuration.netplan != nil,
        !configuration.management.viaNetplan, let manager = configuration.management.manager
      else { continue }
      diagnostics.append(
        .warning(
          "netplan: \(contents.device) is defined in netplan but configured by \(manager.rawValue) from its own "
            + "files, so what netplan generates for it is not what runs (use --format "
            + "\(PersistFormats.format(for: manager).rawValue))"))
    }
    return diagnostics
  }

  /// Why netplan cannot carry a route, or nil.
  static func problem(_ route: Route, networkManager: Bool) -> String? {
    if !route.nexthops.isEmpty { return "netplan has no multipath routes (a route's via takes one gateway)" }
    if route.realm != nil { return "netplan's routes have no realm" }
    if networkManager && route.type != .unicast {
      return "netplan's NetworkManager renderer takes only unicast routes"
    }
    let types: [RouteType] = [.unicast, .blackhole, .unreachable, .prohibit, .throw]
    if !types.contains(route.type) { return "netplan has no route type '\(route.type.rawValue)' here" }
    if route.source != nil { return "netplan has no source-specific routes" }
    return nil
  }

  /// What netplan's routing-policy lacks to carry a rule, or nil.
  static func problem(_ rule: Rule) -> String? {
    let selector = rule.selector
    guard case .lookup(let table) = rule.action, table != RoutingTable.unspec else {
      return "no action '\(rule.action.description)'"
    }
    if rule.suppressPrefixLength != nil { return "no suppress_prefixlength" }
    if rule.realms != nil { return "no realms" }
    if selector.invert { return "no 'not'" }
    if selector.inputInterface != nil { return "no iif" }
    if selector.outputInterface != nil { return "no oif" }
    if selector.uidRange != nil { return "no uidrange" }
    if selector.ipProtocol != nil { return "no ipproto" }
    if selector.sourcePort != nil || selector.destinationPort != nil { return "no ports" }
    if selector.l3mdev { return "no l3mdev" }
    if let mask = selector.fwmask, mask != UInt32.max { return "no mark mask" }
    if selector.source == nil && selector.destination == nil {
      // netplan takes the family from 'from' or 'to'.
      return "neither 'from' nor 'to'"
    }
    return nil
  }

  /// One `routes:` item.
  static func routeItem(_ route: Route) -> [String] {
    var lines = ["        - to: \(yamlText(route.destination.description))"]
    if let gateway = route.gateway { lines.append("          via: \(yamlText(gateway.description))") }
    if route.isOnlink { lines.append("          on-link: true") }
    if route.type != .unicast { lines.append("          type: \(route.type.rawValue)") }
    if let source = route.preferredSource { lines.append("          from: \(yamlText(source.description))") }
    if route.family == .inet, route.type == .unicast, route.scope != RouteScope.global {
      lines.append("          scope: \(NetworkdRenderer.scopeName(route.scope))")
    }
    lines += ["          metric: \(route.metric)", "          table: \(route.table)"]
    return lines
  }

  /// One `routing-policy:` item.
  static func ruleItem(_ rule: Rule) -> [String] {
    var lines: [String] = []
    func add(_ line: String) { lines.append((lines.isEmpty ? "        - " : "          ") + line) }
    if let source = rule.selector.source { add("from: \(yamlText(source.description))") }
    if let destination = rule.selector.destination { add("to: \(yamlText(destination.description))") }
    if let table = rule.lookupTable { add("table: \(table)") }
    add("priority: \(rule.priority)")
    if let mark = rule.selector.fwmark { add("mark: \(mark)") }
    if let tos = rule.selector.tos { add("type-of-service: \(tos)") }
    return lines
  }

  /// A mapping key: plain when YAML reads it as the same string, else double-quoted.
  static func yamlKey(_ text: String) -> String { yamlText(text) }

  /// A scalar: plain when it is letters, digits and `._-:/` and does not start like something else in YAML,
  /// else double-quoted with escapes.
  static func yamlText(_ text: String) -> String {
    let plain =
      !text.isEmpty
      && text.unicodeScalars.allSatisfy { scalar in
        (scalar.value >= 0x30 && scalar.value <= 0x39) || (scalar.value >= 0x41 && scalar.value <= 0x5a)
          || (scalar.value >= 0x61 && scalar.value <= 0x7a) || "._-/".unicodeScalars.contains(scalar)
      } && !text.hasPrefix("-")
      && !["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(text.lowercased())
    if plain { return text }
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7f {
          result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "\""
  }
}
