/// A network prefix: an address with no bits set past its length, and that length.
public struct IPPrefix: Hashable, Comparable, Sendable, TextCodable {
  /// The network address; its bits past `length` are zero.
  public let address: IPAddress
  /// The prefix length: 0...32 for IPv4, 0...128 for IPv6.
  public let length: UInt8

  /// Hashes an IPv4 prefix as one word and an IPv6 one as two, the length folded in: plans hash thousands of them.
  public func hash(into hasher: inout Hasher) {
    switch address {
    case .v4(let v4): hasher.combine(UInt64(v4.value) << 8 | UInt64(length))
    case .v6(let v6):
      hasher.combine(v6.high)
      hasher.combine(v6.low ^ UInt64(length) << 56)
    }
  }

  /// Builds a prefix, masking away host bits (use `init(parsing:)` to refuse them instead).
  public init(masking address: IPAddress, length: Int) {
    precondition(length >= 0 && length <= address.family.bitWidth, "prefix length out of range")
    self.address = IPPrefix.masked(address, length: length)
    self.length = UInt8(length)
  }

  /// The default route's destination of a family (0.0.0.0/0 or ::/0).
  public static func defaultRoute(_ family: AddressFamily) -> IPPrefix {
    family == .inet
      ? IPPrefix(masking: .v4(IPv4Address(0)), length: 0)
      : IPPrefix(masking: .v6(IPv6Address(high: 0, low: 0)), length: 0)
  }

  /// A host prefix (/32 or /128) for one address.
  public init(host address: IPAddress) {
    self.init(masking: address, length: address.family.bitWidth)
  }

  /// Parses `ADDR/LEN` or a bare address (a host prefix), as iproute2 does; refuses host bits with a hint
  /// naming the masked prefix.
  public init(parsing text: some StringProtocol) throws(AddressError) {
    let text = String(text)
    guard !text.isEmpty else { throw .empty(kind: "prefix") }
    // Found in place, as in IPAddress: the view's own search walks it byte by byte.
    let utf8 = text.utf8
    let slash: String.Index?
    if let offset = utf8.withContiguousStorageIfAvailable({ $0.firstIndex(of: UInt8(ascii: "/")) }) {
      slash = offset.map { utf8.index(utf8.startIndex, offsetBy: $0) }
    } else {
      slash = utf8.firstIndex(of: UInt8(ascii: "/"))
    }
    guard let slash else {
      self.init(host: try IPAddress(parsing: text))
      return
    }
    let address = try IPAddress(parsing: text[..<slash])
    let lengthBytes = text.utf8[text.utf8.index(after: slash)...]
    let maximum = address.family.bitWidth
    guard !lengthBytes.isEmpty, lengthBytes.count <= 3, lengthBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      let length = Int(Substring(lengthBytes)), length <= maximum
    else { throw .prefixLengthOutOfRange(text: text, maximum: maximum) }
    // iproute2 reads `/024` as octal, which is /20: a leading zero is refused rather than guessed.
    if lengthBytes.count > 1 && lengthBytes.first == UInt8(ascii: "0") {
      throw .malformed(
        kind: "prefix", text: text,
        reason: "the length \(Substring(lengthBytes)) has a leading zero, which iproute2 reads as octal")
    }
    let prefix = IPPrefix(masking: address, length: length)
    guard prefix.address == address else {
      throw .hostBitsSet(text: text, suggestion: prefix.description)
    }
    self = prefix
  }

  /// Parses without throwing.
  public init?(_ text: some StringProtocol) {
    guard let prefix = try? IPPrefix(parsing: text) else { return nil }
    self = prefix
  }

  /// The family of the prefix.
  public var family: AddressFamily { address.family }

  /// Whether this is a default route destination (length 0).
  public var isDefault: Bool { length == 0 }

  /// Whether this prefix covers a single address.
  public var isHost: Bool { Int(length) == family.bitWidth }

  /// `ADDR/LEN` always, even for host prefixes.
  public var description: String { "\(address)/\(length)" }

  /// The form iproute2 prints and accepts for a route destination: `default`, a bare address for host
  /// prefixes, `ADDR/LEN` otherwise.
  public var routeText: String {
    if isDefault { return "default" }
    if isHost { return address.description }
    return description
  }

  /// Whether `address` lies inside this prefix.
  public func contains(_ other: IPAddress) -> Bool {
    other.family == family && IPPrefix.masked(other, length: Int(length)) == address
  }

  /// Whether `other` lies entirely inside this prefix.
  public func contains(_ other: IPPrefix) -> Bool {
    other.family == family && other.length >= length && contains(other.address)
  }

  /// IPv4 first, then by address, then shorter prefixes first.
  public static func < (lhs: IPPrefix, rhs: IPPrefix) -> Bool {
    (lhs.address, lhs.length) < (rhs.address, rhs.length)
  }

  /// Clears the bits of `address` past `length`.
  static func masked(_ address: IPAddress, length: Int) -> IPAddress {
    switch address {
    case .v4(let v4):
      return .v4(IPv4Address(v4.value & IPv4Address.mask(length: length)))
    case .v6(let v6):
      let mask = IPv6Address.mask(length: length)
      return .v6(IPv6Address(high: v6.high & mask.high, low: v6.low & mask.low))
    }
  }

  /// Parses snapshot text.
  public init(codingText text: String) throws {
    try self.init(parsing: text)
  }
}

/// An address assigned to an interface together with the length of its connected prefix (`203.0.113.10/24`).
public struct InterfaceAddress: Hashable, Comparable, Sendable, TextCodable {
  /// The host's own address.
  public var address: IPAddress
  /// The length of the connected prefix.
  public var length: UInt8

  /// Pairs an address with its prefix length.
  public init(address: IPAddress, length: Int) {
    precondition(length >= 0 && length <= address.family.bitWidth, "prefix length out of range")
    self.address = address
    self.length = UInt8(length)
  }

  /// Parses `ADDR/LEN`; host bits are expected here.
  public init(parsing text: String) throws(AddressError) {
    guard let slash = text.firstIndex(of: "/") else {
      throw .malformed(kind: "interface address", text: text, reason: "expected ADDRESS/LENGTH")
    }
    let address = try IPAddress(parsing: text[..<slash])
    guard let length = Int(text[text.index(after: slash)...]), length >= 0, length <= address.family.bitWidth else {
      throw .prefixLengthOutOfRange(text: text, maximum: address.family.bitWidth)
    }
    self.init(address: address, length: length)
  }

  /// The connected network.
  public var network: IPPrefix { IPPrefix(masking: address, length: Int(length)) }

  /// The family of the address.
  public var family: AddressFamily { address.family }

  /// `ADDR/LEN`.
  public var description: String { "\(address)/\(length)" }

  /// By address, then length.
  public static func < (lhs: InterfaceAddress, rhs: InterfaceAddress) -> Bool {
    (lhs.address, lhs.length) < (rhs.address, rhs.length)
  }

  /// Parses snapshot text.
  public init(codingText text: String) throws {
    try self.init(parsing: text)
  }
}
