/// Paths polroute owns on a host.
public enum PolrouteFiles {
  /// The rt_tables entries polroute writes.
  public static let rtTables = "/etc/iproute2/rt_tables.d/polroute.conf"
  /// The default policy file.
  public static let policy = "/etc/polroute.conf"
}

/// Turns a policy file (or none) and a host state into a `Policy`: derives uplinks, numbers tables, assigns rule
/// priorities, builds routes and rules, and checks everything, reporting errors with their file positions.
public struct PolicyResolver: Sendable {
  /// The host.
  public var state: HostState
  /// The parsed policy file; nil derives everything (as `auto` alone would).
  public var document: PolicyDocument?
  /// Whether the state is a snapshot, possibly of another host: unknown interfaces are warnings, not errors.
  public var isSnapshot: Bool

  /// Builds a resolver.
  public init(state: HostState, document: PolicyDocument?, isSnapshot: Bool) {
    self.state = state
    self.document = document
    self.isSnapshot = isSnapshot
  }

  /// Resolves the policy; throws every error found.
  public func resolve() throws(PolicyError) -> Policy {
    var context = ResolutionContext(resolver: self)
    return try context.run()
  }
}

/// The working state of one resolution.
struct ResolutionContext {
  /// The resolver's inputs.
  let resolver: PolicyResolver
  /// Errors and warnings so far.
  var diagnostics: [Diagnostic] = []
  /// The rules `rule` statements made.
  var statementRuleKeys: Set<RuleKey> = []

  /// What the host has, indexed once: a host may have thousands of interfaces, tables and rules, and every uplink
  /// asks about them.
  let host: HostIndex

  /// The host.
  var state: HostState { resolver.state }
  /// The file name for derived-policy messages.
  var file: String { resolver.document?.file ?? "derived" }

  /// Starts a resolution.
  init(resolver: PolicyResolver) {
    self.resolver = resolver
    self.host = HostIndex(resolver.state)
  }

  /// Records an error.
  mutating func error(_ message: String, at location: SourceLocation?) {
    diagnostics.append(.error(message, at: location))
  }

  /// Records a warning.
  mutating func warning(_ message: String, at location: SourceLocation? = nil) {
    diagnostics.append(.warning(message, at: location))
  }

  /// An interface that a statement names; unknown ones are errors on a live host and warnings on a snapshot.
  mutating func checkInterface(_ name: Located<String>, role: @autoclosure () -> String) -> Interface? {
    if let interface = host.interfaces[name.value] { return interface }
    let known = state.interfaces.map(\.name)
    let hint = Suggestion.closest(to: name.value, among: known).map { " (did you mean '\($0)'?)" } ?? ""
    let message = "unknown interface '\(name.value)' for \(role())\(hint)"
    if resolver.isSnapshot {
      warning(message + "; the snapshot of \(state.hostname ?? "this host") does not have it", at: name.location)
    } else {
      error(message, at: name.location)
    }
    return nil
  }

  // MARK: Run

