import PolrouteCore
import PolrouteSystem

/// `polroute render`: the configuration files for a target.
enum RenderCommand: Subcommand {
  /// The command's description.
  static let spec = CommandSpec(
    name: "render",
    abstract: "Render the policy as an iproute2 script, RHEL or Debian configuration, or rt_tables entries.",
    discussion: """
      Without --root, prints the files (several each under a '### PATH' line). With --root DIR, writes each file at \
      its real path under DIR (the script as DIR/polroute.sh) and removes network-scripts files an earlier render \
      made that the policy no longer needs. Output is deterministic.
      """,
    options: [
      OptionSpec(
        "format", value: "format", repeatable: true,
        help: "script (default), rhel, debian, rt_tables, or all; repeat or separate with commas."),
      CommonOptions.root,
      OptionSpec("output", value: "file", help: "Write the one rendered file here instead of stdout."),
      CommonOptions.state, CommonOptions.policy,
    ])

  /// Renders and prints or writes.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let formats = try FileTargets.formats(arguments, command: spec.name, default: [.script])
    if arguments.value("output") != nil && arguments.value("root") != nil {
      throw UsageError("'--output' and '--root' cannot be used together", command: spec.name)
    }
    let (state, policy) = try PolicySource.resolve(arguments, context: context)
    PolicySource.printDiagnostics(policy, context: context)
    let result = try FileTargets.render(formats, policy: policy, state: state)
    let placement = try FileTargets.debianPlacement(
      formats, policy: policy, root: RootedFileSystem(root: arguments.value("root") ?? "/"))
    for diagnostic in result.diagnostics + placement {
      context.stderr.write(context.style.yellow(diagnostic.description) + "\n")
    }
    if let output = arguments.value("output") {
      guard result.files.count == 1, let file = result.files.first else {
        throw UsageError(
          "'--output' needs exactly one file, and this renders \(result.files.count)", command: spec.name)
      }
      try RootedFileSystem().write(output, contents: Array(file.contents.utf8), mode: file.mode)
      return .success
    }
    if let root = arguments.value("root") {
      let files = RootedFileSystem(root: root)
      for change in try FileTargets.changes(result.files, formats: formats, root: files) {
        switch change.action {
        case .create, .update:
          if let file = change.new { try files.write(file.path, contents: Array(file.contents.utf8), mode: file.mode) }
        case .delete:
          try files.remove(change.path)
        case .unchanged:
          continue
        }
      }
      return .success
    }
    if result.files.count == 1, let file = result.files.first {
      context.stdout.write(file.contents)
    } else {
      for (index, file) in result.files.enumerated() {
        context.stdout.write((index == 0 ? "" : "\n") + "### \(file.path)\n" + file.contents)
      }
    }
    return .success
  }
}
