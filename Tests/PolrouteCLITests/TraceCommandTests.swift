import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI

/// `polroute trace`, `plan`'s flow table and `apply`'s session guard, in-process on the dual-homed sample host.
@Suite("trace, the flow table and the session guard")
struct TraceCommandTests {
  @Test("trace on a snapshot: both sides when the plan changes the flow, every rule with its verdict")
  func traceText() throws {
    let snapshot = try dualHomedSnapshot()
    let run = CLIRun(["trace", "--state", snapshot.path, "--to", "198.18.0.1", "--from", "203.0.113.10"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr == "")
    #expect(
      run.stdout == """
        Flow: 198.18.0.1 from 203.0.113.10, sent by this host
        Policy derived from the host's state: the plan makes 10 changes

                   now                        after the plan
          goes     via 198.51.100.1 dev mgmt  via 203.0.113.1 dev data
          source   203.0.113.10               203.0.113.10
          table    main (rule 32766)          data (rule 20000)

        Now:
          0     from all lookup local  matched: table local has no route to 198.18.0.1; next rule
          32766 from all lookup main   matched: table main: default via 198.51.100.1 dev mgmt
          -> via 198.51.100.1 dev mgmt, source 203.0.113.10 (table main, rule 32766)

        After the plan:
          0     from all lookup local                             matched: table local has no route to 198.18.0.1; next rule
          14000 from 198.51.100.10 to 192.0.2.128/25 lookup mgmt  no match (source 203.0.113.10, destination 198.18.0.1)
          14001 from 203.0.113.10 to 198.51.100.0/24 lookup data  no match (destination 198.18.0.1)
          14002 from 198.51.100.10 to 203.0.113.0/24 lookup mgmt  no match (source 203.0.113.10, destination 198.18.0.1)
          19000 from all lookup main suppress_prefixlength 0      matched: table main: default via 198.51.100.1 dev mgmt, a /0 route, suppressed (suppress_prefixlength 0); next rule
          20000 from 203.0.113.10 lookup data                     matched: table data: default via 203.0.113.1 dev data proto 177
          -> via 203.0.113.1 dev data, source 203.0.113.10 (table data, rule 20000)

        The plan changes this flow's path.

        """)
  }

  @Test("trace --after, and a flow the plan does not change")
  func traceAfterAndUnchanged() throws {
    let snapshot = try dualHomedSnapshot()
    let after = CLIRun(["trace", "--state", snapshot.path, "--to", "198.18.0.1", "--from", "203.0.113.10", "--after"])
    #expect(after.status == 0)
    #expect(!after.stdout.contains("Now:"))
    #expect(after.stdout.contains("After the plan:\n"))
    #expect(after.stdout.contains("  -> via 203.0.113.1 dev data, source 203.0.113.10 (table data, rule 20000)\n"))
    let kept = CLIRun(["trace", "--state", snapshot.path, "--to", "198.18.0.1", "--from", "198.51.100.10"])
    #expect(kept.stdout.hasSuffix("The plan does not change this flow's path.\n"))
    let empty = TemporaryFile("empty.conf", "# nothing\n")
    let now = CLIRun(["trace", "--state", snapshot.path, "--policy", empty.path, "--to", "192.0.2.200"])
    #expect(now.stdout.contains("the plan changes nothing"))
    #expect(now.stdout.contains("Now:\n"))
    #expect(!now.stdout.contains("After the plan"))
    #expect(now.stdout.contains("  -> via 203.0.113.1 dev data, source 203.0.113.10 (table main, rule 32766)\n"))
  }

