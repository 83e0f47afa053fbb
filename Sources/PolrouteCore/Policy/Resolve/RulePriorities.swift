/// Step 6: the rules of `rule` statements and the uplinks' source rules, each with its own priority.
extension ResolutionContext {
  /// Resolves a rule's table reference: polroute's tables, the built-in names, the host's rt_tables, or a number.
  mutating func lookupTable(_ reference: Located<TableReferenceText>, tables: PolicyTableIndex) -> UInt32? {
    switch reference.value {
    case .number(let number): return number
    case .name(let name):
      if let number = tables.numbers[name] { return number }
      if let number = state.names.number(for: name) { return number }
      let candidates = tables.tables.map(\.name) + RoutingTable.kernelTableNames + state.tableNames.map(\.name)
      let hint = Suggestion.closest(to: name, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
      error("unknown table '\(name.echoed)'\(hint)", at: reference.location)
      return nil
    }
  }

  /// The rules of `rule` statements, the uplink guards, the local-networks rule and the uplinks' source rules, with
  /// priorities assigned.
  mutating func buildRules(
    _ statements: [RuleStatement], uplinks: [Uplink], tables: [PolicyTable], groups: [UplinkGroup] = []
  ) -> [Rule] {
    let guards = uplinkGuards(uplinks)
    // Sized once: fifty uplinks make thousands of guards, and growing the lists copied every rule a dozen times.
    let expected = 2 * statements.count + guards.count + uplinks.reduce(0) { $0 + $1.addresses.count } + 2
    var priorities = PriorityAllocator(state)
    ruleRoles.reserveCapacity(expected)
    var rules: [Rule] = []
    // The application rules wait here, with their statements' indices, until the explicit priorities are held.
    var pending: [(rule: Rule, index: Int)] = []
    rules.reserveCapacity(expected)
    pending.reserveCapacity(statements.count)
    // A rule is copied once, into the list, and placed there: a rule is some 200 bytes, and thousands were copied
    // three times over on their way in.
    func add(_ rule: Rule, family: AddressFamily? = nil, priority: UInt32, _ role: RuleRole) {
      rules.append(rule)
      let last = rules.count - 1
      if let family { rules[last].move(to: family) }
      rules[last].priority = priority
      ruleRoles[rules[last].key] = role
    }
    // The accounting counts a packet under the realm of the route back to its sender when no rule tagged it: a rule
    // realm that is also an uplink's would count both kinds of packet as one.
    let uplinkRealms = Dictionary(
      uplinks.compactMap { uplink in uplink.realm.map { ($0, uplink.name) } }, uniquingKeysWith: { first, _ in first })
    // Thousands of rules name a table each: by name, not by a walk through the tables.
    let tableIndex = PolicyTableIndex(tables)
    // Explicit priorities first, so automatic ones can step around them.
    for index in statements.indices {
      if let realm = statements[index].realm, let uplink = uplinkRealms[realm.value] {
        error(
          "realm \(realm.value) is also uplink \(uplink)'s: give the rule a realm no uplink has, so the kernel counts "
            + "the packets it routes apart",
          at: realm.location)
        continue
      }
      guard let template = ruleTemplate(statements[index], tables: tableIndex) else { continue }
      guard let priority = statements[index].priority?.value else {
        pending.append((template, index))
        continue
      }
      let families = statements[index].families
      // One error per statement: a rule for both families would otherwise clash twice with the same owner.
      if let owner = families.lazy.compactMap({ priorities.clash(at: priority, $0, template) }).first {
        error(
          "priority \(priority) is already used by \(owner.description(state: state))",
          at: statements[index].priority?.location)
        continue
      }
      checkGoto(statements[index], priority: priority)
      let line = statements[index].location.line
      for family in families {
        priorities.hold(priority, family, by: .statement(line: line))
        add(template, family: family, priority: priority, .statement)
      }
    }
    // Application rules in file order; each statement gets one priority for all its families.
    var next = Policy.PriorityBand.application
    for (template, index) in pending {
      let families = statements[index].families
      while families.contains(where: { priorities.clash(at: next, $0, template) != nil }) { next += 1 }
      guard next < Policy.PriorityBand.guards else {
        // Point at the first rule that does not fit: the ones before it got their priorities.
        error(
          "more application rules than the band \(Policy.PriorityBand.application)-\(Policy.PriorityBand.guards - 1)"
            + " holds (give some an explicit priority)",
          at: statements[index].location)
        break
      }
      checkGoto(statements[index], priority: next)
      for family in families {
        priorities.hold(next, family, by: .application)
        add(template, family: family, priority: next, .statement)
      }
      next += 1
    }
    let sourceFamilies = Set(uplinks.flatMap { uplink in uplink.sourceAddresses.map(\.family) })
    // Guards, then the local-networks rule, then source rules: each keeps the priority the kernel already gives it
    // (so adding an interface renumbers nothing), and new ones take the next free priority of their band.
    var guardsLeft = 0
    let guardBand = Policy.PriorityBand.guards...(Policy.PriorityBand.localNetworks - 1)
    for (index, priority) in priorities.takeAll(guards, in: guardBand).enumerated() {
      guard let priority else {
        guardsLeft += 1
        continue
      }
      add(guards[index], priority: priority, .uplinkGuard)
    }
    if guardsLeft > 0 {
      warning(
        "\(guardsLeft) guards do not fit in the band \(Policy.PriorityBand.guards)-"
          + "\(Policy.PriorityBand.localNetworks - 1): replies from some uplinks' addresses to other uplinks' networks "
          + "and static routes follow main")
    }
    for family in AddressFamily.allCases where sourceFamilies.contains(family) {
      let rule = Rule(
        family: family, priority: 0, suppressPrefixLength: 0, action: .lookup(RoutingTable.main),
        protocolNumber: Ownership.marker)
      guard
        let priority = priorities.take(
          rule, in: Policy.PriorityBand.localNetworks...(Policy.PriorityBand.source - 1))
      else {
        error(
          "no priority is free for the local-networks rule between \(Policy.PriorityBand.localNetworks) and \(Policy.PriorityBand.source - 1)",
          at: nil)
        continue
      }
      add(rule, priority: priority, .localNetworks)
    }
    // Source rules: one per address, by table then address, each family counting on its own.
    let sources = uplinks.sorted(by: { $0.table < $1.table }).flatMap { uplink in
      uplink.sourceAddresses.sorted().map { address in
        Rule(
          family: address.family, priority: 0, selector: RuleSelector(source: IPPrefix(host: address.address)),
          action: .lookup(uplink.table), protocolNumber: Ownership.marker)
      }
    }
    let sourceBand = Policy.PriorityBand.source...Policy.PriorityBand.last
    for (index, priority) in priorities.takeAll(sources, in: sourceBand).enumerated() {
      guard let priority else {
        error(
          "more source rules than the band \(Policy.PriorityBand.source)-\(Policy.PriorityBand.last) holds", at: nil)
        return rules
      }
      add(sources[index], priority: priority, .source)
    }
    rules += outboundRules(groups, uplinks: uplinks, after: rules, priorities: &priorities)
    return rules
  }

  /// A group's rule for new outbound connections, per family its table has a default for: after every source rule
  /// (a connection whose source address is chosen keeps leaving by that address's uplink), the guards and the
  /// local-networks rule (the host's own networks stay reached directly), and before main's rule.
  mutating func outboundRules(
    _ groups: [UplinkGroup], uplinks: [Uplink], after rules: [Rule], priorities: inout PriorityAllocator
  ) -> [Rule] {
    var result: [Rule] = []
    var taken: [AddressFamily: UplinkGroup] = [:]
    for group in groups where !group.rulesOnly {
      let members = group.members.compactMap { member in uplinks.first { $0.name == member.uplink } }
      for family in AddressFamily.allCases where members.contains(where: { $0.gateway(family) != nil }) {
        if let first = taken[family] {
          error(
            "\(first.kind.rawValue) \(first.name) already takes every new outbound \(family.displayName) connection"
              + " (line \(first.location?.line ?? 0)): add 'rules-only' to one of them and send chosen traffic to it"
              + " with 'rule ... lookup \(group.name)'",
            at: group.location)
          continue
        }
        taken[family] = group
        let rule = Rule(
          family: family, priority: 0, action: .lookup(group.table), protocolNumber: Ownership.marker)
        guard let priority = priorities.take(rule, in: Policy.PriorityBand.outbound...Policy.PriorityBand.last) else {
          error(
            "no priority is free for \(group.kind.rawValue) \(group.name)'s rule between "
              + "\(Policy.PriorityBand.outbound) and \(Policy.PriorityBand.last)", at: group.location)
          continue
        }
        if let late = rules.last(where: {
          $0.family == family && ruleRoles[$0.key] == .source && $0.priority > priority
        }) {
          error(
            "\(group.kind.rawValue) \(group.name)'s rule at \(priority) would come before the source rule at "
              + "\(late.priority): too many source rules", at: group.location)
          continue
        }
        let placed = rule.with(priority: priority)
        result.append(placed)
        ruleRoles[placed.key] = .outbound
      }
    }
    return result
  }

  /// For every route in main that leaves through an uplink (its connected networks and its static routes), a rule
  /// per address of each other uplink (of its family, with a gateway) that sends that address's replies to the
  /// route's destination out of its own uplink. Hosts on an uplink's network reach this host's other addresses
  /// through their router, so the replies must go back that way: the local-networks rule would otherwise send them
  /// straight out of the other uplink, where strict rp_filter drops the request and the router the reply (the
  /// static route `192.0.2.0/24 via 203.0.113.1 dev data` taking mgmt's replies to 192.0.2.0/24 out of data).
  func uplinkGuards(_ uplinks: [Uplink]) -> [Rule] {
    let byDevice = Dictionary(uplinks.map { ($0.device, $0) }, uniquingKeysWith: { first, _ in first })
    var guards: [Rule] = []
    // What tells guards apart (hashing whole rules showed in profiles of thousands of guards).
    struct GuardKey: Hashable {
      var source: IPAddress
      var destination: IPPrefix
      var table: UInt32
    }
    var seen: Set<GuardKey> = []
    let throughMain = state.routes.filter {
      $0.table == RoutingTable.main && $0.type == .unicast && !$0.isDefault && $0.source == nil
        // Link-local and multicast destinations only exist on their own link: they are never steered.
        && $0.destination.address.isGlobalUnicast
    }.sorted { $0.key < $1.key }
    // Sorted once, not once per route: a host with fifty uplinks has thousands of guards.
    let ordered = uplinks.sorted(by: { $0.table < $1.table }).map { ($0, $0.sourceAddresses.sorted()) }
    // At most one guard per route and address, nearly all of which are made: sized once, not grown a dozen times.
    let most = throughMain.count * ordered.reduce(0) { $0 + $1.1.count }
    seen.reserveCapacity(most)
    guards.reserveCapacity(most)
    for route in throughMain {
      let devices = Set(route.devices)
      // Only routes through an uplink: one through a LAN or a bridge reaches hosts that use this host directly.
      guard devices.contains(where: { byDevice[$0] != nil }) else { continue }
      for (uplink, addresses) in ordered where !devices.contains(uplink.device) {
        for address in addresses where address.family == route.family {
          guard !route.destination.contains(address.address),
            seen.insert(GuardKey(source: address.address, destination: route.destination, table: uplink.table))
              .inserted
          else { continue }
          guards.append(
            Rule(
              family: route.family, priority: 0,
              selector: RuleSelector(source: IPPrefix(host: address.address), destination: route.destination),
              action: .lookup(uplink.table), protocolNumber: Ownership.marker))
        }
      }
    }
    // A guard inside another of the same address and table changes nothing: both send the reply to the same table.
    // DHCP clients add a host route to the gateway (networkd: `203.0.113.1 dev data proto dhcp`); without this, a
    // new gateway would change the policy though the data network's guard already covers it.
    // Each guard's wider prefixes are looked up among the guards of its address and table: at most 128 lookups.
    struct Group: Hashable {
      var source: IPPrefix?
      var action: RuleAction
    }
    var destinations: [Group: Set<IPPrefix>] = [:]
    // Only the prefix lengths some guard has can hold a wider guard: usually a few, not 32 or 128 per guard.
    var lengths: Set<UInt8> = []
    for rule in guards {
      if let destination = rule.selector.destination {
        destinations[Group(source: rule.selector.source, action: rule.action), default: []].insert(destination)
        lengths.insert(destination.length)
      }
    }
    let sortedLengths = lengths.sorted()
    // Kept in place: a filter builds its result by growing it, copying thousands of rules each time.
    guards.removeAll { rule in
      guard let destination = rule.selector.destination,
        let group = destinations[Group(source: rule.selector.source, action: rule.action)]
      else { return false }
      return sortedLengths.lazy.prefix { $0 < destination.length }.contains { length in
        group.contains(IPPrefix(masking: destination.address, length: Int(length)))
      }
    }
    return guards
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
  mutating func ruleTemplate(_ statement: RuleStatement, tables: PolicyTableIndex) -> Rule? {
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
      action: action, protocolNumber: RouteProtocol.polroute,
      realms: statement.realm.map { RuleRealms(from: $0.value, to: 0) })
  }
}

/// The policy's tables, with their numbers by name.
struct PolicyTableIndex {
  /// The tables.
  let tables: [PolicyTable]
  /// Their numbers by name (the first table of a name).
  let numbers: [String: UInt32]

