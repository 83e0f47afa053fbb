/// The exit statuses polroute uses. `inspect --check` reads 0-3 as monitoring plugins do (OK, WARNING, CRITICAL,
/// UNKNOWN).
public enum ExitCode: Int32, Sendable {
  /// Success; for `plan --detailed-exitcode`, nothing to change; for `inspect --check`, no warning or error.
  case success = 0
  /// A runtime failure; for `inspect --check`, warnings and no error.
  case failure = 1
  /// `plan --detailed-exitcode`: changes are pending; `inspect --check`: errors.
  case changesPending = 2
  /// `inspect --check`: the host could not be read.
  case checkUnknown = 3
  /// The command line was wrong.
  case usage = 64
  /// The policy or state data was invalid.
  case dataError = 65
}
