/// Decodes the concatenated top-level arrays that `ip -j -batch -` prints (one array per command) element by
/// element as bytes arrive, so a million routes are decoded while `ip` is still printing them.
public struct JSONArrayStream {
  /// Where the stream stands between elements.
  enum State {
    /// Outside any array: whitespace or the next `[`.
    case betweenDocuments
    /// Just after `[`.
    case firstElement
    /// After an element: `,` or `]`.
    case nextElement
  }

  /// Bytes received and not yet consumed.
  private var buffer: [UInt8] = []
  /// The offset in `buffer` of the first unconsumed byte.
  private var start = 0
  /// How many consumed bytes were dropped from the front of `buffer`, to report offsets from the stream's start.
  private var dropped = 0
  /// The parsing state at `start`.
  private var state = State.betweenDocuments
  /// The index of the array being read (0 for the first command's output).
  public private(set) var documentIndex = -1
  /// How many elements were decoded in all.
  public private(set) var elementCount = 0

  /// Creates an empty stream.
  public init() {}

  /// Adds bytes and decodes every element they complete; `element` receives the array index and a scanner placed
  /// at the element, and must consume exactly that element. An element cut off at the end of the bytes is decoded
  /// again from its start when more bytes arrive, so `element` must not keep partial results.
  public mutating func feed(
    _ chunk: UnsafeRawBufferPointer, element: (_ document: Int, _ scanner: inout JSONScanner) throws -> Void
  ) throws {
    buffer.append(contentsOf: chunk)
    do {
      try drain(element: element)
    } catch {
      // Offsets in errors count from the front of `buffer`; users need them counted from the start of the output.
      throw JSONArrayStream.shifted(error, by: dropped)
    }
    // Drop what was consumed once it is most of the buffer, so memory stays at about one chunk.
    if start > 1 << 16 && start * 2 > buffer.count {
      buffer.removeSubrange(0..<start)
      dropped += start
      start = 0
    }
  }

  /// Checks that the bytes ended between documents, not inside one.
  public func finish() throws(JSONScanError) {
    // Inside a document the bytes left over are the start of an element, which is a truncation, not a stray byte.
    guard state == .betweenDocuments else { throw .truncated }
    var index = start
    while index < buffer.count {
      switch buffer[index] {
      case 0x20, 0x0A, 0x0D, 0x09: index += 1
      default: throw .unexpected(byte: buffer[index], offset: dropped + index, expected: "'['")
      }
    }
  }

  /// Decodes as many elements as the buffer holds.
  private mutating func drain(element: (Int, inout JSONScanner) throws -> Void) throws {
    var state = self.state
    var start = self.start
    var documentIndex = self.documentIndex
    var count = 0
    defer {
      self.state = state
      self.start = start
      self.documentIndex = documentIndex
      self.elementCount += count
    }
    try buffer.withUnsafeBytes { bytes in
      var scanner = JSONScanner(bytes, position: start)
      while true {
        switch state {
        case .betweenDocuments:
          if scanner.atEnd() {
            start = scanner.position
            return
          }
          try scanner.expect(UInt8(ascii: "["), "'['")
          documentIndex += 1
          state = .firstElement
          start = scanner.position
        case .firstElement, .nextElement:
          var first = state == .firstElement
          do {
            if try !scanner.nextElement(first: &first) {
              state = .betweenDocuments
              start = scanner.position
              continue
            }
            try element(documentIndex, &scanner)
          } catch let error where JSONArrayStream.isTruncation(error) {
            // Wait for the rest of this element.
            return
          }
          count += 1
          state = .nextElement
          start = scanner.position
        }
      }
    }
  }

  /// The error with its byte offset, if it has one, moved on by `distance`.
  static func shifted(_ error: any Error, by distance: Int) -> any Error {
    func shift(_ error: JSONScanError) -> JSONScanError {
      switch error {
      case .truncated: return error
      case .unexpected(let byte, let offset, let expected):
        return .unexpected(byte: byte, offset: offset + distance, expected: expected)
      case .wrongType(let field, let offset, let expected):
        return .wrongType(field: field, offset: offset + distance, expected: expected)
      case .nestedTooDeep(let offset):
        return .nestedTooDeep(offset: offset + distance)
      }
    }
    if let error = error as? JSONScanError { return shift(error) }
    if case .json(let command, let inner)? = error as? IPOutputError {
      return IPOutputError.json(command: command, error: shift(inner))
    }
    return error
  }

  /// Whether an error only means the bytes ran out.
  static func isTruncation(_ error: any Error) -> Bool {
    if let error = error as? JSONScanError { return error == .truncated }
    if case .json(_, .truncated)? = error as? IPOutputError { return true }
    return false
  }
}
