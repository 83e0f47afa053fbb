/// What a policy rule matches: every selector `ip rule` takes, said once for the kernel's rules and the policy's
/// `rule` statements alike. Its words, its emptiness, whether one selector covers another and whether it matches a
/// flow are all written here, so the plan, the printers, inspect and trace agree on them.
public struct RuleSelector: Hashable, Sendable {
  /// `not`: the match is inverted.
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
  /// `l3mdev`: the packet's VRF device names the table.
  public var l3mdev: Bool
  /// `uidrange A-B`.
  public var uidRange: NumberRange?
  /// `ipproto` protocol number.
  public var ipProtocol: UInt8?
  /// `sport` range.
  public var sourcePort: NumberRange?
  /// `dport` range.
  public var destinationPort: NumberRange?

  /// Builds a selector; only the fields that are set select packets.
  public init(
    invert: Bool = false, source: IPPrefix? = nil, destination: IPPrefix? = nil, tos: UInt8? = nil,
    fwmark: UInt32? = nil, fwmask: UInt32? = nil, inputInterface: String? = nil, outputInterface: String? = nil,
    l3mdev: Bool = false, uidRange: NumberRange? = nil, ipProtocol: UInt8? = nil, sourcePort: NumberRange? = nil,
    destinationPort: NumberRange? = nil
  ) {
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
  }

  /// The selector that matches every packet.
  public static let all = RuleSelector()

  /// The family the selector's addresses imply, if it has any.
  public var family: AddressFamily? { source?.family ?? destination?.family }

  /// Whether nothing but the source selects (or nothing at all): such rules are indexed by prefix.
  public var selectsOnlyBySource: Bool {
    destination == nil && tos == nil && fwmark == nil && inputInterface == nil && outputInterface == nil && !l3mdev
      && uidRange == nil && ipProtocol == nil && sourcePort == nil && destinationPort == nil
  }

  /// Whether the selector matches every packet of its family: no selector at all, not inverted.
  public var isEmpty: Bool { !invert && source == nil && selectsOnlyBySource }

  /// The mask the kernel keeps for the mark: a mark without a mask gets every bit, and `fwmark 0` alone is no
  /// selector at all (the kernel sets a mask only for a non-zero mark).
  public var effectiveMarkMask: UInt32 { fwmask ?? ((fwmark ?? 0) == 0 ? 0 : UInt32.max) }

  /// Whether every packet `other` matches, this selector matches too (neither inverted).
  public func covers(_ other: RuleSelector) -> Bool {
    guard !invert, !other.invert else { return false }
    func prefixCovers(_ mine: IPPrefix?, _ theirs: IPPrefix?) -> Bool {
      guard let mine else { return true }
      guard let theirs else { return false }
      return mine.contains(theirs)
    }
    func rangeCovers(_ mine: NumberRange?, _ theirs: NumberRange?) -> Bool {
      guard let mine else { return true }
      guard let theirs else { return false }
      return mine.start <= theirs.start && theirs.end <= mine.end
    }
    func equalOrAny<T: Equatable>(_ mine: T?, _ theirs: T?) -> Bool { mine == nil || mine == theirs }
    let markCovers =
      effectiveMarkMask == 0
      || (effectiveMarkMask & other.effectiveMarkMask == effectiveMarkMask
        && (fwmark ?? 0) & effectiveMarkMask == (other.fwmark ?? 0) & effectiveMarkMask)
    return prefixCovers(source, other.source) && prefixCovers(destination, other.destination)
      && equalOrAny(tos, other.tos) && markCovers
      && equalOrAny(inputInterface, other.inputInterface) && equalOrAny(outputInterface, other.outputInterface)
      && (!l3mdev || other.l3mdev) && rangeCovers(uidRange, other.uidRange) && equalOrAny(ipProtocol, other.ipProtocol)
      && rangeCovers(sourcePort, other.sourcePort) && rangeCovers(destinationPort, other.destinationPort)
  }

  /// Whether the kernel's rule match (`fib_rule_match` and `fib4_rule_match`/`fib6_rule_match`) accepts a flow:
  /// every selector that is set must match, then `not` inverts the answer.
  public func matches(_ flow: Flow) -> Bool {
    mismatches(flow).isEmpty != invert
  }

