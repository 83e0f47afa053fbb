/// Rule objects of `ip -j rule show`.
extension IPOutputDecoder {
  /// Decodes one rule object.
  public func rule(_ scanner: inout JSONScanner, family: AddressFamily, command: String) throws(IPOutputError) -> Rule {
    try decoding("rule", command: command) { try decodeRule(&scanner, family: family, command: command) }
  }

  func decodeRule(_ s: inout JSONScanner, family: AddressFamily, command: String) throws -> Rule {
    try s.expect(UInt8(ascii: "{"), "a rule object")
    var rule = Rule(family: family, priority: 0, action: .nop)
    var sourceText: String?
    var sourceLength: Int?
    var destinationText: String?
    var destinationLength: Int?
    var table: UInt32?
    var action: RuleAction?
    var sportStart: UInt32?
    var sportEnd: UInt32?
    var dportStart: UInt32?
    var dportEnd: UInt32?
    var uidStart: UInt32?
    var uidEnd: UInt32?
    var realmFrom: UInt32?
    var realmTo: UInt32?
    var realmNamed = false
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "priority") {
        rule.priority = UInt32(truncatingIfNeeded: try s.unsigned(field: "priority"))
      } else if s.key(key, is: "src") {
        sourceText = try s.string()
      } else if s.key(key, is: "srclen") {
        sourceLength = try count(&s, field: "srclen")
      } else if s.key(key, is: "dst") {
        destinationText = try s.string()
      } else if s.key(key, is: "dstlen") {
        destinationLength = try count(&s, field: "dstlen")
      } else if s.key(key, is: "table") {
        table = try tableValue(&s, command: command)
      } else if s.key(key, is: "not") {
        _ = try s.literal()
        rule.selector.invert = true
      } else if s.key(key, is: "l3mdev") {
        _ = try s.literal()
        rule.selector.l3mdev = true
      } else if s.key(key, is: "tos") || s.key(key, is: "dsfield") {
        let text = try s.string()
        guard let value = NumberText.dsfield(text) else {
          throw IPOutputError.invalidValue(command: command, field: "tos", value: text)
        }
        rule.selector.tos = value
      } else if s.key(key, is: "fwmark") {
        rule.selector.fwmark = try hexNumber(&s, field: "fwmark", command: command)
      } else if s.key(key, is: "fwmask") {
        rule.selector.fwmask = try hexNumber(&s, field: "fwmask", command: command)
      } else if s.key(key, is: "iif") {
        rule.selector.inputInterface = try s.string()
      } else if s.key(key, is: "oif") {
        rule.selector.outputInterface = try s.string()
      } else if s.key(key, is: "uid_start") {
        uidStart = UInt32(truncatingIfNeeded: try s.unsigned(field: "uid_start"))
      } else if s.key(key, is: "uid_end") {
        uidEnd = UInt32(truncatingIfNeeded: try s.unsigned(field: "uid_end"))
      } else if s.key(key, is: "ipproto") {
        let text = try s.string()
        guard let number = IPProtocolNames.numbers[text] ?? UInt8(text) else {
          throw IPOutputError.invalidValue(command: command, field: "ipproto", value: text)
        }
        rule.selector.ipProtocol = number
      } else if s.key(key, is: "sport") {
        sportStart = UInt32(truncatingIfNeeded: try s.unsigned(field: "sport"))
      } else if s.key(key, is: "sport_start") {
        sportStart = UInt32(truncatingIfNeeded: try s.unsigned(field: "sport_start"))
      } else if s.key(key, is: "sport_end") {
        sportEnd = UInt32(truncatingIfNeeded: try s.unsigned(field: "sport_end"))
      } else if s.key(key, is: "dport") {
        dportStart = UInt32(truncatingIfNeeded: try s.unsigned(field: "dport"))
      } else if s.key(key, is: "dport_start") {
        dportStart = UInt32(truncatingIfNeeded: try s.unsigned(field: "dport_start"))
      } else if s.key(key, is: "dport_end") {
        dportEnd = UInt32(truncatingIfNeeded: try s.unsigned(field: "dport_end"))
      } else if s.key(key, is: "suppress_prefixlen") {
        rule.suppressPrefixLength = Int(try s.integer(field: "suppress_prefixlen"))
      } else if s.key(key, is: "suppress_ifgroup") {
        rule.suppressInterfaceGroup = try s.string()
      } else if s.key(key, is: "goto") {
        action = .goto(UInt32(truncatingIfNeeded: try s.unsigned(field: "goto")))
      } else if s.key(key, is: "nop") {
        _ = try s.literal()
        action = RuleAction.nop
      } else if s.key(key, is: "action") {
        let text = try s.string()
        switch text {
        case "blackhole", "6": action = RuleAction.blackhole
        case "unreachable", "7": action = RuleAction.unreachable
        case "prohibit", "8": action = RuleAction.prohibit
        case "nop": action = RuleAction.nop
        default: throw IPOutputError.invalidValue(command: command, field: "action", value: text)
        }
      } else if s.key(key, is: "flow_from") || s.key(key, is: "flow_to") {
        let isFrom = s.key(key, is: "flow_from")
        let realm = Self.realmNumber(try s.string())
        if realm == nil { realmNamed = true }
        if isFrom { realmFrom = realm } else { realmTo = realm }
      } else if s.key(key, is: "protocol") {
        let number = try protocolValue(&s, command: command)
        // `ip -d` prints unspec and kernel, plain `ip` hides them: normalise to hidden.
        rule.protocolNumber = (number == 0 || number == RouteProtocol.kernel) ? nil : number
      } else {
        try s.skipValue()
      }
    }
    rule.selector.source = try Self.rulePrefix(
      sourceText, length: sourceLength, family: family, field: "src", command: command)
    rule.selector.destination = try Self.rulePrefix(
      destinationText, length: destinationLength, family: family, field: "dst", command: command)
    if let sportStart { rule.selector.sourcePort = NumberRange(sportStart, sportEnd) }
    if let dportStart { rule.selector.destinationPort = NumberRange(dportStart, dportEnd) }
    if let uidStart { rule.selector.uidRange = NumberRange(uidStart, uidEnd) }
    // A realm `ip` names from rt_realms (other than cosmos, 0) is left out, as for routes: polroute's are numbers.
    if !realmNamed, realmFrom != nil || realmTo != nil {
      rule.realms = RuleRealms(from: realmFrom ?? 0, to: realmTo ?? 0)
    }
    // A rule without an explicit action looks up a table; `l3mdev` rules look up the VRF's table, shown as none.
    rule.action = action ?? .lookup(table ?? RoutingTable.unspec)
    return rule
  }

  /// A realm as `ip` prints it: a number, or `cosmos` (rt_realms' name for 0); nil for another name.
  static func realmNumber(_ text: String) -> UInt32? {
    text == "cosmos" ? 0 : UInt32(text)
  }

  /// Turns `"src":"all"` or an address plus `srclen` into a prefix; nil for `all`.
  static func rulePrefix(_ text: String?, length: Int?, family: AddressFamily, field: String, command: String) throws
    -> IPPrefix?
  {
    guard let text, text != "all" else { return nil }
    guard let address = IPAddress(text), address.family == family else {
      throw IPOutputError.invalidValue(command: command, field: field, value: text)
    }
    let length = length ?? family.bitWidth
    guard length <= family.bitWidth else {
      throw IPOutputError.invalidValue(command: command, field: field, value: "\(text)/\(length)")
    }
    return IPPrefix(masking: address, length: length)
  }
}
