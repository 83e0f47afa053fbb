/// Numbers as iproute2 writes and reads them: decimal, or `0x` hexadecimal, ASCII digits only; and the DiffServ
/// names of tos values. The `ip -j` decoder, the policy parser and the rt_tables reader share them.
public enum NumberText {
  /// A decimal or `0x` hexadecimal number of 32 bits.
  public static func unsigned32(_ text: some StringProtocol) -> UInt32? {
    if text.hasPrefix("0x") || text.hasPrefix("0X") {
      let digits = text.dropFirst(2)
      guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { return nil }
      return UInt32(digits, radix: 16)
    }
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return UInt32(text)
  }

  /// A decimal number of up to nine digits in raw bytes (a number `ip` printed inside a string), or nil.
  @inline(__always)
  public static func decimal(_ raw: UnsafeRawBufferPointer) -> UInt32? {
    guard !raw.isEmpty, raw.count <= 9 else { return nil }
    var value: UInt32 = 0
    for byte in raw {
      guard byte >= 0x30 && byte <= 0x39 else { return nil }
      value = value * 10 + UInt32(byte - 0x30)
    }
    return value
  }

  /// The DiffServ names iproute2's default rt_dsfield file gives, by value.
  public static let dsfieldNames: [String: UInt8] = [
    "CS0": 0x00, "CS1": 0x20, "CS2": 0x40, "CS3": 0x60, "CS4": 0x80, "CS5": 0xA0, "CS6": 0xC0, "CS7": 0xE0,
    "AF11": 0x28, "AF12": 0x30, "AF13": 0x38, "AF21": 0x48, "AF22": 0x50, "AF23": 0x58, "AF31": 0x68,
    "AF32": 0x70, "AF33": 0x78, "AF41": 0x88, "AF42": 0x90, "AF43": 0x98, "EF": 0xB8,
  ]

  /// A tos/dsfield value as `ip` prints it and a policy writes it: a number up to 255, or a DiffServ name.
  public static func dsfield(_ text: some StringProtocol) -> UInt8? {
    if let value = dsfieldNames[String(text)] { return value }
    guard let number = unsigned32(text), number <= 0xFF else { return nil }
    return UInt8(number)
  }
}
