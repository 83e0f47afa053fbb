/// An IPv6 address held as two 64-bit halves in host order.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The first 64 bits (2001:db8:: has 0x2001_0db8_0000_0000 here).
  public var high: UInt64
  /// The last 64 bits.
  public var low: UInt64

  /// Builds an address from its halves.
  public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// Builds an address from its eight 16-bit groups.
  public init(groups: [UInt16]) {
    precondition(groups.count == 8, "an IPv6 address has 8 groups")
    var high: UInt64 = 0
    var low: UInt64 = 0
    for index in 0..<4 { high = high << 16 | UInt64(groups[index]) }
    for index in 4..<8 { low = low << 16 | UInt64(groups[index]) }
    self.init(high: high, low: low)
  }

  /// Parses RFC 4291 text strictly (one `::` at most, 1-4 hex digits a group, optional dotted-quad tail);
  /// a zone index (`%eth0`) is refused here: use `parseScoped` where one is allowed.
  public init(parsing text: some StringProtocol) throws(AddressError) {
    guard !text.isEmpty else { throw .empty(kind: "IPv6 address") }
    var string = String(text)
    if let parsed = string.withUTF8(IPv6Address.parsePlain) {
      self = parsed
      return
    }
    if text.contains("%") {
      throw .malformed(kind: "IPv6 address", text: String(text), reason: "a zone index is not allowed here")
    }
    switch IPv6Address.parseGroups(string) {
    case .success(let groups): self.init(groups: groups)
    case .failure(let error): throw error
    }
  }

  /// Parses without throwing; nil when the text is not a valid address without a zone.
  public init?(_ text: some StringProtocol) {
    guard let parsed = try? IPv6Address(parsing: text) else { return nil }
    self = parsed
  }

  /// Parses an address that may carry a zone index, as link-local addresses do (`fe80::1%eth0`).
  public static func parseScoped(_ text: String) throws(AddressError) -> (address: IPv6Address, zone: String?) {
    guard let percent = text.firstIndex(of: "%") else { return (try IPv6Address(parsing: text), nil) }
    let zone = String(text[text.index(after: percent)...])
    guard !zone.isEmpty else {
      throw .malformed(kind: "IPv6 address", text: text, reason: "empty zone index after '%'")
    }
    return (try IPv6Address(parsing: text[..<percent]), zone)
  }

  /// Parses the common form (hex groups and at most one `::`, no IPv4 tail, no zone) in one pass over the bytes;
  /// nil for anything else, which `parseGroups` then accepts or explains. Accepts nothing `parseGroups` refuses.
  static func parsePlain(_ bytes: UnsafeBufferPointer<UInt8>) -> IPv6Address? {
    let colon = UInt8(ascii: ":")
    let count = bytes.count
    var head: UInt128 = 0  // the groups before `::`, or all of them
    var tail: UInt128 = 0  // the groups after `::`
    var groupCount = 0
    var tailCount = 0
    var sawGap = false
    var index = 0
    if count >= 2, bytes[0] == colon, bytes[1] == colon {
      sawGap = true
      index = 2
    }
    while index < count {
      var value: UInt128 = 0
      var digits = 0
      while index < count, let digit = hexDigitValue(bytes[index]) {
        value = value << 4 | UInt128(digit)
        digits += 1
        index += 1
      }
      // An empty or over-long group, a ninth group, or a dot or '%' after the group: the careful parser decides.
      guard digits >= 1, digits <= 4, groupCount < 8 else { return nil }
      if sawGap {
        tail = tail << 16 | value
        tailCount += 1
      } else {
        head = head << 16 | value
      }
      groupCount += 1
      if index == count { break }
      guard bytes[index] == colon else { return nil }
      index += 1
      if index < count, bytes[index] == colon {
        guard !sawGap else { return nil }
        sawGap = true
        index += 1
      } else if index == count {
        return nil  // a single trailing ':'
      }
    }
    // Without `::` there are exactly eight groups; with it, at most seven, the gap standing for the rest.
    guard sawGap ? groupCount <= 7 : groupCount == 8 else { return nil }
    // The head groups go to the top of the 128 bits, the tail groups stay at the bottom (a shift by 128 gives 0).
    let bits = head << (16 * (8 - (groupCount - tailCount))) | tail
    return IPv6Address(high: UInt64(truncatingIfNeeded: bits >> 64), low: UInt64(truncatingIfNeeded: bits))
  }

  /// The value of an ASCII hex digit, or nil.
  private static func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
    default: nil
    }
  }

  /// Splits the text into eight groups, expanding `::` and a trailing IPv4 part.
  static func parseGroups(_ text: String) -> Result<[UInt16], AddressError> {
    func fail(_ reason: String) -> Result<[UInt16], AddressError> {
      .failure(.malformed(kind: "IPv6 address", text: text, reason: reason))
    }
    let pieces = splitOnDoubleColon(text)
    guard pieces.count <= 2 else { return fail("'::' may appear only once") }
    func groups(of part: String, allowIPv4Tail: Bool) -> Result<[UInt16], AddressError> {
      if part.isEmpty { return .success([]) }
      let fields = part.split(separator: ":", omittingEmptySubsequences: false)
      var result: [UInt16] = []
      for (index, field) in fields.enumerated() {
        if field.isEmpty { return fail("empty group") }
        if field.contains(".") {
          guard allowIPv4Tail, index == fields.count - 1, let v4 = IPv4Address(field) else {
            return fail("an embedded IPv4 address must be valid and come last")
          }
          result.append(UInt16(v4.value >> 16))
          result.append(UInt16(v4.value & 0xFFFF))
          continue
        }
        guard field.count <= 4 else { return fail("group '\(field.echoed)' has more than 4 hex digits") }
        guard let value = UInt16(field, radix: 16), field.allSatisfy(\.isHexDigit) else {
          return fail("group '\(field.echoed)' is not hexadecimal")
        }
        result.append(value)
      }
      return .success(result)
    }
    if pieces.count == 1 {
      guard case .success(let all) = groups(of: pieces[0], allowIPv4Tail: true) else {
        return groups(of: pieces[0], allowIPv4Tail: true)
      }
      guard all.count == 8 else { return fail("expected 8 groups, found \(all.count)") }
      return .success(all)
    }
    let headResult = groups(of: pieces[0], allowIPv4Tail: false)
    let tailResult = groups(of: pieces[1], allowIPv4Tail: true)
    guard case .success(let head) = headResult else { return headResult }
    guard case .success(let tail) = tailResult else { return tailResult }
    // RFC 4291: '::' stands for one or more groups of zeros, so at most 7 explicit groups remain.
    guard head.count + tail.count <= 7 else { return fail("'::' must stand for at least one group") }
    return .success(head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail)
  }

  /// Splits text at each `::` (a `:::` run counts as one, leaving a stray `:` that the group parser refuses).
  static func splitOnDoubleColon(_ text: String) -> [String] {
    var pieces: [String] = []
    var current = ""
    var index = text.startIndex
    while index < text.endIndex {
      let next = text.index(after: index)
      if text[index] == ":" && next < text.endIndex && text[next] == ":" {
        pieces.append(current)
        current = ""
        index = text.index(after: next)
        continue
      }
      current.append(text[index])
      index = next
    }
    pieces.append(current)
    return pieces
  }

  /// The eight 16-bit groups, most significant first.
  public var groups: [UInt16] {
    (0..<4).map { UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * $0)) }
      + (0..<4).map { UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * $0)) }
  }

  /// Whether this is an IPv4-mapped address (::ffff:0:0/96).
  public var isIPv4Mapped: Bool { high == 0 && low >> 32 == 0xFFFF }

  /// RFC 5952 text: lowercase, no leading zeros, the longest run (first on a tie) of two or more zero groups
  /// as `::`, and dotted-quad notation for IPv4-mapped addresses.
  public var description: String {
    if isIPv4Mapped {
      return "::ffff:" + IPv4Address(UInt32(truncatingIfNeeded: low)).description
    }
    let groups = self.groups
    var bestStart = -1
    var bestLength = 0
    var index = 0
    while index < 8 {
      guard groups[index] == 0 else {
        index += 1
        continue
      }
      let start = index
      while index < 8 && groups[index] == 0 { index += 1 }
      if index - start > bestLength {
        bestStart = start
        bestLength = index - start
      }
    }
    // RFC 5952 4.2.2: a single zero group is never shortened to '::'.
    if bestLength < 2 { bestStart = -1 }
    var text = ""
    index = 0
    while index < 8 {
      if index == bestStart {
        text += "::"
        index += bestLength
        continue
      }
      if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
      text += String(groups[index], radix: 16)
      index += 1
    }
    return text
  }

  /// Orders numerically.
  public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
    (lhs.high, lhs.low) < (rhs.high, rhs.low)
  }

  /// The netmask of a prefix length as two halves.
  public static func mask(length: Int) -> (high: UInt64, low: UInt64) {
    let highBits = min(length, 64)
    let lowBits = max(length - 64, 0)
    return (
      highBits == 0 ? 0 : UInt64.max << UInt64(64 - highBits),
      lowBits == 0 ? 0 : UInt64.max << UInt64(64 - lowBits)
    )
  }

  /// Whether the address is link-local unicast (fe80::/10).
  public var isLinkLocal: Bool { high >> 54 == 0x3FA }
}
