import Synchronization

/// A flag that stops work on another thread between two of its steps: set once, from any thread.
public final class Cancellation: Sendable {
  /// Whether `cancel` was called.
  private let flag = Atomic<Bool>(false)

  /// A flag not yet set.
  public init() {}

  /// Asks the work to stop at its next step.
  public func cancel() { flag.store(true, ordering: .relaxed) }

  /// Whether the work should stop.
  public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// Work stopped by its `Cancellation` before it finished: it has no result.
public struct CancelledError: Error, CustomStringConvertible {
  /// The message.
  public var description: String { "cancelled" }

  /// The error.
  public init() {}
}
