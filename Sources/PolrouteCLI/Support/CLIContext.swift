import PolrouteCore
import PolrouteSystem

/// What a command needs from the world, injected so the CLI can run in-process in tests.
public struct CLIContext: Sendable {
  /// Runs `ip` and other programs.
  public var runner: any CommandRunner
  /// The live host's files (`/etc`, `/proc`), for reading state.
  public var hostFiles: any FileSystem
  /// The environment variables.
  public var environment: [String: String]
  /// Standard output.
  public var stdout: any TextSink
  /// Standard error.
  public var stderr: any TextSink
  /// Whether polroute runs as root.
  public var isRoot: Bool
  /// Where a typed `yes` comes from for `apply --confirm`: the terminal on standard input, if it is one.
  public var confirmation: (any ConfirmationSource)?
  /// The polroute executable the boot unit runs; nil: the running one (`/proc/self/exe`), asked for only when a
  /// unit is rendered.
  public var executable: String?

  /// Builds a context.
  public init(
    runner: any CommandRunner, hostFiles: any FileSystem, environment: [String: String], stdout: any TextSink,
    stderr: any TextSink, isRoot: Bool, confirmation: (any ConfirmationSource)? = nil,
    executable: String? = RenderContext.installedExecutable
  ) {
    self.runner = runner
    self.hostFiles = hostFiles
    self.environment = environment
    self.stdout = stdout
    self.stderr = stderr
    self.isRoot = isRoot
    self.confirmation = confirmation
    self.executable = executable
  }

  /// The real world: spawned processes, the root file system, the process's environment and descriptors.
  public static func live() -> CLIContext {
    CLIContext(
      runner: ProcessRunner(), hostFiles: RootedFileSystem(), environment: ProcessFacts.environment(),
      stdout: FileDescriptorSink(1), stderr: FileDescriptorSink(2), isRoot: ProcessFacts.isRoot,
      confirmation: ProcessFacts.standardInputIsTerminal ? TerminalConfirmation() : nil, executable: nil)
  }

  /// The executable the boot unit runs.
  var executablePath: String { executable ?? ProcessFacts.executablePath() ?? RenderContext.installedExecutable }

  /// The colours for standard output (diffs, reports).
  var style: Style { Style(for: stdout, environment: environment) }

  /// The printer for standard error.
  var diagnostics: DiagnosticsPrinter { DiagnosticsPrinter(sink: stderr, environment: environment) }

  /// The directory of the apply lock and the confirmation handshake.
  var runDirectory: String { RunDirectory.path(in: environment) }

  /// Reads the live host.
  var reader: StateReader { StateReader(runner: runner, files: hostFiles) }
}
