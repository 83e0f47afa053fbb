/// `ip route get DESTINATION from SOURCE` asked of the kernel over rtnetlink: the `RTM_GETROUTE` request iproute2's
/// `iproute_get` sends, and the answer read as `ip -j route get` prints it, down to what a probe compares: the device
/// the packet leaves by and the gateway it is sent to.
///
/// Asked from polroute's own socket, the fifty lookups that verify one uplink of fifty cost only the kernel's walk
/// through the rules, not two `ip` processes started and their JSON read back.
public enum NetlinkRouteLookup: NetlinkCoding {
  /// `RTM_NEWROUTE`: the type of the answer.
  static let newRoute: UInt16 = 24
  /// `RTM_GETROUTE`: the type of the request.
  static let getRoute: UInt16 = 26
  /// `NLMSG_ERROR`: an error (a lookup that found no route) for the request.
  static let error: UInt16 = 2

  /// What the kernel answered.
  public enum Answer: Hashable, Sendable {
    /// The route the packet takes: the index of the device it leaves by (`RTA_OIF`), and the gateway (`RTA_GATEWAY`,
    /// or `RTA_VIA` for one of the other family) when it has one.
    case route(interfaceIndex: UInt32?, gateway: IPAddress?)
    /// No route (the kernel's errno: `ENETUNREACH`, `EHOSTUNREACH`, `EINVAL` for a source not on this host), where
    /// `ip -force` prints an error for the line and goes on with the next.
    case failed(errno: Int32)
  }

  /// The request: a netlink header, an `rtmsg` of the family with both prefixes full-length, and the destination and
  /// source as `RTA_DST` and `RTA_SRC`, byte for byte as `ip route get DESTINATION from SOURCE` sends it (strace of
  /// iproute2 6.1). Both addresses must be of one family.
  public static func request(destination: IPAddress, source: IPAddress, sequence: UInt32) -> [UInt8] {
    let family = destination.family
    let width = family.bitWidth / 8
    var bytes: [UInt8] = []
    bytes.reserveCapacity(16 + 12 + 2 * (4 + width))
    append32(&bytes, UInt32(16 + 12 + 2 * (4 + width)))
    append16(&bytes, getRoute)
    append16(&bytes, 0x1)  // NLM_F_REQUEST
    append32(&bytes, sequence)
    append32(&bytes, 0)
    // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type; flags: RTM_F_LOOKUP_TABLE, as `ip`
    // sets it (the answer names the table the lookup ended in).
    bytes += [family.netlinkNumber, UInt8(family.bitWidth), UInt8(family.bitWidth), 0, 0, 0, 0, 0]
    append32(&bytes, 0x1000)
    for (kind, address) in [(UInt16(1), destination), (2, source)] {  // RTA_DST, RTA_SRC
      append16(&bytes, UInt16(4 + width))
      append16(&bytes, kind)
      bytes += address.networkBytes
    }
    return bytes
  }

  /// The answer to request `sequence` among the messages a socket received, or nil when they hold none (only
  /// messages of other sequence numbers, which are skipped). Bytes that are not whole messages are an error.
  public static func answer(_ chunk: UnsafeRawBufferPointer, sequence: UInt32) throws(NetlinkError) -> Answer? {
    var offset = 0
    while offset < chunk.count {
      guard chunk.count - offset >= 16 else { throw .truncated(offset: offset) }
      let length = Int(read32(chunk, offset))
      guard length >= 16, length <= chunk.count - offset else { throw .badLength(offset: offset, length: length) }
      let type = read16(chunk, offset + 4)
      if read32(chunk, offset + 8) == sequence {
        let message = UnsafeRawBufferPointer(rebasing: chunk[offset..<(offset + length)])
        switch type {
        case newRoute: return try route(message, offset: offset)
        case error:
          guard length >= 20 else { throw .badLength(offset: offset, length: length) }
          let code = Int32(bitPattern: read32(chunk, offset + 16))
          // Zero acknowledges a request that asked for it, which a lookup does not: it is no answer.
          if code != 0 { return .failed(errno: -code) }
        default: break
        }
      }
      offset += align(length)
    }
    return nil
  }

  /// The device and gateway of a route message.
  static func route(_ message: UnsafeRawBufferPointer, offset base: Int) throws(NetlinkError) -> Answer {
    guard message.count >= 16 + 12 else { throw .badLength(offset: base, length: message.count) }
    guard let family = AddressFamily(netlinkNumber: message[16]) else {
      throw .badAttribute(offset: base + 16, kind: 0)
    }
    var interfaceIndex: UInt32?
    var gateway: IPAddress?
    try forEachAttribute(message, from: 28, base: base) { kind, value, at throws(NetlinkError) in
      switch kind {
      case 4: interfaceIndex = try u32(value, at: at)  // RTA_OIF
      case 5: gateway = try address(value, family: family, at: at)  // RTA_GATEWAY
      case 18:  // RTA_VIA: a 16-bit family, then an address of that family.
        guard value.count >= 2,
          let viaFamily = AddressFamily(netlinkNumber: UInt8(truncatingIfNeeded: read16(value, 0)))
        else { throw .badAttribute(offset: at, kind: kind) }
        gateway = try address(UnsafeRawBufferPointer(rebasing: value[2...]), family: viaFamily, at: at)
      default: break
      }
    }
    return .route(interfaceIndex: interfaceIndex, gateway: gateway)
  }
}

extension AddressFamily {
  /// The family of a netlink message's family number; nil for another (`AF_INET` or `AF_INET6` only).
  init?(netlinkNumber: UInt8) {
    switch netlinkNumber {
    case 2: self = .inet
    case 10: self = .inet6
    default: return nil
    }
  }
}

extension IPAddress {
  /// The address in network byte order, as netlink attributes carry it.
  var networkBytes: [UInt8] {
    switch self {
    case .v4(let address): return (0..<4).map { UInt8(truncatingIfNeeded: address.value >> (24 - 8 * $0)) }
    case .v6(let address):
      return (0..<8).map { UInt8(truncatingIfNeeded: address.high >> (56 - 8 * $0)) }
        + (0..<8).map { UInt8(truncatingIfNeeded: address.low >> (56 - 8 * $0)) }
    }
  }
}
