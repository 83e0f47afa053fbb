import Testing

@testable import PolrouteCore

/// The line the script expects `ip -N rule show` to print for a wanted rule; every expected text here was printed
/// by iproute2 6.1 for the rule added with the same selectors.
struct NumericShowLineTests {
  /// A prefix.
  func prefix(_ text: String) -> IPPrefix { IPPrefix(text)! }

  /// The line for a rule marked as polroute's.
  func line(_ rule: Rule) -> String {
    var marked = rule
    marked.protocolNumber = RouteProtocol.polroute
    return IPRouteScriptRenderer.numericShowLine(marked)
  }

  @Test("selectors in ip's order, host prefixes as addresses, numbers for tables and protocols")
  func selectors() {
    let web = Rule(
      family: .inet, priority: 7000,
      selector: RuleSelector(
        source: prefix("203.0.113.0/24"), tos: 0x10, fwmark: 0x5, fwmask: 0xf, ipProtocol: 6,
        destinationPort: NumberRange(80)), action: .lookup(100))
    #expect(
      line(web) == "7000: from 203.0.113.0/24 tos 0x10 fwmark 0x5/0xf ipproto ipproto-6 dport 80 lookup 100 proto 177")
    let ports = Rule(
      family: .inet, priority: 7101,
      selector: RuleSelector(
        uidRange: NumberRange(7, 7), ipProtocol: 17, sourcePort: NumberRange(80), destinationPort: NumberRange(80)),
      suppressPrefixLength: 0, action: .lookup(100))
    #expect(
      line(ports) == "7101: from all uidrange 7-7 ipproto ipproto-17 sport 80 dport 80 lookup 100 "
        + "suppress_prefixlength 0 proto 177")
    let host6 = Rule(
      family: .inet6, priority: 7100,
      selector: RuleSelector(source: prefix("2001:db8:b::10/128"), destination: prefix("2001:db8::/32"), tos: 0x10),
      action: .lookup(100))
    #expect(line(host6) == "7100: from 2001:db8:b::10 to 2001:db8::/32 tos 0x10 lookup 100 proto 177")
  }

  @Test("tos with two hex digits, marks as C's %#x prints them, and a mark without a mask")
  func tosAndMarks() {
    let detached = Rule(
      family: .inet, priority: 7100, selector: RuleSelector(tos: 0x08, fwmark: 0x10, inputInterface: "nosuch"),
      action: .lookup(100))
    #expect(line(detached) == "7100: from all tos 0x08 fwmark 0x10 iif nosuch lookup 100 proto 177")
    let zeroMark = Rule(
      family: .inet, priority: 9500, selector: RuleSelector(fwmark: 0, fwmask: 0xff), action: .lookup(100))
    #expect(line(zeroMark) == "9500: from all fwmark 0/0xff lookup 100 proto 177")
    let fullMask = Rule(
      family: .inet, priority: 7003, selector: RuleSelector(fwmark: 0x10, fwmask: 0xffff_ffff), action: .lookup(254))
    #expect(line(fullMask) == "7003: from all fwmark 0x10 lookup 254 proto 177")
    // The kernel keeps nothing of mark 0 without a mask.
    #expect(
      line(Rule(family: .inet, priority: 7105, selector: RuleSelector(fwmark: 0), action: .nop))
        == "7105: from all nop proto 177")
  }

  @Test("actions as numbers, goto, not, l3mdev, and prefixes of length 0 as no selector")
  func actions() {
    let blackhole = Rule(
      family: .inet, priority: 7102,
      selector: RuleSelector(source: prefix("203.0.113.10/32"), destination: prefix("192.0.2.1/32")), action: .blackhole
    )
    #expect(line(blackhole) == "7102: from 203.0.113.10 to 192.0.2.1 6 proto 177")
    let unreachable = Rule(
      family: .inet, priority: 7104, selector: RuleSelector(invert: true, source: prefix("203.0.113.0/24")),
      action: .unreachable)
    #expect(line(unreachable) == "7104: not from 203.0.113.0/24 7 proto 177")
    let prohibit = Rule(
      family: .inet, priority: 7002,
      selector: RuleSelector(inputInterface: "lo", outputInterface: "data", sourcePort: NumberRange(1000, 2000)),
      action: .prohibit)
    #expect(line(prohibit) == "7002: from all iif lo oif data sport 1000-2000 8 proto 177")
    let goto = Rule(
      family: .inet, priority: 7001,
      selector: RuleSelector(invert: true, destination: prefix("192.0.2.0/24"), uidRange: NumberRange(5, 6)),
      action: .goto(20000))
    #expect(line(goto) == "7001: not from all to 192.0.2.0/24 uidrange 5-6 goto 20000 proto 177")
    let l3mdev = Rule(family: .inet, priority: 7103, selector: RuleSelector(l3mdev: true), action: .lookup(0))
    #expect(line(l3mdev) == "7103: from all lookup [l3mdev-table] proto 177")
    let everywhere = Rule(
      family: .inet, priority: 9800,
      selector: RuleSelector(source: prefix("0.0.0.0/0"), destination: prefix("192.0.2.0/24"), tos: 0x10), action: .nop)
    #expect(line(everywhere) == "9800: from all to 192.0.2.0/24 tos 0x10 nop proto 177")
  }
}
