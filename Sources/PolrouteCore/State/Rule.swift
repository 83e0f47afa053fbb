/// A routing policy rule, normalised from `ip -j rule show`.
public struct Rule: Codable, Hashable, Sendable {
  /// The address family the rule belongs to.
  public var family: AddressFamily
  /// The priority (preference); lower runs first.
  public var priority: UInt32
  /// `not`: the selector is inverted.
  public var invert: Bool
  /// `from PREFIX`; nil means `from all`.
  public var source: IPPrefix?
  /// `to PREFIX`; nil means `to all`.
  public var destination: IPPrefix?
  /// `tos`/`dsfield` value.
  public var tos: UInt8?
  /// `fwmark` value.
  public var fwmark: UInt32?
  /// `fwmark` mask; nil means all bits (0xffffffff).
  public var fwmask: UInt32?
  /// `iif NAME`.
  public var inputInterface: String?
  /// `oif NAME`.
  public var outputInterface: String?
  /// `l3mdev`: look up the table of the VRF device.
  public var l3mdev: Bool
  /// `uidrange A-B`.
  public var uidRange: NumberRange?
  /// `ipproto` protocol number.
  public var ipProtocol: UInt8?
  /// `sport` range.
  public var sourcePort: NumberRange?
  /// `dport` range.
  public var destinationPort: NumberRange?
  /// `suppress_prefixlength N`.
  public var suppressPrefixLength: Int?
  /// What the rule does when it matches.
  public var action: RuleAction
  /// The `protocol` that installed the rule; nil when `ip` prints none (unspec or kernel).
  public var protocolNumber: UInt8?

  /// Builds a rule; only the fields that are set select packets.
  public init(
    family: AddressFamily, priority: UInt32, invert: Bool = false, source: IPPrefix? = nil,
    destination: IPPrefix? = nil, tos: UInt8? = nil, fwmark: UInt32? = nil, fwmask: UInt32? = nil,
    inputInterface: String? = nil, outputInterface: String? = nil, l3mdev: Bool = false, uidRange: NumberRange? = nil,
    ipProtocol: UInt8? = nil, sourcePort: NumberRange? = nil, destinationPort: NumberRange? = nil,
    suppressPrefixLength: Int? = nil, action: RuleAction, protocolNumber: UInt8? = nil
  ) {
    self.family = family
    self.priority = priority
    self.invert = invert
    self.source = source
    self.destination = destination
    self.tos = tos
    self.fwmark = fwmark
    self.fwmask = fwmask
    self.inputInterface = inputInterface
    self.outputInterface = outputInterface
    self.l3mdev = l3mdev
    self.uidRange = uidRange
    self.ipProtocol = ipProtocol
    self.sourcePort = sourcePort
    self.destinationPort = destinationPort
    self.suppressPrefixLength = suppressPrefixLength
    self.action = action
    self.protocolNumber = protocolNumber
  }

  /// The table the rule looks up, if its action is a lookup.
  public var lookupTable: UInt32? {
    if case .lookup(let table) = action { return table }
    return nil
  }

  /// Whether the rule matches every packet of its family (no selector at all).
  public var matchesEverything: Bool {
    !invert && source == nil && destination == nil && tos == nil && fwmark == nil && inputInterface == nil
      && outputInterface == nil && !l3mdev && uidRange == nil && ipProtocol == nil && sourcePort == nil
      && destinationPort == nil
  }

  /// The same rule without its priority and protocol: what it selects and what it does.
  public var selector: Rule {
    var copy = self
    copy.priority = 0
    copy.protocolNumber = nil
    return copy
  }

  /// Whether this is one of the kernel's default rules (0 local, 32766 main, 32767 default).
  public var isKernelDefault: Bool {
    guard matchesEverything, suppressPrefixLength == nil else { return false }
    switch (priority, action) {
    case (0, .lookup(RoutingTable.local)), (32766, .lookup(RoutingTable.main)),
      (32767, .lookup(RoutingTable.defaultTable)):
      return true
    default:
      return false
    }
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
