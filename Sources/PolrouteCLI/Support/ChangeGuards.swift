import PolrouteSystem

extension CLIContext {
  /// What keeps `apply --confirm`'s promise if the apply dies: the record in the run directory and a watchdog, this
  /// very executable run as `polroute rollback --watch`. Only the live process has one (`executable` nil): an
  /// in-process run in a test names an executable, and the test runner must not be started as a watchdog.
  func changeGuard(_ confirmSeconds: Int?) -> (any ChangeGuard)? {
    guard confirmSeconds != nil, executable == nil else { return nil }
    let directory = runDirectory
    return PendingChangeGuard(directory: directory) {
      // /proc/self/exe, resolved by the kernel in the new process: still this executable, whatever PATH says.
      try Watchdog.start(executable: "/proc/self/exe", directory: directory)
    }
  }
}
