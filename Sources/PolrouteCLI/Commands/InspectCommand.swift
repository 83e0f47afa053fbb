import PolrouteCore
import PolrouteSystem

/// `polroute inspect`: what the host has, and what is wrong with it.
enum InspectCommand: Subcommand {
  /// `--check`.
  static let check = OptionSpec(
    "check",
    help:
      "Exit as a monitoring check: 0 no warning or error, 1 warnings, 2 errors, 3 the host could not be read; the first line says which."
  )

  /// The command's description.
  static let spec = CommandSpec(
    name: "inspect",
    abstract: "Show the host's addresses, routes and rules per interface, and what is wrong with them.",
    discussion: """
      Reads addresses and every routing table through 'ip -j' (three ip processes), the rules over rtnetlink (the \
      dump 'ip rule show' asks the kernel for), plus rt_tables and rp_filter. Each finding has a stable code, a \
      severity, what is wrong and how to fix it; where replies go is traced as 'polroute trace' traces it. With \
      --policy, judges the host as that policy would leave it (nothing is changed), and the fixes say what to change \
      in the file. With --json, prints the whole state and the findings as a versioned snapshot that --state reads \
      back.
      """,
    options: [CommonOptions.state, CommonOptions.policy, check, CommonOptions.json])

  /// The options, typed.
  struct Options {
    /// The host, and the policy to judge it with if one is given.
    var inputs: Inputs
    /// Whether to exit as a monitoring check.
    var check: Bool
    /// Whether to print JSON.
    var json: Bool

    /// Reads the parsed arguments.
    init(_ arguments: ParsedArguments) {
      inputs = Inputs(arguments)
      check = arguments.has(InspectCommand.check)
      json = arguments.has(CommonOptions.json)
    }
  }

  /// Reads the state and prints the report; with --check, any failure to read is the check's UNKNOWN.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let options = Options(arguments)
    guard options.check else { return try inspect(options, context: context) }
    do {
      return try inspect(options, context: context)
    } catch let error as PolicyError {
      context.diagnostics.print(error.diagnostics)
      context.stdout.write("POLROUTE UNKNOWN: the policy has errors\n")
    } catch {
      context.stdout.write("POLROUTE UNKNOWN: " + MessageText.escapingControls("\(error)") + "\n")
    }
    return .checkUnknown
  }

  /// Inspects the host, or the host as the policy would leave it.
  static func inspect(_ options: Options, context: CLIContext) throws -> ExitCode {
    var state: HostState
    var after: String?
    if let policyPath = options.inputs.policyPath {
      let resolved = try options.inputs.resolve(context)
      let plan = KernelPlan.make(state: resolved.state, policy: resolved.policy)
      state = plan.state(after: resolved.state)
      after = "as \(policyPath) would leave it (\(plan.changes.count) change\(plan.changes.count == 1 ? "" : "s"))"
    } else {
      state = try options.inputs.state(context)
    }
    // A snapshot is for planning elsewhere, and persisting rt_tables there depends on this host's iproute2.
    if options.json && state.system.iproute2Version == nil && !options.inputs.isSnapshot {
      state.system.iproute2Version = context.reader.readIPRouteVersion()
    }
    let findings = Inspector.findings(state, policyFile: options.inputs.policyPath)
    if options.check { context.stdout.write(InspectReport.checkLine(findings)) }
    if options.json {
      context.stdout.write(String(decoding: try Snapshot(state: state, findings: findings).encoded(), as: UTF8.self))
    } else {
      context.stdout.write(InspectReport.text(state: state, findings: findings, after: after, style: context.style))
    }
    guard options.check else { return .success }
    if findings.contains(where: { $0.severity == .error }) { return .changesPending }
    if findings.contains(where: { $0.severity == .warning }) { return .failure }
    return .success
  }
}

