/// Traffic per uplink, read from the kernel's counters, each figure with where it came from: the uplink device's
/// interface counters (every packet the device received or sent), and where polroute's routes for the uplink carry a
/// realm (`uplink ... realm N`), the kernel's route accounting for that realm (the packets the host received whose
/// route back goes through the uplink, and those it forwarded along the uplink's routes).
public struct TrafficReport: Hashable, Sendable {
  /// Where a figure comes from.
  public enum Source: String, Codable, Hashable, Sendable {
    /// The device's counters (`ip -s link`).
    case interface
    /// The kernel's route accounting for a realm (`/proc/net/rt_acct`, as `rtacct` reads it).
    case realm
  }

  /// One figure: a direction, its count, and its source.
  public struct Figure: Hashable, Sendable {
    /// `received`, `sent` (interface), `received` or `forwarded` (realm).
    public var direction: String
    /// The count.
    public var counters: Counters
    /// Where it comes from.
    public var source: Source
    /// The realm, for a realm figure.
    public var realm: UInt32?
    /// What it counts, in words.
    public var meaning: String
  }

  /// One uplink's figures.
  public struct UplinkTraffic: Hashable, Sendable {
    /// The uplink's (table's) name.
    public var name: String
    /// Its device.
    public var device: String
    /// Its table.
    public var table: UInt32
    /// The realms polroute's routes in its table carry, as the kernel holds them.
    public var realms: [UInt32]
    /// The figures.
    public var figures: [Figure]
  }

  /// The traffic of one class of the policy's rules: those that carry one realm (`rule ... realm N`).
  public struct RuleClassTraffic: Hashable, Sendable {
    /// The realm the rules tag the packets they route with.
    public var realm: UInt32
    /// The rules, as the kernel holds them.
    public var rules: [Rule]
    /// The figure, nil where the kernel keeps no route accounting.
    public var figure: Figure?
  }

  /// The uplinks, in the policy's order.
  public var uplinks: [UplinkTraffic]
  /// The rule classes, by realm.
  public var ruleClasses: [RuleClassTraffic] = []
  /// What the figures cannot say, or why some are missing.
  public var notes: [String]

  /// The report for `policy`'s uplinks on `state`, from the counters read now. `realms` is nil where the kernel has
  /// no route accounting.
  public static func make(
    policy: Policy, state: HostState, interfaces: [InterfaceCounters], realms: [RealmCounters]?
  ) -> TrafficReport {
    let counters = Dictionary(interfaces.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    let realmCounters = Dictionary((realms ?? []).map { ($0.realm, $0) }, uniquingKeysWith: { first, _ in first })
    var notes: [String] = []
    var uplinks: [UplinkTraffic] = []
    for uplink in policy.uplinks {
      var figures: [Figure] = []
      if let device = counters[uplink.device] {
        figures.append(
          Figure(
            direction: "received", counters: device.received, source: .interface,
            meaning: "every packet \(uplink.device) received"))
        figures.append(
          Figure(
            direction: "sent", counters: device.sent, source: .interface, meaning: "every packet \(uplink.device) sent")
        )
      } else {
        notes.append("\(uplink.device) has no counters: the interface does not exist")
      }
      let owned = state.routes.filter { $0.table == uplink.table && Ownership.isMarked($0) }
      let realmsHeld = Array(Set(owned.compactMap(\.realm))).sorted()
      for realm in realmsHeld {
        guard let entry = realmCounters[realm & 0xFF] else { continue }
        figures.append(
          Figure(
            direction: "received", counters: entry.from, source: .realm, realm: realm,
            meaning: "packets received whose route back is \(uplink.name)'s (realm \(realm))"))
        figures.append(
          Figure(
            direction: "forwarded", counters: entry.to, source: .realm, realm: realm,
            meaning: "packets forwarded along \(uplink.name)'s routes (realm \(realm))"))
      }
      uplinks.append(
        UplinkTraffic(
          name: uplink.name, device: uplink.device, table: uplink.table, realms: realmsHeld, figures: figures))
    }
    let (ruleClasses, ruleNotes) = ruleClassTraffic(
      policy: policy, state: state, realms: realmCounters, kept: realms != nil)
    notes += ruleNotes
    if realms == nil {
      notes.append(
        "the kernel keeps no route accounting (\(RouteAccounting.path), CONFIG_IP_ROUTE_CLASSID): "
          + "interface counters only")
    } else if uplinks.allSatisfy({ $0.realms.isEmpty }) {
      notes.append(
        "no route of polroute's carries a realm: give an uplink 'realm N' in the policy (and apply it) for the kernel "
          + "to count the traffic it routes through that uplink")
    } else {
      notes.append(
        "realm figures are the kernel's, for all its network namespaces, in 32-bit counters that wrap; a packet the "
          + "host sends itself is not counted (its interface's sent figure is)")
    }
    return TrafficReport(uplinks: uplinks, ruleClasses: ruleClasses, notes: notes)
  }

  /// The figures of the policy's rules that carry a realm, one class per realm, from the rules the kernel holds.
  ///
  /// Such a rule tags the packets it routes with its realm as their source realm (`realms N/0`), which a route's
  /// realm cannot override; the kernel counts every packet it forwards under its source realm, so the realm's
  /// `from` counter is exactly the packets forwarded by the class's rules. Source rules, guards and the
  /// local-networks rule carry no realm: the first two choose only the host's own packets, which the accounting
  /// never counts.
  static func ruleClassTraffic(
    policy: Policy, state: HostState, realms: [UInt32: RealmCounters], kept: Bool
  ) -> (classes: [RuleClassTraffic], notes: [String]) {
    var notes: [String] = []
    var byRealm: [UInt32: [Rule]] = [:]
    let installed = Dictionary(
      state.rules.filter { $0.family == .inet }.map { ($0.priority, $0) }, uniquingKeysWith: { first, _ in first })
    for wanted in policy.rules where wanted.family == .inet {
      guard let realm = wanted.realms?.from, realm != 0 else { continue }
      guard let rule = installed[wanted.priority], rule.doesTheSame(as: wanted) else {
        notes.append(
          "rule \(wanted.priority) (\(RuleText.selectorWords(wanted).joined(separator: " "))) is not in the kernel as "
            + "the policy has it: apply the policy for the kernel to count it under realm \(realm)")
        continue
      }
      byRealm[realm, default: []].append(rule)
    }
    let classes = byRealm.keys.sorted().map { realm in
      let rules = byRealm[realm] ?? []
      let priorities = rules.map { String($0.priority) }.joined(separator: ", ")
      let figure = realms[realm].map {
        Figure(
          direction: "forwarded", counters: $0.from, source: .realm, realm: realm,
          meaning: "packets the host forwarded by rule\(rules.count == 1 ? "" : "s") \(priorities) (realm \(realm))")
      }
      return RuleClassTraffic(realm: realm, rules: rules, figure: kept ? figure : nil)
    }
    if policy.rules.contains(where: { policy.ruleRoles[$0.key] == .statement })
      && !policy.rules.contains(where: { $0.realms != nil })
    {
      notes.append(
        "no rule of the policy carries a realm: give a class of rules one ('rule ... realm N', IPv4) for the kernel "
          + "to count the packets the host forwards by them")
    }
    if !classes.isEmpty {
      notes.append(
        "rule figures count forwarded packets only: source rules and guards choose the host's own packets, which no "
          + "kernel counter tells apart by rule (the uplinks' sent figures hold them)")
    }
    return (classes, notes)
  }
}
