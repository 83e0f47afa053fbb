import Testing

@testable import PolrouteCore

/// Deeply nested JSON: every reader stops at `JSONScanner.maximumDepth` levels with an error at the first container
/// too many, where recursion used to overflow the stack (SIGSEGV) on `[` repeated 40,000 times.
struct JSONDepthTests {
  /// `[` repeated: the shape that crashed the policy, plan, render and apply commands.
  static func brackets(_ count: Int) -> [UInt8] { Array(repeating: UInt8(ascii: "["), count: count) }

  /// `{"a":` repeated.
  static func objects(_ count: Int) -> [UInt8] {
    Array(String(repeating: #"{"a":"#, count: count).utf8)
  }

  /// The deepest nesting allowed, closed properly.
  static func nested(_ depth: Int) -> [UInt8] {
    brackets(depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
  }

  @Test func theLimitIsFarAboveAnyDocumentPolrouteReads() {
    // Policies nest 3 levels, snapshots 6, `ip -j` output 5; the limit keeps recursion well inside a thread's stack.
    #expect(JSONScanner.maximumDepth == 128)
  }

  @Test(arguments: [40_000, 1_000_000])
  func policyBrackets(count: Int) {
    let parsed = PolicyJSON.parse(Self.brackets(count), file: "p.json")
    #expect(
      parsed.diagnostics.map(\.description) == [
        "p.json:1:129: error: invalid JSON: arrays and objects nested more than 128 deep"
      ])
  }

  @Test func policyObjectsPointAtTheFirstObjectTooDeep() {
    let parsed = PolicyJSON.parse(Self.objects(100_000), file: "p.json")
    // Each level is 5 bytes; the 129th `{` starts at offset 640.
    #expect(
      parsed.diagnostics.map(\.description) == [
        "p.json:1:641: error: invalid JSON: arrays and objects nested more than 128 deep"
      ])
  }

  @Test func policyAtTheLimitIsReadAsJSON() {
    // 128 levels parse; the error is then about the policy's shape, not the JSON.
    let parsed = PolicyJSON.parse(Self.nested(128), file: "p.json")
    #expect(parsed.diagnostics.map(\.description) == ["p.json:1:1: error: a JSON policy must be an object"])
    let deeper = PolicyJSON.parse(Self.nested(129), file: "p.json")
    #expect(
      deeper.diagnostics.map(\.description) == [
        "p.json:1:129: error: invalid JSON: arrays and objects nested more than 128 deep"
      ])
  }

  @Test func policyDepthCountsInsideTheDocument() {
    // A rule's value nested deeply: the error points at the container too many, past the policy's own levels.
    let prefix = Array(#"{"rules":[{"to":"#.utf8)
    let parsed = PolicyJSON.parse(prefix + Self.brackets(1_000), file: "p.json")
    // Three levels are open before the value, so its 126th `[` is the 129th container.
    #expect(
      parsed.diagnostics.map(\.description) == [
        "p.json:1:\(prefix.count + 126): error: invalid JSON: arrays and objects nested more than 128 deep"
      ])
  }

  /// The error `skipValue` throws on `bytes`, or nil.
  static func skipFailure(_ bytes: [UInt8]) -> JSONScanError? {
    JSONScannerTests.failure(bytes) { (s: inout JSONScanner) throws(JSONScanError) in try s.skipValue() }
  }

  @Test(arguments: [40_000, 1_000_000])
  func skipValueStopsAtTheLimit(count: Int) {
    #expect(Self.skipFailure(Self.brackets(count)) == .nestedTooDeep(offset: 128))
    #expect(Self.skipFailure(Self.objects(count)) == .nestedTooDeep(offset: 640))
  }

  @Test func skipValueReadsTheDeepestAllowed() {
    #expect(Self.skipFailure(Self.nested(128)) == nil)
    #expect(Self.skipFailure(Self.nested(129)) == .nestedTooDeep(offset: 128))
  }

  @Test func ipOutputWithAnUnknownDeepFieldIsRefusedWithItsOffset() {
    let prefix = Array(#"[{"dst":"default","future":"#.utf8)
    let decoder = IPOutputDecoder()
    #expect(throws: IPOutputError.json(command: "ip -j route show", error: .nestedTooDeep(offset: prefix.count + 128)))
    {
      _ = try decoder.routes(
        prefix + Self.brackets(100_000), family: .inet, defaultTable: RoutingTable.main, command: "ip -j route show")
    }
    #expect(
      IPOutputError.json(command: "ip -j route show", error: .nestedTooDeep(offset: 154)).description
        == "`ip -j route show` printed invalid JSON at byte 154: arrays and objects nested more than 128 deep")
  }

  @Test func streamedIPOutputIsRefusedWithTheOffsetFromTheStart() throws {
    // Over 64 KiB of routes first, so the stream has dropped consumed bytes when the deep one arrives.
    let head = Array(
      ("[" + String(repeating: #"{"dst":"default"},"#, count: 5_000) + #"{"dst":"default","future":"#).utf8)
    let bytes = head + Self.brackets(100_000)
    let decoder = IPOutputDecoder()
    var stream = JSONArrayStream()
    var routes = 0
    let expected = IPOutputError.json(command: "ip -j route show", error: .nestedTooDeep(offset: head.count + 128))
    #expect(throws: expected) {
      for start in stride(from: 0, to: bytes.count, by: 4096) {
        try bytes[start..<min(start + 4096, bytes.count)].withUnsafeBytes { buffer in
          try stream.feed(buffer) { _, scanner in
            _ = try decoder.route(&scanner, family: .inet, defaultTable: RoutingTable.main, command: "ip -j route show")
            routes += 1
          }
        }
      }
    }
    #expect(routes == 5_000)
  }
}
