/// What polroute owns on a host, said once: the plan, its diff text, the verification, the rollback, the script's
/// sweep and the resolver's "is this table free" all ask here.
///
/// polroute owns the tables its policy declares (every route in them), and every rule and route it marked with its
/// protocol number. It never touches the kernel's reserved tables (main, local, default), even where a route there
/// carries its marker: polroute never writes one there, so such a route is someone else's.
public struct Ownership: Hashable, Sendable {
  /// The protocol number polroute marks its rules and routes with (`ip rule ... protocol 177`, `proto 177`).
  public static let marker: UInt8 = RouteProtocol.polroute
  /// The tables polroute never changes, whatever their routes carry.
  public static let neverTouched: Set<UInt32> = [RoutingTable.defaultTable, RoutingTable.main, RoutingTable.local]

  /// The tables owned outright: every route in them is polroute's.
  public var tables: Set<UInt32>

  /// Owns `tables` and polroute's marked objects.
  public init(tables: Set<UInt32>) {
    self.tables = tables
  }

  /// What a policy owns.
  public init(_ policy: Policy) {
    self.init(tables: Set(policy.tables.map(\.number)))
  }

  /// Whether polroute made a rule (it carries the marker).
  public static func isMarked(_ rule: Rule) -> Bool { rule.protocolNumber == marker }

  /// Whether polroute made a route (it carries the marker).
  public static func isMarked(_ route: Route) -> Bool { route.protocolNumber == marker }

  /// The protocol systemd-networkd and NetworkManager give every rule they install from a configuration file,
  /// polroute's files included: neither can set a rule's protocol (networkd has no `Protocol=` in
  /// `[RoutingPolicyRule]`, NetworkManager no protocol in a routing rule), and both stamp `static` (measured with
  /// systemd 252 and NetworkManager 1.42).
  public static let managerRuleProtocols: Set<UInt8> = [RouteProtocol.staticRoute]
  /// The protocols those managers give the routes they install from a configuration file: `static` (NetworkManager
  /// and netplan set none of their own), and `dhcp` or `ra` for a networkd route that follows the gateway DHCP or
  /// router advertisements give (`Gateway=_dhcp4`, `_ipv6ra`), whatever its `Protocol=` says.
  public static let managerRouteProtocols: Set<UInt8> = [
    RouteProtocol.staticRoute, RouteProtocol.dhcp, RouteProtocol.routerAdvertisement,
  ]

  /// Whether a rule in the kernel is a wanted rule that a network manager installed from polroute's files: the same
  /// rule in everything but its protocol, which is the one the manager stamps. polroute takes it for its own when it
  /// compares (nothing to add) and when it numbers (the priority stays), but never deletes it: it cannot tell it
  /// from the same rule in the user's own configuration, and the manager removes it when its file no longer has it.
  public static func isInstalledCopy(_ rule: Rule, of wanted: Rule) -> Bool {
    guard let number = rule.protocolNumber, managerRuleProtocols.contains(number) else { return false }
    return rule.family == wanted.family && rule.priority == wanted.priority && rule.doesTheSame(as: wanted)
  }

  /// Whether a route in one of polroute's tables is a wanted route that a network manager installed from polroute's
  /// files: the same in everything but the protocol the manager stamps.
  public static func isInstalledCopy(_ route: Route, of wanted: Route) -> Bool {
    guard managerRouteProtocols.contains(route.protocolNumber), route.protocolNumber != wanted.protocolNumber else {
      return false
    }
    var copy = route
    copy.protocolNumber = wanted.protocolNumber
    return copy.matches(wanted)
  }

  /// Whether a rule is polroute's to change.
  public func owns(_ rule: Rule) -> Bool { Self.isMarked(rule) }

  /// Whether a route is polroute's to change: in one of its tables, or marked and outside the reserved tables.
  public func owns(_ route: Route) -> Bool {
    tables.contains(route.table) || (Self.isMarked(route) && !Self.neverTouched.contains(route.table))
  }

  /// The rules of a state polroute owns, in kernel order.
  public func rules(of state: HostState) -> [Rule] { state.rules.filter(owns) }

  /// The routes of a state polroute owns, in the state's order.
  public func routes(of state: HostState) -> [Route] { state.routes.filter(owns) }

  /// The same ownership with more tables (those an apply touched, for its rollback).
  public func adding(_ more: Set<UInt32>) -> Ownership { Ownership(tables: tables.union(more)) }
}
