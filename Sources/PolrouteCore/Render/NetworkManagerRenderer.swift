/// Renders NetworkManager connection properties for the profile of each interface NetworkManager configures on this
/// host: `ipv4.routes` and `ipv6.routes` with `table=`, `ipv4.routing-rules` and `ipv6.routing-rules`, every rule
/// with its priority. They come as an idempotent script of `nmcli connection modify` commands, which `apply
/// --persist` runs, and as keyfile fragments, the same properties as NetworkManager's keyfile holds them.
///
/// The script keeps the profile's own routes and rules and replaces polroute's: the routes in polroute's tables,
/// and the rules at the policy's priorities or looking up its tables. NetworkManager applies a changed profile when
/// it next activates the connection (at boot); `polroute apply` keeps the kernel right until then. Measured with
/// NetworkManager 1.42 (Debian 12): it installs routes and rules `proto static` (`polroute plan` takes them for its
/// own, see `Ownership.isInstalledCopy`); it takes no `goto`, `nop` or `l3mdev` rule and no multipath route, and
/// `ipproto` only as a number; it leaves routes in tables other than main alone while `ipv4.route-table` is unset.
public enum NetworkManagerRenderer: Renderer {
  /// polroute's directory for NetworkManager.
  public static let directory = "/etc/polroute/nm"
  /// The script.
  public static let scriptPath = directory + "/apply-connections.sh"

  /// One connection's properties: `entries[property]` in nmcli's text form.
  public struct Connection: Hashable, Sendable {
    /// The interface.
    public var device: String
    /// What nmcli names the connection by: its UUID, else its ID.
    public var reference: String
    /// `connection.id`, for messages.
    public var id: String?
    /// The profile's file.
    public var profile: String
    /// nmcli's routes and rules, by property (`ipv4.routes`, `ipv4.routing-rules`, `ipv6.routes`,
    /// `ipv6.routing-rules`).
    public var entries: [String: [String]]
  }

  /// The properties nmcli sets, in order.
  public static let properties = ["ipv4.routes", "ipv4.routing-rules", "ipv6.routes", "ipv6.routing-rules"]

  /// The connections' properties, and errors for what NetworkManager cannot express.
  public static func connections(_ policy: Policy, context: RenderContext) -> ([Connection], [Diagnostic]) {
    var connections: [Connection] = []
    var diagnostics: [Diagnostic] = []
    for contents in InterfaceContents.all(policy) where context.renders(contents.device, as: .nm) {
      let device = contents.device
      guard let binding = context.configuration(of: device)?.networkManager,
        let reference = binding.uuid ?? binding.id
      else {
        diagnostics.append(
          .warning(
            "nm: no NetworkManager connection for \(device) was found on this host, so polroute writes nothing for "
              + "it (create one, or use --format systemd)"))
        continue
      }
      var connection = Connection(
        device: device, reference: reference, id: binding.id, profile: binding.path, entries: [:])
      let place = "connection \(binding.id ?? reference) (\(device))"
      for route in contents.routes {
        if let following = GatewayFollowing.of(route, policy: policy, context: context, manager: .networkManager),
          let gateway = route.gateway
        {
          // Measured with NetworkManager 1.42: ipv4.route-table puts the DHCP default route and the interface's
          // own network into the table, leaving main without them, so main's routes through the interface fail
          // ("Nexthop has invalid gateway") and the local-networks rule no longer reaches that network.
          let source = following == .dhcp4 ? "DHCP" : "router advertisements"
          diagnostics.append(
            .warning(
              "nm: \(device) gets its \(route.family.displayName) gateway from \(source), which NetworkManager cannot "
                + "follow in table \(route.table) without moving \(device)'s network out of main too "
                + "(ipv4.route-table): polroute writes today's gateway, \(gateway); run 'polroute apply --persist' "
                + "again when it changes"))
        }
        switch routeEntry(route) {
        case .success(let entry):
          connection.entries[(route.family == .inet ? "ipv4" : "ipv6") + ".routes", default: []].append(entry)
        case .failure(let problem):
          diagnostics.append(
            .error(
              "nm: cannot write route \(route.destination.routeText) (table \(route.table)) to \(place): \(problem)",
              at: policy.routeLocations[route.key]))
        }
      }
      for rule in contents.rules {
        switch ruleEntry(rule) {
        case .success(let entry):
          connection.entries[(rule.family == .inet ? "ipv4" : "ipv6") + ".routing-rules", default: []].append(entry)
        case .failure(let problem):
          diagnostics.append(
            .error("nm: cannot write \(rule.family.displayName) rule \(rule.priority) to \(place): \(problem)"))
        }
      }
      connections.append(connection)
    }
    for rule in InterfaceContents.homeless(policy) {
      diagnostics.append(
        .warning(
          "nm: rule \(rule.priority) belongs to no interface and polroute has no uplink to put it with; it is not "
            + "written"))
    }
    return (connections, diagnostics)
  }

