import Glibc
import Synchronization

/// Network namespaces the harness creates. Every one is registered before it is created and deleted on every way
/// out: normal end, a thrown error (main's catch), SIGINT/SIGTERM/SIGHUP (a thread that waits for them), and at the
/// next start if the harness died harder than that (names carry the pid; namespaces of dead pids are deleted).
final class Namespace: Sendable {
  /// Names created and not yet deleted, and the temporary directories to remove with them.
  static let registry = Mutex<(names: [String], directories: [String])>(([], []))
  /// Numbers names within one run.
  static let counter = Atomic<Int>(0)
  /// The prefix every name starts with: `prb-PID-N-LABEL`.
  static let prefix = "prb-"

  /// The name under /run/netns.
  let name: String

  /// Creates a namespace with loopback up; `label` says what it is for.
  init(_ label: String) throws {
    let number = Namespace.counter.add(1, ordering: .relaxed).newValue
    name = "\(Namespace.prefix)\(getpid())-\(number)-\(label)"
    Namespace.registry.withLock { $0.names.append(name) }
    try Spawn.check(["ip", "netns", "add", name])
    try ip("link set lo up")
    // Addresses are usable at once, so nothing changes in the background while a benchmark runs.
    for key in ["all", "default"] {
      try ip("netns exec \(name) sysctl -q -w net.ipv6.conf.\(key).accept_dad=0", raw: true)
    }
  }

  /// Runs `ip -n NAME WORDS` (split on spaces), failing on error.
  @discardableResult
  func ip(_ words: String, input: [UInt8]? = nil, raw: Bool = false) throws -> RunResult {
    let split = words.split(separator: " ").map(String.init)
    return try Spawn.check(raw ? ["ip"] + split : ["ip", "-n", name] + split, input: input)
  }

  /// Connects `local` here to `remote` in `other` with a veth pair, both ends up.
  func link(_ local: String, to other: Namespace, as remote: String) throws {
    try Spawn.check([
      "ip", "-n", name, "link", "add", "name", local, "type", "veth", "peer", "name", remote, "netns", other.name,
    ])
    try ip("link set \(local) up")
    try other.ip("link set \(remote) up")
  }

  /// Deletes the namespace (and with it its devices). With `flushMain`, empties main first: deleting a namespace
  /// frees its routes in a kernel worker after `ip netns delete` has returned, which with a million routes costs
  /// seconds of CPU that would land in the next benchmark; a flush does that work now, synchronously.
  func delete(flushMain: Bool = false) {
    if flushMain { _ = try? Spawn.run(["ip", "-n", name, "route", "flush", "table", "main"]) }
    _ = try? Spawn.run(["ip", "netns", "delete", name])
    Namespace.registry.withLock { $0.names.removeAll { $0 == name } }
  }

  /// Deletes every registered namespace and temporary directory (after an error or a signal).
  static func deleteAll() {
    // The lock is held throughout, so a signal arriving during the main thread's own cleanup waits for it.
    registry.withLock { registered in
      NetnsSwitch.leave()
      for name in registered.names { _ = try? Spawn.run(["ip", "netns", "delete", name]) }
      for directory in registered.directories { _ = try? Spawn.run(["rm", "-rf", "--", directory]) }
      registered = ([], [])
    }
  }

  /// The prefix of the harness's temporary directories in /tmp: `polroute-bench.PID.XXXXXX`.
  static let temporaryPrefix = "polroute-bench."

  /// Deletes namespaces and temporary directories left by earlier runs whose process is gone (killed with SIGKILL,
  /// or crashed).
  static func deleteStale() {
    for name in staleEntries(in: "/run/netns", prefix: prefix, separator: "-") {
      log("deleting namespace \(name) left by an earlier run")
      _ = try? Spawn.run(["ip", "netns", "delete", name])
    }
    for name in staleEntries(in: "/tmp", prefix: temporaryPrefix, separator: ".") {
      _ = try? Spawn.run(["rm", "-rf", "--", "/tmp/" + name])
    }
  }

  /// Names in `directory` that are `PREFIX PID SEPARATOR ...` for a pid that no longer exists.
  static func staleEntries(in path: String, prefix: String, separator: Character) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var stale: [String] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != separator }) else {
        continue
      }
      if kill(pid, 0) != 0 && errno == ESRCH { stale.append(name) }
    }
    return stale
  }

  /// Registers a temporary directory to remove on the way out.
  static func registerDirectory(_ path: String) {
    registry.withLock { $0.directories.append(path) }
  }
}

/// Moves the harness's main thread into a namespace with setns(2), so that everything it spawns runs there.
/// Polroute and its baselines are started the same way, with no `ip netns exec` (which unshares a mount namespace
/// and remounts /sys on every call) in the timed path.
enum NetnsSwitch {
  /// CLONE_NEWNET.
  static let newNet: Int32 = 0x4000_0000
  /// A descriptor on the namespace the harness started in; set once at start, before anything else runs.
  nonisolated(unsafe) static var home: Int32 = -1

  /// Remembers the starting namespace; call once at start, on the main thread.
  static func setUp() throws {
    home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
    guard home >= 0 else { throw SpawnError(description: "cannot open /proc/thread-self/ns/net") }
  }

  /// Enters `namespace` (this thread only; children spawned from it inherit it).
  static func enter(_ namespace: Namespace) throws {
    let fd = open("/run/netns/\(namespace.name)", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SpawnError(description: "cannot open /run/netns/\(namespace.name)") }
    defer { close(fd) }
    guard systemSetns(fd, newNet) == 0 else {
      throw SpawnError(description: "setns into \(namespace.name): \(String(cString: strerror(errno)))")
    }
  }

  /// Returns to the starting namespace.
  static func leave() {
    if home >= 0 { _ = systemSetns(home, newNet) }
  }

  /// Runs `body` inside `namespace`, and leaves it again whatever happens.
  static func inside<T>(_ namespace: Namespace, _ body: () throws -> T) throws -> T {
    try enter(namespace)
    defer { leave() }
    return try body()
  }
}

/// Blocks SIGINT, SIGTERM and SIGHUP in the harness and starts a thread that waits for them, deletes the
/// namespaces and exits. Call first thing, before any other thread exists, so every thread inherits the mask.
func installSignalCleanup() {
  var signals = sigset_t()
  sigemptyset(&signals)
  for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, signal) }
  pthread_sigmask(SIG_BLOCK, &signals, nil)
  var thread = pthread_t()
  pthread_create(
    &thread, nil,
    { _ in
      var signals = sigset_t()
      sigemptyset(&signals)
      for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, signal) }
      var received: Int32 = 0
      sigwait(&signals, &received)
      log("\(received == SIGINT ? "interrupted" : "signal \(received)"): deleting the benchmark namespaces")
      Namespace.deleteAll()
      _exit(128 + received)
    }, nil)
}

/// Progress on stderr.
func log(_ message: String) {
  let line = "polroute-bench: " + message + "\n"
  _ = line.withCString { write(2, $0, strlen($0)) }
}
