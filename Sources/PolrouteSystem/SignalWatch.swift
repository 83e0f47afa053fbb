import Glibc

/// The last termination signal received (0 for none), set from the signal handler.
nonisolated(unsafe) private var receivedSignal: sig_atomic_t = 0

/// Catches SIGINT, SIGTERM and SIGHUP during an apply so that it can roll back instead of dying half-way: the
/// handler only records the signal; the transaction checks it between steps. Child processes get the default
/// dispositions back (the runner resets them), so an `ip` in progress still stops.
public enum SignalWatch {
  /// The signals that abort an apply.
  public static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

  /// Installs the handlers, unblocks the signals and clears any earlier signal.
  public static func install() {
    receivedSignal = 0
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for signal in signals {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { number in receivedSignal = number }
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      sigaction(signal, &action, nil)
      sigaddset(&unblock, signal)
    }
    // The mask is inherited across exec: a parent that blocks these signals on its threads (a Swift or Java
    // program spawning from a worker thread) would make `kill` do nothing until the confirmation deadline.
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
  }

  /// The signal received since `install`, if any.
  public static var received: Int32? { receivedSignal == 0 ? nil : Int32(receivedSignal) }

  /// Forgets a received signal (after SIGHUP during a confirmation wait, which does not abort it).
  public static func clear() { receivedSignal = 0 }

  /// The signal's name.
  public static func name(_ signal: Int32) -> String {
    switch signal {
    case SIGINT: return "SIGINT"
    case SIGTERM: return "SIGTERM"
    case SIGHUP: return "SIGHUP"
    default: return "signal \(signal)"
    }
  }
}

/// Where a transaction learns of the termination signals that must roll it back. The real one is `SignalWatch`;
/// tests script a signal at a chosen step.
public protocol SignalSource: Sendable {
  /// Starts catching the signals (and forgets any caught before).
  func install()
  /// The signal caught since `install`, if any.
  var received: Int32? { get }
  /// Forgets a caught signal (SIGHUP while waiting for a confirmation does not abort).
  func clear()
}

/// The process's own signals, through `SignalWatch`.
public struct ProcessSignals: SignalSource {
  /// The process's signals.
  public init() {}

  /// Installs the handlers.
  public func install() { SignalWatch.install() }

  /// The signal caught.
  public var received: Int32? { SignalWatch.received }

  /// Forgets it.
  public func clear() { SignalWatch.clear() }
}