  /// The script and a keyfile fragment per connection.
  public static func render(_ policy: Policy, context: RenderContext) -> RenderResult {
    var (connections, diagnostics) = connections(policy, context: context)
    guard !connections.isEmpty else { return RenderResult(diagnostics: diagnostics) }
    diagnostics.append(
      Diagnostic(
        .note,
        "nm: NetworkManager takes routes and rules only through nmcli: 'apply --persist' runs \(scriptPath) on this "
          + "host; after 'render --root DIR', run DIR\(scriptPath) on the host"))
    var files = [RenderedFile(path: scriptPath, contents: script(policy, connections, context: context), mode: 0o755)]
    for connection in connections {
      files.append(
        RenderedFile(
          path: "\(directory)/\(connection.device).keyfile", contents: fragment(policy, connection, context: context)))
    }
    return RenderResult(files: files, diagnostics: diagnostics)
  }

  /// Every file polroute wrote in its directory.
  public static func previousFiles(in files: any FileReader) -> [String] {
    files.list(directory).filter { $0.hasSuffix(".keyfile") || $0 == "apply-connections.sh" }.map {
      directory + "/" + $0
    }
  }

  /// Warnings about interfaces NetworkManager does not configure, or may configure from another profile.
  public static func hostDiagnostics(_ policy: Policy, context: RenderContext, files: any FileReader) throws
    -> [Diagnostic]
  {
    var diagnostics: [Diagnostic] = []
    for contents in InterfaceContents.all(policy) where context.renders(contents.device, as: .nm) {
      guard let configuration = context.configuration(of: contents.device),
        let binding = configuration.networkManager
      else { continue }
      let name = "connection \(binding.id ?? binding.uuid ?? binding.path)"
      if let manager = configuration.management.manager, manager != .networkManager {
        diagnostics.append(
          .warning(
            "nm: \(contents.device) is managed by \(manager.rawValue), not NetworkManager, so NetworkManager never "
              + "applies \(name) to it (use --format \(PersistFormats.format(for: manager).rawValue))"))
      } else if !binding.alternatives.isEmpty {
        diagnostics.append(
          .warning(
            "nm: NetworkManager may activate another profile than \(name) on \(contents.device) ("
              + binding.alternatives.joined(separator: ", ")
              + "), which would not carry polroute's routes and rules"))
      }
    }
    return diagnostics
  }

  // MARK: entries

  /// A route in nmcli's text form (`DEST [GATEWAY] METRIC [NAME=VALUE...]`, attributes in nmcli's order), or why
  /// NetworkManager cannot carry it.
  public static func routeEntry(_ route: Route) -> Result<String, NMProblem> {
    guard route.nexthops.isEmpty else {
      return .failure(NMProblem("NetworkManager has no multipath routes (its ipv4.routes take one next hop each)"))
    }
    if route.realm != nil { return .failure(NMProblem("NetworkManager's routes have no realm")) }
    let types: [RouteType] = [.unicast, .blackhole, .unreachable, .prohibit, .throw]
    guard types.contains(route.type) else {
      return .failure(NMProblem("NetworkManager has no route type '\(route.type.rawValue)'"))
    }
    var words = [route.destination.description]
    if let gateway = route.gateway { words.append(gateway.description) }
    words.append(String(route.metric))
    words += attributes(route).map { "\($0.key)=\($0.value)" }
    return .success(words.joined(separator: " "))
  }

