import Dispatch

/// Work started on another thread at once, whose result (or error) is collected later with `value()`.
public final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
  /// The outcome: written once by the worker before it signals `finished`, read only after waiting for it.
  private var outcome: Result<Value, any Error>?
  /// Signalled when the work is done.
  private let finished = DispatchSemaphore(value: 0)

  /// Starts `work` on a global queue.
  public init(_ work: @escaping @Sendable () throws -> Value) {
    DispatchQueue.global().async {
      self.outcome = Result { try work() }
      self.finished.signal()
    }
  }

  /// Waits for the work and returns its value, or throws its error; any number of times.
  public func value() throws -> Value {
    finished.wait()
    // Signalled again, so that every later call returns at once too.
    finished.signal()
    return try outcome!.get()
  }
}
