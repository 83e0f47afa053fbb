import PolrouteCore

/// A command-line mistake: shown as `Error: …`, the usage line, and where to read more; exit status 64.
public struct UsageError: Error, Equatable, Sendable {
  /// What is wrong, starting with a capital as swift-argument-parser writes it.
  public var message: String
  /// The command whose usage to show.
  public var command: String

  /// Builds an error for a command (`plan`, or empty for `polroute`).
  public init(_ message: String, command: String) {
    self.message = message
    self.command = command
  }
}

/// The options and arguments given to one command, looked up by the option's spec (not its name as a string, so
/// a misspelt option does not compile). Each command turns them into its typed options once.
public struct ParsedArguments: Sendable, Equatable {
  /// Values of options that take one, by long name, in the order given.
  var values: [String: [String]] = [:]
  /// Flags that were given, by long name.
  var flags: Set<String> = []
  /// Positional arguments, in order.
  public var positionals: [String] = []

  /// Whether a flag was given.
  public func has(_ flag: OptionSpec) -> Bool { flags.contains(flag.name) }

  /// The last value of an option, if given.
  public func value(_ option: OptionSpec) -> String? { values[option.name]?.last }

  /// Every value of a repeatable option.
  public func all(_ option: OptionSpec) -> [String] { values[option.name] ?? [] }
}

/// Parses arguments against a `CommandSpec`: `--name value`, `--name=value`, short flags, and `--` to end options.
public enum ArgumentParser {
  /// Parses the arguments that follow the command name.
  public static func parse(_ arguments: [String], spec: CommandSpec) throws(UsageError) -> ParsedArguments {
    var result = ParsedArguments()
    var index = 0
    var optionsEnded = false
    func fail(_ message: String) -> UsageError { UsageError(message, command: spec.name) }
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
        result.positionals.append(argument)
        continue
      }
      if argument == "--" {
        optionsEnded = true
        continue
      }
      let option: OptionSpec
      var inlineValue: String?
      if argument.hasPrefix("--") {
        var name = String(argument.dropFirst(2))
        if let equals = name.firstIndex(of: "=") {
          inlineValue = String(name[name.index(after: equals)...])
          name = String(name[..<equals])
        }
        guard let found = spec.option(named: name) else { throw fail(unknownOptionMessage(argument, spec: spec)) }
        option = found
      } else {
        guard argument.count == 2, let found = spec.option(short: argument.last!) else {
          throw fail(unknownOptionMessage(argument, spec: spec))
        }
        option = found
      }
      guard option.valueName != nil else {
        if inlineValue != nil { throw fail("The option '--\(option.name)' does not take a value") }
        if result.flags.contains(option.name) && !option.repeatable {
          throw fail("The option '--\(option.name)' was given more than once")
        }
        result.flags.insert(option.name)
        continue
      }
      let value: String
      if let inlineValue {
        value = inlineValue
      } else {
        guard index < arguments.count, !arguments[index].hasPrefix("--") || arguments[index] == "--" else {
          throw fail("Missing value for '\(option.synopsis)'")
        }
        value = arguments[index]
        index += 1
      }
      if result.values[option.name] != nil && !option.repeatable {
        throw fail("The option '--\(option.name)' was given more than once")
      }
      result.values[option.name, default: []].append(value)
    }
    if result.has(OptionSpec.help) { return result }
    let required = spec.arguments.filter { !$0.optional }.count
    if result.positionals.count < required {
      throw fail("Missing expected argument '<\(spec.arguments[result.positionals.count].name)>'")
    }
    if result.positionals.count > spec.arguments.count {
      throw fail("Unexpected argument '\(result.positionals[spec.arguments.count])'")
    }
    return result
  }

  /// `Unknown option '--jsn'`, with a suggestion when one option is close.
  static func unknownOptionMessage(_ argument: String, spec: CommandSpec) -> String {
    let name = argument.drop(while: { $0 == "-" }).split(separator: "=").first.map(String.init) ?? ""
    let candidates = spec.options.map(\.name)
    if let suggestion = Suggestion.closest(to: name, among: candidates) {
      return "Unknown option '\(argument)' (did you mean '--\(suggestion)'?)"
    }
    return "Unknown option '\(argument)'"
  }
}
