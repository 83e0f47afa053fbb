/// A routing policy rule, normalised from `ip -j rule show`: a priority, what it selects, and what it does.
public struct Rule: Hashable, Sendable {
  /// The address family the rule belongs to.
  public var family: AddressFamily
  /// The priority (preference); lower runs first.
  public var priority: UInt32
  /// What the rule matches.
  public var selector: RuleSelector
  /// `suppress_prefixlength N`: a lookup result this specific or less is ignored.
  public var suppressPrefixLength: Int?
  /// `suppress_ifgroup GROUP`: a lookup result whose device is in this interface group is ignored; the group as
  /// `ip` names it (`default` is group 0).
  public var suppressInterfaceGroup: String?
  /// What the rule does when it matches.
  public var action: RuleAction
  /// The `protocol` that installed the rule; nil when `ip` prints none (unspec or kernel).
  public var protocolNumber: UInt8?
  /// `realms FROM/TO`: the route realms the rule tags the packets it routes with, for the kernel's accounting
  /// (IPv4 only: the kernel ignores realms on IPv6 rules).
  public var realms: RuleRealms?

  /// Builds a rule.
  public init(
    family: AddressFamily, priority: UInt32, selector: RuleSelector = .all, suppressPrefixLength: Int? = nil,
    suppressInterfaceGroup: String? = nil, action: RuleAction, protocolNumber: UInt8? = nil,
    realms: RuleRealms? = nil
  ) {
    self.family = family
    self.priority = priority
    self.selector = selector
    self.suppressPrefixLength = suppressPrefixLength
    self.suppressInterfaceGroup = suppressInterfaceGroup
    self.action = action
    self.protocolNumber = protocolNumber
    self.realms = realms
  }

  /// The table the rule looks up, if its action is a lookup.
  public var lookupTable: UInt32? {
    if case .lookup(let table) = action { return table }
    return nil
  }

  /// Whether two rules select the same packets and do the same with them, whatever their priority, protocol and
  /// family.
  public func doesTheSame(as other: Rule) -> Bool {
    selector == other.selector && action == other.action && suppressPrefixLength == other.suppressPrefixLength
      && suppressInterfaceGroup == other.suppressInterfaceGroup && realms == other.realms
  }

  /// Whether this is one of the kernel's default rules (0 local, 32766 main, 32767 default).
  public var isKernelDefault: Bool {
    guard selector.isEmpty, suppressPrefixLength == nil, suppressInterfaceGroup == nil, realms == nil else {
      return false
    }
    switch (priority, action) {
    case (0, .lookup(RoutingTable.local)), (32766, .lookup(RoutingTable.main)),
      (32767, .lookup(RoutingTable.defaultTable)):
      return true
    default:
      return false
    }
  }
}

extension Rule: Codable {
  /// The rule's own keys; the selector's sit beside them in the same object.
  enum CodingKeys: String, CodingKey {
    case family, priority, suppressPrefixLength, suppressInterfaceGroup, action, protocolNumber, realms
  }

  /// Reads a rule object of a snapshot.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      family: try container.decode(AddressFamily.self, forKey: .family),
      priority: try container.decode(UInt32.self, forKey: .priority), selector: try RuleSelector(from: decoder),
      suppressPrefixLength: try container.decodeIfPresent(Int.self, forKey: .suppressPrefixLength),
      suppressInterfaceGroup: try container.decodeIfPresent(String.self, forKey: .suppressInterfaceGroup),
      action: try container.decode(RuleAction.self, forKey: .action),
      protocolNumber: try container.decodeIfPresent(UInt8.self, forKey: .protocolNumber),
      realms: try container.decodeIfPresent(RuleRealms.self, forKey: .realms))
  }

  /// Writes one flat object: the rule's keys and the selector's.
  public func encode(to encoder: any Encoder) throws {
    try selector.encode(to: encoder)
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(family, forKey: .family)
    try container.encode(priority, forKey: .priority)
    try container.encodeIfPresent(suppressPrefixLength, forKey: .suppressPrefixLength)
    try container.encodeIfPresent(suppressInterfaceGroup, forKey: .suppressInterfaceGroup)
    try container.encode(action, forKey: .action)
    try container.encodeIfPresent(protocolNumber, forKey: .protocolNumber)
    try container.encodeIfPresent(realms, forKey: .realms)
  }
}

