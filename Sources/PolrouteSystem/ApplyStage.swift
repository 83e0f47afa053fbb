import PolrouteCore

/// What an apply is doing now, for a progress line: applies of many routes take seconds, and a terminal that shows
/// nothing for that long looks hung.
public enum ApplyStage: Hashable, Sendable, CustomStringConvertible {
  /// Waiting for another apply to let go of the lock.
  case waitingForLock
  /// Reading the host and planning.
  case planning
  /// Feeding the kernel its changes: `done` of `total` batch lines of a family sent so far.
  case writing(family: AddressFamily, done: Int, total: Int)
  /// Reading the host back after the change.
  case readingBack
  /// Asking the kernel where each address's replies go.
  case verifying(probes: Int)
  /// Waiting for `yes` or `polroute confirm`: the terminal is the question's, so no progress is shown.
  case waitingForConfirmation
  /// Writing the configuration files.
  case persisting
  /// Restoring the snapshot after a failure.
  case rollingBack

  /// "writing IPv4 changes: 20000 of 100000 lines".
  public var description: String {
    switch self {
    case .waitingForLock: return "waiting for the apply lock"
    case .planning: return "reading the host and planning"
    case .writing(let family, let done, let total):
      return "writing \(family.displayName) changes: \(done) of \(total) lines"
    case .readingBack: return "reading the host back"
    case .verifying(let probes): return "verifying (\(probes) route lookups)"
    case .waitingForConfirmation: return "waiting for confirmation"
    case .persisting: return "writing the configuration files"
    case .rollingBack: return "rolling back"
    }
  }
}