  /// Resolves the whole policy.
  mutating func run() throws(PolicyError) -> Policy {
    let statements = resolver.document?.statements ?? []
    let isAuto = resolver.document.map(\.isAuto) ?? true

    // 1. Declarations.
    var uplinkStatements: [UplinkStatement] = []
    var tableStatements: [TableStatement] = []
    var routeStatements: [RouteStatement] = []
    var ruleStatements: [RuleStatement] = []
    var excludes: [String: SourceLocation] = [:]
    var includes: [String: SourceLocation] = [:]
    // Policies of thousands of statements are nearly all routes and rules: growing these arrays step by step copied
    // them a dozen times over. Untouched capacity costs no memory.
    routeStatements.reserveCapacity(statements.count)
    ruleStatements.reserveCapacity(statements.count)
    for statement in statements {
      switch statement {
      case .uplink(let uplink): uplinkStatements.append(uplink)
      case .table(let table): tableStatements.append(table)
      case .route(let route): routeStatements.append(route)
      case .rule(let rule): ruleStatements.append(rule)
      case .exclude(let name):
        _ = checkInterface(name, role: "exclude")
        excludes[name.value] = name.location
      case .include(let name):
        _ = checkInterface(name, role: "include")
        includes[name.value] = name.location
      case .auto: break
      }
    }
    checkDuplicateDeclarations(uplinkStatements, tableStatements)

    // 2. Uplinks: declared, then derived for the remaining candidates.
    var plannedUplinks: [PlannedUplink] = []
    for statement in uplinkStatements {
      if let location = excludes[statement.device.value] {
        error(
          "interface '\(statement.device.value)' is both an uplink and excluded (line \(location.line))",
          at: statement.device.location)
      }
      let interface = checkInterface(statement.device, role: "uplink \(statement.name.value)")
      plannedUplinks.append(
        PlannedUplink(
          statement: statement, interface: interface, device: statement.device.value, name: statement.name.value))
    }
    var excluded: [ExcludedInterface] = []
    let declaredDevices = Set(uplinkStatements.map(\.device.value))
    var takenNames = Set(plannedUplinks.map(\.name) + tableStatements.map(\.name.value))
    for interface in state.interfaces where !declaredDevices.contains(interface.name) {
      if excludes[interface.name] != nil {
        excluded.append(ExcludedInterface(name: interface.name, reason: .policy))
        continue
      }
      var reason = state.exclusionReason(for: interface)
      if includes[interface.name] != nil, let exclusion = reason, exclusion != .loopback {
        // `include` overrides the kind of interface (a bridge, a port, a tunnel), not a lack of addresses.
        reason = interface.globalAddresses.isEmpty ? .noGlobalAddress : nil
      }
      if let reason {
        excluded.append(ExcludedInterface(name: interface.name, reason: reason))
      } else if !isAuto {
        excluded.append(ExcludedInterface(name: interface.name, reason: .notDeclared))
      } else {
        let name = derivedName(for: interface.name, taken: takenNames)
        takenNames.insert(name)
        plannedUplinks.append(PlannedUplink(statement: nil, interface: interface, device: interface.name, name: name))
      }
    }

    // 3. Table numbers.
    var tables = assignTables(&plannedUplinks, tableStatements)

    // 4. Uplink contents: gateways, link and default routes.
    var uplinks: [Uplink] = []
    var routes: [Route] = []
    var routeOrigins: [RouteKey: SourceLocation?] = [:]
    routes.reserveCapacity(routeStatements.count + 4 * plannedUplinks.count)
    routeOrigins.reserveCapacity(routeStatements.count + 4 * plannedUplinks.count)
    for planned in plannedUplinks.sorted(by: { ($0.table ?? 0) < ($1.table ?? 0) }) {
      guard let table = planned.table else { continue }
      let uplink = buildUplink(planned, table: table)
      uplinks.append(uplink)
      for route in uplinkRoutes(uplink) {
        routes.append(route)
        routeOrigins[route.key] = .some(nil)
      }
    }
    tables.sort { $0.number < $1.number }

    // 5. Route statements.
    for statement in routeStatements {
      guard let route = buildRoute(statement, tables: tables, uplinks: uplinks) else { continue }
      if let origin = routeOrigins[route.key] {
        if let location = origin {
          error(
            "route \(route.destination.routeText) in table \(route.table) is given twice (first at line \(location.line))",
            at: statement.location)
          continue
        }
        // A route statement replaces the uplink's own route with the same destination and metric.
        routes.removeAll { $0.key == route.key }
      }
      routeOrigins[route.key] = .some(statement.location)
      routes.append(route)
    }

    // 6. Rules: statements first (explicit priorities, then the application band), then source rules.
    let rules = buildRules(ruleStatements, uplinks: uplinks, tables: tables)

    let errors = diagnostics.filter { $0.severity == .error }
    guard errors.isEmpty else {
      throw PolicyError(
        diagnostics.sorted {
          ($0.location ?? SourceLocation(file: "", line: 0, column: 0))
            < ($1.location ?? SourceLocation(file: "", line: 0, column: 0))
        })
    }
    let origin = resolver.document.map { "from \($0.file)" } ?? "derived from the host's state"
    let statementRoutes = Set(routeOrigins.compactMap { key, location in location == nil ? nil : key })
    return Policy(
      tables: tables, uplinks: uplinks, rules: rules, routes: routes,
      excluded: excluded.sorted { $0.name < $1.name }, diagnostics: diagnostics, origin: origin,
      statementRoutes: statementRoutes, statementRules: statementRuleKeys)
  }

