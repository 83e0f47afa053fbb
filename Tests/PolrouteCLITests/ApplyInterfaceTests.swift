import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI

/// `polroute apply --interface IFACE`: only that uplink's table and rules change, with the full apply's
/// verification and rollback. Run in-process as root against a scripted kernel holding the dual-homed host.
@Suite("apply --interface, scripted")
struct ApplyInterfaceTests {
  /// A dual-homed host already applied in full, and a run directory for the lock.
  final class Host {
    /// The kernel.
    let kernel: FakeKernel
    /// The run directory.
    let run: TemporaryDirectory

    /// Builds the host and applies its derived policy; `rejectLine` then scripts the kernel's refusals.
    init(rejectLine: (@Sendable (String) -> String?)? = nil) throws {
      kernel = FakeKernel(SampleHosts.dualHomed, rejectLine: rejectLine)
      run = try TemporaryDirectory("apply-interface-run")
    }

    /// Runs polroute in-process as root.
    func run(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
      let out = CapturedSink()
      let err = CapturedSink()
      let context = CLIContext(
        runner: kernel, hostFiles: InMemoryFileSystem(), environment: ["POLROUTE_RUN_DIR": run.path], stdout: out,
        stderr: err, isRoot: true)
      let status = CLI.run(arguments, context: context)
      return (status, out.text, err.text)
    }

    /// The kernel's polroute rules, as `ip rule` words with their priority.
    var rules: [String] {
      kernel.state.rules.filter(Ownership.isMarked).map {
        "\($0.priority): " + RuleText.addWords($0).joined(separator: " ")
      }
    }

    /// The kernel's routes in polroute's tables, as `ip route` words.
    var tableRoutes: [String] {
      kernel.state.routes.filter(Ownership.isMarked).map { RouteText.words($0).joined(separator: " ") }
    }
  }

  /// data's lease moves it from 203.0.113.10 to 203.0.113.11 and its gateway to 203.0.113.254, as dhclient does it:
  /// the old address goes (and the kernel drops the routes using it as their source), the new one comes, and main's
  /// route through data names the new gateway.
  static func renew(_ state: inout HostState) {
    let index = state.interfaces.firstIndex { $0.name == "data" }!
    state.interfaces[index].addresses = [
      Address(try! InterfaceAddress(parsing: "203.0.113.11/24"), scope: "global", flags: [.dynamic])
    ]
    state.routes.removeAll { $0.preferredSource == IPAddress("203.0.113.10") || $0.gateway == IPAddress("203.0.113.1") }
    state.routes.append(
      Route(
        destination: IPPrefix("203.0.113.0/24")!, device: "data", protocolNumber: RouteProtocol.kernel,
        scope: RouteScope.link, preferredSource: IPAddress("203.0.113.11")))
    state.routes.append(
      Route(destination: IPPrefix("192.0.2.128/25")!, gateway: IPAddress("203.0.113.254"), device: "data"))
  }

  @Test("a new lease moves the uplink's table and source rule, and nothing of the other uplink changes")
  func leaseMoves() throws {
    let host = try Host()
    #expect(host.run(["apply"]).status == 0)
    host.kernel.change(Self.renew)
    // Something else of mgmt's is out of date: an --interface data apply must leave it so.
    let mgmtSource = try #require(
      host.kernel.state.rules.first {
        $0.selector.source == IPPrefix("198.51.100.10/32") && $0.selector.destination == nil && Ownership.isMarked($0)
      })
    host.kernel.change { $0.rules.removeAll { $0 == mgmtSource } }
    let before = host.rules

    let applied = host.run(["apply", "--interface", "data"])
    #expect(applied.status == 0, "\(applied.stderr)")
    #expect(applied.stdout.contains("verified"), "\(applied.stdout)")
    let rules = host.rules
    #expect(rules.contains { $0.hasSuffix("from 203.0.113.11 lookup 100 priority 20000 protocol 177") }, "\(rules)")
    #expect(!rules.contains { $0.contains("203.0.113.10") }, "\(rules)")
    #expect(!rules.contains { $0.contains("from 198.51.100.10 lookup") && !$0.contains(" to ") }, "\(rules)")
    // mgmt's guards and the rest are as they were.
    #expect(Set(before.filter { $0.contains("lookup 101") }) == Set(rules.filter { $0.contains("lookup 101") }))
    let routes = host.tableRoutes
    #expect(routes.contains("default via 203.0.113.254 dev data proto 177 table 100"), "\(routes)")
    #expect(routes.contains { $0 == "203.0.113.0/24 dev data proto 177 scope link src 203.0.113.11 table 100" })