  /// The selectors that are set and do not match the flow, in printing order; empty when every one matches. A rule
  /// matches when this is empty, or, with `not`, when it is not: trace says why a rule did or did not match from it.
  public func mismatches(_ flow: Flow) -> [Field] {
    var fields: [Field] = []
    visitMismatches(flow) { field in
      fields.append(field)
      return true
    }
    return fields
  }

  /// Whether every field the selector sets matches `flow` (`not` aside): `mismatches(flow).isEmpty` without
  /// building the list, for the walks that trace thousands of flows through thousands of rules.
  public func fieldsMatch(_ flow: Flow) -> Bool {
    var matched = true
    visitMismatches(flow) { _ in
      matched = false
      return false
    }
    return matched
  }

  /// Calls `body` with each field that does not match `flow`, in the order `ip rule` prints them, until it returns
  /// false.
  private func visitMismatches(_ flow: Flow, _ body: (Field) -> Bool) {
    // The kernel compares a flow without ports as port 0, and one without a source as the unspecified address.
    if let source, !source.contains(flow.source ?? IPAddress.unspecified(flow.family)), !body(.source) { return }
    if let destination, !destination.contains(flow.destination), !body(.destination) { return }
    // A rule's tos 0 is no selector: the kernel tests the value only when it is set.
    if let tos, tos != 0, tos != flow.tos, !body(.tos) { return }
    if (flow.mark ^ (fwmark ?? 0)) & effectiveMarkMask != 0, !body(.fwmark) { return }
    if let iif = inputInterface, iif != flow.inputInterface, !body(.inputInterface) { return }
    if let oif = outputInterface, oif != flow.outputInterface, !body(.outputInterface) { return }
    if let uids = uidRange, !uids.contains(flow.uid), !body(.uidRange) { return }
    if let proto = ipProtocol, proto != flow.ipProtocol, !body(.ipProtocol) { return }
    if let ports = sourcePort, !ports.contains(UInt32(flow.sourcePort ?? 0)), !body(.sourcePort) { return }
    if let ports = destinationPort, !ports.contains(UInt32(flow.destinationPort ?? 0)), !body(.destinationPort) {
      return
    }
    if l3mdev && !flow.l3mdev { _ = body(.l3mdev) }
  }

  /// Whether the selector matches every locally sent packet from `address` whatever its destination, ports, user
  /// or mark: the question "where do replies from this address to an arbitrary client go".
  public func matchesEveryReply(from address: IPAddress) -> Bool {
    guard !invert, destination == nil, tos == nil, effectiveMarkMask == 0,
      inputInterface == nil || inputInterface == "lo",
      outputInterface == nil, !l3mdev, uidRange == nil, ipProtocol == nil, sourcePort == nil, destinationPort == nil
    else { return false }
    return source?.contains(address) ?? true
  }

  // MARK: Words

  /// How selector words are spelled.
  public enum Spelling: Sendable {
    /// As a policy file and `ip rule add` take them (`ipproto tcp`, `from 192.0.2.1`).
    case command
    /// As `ip -N rule show` prints them: numbers for protocols, the kernel's view of marks and tos, `from all`
    /// always, `[l3mdev-table]` for l3mdev. The script compares rules in this form, whatever the host's names.
    case numericShow
  }

  /// The selector's words in the order `ip rule show` prints them. `from all` is left out in the command spelling
  /// unless nothing else selects (where `ip` would print it), and always printed in the numeric spelling.
  public func words(_ spelling: Spelling = .command) -> [String] {
    switch spelling {
    case .command: return commandWords()
    case .numericShow: return numericShowWords()
    }
  }