  @Test("trace --json carries the steps and both outcomes")
  func traceJSON() throws {
    let snapshot = try dualHomedSnapshot()
    let run = CLIRun([
      "trace", "--state", snapshot.path, "--to", "198.18.0.1", "--from", "203.0.113.10", "--ipproto", "tcp",
      "--sport", "22", "--dport", "40000", "--json",
    ])
    #expect(run.status == 0)
    let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    #expect(document["flow"] as? String == "198.18.0.1 from 203.0.113.10 ipproto tcp sport 22 dport 40000")
    #expect(document["changed"] as? Bool == true)
    #expect(document["planChanges"] as? Int == 10)
    let now = try #require(document["now"] as? [String: Any])
    let outcome = try #require(now["outcome"] as? [String: Any])
    #expect(outcome["device"] as? String == "mgmt")
    #expect(outcome["gateway"] as? String == "198.51.100.1")
    #expect(outcome["table"] as? Int == 254)
    let after = try #require((document["after"] as? [String: Any])?["outcome"] as? [String: Any])
    #expect(after["device"] as? String == "data")
    let steps = try #require(now["steps"] as? [[String: Any]])
    #expect(steps.map { $0["priority"] as? Int } == [0, 32766])
    #expect(steps[1]["route"] as? String == "default via 198.51.100.1 dev mgmt")
  }

