/// An IPv4 address held as a 32-bit number in host order.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The address as a number, most significant octet first (192.0.2.1 is 0xC000_0201).
  public var value: UInt32

  /// Wraps a 32-bit number.
  public init(_ value: UInt32) {
    self.value = value
  }

  /// Parses dotted-quad text strictly: four decimal octets, no leading zeros (which some tools read as octal).
  public init(parsing text: some StringProtocol) throws(AddressError) {
    guard !text.isEmpty else { throw .empty(kind: "IPv4 address") }
    guard let value = IPv4Address.parse(utf8: text.utf8) else {
      throw .malformed(kind: "IPv4 address", text: String(text), reason: IPv4Address.reason(for: String(text)))
    }
    self.value = value
  }

  /// Parses without throwing; nil when the text is not a strict dotted quad.
  public init?(_ text: some StringProtocol) {
    guard let value = IPv4Address.parse(utf8: text.utf8) else { return nil }
    self.value = value
  }

  /// The fast path shared by both initialisers: exactly four octets of 1-3 digits, each 0...255.
  static func parse(utf8 bytes: some Collection<UInt8>) -> UInt32? {
    var result: UInt32 = 0
    var octet: UInt32 = 0
    var digits = 0
    var dots = 0
    var leadingZero = false
    for byte in bytes {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        if digits == 1 && leadingZero { return nil }
        if digits == 0 && byte == UInt8(ascii: "0") { leadingZero = true }
        octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
        digits += 1
        if digits > 3 || octet > 255 { return nil }
      case UInt8(ascii: "."):
        guard digits > 0, dots < 3 else { return nil }
        result = result << 8 | octet
        octet = 0
        digits = 0
        leadingZero = false
        dots += 1
      default:
        return nil
      }
    }
    guard dots == 3, digits > 0 else { return nil }
    return result << 8 | octet
  }

  /// Explains the first problem in text that failed the strict parse.
  static func reason(for text: String) -> String {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    if let bad = text.first(where: { !$0.isASCII || (!$0.isNumber && $0 != ".") }) {
      return "unexpected character '\(String(bad).echoed)'"
    }
    guard parts.count == 4 else { return "expected 4 octets, found \(parts.count)" }
    for part in parts {
      if part.isEmpty { return "empty octet" }
      if part.count > 1 && part.hasPrefix("0") { return "leading zero in octet '\(part.echoed)'" }
      if part.count > 3 || (Int(part) ?? 256) > 255 { return "octet \(part.echoed) is out of range 0-255" }
    }
    return "not a dotted-quad address"
  }

  /// Dotted-quad text, as `ip` prints it.
  public var description: String {
    "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
  }

  /// The four octets, most significant first.
  public var octets: [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
  }

  /// Orders numerically.
  public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

  /// The netmask of a prefix length (24 gives 255.255.255.0).
  public static func mask(length: Int) -> UInt32 {
    length == 0 ? 0 : UInt32.max << UInt32(32 - length)
  }
}
