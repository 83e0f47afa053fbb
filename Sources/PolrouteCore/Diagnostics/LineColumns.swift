/// The columns (1-based, in characters) of byte offsets within one line of UTF-8 text, found in time linear in the
/// line however many are asked for.
///
/// Decoding the line's prefix for every position, as the policy lexer did, is quadratic: 50,000 words on a line with
/// one `é` took 25 s. An ASCII line needs no decoding (the column is the offset); any other line is decoded once,
/// recording the offset where each character starts, and a column is then a binary search.
struct LineColumns {
  /// For a line with non-ASCII bytes, the offset (from the line's start) at which each character starts; nil for an
  /// ASCII line.
  let characterStarts: [Int]?

  /// Indexes a line's bytes.
  init<Bytes: Collection<UInt8>>(_ line: Bytes) {
    guard line.contains(where: { $0 >= 0x80 }) else {
      characterStarts = nil
      return
    }
    // Decode scalar by scalar to know each one's length in the line's own bytes: a String repairs invalid UTF-8
    // with U+FFFD, whose three bytes would put every later offset out of step with the file.
    var scalars = String.UnicodeScalarView()
    var lengths: [Int] = []
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = line.makeIterator()
    decoding: while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded):
        scalars.append(Unicode.UTF8.decode(encoded))
        lengths.append(encoded.count)
      case .error(let length):
        scalars.append("\u{FFFD}")
        lengths.append(length)
      case .emptyInput:
        break decoding
      }
    }
    var starts: [Int] = []
    var offset = 0
    var scalar = 0
    for character in String(scalars) {
      starts.append(offset)
      for _ in character.unicodeScalars {
        offset += lengths[scalar]
        scalar += 1
      }
    }
    characterStarts = starts
  }

  /// The column of the character at (or, inside a character, containing) byte `offset` from the line's start; the
  /// end of the line is one column past its last character.
  func column(at offset: Int) -> Int {
    guard let starts = characterStarts else { return offset + 1 }
    // The number of characters starting before `offset`, plus one.
    var low = 0
    var high = starts.count
    while low < high {
      let middle = (low + high) / 2
      if starts[middle] < offset { low = middle + 1 } else { high = middle }
    }
    return low + 1
  }
}
