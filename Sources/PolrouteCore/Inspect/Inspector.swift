/// A global address and where replies from it go.
public struct AddressReply: Hashable, Sendable {
  /// The address.
  public var address: Address
  /// Where a reply from it to a remote client goes.
  public var trace: FlowTrace
}

/// What `polroute inspect` shows about one interface.
public struct InterfaceReport: Hashable, Sendable {
  /// The interface.
  public var interface: Interface
  /// Why it is not an uplink candidate, if it is not.
  public var exclusion: ExclusionReason?
  /// The effective IPv4 rp_filter value.
  public var reversePathFilter: Int?
  /// Its gateway for each family, where one is known.
  public var gateways: [AddressFamily: DiscoveredGateway]
  /// Each global address and where replies from it go.
  public var replies: [AddressReply]
  /// The rules that select traffic of this interface (by its addresses or its name).
  public var rules: [Rule]
}

/// Examines a host state and reports what is wrong with its routing. Where replies go is the flow simulator's
/// answer, the one `polroute trace` gives.
public enum Inspector {
  /// One report per interface, in index order.
  public static func interfaceReports(_ state: HostState) -> [InterfaceReport] {
    // One index for every interface: building it per question was quadratic in the routes of main.
    let gatewayIndex = GatewayIndex(state)
    let simulator = FlowSimulator(state: state, steps: .matched)
    return state.interfaces.map { interface in
      let addresses = interface.globalAddresses
      var gateways: [AddressFamily: DiscoveredGateway] = [:]
      for family in AddressFamily.allCases {
        if let gateway = gatewayIndex.gateway(of: interface.name, family: family) { gateways[family] = gateway }
      }
      let rules = state.rules.filter { rule in
        rule.selector.inputInterface == interface.name || rule.selector.outputInterface == interface.name
          || (rule.selector.source.map { prefix in addresses.contains { prefix.contains($0.address.address) } } ?? false)
      }
      return InterfaceReport(
        interface: interface, exclusion: state.exclusionReason(for: interface),
        reversePathFilter: state.rpFilter.effective(for: interface.name), gateways: gateways,
        replies: addresses.map {
          AddressReply(address: $0, trace: simulator.replyToRemoteClient(from: $0.address.address))
        },
        rules: rules)
    }
  }

  /// Every finding, errors first, then by code and subject. With `policyFile`, `state` is what that policy would
  /// make of the host, and fixes say what to change in the file.
  public static func findings(_ state: HostState, policyFile: String? = nil) -> [Finding] {
    var findings: [Finding] = []
    findings += ReplyFindings(state, policyFile: policyFile).all()
    findings += defaultRouteFindings(state)
    findings += ruleFindings(state, policyFile: policyFile)
    findings += tableNameFindings(state)
    return findings.sorted { ($0.severity, $0.code, $0.subject) < ($1.severity, $1.code, $1.subject) }
  }

  /// Several default routes in main with the same metric.
  static func defaultRouteFindings(_ state: HostState) -> [Finding] {
    var findings: [Finding] = []
    for family in AddressFamily.allCases {
      let defaults = state.routes.filter {
        $0.table == RoutingTable.main && $0.family == family && $0.isDefault && $0.type == .unicast
      }
      for (metric, group) in Dictionary(grouping: defaults, by: \.metric).sorted(by: { $0.key < $1.key })
      where group.count > 1 {
        let hops = group.map { route in
          (route.gateway.map { "via \($0) " } ?? "") + "dev \(route.devices.joined(separator: ","))"
        }
        findings.append(
          Finding(
            code: .duplicateDefaultRoute, severity: .warning, subject: "table main",
            message:
              "main has \(group.count) \(family.displayName) default routes with metric \(metric) (\(hops.joined(separator: "; "))): only one is used, and which one can change",
            fix:
              "keep one default route in main and give every uplink its own table (`polroute apply`), or give them different metrics"
          ))
      }
    }
    return findings
  }

