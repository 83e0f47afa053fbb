import Foundation
import PolrouteCore
import PolrouteSystem
import Synchronization

/// A scripted kernel behind the `CommandRunner` protocol: it holds a host's interfaces, rules and routes, answers
/// the `ip -j` reads polroute makes by encoding them, and carries out the `ip -batch` lines polroute writes, refusing
/// what the kernel refuses ("File exists", "No such process"). Tests drive apply, verification and rollback through
/// it without root, and make any step fail on purpose.
public final class FakeKernel: CommandRunner {
  /// What the kernel holds and what happened to it.
  struct Store {
    /// The host as it is now.
    var state: HostState
    /// Every command run, in order.
    var log: [Command] = []
  }

  /// The store, guarded: the state reader runs its commands from one thread, but tests may look from another.
  private let store: Mutex<Store>
  /// Answers a command instead of the kernel (by its 1-based index among all commands run), to inject a failure.
  let intercept: (@Sendable (_ index: Int, _ command: Command) -> CommandResult?)?
  /// Refuses a batch line with the message returned, as the kernel would.
  let rejectLine: (@Sendable (_ line: String) -> String?)?
  /// Changes the state after each write batch, as another tool acting behind polroute's back would.
  let afterWrite: (@Sendable (inout HostState) -> Void)?
  /// The interface counters `ip -j -s link show` answers with (zero for an interface not named).
  let counters: [String: InterfaceCounters]
  /// The table names `ip` prints instead of numbers in `route get` answers, as the host's rt_tables give them.
  let tableNames: [UInt32: String]

  /// A kernel holding `state`; the hooks script failures.
  public init(
    _ state: HostState, intercept: (@Sendable (Int, Command) -> CommandResult?)? = nil,
    rejectLine: (@Sendable (String) -> String?)? = nil, afterWrite: (@Sendable (inout HostState) -> Void)? = nil,
    counters: [String: InterfaceCounters] = [:], tableNames: [UInt32: String] = [:]
  ) {
    store = Mutex(Store(state: state))
    self.intercept = intercept
    self.rejectLine = rejectLine
    self.afterWrite = afterWrite
    self.counters = counters
    self.tableNames = tableNames
  }

  /// The host as the kernel holds it now.
  public var state: HostState { store.withLock { $0.state } }

  /// Every command run so far.
  public var log: [Command] { store.withLock { $0.log } }

  /// Changes the host behind polroute's back, as a DHCP client or a link going down would.
  public func change(_ body: (inout HostState) -> Void) {
    store.withLock { body(&$0.state) }
  }

  /// The write batches run so far (`ip -4 -batch -` and `ip -6 -force -batch -`, not the `-j` reads).
  public var writes: [Command] { log.filter { $0.arguments.contains("-batch") && !$0.arguments.contains("-j") } }

  /// Runs one command against the store.
  public func run(_ command: Command, output: ((UnsafeRawBufferPointer) throws -> Void)?) throws -> CommandResult {
    let index = store.withLock { store -> Int in
      store.log.append(command)
      return store.log.count
    }
    var result = intercept?(index, command) ?? answer(command)
    if let output {
      try result.output.withUnsafeBytes { try output($0) }
      result.output = []
    }
    return result
  }

  /// What the kernel answers.
  func answer(_ command: Command) -> CommandResult {
    let arguments = command.arguments
    if arguments.first == "sysctl" { return setSettings(arguments) }
    guard arguments.first == "ip" else { return Self.failure("fake kernel: cannot run \(command)") }
    if arguments == ["ip", "-V"] {
      return CommandResult(status: 0, output: Array("ip utility, iproute2-6.1.0\n".utf8))
    }
    if arguments == ["ip", "-d", "-j", "addr", "show"] {
      return CommandResult(status: 0, output: IPJSON.interfaces(state.interfaces))
    }
    if arguments == ["ip", "-j", "-s", "link", "show"] {
      return CommandResult(status: 0, output: IPJSON.counters(state.interfaces.map(\.name), counters))
    }
    guard arguments.contains("-batch") else { return Self.failure("fake kernel: cannot run \(command)") }
    let family: AddressFamily = arguments.contains("-6") ? .inet6 : .inet
    let force = arguments.contains("-force")
    let lines = String(decoding: command.input ?? [], as: UTF8.self).split(separator: "\n").map(String.init)
    var output: [UInt8] = []
    var errors = ""
    for (number, line) in lines.enumerated() {
      let outcome = store.withLock { store in perform(line, family: family, state: &store.state) }
      switch outcome {
      case .success(let printed): output += printed
      case .failure(let failure):
        errors += "\(failure.message)\nCommand failed -:\(number + 1)\n"
        if !force { return CommandResult(status: 1, output: output, errorOutput: Array(errors.utf8)) }
      }
    }
    if !arguments.contains("-j"), let afterWrite { store.withLock { afterWrite(&$0.state) } }
    return CommandResult(status: errors.isEmpty ? 0 : 1, output: output, errorOutput: Array(errors.utf8))
  }

