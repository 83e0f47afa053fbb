/// polroute's lines inside a file it shares with the user: between a begin and an end marker, so that its lines can
/// be replaced or removed while every other line stays as it is, byte for byte.
public enum MarkedBlock {
  /// The first line of polroute's block.
  public static let begin = "# BEGIN polroute: generated entries, do not edit"
  /// The last line of polroute's block.
  public static let end = "# END polroute"

  /// The block for some lines, markers included, ending with a newline.
  public static func block(_ lines: [String]) -> String {
    ([begin] + lines + [end]).joined(separator: "\n") + "\n"
  }

  /// Whether a text holds polroute's block.
  public static func isPresent(in text: String) -> Bool { range(in: lines(text)) != nil }

  /// `existing` with polroute's block replaced by `block` (or added at the end when it has none); `block` nil
  /// removes it. Lines outside the block are kept as they are, line ends included.
  public static func merge(_ block: String?, into existing: String) -> String {
    var lines = lines(existing)
    let replacement = block.map { Self.lines($0) } ?? []
    if let range = range(in: lines) {
      lines.replaceSubrange(range, with: replacement)
    } else {
      // The user's last line may lack its newline: give it one before the block starts.
      if let last = lines.last, !last.hasSuffix("\n") { lines[lines.count - 1] = last + "\n" }
      lines += replacement
    }
    return lines.joined()
  }

  /// The block's lines in a text, markers excluded; nil when it has none.
  public static func contents(of text: String) -> [String]? {
    let lines = lines(text)
    guard let range = range(in: lines) else { return nil }
    return lines[range].dropFirst().dropLast().map { String($0.dropLast()) }
  }

  /// A text's lines, each with its line end (the last may have none).
  static func lines(_ text: String) -> [String] {
    var result: [String] = []
    var current = ""
    for character in text {
      current.append(character)
      if character == "\n" || character == "\r\n" {
        result.append(current)
        current = ""
      }
    }
    if !current.isEmpty { result.append(current) }
    return result
  }

  /// The lines from the begin marker to the end marker, inclusive.
  static func range(in lines: [String]) -> ClosedRange<Int>? {
    func bare(_ line: String) -> Substring { line.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" } }
    guard let start = lines.firstIndex(where: { bare($0) == begin }),
      let stop = lines[start...].firstIndex(where: { bare($0) == end })
    else { return nil }
    return start...stop
  }
}
