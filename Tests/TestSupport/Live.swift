import Foundation
import PolrouteCore
import PolrouteSystem
import Synchronization

/// Whether live tests (real `ip`, network namespaces) can run here.
public enum Live {
  /// True as root; in CI (`CI=true`) always true, so that missing root fails loudly instead of skipping.
  /// Otherwise false, and the reason is printed once.
  public static let enabled: Bool = {
    if geteuid() == 0 || ProcessInfo.processInfo.environment["CI"] == "true" { return true }
    print(
      "polroute live tests skipped: they need root to create network namespaces (run 'sudo make test'; in CI they always run)"
    )
    return false
  }()

  /// Runs a command and returns its result without checking the status.
  @discardableResult
  public static func run(_ arguments: [String], input: String? = nil) throws -> CommandResult {
    try ProcessRunner().run(Command(arguments, input: input.map { Array($0.utf8) }), output: nil)
  }

  /// Runs a command and fails with its stderr when it exits non-zero.
  @discardableResult
  public static func check(_ arguments: [String], input: String? = nil) throws -> CommandResult {
    try ProcessRunner().check(Command(arguments, input: input.map { Array($0.utf8) }))
  }

  /// Runs a shell script with `sh -c`, failing on a non-zero status.
  @discardableResult
  public static func sh(_ script: String) throws -> CommandResult {
    try check(["sh", "-c", script])
  }
}

/// A network namespace a test creates; it is deleted when the value goes away, even when the test fails.
public final class Namespace: Sendable {
  /// A counter that makes names unique within the process.
  static let counter = Mutex(0)

  /// The namespace's name (`prt-LABEL-PID-N`, at most 32 characters).
  public let name: String

  /// Creates a namespace with its loopback up.
  public init(_ label: String) throws {
    let number = Namespace.counter.withLock { value -> Int in
      value += 1
      return value
    }
    name = String("prt-\(label)".prefix(18)) + "-\(getpid())-\(number)"
    try Live.check(["ip", "netns", "add", name])
    try ip("link set lo up")
  }

  deinit {
    delete()
  }

  /// Deletes the namespace (and with it its devices) and its /etc/netns files.
  public func delete() {
    _ = try? Live.run(["ip", "netns", "delete", name])
    try? FileManager.default.removeItem(atPath: "/etc/netns/\(name)")
  }

  /// Runs `body` on a thread of its own that has entered the namespace (`setns`), for code that opens its own
  /// sockets, such as polroute's rtnetlink readers. The thread ends with `body`, so no other thread of the test
  /// process ever runs in the namespace.
  public func inside<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
    let path = "/run/netns/\(name)"
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let finished = DispatchSemaphore(value: 0)
    let thread = Thread {
      outcome.withLock { value in
        value = Result {
          guard let setns = Self.setns else { throw NamespaceError("setns is not in the C library") }
          let fd = open(path, O_RDONLY | O_CLOEXEC)
          guard fd >= 0 else { throw NamespaceError("cannot open \(path): \(String(cString: strerror(errno)))") }
          defer { close(fd) }
          guard setns(fd, Self.newNetworkNamespace) == 0 else {
            throw NamespaceError("cannot enter \(path): \(String(cString: strerror(errno)))")
          }
          return try body()
        }
      }
      finished.signal()
    }
    thread.start()
    finished.wait()
    return try outcome.withLock { $0! }.get()
  }

  /// `CLONE_NEWNET`, which the Swift Glibc module does not export either.
  static let newNetworkNamespace: Int32 = 0x4000_0000

  /// glibc's `setns`, which the Swift Glibc module does not export.
  static let setns: (@convention(c) (Int32, Int32) -> Int32)? = {
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "setns") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
  }()

  /// Why `inside` could not enter the namespace.
  struct NamespaceError: Error, CustomStringConvertible {
    /// What failed.
    let description: String

    /// Wraps a message.
    init(_ description: String) { self.description = description }
  }

  /// Runs `ip -n NAME WORDS...` (split on spaces), failing on error.
  @discardableResult
  public func ip(_ words: String) throws -> CommandResult {
    try Live.check(["ip", "-n", name] + words.split(separator: " ").map(String.init))
  }

  /// Runs a program inside the namespace, without checking the status.
  @discardableResult
  public func exec(_ arguments: [String], input: String? = nil) throws -> CommandResult {
    try Live.run(["ip", "netns", "exec", name] + arguments, input: input)
  }

  /// Runs a program inside the namespace, failing on error.
  @discardableResult
  public func checkExec(_ arguments: [String], input: String? = nil) throws -> CommandResult {
    try Live.check(["ip", "netns", "exec", name] + arguments, input: input)
  }

  /// Sets a sysctl inside the namespace (`net.ipv4.conf.all.rp_filter=1`).
  public func sysctl(_ setting: String) throws {
    try checkExec(["sysctl", "-q", "-w", setting])
  }

  /// Connects `local` here to `remote` in another namespace with a veth pair; both ends are brought up.
  public func link(_ local: String, to other: Namespace, as remote: String) throws {
    try Live.check([
      "ip", "-n", name, "link", "add", "name", local, "type", "veth", "peer", "name", remote, "netns", other.name,
    ])
    try ip("link set \(local) up")
    try other.ip("link set \(remote) up")
  }

  /// Every rule and route of both families, as `ip` prints them: what must not change when nothing should.
  public func dump() throws -> String {
    var text = ""
    for command in ["-4 rule show", "-6 rule show", "-4 route show table all", "-6 route show table all"] {
      text += "## ip \(command)\n" + (try ip(command)).outputText
    }
    return text
  }

  /// Runs the polroute binary inside the namespace.
  @discardableResult
  public func polroute(_ arguments: [String], input: String? = nil) throws -> CommandResult {
    try exec([TestPaths.binary] + arguments, input: input)
  }
}
