import PolrouteCore
import PolrouteSystem

/// `polroute render`: the configuration files for a target.
enum RenderCommand: Subcommand {
  /// `--format`.
  static let format = OptionSpec(
    "format", value: "format", repeatable: true,
    help:
      "script (default), rhel, debian, rt_tables, networkd, nm, netplan, systemd, or all; repeat or separate with commas."
  )
  /// `--output`.
  static let output = OptionSpec("output", value: "file", help: "Write the one rendered file here instead of stdout.")

  /// The command's description.
  static let spec = CommandSpec(
    name: "render",
    abstract:
      "Render the policy as an iproute2 script, a distribution's or network manager's configuration, a boot unit, or rt_tables entries.",
    discussion: """
      Without --root, prints the files (several each under a '### PATH' line). With --root DIR, writes each file at \
      its real path under DIR (the script as DIR/polroute.sh) and removes files an earlier render made that the \
      policy no longer needs; like 'apply --persist', it refuses to replace a file polroute did not write, and then \
      writes nothing. Output is deterministic.
      """,
    options: [format, CommonOptions.root, output, CommonOptions.state, CommonOptions.policy])

  /// The options, typed.
  struct Options {
    /// The host and the policy.
    var inputs: Inputs
    /// The formats to render.
    var formats: [RenderFormat]
    /// Where to write the files, if anywhere.
    var root: String?
    /// The one file to write, if given.
    var output: String?

    /// Reads and checks the parsed arguments.
    init(_ arguments: ParsedArguments) throws(UsageError) {
      inputs = Inputs(arguments)
      formats = try FileTargets.formats(arguments.all(RenderCommand.format), command: spec.name, defaults: [.script])
      root = arguments.value(CommonOptions.root)
      output = arguments.value(RenderCommand.output)
      if output != nil && root != nil {
        throw UsageError("'--output' and '--root' cannot be used together", command: spec.name)
      }
    }
  }

  /// Renders and prints or writes.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let options = try Options(arguments)
    let (state, policy) = try options.inputs.resolve(context)
    context.diagnostics.print(policy.diagnostics)
    if let root = options.root {
      let (files, label) = try FileTargets.files(root: root, inputs: options.inputs, context: context)
      let plan = try FileTargets.plan(
        options.formats, policy: policy, state: state, files: files, root: label, inputs: options.inputs,
        context: context)
      context.diagnostics.print(plan.diagnostics + plan.refusals)
      guard plan.refusals.isEmpty else { return .failure }
      // Every file is checked first, so a link or a special file at one of them leaves the others unwritten too.
      for change in plan.pending { try files.checkWritable(change.path, removing: change.new == nil) }
      for change in plan.pending {
        if let file = change.new {
          try files.write(file.path, contents: Array(file.contents.utf8), mode: file.mode)
        } else {
          try files.remove(change.path)
        }
      }
      return .success
    }
    let renderContext = FileTargets.renderContext(state: state, inputs: options.inputs, context: context)
    let result = Renderers.render(options.formats, policy: policy, context: renderContext)
    context.diagnostics.print(result.diagnostics)
    if result.diagnostics.contains(where: { $0.severity == .error }) { return .dataError }
    // How this host will read the files (nothing to say for a snapshot of another host).
    let (files, _) = try FileTargets.files(root: nil, inputs: options.inputs, context: context)
    context.diagnostics.print(
      try Renderers.hostDiagnostics(
        options.formats, policy: policy, context: renderContext, rendered: result.files, files: files))
    if let output = options.output {
      guard result.files.count == 1, let file = result.files.first else {
        throw UsageError(
          "'--output' needs exactly one file, and this renders \(result.files.count)", command: spec.name)
      }
      // The directory must exist: a typo in it would otherwise leave the file where no one looks.
      let slash = output.lastIndex(of: "/")
      let directory = slash.map { $0 == output.startIndex ? "/" : String(output[..<$0]) } ?? "."
      if let problem = RootedFileSystem.directoryProblem(directory) {
        let reason =
          problem == "no such directory"
          ? "its directory \(directory) does not exist (polroute makes no directory for --output)"
          : directory + problem.dropFirst("it".count)
        throw FileSystemError.failed(operation: "write", path: output, reason: reason)
      }
      try RootedFileSystem().write(output, contents: Array(file.contents.utf8), mode: file.mode)
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
