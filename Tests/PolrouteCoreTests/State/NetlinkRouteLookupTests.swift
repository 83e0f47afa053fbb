import Testing

@testable import PolrouteCore

/// `NetlinkRouteLookup`: the `ip route get` request as iproute2 sends it, and the kernel's answer read down to the
/// device and gateway, or refused where the bytes are not whole messages. The live test judges it by `ip route get`.
struct NetlinkRouteLookupTests {
  /// A netlink message: header, body, attributes (each `(type, value)`, padded to four bytes).
  static func message(type: UInt16, sequence: UInt32, body: [UInt8], attributes: [(UInt16, [UInt8])] = []) -> [UInt8] {
    var payload = body
    for (kind, value) in attributes {
      NetlinkRouteLookup.append16(&payload, UInt16(4 + value.count))
      NetlinkRouteLookup.append16(&payload, kind)
      payload += value + [UInt8](repeating: 0, count: NetlinkRouteLookup.align(value.count) - value.count)
    }
    var bytes: [UInt8] = []
    NetlinkRouteLookup.append32(&bytes, UInt32(16 + payload.count))
    NetlinkRouteLookup.append16(&bytes, type)
    NetlinkRouteLookup.append16(&bytes, 0)
    NetlinkRouteLookup.append32(&bytes, sequence)
    NetlinkRouteLookup.append32(&bytes, 0)
    return bytes + payload
  }

  /// An `rtmsg` of a family.
  static func rtmsg(_ family: UInt8) -> [UInt8] { [family, 32, 0, 0, 254, 2, 0, 1, 0, 0, 0, 0] }

  /// A 32-bit attribute value.
  static func u32(_ value: UInt32) -> [UInt8] {
    var bytes: [UInt8] = []
    NetlinkRouteLookup.append32(&bytes, value)
    return bytes
  }

  /// The answer in `bytes` to `sequence`.
  static func answer(_ bytes: [UInt8], sequence: UInt32) throws -> NetlinkRouteLookup.Answer? {
    try bytes.withUnsafeBytes { raw in
      Result { () throws(NetlinkError) in try NetlinkRouteLookup.answer(raw, sequence: sequence) }
    }.get()
  }

  @Test("the request is ip route get's, byte for byte: RTM_GETROUTE, full-length prefixes, the table flag, DST, SRC")
  func request() {
    let inet = NetlinkRouteLookup.request(
      destination: IPAddress("100.64.3.1")!, source: IPAddress("100.64.7.2")!, sequence: 7)
    #expect(
      inet == [
        44, 0, 0, 0, 26, 0, 1, 0, 7, 0, 0, 0, 0, 0, 0, 0,  // nlmsghdr: length, RTM_GETROUTE, NLM_F_REQUEST, seq
        2, 32, 32, 0, 0, 0, 0, 0, 0, 0x10, 0, 0,  // rtmsg: AF_INET, /32 from /32, RTM_F_LOOKUP_TABLE
        8, 0, 1, 0, 100, 64, 3, 1,  // RTA_DST
        8, 0, 2, 0, 100, 64, 7, 2,  // RTA_SRC
      ])
    let inet6 = NetlinkRouteLookup.request(
      destination: IPAddress("2001:db8::1")!, source: IPAddress("2001:db8:1::2")!, sequence: 1)
    #expect(inet6.count == 16 + 12 + 20 + 20 && inet6[0] == 68 && Array(inet6[16...18]) == [10, 128, 128])
    #expect(Array(inet6[28..<48]) == [20, 0, 1, 0, 0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])
    #expect(Array(inet6[48...].suffix(3)) == [0, 0, 2])
  }

  @Test("an answer gives the device's index and the gateway, of the family or (RTA_VIA) of the other one")
  func routes() throws {
    let via = Self.message(
      type: 24, sequence: 3, body: Self.rtmsg(2),
      attributes: [
        (15, Self.u32(147)), (1, [100, 64, 3, 1]), (4, Self.u32(9)), (5, [100, 64, 7, 1]), (7, [1, 2, 3, 4]),
      ])
    #expect(try Self.answer(via, sequence: 3) == .route(interfaceIndex: 9, gateway: IPAddress("100.64.7.1")))
    let direct = Self.message(type: 24, sequence: 3, body: Self.rtmsg(2), attributes: [(4, Self.u32(1))])
    #expect(try Self.answer(direct, sequence: 3) == .route(interfaceIndex: 1, gateway: nil))
    // An IPv4 route through an IPv6 next hop: `via inet6 fe80::1`.
    let other = Self.message(
      type: 24, sequence: 3, body: Self.rtmsg(2),
      attributes: [(4, Self.u32(4)), (18, [10, 0, 0xfe, 0x80] + [UInt8](repeating: 0, count: 13) + [1])])
    #expect(try Self.answer(other, sequence: 3) == .route(interfaceIndex: 4, gateway: IPAddress("fe80::1")))
    let inet6 = Self.message(
      type: 24, sequence: 3, body: Self.rtmsg(10),
      attributes: [(4, Self.u32(5)), (5, [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])])
    #expect(try Self.answer(inet6, sequence: 3) == .route(interfaceIndex: 5, gateway: IPAddress("2001:db8::1")))
  }

  @Test("no route is the kernel's errno; an acknowledgement or another request's answer is no answer")
  func failuresAndOtherMessages() throws {
    let unreachable = Self.message(
      type: 2, sequence: 5, body: Self.u32(UInt32(bitPattern: -101)) + [UInt8](repeating: 0, count: 16))
    #expect(try Self.answer(unreachable, sequence: 5) == .failed(errno: 101))
    let acknowledged = Self.message(type: 2, sequence: 5, body: Self.u32(0) + [UInt8](repeating: 0, count: 16))
    #expect(try Self.answer(acknowledged, sequence: 5) == nil)
    let earlier = Self.message(type: 24, sequence: 4, body: Self.rtmsg(2), attributes: [(4, Self.u32(1))])
    #expect(try Self.answer(earlier, sequence: 5) == nil)
    // Another request's answer, then this one's, in one datagram.
    let both = earlier + Self.message(type: 24, sequence: 5, body: Self.rtmsg(2), attributes: [(4, Self.u32(2))])
    #expect(try Self.answer(both, sequence: 5) == .route(interfaceIndex: 2, gateway: nil))
  }

  @Test("bytes that are not whole messages, or attributes that do not fit, are refused, never read past")
  func damaged() throws {
    let whole = Self.message(
      type: 24, sequence: 1, body: Self.rtmsg(2), attributes: [(4, Self.u32(9)), (5, [100, 64, 7, 1])])
    // Every cut of the message: a truncated header or attribute, or a length that runs past the end.
    for end in 1..<whole.count {
      #expect(throws: NetlinkError.self, "cut at \(end)") { try Self.answer(Array(whole[..<end]), sequence: 1) }
    }
    var shortGateway = whole
    shortGateway[36] = 7  // RTA_GATEWAY of three bytes
    #expect(throws: NetlinkError.self) { try Self.answer(shortGateway, sequence: 1) }
    var unknownFamily = whole
    unknownFamily[16] = 7
    #expect(throws: NetlinkError.self) { try Self.answer(unknownFamily, sequence: 1) }
  }
}
