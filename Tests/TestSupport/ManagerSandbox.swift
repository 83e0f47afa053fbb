import Foundation
import PolrouteCore
import PolrouteSystem

/// A network manager (systemd-networkd or NetworkManager) run for real inside a test's network namespace, in a
/// mount namespace of its own: /sys remounted read-only (so the daemon knows it is in a container and does not wait
/// for udev), a private /run of mode 0755 with a private D-Bus system bus, and the daemon's configuration
/// directories bind-mounted from `root`, a scratch tree laid out like the host's / so that `polroute ... --root`
/// writes where the daemon reads:
///
/// - `root/etc/systemd/network` at /run/systemd/network (networkd reads drop-ins for a file in any of its
///   directories, so polroute's `/etc/systemd/network/NAME.network.d` reaches the files there), and
///   `root/etc/systemd/networkd.conf.d` at /run/systemd/networkd.conf.d;
/// - `root/etc/NetworkManager/system-connections` and `root/var/lib/NetworkManager` at their places;
/// - `root/etc/iproute2`, a copy of the machine's, at /etc/iproute2, so polroute reads back the names it wrote.
///
/// Nothing of the machine's own configuration is touched. The daemon and its bus are killed when the value goes
/// away, even when the test fails; every wait on them is bounded.
public final class ManagerSandbox: @unchecked Sendable {
  /// Which daemon.
  public enum Daemon: String, Sendable {
    /// /lib/systemd/systemd-networkd.
    case networkd
    /// /usr/sbin/NetworkManager.
    case networkManager
  }

  /// The namespace the daemon configures.
  public let namespace: Namespace
  /// The scratch tree laid out like /.
  public let root: ScratchDirectory
  /// The daemon.
  public let daemon: Daemon
  /// The running daemon's process id, while it runs. It is started from a shell that leaves it behind (so that
  /// nothing of this process waits on it) and is watched through /proc.
  var pid: Int32?

  /// Prepares the tree (its directories empty) for a daemon in `namespace`.
  public init(_ daemon: Daemon, in namespace: Namespace, label: String) throws {
    self.daemon = daemon
    self.namespace = namespace
    root = try ScratchDirectory(label)
    // A copy of the machine's /etc/iproute2 (rt_tables, rt_protos) takes its place, so that the names polroute
    // writes to rt_tables.d are read back there, whether or not the machine has rt_tables.d.
    try root.directory("etc")
    try FileManager.default.copyItem(atPath: "/etc/iproute2", toPath: root.path + "/etc/iproute2")
    for directory in [
      "etc/systemd/network", "etc/systemd/networkd.conf.d", "etc/NetworkManager/system-connections",
      "var/lib/NetworkManager", "etc/iproute2/rt_tables.d", "etc/netplan", "nm-conf.d", "state",
    ] {
      try root.directory(directory)
    }
    try root.write("NetworkManager.conf", "[main]\nplugins=keyfile\nno-auto-default=*\n[logging]\nlevel=WARN\n")
  }

  deinit {
    stop()
  }

  /// Writes a file of the tree (`etc/systemd/network/10-data.network`).
  @discardableResult
  public func write(_ path: String, _ contents: String, mode: Int = 0o644) throws -> String {
    try root.write(path, contents, mode: mode)
  }

  /// A command the start script runs before the daemon, in its namespaces (`netplan generate`, as at boot).
  public var beforeStart: String?

  /// The shell script that builds the mount namespace and becomes the daemon.
  var script: String {
    let tree = root.path
    var lines =
      [
        "set -e",
        "mount -o remount,ro /sys",
        "mount -t tmpfs -o mode=0755 tmpfs /run",
        "mkdir -p /run/dbus /run/systemd/network /run/systemd/networkd.conf.d /run/systemd/netif/links "
          + "/run/systemd/netif/leases /run/systemd/netif/lldp",
        "chown -R systemd-network:systemd-network /run/systemd/netif",
        "mount --bind \(tree)/etc/systemd/network /run/systemd/network",
        "mount --bind \(tree)/etc/systemd/networkd.conf.d /run/systemd/networkd.conf.d",
        "if [ -d /etc/NetworkManager/system-connections ]; then",
        "  mount --bind \(tree)/etc/NetworkManager/system-connections /etc/NetworkManager/system-connections",
        "fi",
        "if [ -d /var/lib/NetworkManager ]; then mount --bind \(tree)/var/lib/NetworkManager /var/lib/NetworkManager; fi",
        "mount --bind \(tree)/etc/iproute2 /etc/iproute2",
        "if [ -d /etc/netplan ]; then mount --bind \(tree)/etc/netplan /etc/netplan; fi",
        "dbus-daemon --system --fork --print-pid=3 3>\(tree)/state/dbus.pid",
      ] + (beforeStart.map { [$0] } ?? [])
    switch daemon {
    case .networkd:
      lines.append("exec /lib/systemd/systemd-networkd")
    case .networkManager:
      lines.append(
        "exec /usr/sbin/NetworkManager --no-daemon --config=\(tree)/NetworkManager.conf "
          + "--config-dir=\(tree)/nm-conf.d --state-file=\(tree)/state/NetworkManager.state")
    }
    return lines.joined(separator: "\n")
  }

