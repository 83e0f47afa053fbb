import Foundation
import Glibc
import PolrouteCore
import PolrouteSystem

/// `polroute watch`: follow `ip monitor` and converge each uplink that changed, debounced.
enum WatchCommand: Subcommand {
  /// `--debounce`.
  static let debounce = OptionSpec(
    "debounce", value: "milliseconds",
    help: "Converge once no change has come for this long (default: 300; at most 5 times as long after the first).")
  /// `--wait`.
  static let wait = OptionSpec(
    "wait", value: "seconds", help: "How long each apply waits for another apply to finish (default: 30).")

  /// The command's description.
  static let spec = CommandSpec(
    name: "watch",
    abstract: "Follow the kernel's link, address and route changes and converge each uplink that changed.",
    discussion: """
      Runs 'ip -o monitor link address route' and, for every interface whose link, global addresses or routes in \
      main change (a DHCP lease, a link going down or up, an interface appearing or going away), runs 'polroute \
      apply --interface IFACE' once the changes have settled. polroute's own tables are not followed, so its own \
      changes never wake it. It covers what the network managers' hooks do not: an address or route set by hand, \
      a manager without a hook. Needs root; runs until it is stopped (polroute-watch.service runs it).
      """,
    options: [CommonOptions.policy, debounce, wait])

  /// Watches until `ip monitor` ends.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let quiet = try arguments.value(debounce).map(milliseconds) ?? 300
    let waitSeconds =
      try arguments.value(wait).map { text throws(UsageError) in
        try ApplyCommand.seconds(text, option: wait, allowZero: true)
      } ?? 30
    guard context.isRoot else {
      throw ApplyRefusal("polroute watch changes the kernel's routing and must run as root")
    }
    let executable = try selfExecutable()
    var applyArguments = ["apply", "--wait", String(waitSeconds)]
    if let policy = arguments.value(CommonOptions.policy) { applyArguments += ["--policy", policy] }

    // SIGTERM (systemctl stop), SIGINT and SIGHUP end the watch between applies, and the monitor with it.
    SignalWatch.install()
    let events = MonitorEvents(quiet: quiet)
    let monitor = Command(["ip", "-o", "monitor", "link", "address", "route"])
    let runner = context.runner
    let reader = Thread {
      let outcome = Result { try runner.run(monitor, output: { events.feed($0) }) }
      events.finish(outcome)
    }
    reader.start()
    context.stdout.write("polroute watch: following \(monitor)\n")
    while let names = events.next(stop: { SignalWatch.received != nil }) {
      let command = Command([executable] + applyArguments + names.flatMap { ["--interface", $0] })
      let result = try runner.run(command, output: nil)
      let output = (result.outputText + result.errorText).split(separator: "\n").map { "  " + $0 }
      let what = "apply --interface " + names.joined(separator: " --interface ")
      var line = "polroute watch: \(names.joined(separator: ", ")) changed: \(what)"
      line +=
        result.status == 0 ? " done\n" : " failed (exit \(result.status))\n" + output.joined(separator: "\n") + "\n"
      context.stdout.write(line)
    }
    if let signal = SignalWatch.received {
      ChildProcesses.terminateAll()
      context.stdout.write("polroute watch: stopped by \(SignalWatch.name(signal))\n")
      return .success
    }
    throw ApplyRefusal("'\(monitor)' ended: \(events.ending)")
  }

  /// `--debounce`'s milliseconds: digits only, at most a minute.
  static func milliseconds(_ text: String) throws(UsageError) -> Int64 {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(text), value <= 60_000
    else {
      throw UsageError(
        "'--debounce' needs a number of milliseconds from 0 to 60000, not '\(MessageText.quoted(text))'",
        command: spec.name)
    }
    return value
  }

  /// The running executable's path, so each apply runs the same polroute.
  static func selfExecutable() throws -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard count > 0 else { throw ApplyRefusal("cannot read /proc/self/exe: \(String(cString: strerror(errno)))") }
    return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

/// The changes `ip monitor` reports, handed from its reading thread to the applying one, debounced.
final class MonitorEvents: @unchecked Sendable {
  /// Guards everything below.
  private let condition = NSCondition()
  /// The interfaces waiting to be converged.
  private var pending: PendingInterfaces
  /// The bytes of a line not yet ended.
  private var partial: [UInt8] = []
  /// Why the monitor ended, once it has.
  private(set) var ending: String = ""
  /// Whether the monitor ended.
  private var ended = false

  /// Debounces by `quiet` milliseconds (at most five times that after the first change).
  init(quiet: Int64) {
    pending = PendingInterfaces(quiet: quiet, longest: 5 * quiet)
  }

  /// Takes a chunk of the monitor's output (on the reading thread).
  func feed(_ chunk: UnsafeRawBufferPointer) {
    condition.lock()
    defer { condition.unlock() }
    partial.append(contentsOf: chunk)
    while let end = partial.firstIndex(of: 0x0A) {
      let line = String(decoding: partial[..<end], as: UTF8.self)
      partial.removeSubrange(...end)
      if let name = MonitorLine.interface(line[...]) { pending.add(name, at: monotonicMilliseconds()) }
    }
    condition.signal()
  }

  /// Notes that the monitor ended, and how (on the reading thread).
  func finish(_ outcome: Result<CommandResult, any Error>) {
    condition.lock()
    defer { condition.unlock() }
    switch outcome {
    case .success(let result): ending = "exit \(result.status): \(result.errorText)"
    case .failure(let error): ending = "\(error)"
    }
    ended = true
    condition.signal()
  }

  /// The next interfaces to converge, once due; nil when the monitor has ended or `stop` says so (asked at least
  /// every 200 ms).
  func next(stop: () -> Bool) -> [String]? {
    condition.lock()
    defer { condition.unlock() }
    while true {
      if ended || stop() { return nil }
      let now = monotonicMilliseconds()
      let due = pending.takeDue(at: now)
      if !due.isEmpty { return due }
      let wake = min(pending.dueAt ?? now + 200, now + 200)
      _ = condition.wait(until: Date(timeIntervalSinceNow: Double(wake - now) / 1000))
    }
  }
}
