import PolrouteCore
import PolrouteSystem

/// The one place polroute prints diagnostics, errors and warnings: to standard error, coloured only when standard
/// error itself is a terminal, with every control character from the input escaped.
struct DiagnosticsPrinter: Sendable {
  /// Where diagnostics go.
  let sink: any TextSink
  /// The colours for that stream.
  let style: Style

  /// Prints to `sink`.
  init(sink: any TextSink, environment: [String: String]) {
    self.sink = sink
    self.style = Style(for: sink, environment: environment)
  }

  /// Diagnostics, one a line (`FILE:LINE:COL: error: message`), coloured by severity.
  func print(_ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics {
      let text = MessageText.escapingControls(diagnostic.description)
      switch diagnostic.severity {
      case .error: sink.write(style.red(text) + "\n")
      case .warning: sink.write(style.yellow(text) + "\n")
      case .note: sink.write(text + "\n")
      }
    }
  }

  /// A runtime error: `error: message`.
  func error(_ message: String) {
    sink.write(style.red("error: ") + MessageText.escapingControls(message) + "\n")
  }

  /// A message that is already an error in its own words (a snapshot's `FILE: error: ...`).
  func errorLine(_ message: String) {
    sink.write(style.red(MessageText.escapingControls(message)) + "\n")
  }

  /// A note about progress (the lock, a rollback under way), as it is.
  func note(_ message: String) {
    sink.write(MessageText.escapingControls(message) + "\n")
  }

  /// A command-line mistake, in swift-argument-parser's shape.
  func usageError(_ error: UsageError, spec: CommandSpec) {
    sink.write(MessageText.escapingControls(HelpFormatter.usageError(error, spec: spec)))
  }
}
