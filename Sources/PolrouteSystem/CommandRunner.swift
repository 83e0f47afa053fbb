import PolrouteCore

/// A program to run: its arguments (the first names the program, found on PATH) and what to feed it on stdin.
public struct Command: Hashable, Sendable, CustomStringConvertible {
  /// The program and its arguments.
  public var arguments: [String]
  /// Bytes written to the program's standard input; nil gives it an empty one.
  public var input: [UInt8]?

  /// Builds a command.
  public init(_ arguments: [String], input: [UInt8]? = nil) {
    precondition(!arguments.isEmpty, "a command needs a program")
    self.arguments = arguments
    self.input = input
  }

  /// Builds a command whose stdin is text.
  public init(_ arguments: [String], inputText: String) {
    self.init(arguments, input: Array(inputText.utf8))
  }

  /// The command as a user would type it, each argument shell-quoted where needed.
  public var description: String { arguments.map(ShellQuoting.quote).joined(separator: " ") }
}

/// What a finished program left behind.
public struct CommandResult: Sendable, Equatable {
  /// The exit status (0 for success); for a program killed by a signal, 128 plus the signal number.
  public var status: Int32
  /// Standard output, unless it was streamed to a handler.
  public var output: [UInt8]
  /// Standard error.
  public var errorOutput: [UInt8]

  /// Builds a result.
  public init(status: Int32, output: [UInt8] = [], errorOutput: [UInt8] = []) {
    self.status = status
    self.output = output
    self.errorOutput = errorOutput
  }

  /// Standard output as text.
  public var outputText: String { String(decoding: output, as: UTF8.self) }
  /// Standard error as text, trimmed.
  public var errorText: String {
    String(decoding: errorOutput, as: UTF8.self).trimmingASCIIWhitespace()
  }
}

/// Why a program could not be run or failed; the message quotes the command, its status and its stderr.
public enum CommandError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The program could not be started.
  case launchFailed(command: String, reason: String)
  /// The program exited with a non-zero status.
  case failed(command: String, status: Int32, stderr: String)

  /// The message shown to the user.
  public var description: String {
    switch self {
    case .launchFailed(let command, let reason):
      return "cannot run `\(command)`: \(reason)"
    case .failed(let command, let status, let stderr):
      let detail = stderr.isEmpty ? "" : ": \(stderr)"
      return "`\(command)` failed with exit status \(status)\(detail)"
    }
  }
}

/// A command to run together with others, and where its standard output goes (nil: kept in the result).
public struct CommandJob {
  /// The command.
  public var command: Command
  /// Receives standard output chunk by chunk, when set.
  public var output: ((UnsafeRawBufferPointer) throws -> Void)?

  /// Builds a job.
  public init(_ command: Command, output: ((UnsafeRawBufferPointer) throws -> Void)? = nil) {
    self.command = command
    self.output = output
  }
}

/// Runs programs, and dumps the kernel's rules. The real one spawns processes and opens an rtnetlink socket; tests
/// use a recording twin that replays saved output.
public protocol CommandRunner: Sendable {
  /// Runs a command to completion. When `output` is given, standard output is handed to it chunk by chunk as it
  /// arrives (and not kept in the result); a handler error stops reading, waits for the program, and is rethrown.
  func run(_ command: Command, output: ((UnsafeRawBufferPointer) throws -> Void)?) throws -> CommandResult

  /// Runs several commands, at the same time where the runner can; the results are in the jobs' order.
  func runAll(_ jobs: [CommandJob]) throws -> [CommandResult]

  /// Whether `dumpRules` reaches the kernel; where not, rules are read through `ip -j rule show`, as a replayed
  /// host's are.
  var canDumpRules: Bool { get }

  /// The kernel's rules of a family, dumped over rtnetlink (see `NetlinkRules`); `groupNames` names interface groups.
  func dumpRules(_ family: AddressFamily, groupNames: [UInt32: String]) throws -> [Rule]

  /// Whether `lookUpRoutes` reaches the kernel; where not, probes are looked up through `ip -batch` of `route get`
  /// lines, as a replayed host's are.
  var canLookUpRoutes: Bool { get }

  /// The kernel's answers to `ip route get` questions, asked over rtnetlink (see `NetlinkRouteLookup`), in order;
  /// `CancelledError` when `cancellation` stops them first.
  func lookUpRoutes(_ lookups: [RouteLookup], cancellation: Cancellation?) throws -> [NetlinkRouteLookup.Answer]
}

extension CommandRunner {
  /// No dump: rules are read through `ip`.
  public var canDumpRules: Bool { false }

  /// Refuses: a runner that cannot dump rules is never asked to.
  public func dumpRules(_ family: AddressFamily, groupNames: [UInt32: String]) throws -> [Rule] {
    throw NetlinkSocketError(message: "this runner reaches no kernel")
  }

  /// No lookups: probes go through `ip`.
  public var canLookUpRoutes: Bool { false }

  /// Refuses: a runner that cannot look routes up is never asked to.
  public func lookUpRoutes(_ lookups: [RouteLookup], cancellation: Cancellation?) throws
    -> [NetlinkRouteLookup.Answer]
  {
    throw NetlinkSocketError(message: "this runner reaches no kernel")
  }

  /// Runs the jobs one after the other.
  public func runAll(_ jobs: [CommandJob]) throws -> [CommandResult] {
    try jobs.map { try run($0.command, output: $0.output) }
  }

  /// Runs a command and returns its output; a non-zero exit status becomes `CommandError.failed`.
  public func check(_ command: Command) throws -> CommandResult {
    let result = try run(command, output: nil)
    guard result.status == 0 else {
      throw CommandError.failed(command: command.description, status: result.status, stderr: result.errorText)
    }
    return result
  }

  /// Runs a command, streaming its output; a non-zero exit status becomes `CommandError.failed`.
  public func check(_ command: Command, output: @escaping (UnsafeRawBufferPointer) throws -> Void) throws
    -> CommandResult
  {
    let result = try run(command, output: output)
    guard result.status == 0 else {
      throw CommandError.failed(command: command.description, status: result.status, stderr: result.errorText)
    }
    return result
  }
}