  /// An uplink on its way to being resolved.
  struct PlannedUplink {
    /// The statement that declared it; nil when derived.
    var statement: UplinkStatement?
    /// The interface, if the host has it.
    var interface: Interface?
    /// The device name.
    var device: String
    /// The table name.
    var name: String
    /// The table number, once assigned.
    var table: UInt32?
  }

  /// Errors for uplinks and tables declared twice.
  mutating func checkDuplicateDeclarations(_ uplinks: [UplinkStatement], _ tables: [TableStatement]) {
    var names: [String: SourceLocation] = [:]
    var devices: [String: SourceLocation] = [:]
    var numbers: [UInt32: SourceLocation] = [:]
    for uplink in uplinks {
      if let first = names[uplink.name.value] {
        error(
          "table name '\(uplink.name.value)' is declared twice (first at line \(first.line))", at: uplink.name.location)
      }
      names[uplink.name.value] = uplink.name.location
      if let first = devices[uplink.device.value] {
        error(
          "interface '\(uplink.device.value)' has two uplinks (first at line \(first.line))", at: uplink.device.location
        )
      }
      devices[uplink.device.value] = uplink.device.location
      if let table = uplink.table {
        if let first = numbers[table.value] {
          error("table \(table.value) is declared twice (first at line \(first.line))", at: table.location)
        }
        numbers[table.value] = table.location
      }
    }
    for table in tables {
      if let first = names[table.name.value] {
        error(
          "table name '\(table.name.value)' is declared twice (first at line \(first.line))", at: table.name.location)
      }
      names[table.name.value] = table.name.location
      if let number = table.number {
        if let first = numbers[number.value] {
          error("table \(number.value) is declared twice (first at line \(first.line))", at: number.location)
        }
        numbers[number.value] = number.location
      }
    }
  }

