/// Prints a resolved policy in the policy-file syntax with everything explicit (table numbers, gateways,
/// priorities), so that `polroute policy > /etc/polroute.conf` starts a custom policy and parsing the output gives
/// the same resolved policy on the same host.
public enum PolicyPrinter {
  /// The policy file text.
  public static func text(_ policy: Policy, hostname: String?) -> String {
    var lines: [String] = []
    lines.append(
      "# polroute policy for \(hostname ?? "this host"), \(policy.origin), resolved by polroute \(PolrouteVersion.current)"
    )
    lines.append(
      "# Everything is explicit: edit it and pass it with --policy, or install it as \(PolrouteFiles.policy).")
    let names = policy.tableNames
    let groupTables = Set(policy.groups.map(\.table))
    let statementTables = policy.tables.filter { $0.device == nil && !groupTables.contains($0.number) }
    if policy.isAuto {
      lines.append("")
      lines.append(
        "# Derive an uplink for every interface with a gateway that this file does not name; without this line,")
      lines.append("# the policy is only what the file declares.")
      lines.append("auto")
    }
    let sourceRules = Dictionary(grouping: policy.rules.filter { policy.ruleRoles[$0.key] == .source }) {
      $0.lookupTable
    }
    for uplink in policy.uplinks {
      lines.append("")
      for family in AddressFamily.allCases {
        if let gateway = uplink.gateway(family) {
          lines.append("# \(uplink.device): \(family.displayName) gateway \(gateway.explanation)")
        } else if uplink.addresses.contains(where: { $0.family == family }) {
          lines.append("# \(uplink.device): no \(family.displayName) gateway known")
        }
      }
      var words = ["uplink", uplink.name, "dev", quote(uplink.device), "table", String(uplink.table)]
      if let gateway = uplink.gateway4 { words += ["via", gateway.address.description] }
      if let gateway = uplink.gateway6 { words += ["via6", gateway.address.description] }
      if uplink.onlink { words.append("onlink") }
      if let realm = uplink.realm { words += ["realm", String(realm)] }
      lines.append(words.joined(separator: " "))
      for rule in sourceRules[uplink.table] ?? [] {
        lines.append(
          "#   rule \(RuleText.selectorWords(rule, tables: .name(names)).joined(separator: " ")) priority \(rule.priority)"
        )
      }
    }
    if !statementTables.isEmpty { lines.append("") }
    for table in statementTables { lines.append("table \(table.name) \(table.number)") }
    let routes = policy.routes.filter { policy.statementRoutes.contains($0.key) }
    if !routes.isEmpty { lines.append("") }
    for route in routes { lines.append(routeStatement(route, names: names)) }
    if !policy.groups.isEmpty {
      lines.append("")
      lines.append(
        "# Uplink groups: each has a table of its own; the kernel skips the defaults over a link that is down.")
    }
    for group in policy.groups {
      lines.append(group.statement)
      for rule in policy.rules where rule.lookupTable == group.table && policy.ruleRoles[rule.key] == .outbound {
        lines.append(
          "#   rule \(RuleText.selectorWords(rule, tables: .name(names)).joined(separator: " ")) family "
            + "\(rule.family.rawValue) priority \(rule.priority): new outbound connections")
      }
    }
    let rules = policy.rules.filter { policy.ruleRoles[$0.key] == .statement }
    if !rules.isEmpty { lines.append("") }
    var printed: Set<UInt32> = []
    let byPriority = Dictionary(grouping: rules, by: \.priority)
    for rule in rules where !printed.contains(rule.priority) {
      // A rule without addresses made for both families prints once, as it was written (only its IPv4 copy has
      // the statement's realm).
      var plain = rule
      plain.realms = nil
      let twin = byPriority[rule.priority]?.first {
        var other = $0
        other.realms = nil
        return other.family != rule.family && other.doesTheSame(as: plain)
      }
      var words = ["rule"] + RuleText.selectorWords(plain, tables: .name(names)).map(quote)
      if twin == nil && rule.selector.family == nil { words += ["family", rule.family.rawValue] }
      words += ["priority", String(rule.priority)]
      if let realm = (rule.realms ?? twin?.realms)?.from { words += ["realm", String(realm)] }
      if twin != nil { printed.insert(rule.priority) }
      lines.append(words.joined(separator: " "))
    }
    let derived = policy.rules.filter {
      policy.ruleRoles[$0.key] == .localNetworks || policy.ruleRoles[$0.key] == .uplinkGuard
    }
    if !derived.isEmpty {
      lines.append("")
      lines.append(
        "# Derived rules: the host's local networks are reached directly from every address, and main's routes")
      lines.append(
        "# through one uplink (its network, its static routes) do not capture the replies of another's addresses.")
    }
    for rule in derived {
      let family = rule.selector.family == nil ? " family \(rule.family.rawValue)" : ""
      lines.append(
        "#   rule \(RuleText.selectorWords(rule, tables: .name(names)).joined(separator: " "))\(family)"
          + " priority \(rule.priority)")
    }
    let excluded = policy.excluded.filter { $0.reason == .policy }
    if !excluded.isEmpty { lines.append("") }
    for entry in excluded { lines.append("exclude \(quote(entry.name))") }
    let others = policy.excluded.filter { $0.reason != .policy }
    if !others.isEmpty {
      lines.append("")
      lines.append("# not uplinks: " + others.map { "\($0.name) (\($0.reason))" }.joined(separator: ", "))
    }
    for local in others where local.reason == .noGateway {
      lines.append(
        "# \(local.name) is reached directly; to send its addresses' replies to remote clients through its own"
          + " gateway: uplink \(DerivedNames.tableName(for: local.name)) dev \(quote(local.name)) via GATEWAY")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A `route` statement for a route.
  static func routeStatement(_ route: Route, names: RoutingTableNames) -> String {
    var words = ["route"]
    if route.type != .unicast { words.append(route.type.rawValue) }
    words.append(route.destination.isDefault ? route.destination.description : route.destination.routeText)
    if let gateway = route.gateway { words += ["via", gateway.description] }
    if let device = route.device { words += ["dev", quote(device)] }
    if route.isOnlink { words.append("onlink") }
    if let source = route.preferredSource { words += ["src", source.description] }
    let defaultMetric: UInt32 = route.family == .inet6 ? 1024 : 0
    if route.metric != defaultMetric { words += ["metric", String(route.metric)] }
    words += ["table", names.name(for: route.table) ?? String(route.table)]
    for hop in route.nexthops {
      words.append("nexthop")
      if let gateway = hop.gateway { words += ["via", gateway.description] }
      if let device = hop.device { words += ["dev", quote(device)] }
      if hop.weight != 1 { words += ["weight", String(hop.weight)] }
      if hop.flags.contains("onlink") { words.append("onlink") }
    }
    return words.joined(separator: " ")
  }

  /// A word as the policy lexer reads it back: double-quoted when it holds spaces, quotes, `#` or `\`.
  static func quote(_ word: String) -> String {
    DoubleQuoting.quote(word) { $0 == " " || $0 == "\t" || $0 == "#" }
  }
}
