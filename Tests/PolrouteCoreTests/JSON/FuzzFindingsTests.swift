import Testing

@testable import PolrouteCore

/// Crashes the fuzzer found (Tests/Fuzz), each pinned here with its message; the inputs are also in
/// Tests/Fuzz/regressions.
struct FuzzFindingsTests {
  /// The error decoding `ip -d -j addr show` output gives, or nil.
  static func interfaceError(_ json: String) -> String? {
    do {
      _ = try IPOutputDecoder().interfaces(Array(json.utf8), command: "ip -d -j addr show")
      return nil
    } catch {
      return error.description
    }
  }

  /// ip-json: a peer address of the other family than the local one trapped (a prefix length of 64 on an IPv4
  /// address), and a local address of the other family than `family` was taken as it came.
  @Test(arguments: [
    (
      #"[{"ifname":"x","addr_info":[{"family":"inet6","local":"2001:db8::1","prefixlen":64,"address":"192.0.2.1"}]}]"#,
      "`ip -d -j addr show` printed address '192.0.2.1', which polroute cannot interpret"
    ),
    (
      #"[{"ifname":"x","addr_info":[{"family":"inet","local":"::","prefixlen":64,"address":"8.5.1.0"}]}]"#,
      "`ip -d -j addr show` printed local '::', which polroute cannot interpret"
    ),
    (
      #"[{"ifname":"x","addr_info":[{"family":"inet6","local":"192.0.2.1","prefixlen":24}]}]"#,
      "`ip -d -j addr show` printed local '192.0.2.1', which polroute cannot interpret"
    ),
  ])
  func addressFamiliesMustAgree(json: String, message: String) {
    #expect(Self.interfaceError(json) == message)
  }

  /// A peer of the same family is still read.
  @Test func peerOfTheSameFamily() throws {
    let json =
      #"[{"ifname":"x","addr_info":[{"family":"inet","local":"192.0.2.1","prefixlen":32,"address":"192.0.2.2"}]}]"#
    let interfaces = try IPOutputDecoder().interfaces(Array(json.utf8), command: "ip -d -j addr show")
    #expect(interfaces.first?.addresses.first?.peer?.description == "192.0.2.2/32")
  }
}
