import Foundation
import PolrouteCore
import Testing

/// The one selector type: what it matches, what it covers, how it is spelled, how it is stored.
@Suite("rule selector")
struct RuleSelectorTests {
  static func address(_ text: String) -> IPAddress { IPAddress(text)! }
  static func prefix(_ text: String) -> IPPrefix { IPPrefix(text)! }

  /// A TCP flow from 203.0.113.10:40000 to 198.51.100.7:443, sent by uid 1000 with mark 0x11.
  static let flow = Flow(
    source: address("203.0.113.10"), destination: address("198.51.100.7"), mark: 0x11, uid: 1000, ipProtocol: 6,
    sourcePort: 40000, destinationPort: 443, tos: 0x10)

  @Test(
    "each selector matches the flow it names and not another",
    arguments: [
      (RuleSelector(source: prefix("203.0.113.0/24")), RuleSelector(source: prefix("192.0.2.0/24"))),
      (RuleSelector(destination: prefix("198.51.100.0/24")), RuleSelector(destination: prefix("203.0.113.0/24"))),
      (RuleSelector(tos: 0x10), RuleSelector(tos: 0x08)),
      (RuleSelector(fwmark: 0x11), RuleSelector(fwmark: 0x10)),
      (RuleSelector(fwmark: 0x1, fwmask: 0x1), RuleSelector(fwmark: 0x2, fwmask: 0x2)),
      (RuleSelector(inputInterface: "lo"), RuleSelector(inputInterface: "data")),
      (RuleSelector(uidRange: NumberRange(1000, 1999)), RuleSelector(uidRange: NumberRange(0, 999))),
      (RuleSelector(ipProtocol: 6), RuleSelector(ipProtocol: 17)),
      (RuleSelector(sourcePort: NumberRange(32768, 65535)), RuleSelector(sourcePort: NumberRange(1, 1023))),
      (RuleSelector(destinationPort: NumberRange(443)), RuleSelector(destinationPort: NumberRange(80))),
    ])
  func selectorsMatchTheirFlows(matching: RuleSelector, other: RuleSelector) {
    #expect(matching.matches(Self.flow))
    #expect(!other.matches(Self.flow))
  }

  @Test("not inverts the whole match; an empty selector matches everything")
  func invertAndEmpty() {
    #expect(RuleSelector.all.matches(Self.flow))
    #expect(RuleSelector.all.isEmpty)
    #expect(!RuleSelector(invert: true).isEmpty)
    #expect(!RuleSelector(invert: true).matches(Self.flow))
    #expect(RuleSelector(invert: true, source: Self.prefix("192.0.2.0/24")).matches(Self.flow))
    #expect(!RuleSelector(invert: true, source: Self.prefix("203.0.113.0/24")).matches(Self.flow))
  }

  @Test("the kernel's quirks: fwmark 0 alone, tos 0, a flow without ports or source")
  func kernelQuirks() {
    // `fwmark 0` without a mask sets no mask: it selects nothing.
    #expect(RuleSelector(fwmark: 0).matches(Self.flow))
    #expect(RuleSelector(fwmark: 0).effectiveMarkMask == 0)
    #expect(RuleSelector(tos: 0).matches(Self.flow))
    // A flow without ports is port 0 to the kernel; one without a source is the unspecified address.
    let bare = Flow(destination: Self.address("198.51.100.7"))
    #expect(!RuleSelector(destinationPort: NumberRange(443)).matches(bare))
    #expect(RuleSelector(destinationPort: NumberRange(0, 10)).matches(bare))
    #expect(RuleSelector(source: Self.prefix("0.0.0.0/1")).matches(bare))
    #expect(!RuleSelector(source: Self.prefix("203.0.113.0/24")).matches(bare))
  }

  @Test("covers: every packet the narrower selector matches, the wider one does too")
  func covers() {
    let wide = RuleSelector(source: Self.prefix("203.0.113.0/24"))
    let narrow = RuleSelector(source: Self.prefix("203.0.113.10/32"), destinationPort: NumberRange(443))
    #expect(wide.covers(narrow))
    #expect(!narrow.covers(wide))
    #expect(RuleSelector.all.covers(narrow))
    #expect(RuleSelector(fwmark: 0x1, fwmask: 0x1).covers(RuleSelector(fwmark: 0x3, fwmask: 0x3)))
    #expect(!RuleSelector(fwmark: 0x3, fwmask: 0x3).covers(RuleSelector(fwmark: 0x1, fwmask: 0x1)))
    #expect(!RuleSelector(invert: true).covers(narrow))
  }

  @Test("words: as ip rule add takes them, and as ip -N rule show prints them")
  func words() {
    let selector = RuleSelector(
      invert: true, source: Self.prefix("192.0.2.1/32"), destination: Self.prefix("198.51.100.0/24"), tos: 0x8,
      fwmark: 0x10, inputInterface: "data", uidRange: NumberRange(1000, 1999), ipProtocol: 6,
      destinationPort: NumberRange(2049))
    #expect(
      selector.words().joined(separator: " ")
        == "not from 192.0.2.1 to 198.51.100.0/24 tos 0x8 fwmark 0x10 iif data uidrange 1000-1999 ipproto tcp dport 2049"
    )
    #expect(
      selector.words(.numericShow).joined(separator: " ")
        == "not from 192.0.2.1 to 198.51.100.0/24 tos 0x08 fwmark 0x10 iif data uidrange 1000-1999 ipproto ipproto-6 dport 2049"
    )
    #expect(RuleSelector.all.words(.numericShow) == ["from", "all"])
    #expect(RuleSelector.all.words().isEmpty)
  }

  @Test("a rule's selector sits flat in the snapshot's rule object, and reads back the same")
  func flatJSON() throws {
    let rule = Rule(
      family: .inet, priority: 100, selector: RuleSelector(source: Self.prefix("192.0.2.0/24"), fwmark: 1),
      action: .lookup(101), protocolNumber: 177)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let text = String(decoding: try encoder.encode(rule), as: UTF8.self)
    #expect(
      text
        == #"{"action":"lookup 101","family":"inet","fwmark":1,"invert":false,"l3mdev":false,"priority":100,"protocolNumber":177,"source":"192.0.2.0\/24"}"#
        .replacingOccurrences(of: "\\/", with: "/"))
    #expect(try JSONDecoder().decode(Rule.self, from: Data(text.utf8)) == rule)
  }
}