  /// Rules that point to empty tables, share a priority, or can never match.
  static func ruleFindings(_ state: HostState, policyFile: String?) -> [Finding] {
    var findings: [Finding] = []
    let names = state.names
    for family in AddressFamily.allCases {
      // Kernel order: by priority, and in the order they were added within one (a planned state lists the rules it
      // adds after the others).
      let unordered = state.rules.filter { $0.family == family }
      let rules = unordered.indices.sorted { (unordered[$0].priority, $0) < (unordered[$1].priority, $1) }.map {
        unordered[$0]
      }
      let hostAddresses = Set(state.interfaces.flatMap { $0.addresses.map(\.address.address) })
      for rule in rules {
        if let stale = staleSourceFinding(rule, hostAddresses: hostAddresses, state: state, policyFile: policyFile) {
          findings.append(stale)
          continue
        }
        guard let table = rule.lookupTable, !RoutingTable.reserved.contains(table), !rule.selector.l3mdev,
          state.routes(inTable: table, family: family).isEmpty
        else { continue }
        // A policy rule without addresses is made for both families; one of them may have no routes in its table.
        // On the host, a marked rule is that, or polroute's own left behind (its interface went away).
        let fix: String
        if let policyFile, Ownership.isMarked(rule) {
          fix =
            "in \(policyFile), add `family \(family == .inet ? "inet6" : "inet")` to the rule, or give the table \(family.displayName) routes"
        } else if Ownership.isMarked(rule) {
          fix =
            "if the policy has this rule, add `family \(family == .inet ? "inet6" : "inet")` to it; if not, `polroute apply`"
            + " removes polroute's stale rules"
        } else {
          fix = "add the table's routes, or delete the rule: `\(deleteCommand(rule))`"
        }
        findings.append(
          Finding(
            code: .ruleEmptyTable, severity: .warning, subject: "rule \(rule.priority)",
            message:
              "\(family.displayName) rule \(rule.priority) (\(RuleText.selectorAndAction(rule, names: names))) looks up table \(names.name(for: table) ?? String(table)), which has no \(family.displayName) routes: lookups fall through to the next rule",
            fix: fix))
      }
      for (priority, group) in Dictionary(grouping: rules, by: \.priority).sorted(by: { $0.key < $1.key })
      where group.count > 1 {
        let distinct = Set(group.map { RuleText.addWords($0) })
        let fix: String
        if group.allSatisfy(Ownership.isMarked) {
          fix = "`polroute apply` keeps one rule at each of its priorities"
        } else if distinct.count == 1 {
          // `ip rule add` without a priority run twice: each `del` removes one copy.
          fix =
            "delete the \(group.count - 1) extra cop\(group.count == 2 ? "y" : "ies"): `\(deleteCommand(group[0]))`"
            + (group.count > 2 ? " (once per copy)" : "")
        } else {
          fix =
            "give every rule its own priority (`ip rule add ... priority N`); without one, every run adds a duplicate"
        }
        let what =
          distinct.count == 1
          ? "\(group.count) identical \(family.displayName) rules at priority \(priority) (\(RuleText.selectorAndAction(group[0], names: names)))"
          : "\(group.count) \(family.displayName) rules share priority \(priority) (\(group.map { RuleText.selectorAndAction($0, names: names) }.joined(separator: "; "))): their order is the order they were added"
        findings.append(
          Finding(
            code: .duplicateRulePriority, severity: .warning, subject: "priority \(priority)", message: what, fix: fix))
      }
      for (rule, earlier) in shadowedRules(rules, family: family, state: state) {
        findings.append(
          Finding(
            code: .shadowedRule, severity: .warning, subject: "rule \(rule.priority)",
            message:
              "\(family.displayName) rule \(rule.priority) (\(RuleText.selectorAndAction(rule, names: names))) never matches: rule \(earlier.priority) (\(RuleText.selectorAndAction(earlier, names: names))) decides every such packet first",
            fix: "give rule \(rule.priority) a priority below \(earlier.priority), or narrow rule \(earlier.priority)"
          ))
      }
    }
    return findings
  }

  /// A source rule of polroute's (or a network manager's copy of one, from polroute's files) for an address the host
  /// no longer has: a DHCP lease moved it. Deleting it by hand is never the fix: the next apply would be needed
  /// anyway for the new address, and a manager would put its copy back from the files.
  static func staleSourceFinding(
    _ rule: Rule, hostAddresses: Set<IPAddress>, state: HostState, policyFile: String?
  ) -> Finding? {
    guard let source = rule.selector.source, source.isHost, !rule.selector.invert,
      !hostAddresses.contains(source.address), let table = rule.lookupTable,
      !RoutingTable.reserved.contains(table)
    else { return nil }
    let names = state.names
    let marked = Ownership.isMarked(rule)
    // A manager stamps its own protocol on the rules it installs; the table tells polroute's: it holds routes
    // polroute marked, or polroute's rt_tables file names it.
    let polrouteTable =
      state.routes.contains { $0.table == table && Ownership.isMarked($0) }
      || state.tableNames.contains { $0.number == table && $0.file == PolrouteFiles.rtTables }
    let managerCopy =
      !marked && rule.protocolNumber.map(Ownership.managerRuleProtocols.contains) == true && polrouteTable
    guard marked || managerCopy else { return nil }
    // The uplink's device: its marked routes name it, else the table is named after it (as derivation names it).
    let device =
      state.routes.first { $0.table == table && Ownership.isMarked($0) }?.device
      ?? names.name(for: table).flatMap { state.interface(named: $0)?.name }
    let what =
      "\(rule.family.displayName) rule \(rule.priority) (\(RuleText.selectorAndAction(rule, names: names)))"
      + (marked ? " is polroute's for" : " was installed by a network manager from polroute's files for")
      + " \(source.address), which is no longer an address of this host (a new lease or a removed address)"
    let fix: String
    if managerCopy {
      fix =
        "`polroute apply --persist` rewrites the files the manager read with the current addresses, and the"
        + " manager drops this rule when it reloads them (polroute never deletes a rule a manager installed)"
    } else if let policyFile {
      fix = "in \(policyFile), write the rule for the current address, or let `auto` derive it"
    } else if let device {
      fix =
        "`polroute apply --interface \(device)` moves polroute's rules to \(device)'s current addresses and removes"
        + " this one (the network managers' hooks run it on every lease: see polroute(8))"
    } else {
      fix = "`polroute apply` removes polroute's rules for addresses the host no longer has"
    }
    return Finding(
      code: .staleSourceRule, severity: .warning, subject: "rule \(rule.priority)", message: what, fix: fix)
  }

