/// A value from a policy file and where it was written.
public struct Located<Value: Hashable & Sendable>: Hashable, Sendable {
  /// The value.
  public var value: Value
  /// Where it was written.
  public var location: SourceLocation

  /// Builds a located value.
  public init(_ value: Value, at location: SourceLocation) {
    self.value = value
    self.location = location
  }
}

/// A table named in a policy: by number, or by name (an uplink's, a `table` statement's, or an rt_tables name).
public enum TableReferenceText: Hashable, Sendable, CustomStringConvertible {
  /// A number.
  case number(UInt32)
  /// A name.
  case name(String)

  /// The text as written.
  public var description: String {
    switch self {
    case .number(let number): return String(number)
    case .name(let name): return name
    }
  }
}

/// A parsed policy file: its statements in order, before they are checked against a host.
public struct PolicyDocument: Hashable, Sendable {
  /// The file, as named in messages.
  public var file: String
  /// The statements in file order.
  public var statements: [PolicyStatement]

  /// Builds a document.
  public init(file: String, statements: [PolicyStatement]) {
    self.file = file
    self.statements = statements
  }

  /// Whether `auto` was given: uplinks are also derived for interfaces the file does not name.
  public var isAuto: Bool {
    statements.contains { if case .auto = $0 { return true } else { return false } }
  }
}

/// One statement of a policy file.
// Indirect: a rule statement is several hundred bytes, and statements are copied as they are parsed and resolved.
public indirect enum PolicyStatement: Hashable, Sendable {
  /// `uplink NAME dev IFACE [table ID] [via GW] [via6 GW6] [onlink]`.
  case uplink(UplinkStatement)
  /// `table NAME [ID]`: a table for `route` statements that belongs to no uplink.
  case table(TableStatement)
  /// `route [TYPE] PREFIX [via GW] [dev IFACE] [onlink] [src ADDR] [metric N] table NAME|ID`.
  case route(RouteStatement)
  /// `rule SELECTOR... ACTION [priority N]`.
  case rule(RuleStatement)
  /// `exclude IFACE`: never an uplink.
  case exclude(Located<String>)
  /// `include IFACE`: an uplink candidate under `auto` even if it would be excluded (a bridge, a tunnel, ...).
  case include(Located<String>)
  /// `auto`: derive uplinks for the interfaces the file does not name.
  case auto(SourceLocation)
  /// `balance NAME uplinks U[:W]... [table ID] [hash layer3|layer4] [rules-only]` or
  /// `failover NAME uplinks PRIMARY BACKUP... [table ID] [rules-only]`.
  case group(GroupStatement)
}

/// How an uplink group shares new outbound connections.
public enum GroupKind: String, Hashable, Sendable, Codable {
  /// Spread by weight over every uplink whose link is up (a multipath default).
  case balance
  /// All on the first uplink whose link is up, in the order given (defaults by metric).
  case failover
}

/// What the kernel hashes to pick a next hop of a multipath route (`net.ipv4.fib_multipath_hash_policy`).
public enum MultipathHash: String, Hashable, Sendable, Codable, CaseIterable {
  /// Source and destination addresses (the kernel's default, 0): one destination from one address takes one uplink.
  case layer3
  /// Addresses, protocol and ports (1): connections to one destination spread too.
  case layer4

  /// The sysctl's value.
  public var sysctlValue: String { self == .layer3 ? "0" : "1" }
}

/// One uplink of a group: its name (an uplink's table name or its interface), and its weight in a `balance`.
public struct GroupMember: Hashable, Sendable {
  /// The uplink, as written.
  public var name: Located<String>
  /// The weight (1-256) after `:`, if given.
  public var weight: Located<UInt32>?
}

/// `balance NAME uplinks U[:W]...` or `failover NAME uplinks PRIMARY BACKUP...`, with `[table ID]`,
/// `[hash layer3|layer4]` (balance) and `[rules-only]`.
public struct GroupStatement: Hashable, Sendable {
  /// Where the statement starts.
  public var location: SourceLocation
  /// Balance or failover.
  public var kind: GroupKind
  /// The group's name: the name of its table, which `rule ... lookup NAME` can name.
  public var name: Located<String>
  /// The table number, if given.
  public var table: Located<UInt32>?
  /// The uplinks, in order.
  public var members: [GroupMember]
  /// The multipath hash the policy asks for.
  public var hash: Located<MultipathHash>?
  /// Whether only `rule` statements send traffic to the group (no rule for every new outbound connection).
  public var rulesOnly: Bool
}

/// `uplink NAME dev IFACE [table ID] [via GW] [via6 GW6] [onlink]`.
public struct UplinkStatement: Hashable, Sendable {
  /// Where the statement starts.
  public var location: SourceLocation
  /// The table name.
  public var name: Located<String>
  /// The interface.
  public var device: Located<String>
  /// The table number, if given.
  public var table: Located<UInt32>?
  /// The IPv4 gateway, if given.
  public var via: Located<IPAddress>?
  /// The IPv6 gateway, if given.
  public var via6: Located<IPAddress>?
  /// Whether the gateways are on-link even outside the connected prefixes.
  public var onlink: Bool
  /// The route realm (1-255) the uplink's IPv4 routes carry, for the kernel's accounting; nil for none.
  public var realm: Located<UInt32>? = nil
}

/// `table NAME [ID]`.
public struct TableStatement: Hashable, Sendable {
  /// Where the statement starts.
  public var location: SourceLocation
  /// The name.
  public var name: Located<String>
  /// The number, if given.
  public var number: Located<UInt32>?
}

