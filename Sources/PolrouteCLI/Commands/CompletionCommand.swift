import PolrouteCore

/// `polroute completion SHELL`: the shell completion script, generated from the command table.
enum CompletionCommand: Subcommand {
  /// The command's description.
  static let spec = CommandSpec(
    name: "completion",
    abstract: "Print the shell completion script for bash, zsh or fish.",
    discussion: """
      The script completes commands, options, formats, files and directories, and the host's interface names \
      where an option takes one. 'make install' installs all three; to try one without installing: \
      'source <(polroute completion bash)'.
      """,
    arguments: [ArgumentSpec("shell", help: "bash, zsh or fish.")],
    options: [])

  /// Prints the script.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let shells = CompletionShell.allCases.map(\.rawValue)
    // The parser has checked that there is exactly one argument.
    let name = arguments.positionals[0]
    guard let shell = CompletionShell(rawValue: name) else {
      let hint = Suggestion.closest(to: name, among: shells).map { " (did you mean '\($0)'?)" } ?? ""
      throw UsageError(
        "Unknown shell '\(name)'\(hint); polroute completes in \(shells.joined(separator: ", "))", command: spec.name)
    }
    context.stdout.write(shell.script(commands: CLI.allSpecs, root: CLI.rootSpec))
    return .success
  }
}