  /// `not from 192.0.2.0/24 to 198.51.100.1 tos 0x10 fwmark 0x1/0xff iif data ...`.
  func commandWords() -> [String] {
    var words: [String] = []
    if invert { words.append("not") }
    if let source { words += ["from", Self.prefixText(source)] }
    if let destination { words += ["to", Self.prefixText(destination)] }
    if let tos { words += ["tos", Self.hex(UInt32(tos))] }
    if let fwmark { words += ["fwmark", Self.hex(fwmark) + (fwmask.map { "/" + Self.hex($0) } ?? "")] }
    if let inputInterface { words += ["iif", inputInterface] }
    if let outputInterface { words += ["oif", outputInterface] }
    if let uidRange { words += ["uidrange", "\(uidRange.start)-\(uidRange.end)"] }
    if let ipProtocol { words += ["ipproto", IPProtocolNames.text(ipProtocol)] }
    if let sourcePort { words += ["sport", sourcePort.description] }
    if let destinationPort { words += ["dport", destinationPort.description] }
    if l3mdev { words.append("l3mdev") }
    return words
  }

  /// The words `ip -N rule show` prints before the action, whitespace collapsed.
  func numericShowWords() -> [String] {
    // ip prints a prefix of length 0 as no selector at all, and a host prefix as its address.
    func text(_ prefix: IPPrefix) -> String? { prefix.length == 0 ? nil : Self.prefixText(prefix) }
    // ip prints marks with C's "%#x": 0 as "0", everything else with "0x".
    func hash(_ value: UInt32) -> String { value == 0 ? "0" : Self.hex(value) }
    var words: [String] = []
    if invert { words.append("not") }
    words += ["from", source.flatMap(text) ?? "all"]
    if let destination = destination.flatMap(text) { words += ["to", destination] }
    if let tos, tos != 0 { words += ["tos", "0x" + (tos < 0x10 ? "0" : "") + String(tos, radix: 16)] }
    let mark = fwmark ?? 0
    let mask = effectiveMarkMask
    if mark != 0 || mask != 0 { words += ["fwmark", hash(mark) + (mask == UInt32.max ? "" : "/" + hash(mask))] }
    if let inputInterface { words += ["iif", inputInterface] }
    if let outputInterface { words += ["oif", outputInterface] }
    if l3mdev { words += ["lookup", "[l3mdev-table]"] }
    if let uidRange { words += ["uidrange", "\(uidRange.start)-\(uidRange.end)"] }
    if let ipProtocol { words += ["ipproto", "ipproto-\(ipProtocol)"] }
    if let sourcePort { words += ["sport", sourcePort.description] }
    if let destinationPort { words += ["dport", destinationPort.description] }
    return words
  }

  /// A prefix as `ip` prints a selector: the bare address for a host prefix.
  static func prefixText(_ prefix: IPPrefix) -> String {
    prefix.isHost ? prefix.address.description : prefix.description
  }

  /// `0x10`.
  public static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }

  /// A selector, named by the keyword a policy's `rule` statement (and the JSON form's key) gives it.
  public enum Field: String, CaseIterable, Hashable, Sendable {
    /// `not`.
    case invert = "not"
    /// `from`.
    case source = "from"
    /// `to`.
    case destination = "to"
    /// `tos` (also spelled `dsfield`).
    case tos
    /// `fwmark`.
    case fwmark
    /// `iif`.
    case inputInterface = "iif"
    /// `oif`.
    case outputInterface = "oif"
    /// `uidrange`.
    case uidRange = "uidrange"
    /// `ipproto`.
    case ipProtocol = "ipproto"
    /// `sport`.
    case sourcePort = "sport"
    /// `dport`.
    case destinationPort = "dport"
    /// `l3mdev`.
    case l3mdev
  }

  /// The keywords of every selector in printing order, with `dsfield`, iproute2's other name for `tos`.
  public static let keywords = Field.allCases.map(\.rawValue) + ["dsfield"]
}

extension RuleSelector: Codable {
  /// The snapshot's keys: the selector's fields sit flat in a rule object, as they did before the type existed.
  enum CodingKeys: String, CodingKey {
    case invert, source, destination, tos, fwmark, fwmask, inputInterface, outputInterface, l3mdev, uidRange
    case ipProtocol, sourcePort, destinationPort
  }

