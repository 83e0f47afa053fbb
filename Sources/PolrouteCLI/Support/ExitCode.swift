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