  @Test("a rejected flow names the rule, and an arriving one the reverse-path check")
  func rejections() throws {
    var state = SampleHosts.dualHomed
    state.rules.append(
      Rule(
        family: .inet, priority: 100, selector: RuleSelector(destination: IPPrefix("100.64.0.0/10")),
        action: .unreachable))
    state.rules.sort { ($0.family, $0.priority) < ($1.family, $1.priority) }
    let snapshot = TemporaryFile("state.json", String(decoding: try Snapshot(state: state).encoded(), as: UTF8.self))
    let empty = TemporaryFile("empty.conf", "\n")
    let rejected = CLIRun(["trace", "--state", snapshot.path, "--policy", empty.path, "--to", "100.64.1.1"])
    #expect(rejected.status == 0)
    #expect(
      rejected.stdout.contains(
        "  100   from all to 100.64.0.0/10 unreachable  matched: unreachable -> Network is unreachable\n"))
    #expect(
      rejected.stdout.contains(
        "  -> rule 100 (from all to 100.64.0.0/10 unreachable) rejects it: Network is unreachable\n"))
    let arriving = CLIRun([
      "trace", "--state", snapshot.path, "--policy", empty.path, "--to", "203.0.113.10", "--from", "198.18.0.1",
      "--iif", "data",
    ])
    #expect(arriving.stdout.contains("Flow: 203.0.113.10 from 198.18.0.1 iif data, arriving on data\n"))
    #expect(
      arriving.stdout.contains(
        "  -> reverse-path check on data (rp_filter strict) refuses the source: replies to the source would go via "
          + "198.51.100.1 dev mgmt: Invalid cross-device link\n"))
  }

  @Test(
    "usage errors name the option and what is wrong",
    arguments: [
      (["trace"], "Error: Missing expected option '--to <address>'"),
      (
        ["trace", "--to", "224.0.0.1"],
        "Error: '--to': 224.0.0.1 is not a unicast address: polroute traces unicast flows (ip route get does too)"
      ),
      (
        ["trace", "--to", "192.0.2.1", "--from", "2001:db8::1"],
        "Error: '--from': 2001:db8::1 and 192.0.2.1 are of different families: give both IPv4 or IPv6"
      ),
      (
        ["trace", "--to", "192.0.2.1", "--iif", "data"],
        "Error: '--from': a packet that arrives on data has a source address: give it with from"
      ),
      (
        ["trace", "--to", "192.0.2.1", "--dport", "22"],
        "Error: '--dport': ports need a protocol that has them: add ipproto tcp, udp, udplite or sctp"
      ),
    ])
  func usageErrors(_ arguments: [String], _ message: String) throws {
    let run = CLIRun(arguments)
    #expect(run.status == 64)
    #expect(run.stdout == "")
    #expect(run.stderr.hasPrefix(message + "\n"), "\(run.stderr)")
    #expect(run.stderr.contains("\nUsage: polroute trace [--to <address>] [--from <address>] [--iif <interface>] "))
    #expect(run.stderr.hasSuffix("  See 'polroute trace --help' for more information.\n"))
  }

  @Test("--iif names an interface the host does not have: a usage error with a suggestion")
  func unknownInterface() throws {
    let snapshot = try dualHomedSnapshot()
    let run = CLIRun(["trace", "--state", snapshot.path, "--to", "192.0.2.1", "--from", "198.18.0.1", "--iif", "dta"])
    #expect(run.status == 64)
    #expect(run.stderr.hasPrefix("Error: '--iif': the snapshot's host has no interface 'dta' (did you mean 'data'?)\n"))
  }

  // MARK: plan's flow table

  @Test("plan shows the flow table: every flow the derived policy moves, the connected networks' included")
  func planFlowTable() throws {
    let snapshot = try dualHomedSnapshot()
    let run = CLIRun(["plan", "--state", snapshot.path])
    #expect(run.status == 0)
    // Each uplink table holds only its own prefix, so from the other uplink's address the kernel reaches that
    // network through its own gateway: the table shows it.
    #expect(
      run.stdout.hasSuffix(
        """
        Flows: 6 traced, 3 change path (now -> after).
          from 198.51.100.10 to a remote client (198.18.0.1)    via 198.51.100.1 dev mgmt src 198.51.100.10 (unchanged)
          from 198.51.100.10 to 198.51.100.0/24 (198.51.100.1)  dev mgmt src 198.51.100.10 (unchanged)
          from 198.51.100.10 to 203.0.113.0/24 (203.0.113.1)    dev data src 198.51.100.10 -> via 198.51.100.1 dev mgmt src 198.51.100.10
          from 203.0.113.10 to a remote client (198.18.0.1)     via 198.51.100.1 dev mgmt src 203.0.113.10 -> via 203.0.113.1 dev data src 203.0.113.10
          from 203.0.113.10 to 198.51.100.0/24 (198.51.100.1)   dev mgmt src 203.0.113.10 -> via 203.0.113.1 dev data src 203.0.113.10
          from 203.0.113.10 to 203.0.113.0/24 (203.0.113.1)     dev data src 203.0.113.10 (unchanged)

        """), "\(run.stdout)")
    let quiet = CLIRun(["plan", "--state", snapshot.path, "--no-flows"])
    #expect(!quiet.stdout.contains("Flows:"))
    #expect(quiet.stdout.hasSuffix("+198.51.100.0/24 dev mgmt proto 177 scope link src 198.51.100.10 table mgmt\n"))
    let json = CLIRun(["plan", "--state", snapshot.path, "--json"])
    let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let flows = try #require(document["flows"] as? [[String: Any]])
    #expect(flows.count == 6)
    let remote = try #require(
      flows.first { $0["subject"] as? String == "remote-client" && $0["from"] as? String == "203.0.113.10" })
    #expect(remote["changed"] as? Bool == true)
    #expect(remote["flow"] as? String == "198.18.0.1 from 203.0.113.10")
    #expect((remote["before"] as? [String: Any])?["device"] as? String == "mgmt")
    #expect((remote["after"] as? [String: Any])?["device"] as? String == "data")
    #expect((remote["after"] as? [String: Any])?["table"] as? Int == 100)
    let network = try #require(flows.first { $0["subject"] as? String == "local-network" })
    #expect(network["network"] as? String == "198.51.100.0/24")
    #expect(flows.filter { $0["changed"] as? Bool == true }.count == 3)
  }

  @Test("a policy that gives each table the other connected prefix changes only the remote replies")
  func planFlowTableConnected() throws {
    let snapshot = try dualHomedSnapshot()
    let policy = TemporaryFile(
      "connected.conf",
      """
      auto
      route 203.0.113.0/24 dev data table mgmt
      route 198.51.100.0/24 dev mgmt table data

      """)
    let run = CLIRun(["plan", "--state", snapshot.path, "--policy", policy.path])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("Flows: 6 traced, 1 changes path (now -> after).\n"), "\(run.stdout)")
  }

  // MARK: apply's guard

  /// The dual-homed host on a scripted kernel, with a policy that steers the client's network over data.
  final class GuardedHost {
    /// The kernel.
    let kernel = FakeKernel(SampleHosts.dualHomed)
    /// The run directory.
    let run: TemporaryDirectory
    /// The policy.
    let policy: TemporaryFile

    /// Builds it.
    init() throws {
      run = try TemporaryDirectory("guard-run")
      policy = TemporaryFile(
        "steer.conf", "auto\nuplink data dev data via 203.0.113.1\nrule to 192.0.2.0/25 lookup data priority 9000\n")
    }

    /// Runs polroute in-process as root with extra environment variables.
    func run(_ arguments: [String], environment: [String: String] = [:]) -> (
      status: Int32, stdout: String, stderr: String
    ) {
      let out = CapturedSink()
      let err = CapturedSink()
      let context = CLIContext(
        runner: kernel, hostFiles: InMemoryFileSystem(),
        environment: environment.merging(["POLROUTE_RUN_DIR": run.path]) { $1 }, stdout: out, stderr: err,
        isRoot: true)
      let status = CLI.run(arguments, context: context)
      return (status, out.text, err.text)
    }
  }

  static let session = ["SSH_CONNECTION": "192.0.2.10 51234 198.51.100.10 22"]

  @Test("apply refuses a plan that would cut the SSH session, says which rule and route, and touches nothing")
  func guardRefuses() throws {
    let host = try GuardedHost()
    let result = host.run(["apply", "--policy", host.policy.path], environment: Self.session)
    #expect(result.status == 1)
    #expect(host.kernel.writes.isEmpty, "the kernel was written: \(host.kernel.writes)")
    #expect(
      result.stderr.contains(
        """
        error: the plan would cut the connection polroute runs over, so nothing was changed:
          the SSH session (SSH_CONNECTION): replies to 192.0.2.10 from 198.51.100.10 leave via 198.51.100.1 dev mgmt src 198.51.100.10 (table main) now; after the plan rule 9000 (from all to 192.0.2.0/25 lookup data) would send them by route 'default via 203.0.113.1 dev data proto 177 table data': via 203.0.113.1 dev data src 198.51.100.10 (table data)
        keep that path in the policy, or add --force to apply anyway ('--confirm SECONDS' rolls back a change that is not confirmed in time)

        """), "\(result.stderr)")
    // The dry run says the same, and exits 1.
    let dry = host.run(["apply", "--dry-run", "--policy", host.policy.path], environment: Self.session)
    #expect(dry.status == 1)
    #expect(dry.stderr.contains("error: the plan would cut the connection polroute runs over"))
    #expect(dry.stdout.contains("Flows: "))
  }

  @Test("--keep guards any connection; a policy that keeps the path applies; --force applies anyway")
  func guardKeepAndForce() throws {
    let host = try GuardedHost()
    let keep = host.run(["apply", "--policy", host.policy.path, "--keep", "192.0.2.10 from 198.51.100.10"])
    #expect(keep.status == 1)
    #expect(keep.stderr.contains("  --keep '192.0.2.10 from 198.51.100.10': replies to 192.0.2.10 from 198.51.100.10"))
    #expect(host.kernel.writes.isEmpty)
    let derived = TemporaryFile("auto.conf", "auto\n")
    let kept = host.run(["apply", "--policy", derived.path], environment: Self.session)
    #expect(kept.status == 0, "\(kept.stderr)")
    #expect(!host.kernel.writes.isEmpty)
    let forced = host.run(["apply", "--policy", host.policy.path, "--force"], environment: Self.session)
    #expect(forced.status == 0, "\(forced.stderr)")
    #expect(forced.stdout.contains("Applied: 1 added, 0 replaced, 0 deleted with 1 ip process in "), "\(forced.stdout)")
  }

  @Test("--keep with a malformed flow is a usage error naming the word")
  func keepUsage() {
    let run = CLIRun(["apply", "--keep", "192.0.2.10 form 198.51.100.10"])
    #expect(run.status == 64)
    #expect(
      run.stderr.hasPrefix(
        "Error: '--keep': unknown word 'form' in a flow (did you mean 'from'?) in '192.0.2.10 form 198.51.100.10'\n"))
  }
}

