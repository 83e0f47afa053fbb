extension StringProtocol {
  /// The lines of a text, split at LF and CRLF alike (Swift reads "\r\n" as one Character, so splitting on "\n"
  /// alone would leave a CRLF file one long line). A final newline gives a final empty line, as with `split`.
  public var lines: [SubSequence] {
    split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
  }
}

extension StringProtocol {
  /// The text without ASCII whitespace (space, tab, CR, LF, VT, FF) at either end.
  public func trimmingASCIIWhitespace() -> String { trimming { $0 == 0x20 || (0x09...0x0D).contains($0) } }

  /// The text without spaces and tabs at either end.
  public func trimmingBlanks() -> String { trimming { $0 == 0x20 || $0 == 0x09 } }

  /// The text without the bytes `strip` matches at either end. Works on UTF-8 bytes: the generic
  /// `reversed().drop(while:)` costs more than the `ip` call whose output it trims.
  private func trimming(_ strip: (UInt8) -> Bool) -> String {
    // One forward pass: `StringProtocol.UTF8View` is not bidirectional, so the end is the index after the last byte
    // that stays.
    let bytes = utf8
    var start: Index?
    var end = bytes.startIndex
    var index = bytes.startIndex
    while index < bytes.endIndex {
      let next = bytes.index(after: index)
      if !strip(bytes[index]) {
        if start == nil { start = index }
        end = next
      }
      index = next
    }
    guard let start else { return "" }
    return String(self[start..<end])
  }
}
