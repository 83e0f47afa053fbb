import PolrouteCore
import PolrouteSystem

/// `polroute plan`: what polroute would change, as a reviewable diff.
enum PlanCommand: Subcommand {
  /// `--format`.
  static let format = OptionSpec(
    "format", value: "format", repeatable: true,
    help:
      "Also compare the files of these formats (script, rhel, debian, rt_tables, networkd, nm, netplan, systemd, all); default: the kernel only."
  )
  /// `--no-flows`.
  static let noFlows = OptionSpec(
    "no-flows", help: "Leave out the flow table (where each host address's replies go now and after the plan).")
  /// `--detailed-exitcode`.
  static let detailedExitCode = OptionSpec(
    "detailed-exitcode", help: "Exit 0 when nothing would change, 2 when changes are pending, 1 on errors.")

  /// The command's description.
  static let spec = CommandSpec(
    name: "plan",
    abstract: "Show what polroute would change in the kernel and in configuration files, as unified diffs.",
    discussion: """
      Compares the rules and routes polroute owns with the policy, and for each --format the files under --root \
      with what polroute would write. Then the flow table: for each of the host's addresses, where a reply to a \
      remote client and a packet to each directly connected network go now and after the plan, and the same for a \
      flow each application rule selects (traced as 'polroute trace' traces them). Changes nothing, and needs no \
      root with --state. A file polroute would have to replace that it did not write is refused, and the plan exits \
      1, as 'apply --persist' would.
      """,
    options: [
      CommonOptions.state, CommonOptions.policy, format, CommonOptions.root, detailedExitCode, noFlows,
      CommonOptions.json,
    ])

  /// The options, typed.
  struct Options {
    /// The host and the policy.
    var inputs: Inputs
    /// The formats whose files are compared.
    var formats: [RenderFormat]
    /// The root of the files, if given.
    var root: String?
    /// Whether 2 means "changes pending".
    var detailedExitCode: Bool
    /// Whether to print JSON.
    var json: Bool
    /// Whether to trace the flow table.
    var flows: Bool

    /// Reads the parsed arguments.
    init(_ arguments: ParsedArguments) throws(UsageError) {
      inputs = Inputs(arguments)
      formats = try FileTargets.formats(arguments.all(PlanCommand.format), command: spec.name, defaults: [])
      root = arguments.value(CommonOptions.root)
      detailedExitCode = arguments.has(PlanCommand.detailedExitCode)
      json = arguments.has(CommonOptions.json)
      flows = !arguments.has(PlanCommand.noFlows)
    }
  }

  /// Plans and prints.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let options = try Options(arguments)
    do {
      let (state, policy) = try options.inputs.resolve(context)
      let (files, root) = try FileTargets.files(root: options.root, inputs: options.inputs, context: context)
      let report = try PlanReport.make(
        state: state, policy: policy, formats: options.formats, files: files, root: root, inputs: options.inputs,
        context: context, flows: options.flows)
      return try print(report, json: options.json, detailedExitCode: options.detailedExitCode, context: context)
    } catch let error as PolicyError where options.detailedExitCode {
      // With --detailed-exitcode every error is 1, as Terraform does, so 2 always means "changes pending".
      context.diagnostics.print(error.diagnostics)
      return .failure
    } catch let error as SnapshotError where options.detailedExitCode {
      context.diagnostics.errorLine(error.description)
      return .failure
    }
  }

  /// Prints a report (for `plan` and `apply --dry-run` alike) and returns the exit status: 1 when the files are
  /// refused, 2 for pending changes with `--detailed-exitcode`.
  static func print(_ report: PlanReport, json: Bool, detailedExitCode: Bool, context: CLIContext) throws -> ExitCode {
    if json {
      context.stdout.write(try report.json())
      context.diagnostics.print(report.files?.refusals ?? [])
    } else {
      context.diagnostics.print(report.diagnostics)
      context.stdout.write(report.text(style: context.style))
    }
    if report.isRefused { return .failure }
    return detailedExitCode && report.hasChanges ? .changesPending : .success
  }
}
