import PolrouteCore

/// What a shell offers for an option's value or a positional argument, decided by its placeholder name in the
/// command table, so a new option whose value is a `file`, `dir`, `format` or `interface` completes with no edit here.
enum CompletionValues: Equatable, Sendable {
  /// Nothing to offer (a number of seconds, an address): the shell completes nothing.
  case none
  /// Any file.
  case files
  /// Directories only.
  case directories
  /// The interfaces of the host the shell runs on, read when completing (`ip -o link show`).
  case interfaces
  /// A fixed list of words.
  case words([String])

  /// The values for an option's placeholder.
  static func forOption(_ option: OptionSpec) -> CompletionValues {
    guard let placeholder = option.valueName else { return .none }
    return forPlaceholder(placeholder)
  }

  /// The values for a positional argument.
  static func forArgument(_ argument: ArgumentSpec) -> CompletionValues {
    forPlaceholder(argument.name)
  }

  /// The values a placeholder stands for; placeholders not listed here complete to nothing.
  static func forPlaceholder(_ placeholder: String) -> CompletionValues {
    switch placeholder {
    case "file": .files
    case "dir", "directory": .directories
    case "interface", "iface", "device": .interfaces
    case "format": .words(RenderFormat.allCases.map(\.rawValue) + ["all"])
    case "subcommand": .words(CLI.allSpecs.map(\.name))
    case "shell": .words(CompletionShell.allCases.map(\.rawValue))
    case "page": .words(ManualPage.allCases.map(\.rawValue))
    default: .none
    }
  }
}

/// The shells polroute writes completion scripts for.
enum CompletionShell: String, CaseIterable, Sendable {
  /// GNU bash with `complete -F`.
  case bash
  /// zsh's completion system (`#compdef`).
  case zsh
  /// fish's `complete` commands.
  case fish

  /// The script for this shell, generated from the command table.
  func script(commands: [CommandSpec], root: CommandSpec) -> String {
    switch self {
    case .bash: BashCompletion.script(commands: commands, root: root)
    case .zsh: ZshCompletion.script(commands: commands, root: root)
    case .fish: FishCompletion.script(commands: commands, root: root)
    }
  }
}