/// The human-readable inspect report.
enum InspectReport {
  /// One block per interface that can be an uplink, one line for the others, then the findings.
  static func text(state: HostState, findings: [Finding], after: String? = nil, style: Style) -> String {
    let names = state.names
    let reports = Inspector.interfaceReports(state)
    var text = ""
    let host = (state.hostname.map { "host \($0)" } ?? "this host") + (after.map { " " + $0 } ?? "")
    let uplinks = reports.filter { $0.exclusion == nil }
    text += style.bold("\(host): \(uplinks.count) uplink candidate\(uplinks.count == 1 ? "" : "s"), ")
    text += style.bold("\(findings.count) finding\(findings.count == 1 ? "" : "s")") + "\n"
    for report in uplinks {
      let interface = report.interface
      var header = "\n" + style.bold(interface.name) + "  \(interface.kind ?? "device") \(interface.operState)"
      if let mtu = interface.mtu { header += "  mtu \(mtu)" }
      if let filter = report.reversePathFilter { header += "  rp_filter \(rpFilterName(filter))" }
      text += header + "\n"
      if let configuration = state.hostConfiguration {
        text += managementLines(configuration.interface(named: interface.name), style: style)
      }
      for reply in report.replies {
        let family = reply.address.family.rawValue.padding(to: 6)
        let flags = reply.address.flags.isEmpty ? "" : " " + reply.address.flags.map(\.rawValue).joined(separator: ",")
        let address = (reply.address.address.description + flags).padding(to: 28)
        let leaves = reply.trace.outcome.egress?.device
        // The source is the address itself: only the way out and the table are news.
        let path =
          "replies "
          + (reply.trace.outcome.egress.map { "\($0.summary) (table \(names.name(for: $0.table) ?? String($0.table)))" }
            ?? reply.trace.outcome.summary(names: names))
        // Without a gateway the interface is a local network, and replies to remote clients rightly leave by
        // the default route; with one, they belong on the interface.
        let line: String
        if let leaves, leaves != interface.name {
          line =
            report.gateways[reply.address.family] == nil
            ? path + "  (no gateway known: a local network)" : style.yellow(path + "  <- wrong interface")
        } else {
          line = path
        }
        text += "  \(family)\(address) \(line)\n"
      }
      for family in AddressFamily.allCases {
        guard interface.globalAddresses.contains(where: { $0.family == family }) else { continue }
        let gateway = report.gateways[family].map(\.explanation) ?? style.yellow("none known")
        text += "  gateway \(family.rawValue.padding(to: 6))\(gateway)\n"
      }
      for rule in report.rules {
        text +=
          "  rule   \(rule.family.rawValue.padding(to: 6))\(rule.priority): \(RuleText.selectorAndAction(rule, names: names))\n"
      }
    }
    // main's defaults are where new connections go that no rule sends elsewhere. Each interface's gateway line
    // names one next hop of a multipath default: the whole route, with every next hop and its weight, is here.
    let defaults = state.routes.filter { $0.table == RoutingTable.main && $0.isDefault && $0.type == .unicast }
    if defaults.contains(where: { $0.nexthops.count > 1 }) {
      text += "\ndefault routes in main:\n"
      for route in defaults {
        text += "  \(route.family.rawValue.padding(to: 6))\(TraceReport.routeText(route, names: names))\n"
      }
    }
    if let omitted = state.omittedRoutes {
      text +=
        "\n\(omitted) routes of large tables were read and not kept: polroute needs only their defaults, link routes and one route per gateway\n"
    }
    if let agents = state.hostConfiguration?.cloudAgents, !agents.isEmpty {
      text += "\ncloud agents: " + agents.map(cloudAgentText).joined(separator: ", ") + "\n"
    }
    let others = reports.filter { $0.exclusion != nil }
    if !others.isEmpty {
      text +=
        "\nnot uplinks: " + others.map { "\($0.interface.name) (\($0.exclusion!))" }.joined(separator: ", ") + "\n"
    }
    if findings.isEmpty {
      text += "\n" + style.green("no findings") + "\n"
      return text
    }
    text += "\nfindings:\n"
    for finding in findings {
      let severity: String
      switch finding.severity {
      case .error: severity = style.red("error  ")
      case .warning: severity = style.yellow("warning")
      case .info: severity = style.cyan("info   ")
      }
      text += "  \(severity) \(finding.code) (\(finding.subject))\n"
      text += "          \(finding.message)\n"
      text += "          fix: \(finding.fix)\n"
    }
    return text
  }

  /// The first line of `inspect --check`: OK, WARNING or CRITICAL, with the counts and the codes, as monitoring
  /// plugins print it.
  static func checkLine(_ findings: [Finding]) -> String {
    let errors = findings.filter { $0.severity == .error }
    let warnings = findings.filter { $0.severity == .warning }
    let status = !errors.isEmpty ? "CRITICAL" : !warnings.isEmpty ? "WARNING" : "OK"
    func count(_ group: [Finding], _ noun: String) -> String {
      "\(group.count) \(noun)\(group.count == 1 ? "" : "s")"
    }
    var line = "POLROUTE \(status): \(count(errors, "error")), \(count(warnings, "warning"))"
    let named = (errors + warnings).map { "\($0.code) (\($0.subject))" }
    if !named.isEmpty { line += ": " + named.joined(separator: ", ") }
    return line + "\n"
  }

  /// `  managed by MANAGER, FILE`, and a line per other manager that claims the interface too.
  static func managementLines(_ configuration: InterfaceConfiguration?, style: Style) -> String {
    guard let configuration, let manager = configuration.management.manager else {
      return "  managed by no network manager polroute writes for (polroute persists it with its boot unit)\n"
    }
    var line = "  managed by \(manager.rawValue)"
    switch manager {
    case .networkd:
      if let binding = configuration.networkd { line += ", \(binding.runtimeFile ?? binding.file)" }
    case .networkManager:
      if let binding = configuration.networkManager {
        line += ", connection '\(MessageText.quoted(binding.id ?? binding.uuid ?? "?"))' (\(binding.path))"
      }
    case .ifupdown:
      if let stanza = configuration.ifupdown?.stanzas.first {
        line += ", \(stanza.location.file):\(stanza.location.line)"
      }
    case .initscripts:
      if let ifcfg = configuration.ifcfg { line += ", \(ifcfg.path)" }
    }
    if configuration.management.viaNetplan, let netplan = configuration.netplan {
      line += " (from netplan's '\(MessageText.quoted(netplan.id))'"
      if let location = netplan.locations.first { line += ", \(location.file):\(location.line)" }
      line += ")"
    }
    var text = line + "\n"
    for claim in configuration.management.contenders {
      let place = claim.location.map { "\($0.file):\($0.line): " } ?? ""
      text +=
        "  "
        + style.yellow(
          "also claimed by \(claim.manager.rawValue) (\(place)\(MessageText.quoted(claim.detail))): two managers "
            + "configuring one interface undo each other") + "\n"
    }
    return text
  }

  /// `cloud-init (network configuration off)`, `amazon-ec2-net-utils`.
  static func cloudAgentText(_ agent: CloudAgent) -> String {
    switch agent.managesNetworkConfiguration {
    case true?: return "\(agent.kind.rawValue) (writes the network configuration)"
    case false?: return "\(agent.kind.rawValue) (network configuration off)"
    case nil: return agent.kind.rawValue
    }
  }

  /// `strict`, `loose` or `off`.
  static func rpFilterName(_ value: Int) -> String {
    switch value {
    case 0: return "off"
    case 1: return "strict"
    case 2: return "loose"
    default: return String(value)
    }
  }
}

extension String {
  /// Pads with spaces to at least `width` characters (one space at least when longer).
  func padding(to width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}