  /// Reads the flat keys; the booleans may be missing.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      invert: try container.decodeIfPresent(Bool.self, forKey: .invert) ?? false,
      source: try container.decodeIfPresent(IPPrefix.self, forKey: .source),
      destination: try container.decodeIfPresent(IPPrefix.self, forKey: .destination),
      tos: try container.decodeIfPresent(UInt8.self, forKey: .tos),
      fwmark: try container.decodeIfPresent(UInt32.self, forKey: .fwmark),
      fwmask: try container.decodeIfPresent(UInt32.self, forKey: .fwmask),
      inputInterface: try container.decodeIfPresent(String.self, forKey: .inputInterface),
      outputInterface: try container.decodeIfPresent(String.self, forKey: .outputInterface),
      l3mdev: try container.decodeIfPresent(Bool.self, forKey: .l3mdev) ?? false,
      uidRange: try container.decodeIfPresent(NumberRange.self, forKey: .uidRange),
      ipProtocol: try container.decodeIfPresent(UInt8.self, forKey: .ipProtocol),
      sourcePort: try container.decodeIfPresent(NumberRange.self, forKey: .sourcePort),
      destinationPort: try container.decodeIfPresent(NumberRange.self, forKey: .destinationPort))
  }

  /// Writes the flat keys, leaving out what is not set (the booleans always, as before).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(invert, forKey: .invert)
    try container.encodeIfPresent(source, forKey: .source)
    try container.encodeIfPresent(destination, forKey: .destination)
    try container.encodeIfPresent(tos, forKey: .tos)
    try container.encodeIfPresent(fwmark, forKey: .fwmark)
    try container.encodeIfPresent(fwmask, forKey: .fwmask)
    try container.encodeIfPresent(inputInterface, forKey: .inputInterface)
    try container.encodeIfPresent(outputInterface, forKey: .outputInterface)
    try container.encode(l3mdev, forKey: .l3mdev)
    try container.encodeIfPresent(uidRange, forKey: .uidRange)
    try container.encodeIfPresent(ipProtocol, forKey: .ipProtocol)
    try container.encodeIfPresent(sourcePort, forKey: .sourcePort)
    try container.encodeIfPresent(destinationPort, forKey: .destinationPort)
  }
}

/// One packet as the kernel's rule and route lookup sees it: where it comes from and goes, and the metadata rules
/// can select on. A locally sent packet has input interface `lo`, as the kernel sets it.
public struct Flow: Hashable, Sendable {
  /// The source address; nil when the sender has not chosen one (the route's `src` will).
  public var source: IPAddress?
  /// The destination address.
  public var destination: IPAddress
  /// The interface the packet arrived on (`lo` for a locally sent packet).
  public var inputInterface: String
  /// The interface a socket bound the packet to, if any.
  public var outputInterface: String?
  /// The firewall mark.
  public var mark: UInt32
  /// The sending user's uid (0 for forwarded packets, as the kernel sets it).
  public var uid: UInt32
  /// The IP protocol number, if known.
  public var ipProtocol: UInt8?
  /// The source port (TCP, UDP, SCTP, UDP-Lite).
  public var sourcePort: UInt16?
  /// The destination port.
  public var destinationPort: UInt16?
  /// The TOS byte (IPv4) or traffic class (IPv6).
  public var tos: UInt8
  /// Whether the packet belongs to a VRF (arrived on an l3mdev slave).
  public var l3mdev: Bool

  /// Builds a flow; a locally sent packet by default.
  public init(
    source: IPAddress? = nil, destination: IPAddress, inputInterface: String = "lo", outputInterface: String? = nil,
    mark: UInt32 = 0, uid: UInt32 = 0, ipProtocol: UInt8? = nil, sourcePort: UInt16? = nil,
    destinationPort: UInt16? = nil, tos: UInt8 = 0, l3mdev: Bool = false
  ) {
    self.source = source
    self.destination = destination
    self.inputInterface = inputInterface
    self.outputInterface = outputInterface
    self.mark = mark
    self.uid = uid
    self.ipProtocol = ipProtocol
    self.sourcePort = sourcePort
    self.destinationPort = destinationPort
    self.tos = tos
    self.l3mdev = l3mdev
  }

  /// The flow's family: its destination's.
  public var family: AddressFamily { destination.family }
}
