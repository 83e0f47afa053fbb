import PolrouteCore
import PolrouteSystem

/// `polroute policy`: the resolved policy in the policy-file syntax.
enum PolicyCommand: Subcommand {
  /// The command's description.
  static let spec = CommandSpec(
    name: "policy",
    abstract: "Print the resolved policy in the policy-file syntax, with every number and gateway explicit.",
    discussion: """
      Without a policy file, prints what polroute derives from the host, so that 'polroute policy > \
      /etc/polroute.conf' starts a custom policy. Parsing the output gives the same resolved policy. Warnings \
      (unknown gateways, dynamic addresses) go to stderr.
      """,
    options: [CommonOptions.state, CommonOptions.policy])

  /// Resolves and prints.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let (state, policy) = try Inputs(arguments).resolve(context)
    context.diagnostics.print(policy.diagnostics)
    context.stdout.write(PolicyPrinter.text(policy, hostname: state.hostname))
    return .success
  }
}
