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
  /// The table polroute's own routes in the kernel give each device: a table whose marked routes all leave through
  /// one device is that device's uplink table. It keeps table numbers stable without rt_tables.d/polroute.conf.
  let kernelTableByDevice: [String: UInt32]

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
    // polroute's tables on this host: those its own rt_tables file names, and those holding routes it marked. In
    // them, rules and routes a network manager installed (with the protocol it stamps) come from polroute's files
    // (see Ownership.managerRuleProtocols) and do not make the table another tool's.
    var polrouteTables = Set(owned.values)
    for route in state.routes where Ownership.isMarked(route) && !Ownership.neverTouched.contains(route.table) {
      polrouteTables.insert(route.table)
    }
    var rules: [UInt32: Rule] = [:]
    for rule in state.rules where !Ownership.isMarked(rule) {
      guard let table = rule.lookupTable, rules[table] == nil else { continue }
      if polrouteTables.contains(table), let number = rule.protocolNumber,
        Ownership.managerRuleProtocols.contains(number)
      {
        continue
      }
      rules[table] = rule
    }
    foreignRuleByTable = rules
    var routes: [UInt32: Route] = [:]
    for route in state.routes where !Ownership.isMarked(route) && routes[route.table] == nil {
      if polrouteTables.contains(route.table) && Ownership.managerRouteProtocols.contains(route.protocolNumber) {
        continue
      }
      routes[route.table] = route
    }
    foreignRouteByTable = routes
    var devicesByTable: [UInt32: Set<String>] = [:]
    for route in state.routes
    where Ownership.isMarked(route) && !Ownership.neverTouched.contains(route.table) && !route.devices.isEmpty {
      devicesByTable[route.table, default: []].formUnion(route.devices)
    }
    var byDevice: [String: UInt32] = [:]
    // The lowest table wins where a device has several (a stale one from an older policy among them).
    for (table, devices) in devicesByTable.sorted(by: { $0.key < $1.key }) where devices.count == 1 {
      if byDevice[devices.first!] == nil { byDevice[devices.first!] = table }
    }
    kernelTableByDevice = byDevice
  }
}