  /// A route's attributes, sorted by name as NetworkManager writes them.
  static func attributes(_ route: Route) -> [(key: String, value: String)] {
    var attributes: [(key: String, value: String)] = []
    if let source = route.source { attributes.append(("from", source.description)) }
    if route.isOnlink { attributes.append(("onlink", "true")) }
    // NetworkManager gives an IPv4 route without a gateway scope link, with one scope global.
    if route.family == .inet, route.type == .unicast,
      route.scope != (route.gateway == nil ? RouteScope.link : RouteScope.global)
    {
      attributes.append(("scope", String(route.scope)))
    }
    if let source = route.preferredSource { attributes.append(("src", source.description)) }
    attributes.append(("table", String(route.table)))
    if route.type != .unicast { attributes.append(("type", route.type.rawValue)) }
    return attributes.sorted { $0.key < $1.key }
  }

  /// A rule in nmcli's text form (`priority N [not] from PREFIX [to PREFIX] ... table T|type TYPE`, NetworkManager's
  /// word order), or why NetworkManager cannot carry it.
  public static func ruleEntry(_ rule: Rule) -> Result<String, NMProblem> {
    let selector = rule.selector
    if selector.l3mdev { return .failure(NMProblem("NetworkManager's rules have no l3mdev")) }
    if rule.realms != nil { return .failure(NMProblem("NetworkManager's rules have no realms")) }
    // Measured with NetworkManager 1.42: it keeps 0 and 65535 for "no port" and refuses a range holding either.
    for (name, ports) in [("sport", selector.sourcePort), ("dport", selector.destinationPort)] {
      if let ports, ports.start == 0 || ports.end >= 65535 {
        return .failure(NMProblem("NetworkManager takes no \(name) range that holds 0 or 65535 ('\(ports)')"))
      }
    }
    var words = ["priority", String(rule.priority)]
    if selector.invert { words.append("not") }
    if let source = selector.source {
      words += ["from", RuleSelector.prefixText(source)]
    } else if selector.destination == nil {
      // NetworkManager writes a rule without addresses as one from every address of its family.
      words += ["from", rule.family == .inet ? "0.0.0.0/0" : "::/0"]
    }
    if let destination = selector.destination { words += ["to", RuleSelector.prefixText(destination)] }
    if let tos = selector.tos { words += ["tos", "0x" + (tos < 0x10 ? "0" : "") + String(tos, radix: 16)] }
    if let number = selector.ipProtocol { words += ["ipproto", String(number)] }
    if let ports = selector.sourcePort { words += ["sport", ports.description] }
    if let ports = selector.destinationPort { words += ["dport", ports.description] }
    if let mark = selector.fwmark {
      words += ["fwmark", RuleSelector.hex(mark) + (selector.fwmask.map { "/" + RuleSelector.hex($0) } ?? "")]
    }
    if let input = selector.inputInterface { words += ["iif", input] }
    if let output = selector.outputInterface { words += ["oif", output] }
    if let users = selector.uidRange { words += ["uidrange", "\(users.start)-\(users.end)"] }
    if let suppress = rule.suppressPrefixLength { words += ["suppress_prefixlength", String(suppress)] }
    switch rule.action {
    case .lookup(let table):
      guard table != RoutingTable.unspec else { return .failure(NMProblem("NetworkManager needs a table to look up")) }
      words += ["table", String(table)]
    case .blackhole, .unreachable, .prohibit:
      words += ["type", rule.action.description]
    case .goto, .nop:
      return .failure(NMProblem("NetworkManager's rules have no '\(rule.action.description)' action"))
    }
    return .success(words.joined(separator: " "))
  }

  // MARK: files

