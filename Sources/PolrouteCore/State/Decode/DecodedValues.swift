/// The values several objects share: addresses, counts, protocols, tables, marks.
extension IPOutputDecoder {
  /// Reads an address string without making a String first for IPv4, the common case in big route dumps.
  @inline(__always)
  func rawAddress(_ s: inout JSONScanner, field: String, command: String) throws -> IPAddress {
    var rejected: String?
    let parsed = try s.withRawString { (raw) throws(JSONScanError) -> IPAddress? in
      if let value = IPv4Address.parse(utf8: raw) { return .v4(IPv4Address(value)) }
      let text = String(decoding: raw, as: UTF8.self)
      if let address = IPAddress(text) { return address }
      rejected = text
      return nil
    }
    guard let parsed else { throw IPOutputError.invalidValue(command: command, field: field, value: rejected ?? "") }
    return parsed
  }

  /// Reads an address string.
  func address(_ s: inout JSONScanner, field: String, command: String) throws -> IPAddress {
    let text = try s.string()
    guard let address = IPAddress(text) else {
      throw IPOutputError.invalidValue(command: command, field: field, value: text)
    }
    return address
  }

  /// Reads a non-negative number into an Int (lengths, weights, indexes), refusing larger ones instead of trapping.
  func count(_ s: inout JSONScanner, field: String) throws -> Int {
    // Skip whitespace first, so the error points at the number.
    _ = try s.peek()
    let start = s.position
    guard let value = Int(exactly: try s.unsigned(field: field)) else {
      throw JSONScanError.wrongType(field: field, offset: start, expected: "a smaller number")
    }
    return value
  }

  /// A protocol name or number.
  func protocolValue(_ text: String, command: String) throws -> UInt8 {
    if let number = protocolNumbers[text] ?? UInt8(text) { return number }
    throw IPOutputError.invalidValue(command: command, field: "protocol", value: text)
  }

  /// Reads a protocol value; a number (polroute's own 177 on thousands of rules and routes) is read from the bytes.
  func protocolValue(_ s: inout JSONScanner, command: String) throws -> UInt8 {
    var text: String?
    let number = try s.withRawString { (raw) throws(JSONScanError) -> UInt8? in
      if let value = NumberText.decimal(raw), value <= 255 { return UInt8(value) }
      text = String(decoding: raw, as: UTF8.self)
      return nil
    }
    if let number { return number }
    return try protocolValue(text ?? "", command: command)
  }

  /// Reads a table value: a number from the bytes, or a name resolved through rt_tables.
  func tableValue(_ s: inout JSONScanner, command: String) throws -> UInt32 {
    var text: String?
    let number = try s.withRawString { (raw) throws(JSONScanError) -> UInt32? in
      if let value = NumberText.decimal(raw) { return value }
      text = String(decoding: raw, as: UTF8.self)
      return nil
    }
    if let number { return number }
    guard let text, let resolved = tableNames.resolve(text) else {
      throw IPOutputError.invalidValue(command: command, field: "table", value: text ?? "")
    }
    return resolved
  }

  /// A decimal number of up to nine digits in raw bytes, or nil.
  @inline(__always)
  static func decimal(_ raw: UnsafeRawBufferPointer) -> UInt32? {
    guard !raw.isEmpty, raw.count <= 9 else { return nil }
    var value: UInt32 = 0
    for byte in raw {
      guard byte >= 0x30 && byte <= 0x39 else { return nil }
      value = value * 10 + UInt32(byte - 0x30)
    }
    return value
  }

  /// Reads `"0x10"` (or a plain number) as a 32-bit value.
  func hexNumber(_ s: inout JSONScanner, field: String, command: String) throws -> UInt32 {
    if try s.peek() != UInt8(ascii: "\"") { return UInt32(truncatingIfNeeded: try s.unsigned(field: field)) }
    let text = try s.string()
    guard let value = NumberText.unsigned32(text) else {
      throw IPOutputError.invalidValue(command: command, field: field, value: text)
    }
    return value
  }
}
