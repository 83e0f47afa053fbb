import PolrouteCore

/// Reads the kernel's traffic counters: every interface's (`ip -j -s link show`) and the route accounting of realms
/// (`/proc/net/rt_acct`), for `polroute stats`.
public struct CounterReader: Sendable {
  /// Runs `ip`.
  public let runner: any CommandRunner
  /// The host's files (`/proc/net/rt_acct`).
  public let files: any FileSystem

  /// Reads through `runner` and `files`.
  public init(runner: any CommandRunner, files: any FileSystem = RootedFileSystem()) {
    self.runner = runner
    self.files = files
  }

  /// The counters now; `realms` is nil where the kernel keeps no route accounting.
  public func read() throws -> (interfaces: [InterfaceCounters], realms: [RealmCounters]?) {
    let command = Command(["ip", "-j", "-s", "link", "show"])
    let result = try runner.check(command)
    let interfaces = try IPOutputDecoder().interfaceCounters(result.output, command: command.description)
    let realms = try files.read(RouteAccounting.path).map { bytes throws -> [RealmCounters] in
      try RouteAccounting.parse(bytes)
    }
    return (interfaces, realms)
  }
}
