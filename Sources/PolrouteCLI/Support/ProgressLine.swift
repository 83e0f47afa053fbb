import Foundation
import PolrouteSystem
import Synchronization

/// One line on a terminal's standard error saying what a long apply is doing, redrawn in place: shown only once the
/// apply has taken a second (a quick apply prints nothing extra), and never when standard error is not a terminal
/// (a log file gets no carriage returns). Anything else written to standard error while it shows goes through
/// `clearing`, so the two never mix on one line.
final class ProgressLine: Sendable {
  /// What is shown, and whether it is on the screen.
  struct Screen {
    /// The current stage; nil while nothing may be shown (a confirmation question owns the terminal).
    var stage: ApplyStage?
    /// Whether a line is drawn now.
    var drawn = false
    /// Whether the line is finished for good.
    var finished = false
  }

  /// How long an apply runs before the line appears.
  static let delayMilliseconds: Int64 = 1000
  /// How often the line is redrawn.
  static let intervalMilliseconds = 200

  /// Standard error.
  let sink: any TextSink
  /// When the apply began.
  let start: Int64
  /// The screen, shared with the drawing thread.
  let screen: Mutex<Screen>

  /// A progress line for an apply that begins at `start` (milliseconds of the monotonic clock); with `ticking`, a
  /// thread redraws it while the apply runs (tests drive `tick` themselves).
  init(sink: any TextSink, start: Int64 = monotonicMilliseconds(), ticking: Bool = true) {
    self.sink = sink
    self.start = start
    screen = Mutex(Screen(stage: .planning))
    guard ticking, sink.isTerminal else { return }
    Thread.detachNewThread { [self] in
      while tick(now: monotonicMilliseconds()) { usleep(UInt32(Self.intervalMilliseconds) * 1000) }
    }
  }

  /// Moves to a stage.
  func stage(_ stage: ApplyStage) {
    screen.withLock { screen in
      if stage == .waitingForConfirmation { erase(&screen) }
      screen.stage = stage == .waitingForConfirmation ? nil : stage
    }
  }

  /// Draws the line if the apply has run long enough; returns false once the line is finished.
  @discardableResult
  func tick(now: Int64) -> Bool {
    screen.withLock { screen in
      guard !screen.finished else { return false }
      guard sink.isTerminal, let stage = screen.stage, now - start >= Self.delayMilliseconds else { return true }
      let seconds = Double(now - start) / 1000
      sink.write("\r\u{1B}[K" + "polroute: \(stage) (\(String(format: "%.1f", seconds)) s)")
      screen.drawn = true
      return true
    }
  }

  /// Runs `write` (to standard error, or to standard output on the same terminal) with the line taken off the screen
  /// first; the next tick draws it again below what was written.
  func clearing(_ write: () -> Void) {
    screen.withLock { screen in
      erase(&screen)
      write()
    }
  }

  /// Takes the line off the screen for good.
  func finish() {
    screen.withLock { screen in
      erase(&screen)
      screen.finished = true
    }
  }

  /// Erases the drawn line.
  private func erase(_ screen: inout Screen) {
    guard screen.drawn else { return }
    sink.write("\r\u{1B}[K")
    screen.drawn = false
  }
}