  /// A table name for a derived uplink: the interface name when rt_tables accepts it and nothing else uses it.
  func derivedName(for device: String, taken: Set<String>) -> String {
    var base = String(
      device.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "_" })
    if !RoutingTableFile.isValidName(base) || ["main", "local", "default", "unspec", "all"].contains(base) {
      base = "if_" + base
    }
    var name = base
    var suffix = 2
    while taken.contains(name) || host.foreignEntryByName[name] != nil {
      name = "\(base)-\(suffix)"
      suffix += 1
    }
    return name
  }

  // MARK: Tables

  /// Why a table number cannot be polroute's, or nil when it is free for `name`.
  func foreignUse(of number: UInt32, name: String) -> String? {
    if RoutingTable.reserved.contains(number) { return "table \(number) is reserved" }
    if let entry = host.foreignEntryByNumber[number], entry.name != name {
      return "table \(number) is already named '\(entry.name)' in \(entry.file):\(entry.line)"
    }
    if let rule = host.foreignRuleByTable[number] {
      return
        "table \(number) is looked up by a rule polroute does not own (\(rule.priority): \(RuleText.selectorAndAction(rule, names: state.names)))"
    }
    if let route = host.foreignRouteByTable[number] {
      return "table \(number) already holds routes polroute did not make (\(route.destination.routeText))"
    }
    return nil
  }

  /// An error when the host's rt_tables (not polroute's own file) gives `name` a number other than `other`: the
  /// name would then stand for two tables.
  func hostNumber(forName name: String, other: UInt32) -> String? {
    guard let entry = host.foreignEntryByName[name], entry.number != other
    else { return nil }
    return
      "table name '\(name)' is table \(entry.number) in \(entry.file):\(entry.line) (use table \(entry.number), or another name)"
  }

  /// Numbers every uplink and table statement; returns the tables.
  mutating func assignTables(_ uplinks: inout [PlannedUplink], _ statements: [TableStatement]) -> [PolicyTable] {
    var taken: Set<UInt32> = []
    var result: [PolicyTable] = []
    // Explicit numbers first: they must be free.
    for index in uplinks.indices {
      guard let table = uplinks[index].statement?.table else { continue }
      if RoutingTable.reserved.contains(table.value) {
        error(
          "table \(table.value) is reserved (\(RoutingTable.builtinNames[table.value]!)) and cannot be an uplink's table",
          at: table.location)
        continue
      }
      if let reason = foreignUse(of: table.value, name: uplinks[index].name) {
        error(reason + " (choose another table number)", at: table.location)
        continue
      }
      if let conflict = hostNumber(forName: uplinks[index].name, other: table.value) {
        error(conflict, at: table.location)
        continue
      }
      taken.insert(table.value)
      uplinks[index].table = table.value
    }
    for statement in statements {
      guard let number = statement.number else { continue }
      if RoutingTable.reserved.contains(number.value) {
        error("table \(number.value) is reserved (\(RoutingTable.builtinNames[number.value]!))", at: number.location)
        continue
      }
      if let reason = foreignUse(of: number.value, name: statement.name.value) {
        error(reason + " (choose another table number)", at: number.location)
        continue
      }
      if let conflict = hostNumber(forName: statement.name.value, other: number.value) {
        error(conflict, at: number.location)
        continue
      }
      taken.insert(number.value)
      result.append(PolicyTable(number: number.value, name: statement.name.value))
    }
    // Then the rest, by name so the interface order never changes the numbers.
    let ownedNumbers = host.ownedNumberByName
    let previouslyOwned = Set(ownedNumbers.values)
    let foreignNames = host.foreignEntryByName
    var assignments: [String: UInt32] = [:]
    // Numbers only get taken, so the search for a free one goes on from where the last one ended.
    var candidate = Policy.firstTable
    let unnumberedUplinks = uplinks.filter { $0.table == nil && $0.statement?.table == nil }.map(\.name)
    let unnumberedTables = statements.filter { $0.number == nil }.map(\.name.value)
    let names = (unnumberedUplinks + unnumberedTables).sorted()
    for name in names {
      // A name the host already gives a number keeps it, if polroute may use that table.
      if let entry = foreignNames[name] {
        if let reason = foreignUse(of: entry.number, name: name) {
          error(
            "table name '\(name)' is table \(entry.number) in \(entry.file):\(entry.line), but \(reason) (choose another name)",
            at: location(ofName: name))
          continue
        }
        taken.insert(entry.number)
        assignments[name] = entry.number
        continue
      }
      if let previous = ownedNumbers[name], !taken.contains(previous), foreignUse(of: previous, name: name) == nil {
        taken.insert(previous)
        assignments[name] = previous
        continue
      }
      while true {
        if !taken.contains(candidate) && !RoutingTable.reserved.contains(candidate)
          && !previouslyOwned.contains(candidate)
          && foreignUse(of: candidate, name: name) == nil
        {
          break
        }
        candidate += 1
      }
      taken.insert(candidate)
      assignments[name] = candidate
    }
    for index in uplinks.indices where uplinks[index].table == nil {
      uplinks[index].table = assignments[uplinks[index].name]
    }
    for statement in statements where statement.number == nil {
      if let number = assignments[statement.name.value] {
        result.append(PolicyTable(number: number, name: statement.name.value))
      }
    }
    for uplink in uplinks {
      if let number = uplink.table {
        result.append(PolicyTable(number: number, name: uplink.name, device: uplink.device))
      }
    }
    return result
  }

  /// Where a table name was declared, for messages.
  func location(ofName name: String) -> SourceLocation? {
    for statement in resolver.document?.statements ?? [] {
      switch statement {
      case .uplink(let uplink) where uplink.name.value == name: return uplink.name.location
      case .table(let table) where table.name.value == name: return table.name.location
      default: continue
      }
    }
    return nil
  }

  // MARK: Uplinks

  /// Gateways, addresses and diagnostics of one uplink.
  mutating func buildUplink(_ planned: PlannedUplink, table: UInt32) -> Uplink {
    let interface = planned.interface
    let addresses = interface?.globalAddresses ?? []
    var uplink = Uplink(
      name: planned.name, device: planned.device, table: table, onlink: planned.statement?.onlink ?? false,
      addresses: addresses.map(\.address), declared: planned.statement != nil)
    for family in AddressFamily.allCases {
      let explicit = family == .inet ? planned.statement?.via : planned.statement?.via6
      var gateway: DiscoveredGateway?
      if let explicit {
        gateway = DiscoveredGateway(
          address: explicit.value, source: .policy, evidence: "policy file line \(explicit.location.line)")
        if let interface, !uplink.onlink, !isOnLink(explicit.value, interface: interface) {
          error(
            "gateway \(explicit.value) is outside every connected prefix of \(interface.name) (\(connected(interface, family))) (add 'onlink' if it is reachable anyway)",
            at: explicit.location)
        }
      } else if let interface, addresses.contains(where: { $0.family == family }) {
        gateway = host.gateways.gateway(of: interface.name, family: family)
        if let found = gateway, !isOnLink(found.address, interface: interface) { uplink.onlink = true }
      }
      if family == .inet { uplink.gateway4 = gateway } else { uplink.gateway6 = gateway }
      if gateway == nil, addresses.contains(where: { $0.family == family }) {
        warning(
          "no \(family.displayName) gateway is known for \(planned.device): table \(planned.name) holds only its link routes (name it with 'uplink \(planned.name) dev \(planned.device) \(family == .inet ? "via" : "via6") GATEWAY')",
          at: planned.statement?.location)
      }
    }
    for address in addresses where address.flags.contains(.dynamic) {
      diagnostics.append(
        Diagnostic(
          .note,
          "address \(address.address.address) on \(planned.device) is dynamic (DHCP or SLAAC): run polroute apply again when it changes",
          at: planned.statement?.location))
    }
    return uplink
  }

  /// Whether a gateway is reachable on-link: inside a connected prefix of the interface, or IPv6 link-local.
  func isOnLink(_ gateway: IPAddress, interface: Interface) -> Bool {
    if case .v6(let v6) = gateway, v6.isLinkLocal { return true }
    return interface.addresses.contains {
      $0.address.network.contains(gateway) || ($0.peer?.network.contains(gateway) ?? false)
        || $0.peer?.address == gateway
    }
  }

  /// The connected prefixes of an interface for a family, for messages.
  func connected(_ interface: Interface, _ family: AddressFamily) -> String {
    let prefixes = interface.addresses.filter { $0.family == family && $0.scope == "global" }.map {
      $0.address.network.description
    }
    return prefixes.isEmpty
      ? "it has no \(family.displayName) address" : Array(Set(prefixes)).sorted().joined(separator: ", ")
  }

  /// An uplink's table routes: a link route per connected prefix (IPv4 with `src`), and a default route per gateway.
  func uplinkRoutes(_ uplink: Uplink) -> [Route] {
    var routes: [Route] = []
    // An interface has a handful of prefixes: an array is cheaper here than hashing them.
    var seen: [IPPrefix] = []
    let addresses = host.interfaces[uplink.device]?.globalAddresses ?? []
    // The primary address of each prefix (not `secondary`) is the source the kernel itself uses for it.
    for address in addresses.sorted(by: {
      ($0.flags.contains(.secondary) ? 1 : 0, $0.address) < ($1.flags.contains(.secondary) ? 1 : 0, $1.address)
    }) {
      let network = address.address.network
      guard !network.isHost, !seen.contains(network) else { continue }
      seen.append(network)
      if address.family == .inet {
        routes.append(
          Route(
            table: uplink.table, destination: network, device: uplink.device, protocolNumber: RouteProtocol.polroute,
            scope: RouteScope.link, preferredSource: address.address.address))
      } else {
        // IPv6 link routes carry no `src`: the kernel refuses a source address that is still tentative (DAD).
        routes.append(
          Route(
            table: uplink.table, destination: network, device: uplink.device, protocolNumber: RouteProtocol.polroute,
            metric: 1024))
      }
    }
    for family in AddressFamily.allCases {
      guard let gateway = uplink.gateway(family) else { continue }
      routes.append(
        Route(
          table: uplink.table, destination: .defaultRoute(family), gateway: gateway.address, device: uplink.device,
          protocolNumber: RouteProtocol.polroute, metric: family == .inet ? 0 : 1024,
          flags: uplink.onlink ? ["onlink"] : []))
    }
    return routes
  }

  // MARK: Route statements

  /// Resolves a table reference to one of polroute's tables.
  mutating func ownedTable(
    _ reference: Located<TableReferenceText>, tables: [PolicyTable], role: @autoclosure () -> String
  ) -> PolicyTable? {
    switch reference.value {
    case .number(let number):
      if let table = tables.first(where: { $0.number == number }) { return table }
      if RoutingTable.reserved.contains(number) {
        error(
          "polroute never changes table \(number) (\(RoutingTable.builtinNames[number]!)): \(role()) must go in one of its own tables",
          at: reference.location)
      } else {
        error(
          "table \(number) is not declared in the policy (declare it with 'table NAME \(number)' or an uplink)",
          at: reference.location)
      }
    case .name(let name):
      if let table = tables.first(where: { $0.name == name }) { return table }
      if ["main", "local", "default"].contains(name) {
        error(
          "polroute never changes table \(name): \(role()) must go in one of its own tables", at: reference.location)
      } else {
        let hint = Suggestion.closest(to: name, among: tables.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
        error("unknown table '\(name)' for \(role())\(hint)", at: reference.location)
      }
    }
    return nil
  }

  /// Builds the route of a `route` statement.
  mutating func buildRoute(_ statement: RouteStatement, tables: [PolicyTable], uplinks: [Uplink]) -> Route? {
    let destination = statement.destination.value
    let family = destination.family
    guard let table = ownedTable(statement.table, tables: tables, role: "route \(destination.routeText)") else {
      return nil
    }
    if let via = statement.via, via.value.family != family {
      error(
        "gateway \(via.value) is \(via.value.family.displayName) but \(destination.routeText) is \(family.displayName)",
        at: via.location)
      return nil
    }
    if let source = statement.source, source.value.family != family {
      error(
        "source \(source.value) is \(source.value.family.displayName) but \(destination.routeText) is \(family.displayName)",
        at: source.location)
      return nil
    }
    var device = statement.device?.value
    var interface: Interface?
    if let name = statement.device {
      interface = checkInterface(name, role: "route \(destination.routeText)")
    } else if statement.type == .unicast {
      // Without `dev`, the route leaves where its gateway is connected, else through its table's uplink.
      if let via = statement.via?.value,
        let match = state.interfaces.first(where: {
          isOnLink(via, interface: $0) && !$0.isLoopback && !(via.family == .inet6 && $0.name != table.device)
        })
      {
        device = match.name
        interface = match
      } else {
        device = table.device
        interface = device.flatMap { host.interfaces[$0] }
      }
      if device == nil {
        error(
          "route \(destination.routeText) needs 'dev IFACE': table \(table.name) belongs to no uplink",
          at: statement.location)
        return nil
      }
    }
    if let via = statement.via, let interface, !statement.onlink, !isOnLink(via.value, interface: interface) {
      error(
        "gateway \(via.value) is outside every connected prefix of \(interface.name) (\(connected(interface, family))) (add 'onlink' if it is reachable anyway)",
        at: via.location)
      return nil
    }
    if let source = statement.source, state.interface(holding: source.value) == nil {
      let message = "source \(source.value) is not an address of this host (the kernel refuses such a 'src')"
      if resolver.isSnapshot {
        warning(message, at: source.location)
      } else {
        error(message, at: source.location)
        return nil
      }
    }
    let scope: UInt8 =
      statement.type == .unicast && statement.via == nil && family == .inet ? RouteScope.link : RouteScope.global
    // The kernel stores an IPv6 route given metric 0 with its default metric, 1024: plan what it will hold.
    let metric = statement.metric.map { family == .inet6 && $0 == 0 ? 1024 : $0 } ?? (family == .inet6 ? 1024 : 0)
    return Route(
      table: table.number, type: statement.type, destination: destination, gateway: statement.via?.value,
      device: statement.type == .unicast ? device : nil, protocolNumber: RouteProtocol.polroute, scope: scope,
      metric: metric, preferredSource: statement.source?.value,
      flags: statement.onlink ? ["onlink"] : [])
  }

  // MARK: Rules

  /// Resolves a rule's table reference: polroute's tables, the built-in names, the host's rt_tables, or a number.
  mutating func lookupTable(_ reference: Located<TableReferenceText>, tables: [PolicyTable]) -> UInt32? {
    switch reference.value {
    case .number(let number): return number
    case .name(let name):
      if let table = tables.first(where: { $0.name == name }) { return table.number }
      if let number = state.names.number(for: name) { return number }
      let candidates = tables.map(\.name) + ["main", "local", "default"] + state.tableNames.map(\.name)
      let hint = Suggestion.closest(to: name, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
      error("unknown table '\(name)'\(hint)", at: reference.location)
      return nil
    }
  }

  /// The rules of `rule` statements and uplinks, with priorities assigned.
  mutating func buildRules(_ statements: [RuleStatement], uplinks: [Uplink], tables: [PolicyTable]) -> [Rule] {
    // Who holds each priority, described only when a clash needs the words.
    var used: [AddressFamily: [UInt32: PriorityOwner]] = [.inet: [:], .inet6: [:]]
    for rule in state.rules where rule.protocolNumber != RouteProtocol.polroute {
      used[rule.family]?[rule.priority] = .foreign(rule)
    }
    var rules: [Rule] = []
    var pending: [(rule: Rule, statement: RuleStatement)] = []
    rules.reserveCapacity(statements.count + uplinks.reduce(0) { $0 + $1.addresses.count })
    pending.reserveCapacity(statements.count)
    // Explicit priorities first, so automatic ones can step around them.
    for statement in statements {
      guard let template = ruleTemplate(statement, tables: tables) else { continue }
      guard let priority = statement.priority else {
        pending.append((template, statement))
        continue
      }
      // One error per statement: a rule for both families would otherwise clash twice with the same owner.
      if let owner = statement.families.lazy.compactMap({ used[$0]?[priority.value] }).first {
        error(
          "priority \(priority.value) is already used by \(owner.description(names: state.names))",
          at: priority.location)
        continue
      }
      checkGoto(statement, priority: priority.value)
      for family in statement.families {
        used[family]?[priority.value] = .statement(line: statement.location.line)
        var rule = template
        rule.family = family
        rule.priority = priority.value
        rules.append(rule)
        statementRuleKeys.insert(rule.key)
      }
    }
    var next = Policy.PriorityBand.application
    for (template, statement) in pending {
      let families = statement.families
      while families.contains(where: { used[$0]?[next] != nil }) { next += 1 }
      guard next < Policy.PriorityBand.source else {
        // Point at the first rule that does not fit: the ones before it got their priorities.
        error(
          "more application rules than the band \(Policy.PriorityBand.application)-\(Policy.PriorityBand.source - 1) holds"
            + " (give some an explicit priority)",
          at: statement.location)
        break
      }
      checkGoto(statement, priority: next)
      for family in families {
        used[family]?[next] = .application
        var rule = template
        rule.family = family
        rule.priority = next
        rules.append(rule)
        statementRuleKeys.insert(rule.key)
      }
      next += 1
    }
    // Source rules: one per address, by table then address, each family counting on its own.
    var nextSource: [AddressFamily: UInt32] = [.inet: Policy.PriorityBand.source, .inet6: Policy.PriorityBand.source]
    for uplink in uplinks.sorted(by: { $0.table < $1.table }) {
      for address in uplink.addresses.sorted() {
        let family = address.family
        var priority = nextSource[family]!
        while used[family]?[priority] != nil { priority += 1 }
        guard priority <= Policy.PriorityBand.last else {
          error(
            "more source rules than the band \(Policy.PriorityBand.source)-\(Policy.PriorityBand.last) holds", at: nil)
          return rules
        }
        used[family]?[priority] = .source
        nextSource[family] = priority + 1
        rules.append(
          Rule(
            family: family, priority: priority, selector: RuleSelector(source: IPPrefix(host: address.address)),
            action: .lookup(uplink.table), protocolNumber: RouteProtocol.polroute))
      }
    }
    return rules
  }

  /// An error for a `goto` that does not jump forward: the kernel refuses it ("Backward goto not supported").
  mutating func checkGoto(_ statement: RuleStatement, priority: UInt32) {
    guard case .goto(let target)? = statement.action, target <= priority else { return }
    error(
      "'goto \(target)' jumps back from the rule's priority \(priority) (the kernel only jumps forward: give the rule"
        + " a priority below \(target))",
      at: statement.actionLocation ?? statement.location)
  }

  /// A rule statement's selectors and action, without family and priority.
  mutating func ruleTemplate(_ statement: RuleStatement, tables: [PolicyTable]) -> Rule? {
    // IPv4 rules take only the old TOS bits (0x02-0x1e); DiffServ code points work in IPv6 rules only.
    if let tos = statement.selector.tos, tos & ~0x1E != 0, statement.families.contains(.inet) {
      error(
        "the kernel refuses tos \(RuleSelector.hex(UInt32(tos))) in an IPv4 rule: only the TOS bits 0x02-0x1e are allowed (DiffServ values work in IPv6 rules)",
        at: statement.selectorLocations[.tos] ?? statement.location)
      return nil
    }
    var action: RuleAction
    switch statement.action {
    case .lookup(let reference)?:
      guard let table = lookupTable(reference, tables: tables) else { return nil }
      action = .lookup(table)
    case .goto(let target)?: action = .goto(target)
    case .blackhole?: action = .blackhole
    case .unreachable?: action = .unreachable
    case .prohibit?: action = .prohibit
    case .nop?: action = .nop
    case nil: action = .lookup(RoutingTable.unspec)
    }
    return Rule(
      family: .inet, priority: 0, selector: statement.selector, suppressPrefixLength: statement.suppressPrefixLength,
      action: action, protocolNumber: RouteProtocol.polroute)
  }
}

/// What a host has that resolution asks about again and again, indexed once.
struct HostIndex {
  /// The interfaces by name.
  let interfaces: [String: Interface]
  /// Every device's gateways.
  let gateways: GatewayIndex
  /// rt_tables entries outside polroute's own file, by number (the last definition, as `ip` reads them).
  let foreignEntryByNumber: [UInt32: TableNameEntry]
  /// rt_tables entries outside polroute's own file, by name.
  let foreignEntryByName: [String: TableNameEntry]
  /// The numbers polroute's own rt_tables file gave its names last time.
  let ownedNumberByName: [String: UInt32]
  /// The first rule polroute does not own that looks up each table.
  let foreignRuleByTable: [UInt32: Rule]
  /// The first route polroute did not make in each table.
  let foreignRouteByTable: [UInt32: Route]

  /// Indexes a state.
  init(_ state: HostState) {
    interfaces = Dictionary(state.interfaces.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    gateways = GatewayIndex(state)
    var byNumber: [UInt32: TableNameEntry] = [:]
    var byName: [String: TableNameEntry] = [:]
    var owned: [String: UInt32] = [:]
    for entry in state.tableNames {
      if entry.file == PolrouteFiles.rtTables {
        owned[entry.name] = entry.number
      } else {
        byNumber[entry.number] = entry
        byName[entry.name] = entry
      }
    }
    foreignEntryByNumber = byNumber
    foreignEntryByName = byName
    ownedNumberByName = owned
    var rules: [UInt32: Rule] = [:]
    for rule in state.rules where rule.protocolNumber != RouteProtocol.polroute {
      if let table = rule.lookupTable, rules[table] == nil { rules[table] = rule }
    }
    foreignRuleByTable = rules
    var routes: [UInt32: Route] = [:]
    for route in state.routes where route.protocolNumber != RouteProtocol.polroute && routes[route.table] == nil {
      routes[route.table] = route
    }
    foreignRouteByTable = routes
  }
}

/// What holds a rule priority while priorities are assigned.
enum PriorityOwner {
  /// A rule of another tool.
  case foreign(Rule)
  /// A `rule` statement with an explicit priority.
  case statement(line: Int)
  /// An application rule that got this priority.
  case application
  /// An uplink's source rule.
  case source

  /// The owner, for an error message.
  func description(names: RoutingTableNames) -> String {
    switch self {
    case .foreign(let rule):
      return "a rule polroute does not own (\(rule.priority): \(RuleText.selectorAndAction(rule, names: names)))"
    case .statement(let line): return "the rule at line \(line)"
    case .application: return "an application rule"
    case .source: return "a source rule"
    }
  }
}