/// `route [TYPE] PREFIX [via GW] [dev IFACE] [onlink] [src ADDR] [metric N] table NAME|ID [nexthop ...]...`.
public struct RouteStatement: Hashable, Sendable {
  /// Where the statement starts.
  public var location: SourceLocation
  /// The route type (unicast, or blackhole, unreachable, prohibit, throw).
  public var type: RouteType
  /// The destination; `default` is resolved to the family of the gateway (IPv4 without one).
  public var destination: Located<IPPrefix>
  /// The gateway.
  public var via: Located<IPAddress>?
  /// The device.
  public var device: Located<String>?
  /// Whether the gateway is on-link.
  public var onlink: Bool
  /// The preferred source address.
  public var source: Located<IPAddress>?
  /// The metric.
  public var metric: UInt32?
  /// The table.
  public var table: Located<TableReferenceText>
  /// The next hops of a multipath route (`nexthop via GW dev IFACE weight N ...`); empty for a single path.
  public var nexthops: [NexthopStatement] = []
}

/// `nexthop [via GW] [dev IFACE] [weight N] [onlink]` inside a `route` statement.
public struct NexthopStatement: Hashable, Sendable {
  /// Where the `nexthop` word is.
  public var location: SourceLocation
  /// The gateway.
  public var via: Located<IPAddress>? = nil
  /// The device.
  public var device: Located<String>? = nil
  /// The weight (1-256); nil for the kernel's 1.
  public var weight: Located<UInt32>? = nil
  /// Whether the gateway is on-link.
  public var onlink = false

  /// A next hop with nothing set yet.
  public init(location: SourceLocation) {
    self.location = location
  }
}

/// What a `rule` statement does.
public enum RuleStatementAction: Hashable, Sendable {
  /// `lookup`/`table`.
  case lookup(Located<TableReferenceText>)
  /// `goto N`.
  case goto(UInt32)
  /// `blackhole`.
  case blackhole
  /// `unreachable`.
  case unreachable
  /// `prohibit`.
  case prohibit
  /// `nop`.
  case nop
}

/// `rule SELECTOR... ACTION [priority N]`.
///
/// Its fields live in one shared box until a copy changes them: a statement is several hundred bytes and holds half a
/// dozen strings, and a policy of thousands of rules copied each several times while it was sorted and resolved
/// (measured: 10,000 statements, 6 ms of copies and retains).
public struct RuleStatement: Hashable, Sendable {
  /// The fields.
  struct Fields: Hashable, Sendable {
    var location: SourceLocation
    var family: Located<AddressFamily>?
    var selector = RuleSelector.all
    var selectorLocations: [RuleSelector.Field: SourceLocation] = [:]
    var suppressPrefixLength: Int?
    var action: RuleStatementAction?
    var actionLocation: SourceLocation?
    var priority: Located<UInt32>?
    var realm: Located<UInt32>?
  }

  /// The box that holds the fields; never changed once shared.
  private final class Box: @unchecked Sendable {
    var fields: Fields
    init(_ fields: Fields) { self.fields = fields }
  }

  /// The fields, shared by copies.
  private var box: Box

  /// The fields, for a change: copied first when another statement shares them.
  private var fields: Fields {
    get { box.fields }
    _modify {
      if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
      yield &box.fields
    }
  }

  /// Where the statement starts.
  public var location: SourceLocation {
    get { box.fields.location }
    set { fields.location = newValue }
  }
  /// `family inet|inet6`, restricting a rule without addresses to one family.
  public var family: Located<AddressFamily>? {
    get { box.fields.family }
    set { fields.family = newValue }
  }
  /// What the rule selects.
  public var selector: RuleSelector {
    get { box.fields.selector }
    _modify { yield &fields.selector }
  }
  /// Where each selector's value was written, for messages.
  public var selectorLocations: [RuleSelector.Field: SourceLocation] {
    get { box.fields.selectorLocations }
    _modify { yield &fields.selectorLocations }
  }
  /// `suppress_prefixlength`.
  public var suppressPrefixLength: Int? {
    get { box.fields.suppressPrefixLength }
    set { fields.suppressPrefixLength = newValue }
  }
  /// The action.
  public var action: RuleStatementAction? {
    get { box.fields.action }
    set { fields.action = newValue }
  }
  /// Where the action was written.
  public var actionLocation: SourceLocation? {
    get { box.fields.actionLocation }
    set { fields.actionLocation = newValue }
  }
  /// `priority`/`pref`/`preference`.
  public var priority: Located<UInt32>? {
    get { box.fields.priority }
    set { fields.priority = newValue }
  }
  /// `realm N`: the source realm the rule's IPv4 copy tags the packets it routes with (`realms N/0`), for the
  /// kernel's accounting that `polroute stats` reads.
  public var realm: Located<UInt32>? {
    get { box.fields.realm }
    set { fields.realm = newValue }
  }

  /// An empty rule statement at a location.
  public init(location: SourceLocation) {
    box = Box(Fields(location: location))
  }

  /// Equal when every field is.
  public static func == (lhs: RuleStatement, rhs: RuleStatement) -> Bool {
    lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
  }

  /// Hashes the fields.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(box.fields)
  }

  /// The families the rule applies to: its addresses', else `family`, else both.
  public var families: [AddressFamily] {
    // Shared arrays: resolving a rule asks this several times, and a new array each time showed in profiles.
    let family = selector.family ?? self.family?.value
    switch family {
    case .inet?: return Self.inetOnly
    case .inet6?: return Self.inet6Only
    case nil: return Self.bothFamilies
    }
  }

  /// IPv4 alone.
  private static let inetOnly: [AddressFamily] = [.inet]
  /// IPv6 alone.
  private static let inet6Only: [AddressFamily] = [.inet6]
  /// Both families, IPv4 first.
  private static let bothFamilies: [AddressFamily] = [.inet, .inet6]
}
