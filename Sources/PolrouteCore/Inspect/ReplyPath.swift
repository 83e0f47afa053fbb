/// Where a reply from one of the host's addresses to a remote client goes, as the kernel would decide it.
public enum ReplyPath: Hashable, Sendable {
  /// It leaves through `device`, via `gateway` if any, found in `table` after the rule at `rulePriority`.
  case leaves(device: String, gateway: IPAddress?, table: UInt32, rulePriority: UInt32)
  /// A rule or route drops it.
  case dropped(reason: String)
  /// No rule led to a route: the reply cannot leave.
  case noRoute

  /// The device the reply leaves through, if it leaves.
  public var device: String? {
    if case .leaves(let device, _, _, _) = self { return device }
    return nil
  }

  /// "via 198.51.100.1 dev mgmt (table main)".
  public func describe(names: RoutingTableNames) -> String {
    switch self {
    case .leaves(let device, let gateway, let table, _):
      let via = gateway.map { "via \($0) " } ?? ""
      return "\(via)dev \(device) (table \(names.name(for: table) ?? String(table)))"
    case .dropped(let reason): return "dropped: \(reason)"
    case .noRoute: return "no route"
    }
  }
}

extension HostState {
  /// Follows the rules of the address's family, in priority order, for a reply from `source` to a remote client
  /// (one outside every connected prefix), as a locally generated packet without a mark. Rules that select on
  /// anything but the source (destination, ports, marks, users, interfaces) do not decide where replies to an
  /// arbitrary client go, so they are passed over.
  public func replyPath(from source: IPAddress) -> ReplyPath {
    let family = source.family
    let ordered = rules.filter { $0.family == family }.sorted { $0.priority < $1.priority }
    var index = 0
    var steps = 0
    while index < ordered.count, steps < 1000 {
      steps += 1
      let rule = ordered[index]
      index += 1
      guard rule.selector.matchesEveryReply(from: source) else { continue }
      switch rule.action {
      case .nop:
        continue
      case .goto(let target):
        // `goto` jumps to the first rule at or after the target priority.
        index = ordered.firstIndex { $0.priority >= target } ?? ordered.count
      case .blackhole, .unreachable, .prohibit:
        return .dropped(reason: "rule \(rule.priority) is \(rule.action)")
      case .lookup(let table):
        if table == RoutingTable.local { continue }
        let defaults = routes.filter { $0.table == table && $0.family == family && $0.isDefault }
          .sorted { $0.metric < $1.metric }
        guard let route = defaults.first else { continue }
        // suppress_prefixlength N ignores results whose prefix is N bits or shorter: a default route is 0 bits.
        if let suppress = rule.suppressPrefixLength, suppress >= 0 { continue }
        switch route.type {
        case .unicast:
          guard let device = route.devices.first else { continue }
          return .leaves(device: device, gateway: route.gateways.first, table: table, rulePriority: rule.priority)
        case .throw:
          continue
        default:
          return .dropped(reason: "table \(table) has a \(route.type.rawValue) default route")
        }
      }
    }
    return .noRoute
  }
}
