import PolrouteCore

/// Why changing the kernel failed; the message quotes the batch line and what `ip` said.
public enum KernelWriteError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A line of an `ip -batch` was rejected.
  case lineFailed(command: String, line: Int, text: String, message: String)
  /// `ip` failed in another way.
  case failed(command: String, status: Int32, message: String)

  /// The message shown to the user.
  public var description: String {
    switch self {
    case .lineFailed(let command, let line, let text, let message):
      return "`\(command)` line \(line) failed: \(message)\n  the line was: \(text)"
    case .failed(let command, let status, let message):
      return "`\(command)` failed with exit status \(status)" + (message.isEmpty ? "" : ": \(message)")
    }
  }
}

/// Makes kernel changes through `ip -batch -` fed on stdin: one process per family and chunk of at most
/// `chunkSize` lines (one `ip -batch` is ~70× faster than one `ip` per command).
public struct KernelWriter: Sendable {
  /// Runs `ip`.
  public let runner: any CommandRunner

  /// Writes through `runner`.
  public init(runner: any CommandRunner) {
    self.runner = runner
  }

  /// Makes the changes in order (IPv4, then IPv6); stops at the first rejected line. With `force` (a restore),
  /// every line of both families is tried and the first rejection is thrown at the end. Returns how many `ip`
  /// processes ran.
  @discardableResult
  public func write(_ changes: [KernelChange], force: Bool = false) throws -> Int {
    var processes = 0
    var firstError: (any Error)?
    for family in AddressFamily.allCases {
      do {
        processes += try write(
          lines: changes.filter { $0.family == family }.map(\.batchLine), family: family, force: force)
      } catch {
        guard force else { throw error }
        if firstError == nil { firstError = error }
      }
    }
    if let firstError { throw firstError }
    return processes
  }

  /// Runs a family's batch lines in chunks of at most `chunkSize`; `beforeEachChunk` runs first each time (a
  /// transaction stops there when a signal came). With `force`, every chunk is run and the first rejection is
  /// thrown at the end. Returns how many `ip` processes ran.
  public func write(
    lines: [String], family: AddressFamily, force: Bool = false, beforeEachChunk: () throws -> Void = {}
  ) throws -> Int {
    var processes = 0
    var firstError: (any Error)?
    for start in stride(from: 0, to: lines.count, by: Self.chunkSize) {
      try beforeEachChunk()
      processes += 1
      do {
        try run(lines: Array(lines[start..<min(start + Self.chunkSize, lines.count)]), family: family, force: force)
      } catch {
        guard force else { throw error }
        if firstError == nil { firstError = error }
      }
    }
    if let firstError { throw firstError }
    return processes
  }

  /// The most lines one `ip -batch` process gets: measured here, one batch of a million lines grows `ip` to 4 GB.
  public static let chunkSize = 10_000

  /// Runs one chunk of batch lines; with `force`, `ip` goes on past rejected lines.
  func run(lines: [String], family: AddressFamily, force: Bool = false) throws {
    let options = [family.ipOption] + (force ? ["-force"] : []) + ["-batch", "-"]
    let command = Command(["ip"] + options, inputText: lines.joined(separator: "\n") + "\n")
    let name = "ip " + options.joined(separator: " ")
    let result = try runner.run(command, output: nil)
    guard result.status != 0 else { return }
    let stderr = result.errorText
    // `ip -batch` reports "Command failed -:N" after the error text of line N (of each such line with -force).
    let errorLines = stderr.split(separator: "\n").map(String.init)
    if let marker = errorLines.firstIndex(where: { $0.hasPrefix("Command failed -:") }),
      let number = Int(errorLines[marker].dropFirst("Command failed -:".count)), number >= 1, number <= lines.count
    {
      let message = errorLines[..<marker].joined(separator: "; ")
      throw KernelWriteError.lineFailed(
        command: name, line: number, text: lines[number - 1], message: message.isEmpty ? "rejected" : message)
    }
    throw KernelWriteError.failed(command: name, status: result.status, message: stderr)
  }
}