  /// The script: for each connection, the properties nmcli reads back, the profile's own entries kept, polroute's
  /// replaced with the wanted ones; `nmcli connection modify` runs only where something differs.
  static func script(_ policy: Policy, _ connections: [Connection], context: RenderContext) -> String {
    var lines = ["#!/bin/sh"] + context.header(policy)
    let tables = policy.ownedTables.union(context.previousTables).sorted().map(String.init).joined(separator: " ")
    lines += [
      "#",
      "# Sets polroute's routes and rules in the NetworkManager profile of each interface it persists. A profile's",
      "# own routes and rules stay; polroute's (routes in its tables, rules at its priorities or looking up its",
      "# tables) are replaced by the wanted ones. NetworkManager applies a profile when it next activates it (at",
      "# boot); 'polroute apply' keeps the kernel right until then. Running it again changes nothing.",
      "set -eu",
      "export LC_ALL=C",
      "",
      "die() {",
      "  printf 'apply-connections.sh: %s\\n' \"$*\" >&2",
      "  exit 1",
      "}",
      "",
      "command -v nmcli >/dev/null 2>&1 || die \"'nmcli' (NetworkManager) is not installed\"",
      "",
      "# The tables polroute owns (now, and in its rt_tables file before).",
      "tables=\(ShellQuoting.alwaysQuote(tables))",
      "",
      "# entries CONNECTION PROPERTY: the property's entries, one a line (nmcli separates them with ', ').",
      "entries() {",
      "  value=$(nmcli -g \"$2\" connection show \"$1\") || die \"cannot read $2 of connection $1\"",
      "  printf '%s\\n' \"$value\" | awk '{ gsub(/\\\\:/, \":\"); n = split($0, parts, /, /)",
      "    for (i = 1; i <= n; i++) if (parts[i] != \"\") print parts[i] }'",
      "}",
      "",
      "# value CONNECTION PROPERTY PRIORITIES WANTED: the property as it should be, its entries joined with ', ': the",
      "# profile's own (not a route of polroute's tables, not a rule at one of PRIORITIES or looking up one of its",
      "# tables), then WANTED (one a line).",
      "value() {",
      "  kept=$(entries \"$1\" \"$2\" | awk -v tables=\" $tables \" -v priorities=\" $3 \" '",
      "    { for (i = 1; i <= NF; i++) {",
      "        if ($i ~ /^table=/ && index(tables, \" \" substr($i, 7) \" \")) next",
      "        if (i < NF && $i == \"table\" && index(tables, \" \" $(i + 1) \" \")) next",
      "        if (i < NF && $i == \"priority\" && index(priorities, \" \" $(i + 1) \" \")) next",
      "      }",
      "      print }')",
      "  printf '%s\\n%s\\n' \"$kept\" \"$4\" | awk 'NF { line = line == \"\" ? $0 : line \", \" $0 } END { print line }'",
      "}",
      "",
      "# update CONNECTION DEVICE PRIORITIES4 PRIORITIES6 ROUTES4 RULES4 ROUTES6 RULES6: sets the four properties,",
      "# with one 'nmcli connection modify' and only where one differs.",
      "update() {",
      "  nmcli -g connection.id connection show \"$1\" >/dev/null 2>&1 ||",
      "    die \"NetworkManager has no connection $1 (the profile of $2): create it, or render again\"",
      "  connection=$1",
      "  set -- \"$3\" \"$4\" \"$5\" \"$6\" \"$7\" \"$8\"",
      "  routes4=$(value \"$connection\" ipv4.routes \"$1\" \"$3\")",
      "  rules4=$(value \"$connection\" ipv4.routing-rules \"$1\" \"$4\")",
      "  routes6=$(value \"$connection\" ipv6.routes \"$2\" \"$5\")",
      "  rules6=$(value \"$connection\" ipv6.routing-rules \"$2\" \"$6\")",
      "  set --",
      "  for property in ipv4.routes ipv4.routing-rules ipv6.routes ipv6.routing-rules; do",
      "    case $property in",
      "      ipv4.routes) wanted=$routes4 ;;",
      "      ipv4.routing-rules) wanted=$rules4 ;;",
      "      ipv6.routes) wanted=$routes6 ;;",
      "      *) wanted=$rules6 ;;",
      "    esac",
      "    now=$(entries \"$connection\" \"$property\" | awk 'NF { line = line == \"\" ? $0 : line \", \" $0 } END { print line }')",
      "    [ \"$now\" = \"$wanted\" ] || set -- \"$@\" \"$property\" \"$wanted\"",
      "  done",
      "  [ $# -eq 0 ] && return 0",
      "  nmcli connection modify \"$connection\" \"$@\" || die \"nmcli connection modify $connection failed\"",
      "  printf 'apply-connections.sh: updated connection %s\\n' \"$connection\" >&2",
      "}",
    ]
    // The same for every connection: the rules of the policy, by family.
    let priorities = AddressFamily.allCases.map { family in
      ShellQuoting.alwaysQuote(
        policy.rules.filter { $0.family == family }.map { String($0.priority) }.joined(separator: " "))
    }
    for connection in connections {
      lines.append("")
      lines.append(
        "# \(RenderContext.commentText(connection.id ?? connection.reference)), the profile of \(RenderContext.commentText(connection.device)) (\(RenderContext.commentText(connection.profile)))"
      )
      let arguments =
        [ShellQuoting.alwaysQuote(connection.reference), ShellQuoting.alwaysQuote(connection.device)] + priorities
      lines.append("update " + arguments.joined(separator: " ") + " \\")
      let values = properties.map { connection.entries[$0] ?? [] }
      for (index, entries) in values.enumerated() {
        let text = entries.isEmpty ? "''" : ShellQuoting.alwaysQuote(entries.joined(separator: "\n"))
        lines.append("  " + text + (index == values.count - 1 ? "" : " \\"))
      }
    }
    lines.append("")
    lines.append("exit 0")
    return lines.joined(separator: "\n") + "\n"
  }

