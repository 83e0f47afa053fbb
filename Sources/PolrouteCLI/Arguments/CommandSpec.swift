/// One option a command accepts.
public struct OptionSpec: Sendable {
  /// The long name without dashes (`state` for `--state`).
  public var name: String
  /// A one-letter short name (`h` for `-h`), if any.
  public var short: Character?
  /// The placeholder of the option's value (`file`), or nil for a flag.
  public var valueName: String?
  /// What the option does, one line.
  public var help: String
  /// Whether the option may be given more than once.
  public var repeatable: Bool

  /// Describes an option.
  public init(_ name: String, short: Character? = nil, value: String? = nil, repeatable: Bool = false, help: String) {
    self.name = name
    self.short = short
    self.valueName = value
    self.help = help
    self.repeatable = repeatable
  }

  /// `-h, --help`, which every command takes.
  public static let help = OptionSpec("help", short: "h", help: "Show help information.")

  /// `--state <file>` or `--json`.
  public var synopsis: String {
    valueName.map { "--\(name) <\($0)>" } ?? "--\(name)"
  }

  /// `-h, --help` or `--state <file>`, for the OPTIONS list.
  var label: String {
    (short.map { "-\($0), " } ?? "") + synopsis
  }
}

/// A positional argument a command accepts.
public struct ArgumentSpec: Sendable {
  /// The placeholder (`subcommand`).
  public var name: String
  /// What it is, one line.
  public var help: String
  /// Whether it may be left out.
  public var optional: Bool

  /// Describes a positional argument.
  public init(_ name: String, optional: Bool = false, help: String) {
    self.name = name
    self.help = help
    self.optional = optional
  }
}

/// Everything the parser and the help text need to know about one command.
public struct CommandSpec: Sendable {
  /// The subcommand name (`plan`), or empty for `polroute` itself.
  public var name: String
  /// One sentence: what the command does.
  public var abstract: String
  /// More paragraphs for `--help`, if any.
  public var discussion: String?
  /// The positional arguments.
  public var arguments: [ArgumentSpec]
  /// The options, in the order help lists them (`--help` is added automatically).
  public var options: [OptionSpec]

  /// Describes a command.
  public init(
    name: String, abstract: String, discussion: String? = nil, arguments: [ArgumentSpec] = [], options: [OptionSpec]
  ) {
    self.name = name
    self.abstract = abstract
    self.discussion = discussion
    self.arguments = arguments
    self.options = options + [OptionSpec.help]
  }

  /// `polroute plan` or `polroute`.
  public var commandName: String { name.isEmpty ? "polroute" : "polroute \(name)" }

  /// The usage line: `polroute plan [--state <file>] [--json] ...`.
  public var usage: String {
    if name.isEmpty { return "polroute <subcommand>" }
    var parts = [commandName]
    for option in options where option.name != OptionSpec.help.name {
      parts.append("[\(option.synopsis)]" + (option.repeatable ? " ..." : ""))
    }
    for argument in arguments {
      parts.append(argument.optional ? "[<\(argument.name)>]" : "<\(argument.name)>")
    }
    return parts.joined(separator: " ")
  }

  /// The option with a long name.
  func option(named name: String) -> OptionSpec? { options.first { $0.name == name } }

  /// The option with a short name.
  func option(short: Character) -> OptionSpec? { options.first { $0.short == short } }
}
