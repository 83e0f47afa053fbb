import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// A server to apply to: a dual-homed topology, a run directory of its own (the lock and the confirmation
/// handshake, so tests never share them), and a directory for policy files and roots.
final class ApplyHost: @unchecked Sendable {
  /// The namespaces.
  let topology: Topology
  /// `POLROUTE_RUN_DIR` for every polroute this test runs.
  let run: TemporaryDirectory
  /// Policy files and `--root` directories.
  let files: TemporaryDirectory

  /// Builds the dual-homed topology (`Topology.dualHomed`).
  init(_ label: String, dualStack: Bool = false) throws {
    topology = try Topology.dualHomed(label, dualStack: dualStack)
    run = try TemporaryDirectory("run-\(label)")
    files = try TemporaryDirectory("files-\(label)")
    // `--root` must name a directory that exists.
    try FileManager.default.createDirectory(atPath: files.path + "/root", withIntermediateDirectories: true)
  }

  /// The server.
  var server: Namespace { topology.server }

  /// The environment polroute runs with.
  var environment: [String: String] { ["POLROUTE_RUN_DIR": run.path] }

  /// Runs `polroute ARGUMENTS` on the server.
  @discardableResult
  func polroute(_ arguments: [String]) throws -> CommandResult {
    try server.polroute(arguments, environment: environment)
  }

  /// Starts `polroute ARGUMENTS` on the server in the background.
  func start(_ arguments: [String], detached: Bool = false) throws -> BackgroundProcess {
    try server.startPolroute(arguments, environment: environment, detached: detached)
  }

  /// Writes a policy file and returns its path.
  func policy(_ text: String, name: String = "policy.conf") throws -> String {
    try files.write(name, text)
  }

  /// `polroute plan --detailed-exitcode` with a policy: 0 when the kernel matches it, 2 when changes are pending.
  func planStatus(_ policy: String) throws -> Int32 {
    try polroute(["plan", "--policy", policy, "--detailed-exitcode"]).status
  }

  /// The pid of the apply waiting for confirmation, from `RUN/pending`, once it is written.
  func waitingApply() throws -> Int32 {
    let path = run.path + "/pending"
    try #require(eventually { FileManager.default.fileExists(atPath: path) }, "no apply started waiting")
    let text = try #require(TestPaths.read(path))
    return try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
  }

  /// The environment for a polroute whose `ip` is a wrapper: it passes everything to the real `ip` and, right after
  /// the first IPv4 write batch, runs `ip ACTION` once, as another daemon or a failing link could. `marker` is
  /// created when it did.
  func ipWrapper(_ action: String) throws -> (environment: [String: String], marker: String) {
    let real = try Live.check(["sh", "-c", "command -v ip"]).outputText.trimmingCharacters(in: .whitespacesAndNewlines)
    let marker = files.path + "/wrapper-ran"
    let wrapper = try files.write(
      "bin/ip",
      """
      #!/bin/sh
      \(real) "$@"
      status=$?
      if [ "$*" = "-4 -batch -" ] && [ ! -e \(marker) ]; then
        : > \(marker)
        \(real) \(action)
      fi
      exit $status

      """)
    try Live.check(["chmod", "755", wrapper])
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
    return (environment.merging(["PATH": files.path + "/bin:" + path]) { $1 }, marker)
  }

  /// Whether the confirmation handshake file is gone (the waiting apply cleaned up).
  var handshakeGone: Bool { !FileManager.default.fileExists(atPath: run.path + "/pending") }
}

/// The JSON document a command printed.
func jsonObject(_ result: CommandResult) throws -> [String: Any] {
  try #require(try JSONSerialization.jsonObject(with: Data(result.output)) as? [String: Any], "not a JSON object")
}

/// What `--policy` files say when the policy is the derived one.
let autoPolicy = "auto\n"

/// A dual-stack policy that names data's IPv6 gateway too, so every address has a route back.
let dualStackPolicy = """
  uplink mgmt dev mgmt via 198.51.100.1 via6 2001:db8:a::1
  uplink data dev data via 203.0.113.1 via6 2001:db8:b::1

  """