  /// `sysctl -q -w PATH=VALUE...`: sets settings the state has (by path under /proc/sys), refusing unknown ones as
  /// sysctl does ("cannot stat /proc/sys/...: No such file or directory") and setting the others.
  func setSettings(_ arguments: [String]) -> CommandResult {
    guard arguments.count > 3, arguments[1...2] == ["-q", "-w"] else {
      return Self.failure("fake kernel: cannot run \(arguments.joined(separator: " "))")
    }
    var errors = ""
    store.withLock { store in
      var settings = store.state.kernelSettings ?? [:]
      for assignment in arguments.dropFirst(3) {
        let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, settings[parts[0]] != nil else {
          errors += "sysctl: cannot stat /proc/sys/\(parts[0]): No such file or directory\n"
          continue
        }
        settings[parts[0]] = parts[1]
      }
      store.state.kernelSettings = settings
    }
    return CommandResult(status: errors.isEmpty ? 0 : 255, output: [], errorOutput: Array(errors.utf8))
  }

  /// Why a line failed, as `ip` prints it.
  struct LineFailure: Error {
    /// The message.
    let message: String
  }

  /// Carries out one batch line.
  func perform(_ line: String, family: AddressFamily, state: inout HostState) -> Result<[UInt8], LineFailure> {
    if let message = rejectLine?(line) { return .failure(LineFailure(message: message)) }
    let request: BatchLine.Request
    do {
      request = try BatchLine.parse(line, family: family)
    } catch {
      return .failure(LineFailure(message: "fake kernel: \(error)"))
    }
    switch request {
    case .show(let text):
      if text.hasPrefix("rule") {
        return .success(IPJSON.rules(state.rules.filter { $0.family == family }))
      }
      return .success(IPJSON.routes(state.routes.filter { $0.family == family }))
    case .routeGet(let destination, let source):
      return Self.lookup(destination, from: source, family: family, state: state).map { answer in
        var answer = answer
        if let table = (answer["table"] as? String).flatMap(UInt32.init), let name = tableNames[table] {
          answer["table"] = name
        }
        return IPJSON.encode([answer])
      }
    case .replaceRoute(var route):
      if let device = route.device, state.interface(named: device) == nil {
        return .failure(LineFailure(message: "Cannot find device \"\(device)\""))
      }
      // The kernel stores an IPv6 route given metric 0 with its default metric.
      if route.family == .inet6 && route.metric == 0 { route.metric = 1024 }
      if let index = state.routes.firstIndex(where: { $0.key == route.key }) {
        state.routes[index] = route
      } else {
        state.routes.append(route)
      }
      return .success([])
    case .deleteRoute(let route):
      guard
        let index = state.routes.firstIndex(where: {
          $0.family == route.family && $0.table == route.table && $0.destination == route.destination
            && $0.source == route.source && $0.type == route.type && (route.device == nil || $0.device == route.device)
            && ($0.metric == route.metric || route.metric == (route.family == .inet6 ? 1024 : 0))
        })
      else { return .failure(LineFailure(message: "RTNETLINK answers: No such process")) }
      state.routes.remove(at: index)
      return .success([])
    case .addRule(let rule):
      if state.rules.contains(rule) { return .failure(LineFailure(message: "RTNETLINK answers: File exists")) }
      // A rule goes after every rule of its family with the same or a lower priority, as the kernel inserts it.
      let index =
        state.rules.lastIndex { $0.family == family && $0.priority <= rule.priority }.map { $0 + 1 }
        ?? state.rules.firstIndex { $0.family == family } ?? state.rules.count
      state.rules.insert(rule, at: index)
      return .success([])
    case .deleteRule(let rule):
      guard let index = state.rules.firstIndex(of: rule) else {
        return .failure(LineFailure(message: "RTNETLINK answers: No such file or directory"))
      }
      state.rules.remove(at: index)
      return .success([])
    }
  }

  /// `ip route get DEST from SRC`: the kernel's answer as polroute's flow simulator gives it (the simulator agrees
  /// with the real kernel's `ip route get`, as Tests/LiveTests/TraceDifferentialLiveTests.swift shows).
  static func lookup(_ destination: IPAddress, from source: IPAddress?, family: AddressFamily, state: HostState)
    -> Result<[String: Any], LineFailure>
  {
    let trace = FlowSimulator(state: state).trace(Flow(source: source, destination: destination))
    switch trace.outcome {
    case .egress(let egress):
      var answer: [String: Any] = [
        "dst": destination.description, "dev": egress.device, "table": String(egress.table), "flags": [String](),
      ]
      if egress.type != .unicast { answer["type"] = egress.type.rawValue }
      if let gateway = egress.gateway { answer["gateway"] = gateway.description }
      if let source = egress.source { answer["prefsrc"] = source.description }
      return .success(answer)
    case .rejected(let rejection):
      return .failure(LineFailure(message: "RTNETLINK answers: \(rejection.error.kernelMessage)"))
    }
  }

  /// A failed command with a message.
  static func failure(_ message: String) -> CommandResult {
    CommandResult(status: 1, errorOutput: Array((message + "\n").utf8))
  }
}
