/// Step 3: a number for every table, stable across runs and clear of every table another tool uses.
extension ResolutionContext {
  /// Why a table number cannot be polroute's, or nil when it is free for `name`.
  func foreignUse(of number: UInt32, name: String) -> String? {
    if RoutingTable.reserved.contains(number) { return "table \(number) is reserved" }
    if let entry = host.foreignEntryByNumber[number], entry.name != name {
      return "table \(number) is already named '\(entry.name.echoed)' in \(entry.file):\(entry.line)"
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
      "table name '\(name.echoed)' is table \(entry.number) in \(entry.file):\(entry.line) "
        + "(use table \(entry.number), or another name)"
  }

  /// Takes a number a statement gives, if polroute may own it under `name`; an error at the number otherwise.
  mutating func claim(
    _ number: Located<UInt32>, name: String, reservedFor role: String, taken: inout Set<UInt32>
  ) -> Bool {
    if RoutingTable.reserved.contains(number.value) {
      error(
        "table \(number.value) is reserved (\(RoutingTable.builtinNames[number.value]!))\(role)", at: number.location)
      return false
    }
    if let reason = foreignUse(of: number.value, name: name) {
      error(reason + " (choose another table number)", at: number.location)
      return false
    }
    if let conflict = hostNumber(forName: name, other: number.value) {
      error(conflict, at: number.location)
      return false
    }
    taken.insert(number.value)
    return true
  }

  /// Numbers every uplink and table statement; returns the tables.
  mutating func assignTables(_ uplinks: inout [PlannedUplink], _ statements: [TableStatement]) -> [PolicyTable] {
    var taken: Set<UInt32> = []
    var result: [PolicyTable] = []
    // Explicit numbers first: they must be free.
    for index in uplinks.indices {
      guard let table = uplinks[index].statement?.table,
        claim(table, name: uplinks[index].name, reservedFor: " and cannot be an uplink's table", taken: &taken)
      else { continue }
      uplinks[index].table = table.value
    }
    for statement in statements {
      guard let number = statement.number, claim(number, name: statement.name.value, reservedFor: "", taken: &taken)
      else { continue }
      result.append(PolicyTable(number: number.value, name: statement.name.value))
    }
    // Then the rest, by name so the interface order never changes the numbers.
    let ownedNumbers = host.ownedNumberByName
    let deviceByName = Dictionary(
      uplinks.map { ($0.name, $0.device) }, uniquingKeysWith: { first, _ in first })
    // Numbers polroute gave before, in its rt_tables file or in the kernel, are kept for their names and devices:
    // a new interface whose name sorts first must not take another uplink's table.
    let previouslyOwned = Set(ownedNumbers.values).union(host.kernelTableByDevice.values)
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
            "table name '\(name.echoed)' is table \(entry.number) in \(entry.file):\(entry.line), but \(reason) "
              + "(choose another name)",
            at: location(ofName: name))
          continue
        }
        taken.insert(entry.number)
        assignments[name] = entry.number
        continue
      }
      let previousNumbers = [ownedNumbers[name], deviceByName[name].flatMap { host.kernelTableByDevice[$0] }]
      if let previous = previousNumbers.compactMap({ $0 }).first(where: {
        !taken.contains($0) && foreignUse(of: $0, name: name) == nil
      }) {
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
}