  /// Indexes the tables.
  init(_ tables: [PolicyTable]) {
    self.tables = tables
    numbers = Dictionary(tables.map { ($0.name, $0.number) }, uniquingKeysWith: { first, _ in first })
  }
}

/// What holds a rule priority while priorities are assigned.
enum PriorityOwner {
  /// A rule of another tool: its index in the host's rules (a copy of each of thousands of rules showed in profiles).
  case foreign(Int)
  /// A `rule` statement with an explicit priority.
  case statement(line: Int)
  /// An application rule that got this priority.
  case application
  /// A rule polroute derived: a guard, the local-networks rule or a source rule.
  case derived

  /// The owner, for an error message.
  func description(state: HostState) -> String {
    switch self {
    case .foreign(let index):
      let rule = state.rules[index]
      return "a rule polroute does not own (\(rule.priority): \(RuleText.selectorAndAction(rule, names: state.names)))"
    case .statement(let line): return "the rule at line \(line)"
    case .application: return "an application rule"
    case .derived: return "a rule polroute derives"
    }
  }
}

/// Who holds which priority while priorities are assigned, and the priority the kernel already gives each rule
/// polroute made, so that a rule the policy still wants keeps it.
struct PriorityAllocator {
  /// The host's rules, which `PriorityOwner.foreign` indexes.
  private let hostRules: [Rule]
  /// The holders of the priorities taken so far: IPv4's, then IPv6's.
  private var used: [PriorityHolders]
  /// The priorities of polroute's rules in the kernel, by what they do.
  private let kernel: [RuleIdentity: Priorities]
  /// The priorities of the rules a network manager installed with the protocol it stamps, by what they do: one may
  /// be a rule of polroute's files (see Ownership.isInstalledCopy), whose priority a rule doing the same keeps.
  private let installed: [RuleIdentity: Priorities]
  /// Where the search for a free priority goes on, by family and band.
  private var searchFrom: [AddressFamily: [UInt32: UInt32]] = [:]