/// `polroute stats` in-process: the kernel's counters through a scripted kernel and an in-memory /proc.
@Suite("stats")
struct StatsCommandTests {
  /// Runs `stats` on the dual-homed host with `data` given realm 12 and these rt_acct bytes.
  static func run(_ arguments: [String], accounting: [UInt8]?) throws -> (status: Int32, stdout: String, stderr: String)
  {
    var state = SampleHosts.dualHomed
    let policyText = "uplink data dev data via 203.0.113.1 realm 12\nuplink mgmt dev mgmt via 198.51.100.1\n"
    let policy = try PolicyResolver(
      state: state, document: PolicyParser.parse(policyText, file: "p").document, isSnapshot: true
    ).resolve()
    state = KernelPlan.make(state: state, policy: policy).state(after: state)
    let kernel = FakeKernel(
      state,
      counters: [
        "data": InterfaceCounters(
          name: "data", received: Counters(packets: 5, bytes: 710), sent: Counters(packets: 6, bytes: 852)),
        "mgmt": InterfaceCounters(
          name: "mgmt", received: Counters(packets: 1234, bytes: 567_890), sent: Counters(packets: 99, bytes: 9_999)),
      ])
    let files = InMemoryFileSystem()
    if let accounting { try files.write(RouteAccounting.path, contents: accounting, mode: 0o444) }
    let file = TemporaryFile("p.conf", policyText)
    let out = CapturedSink()
    let err = CapturedSink()
    let context = CLIContext(
      runner: kernel, hostFiles: files, environment: [:], stdout: out, stderr: err, isRoot: false)
    let status = CLI.run(["stats", "--policy", file.path] + arguments, context: context)
    return (status, out.text, err.text)
  }

