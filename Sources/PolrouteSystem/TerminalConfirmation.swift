import Glibc
import PolrouteCore

/// Where a typed `yes` comes from.
public protocol ConfirmationSource: Sendable {
  /// Called as the question is asked: only what is typed from now on counts.
  func begin()
  /// Waits up to `milliseconds` for input; true once the user typed `yes`.
  func poll(milliseconds: Int) -> Bool
}

extension ConfirmationSource {
  /// Nothing to discard.
  public func begin() {}
}

/// Reads `yes` from a terminal on standard input.
public struct TerminalConfirmation: ConfirmationSource {
  /// The descriptor (0).
  let descriptor: Int32
  /// Collected input.
  let buffer = LineBuffer()

  /// Reads from stdin.
  public init(descriptor: Int32 = 0) {
    self.descriptor = descriptor
  }

  /// Discards what was typed before the question: a `yes` typed ahead sits in the terminal's buffer on this host,
  /// and would confirm a change that cut the session it came from.
  public func begin() {
    tcflush(descriptor, TCIFLUSH)
  }

  /// Waits for input and checks for a line saying `yes`.
  public func poll(milliseconds: Int) -> Bool {
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    guard Glibc.poll(&entry, 1, Int32(milliseconds)) > 0 else { return false }
    // Hung up or closed: no one can type any more.
    if entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 && entry.revents & Int16(POLLIN) == 0 {
      usleep(UInt32(milliseconds) * 1000)
      return false
    }
    var bytes = [UInt8](repeating: 0, count: 256)
    let count = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
    if count <= 0 {
      usleep(UInt32(milliseconds) * 1000)
      return false
    }
    return buffer.append(bytes[0..<count])
  }
}

/// Accumulates typed input and recognises a `yes` line.
final class LineBuffer: @unchecked Sendable {
  /// The text so far.
  var text = ""

  /// Adds bytes; true once a complete line is `yes`.
  func append(_ bytes: ArraySlice<UInt8>) -> Bool {
    text += String(decoding: bytes, as: UTF8.self)
    while let newline = text.firstIndex(of: "\n") {
      let line = text[..<newline].trimmingASCIIWhitespace()
      text = String(text[text.index(after: newline)...])
      if line.lowercased() == "yes" { return true }
    }
    return false
  }
}
