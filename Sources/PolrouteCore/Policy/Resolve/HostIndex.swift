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
    for rule in state.rules where !Ownership.isMarked(rule) {
      if let table = rule.lookupTable, rules[table] == nil { rules[table] = rule }
    }
    foreignRuleByTable = rules
    var routes: [UInt32: Route] = [:]
    for route in state.routes where !Ownership.isMarked(route) && routes[route.table] == nil {
      routes[route.table] = route
    }
    foreignRouteByTable = routes
  }
}