  /// What a rule does, whatever its priority.
  struct RuleIdentity: Hashable {
    /// The family.
    var family: AddressFamily
    /// The selector.
    var selector: RuleSelector
    /// The action.
    var action: RuleAction
    /// `suppress_prefixlength`.
    var suppress: Int?

    /// A rule's identity.
    init(_ rule: Rule) {
      family = rule.family
      selector = rule.selector
      action = rule.action
      suppress = rule.suppressPrefixLength
    }
  }

  /// The priorities the kernel gives rules of one identity, in the kernel's order: nearly always one, so the list
  /// allocates only for more.
  struct Priorities {
    /// The first.
    var first: UInt32
    /// Any others.
    var more: [UInt32] = []

    /// The first priority that satisfies `predicate`.
    func first(where predicate: (UInt32) -> Bool) -> UInt32? {
      predicate(first) ? first : more.first(where: predicate)
    }

    /// Adds a priority to a list, or starts one.
    static func adding(_ priority: UInt32, to list: Priorities?) -> Priorities {
      guard var list else { return Priorities(first: priority) }
      list.more.append(priority)
      return list
    }
  }

  /// The slot of a family in `used`.
  private static func slot(_ family: AddressFamily) -> Int { family == .inet ? 0 : 1 }

  /// Starts with the priorities of other tools' rules taken.
  init(_ state: HostState) {
    hostRules = state.rules
    var installed: [RuleIdentity: Priorities] = [:]
    var kernel: [RuleIdentity: Priorities] = [:]
    // Sized once: growing it through thousands of derived rules rehashed it a dozen times.
    kernel.reserveCapacity(state.rules.count { $0.priority >= Policy.PriorityBand.guards })
    var used = [PriorityHolders](repeating: PriorityHolders(), count: 2)
    // Read in place: a copy of each of 15,000 rules, 200 bytes apiece, showed in profiles.
    state.rules.withUnsafeBufferPointer { rules in
      for index in rules.indices {
        let priority = rules[index].priority
        if Ownership.isMarked(rules[index]) {
          // Only derived rules keep their priority (`keep`), and their bands start with the guards': the thousands
          // of application rules need no identity.
          guard priority >= Policy.PriorityBand.guards else { continue }
          let identity = RuleIdentity(rules[index])
          kernel[identity] = Priorities.adding(priority, to: kernel[identity])
          continue
        }
        used[Self.slot(rules[index].family)][priority] = .foreign(index)
        if priority >= Policy.PriorityBand.guards, let number = rules[index].protocolNumber,
          Ownership.managerRuleProtocols.contains(number)
        {
          let identity = RuleIdentity(rules[index])
          installed[identity] = Priorities.adding(priority, to: installed[identity])
        }
      }
    }
    self.used = used
    self.kernel = kernel
    self.installed = installed
  }

