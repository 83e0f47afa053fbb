import Foundation

/// A SplitMix64 random number generator with a fixed seed, so randomised tests fail the same way every run (and a
/// randomised live test can print its seed for a replay).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  /// The generator's state; each call advances it by the golden-ratio increment.
  public var state: UInt64

  /// Starts the sequence at `seed`.
  public init(seed: UInt64) {
    state = seed
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The seed `POLROUTE_TRACE_SEED` names, else a random one, printed with how to replay it: the randomised live
  /// tests start from it.
  public static func replayableSeed(_ test: String) -> UInt64 {
    let seed =
      ProcessInfo.processInfo.environment["POLROUTE_TRACE_SEED"].flatMap { UInt64($0) }
      ?? UInt64.random(in: 1...UInt64(Int64.max))
    print("\(test): seed \(seed) (replay with POLROUTE_TRACE_SEED=\(seed))")
    return seed
  }
}
