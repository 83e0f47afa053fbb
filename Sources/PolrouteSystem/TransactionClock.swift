import Glibc

/// Time as a transaction sees it: how long it has run, and waiting. The real one is the monotonic clock; tests use
/// one that jumps, so a confirmation deadline passes without waiting for it.
public protocol TransactionClock: Sendable {
  /// Milliseconds since some fixed point.
  func milliseconds() -> Int64
  /// Waits.
  func sleep(milliseconds: Int)
}

/// The monotonic clock.
public struct MonotonicClock: TransactionClock {
  /// The clock.
  public init() {}

  /// Milliseconds of `CLOCK_MONOTONIC`.
  public func milliseconds() -> Int64 { monotonicMilliseconds() }

  /// `usleep`.
  public func sleep(milliseconds: Int) { usleep(UInt32(milliseconds) * 1000) }
}

/// Milliseconds of a monotonic clock, for durations.
public func monotonicMilliseconds() -> Int64 {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
}