  /// Who holds a priority against a rule of `family` (built only when needed): nobody when it is free, or when its
  /// holder is a copy of the rule a network manager installed from polroute's files, which the rule takes over.
  func clash(at priority: UInt32, _ family: AddressFamily, _ rule: @autoclosure () -> Rule) -> PriorityOwner? {
    guard let owner = used[Self.slot(family)][priority] else { return nil }
    if case .foreign(let index) = owner,
      Ownership.isInstalledCopy(hostRules[index], of: rule().with(family: family).with(priority: priority))
    {
      return nil
    }
    return owner
  }

  /// Marks a priority as held.
  mutating func hold(_ priority: UInt32, _ family: AddressFamily, by owner: PriorityOwner) {
    used[Self.slot(family)][priority] = owner
  }

  /// Priorities in `band` for rules, in their order: first every rule the kernel already has keeps its priority
  /// (so a new rule cannot take an old one's), then the others take the first free ones; nil where the band is full.
  mutating func takeAll(_ rules: [Rule], in band: ClosedRange<UInt32>) -> [UInt32?] {
    var kept: [UInt32?] = rules.map { keep($0, in: band) }
    for index in rules.indices where kept[index] == nil { kept[index] = next(rules[index].family, in: band) }
    return kept
  }

  /// A priority in `band` for a rule: the one the kernel already gives it when that is free, else the first free
  /// one; nil when the band is full.
  mutating func take(_ rule: Rule, in band: ClosedRange<UInt32>) -> UInt32? {
    if let kept = keep(rule, in: band) { return kept }
    return next(rule.family, in: band)
  }