  /// A connection's properties as NetworkManager's keyfile holds them (`routeN=`, `routeN_options=`,
  /// `routing-ruleN=`), numbered from 1.
  static func fragment(_ policy: Policy, _ connection: Connection, context: RenderContext) -> String {
    var lines = context.header(policy)
    lines += [
      "#",
      "# polroute's routes and rules for connection \(RenderContext.commentText(connection.id ?? connection.reference)), the profile of \(RenderContext.commentText(connection.device)):",
      "# \(RenderContext.commentText(connection.profile))",
      "# as NetworkManager's keyfile holds them. apply-connections.sh sets them with nmcli; to merge them into the",
      "# profile by hand, number them after its own routes and rules.",
      "",
      "[connection]",
    ]
    if let id = connection.id { lines.append("id=\(keyfileValue(id))") }
    if connection.reference != connection.id { lines.append("uuid=\(keyfileValue(connection.reference))") }
    for family in AddressFamily.allCases {
      let prefix = family == .inet ? "ipv4" : "ipv6"
      let routes = connection.entries[prefix + ".routes"] ?? []
      let rules = connection.entries[prefix + ".routing-rules"] ?? []
      guard !routes.isEmpty || !rules.isEmpty else { continue }
      lines += ["", "[\(prefix)]"]
      for (index, entry) in routes.enumerated() {
        let words = entry.split(separator: " ").map(String.init)
        // DEST [GATEWAY] METRIC NAME=VALUE...: the keyfile writes DEST,GATEWAY,METRIC (an unset gateway as the
        // family's any address) and the attributes apart.
        let plain = words.prefix { !$0.contains("=") }
        let options = words.drop { !$0.contains("=") }
        let gateway = plain.count == 3 ? plain[plain.startIndex + 1] : (family == .inet ? "0.0.0.0" : "::")
        lines.append("route\(index + 1)=\(plain.first!),\(gateway),\(plain.last!)")
        if !options.isEmpty { lines.append("route\(index + 1)_options=" + options.joined(separator: ",")) }
      }
      for (index, entry) in rules.enumerated() { lines.append("routing-rule\(index + 1)=\(entry)") }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A keyfile value: NetworkManager's keyfile escapes backslashes and control characters.
  static func keyfileValue(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7f {
          result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result
  }
}

/// Why NetworkManager cannot carry a route or rule.
public struct NMProblem: Error, Hashable, Sendable, CustomStringConvertible {
  /// The reason.
  public var description: String

  /// Wraps a reason.
  public init(_ description: String) {
    self.description = description
  }
}
