import PolrouteCore
import PolrouteSystem
import Synchronization

/// A test twin of the real runner: answers `ip` read commands from recorded `ip -j` output and logs every call,
/// so tests can replay a host and assert the exact commands polroute ran.
///
/// A recording is a directory of files named after the command they answer:
/// - `addr.json` — `ip -d -j addr show`
/// - `rule-inet.json`, `rule-inet6.json` — `ip [-6] -j rule show`
/// - `route-inet-all.json`, `route-inet6-all.json` — `ip [-6] -j route show table all`
/// - `route-inet-254.json`, `route-inet6-101.json`, ... — `ip [-6] -j route show table N` (a missing file is an
///   empty table, as `ip -batch` prints for a table that has no routes)
///
/// `ip -batch -` is understood: each stdin line is answered in turn, as `ip` does.
public final class ReplayRunner: CommandRunner {
  /// Where the recordings are.
  public let directory: String
  /// Answers commands the recordings cannot (writes, failures); consulted first.
  let handler: (@Sendable (Command) -> CommandResult?)?
  /// Every command run, in order.
  private let calls = Mutex<[Command]>([])

  /// Replays the recordings in `directory`; `handler` may answer any command first.
  public init(directory: String, handler: (@Sendable (Command) -> CommandResult?)? = nil) {
    self.directory = directory
    self.handler = handler
  }

  /// The commands run so far.
  public var log: [Command] { calls.withLock { $0 } }

  /// Answers one command.
  public func run(_ command: Command, output: ((UnsafeRawBufferPointer) throws -> Void)?) throws -> CommandResult {
    calls.withLock { $0.append(command) }
    var result = handler?(command) ?? answer(command)
    if let output {
      // Hand the output over in small pieces, as a pipe would, so stream decoding is exercised on every test.
      var offset = 0
      while offset < result.output.count {
        let end = min(offset + 4093, result.output.count)
        try result.output[offset..<end].withUnsafeBytes { try output($0) }
        offset = end
      }
      result.output = []
    }
    return result
  }

  /// Interprets an `ip` command line against the recordings.
  func answer(_ command: Command) -> CommandResult {
    var arguments = command.arguments
    guard arguments.first == "ip" else { return failure("replay: no recording for `\(command)`") }
    arguments.removeFirst()
    var family = AddressFamily.inet
    var batch = false
    while let option = arguments.first, option.hasPrefix("-") {
      arguments.removeFirst()
      switch option {
      case "-4": family = .inet
      case "-6": family = .inet6
      case "-batch":
        batch = true
        if !arguments.isEmpty { arguments.removeFirst() }
      default: break
      }
    }
    let lines: [[String]] =
      batch
      ? String(decoding: command.input ?? [], as: UTF8.self).split(separator: "\n").map {
        $0.split(separator: " ").map(String.init)
      }
      : [arguments]
    var output: [UInt8] = []
    for line in lines where !line.isEmpty {
      guard let file = recordingName(line, family: family) else {
        return CommandResult(
          status: 1, output: output,
          errorOutput: Array("replay: no recording for `ip \(line.joined(separator: " "))`\n".utf8))
      }
      let path = directory + "/" + file
      if let bytes = try? RootedFileSystem().read(path) {
        output += bytes
        if bytes.last != UInt8(ascii: "\n") { output.append(UInt8(ascii: "\n")) }
      } else if file.hasPrefix("route-") && !file.hasSuffix("-all.json") {
        output += Array("[]\n".utf8)
      } else {
        return failure("replay: missing recording \(path)")
      }
    }
    return CommandResult(status: 0, output: output)
  }

  /// The recording file that answers one `ip` command, or nil for commands that are not reads.
  func recordingName(_ words: [String], family: AddressFamily) -> String? {
    switch (words.first, words.dropFirst().first) {
    case ("addr"?, "show"?), ("address"?, "show"?):
      return "addr.json"
    case ("rule"?, "show"?):
      return "rule-\(family.rawValue).json"
    case ("route"?, "show"?):
      guard words.count == 4, words[2] == "table" else { return nil }
      if words[3] == "all" { return "route-\(family.rawValue)-all.json" }
      guard let table = RoutingTableNames().resolve(words[3]) else { return nil }
      return "route-\(family.rawValue)-\(table).json"
    default:
      return nil
    }
  }

  /// A failed result with a message.
  func failure(_ message: String) -> CommandResult {
    CommandResult(status: 1, errorOutput: Array((message + "\n").utf8))
  }
}
