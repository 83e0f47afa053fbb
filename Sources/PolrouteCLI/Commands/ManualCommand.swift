import PolrouteCore

/// `polroute manual [PAGE]`: a manual page in roff, generated from the command table and the text beside it.
enum ManualCommand: Subcommand {
  /// The command's description.
  static let spec = CommandSpec(
    name: "manual",
    abstract: "Print a manual page in roff: polroute(8), or polroute.conf(5) for the policy file.",
    discussion: """
      'make install' installs both pages. To read one where they are not installed: 'polroute manual | man -l -'.
      """,
    arguments: [ArgumentSpec("page", optional: true, help: "polroute (the default) or polroute.conf.")],
    options: [])

  /// Prints the page.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let pages = ManualPage.allCases.map(\.rawValue)
    let name = arguments.positionals.first ?? ManualPage.polroute.rawValue
    // `polroute.8` and `polroute.conf.5`, the installed file names, are accepted too.
    guard let page = ManualPage.allCases.first(where: { $0.rawValue == name || $0.fileName == name }) else {
      let hint = Suggestion.closest(to: name, among: pages).map { " (did you mean '\($0)'?)" } ?? ""
      throw UsageError(
        "Unknown manual page '\(name)'\(hint); the pages are \(pages.joined(separator: ", "))", command: spec.name)
    }
    context.stdout.write(page.roff(commands: CLI.subcommands.map { $0.spec }, root: CLI.rootSpec))
    return .success
  }
}
