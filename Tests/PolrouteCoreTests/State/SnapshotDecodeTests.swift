import Foundation
import TestSupport
import Testing

@testable import PolrouteCore

/// Loading a snapshot: each way a file can fail to be one gets its own message, located where the JSON is wrong.
struct SnapshotDecodeTests {
  /// The message `Snapshot.decode` throws for bytes, or nil when they load.
  static func message(_ bytes: [UInt8]) -> String? {
    do {
      _ = try Snapshot.decode(bytes, file: "s.json")
      return nil
    } catch {
      return error.description
    }
  }

  /// The message for text.
  static func message(_ text: String) -> String? { message(Array(text.utf8)) }

  /// A real snapshot's bytes.
  static func sample() throws -> [UInt8] { try Snapshot(state: SampleHosts.dualHomed).encoded() }

  @Test func aRealSnapshotLoads() throws {
    #expect(try Snapshot.decode(try Self.sample(), file: "s.json") == SampleHosts.dualHomed)
  }

  @Test func invalidUTF8IsNamedWithItsByteAndPosition() throws {
    #expect(
      Self.message([0xFF, 0xFE] + Array("{}".utf8))
        == "s.json:1:1: error: not a polroute host snapshot: invalid UTF-8 (byte 0xff)")
    // Inside a string on line 2, after a two-byte character: the column counts characters.
    let text = Array("{\n \"é\": \"a".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
    #expect(Self.message(text) == "s.json:2:9: error: not a polroute host snapshot: invalid UTF-8 (byte 0xc3)")
  }

  @Test(arguments: [10_000, 1_000_000])
  func deepNestingIsNamed(count: Int) {
    #expect(
      Self.message(Array(repeating: UInt8(ascii: "["), count: count))
        == "s.json:1:129: error: not a polroute host snapshot: invalid JSON: arrays and objects nested more than 128 deep"
    )
  }

  @Test(arguments: [
    (
      #"{"format":"polroute-host-state","version":"1"}"#,
      #"s.json:1:43: error: not a polroute host snapshot: "version" must be a whole number, not a string"#
    ),
    (
      #"{"format":"polroute-host-state","version":null}"#,
      #"s.json:1:43: error: not a polroute host snapshot: "version" must be a whole number, not null"#
    ),
    (
      #"{"format":"polroute-host-state","version":[1]}"#,
      #"s.json:1:43: error: not a polroute host snapshot: "version" must be a whole number, not an array"#
    ),
    (
      #"{"format":"polroute-host-state","version":1.5}"#,
      #"s.json:1:43: error: not a polroute host snapshot: "version" must be a whole number, not 1.5"#
    ),
    (
      #"{"format":"polroute-host-state","version":-3}"#,
      #"s.json:1:43: error: not a polroute host snapshot: "version" must be 1 or more, not -3"#
    ),
    (
      #"{"format":"polroute-host-state","version":0}"#,
      #"s.json:1:43: error: not a polroute host snapshot: "version" must be 1 or more, not 0"#
    ),
    (
      #"{"format":"polroute-host-state","version":99999999999999999999}"#,
      #"s.json: error: snapshot version 99999999999999999999 is newer than this polroute understands (1)"#
    ),
    (
      #"{"format":"polroute-host-state","version":2}"#,
      #"s.json: error: snapshot version 2 is newer than this polroute understands (1)"#
    ),
    (#"{"format":"polroute-host-state"}"#, #"s.json: error: not a polroute host snapshot: it has no "version""#),
    (
      #"{"format":"other","version":1}"#,
      #"s.json: error: not a polroute host snapshot: its "format" is not "polroute-host-state" (write one with `polroute inspect --json`)"#
    ),
    (
      #"{"format":1,"version":1}"#,
      #"s.json: error: not a polroute host snapshot: its "format" is not "polroute-host-state" (write one with `polroute inspect --json`)"#
    ),
  ])
  func versionAndFormat(json: String, message: String) {
    #expect(Self.message(json) == message)
  }

  @Test(arguments: [
    ("", "s.json:1:1: error: not a polroute host snapshot: the file is empty"),
    ("  \n", "s.json:1:1: error: not a polroute host snapshot: the file is empty"),
    ("[]", "s.json:1:1: error: not a polroute host snapshot: it is an array, not a JSON object"),
    ("\"x\"", "s.json:1:1: error: not a polroute host snapshot: it is a string, not a JSON object"),
    ("{\"format\":", "s.json:1:11: error: not a polroute host snapshot: invalid JSON: the document ends too early"),
    ("{\"a\" 1}", "s.json:1:6: error: not a polroute host snapshot: invalid JSON: found '1', expected ':'"),
    ("{\"a\":1,}", "s.json:1:8: error: not a polroute host snapshot: invalid JSON: found '}', expected a key"),
    ("{\"a\":[1 2]}", "s.json:1:9: error: not a polroute host snapshot: invalid JSON: found '2', expected ',' or ']'"),
    (
      "{\"a\":1} x",
      "s.json:1:9: error: not a polroute host snapshot: invalid JSON: found 'x', expected the end of the document"
    ),
    ("{\"a\":01}", "s.json:1:7: error: not a polroute host snapshot: invalid JSON: found '1', expected ',' or '}'"),
    ("{\"a\":-}", "s.json:1:7: error: not a polroute host snapshot: invalid JSON: found '}', expected a digit"),
    ("{\"a\":1.}", "s.json:1:8: error: not a polroute host snapshot: invalid JSON: found '}', expected a digit"),
    ("{\"a\":1e}", "s.json:1:8: error: not a polroute host snapshot: invalid JSON: found '}', expected a digit"),
    ("{\"a\":tru}", "s.json:1:6: error: not a polroute host snapshot: invalid JSON: found 't', expected a value"),
    (
      "{\"a\":\"\t\"}",
      "s.json:1:7: error: not a polroute host snapshot: invalid JSON: found a control character in a string"
    ),
    (
      "{\"a\":\"\\x\"}",
      "s.json:1:8: error: not a polroute host snapshot: invalid JSON: found 'x', expected an escape character"
    ),
    (
      "{\"a\":\"\\u12g4\"}",
      "s.json:1:11: error: not a polroute host snapshot: invalid JSON: found 'g', expected a hex digit"
    ),
    (
      "{\"a\":\"\\ud800\"}",
      "s.json:1:13: error: not a polroute host snapshot: invalid JSON: found '\"', expected a low surrogate"
    ),
    (
      "{\"a\":\"\\udc00\"}",
      "s.json:1:7: error: not a polroute host snapshot: invalid JSON: found '\\', expected a high surrogate before a low one"
    ),
    ("{\"a\":\"é", "s.json:1:8: error: not a polroute host snapshot: invalid JSON: the document ends too early"),
  ])
  func invalidJSONIsLocated(json: String, message: String) {
    #expect(Self.message(json) == message)
  }

  @Test func aFieldOfTheWrongTypeNamesItsPath() throws {
    var text = String(decoding: try Self.sample(), as: UTF8.self)
    text = text.replacingOccurrences(of: #""hostname" : "server""#, with: #""hostname" : 7"#)
    #expect(
      Self.message(text)
        == "s.json: error: not a polroute host snapshot: state.hostname: Expected to decode String but found number instead."
    )
  }
}

