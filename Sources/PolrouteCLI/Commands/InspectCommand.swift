import PolrouteCore
import PolrouteSystem

/// `polroute inspect`: what the host has, and what is wrong with it.
enum InspectCommand: Subcommand {
  /// The command's description.
  static let spec = CommandSpec(
    name: "inspect",
    abstract: "Show the host's addresses, routes and rules per interface, and what is wrong with them.",
    discussion: """
      Reads addresses, rules and every routing table through 'ip -j' (three ip processes), plus rt_tables and \
      rp_filter. Each finding has a stable code, a severity, what is wrong and how to fix it. With --json, prints \
      the whole state and the findings as a versioned snapshot that --state reads back.
      """,
    options: [CommonOptions.state, CommonOptions.json])

  /// Reads the state and prints the report.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    var state = try Inputs(arguments).state(context)
    // A snapshot is for planning elsewhere, and persisting rt_tables there depends on this host's iproute2.
    if arguments.has(CommonOptions.json) && state.system.iproute2Version == nil && !Inputs(arguments).isSnapshot {
      state.system.iproute2Version = context.reader.readIPRouteVersion()
    }
    let findings = Inspector.findings(state)
    if arguments.has(CommonOptions.json) {
      context.stdout.write(String(decoding: try Snapshot(state: state, findings: findings).encoded(), as: UTF8.self))
    } else {
      context.stdout.write(InspectReport.text(state: state, findings: findings, style: context.style))
    }
    return .success
  }
}

/// The human-readable inspect report.
enum InspectReport {
  /// One block per interface that can be an uplink, one line for the others, then the findings.
  static func text(state: HostState, findings: [Finding], style: Style) -> String {
    let names = state.names
    let reports = Inspector.interfaceReports(state)
    var text = ""
    let host = state.hostname.map { "host \($0)" } ?? "this host"
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
        let wrong = reply.path.device.map { $0 != interface.name } ?? false
        let path = "replies " + reply.path.describe(names: names)
        text += "  \(family)\(address) \(wrong ? style.yellow(path + "  <- wrong interface") : path)\n"
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
