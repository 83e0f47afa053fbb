import PolrouteCore
import PolrouteSystem
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The exit statuses polroute uses.
public enum ExitCode: Int32, Sendable {
  /// Success; for `plan --detailed-exitcode`, nothing to change.
  case success = 0
  /// A runtime failure.
  case failure = 1
  /// `plan --detailed-exitcode`: changes are pending.
  case changesPending = 2
  /// The command line was wrong.
  case usage = 64
  /// The policy or state data was invalid.
  case dataError = 65
}

/// Somewhere text goes: a file descriptor, or a buffer in tests.
public protocol TextSink: Sendable {
  /// Writes text as it is.
  func write(_ text: String)
}

/// Writes to a file descriptor.
public struct FileDescriptorSink: TextSink {
  /// The descriptor (1 for stdout, 2 for stderr).
  public let descriptor: Int32

  /// Writes to `descriptor`.
  public init(_ descriptor: Int32) {
    self.descriptor = descriptor
  }

  /// Writes every byte, retrying short writes.
  public func write(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let count = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
      if count < 0 {
        if errno == EINTR { continue }
        return
      }
      offset += count
    }
    bytes.removeAll()
  }
}

/// Collects text, for tests.
public final class CapturedSink: TextSink {
  /// What was written.
  private let storage = Mutex("")

  /// Creates an empty sink.
  public init() {}

  /// Appends text.
  public func write(_ text: String) { storage.withLock { $0 += text } }

  /// Everything written so far.
  public var text: String { storage.withLock { $0 } }
}

/// What a command needs from the world, injected so the CLI can run in-process in tests.
public struct CLIContext: Sendable {
  /// Runs `ip` and other programs.
  public var runner: any CommandRunner
  /// The live host's files (`/etc`, `/proc`), for reading state.
  public var hostFiles: any FileSystem
  /// The environment variables.
  public var environment: [String: String]
  /// Standard output.
  public var stdout: any TextSink
  /// Standard error.
  public var stderr: any TextSink
  /// Whether standard output is a terminal (colour is used only then).
  public var stdoutIsTerminal: Bool
  /// Whether polroute runs as root.
  public var isRoot: Bool

  /// Builds a context.
  public init(
    runner: any CommandRunner, hostFiles: any FileSystem, environment: [String: String], stdout: any TextSink,
    stderr: any TextSink, stdoutIsTerminal: Bool, isRoot: Bool
  ) {
    self.runner = runner
    self.hostFiles = hostFiles
    self.environment = environment
    self.stdout = stdout
    self.stderr = stderr
    self.stdoutIsTerminal = stdoutIsTerminal
    self.isRoot = isRoot
  }

  /// The real world: spawned processes, the root file system, the process's environment and descriptors.
  public static func live() -> CLIContext {
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
    return CLIContext(
      runner: ProcessRunner(), hostFiles: RootedFileSystem(), environment: environment, stdout: FileDescriptorSink(1),
      stderr: FileDescriptorSink(2), stdoutIsTerminal: isatty(1) == 1, isRoot: geteuid() == 0)
  }

  /// Whether to colour output: only on a terminal, never with `NO_COLOR` set or `TERM=dumb`.
  public var useColor: Bool {
    stdoutIsTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
  }

  /// The styles to print with.
  public var style: Style { Style(enabled: useColor) }
}

/// ANSI colours, or nothing when colour is off.
public struct Style: Sendable {
  /// Whether escapes are written.
  public let enabled: Bool

  /// Red, for errors and deletions.
  public func red(_ text: String) -> String { wrap(text, "31") }
  /// Green, for additions.
  public func green(_ text: String) -> String { wrap(text, "32") }
  /// Yellow, for warnings and replacements.
  public func yellow(_ text: String) -> String { wrap(text, "33") }
  /// Cyan, for headers.
  public func cyan(_ text: String) -> String { wrap(text, "36") }
  /// Bold.
  public func bold(_ text: String) -> String { wrap(text, "1") }
  /// Dim, for context.
  public func dim(_ text: String) -> String { wrap(text, "2") }

  /// Wraps text in an escape sequence when enabled.
  func wrap(_ text: String, _ code: String) -> String {
    enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }
}
