/// Reading and writing rtnetlink messages: the attributes and numbers every message kind shares. Netlink speaks the
/// machine's byte order (little-endian here); addresses are in network order.
protocol NetlinkCoding {}

extension NetlinkCoding {
  /// Calls `body` with each attribute of `message` from byte `start` on (after its fixed header): the attribute's
  /// type without the nested and byte-order flags, its value, and where it is in the whole chunk (`base` plus its
  /// offset), for errors. An attribute that does not fit in the message is an error.
  static func forEachAttribute(
    _ message: UnsafeRawBufferPointer, from start: Int, base: Int,
    _ body: (_ kind: UInt16, _ value: UnsafeRawBufferPointer, _ at: Int) throws(NetlinkError) -> Void
  ) throws(NetlinkError) {
    var offset = start
    while offset < message.count {
      guard message.count - offset >= 4 else { throw .truncated(offset: base + offset) }
      let length = Int(read16(message, offset))
      guard length >= 4, length <= message.count - offset else {
        throw .badLength(offset: base + offset, length: length)
      }
      let value = UnsafeRawBufferPointer(rebasing: message[(offset + 4)..<(offset + length)])
      try body(read16(message, offset + 2) & 0x3FFF, value, base + offset)
      offset += align(length)
    }
  }

  /// An address attribute of the family.
  static func address(_ value: UnsafeRawBufferPointer, family: AddressFamily, at offset: Int) throws(NetlinkError)
    -> IPAddress
  {
    switch (family, value.count) {
    case (.inet, 4):
      return .v4(
        IPv4Address(UInt32(value[0]) << 24 | UInt32(value[1]) << 16 | UInt32(value[2]) << 8 | UInt32(value[3])))
    case (.inet6, 16):
      var high: UInt64 = 0
      var low: UInt64 = 0
      for index in 0..<8 {
        high = high << 8 | UInt64(value[index])
        low = low << 8 | UInt64(value[index + 8])
      }
      return .v6(IPv6Address(high: high, low: low))
    default:
      throw .badAttribute(offset: offset, kind: 0)
    }
  }

  /// A NUL-terminated interface name.
  static func name(_ value: UnsafeRawBufferPointer, at offset: Int) throws(NetlinkError) -> String {
    let bytes = value.prefix { $0 != 0 }
    guard !bytes.isEmpty else { throw .badAttribute(offset: offset, kind: 0) }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// A 32-bit attribute.
  static func u32(_ value: UnsafeRawBufferPointer, at offset: Int) throws(NetlinkError) -> UInt32 {
    guard value.count >= 4 else { throw .badAttribute(offset: offset, kind: 0) }
    return read32(value, 0)
  }

  /// An 8-bit attribute.
  static func u8(_ value: UnsafeRawBufferPointer, at offset: Int) throws(NetlinkError) -> UInt8 {
    guard value.count >= 1 else { throw .badAttribute(offset: offset, kind: 0) }
    return value[0]
  }

  /// Netlink's 4-byte alignment of messages and attributes.
  static func align(_ length: Int) -> Int { (length + 3) & ~3 }

  /// A host-order (little-endian: netlink speaks the machine's order) 16-bit value.
  static func read16(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
    UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
  }

  /// A host-order 32-bit value.
  static func read32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
      | UInt32(bytes[offset + 3]) << 24
  }

  /// Appends a host-order 16-bit value.
  static func append16(_ bytes: inout [UInt8], _ value: UInt16) {
    bytes += [UInt8(value & 0xFF), UInt8(value >> 8)]
  }

  /// Appends a host-order 32-bit value.
  static func append32(_ bytes: inout [UInt8], _ value: UInt32) {
    bytes += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
  }
}

/// Why an rtnetlink answer could not be read.
public enum NetlinkError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The bytes end inside a message or an attribute header.
  case truncated(offset: Int)
  /// A message or attribute gives a length that does not fit.
  case badLength(offset: Int, length: Int)
  /// An attribute holds too few bytes, or an address of another family.
  case badAttribute(offset: Int, kind: UInt16)
  /// A prefix longer than its family's addresses.
  case badPrefixLength(offset: Int, length: Int)
  /// A rule action polroute does not know.
  case unknownAction(offset: Int, action: UInt8)
  /// The kernel refused the request with this errno.
  case refused(errno: Int32)
  /// The rules kept changing while they were dumped.
  case interrupted

  /// The message shown to the user.
  public var description: String {
    let what = "the kernel's rtnetlink answer"
    switch self {
    case .truncated(let offset): return "\(what) ends inside a message at byte \(offset)"
    case .badLength(let offset, let length): return "\(what) gives a length of \(length) at byte \(offset)"
    case .badAttribute(let offset, let kind):
      return "\(what) holds an attribute (type \(kind)) polroute cannot read at byte \(offset)"
    case .badPrefixLength(let offset, let length): return "\(what) gives a prefix length of \(length) at byte \(offset)"
    case .unknownAction(let offset, let action): return "\(what) gives rule action \(action) at byte \(offset)"
    case .refused(let code): return "the kernel refused the rtnetlink request (errno \(code))"
    case .interrupted: return "the rules kept changing while they were dumped (rtnetlink)"
    }
  }
}

extension AddressFamily {
  /// `AF_INET` or `AF_INET6`, as netlink messages carry it.
  var netlinkNumber: UInt8 { self == .inet ? 2 : 10 }
}