  /// rt_acct with realm 12 having received 5 packets of 640 bytes.
  static var accounting: [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 4096)
    bytes[12 * 16 + 8] = 0x80
    bytes[12 * 16 + 9] = 0x02
    bytes[12 * 16 + 12] = 5
    return bytes
  }

  @Test("the table: interface figures for each uplink, realm figures for the one whose routes carry a realm")
  func text() throws {
    let run = try Self.run([], accounting: Self.accounting)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(
      run.stdout.hasSuffix(
        """
        uplink  device  direction  packets   bytes  source
        data    data    received         5     710  interface: every packet data received
        data    data    sent             6     852  interface: every packet data sent
        data    data    received         5     640  realm 12 (rt_acct): packets received whose route back is data's (realm 12)
        data    data    forwarded        0       0  realm 12 (rt_acct): packets forwarded along data's routes (realm 12)
        mgmt    mgmt    received      1234  567890  interface: every packet mgmt received
        mgmt    mgmt    sent            99    9999  interface: every packet mgmt sent

        note: realm figures are the kernel's, for all its network namespaces, in 32-bit counters that wrap; a packet the host sends itself is not counted (its interface's sent figure is)

        """), "\(run.stdout)")
  }

  @Test("--json, and a kernel without route accounting")
  func json() throws {
    let run = try Self.run(["--json"], accounting: nil)
    #expect(run.status == 0)
    let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let uplinks = try #require(document["uplinks"] as? [[String: Any]])
    #expect(uplinks.map { $0["name"] as? String } == ["data", "mgmt"])
    #expect(uplinks[0]["realms"] as? [Int] == [12])
    let figures = try #require(uplinks[0]["figures"] as? [[String: Any]])
    #expect(figures.map { $0["source"] as? String } == ["interface", "interface"])
    #expect(figures[0]["packets"] as? Int == 5)
    #expect(
      document["notes"] as? [String]
        == [
          "the kernel keeps no route accounting (/proc/net/rt_acct, CONFIG_IP_ROUTE_CLASSID): interface counters only"
        ])
  }

  @Test("a route accounting file of the wrong size is an error naming it")
  func badAccounting() throws {
    let run = try Self.run([], accounting: [1, 2, 3])
    #expect(run.status == 1)
    #expect(run.stderr == "error: /proc/net/rt_acct: expected 256 realms of 16 bytes (4096 bytes), found 3 bytes\n")
  }
}
