/// Renders help in swift-argument-parser's shape: OVERVIEW, USAGE, ARGUMENTS, OPTIONS, SUBCOMMANDS.
public enum HelpFormatter {
  /// Where help text wraps.
  static let width = 80
  /// The column where descriptions start.
  static let labelWidth = 26

  /// The full help of a command; `subcommands` is given for `polroute` itself.
  public static func help(for spec: CommandSpec, subcommands: [CommandSpec] = []) -> String {
    var text = "OVERVIEW: \(spec.abstract)\n\n"
    if let discussion = spec.discussion {
      text += discussion + "\n\n"
    }
    text += "USAGE: \(spec.usage)\n\n"
    if !spec.arguments.isEmpty {
      text += "ARGUMENTS:\n"
      for argument in spec.arguments { text += row("<\(argument.name)>", argument.help) }
      text += "\n"
    }
    text += "OPTIONS:\n"
    for option in spec.options { text += row(option.label, option.help) }
    if !subcommands.isEmpty {
      text += "\nSUBCOMMANDS:\n"
      for subcommand in subcommands { text += row(subcommand.name, subcommand.abstract) }
      text += "\n  See 'polroute help <subcommand>' for detailed help.\n"
    }
    return text
  }

  /// `  --state <file>          Use a saved snapshot ...`, wrapped, with the description on the next line when the
  /// label is too long.
  static func row(_ label: String, _ description: String) -> String {
    let indent = String(repeating: " ", count: labelWidth)
    let lines = wrap(description, width: width - labelWidth)
    var text = "  " + label
    if label.count + 2 >= labelWidth - 1 {
      text += "\n" + indent
    } else {
      text += String(repeating: " ", count: labelWidth - 2 - label.count)
    }
    text += lines.joined(separator: "\n" + indent) + "\n"
    return text
  }

  /// Splits text into lines of at most `width` characters at spaces.
  static func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ") {
      if !current.isEmpty && current.count + 1 + word.count > width {
        lines.append(current)
        current = ""
      }
      current += (current.isEmpty ? "" : " ") + word
    }
    if !current.isEmpty { lines.append(current) }
    return lines.isEmpty ? [""] : lines
  }

  /// The text of a usage error: `Error: …`, the usage line, and where to read more.
  public static func usageError(_ error: UsageError, spec: CommandSpec) -> String {
    let helpCommand = spec.name.isEmpty ? "polroute --help" : "polroute \(spec.name) --help"
    return "Error: \(error.message)\nUsage: \(spec.usage)\n  See '\(helpCommand)' for more information.\n"
  }
}
