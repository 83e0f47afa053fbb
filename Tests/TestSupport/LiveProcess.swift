import Foundation
import PolrouteCore
import PolrouteSystem

/// A directory a test creates under the temporary directory; it is removed with its contents when the value goes
/// away, even when the test fails.
public final class TemporaryDirectory: Sendable {
  /// The directory's path.
  public let path: String

  /// Creates an empty directory named after `label`.
  public init(_ label: String) throws {
    path = FileManager.default.temporaryDirectory.appendingPathComponent("polroute-\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Writes a file below the directory (creating its parents) and returns its path.
  @discardableResult
  public func write(_ relative: String, _ contents: String) throws -> String {
    let file = path + "/" + relative
    try FileManager.default.createDirectory(
      atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
    return file
  }

  /// A file's text below the directory, or nil.
  public func read(_ relative: String) -> String? {
    TestPaths.read(path + "/" + relative)
  }
}

extension Namespace {
  /// The arguments that run polroute inside the namespace with extra environment variables (`ip netns exec` keeps
  /// the caller's environment, so they are set with `env`).
  public func polrouteCommand(_ arguments: [String], environment: [String: String]) -> [String] {
    let settings = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    return ["ip", "netns", "exec", name, "env"] + settings + [TestPaths.binary] + arguments
  }

  /// Runs the polroute binary inside the namespace with extra environment variables (`POLROUTE_RUN_DIR`).
  @discardableResult
  public func polroute(_ arguments: [String], environment: [String: String], input: String? = nil) throws
    -> CommandResult
  {
    try Live.run(polrouteCommand(arguments, environment: environment), input: input)
  }

  /// Starts polroute inside the namespace without waiting for it: stdin from /dev/null, stdout and stderr to
  /// files; with `detached`, in a new session with no controlling terminal (`setsid -w`).
  public func startPolroute(
    _ arguments: [String], environment: [String: String], detached: Bool = false
  ) throws -> BackgroundProcess {
    let command = polrouteCommand(arguments, environment: environment)
    return try BackgroundProcess(detached ? ["setsid", "-w"] + command : command)
  }
}

/// A program started in the background, with its output going to files; it is killed when the value goes away, so
/// a failing test never leaves it behind.
public final class BackgroundProcess: @unchecked Sendable {
  /// The running program.
  let process = Process()
  /// Holds the output files.
  let directory: TemporaryDirectory

  /// Starts `arguments` (the first is looked up on PATH).
  public init(_ arguments: [String]) throws {
    directory = try TemporaryDirectory("background")
    let out = try directory.write("stdout", "")
    let err = try directory.write("stderr", "")
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle(forWritingAtPath: err)
    try process.run()
  }

  deinit {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
  }

  /// Waits for the program to end (at most `seconds`, then kills it) and returns its exit status, 128 + N for
  /// a program that signal N ended.
  public func wait(seconds: Double = 60) -> Int32 {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
  }

  /// Whether it still runs.
  public var isRunning: Bool { process.isRunning }

  /// The process's id (after `ip netns exec` and `env` exec it, polroute's own).
  public var pid: Int32 { process.processIdentifier }

  /// What it wrote to stdout so far.
  public var stdout: String { directory.read("stdout") ?? "" }

  /// What it wrote to stderr so far.
  public var stderr: String { directory.read("stderr") ?? "" }
}

/// Waits until `condition` holds, checking every 20 ms; false when `seconds` pass first.
public func eventually(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if try condition() { return true }
    usleep(20_000)
  }
  return try condition()
}