  /// The command that deletes exactly one rule: its family, priority, selectors and action.
  static func deleteCommand(_ rule: Rule) -> String {
    (["ip", rule.family.ipOption, "rule", "del"] + RuleText.addWords(rule)).joined(separator: " ")
  }

  /// Tables without names, and names that clash.
  static func tableNameFindings(_ state: HostState) -> [Finding] {
    var findings: [Finding] = []
    let names = state.names
    var used: [UInt32: String] = [:]
    for rule in state.rules {
      if let table = rule.lookupTable, used[table] == nil { used[table] = "rule \(rule.priority)" }
    }
    for route in state.routes where used[route.table] == nil {
      used[route.table] = "route \(route.destination.routeText)"
    }
    let polroutes = Set(state.routes.filter(Ownership.isMarked).map(\.table))
    for (table, user) in used.sorted(by: { $0.key < $1.key }) where !RoutingTable.reserved.contains(table) {
      guard names.name(for: table) == nil else { continue }
      // polroute names its own tables in rt_tables.d/polroute.conf; anyone else's table needs its owner's name.
      let fix =
        polroutes.contains(table)
        ? "`polroute apply --persist` (or `polroute render --format rt_tables`) writes"
          + " /etc/iproute2/rt_tables.d/polroute.conf with polroute's table names"
        : "add `\(table) NAME` to /etc/iproute2/rt_tables.d/NAME.conf"
      findings.append(
        Finding(
          code: .unnamedTable, severity: .info, subject: "table \(table)",
          message: "table \(table) is used (by \(user)) but has no name in rt_tables", fix: fix))
    }
    for (name, entries) in names.conflictingNames {
      findings.append(
        Finding(
          code: .conflictingTableName, severity: .warning, subject: "table name \(name)",
          message:
            "table name \(name) is defined with different numbers: \(entries.map { "\($0.number) in \($0.file):\($0.line)" }.joined(separator: ", "))",
          fix: "keep one definition of \(name); `ip` uses the last one it reads"
        ))
    }
    for (number, entries) in names.conflictingNumbers {
      findings.append(
        Finding(
          code: .conflictingTableNumber, severity: .warning, subject: "table \(number)",
          message:
            "table \(number) has several names: \(entries.map { "\($0.name) in \($0.file):\($0.line)" }.joined(separator: ", "))",
          fix: "give table \(number) one name"
        ))
    }
    return findings
  }
}

extension Inspector {
  /// Each rule that never matches, with the earlier rule that decides every such packet first.
  ///
  /// Hosts carry thousands of source rules, so earlier rules that select only by source are indexed by their
  /// prefix: a later rule needs one lookup per prefix length that could contain its source. Rules with other
  /// selectors are few, and are compared one by one.
  static func shadowedRules(_ rules: [Rule], family: AddressFamily, state: HostState) -> [(rule: Rule, earlier: Rule)] {
    // A lookup ends the search only if its table answers every destination: it needs a default route.
    let complete = Set(state.routes.filter { $0.family == family && $0.isDefault && $0.type != .throw }.map(\.table))
    var bySource: [IPPrefix?: (index: Int, rule: Rule)] = [:]
    var others: [(index: Int, rule: Rule)] = []
    var result: [(rule: Rule, earlier: Rule)] = []
    for (index, rule) in rules.enumerated() {
      if !rule.isKernelDefault && !rule.selector.invert {
        var candidates: [(index: Int, rule: Rule)] = []
        if let all = bySource[nil] { candidates.append(all) }
        if let source = rule.selector.source {
          for length in 0...Int(source.length) {
            if let entry = bySource[IPPrefix(masking: source.address, length: length)] { candidates.append(entry) }
          }
        }
        if let other = others.first(where: { $0.rule.selector.covers(rule.selector) }) { candidates.append(other) }
        if let earliest = candidates.min(by: { $0.index < $1.index }) { result.append((rule, earliest.rule)) }
      }
      guard !rule.selector.invert, rule.alwaysEndsLookup(completeTables: complete) else { continue }
      if rule.selector.selectsOnlyBySource {
        if bySource[rule.selector.source] == nil { bySource[rule.selector.source] = (index, rule) }
      } else {
        others.append((index, rule))
      }
    }
    return result
  }
}

extension Rule {
  /// Whether a packet this rule matches never goes on to a later rule: it is dropped, or looked up in a table that
  /// answers every destination (one of `completeTables`, which hold a default route).
  func alwaysEndsLookup(completeTables: Set<UInt32>) -> Bool {
    switch action {
    case .blackhole, .unreachable, .prohibit:
      return true
    case .lookup(let table):
      return suppressPrefixLength == nil && !selector.l3mdev && table != RoutingTable.local
        && completeTables.contains(table)
    case .goto, .nop:
      return false
    }
  }
}