    // A full plan now has only mgmt's rule left to add.
    let plan = host.run(["plan", "--no-flows"])
    #expect(plan.stdout.contains("+20001: from 198.51.100.10 lookup mgmt proto 177"), "\(plan.stdout)")
    #expect(plan.stdout.contains("Kernel: 1 to add, 0 to replace, 0 to delete"), "\(plan.stdout)")
    // A second scoped apply has nothing to do.
    let again = host.run(["apply", "--interface", "data"])
    #expect(again.status == 0)
    #expect(again.stdout.contains("Kernel: nothing to change"), "\(again.stdout)")
  }

  @Test("a new lease moves the uplink's hop in a group's table too: the group's route is the interface's to converge")
  func leaseMovesGroupHop() throws {
    let host = try Host()
    let directory = try TemporaryDirectory("apply-interface-group")
    let policy = directory.path + "/policy.conf"
    try "auto\nbalance wan uplinks data mgmt\n".write(toFile: policy, atomically: true, encoding: .utf8)
    // The settings the group asks for, as the kernel has them before.
    host.kernel.change { state in
      state.kernelSettings = [
        "net/ipv4/conf/data/ignore_routes_with_linkdown": "0", "net/ipv4/conf/mgmt/ignore_routes_with_linkdown": "0",
      ]
    }
    let first = host.run(["apply", "--policy", policy])
    #expect(first.status == 0, "\(first.stderr) \(first.stdout)")
    host.kernel.change(Self.renew)

    let applied = host.run(["apply", "--policy", policy, "--interface", "data"])
    #expect(applied.status == 0, "\(applied.stderr)")
    let group = host.tableRoutes.filter { $0.contains("nexthop") }
    #expect(group.count == 1 && group[0].contains("nexthop via 203.0.113.254 dev data"), "\(host.tableRoutes)")
    #expect(!group.contains { $0.contains("203.0.113.1 ") }, "\(group)")
    // The full plan agrees: nothing is left for another apply.
    let plan = host.run(["plan", "--policy", policy, "--no-flows"])
    #expect(plan.stdout.contains("Kernel: no changes"), "\(plan.stdout)")
  }

  @Test("an interface that went away has its rules and table removed, and the other uplink's own rules stay")
  func interfaceGone() throws {
    let host = try Host()
    #expect(host.run(["apply"]).status == 0)
    host.kernel.change { state in
      state.interfaces.removeAll { $0.name == "data" }
      state.routes.removeAll { $0.device == "data" }
    }
    let applied = host.run(["apply", "--interface", "data"])
    #expect(applied.status == 0, "\(applied.stderr)")
    #expect(
      applied.stderr.contains(
        "note: data: it is not on this host: the rules and table polroute had for it are removed"),
      "\(applied.stderr)")
    let rules = host.rules
    #expect(!rules.contains { $0.contains("lookup 100") }, "\(rules)")
    // mgmt's guards against data's networks are gone with them; its source rule stays.
    #expect(!rules.contains { $0.contains("203.0.113.0/24") || $0.contains("192.0.2.128/25") }, "\(rules)")
    #expect(rules.contains { $0.hasSuffix("from 198.51.100.10 lookup 101 priority 20001 protocol 177") }, "\(rules)")
    #expect(host.run(["plan", "--no-flows"]).stdout.contains("Kernel: no changes"))
  }

  @Test("a rejected line rolls the partial apply back and leaves the host as it was")
  func rollback() throws {
    let host = try Host(rejectLine: {
      $0.contains("203.0.113.11") && $0.hasPrefix("rule add") ? "RTNETLINK answers: Invalid argument" : nil
    })
    #expect(host.run(["apply"]).status == 0)
    host.kernel.change(Self.renew)
    let before = host.kernel.state
    let applied = host.run(["apply", "--interface", "data"])
    #expect(applied.status == 1)
    #expect(applied.stderr.contains("RTNETLINK answers: Invalid argument"), "\(applied.stderr)")
    #expect(applied.stderr.contains("restored"), "\(applied.stderr)")
    #expect(Set(host.kernel.state.rules) == Set(before.rules))
    #expect(Set(host.kernel.state.routes) == Set(before.routes))
  }

  @Test("a dry run shows only the interface's changes")
  func dryRun() throws {
    let host = try Host()
    let dry = host.run(["apply", "--dry-run", "--interface", "mgmt"])
    #expect(dry.status == 0)
    #expect(dry.stdout.contains("from 198.51.100.10 lookup mgmt"), "\(dry.stdout)")
    #expect(!dry.stdout.contains("from 203.0.113.10 lookup data"), "\(dry.stdout)")
    #expect(!dry.stdout.contains("table data"), "\(dry.stdout)")
    #expect(host.kernel.writes.isEmpty)
  }

  @Test("bad interface names and --persist are usage errors that change nothing")
  func usage() throws {
    let host = try Host()
    let slash = host.run(["apply", "--interface", "eth0/1"])
    #expect(slash.status == 64)
    #expect(
      slash.stderr.contains(
        "Error: '--interface': 'eth0/1' is not an interface name (1 to 15 characters, no '/', ':' or white space)"),
      "\(slash.stderr)")
    let long = host.run(["apply", "--interface", "abcdefghijklmnop"])
    #expect(long.status == 64)
    let persist = host.run(["apply", "--interface", "data", "--persist"])
    #expect(persist.status == 64)
    #expect(
      persist.stderr.contains(
        "Error: '--interface' converges the kernel only; persist the whole policy with 'polroute apply --persist'"),
      "\(persist.stderr)")
    #expect(host.kernel.writes.isEmpty)
  }
}
