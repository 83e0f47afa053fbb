import Glibc

/// Somewhere text goes: a file descriptor, or a buffer in tests.
public protocol TextSink: Sendable {
  /// Writes text as it is.
  func write(_ text: String)
  /// Whether the text reaches a terminal (so colour and progress lines make sense there).
  var isTerminal: Bool { get }
}

/// Writes to a file descriptor.
public struct FileDescriptorSink: TextSink {
  /// The descriptor (1 for stdout, 2 for stderr).
  public let descriptor: Int32
  /// Whether the descriptor is a terminal, asked once.
  public let isTerminal: Bool

  /// Writes to `descriptor`.
  public init(_ descriptor: Int32) {
    self.descriptor = descriptor
    self.isTerminal = isatty(descriptor) == 1
  }

  /// Writes every byte, retrying short writes and interrupted ones; a closed pipe ends the output silently.
  public func write(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
      var offset = 0
      while offset < bytes.count {
        let count = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if count < 0 {
          if errno == EINTR { continue }
          return
        }
        offset += count
      }
    }
  }
}

/// Facts about the running process that commands decide on.
public enum ProcessFacts {
  /// The environment, read from `environ` without Foundation.
  public static func environment() -> [String: String] {
    var environment: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
      let text = String(cString: entry)
      // Searching the bytes, not the Characters: grapheme breaking over the whole environment showed in startup time.
      if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
        environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
      }
      pointer += 1
    }
    return environment
  }

  /// Whether the process runs as root (effective uid 0).
  public static var isRoot: Bool { geteuid() == 0 }

  /// Whether standard input is a terminal someone can type on.
  public static var standardInputIsTerminal: Bool { isatty(0) == 1 }

  /// The running executable's path (`/proc/self/exe`), or nil when the kernel does not say.
  public static func executablePath() -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard count > 0 else { return nil }
    return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
