import PolrouteCore
import PolrouteSystem

/// A subcommand: its description and what it does.
protocol Subcommand: Sendable {
  /// The name, options and help text.
  static var spec: CommandSpec { get }
  /// Runs the command with parsed arguments; errors are turned into messages and exit codes by `CLI`.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode
}

/// The command-line interface: parses arguments, dispatches to a subcommand, prints errors, returns the exit code.
public enum CLI {
  /// The subcommands, in the order help lists them.
  static let subcommands: [any Subcommand.Type] = [
    InspectCommand.self, PolicyCommand.self, PlanCommand.self, TraceCommand.self, RenderCommand.self,
    ApplyCommand.self, ConfirmCommand.self, RollbackCommand.self, WatchCommand.self, StatsCommand.self, BGPCommand.self,
    CompletionCommand.self,
    ManualCommand.self,
  ]

  /// `polroute` itself.
  static let rootSpec = CommandSpec(
    name: "", abstract: "Policy routing for multi-homed Linux hosts: one table per uplink, rules by source address.",
    options: [version])

  /// `polroute --version`.
  static let version = OptionSpec("version", help: "Show the version.")

  /// `polroute help`.
  static let helpSpec = CommandSpec(
    name: "help", abstract: "Show help for a subcommand.",
    arguments: [ArgumentSpec("subcommand", optional: true, help: "The subcommand to show help for.")], options: [])

  /// Runs polroute with the arguments after the program name and returns the exit status.
  public static func run(_ arguments: [String], context: CLIContext) -> Int32 {
    guard let first = arguments.first else {
      context.stdout.write(HelpFormatter.help(for: rootSpec, subcommands: allSpecs))
      return ExitCode.success.rawValue
    }
    if first.hasPrefix("-") {
      return runRoot(arguments, context: context).rawValue
    }
    if first == "help" {
      return runHelp(Array(arguments.dropFirst()), context: context).rawValue
    }
    guard let command = subcommands.first(where: { $0.spec.name == first }) else {
      let suggestion =
        Suggestion.closest(to: first, among: allSpecs.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
      let error = UsageError("Unknown subcommand '\(MessageText.quoted(first))'\(suggestion)", command: "")
      context.diagnostics.usageError(error, spec: rootSpec)
      return ExitCode.usage.rawValue
    }
    return execute(command, Array(arguments.dropFirst()), context: context).rawValue
  }

  /// Every spec help lists, with `help` last.
  static var allSpecs: [CommandSpec] { subcommands.map { $0.spec } + [helpSpec] }

  /// `polroute --version`, `polroute --help`, or an unknown option.
  static func runRoot(_ arguments: [String], context: CLIContext) -> ExitCode {
    do throws(UsageError) {
      let parsed = try ArgumentParser.parse(arguments, spec: rootSpec)
      if parsed.has(OptionSpec.help) {
        context.stdout.write(HelpFormatter.help(for: rootSpec, subcommands: allSpecs))
      } else if parsed.has(version) {
        context.stdout.write(PolrouteVersion.current + "\n")
      } else {
        throw UsageError("Missing expected argument '<subcommand>'", command: "")
      }
      return .success
    } catch {
      context.diagnostics.usageError(error, spec: rootSpec)
      return .usage
    }
  }

  /// `polroute help [CMD]`: the same text as `polroute CMD --help`.
  static func runHelp(_ arguments: [String], context: CLIContext) -> ExitCode {
    do throws(UsageError) {
      let parsed = try ArgumentParser.parse(arguments, spec: helpSpec)
      guard let name = parsed.positionals.first else {
        context.stdout.write(HelpFormatter.help(for: rootSpec, subcommands: allSpecs))
        return .success
      }
      if name == "help" {
        context.stdout.write(HelpFormatter.help(for: helpSpec))
        return .success
      }
      guard let command = subcommands.first(where: { $0.spec.name == name }) else {
        throw UsageError("Unknown subcommand '\(MessageText.quoted(name))'", command: "help")
      }
      context.stdout.write(HelpFormatter.help(for: command.spec))
      return .success
    } catch {
      context.diagnostics.usageError(error, spec: helpSpec)
      return .usage
    }
  }

  /// Parses a subcommand's arguments, runs it, and turns every error into a message and an exit code.
  static func execute(_ command: any Subcommand.Type, _ arguments: [String], context: CLIContext) -> ExitCode {
    let spec = command.spec
    do {
      let parsed = try ArgumentParser.parse(arguments, spec: spec)
      if parsed.has(OptionSpec.help) {
        context.stdout.write(HelpFormatter.help(for: spec))
        return .success
      }
      return try command.run(parsed, context: context)
    } catch let error as UsageError {
      context.diagnostics.usageError(error, spec: spec)
      return .usage
    } catch let error as SnapshotError {
      context.diagnostics.errorLine(error.description)
      return .dataError
    } catch let error as PendingChangeError where error.isLocated {
      context.diagnostics.errorLine(error.description)
      return .failure
    } catch let error as PolicyError {
      context.diagnostics.print(error.diagnostics)
      return .dataError
    } catch {
      context.diagnostics.error("\(error)")
      return .failure
    }
  }
}
