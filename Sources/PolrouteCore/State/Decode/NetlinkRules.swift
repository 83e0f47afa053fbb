/// The kernel's rules as an rtnetlink dump gives them (the `RTM_NEWRULE` messages that answer `RTM_GETRULE`), read
/// into the same `Rule`s as `ip -j rule show`: what `ip` prints from each attribute (iproute2's `print_rule`) is what
/// is read here. Dumping 15,000 rules this way takes the kernel a few milliseconds, where `ip` spent 20-30 ms printing
/// them as JSON and polroute 10 more reading it back.
///
/// Where the two differ, the dump is exact: table and protocol numbers need no rt_tables names, a TOS is a number, and
/// realms that rt_realms names are kept (`ip` prints the names, and its reader leaves them out).
public enum NetlinkRules: NetlinkCoding {
  /// `RTM_NEWRULE`: the type of each message of a rule dump.
  static let newRule: UInt16 = 32
  /// `NLMSG_DONE`: the end of a dump.
  static let done: UInt16 = 3
  /// `NLMSG_ERROR`: an error (or an acknowledgement) for the request.
  static let error: UInt16 = 2
  /// `NLM_F_DUMP_INTR`: the rules changed while they were dumped, so the dump may be inconsistent.
  static let dumpInterrupted: UInt16 = 0x10
  /// `FIB_RULE_INVERT`: the `not` flag of a rule.
  static let invertFlag: UInt32 = 0x2

  /// What a chunk of a dump's messages ends with.
  public enum End: Equatable, Sendable {
    /// More messages follow.
    case more
    /// `NLMSG_DONE`: the dump is whole.
    case done
    /// The kernel refused the request (a negative errno).
    case failed(errno: Int32)
    /// The rules changed during the dump: it must be made again.
    case interrupted
  }

  /// The `RTM_GETRULE` request that dumps a family's rules: a netlink header and a `fib_rule_hdr` naming the family.
  public static func dumpRequest(family: AddressFamily, sequence: UInt32) -> [UInt8] {
    var bytes: [UInt8] = []
    append32(&bytes, 16 + 12)
    append16(&bytes, 34)  // RTM_GETRULE
    append16(&bytes, 0x1 | 0x300)  // NLM_F_REQUEST | NLM_F_DUMP
    append32(&bytes, sequence)
    append32(&bytes, 0)
    bytes += [family.netlinkNumber] + [UInt8](repeating: 0, count: 11)
    return bytes
  }

  /// Reads the messages of one chunk a socket received, decoding the rules of `family` into `rules`, and says how
  /// the dump stands. Messages of another sequence number are not this dump's and are skipped. `groupNames` names
  /// interface groups as /etc/iproute2/group does (`ip` prints a `suppress_ifgroup` by its name).
  public static func scan(
    _ chunk: UnsafeRawBufferPointer, sequence: UInt32?, family: AddressFamily, groupNames: [UInt32: String] = [:],
    into rules: inout [Rule]
  ) throws(NetlinkError) -> End {
    var offset = 0
    var end = End.more
    while offset < chunk.count {
      guard chunk.count - offset >= 16 else { throw .truncated(offset: offset) }
      let length = Int(read32(chunk, offset))
      guard length >= 16, length <= chunk.count - offset else { throw .badLength(offset: offset, length: length) }
      let type = read16(chunk, offset + 4)
      let flags = read16(chunk, offset + 6)
      if sequence == nil || read32(chunk, offset + 8) == sequence {
        if flags & dumpInterrupted != 0 { end = .interrupted }
        switch type {
        case newRule:
          guard length >= 16 + 12 else { throw .badLength(offset: offset, length: length) }
          let message = UnsafeRawBufferPointer(rebasing: chunk[offset..<(offset + length)])
          if let rule = try rule(message, offset: offset, family: family, groupNames: groupNames) {
            rules.append(rule)
          }
        case done:
          return end == .interrupted ? .interrupted : .done
        case error:
          guard length >= 20 else { throw .badLength(offset: offset, length: length) }
          let code = Int32(bitPattern: read32(chunk, offset + 16))
          // Zero is an acknowledgement, which a dump is not asked for; anything else ends it.
          if code != 0 { return .failed(errno: -code) }
        default:
          break
        }
      }
      offset += align(length)
    }
    return end
  }

  /// The rules of `family` in a whole recorded dump (the messages of one or more chunks, whatever their sequence
  /// numbers), in the kernel's order; an error where the dump says the kernel refused it or was interrupted.
  public static func decode(_ messages: [UInt8], family: AddressFamily, groupNames: [UInt32: String] = [:])
    throws(NetlinkError) -> [Rule]
  {
    var rules: [Rule] = []
    let scanned = messages.withUnsafeBytes { bytes in
      Result { () throws(NetlinkError) in
        try scan(bytes, sequence: nil, family: family, groupNames: groupNames, into: &rules)
      }
    }
    switch try scanned.get() {
    case .more, .done: return rules
    case .failed(let code): throw .refused(errno: code)
    case .interrupted: throw .interrupted
    }
  }