/// The realms a rule tags packets with (`realms FROM/TO`, 0-255 each as the kernel's accounting counts them; 0 is
/// none). A route's own realm takes the `to` half first, so polroute tags only `from`: the accounting then counts
/// every packet the host forwarded by the rule under that realm, whatever the uplink's routes carry.
public struct RuleRealms: Hashable, Sendable, TextCodable {
  /// The source realm (`flow_from`).
  public var from: UInt32
  /// The destination realm (`flow_to`).
  public var to: UInt32

  /// Builds the pair.
  public init(from: UInt32, to: UInt32) {
    self.from = from
    self.to = to
  }

  /// `FROM/TO`, as `ip rule add ... realms` takes it.
  public var description: String { "\(from)/\(to)" }

  /// Parses `FROM/TO` or `TO`.
  public init(codingText text: String) throws {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let last = UInt32(parts.last!), last <= 255,
      parts.count == 1 || UInt32(parts[0]).map({ $0 <= 255 }) == true
    else {
      throw AddressError.malformed(kind: "realms", text: text, reason: "expected FROM/TO, each 0-255")
    }
    self.init(from: parts.count == 2 ? UInt32(parts[0])! : 0, to: last)
  }
}

/// An inclusive range of numbers, printed `A` or `A-B` as iproute2 prints ports and uid ranges.
public struct NumberRange: TextCodable, Hashable, Sendable {
  /// The first number.
  public var start: UInt32
  /// The last number (equal to `start` for a single number).
  public var end: UInt32

  /// Builds a range; `end` defaults to `start`.
  public init(_ start: UInt32, _ end: UInt32? = nil) {
    self.start = start
    self.end = end ?? start
  }

  /// Whether a number lies in the range.
  public func contains(_ value: UInt32) -> Bool { start <= value && value <= end }

  /// `A` for a single number, `A-B` otherwise.
  public var description: String { start == end ? "\(start)" : "\(start)-\(end)" }

  /// Parses `A` or `A-B`.
  public init(codingText text: String) throws {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let start = UInt32(parts[0]), let end = UInt32(parts.last!), start <= end
    else {
      throw AddressError.malformed(kind: "range", text: text, reason: "expected A or A-B with A <= B")
    }
    self.init(start, end)
  }
}

/// What a rule does when it matches.
public enum RuleAction: Hashable, Sendable, TextCodable {
  /// Look the destination up in a table.
  case lookup(UInt32)
  /// Continue with the rule of this priority.
  case goto(UInt32)
  /// Drop silently.
  case blackhole
  /// Drop with "host unreachable".
  case unreachable
  /// Drop with "administratively prohibited".
  case prohibit
  /// Do nothing (a placeholder).
  case nop

  /// The iproute2 words: `lookup 101`, `goto 32766`, `blackhole`, ...
  public var description: String {
    switch self {
    case .lookup(let table): return "lookup \(table)"
    case .goto(let priority): return "goto \(priority)"
    case .blackhole: return "blackhole"
    case .unreachable: return "unreachable"
    case .prohibit: return "prohibit"
    case .nop: return "nop"
    }
  }

  /// Parses the form `description` prints.
  public init?(text: String) {
    let words = text.split(separator: " ")
    switch (words.first, words.count) {
    case ("lookup", 2):
      guard let table = UInt32(words[1]) else { return nil }
      self = .lookup(table)
    case ("goto", 2):
      guard let priority = UInt32(words[1]) else { return nil }
      self = .goto(priority)
    case ("blackhole", 1): self = .blackhole
    case ("unreachable", 1): self = .unreachable
    case ("prohibit", 1): self = .prohibit
    case ("nop", 1): self = .nop
    default: return nil
    }
  }

  /// Parses the text form.
  public init(codingText text: String) throws {
    guard let action = RuleAction(text: text) else {
      throw AddressError.malformed(
        kind: "rule action", text: text, reason: "expected lookup N, goto N, blackhole, unreachable, prohibit or nop")
    }
    self = action
  }
}
