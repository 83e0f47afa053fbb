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
  var ruleRoles: [RuleKey: RuleRole] = [:]

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
    let message = "unknown interface '\(name.value.echoed)' for \(role())\(hint)"
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
    let declarations = sortStatements(statements)

    // 2. Uplinks: declared, then derived for the remaining candidates.
    var (plannedUplinks, excluded) = planUplinks(declarations, isAuto: isAuto)
    let tableStatements = declarations.tables
    let routeStatements = declarations.routes
    let ruleStatements = declarations.rules

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

    // 5b. Uplink groups: their tables' defaults, and the settings they ask for.
    let groups = buildGroups(declarations.groups, uplinks: uplinks, tables: tables)
    var groupRoutes: Set<RouteKey> = []
    for route in groups.flatMap(\.routes) {
      if let origin = routeOrigins[route.key], let location = origin {
        error(
          "route \(route.destination.routeText) in table \(route.table) is given twice (first at line \(location.line))",
          at: groups.first { $0.group.table == route.table }?.group.location)
        continue
      }
      routeOrigins[route.key] = .some(groups.first { $0.group.table == route.table }?.group.location)
      groupRoutes.insert(route.key)
      routes.append(route)
    }
    let settings = groupSettings(groups)

    // 6. Rules: statements first (explicit priorities, then the application band), then the guards, the
    // local-networks rule and the source rules, and last the groups' rules for new outbound connections.
    let rules = buildRules(ruleStatements, uplinks: uplinks, tables: tables, groups: groups.map(\.group))

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
      .subtracting(groupRoutes)
    return Policy(
      tables: tables, uplinks: uplinks, rules: rules, routes: routes,
      excluded: excluded.sorted { $0.name < $1.name }, diagnostics: diagnostics, origin: origin,
      statementRoutes: statementRoutes, ruleRoles: ruleRoles, isAuto: isAuto,
      routeLocations: routeOrigins.compactMapValues { $0 }, groups: groups.map(\.group), settings: settings)
  }
}
