/// How table numbers appear in generated text.
public enum TableReference: Sendable {
  /// Always the number: works on any host, whatever its rt_tables says.
  case number
  /// The rt_tables name where one is known, for text people read.
  case name(RoutingTableNames)

  /// The text for a table.
  func text(_ table: UInt32) -> String {
    switch self {
    case .number: return String(table)
    case .name(let names): return names.name(for: table) ?? String(table)
    }
  }
}

/// The words of `ip rule` commands for a rule, in the order `ip rule show` prints them.
public enum RuleText {
  /// The selector and action words (`from 203.0.113.10 lookup 101`); `from all` is left out unless the rule has no
  /// other selector, where `ip` would print it.
  public static func selectorWords(_ rule: Rule, tables: TableReference = .number) -> [String] {
    var words = rule.selector.words()
    switch rule.action {
    case .lookup(let table):
      // An l3mdev rule looks up the VRF's own table: `ip` takes no table for it.
      if !rule.selector.l3mdev { words += ["lookup", tables.text(table)] }
    case .goto(let target): words += ["goto", String(target)]
    case .blackhole, .unreachable, .prohibit, .nop: words.append(rule.action.description)
    }
    if let suppress = rule.suppressPrefixLength { words += ["suppress_prefixlength", String(suppress)] }
    if let group = rule.suppressInterfaceGroup { words += ["suppress_ifgroup", group] }
    if let realms = rule.realms { words += ["realms", realms.description] }
    return words
  }

  /// The words after `ip rule add`: selectors, action, `priority` and `protocol`.
  public static func addWords(_ rule: Rule, tables: TableReference = .number) -> [String] {
    var words = selectorWords(rule, tables: tables) + ["priority", String(rule.priority)]
    if let number = rule.protocolNumber { words += ["protocol", String(number)] }
    return words
  }

  /// `from 203.0.113.10 lookup data`, as `ip rule show` prints it (with `from all` where ip prints it).
  public static func selectorAndAction(_ rule: Rule, names: RoutingTableNames) -> String {
    var words = selectorWords(rule, tables: .name(names))
    if rule.selector.source == nil {
      let at = rule.selector.invert ? 1 : 0
      words.insert(contentsOf: ["from", "all"], at: at)
    }
    return words.joined(separator: " ")
  }
}

/// The words of `ip route` commands for a route.
public enum RouteText {
  /// The words after `ip route replace` (or `add`/`del`): type, destination, next hops, attributes and table.
  public static func words(_ route: Route, tables: TableReference = .number) -> [String] {
    var words: [String] = []
    if route.type != .unicast { words.append(route.type.rawValue) }
    words.append(route.destination.routeText)
    if let source = route.source { words += ["from", source.description] }
    if let gateway = route.gateway { words += ["via", gateway.description] }
    if let device = route.device { words += ["dev", device] }
    if route.protocolNumber != RouteProtocol.boot { words += ["proto", String(route.protocolNumber)] }
    if route.scope != RouteScope.global { words += ["scope", RouteScope.names[route.scope] ?? String(route.scope)] }
    if let source = route.preferredSource { words += ["src", source.description] }
    if route.metric != 0 { words += ["metric", String(route.metric)] }
    if let realm = route.realm { words += ["realm", String(realm)] }
    if route.isOnlink { words.append("onlink") }
    words += ["table", tables.text(route.table)]
    // `ip route` reads everything after the first `nexthop` as next hops: they go last.
    for hop in route.nexthops {
      words.append("nexthop")
      if let gateway = hop.gateway { words += ["via", gateway.description] }
      if let device = hop.device { words += ["dev", device] }
      if hop.weight != 1 { words += ["weight", String(hop.weight)] }
      if hop.flags.contains("onlink") { words.append("onlink") }
    }
    return words
  }

  /// The words that identify a route for `ip route del`: type, destination, source, device, metric and table. The
  /// device narrows the match: IPv6 keeps routes to one prefix on several devices apart, and a delete by prefix
  /// alone would remove whichever the kernel finds first.
  public static func deleteWords(_ route: Route, tables: TableReference = .number) -> [String] {
    var words: [String] = []
    if route.type != .unicast { words.append(route.type.rawValue) }
    words.append(route.destination.routeText)
    if let source = route.source { words += ["from", source.description] }
    if let device = route.device { words += ["dev", device] }
    if route.metric != 0 { words += ["metric", String(route.metric)] }
    words += ["table", tables.text(route.table)]
    return words
  }
}
