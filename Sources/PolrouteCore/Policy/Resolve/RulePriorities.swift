/// Step 6: the rules of `rule` statements and the uplinks' source rules, each with its own priority.
extension ResolutionContext {
  /// Resolves a rule's table reference: polroute's tables, the built-in names, the host's rt_tables, or a number.
  mutating func lookupTable(_ reference: Located<TableReferenceText>, tables: [PolicyTable]) -> UInt32? {
    switch reference.value {
    case .number(let number): return number
    case .name(let name):
      if let table = tables.first(where: { $0.name == name }) { return table.number }
      if let number = state.names.number(for: name) { return number }
      let candidates = tables.map(\.name) + RoutingTable.kernelTableNames + state.tableNames.map(\.name)
      let hint = Suggestion.closest(to: name, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
      error("unknown table '\(name)'\(hint)", at: reference.location)
      return nil
    }
  }

  /// The rules of `rule` statements and uplinks, with priorities assigned.
  mutating func buildRules(_ statements: [RuleStatement], uplinks: [Uplink], tables: [PolicyTable]) -> [Rule] {
    // Who holds each priority, described only when a clash needs the words.
    var used: [AddressFamily: [UInt32: PriorityOwner]] = [.inet: [:], .inet6: [:]]
    for rule in state.rules where !Ownership.isMarked(rule) {
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
