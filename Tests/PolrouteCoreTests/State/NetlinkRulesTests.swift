import Foundation
import TestSupport
import Testing

@testable import PolrouteCore

/// `NetlinkRules`: the kernel's rule dump read into the rules `ip -j rule show` gives, and refused where the bytes do
/// not hold what the kernel sends.
struct NetlinkRulesTests {
  /// A recorded file of Tests/Fixtures/netlink.
  static func recorded(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: TestPaths.packageRoot + "/Tests/Fixtures/netlink/" + name)))
  }

  @Test(
    "a recorded dump of every kind of rule reads as ip -j rule show of the same rules, in both families",
    arguments: AddressFamily.allCases)
  func recordedDump(_ family: AddressFamily) throws {
    let name = family == .inet ? "inet" : "inet6"
    let dumped = try NetlinkRules.decode(try Self.recorded("rules-\(name).bin"), family: family)
    let printed = try IPOutputDecoder().rules(
      try Self.recorded("rules-\(name).json"), family: family, command: "ip -j rule show")
    // 19 of each family, the kernel's (local, main and for IPv4 default), and two with realms in IPv4.
    #expect(printed.count == (family == .inet ? 24 : 21))
    #expect(dumped == printed)
    // What the recording holds, spelled out once: a rule of each kind.
    let byPriority = Dictionary(uniqueKeysWithValues: dumped.map { ($0.priority, $0) })
    #expect(byPriority[104]?.selector.fwmark == 0x10 && byPriority[104]?.selector.fwmask == 0xf0)
    #expect(byPriority[104]?.action == .lookup(100_000) && byPriority[104]?.protocolNumber == 99)
    #expect(byPriority[103]?.selector.fwmask == nil)
    #expect(byPriority[109]?.suppressInterfaceGroup == "7" && byPriority[110]?.suppressInterfaceGroup == "default")
    #expect(
      byPriority[108]?.suppressPrefixLength == 0 && byPriority[107]?.selector.sourcePort == NumberRange(1000, 2000))
    #expect(byPriority[111]?.action == .goto(120) && byPriority[120]?.action == .nop)
    #expect(byPriority[125]?.selector.l3mdev == true && byPriority[125]?.action == .lookup(RoutingTable.unspec))
    #expect(byPriority[101]?.selector.invert == true && byPriority[124]?.protocolNumber == nil)
    if family == .inet {
      #expect(
        byPriority[130]?.realms == RuleRealms(from: 3, to: 5) && byPriority[131]?.realms == RuleRealms(from: 0, to: 7))
    } else {
      #expect(byPriority[126]?.selector.destination == IPPrefix("2001:db8::/32"))
    }
  }

  @Test("rules of the other family are left out; group names come from /etc/iproute2/group")
  func familyAndGroupNames() throws {
    let dump = try Self.recorded("rules-inet.bin")
    #expect(try NetlinkRules.decode(dump, family: .inet6).isEmpty)
    let named = try NetlinkRules.decode(dump, family: .inet, groupNames: [7: "uplinks"])
    #expect(named.first { $0.priority == 109 }?.suppressInterfaceGroup == "uplinks")
  }

  @Test("a dump arriving in chunks: other sequences skipped, done, a refusal, an interruption")
  func chunks() throws {
    let dump = try Self.recorded("rules-inet.bin")
    var rules: [Rule] = []
    // The recording ends with NLMSG_DONE; every message but it, then it alone.
    let done = Array(dump.suffix(20))
    let messages = Array(dump.dropLast(20))
    #expect(try Self.scan(messages, sequence: 7, into: &rules) == .more)
    #expect(rules.count == 24)
    #expect(try Self.scan(done, sequence: 7, into: &rules) == .done)
    // Another request's answers are not this dump's.
    var other: [Rule] = []
    #expect(try Self.scan(messages, sequence: 8, into: &other) == .more)
    #expect(other.isEmpty)
    // NLMSG_ERROR with -EPERM.
    let refusal = Self.message(
      type: 2, flags: 0, sequence: 7, payload: Self.le32(UInt32(bitPattern: -1)) + [UInt8](repeating: 0, count: 16))
    #expect(try Self.scan(refusal, sequence: 7, into: &rules) == .failed(errno: 1))
    #expect(throws: NetlinkError.refused(errno: 1)) { try NetlinkRules.decode(messages + refusal, family: .inet) }
    // NLM_F_DUMP_INTR on a message: the dump must be made again.
    var interrupted = messages
    interrupted[6] |= 0x10
    #expect(try Self.scan(interrupted + done, sequence: 7, into: &rules) == .interrupted)
    #expect(throws: NetlinkError.interrupted) { try NetlinkRules.decode(interrupted, family: .inet) }
  }

  @Test("bytes the kernel would not send are an error, never a crash: cut anywhere, or a byte changed anywhere")
  func damagedDumps() throws {
    let dump = try Self.recorded("rules-inet.bin")
    for length in 0..<dump.count {
      _ = try? NetlinkRules.decode(Array(dump.prefix(length)), family: .inet)
    }
    #expect(throws: NetlinkError.truncated(offset: 0)) {
      try NetlinkRules.decode(Array(dump.prefix(10)), family: .inet)
    }
    var random = SeededGenerator(seed: 21)
    for _ in 0..<3_000 {
      var damaged = dump
      damaged[Int.random(in: 0..<damaged.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
      _ = try? NetlinkRules.decode(damaged, family: .inet)
    }
  }

  @Test("an action polroute does not know, a goto without its target, a prefix too long, a short attribute: errors")
  func refusedRules() throws {
    // fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action; flags.
    func rule(action: UInt8, sourceLength: UInt8 = 0, attributes: [UInt8] = []) -> [UInt8] {
      Self.message(
        type: 32, flags: 2, sequence: 1, payload: [2, 0, sourceLength, 0, 254, 0, 0, action, 0, 0, 0, 0] + attributes)
    }
    #expect(throws: NetlinkError.unknownAction(offset: 23, action: 4)) {
      try NetlinkRules.decode(rule(action: 4), family: .inet)
    }
    #expect(throws: NetlinkError.badAttribute(offset: 23, kind: 4)) {
      try NetlinkRules.decode(rule(action: 2), family: .inet)
    }
    #expect(throws: NetlinkError.badPrefixLength(offset: 18, length: 33)) {
      try NetlinkRules.decode(rule(action: 1, sourceLength: 33), family: .inet)
    }
    // FRA_PRIORITY with two bytes instead of four.
    #expect(throws: NetlinkError.badAttribute(offset: 28, kind: 0)) {
      try NetlinkRules.decode(rule(action: 1, attributes: [6, 0, 6, 0, 1, 0, 0, 0]), family: .inet)
    }
    #expect(
      try NetlinkRules.decode(rule(action: 1), family: .inet) == [
        Rule(family: .inet, priority: 0, action: .lookup(254))
      ])
  }

  @Test("the dump request asks for the family's rules")
  func request() {
    #expect(
      NetlinkRules.dumpRequest(family: .inet6, sequence: 3)
        == [28, 0, 0, 0, 34, 0, 1, 3, 3, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
  }

  /// `NetlinkRules.scan` of bytes.
  static func scan(_ bytes: [UInt8], sequence: UInt32, into rules: inout [Rule]) throws -> NetlinkRules.End {
    try bytes.withUnsafeBytes { try NetlinkRules.scan($0, sequence: sequence, family: .inet, into: &rules) }
  }

  /// A netlink message.
  static func message(type: UInt16, flags: UInt16, sequence: UInt32, payload: [UInt8]) -> [UInt8] {
    let length = 16 + payload.count
    return le32(UInt32(length)) + [UInt8(type & 0xFF), UInt8(type >> 8), UInt8(flags & 0xFF), UInt8(flags >> 8)]
      + le32(sequence) + le32(0) + payload + [UInt8](repeating: 0, count: (4 - length % 4) % 4)
  }

  /// A little-endian 32-bit value.
  static func le32(_ value: UInt32) -> [UInt8] {
    [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
  }
}
