/// What about the host as a whole undoes the files polroute writes, whatever their format: systemd-networkd
/// removing the rules and routes it did not configure, and cloud agents that rewrite the network configuration,
/// routes or rules. Said once per plan, beside each renderer's own warnings.
public enum HostWarnings {
  /// The warnings for persisting `formats` (whose files are `rendered`) on the host `context` describes; `files` are
  /// the host's files under its root.
  public static func diagnostics(
    _ formats: [RenderFormat], policy: Policy, context: RenderContext, rendered: [RenderedFile], files: any FileReader
  ) throws -> [Diagnostic] {
    // What comes back at boot: the script and rt_tables configure nothing a manager or agent undoes.
    let persisted = formats.filter { ![.script, .rtTables].contains($0) }
    guard !persisted.isEmpty, let host = context.hostConfiguration else { return [] }
    var diagnostics: [Diagnostic] = []
    if let networkd = try networkdRemoval(persisted, context: context, rendered: rendered, files: files) {
      diagnostics.append(networkd)
    }
    for agent in host.cloudAgents { diagnostics += cloudAgent(agent) }
    diagnostics += leases(persisted, policy: policy, context: context)
    return diagnostics
  }

  /// What the files hold of a DHCP lease: an uplink's address (its source rule names it) and, where the format
  /// cannot follow the lease's gateway itself, its gateway, both as they are today. The boot unit applies the
  /// policy afresh and holds neither; networkd follows the gateway (`Gateway=_dhcp4`); NetworkManager's renderer
  /// says its gateway warning itself.
  static func leases(_ formats: [RenderFormat], policy: Policy, context: RenderContext) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    for format in formats where format != .systemd {
      for uplink in policy.uplinks where context.renders(uplink.device, as: format) {
        guard context.configuration(of: uplink.device)?.usesDHCP(.inet) == true,
          let address = uplink.sourceAddresses.first(where: { $0.family == .inet })
        else { continue }
        let gatewayFollows =
          format == .nm
          || (format == .networkd
            && policy.routes.contains { route in
              route.table == uplink.table && route.family == .inet && route.isDefault
                && GatewayFollowing.of(route, policy: policy, context: context, manager: .networkd) != nil
            })
        // A gateway the policy names is the admin's, not the lease's.
        let gateway = gatewayFollows || uplink.gateway4?.source == .policy ? nil : uplink.gateway4?.address
        let held = "today's address \(address.address)" + (gateway.map { " and gateway \($0)" } ?? "")
        diagnostics.append(
          .warning(
            "\(format.rawValue): \(uplink.device) gets its IPv4 address from DHCP, and the files hold \(held), which "
              + "\(format.rawValue) cannot follow: on a new lease the hooks (docs/hooks.md) move the kernel's table "
              + "and rules with 'polroute apply --interface \(uplink.device)'; run 'polroute apply --persist' then to "
              + "rewrite the files"))
      }
    }
    return diagnostics
  }

  /// What networkd's removal of foreign rules and routes means for these files.
  static func networkdRemoval(
    _ formats: [RenderFormat], context: RenderContext, rendered: [RenderedFile], files: any FileReader
  ) throws -> Diagnostic? {
    guard NetworkdRenderer.isPresent(context), NetworkdRenderer.removesForeign(context) else { return nil }
    // The formats whose rules and routes are not networkd's own configuration.
    let undone = formats.filter { format in
      switch format {
      case .networkd, .rtTables, .script: return false
      case .netplan:
        // What netplan renders for networkd is networkd's own configuration.
        return (context.hostConfiguration?.interfaces ?? []).contains {
          $0.netplan?.renderer == .networkManager && context.renders($0.name, as: .netplan)
        }
      default: return context.rendersAny(as: format)
      }
    }
    guard !undone.isEmpty || rendered.contains(where: { $0.path == NetworkdRenderer.settingPath }) else { return nil }
    let settings = context.hostConfiguration?.networkd
    let why =
      "systemd-networkd runs here and removes every routing policy rule and route it did not configure whenever it "
      + "configures a link ('networkctl reconfigure', 'networkctl reload' after a .network file changed, a link "
      + "that appears later)"
      + (settings?.manageForeignRoutingPolicyRules.map { ", as \($0.location) says" } ?? "")
    if rendered.contains(where: { $0.path == NetworkdRenderer.settingPath }) {
      return Diagnostic(
        .note,
        why + ": polroute writes \(NetworkdRenderer.settingPath) (ManageForeignRoutingPolicyRules=no, "
          + "ManageForeignRoutes=no) so that it keeps polroute's")
    }
    if try files.readText(NetworkdRenderer.settingPath) != nil { return nil }
    let names = undone.map(\.rawValue).joined(separator: ", ")
    return .warning(
      why + ", so it would remove the rules and routes of polroute's \(names) files: add --format systemd, which "
        + "writes \(NetworkdRenderer.settingPath) too, or set ManageForeignRoutingPolicyRules=no and "
        + "ManageForeignRoutes=no in networkd.conf")
  }

  /// What a cloud agent does to polroute's configuration.
  static func cloudAgent(_ agent: CloudAgent) -> [Diagnostic] {
    let evidence = agent.evidence.first.map { " (\($0))" } ?? ""
    switch agent.kind {
    case .cloudInit:
      // Installed is not enough: it configures the network where its configuration says so or it wrote files.
      guard
        agent.managesNetworkConfiguration == true
          || (agent.managesNetworkConfiguration == nil && !agent.generatedFiles.isEmpty)
      else { return [] }
      let generated =
        agent.generatedFiles.isEmpty ? "" : " (it wrote " + agent.generatedFiles.joined(separator: ", ") + ")"
      return [
        .warning(
          "cloud-init\(evidence) writes the network configuration\(generated) again on a new instance, and at boot "
            + "where its datasource updates it: the files polroute extends may be renamed or rewritten, so run "
            + "'polroute apply --persist' again after it, or stop it with 'network: {config: disabled}' in a file of "
            + "/etc/cloud/cloud.cfg.d",
          at: agent.location)
      ]
    case .amazonEC2NetUtils:
      return [
        .warning(
          "amazon-ec2-net-utils\(evidence) gives every interface a routing table of its own (10000 and up) with rules "
            + "from priority 10000, and rewrites them whenever an interface or address appears: it competes with "
            + "polroute's tables and rules, so turn its policy routing off or leave those interfaces out of polroute's "
            + "policy ('exclude IFACE')")
      ]
    case .googleGuestAgent:
      guard agent.managesNetworkConfiguration != false else { return [] }
      return [
        .warning(
          "google-guest-agent\(evidence) configures secondary interfaces itself (it runs dhclient on them), which "
            + "may undo what polroute's files configure there: set 'setup = false' under [NetworkInterfaces] in "
            + "/etc/default/instance_configs.cfg",
          at: agent.location)
      ]
    }
  }
}
