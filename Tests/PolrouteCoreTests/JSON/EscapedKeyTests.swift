import Foundation
import Testing

@testable import PolrouteCore

/// Objects whose keys hold escapes, as JSONSerialization writes a snapshot's settings keyed by /proc/sys paths
/// (`"net\/ipv4\/conf\/eth0\/ignore_routes_with_linkdown"`): skipped and decoded like any other.
struct EscapedKeyTests {
  @Test func skippingAnObjectTakesKeysWithEscapes() throws {
    let text = #"{"a\/b": {"c\"d": [1, "e\\f"]}, "g": true} 7"#
    let bytes = Array(text.utf8)
    try bytes.withUnsafeBytes { buffer in
      var scanner = JSONScanner(buffer)
      try scanner.skipValue()
      #expect(String(decoding: bytes[scanner.position...], as: UTF8.self) == " 7")
    }
  }

  @Test func aSnapshotRewrittenByJSONSerializationKeepsItsSettings() throws {
    var state = HostState(hostname: "h")
    state.kernelSettings = [
      "net/ipv4/fib_multipath_hash_policy": "1", #"net/ipv4/conf/d$(id)/ignore_routes_with_linkdown"#: "1",
    ]
    let encoded = try Snapshot(state: state, findings: []).encoded()
    // JSONSerialization writes every '/' as '\/', in keys too.
    let rewritten = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: Data(encoded)))
    #expect(String(decoding: rewritten, as: UTF8.self).contains(#"net\/ipv4\/fib_multipath_hash_policy"#))
    let decoded = try Snapshot.decode(Array(rewritten), file: "s.json")
    #expect(decoded.kernelSettings == state.kernelSettings)
  }
}
