import Foundation
import PolrouteCore
import PolrouteSystem

/// FRR (zebra and bgpd) for live tests: each router runs its own daemons inside a namespace, with its
/// configuration, sockets and pid files in a directory of its own, so routers never share anything. The daemons
/// are children of the test process and are killed when the value goes away, even when the test fails.
public final class FRRRouter: @unchecked Sendable {
  /// Where Debian installs the daemons.
  public static let daemonDirectory = "/usr/lib/frr"

  /// The prefix that bounds every FRR tool a test runs: a daemon that hangs must fail the test, not stall it.
  public static let bounded = ["timeout", "30"]

  /// The router's name, for messages.
  public let name: String
  /// The namespace it runs in.
  public let namespace: Namespace
  /// Its directory: frr.conf, the vty sockets, zebra's API socket, the pid files.
  public let directory: String
  /// zebra and bgpd.
  var daemons: [BackgroundProcess] = []

  /// Starts zebra, then bgpd, in `namespace`; returns once both answer vtysh. bgpd reads `config`; zebra reads it
  /// too with `zebraReadsConfig` (an integrated file's zebra commands, such as `ip forwarding`), else nothing.
  public init(
    _ name: String, in namespace: Namespace, scratch: ScratchDirectory, config: String, zebraReadsConfig: Bool = false
  ) throws {
    self.name = name
    self.namespace = namespace
    directory = try scratch.directory("frr-\(name)")
    try scratch.write("frr-\(name)/frr.conf", config)
    try scratch.write("frr-\(name)/zebra.conf", "! zebra: nothing to configure\n")
    // The daemons drop root for the frr user, which must own what they write.
    try Live.check(["chown", "-R", "frr:frr", directory])
    do {
      try start(zebraReadsConfig: zebraReadsConfig)
    } catch {
      // Killed here rather than left to deinit: a class whose initializer throws is not always deinitialized.
      stop()
      throw error
    }
  }

  deinit {
    stop()
  }

  /// Starts zebra, then bgpd, each waited for until it answers vtysh.
  func start(zebraReadsConfig: Bool) throws {
    for (daemon, file) in [("zebra", zebraReadsConfig ? "frr.conf" : "zebra.conf"), ("bgpd", "frr.conf")] {
      // -P 0: no TCP vty; vtysh talks to the sockets in the directory.
      daemons.append(
        try BackgroundProcess([
          "ip", "netns", "exec", namespace.name, Self.daemonDirectory + "/" + daemon, "-f", directory + "/" + file,
          "-i", directory + "/\(daemon).pid", "-z", directory + "/zserv.api", "--vty_socket", directory,
          "-P", "0", "--log", "stdout",
        ]))
      let ready = try eventually(seconds: 20) {
        try namespace.exec(Self.bounded + ["vtysh", "--vty_socket", directory, "-d", daemon, "-c", "show version"])
          .status == 0
      }
      if !ready { throw FRRError("\(name): \(daemon) did not answer vtysh within 20 s\n\(log)") }
    }
  }

  /// Kills the daemons (bgpd first, so zebra sees its client go).
  public func stop() {
    while !daemons.isEmpty { daemons.removeLast() }
  }

  /// What the daemons printed, for failure messages.
  public var log: String {
    daemons.map { "--- \(name) daemon log ---\n" + $0.stdout + $0.stderr }.joined()
  }

  /// Runs vtysh commands in order (`configure terminal`, ...) and returns the output; fails on an error.
  @discardableResult
  public func vtysh(_ commands: String...) throws -> String {
    let arguments = commands.flatMap { ["-c", $0] }
    let result = try namespace.exec(Self.bounded + ["vtysh", "--vty_socket", directory] + arguments)
    guard result.status == 0 else {
      throw FRRError("\(name): vtysh \(commands) failed (\(result.status)): \(result.outputText)\(result.errorText)")
    }
    return result.outputText
  }

  /// A show command's JSON.
  public func json(_ command: String) throws -> [String: Any] {
    let text = try vtysh(command)
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
      throw FRRError("\(name): '\(command)' did not print a JSON object: \(text)")
    }
    return object
  }

  /// The state of each BGP session of a family, by neighbor address (`show bgp summary json`).
  public func sessions(_ family: String = "ipv4Unicast") throws -> [String: String] {
    let peers = (try json("show bgp summary json")[family] as? [String: Any])?["peers"] as? [String: Any] ?? [:]
    return peers.compactMapValues { ($0 as? [String: Any])?["state"] as? String }
  }

  /// How many times each IPv4 session has been established, by neighbor address: a session that was reset counts
  /// once more.
  public func establishedCounts() throws -> [String: Int] {
    let peers = (try json("show bgp summary json")["ipv4Unicast"] as? [String: Any])?["peers"] as? [String: Any] ?? [:]
    return peers.compactMapValues { ($0 as? [String: Any])?["connectionsEstablished"] as? Int }
  }

  /// Applies a new configuration file to the running daemons as FRR's service does on `reload`: frr-reload.py
  /// compares it with the running configuration and sends only the difference.
  public func reload(_ file: String) throws -> CommandResult {
    try namespace.exec(
      Self.bounded + [
        "python3", Self.daemonDirectory + "/frr-reload.py", "--reload", "--stdout", "--vty_socket", directory,
        "--confdir", directory, "--rundir", directory, "--bindir", "/usr/bin", file,
      ])
  }

  /// The paths to a prefix in the BGP table (`show ip bgp PREFIX json`), best first.
  public func paths(_ prefix: String) throws -> [BGPPath] {
    let paths = try json("show ip bgp \(prefix) json")["paths"] as? [[String: Any]] ?? []
    return paths.map(BGPPath.init).sorted { $0.best && !$1.best }
  }
}

/// One path in a BGP table, as `show ip bgp PREFIX json` gives it.
public struct BGPPath: Equatable, Sendable, CustomStringConvertible {
  /// The AS path (`65066 65055`), or `Local` for the router's own.
  public var asPath: String
  /// The first next hop.
  public var nextHop: String
  /// The local preference, when the path has one.
  public var localPreference: Int?
  /// The standard communities.
  public var communities: [String]
  /// Whether it is the best path.
  public var best: Bool

  /// Reads a path object.
  init(_ object: [String: Any]) {
    asPath = (object["aspath"] as? [String: Any])?["string"] as? String ?? ""
    nextHop = ((object["nexthops"] as? [[String: Any]])?.first?["ip"] as? String) ?? ""
    localPreference = object["locPrf"] as? Int
    communities = ((object["community"] as? [String: Any])?["list"] as? [String]) ?? []
    best = ((object["bestpath"] as? [String: Any])?["overall"] as? Bool) ?? false
  }

  /// `best 65066 65055 via 203.0.113.9 lp 90` (communities are checked on their own).
  public var description: String {
    (best ? "best " : "") + "\(asPath) via \(nextHop)" + (localPreference.map { " lp \($0)" } ?? "")
  }
}

/// A failure of the FRR test harness, with what the daemons said.
public struct FRRError: Error, CustomStringConvertible {
  /// The message.
  public var description: String

  /// Builds an error.
  public init(_ description: String) {
    self.description = description
  }
}