/// The validator against Foundation's own JSON parser: on every one-byte change of a document, both accept or both
/// refuse (except trailing commas, which Foundation lets pass and RFC 8259 does not), so a snapshot the validator
/// passes is one JSONDecoder can read, and one it refuses gets a located message.
struct JSONValidatorTests {
  static let sample = Array(
    #"""
    {"a": [1, -0.5e+3, 2E-2, 0, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", {}, []],
     "b": {"c": "é", "d": [[]], "e": 10}}
    """#.utf8)

  /// Whether Foundation parses the bytes as a JSON document (any top-level value).
  static func foundationAccepts(_ bytes: [UInt8]) -> Bool {
    (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
  }

  /// Whether the validator accepts them.
  static func validatorAccepts(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { JSONValidator.checkUTF8($0) == nil && JSONValidator.check($0) == nil }
  }

  @Test func agreesWithFoundationOnEveryOneByteChange() {
    #expect(Self.validatorAccepts(Self.sample))
    #expect(Self.foundationAccepts(Self.sample))
    let replacements =
      Array(#"{}[],:"\u0123456789abcdefABCDEF-+.eEtrnl /"#.utf8) + [0x00, 0x09, 0x0A, 0x80, 0xC3, 0xFF]
    var disagreements: [String] = []
    for index in Self.sample.indices {
      for replacement in replacements where replacement != Self.sample[index] {
        var bytes = Self.sample
        bytes[index] = replacement
        let ours = Self.validatorAccepts(bytes)
        let trailingComma =
          replacement == UInt8(ascii: ",") && index + 1 < bytes.count
          && [UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[index + 1])
        if ours != Self.foundationAccepts(bytes) && !(trailingComma && !ours) {
          disagreements.append("byte \(index) set to 0x\(String(replacement, radix: 16)): validator \(ours)")
        }
      }
    }
    #expect(disagreements == [])
  }

  @Test func problemsPointAtTheByteTheyName() {
    let replacements = Array(#"{}[],:"\u9-.e "#.utf8) + [0x00, 0x80, 0xFF]
    var checked = 0
    for index in Self.sample.indices {
      for replacement in replacements {
        var bytes = Self.sample
        bytes[index] = replacement
        let problem = bytes.withUnsafeBytes { JSONValidator.checkUTF8($0) ?? JSONValidator.check($0) }
        guard let problem else { continue }
        checked += 1
        let context = "byte \(index) set to 0x\(String(replacement, radix: 16)): \(problem.message)"
        if problem.message == "the document ends too early" {
          #expect(problem.offset == bytes.count, "\(context)")
        } else if problem.message.hasPrefix("found '") {
          let named = problem.message.dropFirst("found '".count).prefix(while: { $0 != "'" })
          let there = String(decoding: bytes[problem.offset..<min(problem.offset + 4, bytes.count)], as: UTF8.self)
          #expect(there.first.map { String($0) } == String(named), "\(context)")
        } else if problem.message.hasPrefix("invalid UTF-8") {
          #expect(problem.message == "invalid UTF-8 (byte 0x\(String(bytes[problem.offset], radix: 16)))", "\(context)")
        } else {
          #expect(problem.message == "found a control character in a string", "\(context)")
          #expect(bytes[problem.offset] < 0x20, "\(context)")
        }
      }
    }
    #expect(checked > Self.sample.count * 5)
  }
}