  /// Starts the daemon, and waits (at most `seconds`) until it has configured `links`: networkd's link state says
  /// `ADMIN_STATE=configured`, NetworkManager's device state names a connection.
  public func start(configuring links: [String], seconds: Double = 20) throws {
    stop()
    try root.write("state/start.sh", script)
    try root.write("state/daemon.log", "")
    // `ip netns exec`, `unshare` and the script's last `exec` each replace the process: `$!` is the daemon's.
    let started = try Live.check([
      "sh", "-c",
      "ip netns exec \(namespace.name) unshare --mount --propagation private sh \(root.path)/state/start.sh "
        + "</dev/null >>\(root.path)/state/daemon.log 2>&1 & echo $!",
    ])
    pid = Int32(started.outputText.trimmingCharacters(in: .whitespacesAndNewlines))
    let ready = try eventually(seconds: seconds) {
      guard isRunning else { return true }
      return try links.allSatisfy(isConfigured)
    }
    guard isRunning else { throw SandboxError("\(daemon.rawValue) ended at start: \(log)") }
    guard ready else {
      throw SandboxError(
        "\(daemon.rawValue) did not configure \(links.joined(separator: ", ")) within \(seconds) s: "
          + log.suffix(2000))
    }
  }

  /// Whether the daemon still runs (a process that ended, even one no one reaped, does not).
  public var isRunning: Bool {
    guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
      return false
    }
    // `PID (COMM) STATE ...`: Z is a process that ended.
    return !(status.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true)
  }

  /// Whether the daemon has configured a link, from its own state files.
  public func isConfigured(_ link: String) throws -> Bool {
    guard let pid else { return false }
    let index = try namespace.ip("-j link show dev \(link)").outputText
    guard
      let number = index.split(separator: ",").first(where: { $0.contains("\"ifindex\"") })?
        .split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) })
    else { return false }
    switch daemon {
    case .networkd:
      let state = (try? String(contentsOfFile: "/proc/\(pid)/root/run/systemd/netif/links/\(number)", encoding: .utf8))
      return state?.contains("ADMIN_STATE=configured") ?? false
    case .networkManager:
      let state = try? String(contentsOfFile: "/proc/\(pid)/root/run/NetworkManager/devices/\(number)", encoding: .utf8)
      return state?.contains("connection-uuid=") ?? false
    }
  }

  /// Runs a program in the daemon's network and mount namespaces (where it sees the daemon's /run and the tree).
  @discardableResult
  public func run(_ arguments: [String], input: String? = nil) throws -> CommandResult {
    guard let pid, isRunning else { throw SandboxError("\(daemon.rawValue) is not running: \(log.suffix(2000))") }
    return try Live.run(["nsenter", "-t", String(pid), "-m", "-n"] + arguments, input: input)
  }

  /// Runs the polroute binary in the daemon's namespaces.
  @discardableResult
  public func polroute(_ arguments: [String]) throws -> CommandResult {
    try run(["env", "POLROUTE_RUN_DIR=\(root.path)/state/run", TestPaths.binary] + arguments)
  }

  /// What the daemon printed so far.
  public var log: String { root.read("state/daemon.log") ?? "" }

  /// Stops the daemon (SIGTERM, then SIGKILL after 10 s) and its bus.
  public func stop() {
    if let pid, isRunning {
      kill(pid, SIGTERM)
      if !eventually(seconds: 10, { !isRunning }) {
        kill(pid, SIGKILL)
        _ = eventually(seconds: 5) { !isRunning }
      }
    }
    pid = nil
    if let text = root.read("state/dbus.pid"), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
      pid > 1
    {
      kill(pid, SIGTERM)
      try? FileManager.default.removeItem(atPath: root.path + "/state/dbus.pid")
    }
  }
}

extension Namespace {
  /// What a reboot leaves of the links' configuration: links down, no addresses, main empty, no tables but the
  /// kernel's, only the kernel's three rules per family. Every manager then starts from nothing, as at boot.
  public func rebootNetwork(links: [String]) throws {
    for link in links {
      try ip("link set \(link) down")
      try ip("addr flush dev \(link)")
    }
    func objects(_ command: String) throws -> [[String: Any]] {
      (try JSONSerialization.jsonObject(with: Data(try ip(command).output)) as? [[String: Any]]) ?? []
    }
    for family in ["-4", "-6"] {
      // Every table but local (the loopback's routes live there).
      var tables: Set<String> = ["main"]
      for route in try objects("\(family) -j route show table all") {
        if let table = route["table"] as? String, table != "local" { tables.insert(table) }
      }
      for table in tables.sorted() {
        try Live.run(["ip", "-n", name, family, "route", "flush", "table", table])
      }
      for rule in try objects("\(family) -j rule show") {
        guard let priority = rule["priority"] as? Int, ![0, 32766, 32767].contains(priority) else { continue }
        try ip("\(family) rule del priority \(priority)")
      }
    }
  }
}

/// A sandbox that could not be set up.
public struct SandboxError: Error, CustomStringConvertible {
  /// What went wrong.
  public var description: String

  /// Wraps a message.
  public init(_ description: String) {
    self.description = description
  }
}
