import PolrouteCore
import PolrouteSystem

/// `polroute confirm`: keep the change an `apply --confirm` is waiting on.
enum ConfirmCommand: Subcommand {
  /// The command's description.
  static let spec = CommandSpec(
    name: "confirm",
    abstract: "Keep the change a 'polroute apply --confirm' is waiting on, from another shell.",
    options: [])

  /// Confirms.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let pid = try ConfirmationHandshake(directory: context.runDirectory).confirm()
    context.stdout.write("confirmed: polroute apply (pid \(pid)) keeps its change\n")
    return .success
  }
}
