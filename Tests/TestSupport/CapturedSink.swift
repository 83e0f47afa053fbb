import PolrouteSystem
import Synchronization

/// Collects what the CLI writes, for tests; `isTerminal` pretends to be a terminal.
public final class CapturedSink: TextSink {
  /// What was written.
  private let storage = Mutex("")
  /// Whether the sink says it is a terminal.
  public let isTerminal: Bool

  /// Creates an empty sink.
  public init(terminal: Bool = false) {
    self.isTerminal = terminal
  }

  /// Appends text.
  public func write(_ text: String) { storage.withLock { $0 += text } }

  /// Everything written so far.
  public var text: String { storage.withLock { $0 } }
}