/// `polroute apply` on real namespaces: the change, idempotence, rollback, confirmation and locking.
@Suite("apply, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost + [.ping]), .serialized)
struct ApplyLiveTests {
  @Test("before apply the client cannot reach the data address; after it both addresses answer")
  func applyMakesBothAddressesAnswer() throws {
    let host = try ApplyHost("reach")
    #expect(try host.topology.clientReaches("198.51.100.10"))
    #expect(try !host.topology.clientReaches("203.0.113.10"), "strict rp_filter must drop the data requests")

    let policy = try host.policy(autoPolicy)
    let result = try host.polroute(["apply", "--policy", policy])
    #expect(result.status == 0, "apply failed: \(result.errorText)")
    #expect(result.errorText == "")
    let summary = try #require(result.outputText.split(separator: "\n").first { $0.hasPrefix("Applied") })
    // Two tables of two routes, two source rules, three guards and the local-networks rule.
    #expect(summary.hasPrefix("Applied: 10 added, 0 replaced, 0 deleted with 1 ip process in "))
    #expect(summary.hasSuffix(" ms; verified."))
    #expect(
      result.outputText.hasSuffix(
        """
          reply from 198.51.100.10 to 198.18.0.1: via 198.51.100.1 dev mgmt
          reply from 203.0.113.10 to 198.18.0.1: via 203.0.113.1 dev data

        """))
    #expect(try host.topology.clientReaches("198.51.100.10"))
    #expect(try host.topology.clientReaches("203.0.113.10"))
    #expect(try host.planStatus(policy) == 0)
  }

  @Test("dual stack: after apply all four addresses answer, IPv6 included")
  func applyDualStack() throws {
    let host = try ApplyHost("reach6", dualStack: true)
    for address in ["198.51.100.10", "2001:db8:a::10"] {
      #expect(try host.topology.clientReaches(address), "\(address)")
    }
    for address in ["203.0.113.10", "2001:db8:b::10"] {
      #expect(try !host.topology.clientReaches(address), "\(address)")
    }

    let result = try host.polroute(["apply", "--policy", try host.policy(dualStackPolicy)])
    #expect(result.status == 0, "apply failed: \(result.errorText)")
    // Each family: two tables, two source rules, the local-networks rule; guards for IPv4's three routes through
    // an uplink and IPv6's two connected networks.
    #expect(
      result.outputText.contains("Applied: 19 added, 0 replaced, 0 deleted with 2 ip processes in "),
      "\(result.outputText)")
    #expect(
      result.outputText.contains("  reply from 2001:db8:b::10 to 2001:db8:ffff:ffff::1: via 2001:db8:b::1 dev data\n"))
    for address in ["198.51.100.10", "203.0.113.10", "2001:db8:a::10", "2001:db8:b::10"] {
      #expect(try host.topology.clientReaches(address), "\(address) does not answer after apply")
    }
  }

  @Test("a second apply runs zero commands and changes nothing")
  func secondApplyIsANoOp() throws {
    let host = try ApplyHost("again", dualStack: true)
    let policy = try host.policy(dualStackPolicy)
    #expect(try host.polroute(["apply", "--policy", policy]).status == 0)
    let before = try host.server.dump()

    let text = try host.polroute(["apply", "--policy", policy])
    #expect(text.status == 0)
    #expect(
      text.outputText == """
        Kernel: nothing to change; the rules and routes polroute owns match the policy (0 commands run).
        Nothing changed in the kernel; verified.

        """)
    let json = try host.polroute(["apply", "--policy", policy, "--json"])
    #expect(json.status == 0)
    #expect(json.outputText.contains("\"commandsRun\" : 0"))
    #expect(json.outputText.contains("\"changed\" : false"))
    let document = try jsonObject(json)
    #expect(document["changed"] as? Bool == false)
    #expect(document["commandsRun"] as? Int == 0)
    #expect((document["changes"] as? [Any])?.isEmpty == true)
    // Nothing changed, and yet every address was checked (read-only `ip route get`s): all as the policy says.
    let probes = try #require(document["probes"] as? [[String: Any]])
    #expect(!probes.isEmpty && probes.allSatisfy { $0["passed"] as? Bool == true })
    #expect(document["verified"] as? Bool == true)
    #expect(try host.server.dump() == before)
  }

  // MARK: Rollback

  @Test("a line the kernel rejects after earlier lines were applied: exit 1, the line quoted, the host restored")
  func rejectedLineRollsBack() throws {
    let host = try ApplyHost("reject")
    // A third uplink on a down interface: its routes come after data's and mgmt's (table 300 sorts last).
    try host.server.ip("link add spare type veth peer name spare-peer")
    try host.server.ip("addr add 100.64.0.10/24 dev spare")
    let policy = try host.policy("auto\nuplink spare dev spare table 300 via 100.64.0.1\n")
    let plan = try jsonObject(try host.polroute(["plan", "--policy", policy, "--json"]))
    let lines = try #require(plan["kernel"] as? [[String: Any]]).filter { $0["family"] as? String == "inet" }
      .compactMap { $0["batchLine"] as? String }
    let rejected = try #require(lines.firstIndex { $0.contains("dev spare") })
    #expect(rejected >= 2, "the lines of data and mgmt must come first: \(lines)")
    let before = try host.server.dump()

    let result = try host.polroute(["apply", "--policy", policy])
    #expect(result.status == 1)
    #expect(
      result.errorText.hasSuffix(
        """
        error: `ip -4 -batch -` line \(rejected + 1) failed: Error: Device for nexthop is not up.
          the line was: \(lines[rejected])
        the host was restored to its state before the apply
        """), "\(result.errorText)")
    #expect(try host.server.dump() == before)
  }

  @Test("an IPv6 line rejected after the whole IPv4 batch moved tables: both families restored exactly")
  func rejectedIPv6LineAfterIPv4Changes() throws {
    let host = try ApplyHost("reject6", dualStack: true)
    let old = try host.policy(
      """
      uplink mgmt dev mgmt table 111 via 198.51.100.1 via6 2001:db8:a::1
      uplink data dev data table 110 via 203.0.113.1 via6 2001:db8:b::1

      """, name: "old.conf")
    #expect(try host.polroute(["apply", "--policy", old]).status == 0)
    try host.server.ip("link add spare type veth peer name spare-peer")
    try host.server.ip("-6 addr add 2001:db8:5::10/64 dev spare")
    let new = try host.policy(
      """
      uplink mgmt dev mgmt table 101 via 198.51.100.1 via6 2001:db8:a::1
      uplink data dev data table 100 via 203.0.113.1 via6 2001:db8:b::1
      uplink spare dev spare table 300 via6 2001:db8:5::1

      """, name: "new.conf")
    let before = try host.server.dump()

    let result = try host.polroute(["apply", "--policy", new])
    #expect(result.status == 1)
    #expect(result.errorText.contains("error: `ip -6 -batch -` line "))
    #expect(
      result.errorText.contains(
        " failed: Error: Nexthop device is not up.\n  the line was: route replace 2001:db8:5::/64 dev spare"))
    #expect(result.errorText.hasSuffix("the host was restored to its state before the apply"))
    #expect(try host.server.dump() == before)
    #expect(try host.planStatus(old) == 0)
    for address in ["203.0.113.10", "2001:db8:b::10"] {
      #expect(try host.topology.clientReaches(address), "\(address)")
    }
  }

  @Test("replies that would not leave through their uplink (a foreign rule shadows polroute's): rolled back")
  func failedProbeRollsBack() throws {
    let host = try ApplyHost("probe")
    try host.server.ip("rule add from 203.0.113.10 lookup main priority 500")
    let before = try host.server.dump()
    let result = try host.polroute(["apply", "--policy", try host.policy(autoPolicy)])
    #expect(result.status == 1)
    #expect(
      result.errorText == """
        rolling back: replies would not leave where the policy says:
        error: replies would not leave where the policy says:
          from 203.0.113.10 to 198.18.0.1: via 198.51.100.1 dev mgmt (expected via 203.0.113.1 dev data)
          from 203.0.113.10 to 198.51.100.1: dev mgmt (expected via 203.0.113.1 dev data)
        the host was restored to its state before the apply
        """)
    #expect(try host.server.dump() == before)

    // The JSON of a failed apply says what went wrong and that nothing changed.
    let json = try host.polroute(["apply", "--policy", try host.policy(autoPolicy), "--json"])
    #expect(json.status == 1)
    let document = try jsonObject(json)
    #expect(document["changed"] as? Bool == false)
    #expect(document["restored"] as? Bool == true)
    #expect((document["error"] as? String)?.hasPrefix("replies would not leave where the policy says:\n") == true)
    #expect((document["remaining"] as? [Any])?.isEmpty == true)
    #expect(document["restoreProblem"] == nil)
    #expect(try host.server.dump() == before)
  }

  @Test("a rule removed behind polroute's back right after the write: verification fails and the host is restored")
  func failedVerificationRollsBack() throws {
    let host = try ApplyHost("verify")
    let wrapper = try host.ipWrapper("-4 rule del priority 20000")
    let before = try host.server.dump()
    let result = try host.server.polroute(
      ["apply", "--policy", try host.policy(autoPolicy)], environment: wrapper.environment)
    #expect(result.status == 1)
    #expect(
      result.errorText == """
        rolling back: verification failed after the apply:
        error: verification failed after the apply:
          rule missing: 20000: from 203.0.113.10 lookup data
        the host was restored to its state before the apply
        """)
    #expect(FileManager.default.fileExists(atPath: wrapper.marker), "the wrapper did not run")
    #expect(try host.server.dump() == before)
  }

  @Test("a restore line the kernel rejects does not stop the rest; the commands printed finish the restore")
  func partlyFailedRestore() throws {
    let host = try ApplyHost("restore")
    // A third uplink whose link fails during the apply: its old routes cannot come back while it is down.
    try host.server.ip("link add spare type veth peer name spare-peer")
    try host.server.sysctl("net.ipv6.conf.spare.disable_ipv6=1")
    try host.server.ip("link set spare up")
    try host.server.ip("link set spare-peer up")
    try host.server.ip("addr add 100.64.0.10/24 dev spare")
    let uplinks = """
      uplink mgmt dev mgmt table 101 via 198.51.100.1
      uplink data dev data table 100 via 203.0.113.1

      """
    let old = try host.policy(uplinks + "uplink spare dev spare table 120 via 100.64.0.1\n", name: "old.conf")
    #expect(try host.polroute(["apply", "--policy", old]).status == 0)
    let before = try host.server.dump()
    let restorable = ["-4 rule show", "-6 rule show", "route show table 100", "route show table 101"]
    let restorableBefore = try restorable.map { try host.server.ip($0).outputText }

    let wrapper = try host.ipWrapper("link set spare down")
    let new = try host.policy(uplinks + "uplink spare dev spare table 130 via 100.64.0.1\n", name: "new.conf")
    let result = try host.server.polroute(["apply", "--policy", new], environment: wrapper.environment)
    #expect(result.status == 1)
    let error = result.errorText
    #expect(error.contains("error: verification failed after the apply:\n  route missing: "), "\(error)")
    #expect(error.contains("\n\n!!! ROLLBACK FAILED: the host is NOT as it was before the apply !!!\n"), "\(error)")
    #expect(error.contains("failed: Error: Device for nexthop is not up."), "\(error)")
    let left = [
      "ip -4 route replace 100.64.0.0/24 dev spare proto 177 scope link src 100.64.0.10 table 120",
      "ip -4 route replace default via 100.64.0.1 dev spare proto 177 table 120",
    ]
    let finish = left.map { "    " + $0 }.joined(separator: "\n")
    #expect(error.hasSuffix("!!! run these as root to finish restoring it:\n" + finish), "\(error)")
    // Everything else came back: the rules (which follow the rejected lines in the restore) and the other tables.
    for (command, text) in zip(restorable, restorableBefore) {
      #expect(try host.server.ip(command).outputText == text, "\(command) was not restored")
    }
    #expect(try host.server.ip("route show table 130").outputText == "")

    // With the link back, the printed commands finish the restore.
    try host.server.ip("link set spare up")
    for command in left { try host.server.ip(String(command.dropFirst("ip ".count))) }
    #expect(try host.server.dump() == before)
  }

  @Test("SIGTERM or SIGINT while waiting for confirmation restores the host", arguments: [SIGTERM, SIGINT])
  func signalRollsBack(_ signal: Int32) throws {
    let host = try ApplyHost("sig\(signal)")
    let policy = try host.policy(autoPolicy)
    let before = try host.server.dump()
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "30"])
    let pid = try host.waitingApply()
    #expect(try host.planStatus(policy) == 0, "the change must be in place while it waits")
    kill(pid, signal)
    #expect(apply.wait() == 1)
    let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
    #expect(
      apply.stderr.hasSuffix(
        """
        rolling back: interrupted by \(name) while waiting for confirmation
        error: interrupted by \(name) while waiting for confirmation
        the host was restored to its state before the apply

        """), "\(apply.stderr)")
    #expect(try host.server.dump() == before)
    #expect(host.handshakeGone)
  }

  // MARK: What the kernel normalises

  @Test("IPv6 reject routes (the kernel gives them dev lo) apply, re-apply with nothing to do, and restore exactly")
  func ipv6RejectRoutes() throws {
    let host = try ApplyHost("reject6", dualStack: true)
    let routes = """
      table extra 250
      route blackhole 198.18.0.0/15 table extra
      route unreachable 2001:db8:dead::/48 table extra
      route blackhole 2001:db8:beef::/48 table extra
      route prohibit 2001:db8:cafe::/48 table extra
      route throw 2001:db8:f00d::/48 table extra

      """
    let policy = try host.policy(dualStackPolicy + routes)
    let first = try host.polroute(["apply", "--policy", policy])
    #expect(first.status == 0, "\(first.errorText)")
    #expect(
      try host.server.ip("-6 route show table 250").outputText == """
        blackhole 2001:db8:beef::/48 dev lo proto 177 metric 1024 pref medium
        prohibit 2001:db8:cafe::/48 dev lo proto 177 metric 1024 pref medium
        unreachable 2001:db8:dead::/48 dev lo proto 177 metric 1024 pref medium
        throw 2001:db8:f00d::/48 dev lo proto 177 metric 1024 pref medium

        """)
    let again = try host.polroute(["apply", "--policy", policy])
    #expect(again.status == 0)
    #expect(again.outputText.hasPrefix("Kernel: nothing to change"), "\(again.outputText)")
    // With one more route planned, the diff shows only that route, not the others' dev lo.
    let more = try host.policy(
      dualStackPolicy + routes + "route blackhole 2001:db8:bad::/48 table extra\n", name: "more.conf")
    let plan = try host.polroute(["plan", "--policy", more])
    #expect(
      plan.outputText.hasSuffix(
        """
        --- ip -6 route (now)
        +++ ip -6 route (planned)
        @@ -2,6 +2,7 @@
         2001:db8:b::/64 dev data proto 177 metric 1024 table data
         default via 2001:db8:a::1 dev mgmt proto 177 metric 1024 table mgmt
         2001:db8:a::/64 dev mgmt proto 177 metric 1024 table mgmt
        +blackhole 2001:db8:bad::/48 proto 177 metric 1024 table extra
         blackhole 2001:db8:beef::/48 proto 177 metric 1024 table extra
         prohibit 2001:db8:cafe::/48 proto 177 metric 1024 table extra
         unreachable 2001:db8:dead::/48 proto 177 metric 1024 table extra

        Flows: 12 traced, none changes its path.

        """), "\(plan.outputText)")

    // A change that replaces and deletes them, then fails its probes: they come back as they were.
    try host.server.ip("rule add from 203.0.113.10 lookup main priority 500")
    let before = try host.server.dump()
    let changed = try host.policy(
      dualStackPolicy + "table extra 250\nroute blackhole 2001:db8:dead::/48 table extra\n", name: "changed.conf")
    let failed = try host.polroute(["apply", "--policy", changed])
    #expect(failed.status == 1)
    #expect(failed.outputText.contains("Kernel: 0 to add, 1 to replace, 4 to delete."), "\(failed.outputText)")
    #expect(failed.errorText.hasSuffix("the host was restored to its state before the apply"), "\(failed.errorText)")
    #expect(try host.server.dump() == before)
  }

  @Test("an IPv6 route with metric 0 (the kernel stores 1024) applies and re-applies with nothing to do")
  func ipv6MetricZero() throws {
    let host = try ApplyHost("metric0", dualStack: true)
    let policy = try host.policy(
      dualStackPolicy + "route 2001:db8:98::/64 via 2001:db8:b::1 dev data table data metric 0\n")
    let first = try host.polroute(["apply", "--policy", policy])
    #expect(first.status == 0, "\(first.errorText)")
    #expect(
      try host.server.ip("-6 route show table 100").outputText.contains(
        "2001:db8:98::/64 via 2001:db8:b::1 dev data proto 177 metric 1024 pref medium\n"))
    let again = try host.polroute(["apply", "--policy", policy])
    #expect(again.status == 0)
    #expect(again.outputText.hasPrefix("Kernel: nothing to change"), "\(again.outputText)")
  }

  // MARK: Confirmation

  @Test("--confirm 2 without a confirmation rolls back at the deadline")
  func unconfirmedRollsBack() throws {
    let host = try ApplyHost("noconf")
    let policy = try host.policy(autoPolicy)
    let before = try host.server.dump()
    let started = Date()
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "2"])
    _ = try host.waitingApply()
    #expect(try host.planStatus(policy) == 0, "the change must be in place while it waits")
    #expect(apply.wait() == 1)
    #expect(Date().timeIntervalSince(started) >= 2)
    #expect(
      apply.stderr.hasSuffix(
        """
        the change is applied and verified; type 'yes' or run 'polroute confirm' within 2 s to keep it
        rolling back: no confirmation within 2 s
        error: no confirmation within 2 s
        the host was restored to its state before the apply

        """), "\(apply.stderr)")
    #expect(try host.server.dump() == before)
    #expect(host.handshakeGone)
  }

  @Test("--confirm 30 and 'polroute confirm' from another process keeps the change")
  func confirmedChangeStays() throws {
    let host = try ApplyHost("conf")
    let policy = try host.policy(autoPolicy)
    let started = Date()
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "30"])
    let pid = try host.waitingApply()
    let confirm = try host.polroute(["confirm"])
    #expect(confirm.status == 0)
    #expect(confirm.outputText == "confirmed: polroute apply (pid \(pid)) keeps its change\n")
    #expect(apply.wait() == 0, "\(apply.stderr)")
    #expect(Date().timeIntervalSince(started) < 20)
    #expect(apply.stdout.hasSuffix("Confirmed.\n"))
    #expect(try host.planStatus(policy) == 0)
    #expect(host.handshakeGone)
    #expect(try host.topology.clientReaches("203.0.113.10"))
  }

  @Test("on a terminal, 'yes' typed after the question keeps the change; 'yes' typed ahead of it does not count")
  func typedConfirmation() throws {
    let host = try ApplyHost("tty")
    let policy = try host.policy(autoPolicy)
    let before = try host.server.dump()
    // `script` gives apply a terminal, and what it reads on stdin is typed there (the paths hold no spaces).
    let apply = host.server.polrouteCommand(
      ["apply", "--policy", policy, "--confirm", "2"], environment: host.environment)
    let onTerminal = "script -qec '\(apply.joined(separator: " "))' /dev/null"

    // Typed before the change: a session the change cut would still confirm it from the terminal's buffer.
    let early = try Live.run(["sh", "-c", onTerminal], input: "yes\n")
    #expect(early.status == 1, "\(early.outputText)")
    #expect(early.outputText.contains("error: no confirmation within 2 s"), "\(early.outputText)")
    #expect(try host.server.dump() == before)

    let question = "for i in $(seq 200); do [ -e \(host.run.path)/pending ] && break; sleep 0.05; done"
    let typed = try Live.run(["sh", "-c", "(\(question); sleep 0.2; echo yes) | \(onTerminal)"])
    #expect(typed.status == 0, "\(typed.outputText)")
    #expect(typed.outputText.contains("Confirmed."), "\(typed.outputText)")
    #expect(try host.planStatus(policy) == 0)
  }

  @Test("'polroute confirm' with no apply waiting fails and says so")
  func confirmWithoutApply() throws {
    let host = try ApplyHost("confnone")
    let result = try host.polroute(["confirm"])
    #expect(result.status == 1)
    #expect(result.errorText.hasSuffix("no polroute apply is waiting for confirmation"), "\(result.errorText)")
  }

  @Test("detached from any terminal, SIGHUP does not stop the wait: it rolls back at the deadline")
  func hangupStillRollsBack() throws {
    let host = try ApplyHost("hup")
    let policy = try host.policy(autoPolicy)
    let before = try host.server.dump()
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "3"], detached: true)
    let pid = try host.waitingApply()
    let hangup = Date()
    kill(pid, SIGHUP)
    #expect(eventually { apply.stderr.contains("the terminal hung up; still waiting for 'polroute confirm'\n") })
    #expect(apply.isRunning)
    #expect(try host.planStatus(policy) == 0, "SIGHUP must not roll back at once")
    #expect(apply.wait() == 1)
    #expect(Date().timeIntervalSince(hangup) >= 1.5)
    #expect(
      apply.stderr.hasSuffix("error: no confirmation within 3 s\nthe host was restored to its state before the apply\n")
    )
    #expect(try host.server.dump() == before)
  }

  @Test("detached from any terminal, SIGHUP then 'polroute confirm' keeps the change")
  func hangupThenConfirm() throws {
    let host = try ApplyHost("hupconf")
    let policy = try host.policy(autoPolicy)
    let apply = try host.start(["apply", "--policy", policy, "--confirm", "3"], detached: true)
    let pid = try host.waitingApply()
    kill(pid, SIGHUP)
    #expect(eventually { apply.stderr.contains("the terminal hung up") })
    #expect(try host.polroute(["confirm"]).status == 0)
    #expect(apply.wait() == 0, "\(apply.stderr)")
    #expect(apply.stdout.hasSuffix("Confirmed.\n"))
    #expect(try host.planStatus(policy) == 0)
  }

  @Test("--confirm beyond a day is refused before the kernel changes (it overflowed after the change)")
  func hugeConfirmRefused() throws {
    let host = try ApplyHost("hugeconf")
    let before = try host.server.dump()
    let result = try host.polroute(["apply", "--policy", try host.policy(autoPolicy), "--confirm", "99999999999999999"])
    #expect(result.status == 64, "\(result.errorText)")
    #expect(
      result.errorText.hasPrefix(
        "Error: '--confirm' needs a number of seconds from 1 to 86400, not '99999999999999999'"),
      "\(result.errorText)")
    #expect(try host.server.dump() == before)
  }

  @Test("--wait beyond a day is refused (it overflowed while another apply held the lock)")
  func hugeWaitRefused() throws {
    let host = try ApplyHost("hugewait")
    let lock = host.run.path + "/lock"
    let holder = try BackgroundProcess(["flock", lock, "sleep", "30"])
    #expect(try eventually { try Live.run(["flock", "-n", lock, "true"]).status == 1 }, "the lock is not held")
    let result = try host.polroute(["apply", "--policy", try host.policy(autoPolicy), "--wait", "99999999999999999"])
    #expect(result.status == 64, "\(result.errorText)")
    #expect(
      result.errorText.hasPrefix("Error: '--wait' needs a number of seconds from 0 to 86400, not '99999999999999999'"),
      "\(result.errorText)")
    #expect(holder.isRunning)
  }

  // MARK: Locking

  @Test("a second apply waits for the first and then finds nothing to do; with --wait 0 it fails at once")
  func concurrentAppliesSerialize() throws {
    let host = try ApplyHost("lock")
    let policy = try host.policy(autoPolicy)
    let first = try host.start(["apply", "--policy", policy, "--confirm", "30"])
    let pid = try host.waitingApply()
    let second = try host.start(["apply", "--policy", policy])
    #expect(eventually { second.stderr.contains("waiting for another polroute apply (pid \(pid)) to finish\n") })
    #expect(second.isRunning)

    let impatient = try host.polroute(["apply", "--policy", policy, "--wait", "0"])
    #expect(impatient.status == 1)
    #expect(
      impatient.errorText
        == "error: another polroute apply (pid \(pid)) holds \(host.run.path)/lock; gave up after 0 s (see --wait)")

    #expect(try host.polroute(["confirm"]).status == 0)
    #expect(first.wait() == 0, "\(first.stderr)")
    #expect(second.wait() == 0, "\(second.stderr)")
    #expect(
      second.stdout == """
        Kernel: nothing to change; the rules and routes polroute owns match the policy (0 commands run).
        Nothing changed in the kernel; verified.

        """)
    #expect(try host.planStatus(policy) == 0)
  }

  @Test("applies started at the same moment: exactly one changes the kernel, the others find nothing to do")
  func simultaneousApplies() throws {
    let host = try ApplyHost("race", dualStack: true)
    let policy = try host.policy(dualStackPolicy)
    let planned = try #require(
      try jsonObject(try host.polroute(["plan", "--policy", policy, "--json"]))["kernel"] as? [Any])
    let applies = try (0..<3).map { _ in try host.start(["apply", "--policy", policy, "--json"]) }
    var changed = 0
    for apply in applies {
      #expect(apply.wait() == 0, "\(apply.stderr)")
      let document = try #require(try JSONSerialization.jsonObject(with: Data(apply.stdout.utf8)) as? [String: Any])
      let changes = try #require(document["changes"] as? [Any])
      if document["changed"] as? Bool == true {
        changed += 1
        #expect(changes.count == planned.count)
      } else {
        #expect(changes.isEmpty)
        #expect(document["commandsRun"] as? Int == 0)
      }
    }
    #expect(changed == 1)
    #expect(try host.planStatus(policy) == 0)
  }

  // MARK: Root and dry run

  @Test("apply as nobody refuses, says it needs root and points to 'polroute plan'")
  func refusesWithoutRoot() throws {
    let host = try ApplyHost("nobody")
    let policy = try host.policy(autoPolicy)
    // nobody must read the policy whatever the umask.
    try Live.check(["chmod", "755", host.files.path])
    try Live.check(["chmod", "644", policy])
    let before = try host.server.dump()
    let command =
      ["ip", "netns", "exec", host.server.name, "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
      + ["env", "POLROUTE_RUN_DIR=\(host.run.path)", TestPaths.binary]
    let result = try Live.run(command + ["apply", "--policy", policy])
    #expect(result.status == 1)
    #expect(
      result.errorText
        == "error: polroute apply changes the kernel's routing and must run as root; "
        + "'polroute plan' shows the changes without root")
    #expect(try host.server.dump() == before)
    #expect(!FileManager.default.fileExists(atPath: host.run.path + "/lock"))

    // --dry-run needs no root and prints what plan prints.
    for json in [false, true] {
      let extra = json ? ["--json"] : []
      let dry = try Live.run(command + ["apply", "--dry-run", "--policy", policy] + extra)
      let plan = try Live.run(command + ["plan", "--policy", policy] + extra)
      #expect(dry.status == 0, "\(dry.errorText)")
      #expect(dry.outputText == plan.outputText)
      #expect(
        dry.outputText.contains(json ? "\"batchLine\" : \"rule add from 203.0.113.10 lookup 100" : "Kernel: 10 to add"))
    }
    let root = try host.polroute(["apply", "--dry-run", "--policy", policy])
    #expect(root.status == 0)
    #expect(try host.server.dump() == before)
  }

  // MARK: JSON

  @Test("--json of a successful apply: the changes, the passed probes, the files and the duration")
  func jsonReport() throws {
    let host = try ApplyHost("json", dualStack: true)
    let policy = try host.policy(dualStackPolicy)
    let root = host.files.path + "/root"
    let plan = try jsonObject(try host.polroute(["plan", "--policy", policy, "--json"]))
    let planned = try #require(plan["kernel"] as? [[String: Any]])
    let result = try host.polroute([
      "apply", "--policy", policy, "--json", "--persist", "--format", "rt_tables", "--root", root,
    ])
    #expect(result.status == 0, "\(result.errorText)")
    let document = try jsonObject(result)
    #expect(document["changed"] as? Bool == true)
    #expect(document["verified"] as? Bool == true)
    #expect(document["commandsRun"] as? Int == 2)
    #expect(document["confirmed"] == nil)
    let changes = try #require(document["changes"] as? [[String: String]])
    #expect(changes.map { $0["batchLine"] } == planned.map { $0["batchLine"] as? String })
    #expect(changes.map { $0["family"] } == planned.map { $0["family"] as? String })
    #expect(changes.map { $0["action"] } == Array(repeating: "add", count: planned.count))
    // The remote replies (the connected networks are probed too, and pass).
    let all = try #require(document["probes"] as? [[String: Any]])
    #expect(all.allSatisfy { $0["passed"] as? Bool == true })
    let probes = all.filter { $0["kind"] as? String == "remote reply" }
    let expected = [
      ("198.51.100.10", "198.18.0.1", "mgmt", "198.51.100.1"), ("203.0.113.10", "198.18.0.1", "data", "203.0.113.1"),
      ("2001:db8:a::10", "2001:db8:ffff:ffff::1", "mgmt", "2001:db8:a::1"),
      ("2001:db8:b::10", "2001:db8:ffff:ffff::1", "data", "2001:db8:b::1"),
    ]
    #expect(probes.count == expected.count)
    for (probe, want) in zip(probes, expected) {
      #expect(probe["source"] as? String == want.0)
      #expect(probe["destination"] as? String == want.1)
      #expect(probe["device"] as? String == want.2)
      #expect(probe["gateway"] as? String == want.3)
      #expect(probe["passed"] as? Bool == true)
    }
    let files = try #require(document["files"] as? [[String: String]])
    #expect(files == [["action": "create", "path": "/etc/iproute2/rt_tables.d/polroute.conf"]])
    let duration = try #require(document["durationMilliseconds"] as? Int)
    #expect(duration > 0 && duration < 60_000)
  }
}
