import Foundation
import Testing

/// A program a test runs (shellcheck, ping, ifup, lintian, ...), with the Debian package that installs it, as
/// Tests/tools.txt lists them. A test names the programs it needs with the `.requires(...)` trait, or with
/// `TestTool.require(...)` where only some of its cases need one. A missing program skips the test and names the
/// program and the command that installs it; with `CI=true` it fails the test instead, so CI never passes by skipping.
public struct TestTool: Sendable, Hashable, CustomStringConvertible {
  /// The program's name, as it is looked up on PATH (`nc`).
  public let program: String
  /// The Debian package that installs it (`netcat-openbsd`).
  public let package: String
  /// A command that must succeed for the program to count as there, or nil when being on PATH is enough.
  public let probe: [String]?

  /// The tool for a program listed in Tests/tools.txt. A program missing from the list is a mistake in the test,
  /// and reads as a package of the same name so that the skip message still says what to install.
  public init(_ program: String) {
    let entry = Self.table[program]
    self.program = program
    package = entry?.package ?? program
    probe = entry?.probe
  }

  /// The program's name.
  public var description: String { program }

  /// Whether the program is installed: found on PATH (or in /usr/sbin and /sbin, which a user's PATH may lack) and,
  /// for a program with a probe, the probe exits 0.
  public var isInstalled: Bool {
    guard let path = Self.find(program) else { return false }
    guard let probe else { return true }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = Array(probe.dropFirst())
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
      try process.run()
      process.waitUntilExit()
      return process.terminationStatus == 0
    } catch {
      return false
    }
  }

  /// The full path of a program on PATH, /usr/sbin or /sbin.
  public static func find(_ program: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"] {
      let candidate = directory + "/" + program
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// `program [probe words...] package` lines from Tests/tools.txt, by program.
  public static let table: [String: (package: String, probe: [String]?)] = {
    var table: [String: (package: String, probe: [String]?)] = [:]
    for line in (TestPaths.read(TestPaths.packageRoot + "/Tests/tools.txt") ?? "").split(separator: "\n") {
      let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
      guard words.count >= 2, !words[0].hasPrefix("#") else { continue }
      let command = Array(words.dropLast())
      table[words[0]] = (words[words.count - 1], command.count > 1 ? command : nil)
    }
    return table
  }()

  /// Every package Tests/tools.txt names, sorted, once each.
  public static var allPackages: [String] { Set(table.values.map(\.package)).sorted() }

  /// Whether missing programs fail tests instead of skipping them (`CI=true`).
  static var strict: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

  /// What to say about missing programs: which, and how to install them.
  public static func missingMessage(_ missing: [TestTool]) -> String {
    let names = missing.map(\.program).joined(separator: ", ")
    let packages = Set(missing.map(\.package)).sorted().joined(separator: " ")
    let verb = missing.count == 1 ? "is" : "are"
    return
      "\(names) \(verb) not installed: apt-get install \(packages) "
      + "(or 'make test-deps' for every program the tests use)"
  }

  /// The tools among `tools` that are not installed, each program once.
  public static func missing(_ tools: [TestTool]) -> [TestTool] {
    var seen: Set<String> = []
    return tools.filter { seen.insert($0.program).inserted && !$0.isInstalled }
  }

  /// Inside a test: skips the rest of it (only this case of a parameterized test) when a tool is missing, naming
  /// the tools and the install command; with `CI=true` throws instead, which fails the test.
  public static func require(_ tools: TestTool..., sourceLocation: SourceLocation = #_sourceLocation) throws {
    let missing = missing(tools)
    guard !missing.isEmpty else { return }
    let message = missingMessage(missing)
    if strict { throw MissingTools(message: message) }
    // Swift Testing reports a cancelled test case as passed and drops the comment, so the reason is printed too.
    let name = Test.current.map { $0.displayName ?? $0.name } ?? "a test"
    print("\u{279C} \(name) at \(sourceLocation.fileName):\(sourceLocation.line) skipped a case: \(message)")
    try Test.cancel(Comment(rawValue: message), sourceLocation: sourceLocation)
  }

  /// iproute2's `ip`.
  public static let ip = TestTool("ip")
  /// iproute2's `ss`.
  public static let ss = TestTool("ss")
  /// procps's `sysctl`, which every namespace host uses.
  public static let sysctl = TestTool("sysctl")
  /// iputils `ping`.
  public static let ping = TestTool("ping")
  /// OpenBSD netcat.
  public static let nc = TestTool("nc")
  /// Python 3 (Tests/tools.txt installs it with its venv module).
  public static let python3 = TestTool("python3")
  /// ifupdown's `ifup`.
  public static let ifup = TestTool("ifup")
  /// ifupdown's `ifdown`.
  public static let ifdown = TestTool("ifdown")
  /// shellcheck.
  public static let shellcheck = TestTool("shellcheck")
  /// systemd's `networkctl` (systemd-networkd comes with it).
  public static let networkctl = TestTool("networkctl")
  /// `systemd-analyze`, whose `verify` checks units.
  public static let systemdAnalyze = TestTool("systemd-analyze")
  /// The D-Bus daemon the managers' sandboxes run a private system bus with.
  public static let dbusDaemon = TestTool("dbus-daemon")
  /// util-linux `nsenter`.
  public static let nsenter = TestTool("nsenter")
  /// util-linux `unshare`.
  public static let unshare = TestTool("unshare")
  /// netplan.
  public static let netplan = TestTool("netplan")
  /// NetworkManager's `nmcli`.
  public static let nmcli = TestTool("nmcli")
  /// The NetworkManager daemon.
  public static let networkManager = TestTool("NetworkManager")
  /// What every namespace host (`Namespace`, `Topology`) runs.
  public static let namespaceHost: [TestTool] = [.ip, .ss, .sysctl]
}

/// Missing programs where a test must not skip (`CI=true`).
public struct MissingTools: Error, CustomStringConvertible {
  /// Which programs and how to install them.
  public let message: String

  /// An error with its message.
  public init(message: String) {
    self.message = message
  }

  /// The message, as the failure shows it.
  public var description: String { "CI=true and " + message }
}

extension Trait where Self == ConditionTrait {
  /// Runs the test or suite only when every tool is installed; otherwise skips it, naming the missing programs and
  /// the command that installs them. With `CI=true` a missing program fails the test instead.
  public static func requires(_ tools: TestTool..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
    requires(tools, sourceLocation: sourceLocation)
  }

  /// `requires(_:)` with the tools in an array (`TestTool.namespaceHost + [.ping]`).
  public static func requires(_ tools: [TestTool], sourceLocation: SourceLocation = #_sourceLocation) -> Self {
    let missing = TestTool.missing(tools)
    let message = TestTool.missingMessage(missing)
    return .enabled(Comment(rawValue: message), sourceLocation: sourceLocation) {
      if missing.isEmpty { return true }
      if TestTool.strict { throw MissingTools(message: message) }
      return false
    }
  }
}
