import Dispatch
import Glibc

/// Work started on a thread of its own at once, whose result (or error) is collected later with `value()`.
///
/// Each piece of work gets its own thread, not a slot on Dispatch's global queue: that queue runs no more items than
/// there are CPUs, so on a two-CPU host a policy being parsed and the configuration files being read held both slots
/// while the rule dumps, which mostly wait for the kernel, queued behind them (measured: the IPv6 dump started 25 ms
/// late). A thread costs tens of microseconds; the work here takes milliseconds.
public final class BackgroundWork<Value: Sendable, Failure: Error>: @unchecked Sendable {
  /// The outcome: written once by the worker before it signals `finished`, read only after waiting for it.
  private var outcome: Result<Value, Failure>?
  /// Signalled when the work is done.
  private let finished = DispatchSemaphore(value: 0)

  /// Starts `work` on a new thread; where the system refuses one, does it here and now.
  public init(_ work: @escaping @Sendable () throws(Failure) -> Value) {
    let run: @Sendable () -> Void = {
      self.outcome = Result(catching: work)
      self.finished.signal()
    }
    if !Self.startThread(run) { run() }
  }

  /// Waits for the work and returns its value, or throws its error; any number of times.
  public func value() throws(Failure) -> Value {
    finished.wait()
    // Signalled again, so that every later call returns at once too.
    finished.signal()
    return try outcome!.get()
  }

  /// Runs `body` on a new detached thread; false when none could be made (the limit on threads is reached).
  private static func startThread(_ body: @escaping @Sendable () -> Void) -> Bool {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let started = pthread_create(
      &thread, nil,
      { context in
        Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
        return nil
      }, context)
    guard started == 0 else {
      Unmanaged<ThreadBody>.fromOpaque(context).release()
      return false
    }
    pthread_detach(thread)
    return true
  }
}

/// What a new thread runs, passed through `pthread_create`'s context pointer.
private final class ThreadBody {
  /// The work.
  let run: @Sendable () -> Void

  /// Wraps the work.
  init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
