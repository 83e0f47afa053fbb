extension StringProtocol {
  /// The lines of a text, split at LF and CRLF alike (Swift reads "\r\n" as one Character, so splitting on "\n"
  /// alone would leave a CRLF file one long line). A final newline gives a final empty line, as with `split`.
  public var lines: [SubSequence] {
    split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
  }
}
