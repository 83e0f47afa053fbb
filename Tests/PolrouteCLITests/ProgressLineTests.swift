import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI

/// The progress line of a long apply: nothing for the first second, then one line redrawn in place on a terminal's
/// standard error, out of the way of everything else written there, and never on a file or pipe.
@Suite("progress line")
struct ProgressLineTests {
  /// Erases the line.
  static let erase = "\r\u{1B}[K"

  @Test("nothing in the first second; then the stage and the time, redrawn in place")
  func appearsAfterASecond() {
    let terminal = CapturedSink(terminal: true)
    let line = ProgressLine(sink: terminal, start: 10_000, ticking: false)
    line.tick(now: 10_900)
    #expect(terminal.text == "")
    line.tick(now: 11_000)
    #expect(terminal.text == Self.erase + "polroute: reading the host and planning (1.0 s)")
    line.stage(.writing(family: .inet, done: 20_000, total: 100_000))
    line.tick(now: 12_340)
    #expect(terminal.text.hasSuffix(Self.erase + "polroute: writing IPv4 changes: 20000 of 100000 lines (2.3 s)"))
    line.finish()
    #expect(terminal.text.hasSuffix("(2.3 s)" + Self.erase))
    // Finished: the drawing thread stops, and nothing more is drawn.
    #expect(!line.tick(now: 20_000))
    #expect(terminal.text.hasSuffix("(2.3 s)" + Self.erase))
  }

  @Test("anything else written meanwhile goes on a line of its own; a confirmation question keeps the terminal")
  func staysOutOfTheWay() {
    let terminal = CapturedSink(terminal: true)
    let line = ProgressLine(sink: terminal, start: 0, ticking: false)
    line.tick(now: 1500)
    line.clearing { terminal.write("note: rolling back\n") }
    #expect(
      terminal.text == Self.erase + "polroute: reading the host and planning (1.5 s)" + Self.erase
        + "note: rolling back\n")
    line.stage(.waitingForConfirmation)
    let before = terminal.text
    line.tick(now: 5000)
    #expect(terminal.text == before)
    line.stage(.rollingBack)
    line.tick(now: 6000)
    #expect(terminal.text == before + Self.erase + "polroute: rolling back (6.0 s)")
  }

  @Test("standard error to a file or a pipe: never a carriage return or an escape")
  func notOnAFile() {
    let file = CapturedSink(terminal: false)
    let line = ProgressLine(sink: file, start: 0, ticking: false)
    line.tick(now: 5000)
    line.clearing { file.write("note: x\n") }
    line.finish()
    #expect(file.text == "note: x\n")
  }
}