  /// One rule message; nil for a rule of another family.
  static func rule(
    _ message: UnsafeRawBufferPointer, offset base: Int, family: AddressFamily, groupNames: [UInt32: String]
  ) throws(NetlinkError) -> Rule? {
    // struct fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action; flags.
    guard message[16] == family.netlinkNumber else { return nil }
    let destinationLength = Int(message[17])
    let sourceLength = Int(message[18])
    let tos = message[19]
    let headerTable = UInt32(message[20])
    let action = message[23]
    let flags = read32(message, 24)
    var rule = Rule(family: family, priority: 0, action: .nop)
    var source: IPAddress?
    var destination: IPAddress?
    var table: UInt32?
    var fwmark: UInt32?
    var fwmask: UInt32?
    var suppressPrefixLength: UInt32?
    var suppressGroup: UInt32?
    var gotoTarget: UInt32?
    try forEachAttribute(message, from: 28, base: base) { kind, value, at throws(NetlinkError) in
      switch kind {
      case 1: destination = try address(value, family: family, at: at)  // FRA_DST
      case 2: source = try address(value, family: family, at: at)  // FRA_SRC
      case 3: rule.selector.inputInterface = try name(value, at: at)  // FRA_IIFNAME
      case 4: gotoTarget = try u32(value, at: at)  // FRA_GOTO
      case 6: rule.priority = try u32(value, at: at)  // FRA_PRIORITY
      case 10: fwmark = try u32(value, at: at)  // FRA_FWMARK
      case 11:  // FRA_FLOW: from in the high half, to in the low one.
        let flow = try u32(value, at: at)
        rule.realms = RuleRealms(from: flow >> 16, to: flow & 0xFFFF)
      case 13: suppressGroup = try u32(value, at: at)  // FRA_SUPPRESS_IFGROUP
      case 14: suppressPrefixLength = try u32(value, at: at)  // FRA_SUPPRESS_PREFIXLEN
      case 15: table = try u32(value, at: at)  // FRA_TABLE
      case 16: fwmask = try u32(value, at: at)  // FRA_FWMASK
      case 17: rule.selector.outputInterface = try name(value, at: at)  // FRA_OIFNAME
      case 19: rule.selector.l3mdev = try u8(value, at: at) != 0  // FRA_L3MDEV
      case 20:  // FRA_UID_RANGE
        guard value.count >= 8 else { throw .badAttribute(offset: at, kind: kind) }
        rule.selector.uidRange = NumberRange(read32(value, 0), read32(value, 4))
      case 21:  // FRA_PROTOCOL; `ip` prints none for unspec and kernel.
        let number = try u8(value, at: at)
        rule.protocolNumber = number == 0 || number == RouteProtocol.kernel ? nil : number
      case 22: rule.selector.ipProtocol = try u8(value, at: at)  // FRA_IP_PROTO
      case 23: rule.selector.sourcePort = try portRange(value, at: at, kind: kind)  // FRA_SPORT_RANGE
      case 24: rule.selector.destinationPort = try portRange(value, at: at, kind: kind)  // FRA_DPORT_RANGE
      default: break  // FRA_TUN_ID, FRA_DSCP and newer ones, which `ip -j` does not give polroute either.
      }
    }
    rule.selector.invert = flags & invertFlag != 0
    rule.selector.source = try prefix(source, length: sourceLength, family: family, at: base + 18)
    rule.selector.destination = try prefix(destination, length: destinationLength, family: family, at: base + 17)
    if tos != 0 { rule.selector.tos = tos }
    if fwmark != nil || fwmask != nil {
      rule.selector.fwmark = fwmark ?? 0
      // The kernel gives a mark's mask even when none was set: all ones, which `ip` leaves unprinted.
      if let fwmask, fwmask != .max { rule.selector.fwmask = fwmask }
    }
    let lookup = table ?? headerTable
    // `ip` prints the suppressors with the table only, and none for -1.
    if lookup != 0 {
      if let suppressPrefixLength, suppressPrefixLength != .max {
        rule.suppressPrefixLength = Int(Int32(bitPattern: suppressPrefixLength))
      }
      if let suppressGroup, suppressGroup != .max {
        rule.suppressInterfaceGroup = groupNames[suppressGroup] ?? (suppressGroup == 0 ? "default" : "\(suppressGroup)")
      }
    }
    switch action {
    case 1: rule.action = .lookup(lookup)  // FR_ACT_TO_TBL
    case 2:  // FR_ACT_GOTO
      guard let gotoTarget else { throw .badAttribute(offset: base + 23, kind: 4) }
      rule.action = .goto(gotoTarget)
    case 3: rule.action = .nop
    case 6: rule.action = .blackhole
    case 7: rule.action = .unreachable
    case 8: rule.action = .prohibit
    default: throw .unknownAction(offset: base + 23, action: action)
    }
    return rule
  }

  /// A rule's prefix: its address masked to its length; an address-less length is the zero address's (`ip` prints
  /// `0/N`); nil for none.
  static func prefix(_ address: IPAddress?, length: Int, family: AddressFamily, at offset: Int) throws(NetlinkError)
    -> IPPrefix?
  {
    guard length <= family.bitWidth else { throw .badPrefixLength(offset: offset, length: length) }
    if let address { return IPPrefix(masking: address, length: length) }
    return length == 0 ? nil : IPPrefix(masking: .unspecified(family), length: length)
  }

  /// A `fib_rule_port_range`: two 16-bit ports.
  static func portRange(_ value: UnsafeRawBufferPointer, at offset: Int, kind: UInt16) throws(NetlinkError)
    -> NumberRange
  {
    guard value.count >= 4 else { throw .badAttribute(offset: offset, kind: kind) }
    return NumberRange(UInt32(read16(value, 0)), UInt32(read16(value, 2)))
  }

}