  /// The priority the kernel gives the rule, if it is in the band and still free: polroute's own copy first, then
  /// one a network manager installed from polroute's files.
  private mutating func keep(_ rule: Rule, in band: ClosedRange<UInt32>) -> UInt32? {
    let slot = Self.slot(rule.family)
    let identity = RuleIdentity(rule)
    let kept =
      kernel[identity]?.first(where: { band.contains($0) && used[slot][$0] == nil })
      ?? installed[identity]?.first(where: { band.contains($0) && clash(at: $0, rule.family, rule) == nil })
    guard let kept else { return nil }
    used[slot][kept] = .derived
    return kept
  }

  /// The first free priority of a family in the band.
  private mutating func next(_ family: AddressFamily, in band: ClosedRange<UInt32>) -> UInt32? {
    let slot = Self.slot(family)
    var candidate = searchFrom[family]?[band.lowerBound] ?? band.lowerBound
    while candidate <= band.upperBound && used[slot][candidate] != nil { candidate += 1 }
    guard candidate <= band.upperBound else { return nil }
    used[slot][candidate] = .derived
    // Priorities are only ever taken, so the next search starts where this one ended.
    searchFrom[family, default: [:]][band.lowerBound] = candidate + 1
    return candidate
  }
}

/// Who holds each priority of one family while priorities are assigned: an array for the priorities up to main's
/// and default's rules (where polroute's bands are, and nearly every rule), a dictionary beyond. Hashing each of
/// thousands of priorities several times showed in profiles.
struct PriorityHolders {
  /// Priorities below this are held in the array.
  static let arrayLimit: UInt32 = 1 << 15
  /// The holders of the priorities below `arrayLimit`.
  private var low = [PriorityOwner?](repeating: nil, count: Int(arrayLimit))
  /// The holders of the others.
  private var high: [UInt32: PriorityOwner] = [:]

  /// The holder of a priority.
  subscript(priority: UInt32) -> PriorityOwner? {
    get { priority < Self.arrayLimit ? low[Int(priority)] : high[priority] }
    set {
      if priority < Self.arrayLimit { low[Int(priority)] = newValue } else { high[priority] = newValue }
    }
  }
}

extension Rule {
  /// The same rule at another priority.
  func with(priority: UInt32) -> Rule {
    var copy = self
    copy.priority = priority
    return copy
  }

  /// The same rule in another family.
  func with(family: AddressFamily) -> Rule {
    var copy = self
    copy.move(to: family)
    return copy
  }

  /// Moves the rule to another family; the IPv6 copy has no realms, which the kernel would ignore.
  mutating func move(to family: AddressFamily) {
    self.family = family
    if family == .inet6 { realms = nil }
  }
}
