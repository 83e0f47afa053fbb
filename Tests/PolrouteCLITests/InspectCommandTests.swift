import Foundation
import PolrouteCore
import TestSupport
import Testing

@testable import PolrouteCLI

/// `inspect --check` as a monitoring check reads it, and `inspect --policy` judging a policy without applying it.
@Suite("inspect --check and --policy")
struct InspectCommandTests {
  /// A snapshot of a state.
  static func snapshot(_ state: HostState) throws -> TemporaryFile {
    TemporaryFile("state.json", String(decoding: try Snapshot(state: state).encoded(), as: UTF8.self))
  }

  @Test("exit 0, 1, 2 and 3 for OK, WARNING, CRITICAL and UNKNOWN, and the first line says which")
  func checkStatuses() throws {
    // The dual-homed host with strict rp_filter: replies from data leave through mgmt and are dropped.
    let dualHomed = try dualHomedSnapshot()
    let critical = CLIRun(["inspect", "--check", "--state", dualHomed.path])
    #expect(critical.status == 2)
    #expect(
      critical.stdout.hasPrefix(
        "POLROUTE CRITICAL: 1 error, 2 warnings: strict-rp-filter (interface data), asymmetric-reply (interface"
          + " data), static-route-capture (route 192.0.2.128/25)\nhost server: "))
    // Loose rp_filter: the same replies are only a warning.
    var loose = SampleHosts.dualHomed
    loose.rpFilter = ReversePathFilter(all: 2, defaultValue: 2)
    let looseSnapshot = try Self.snapshot(loose)
    let warning = CLIRun(["inspect", "--check", "--state", looseSnapshot.path])
    #expect(warning.status == 1)
    #expect(warning.stdout.hasPrefix("POLROUTE WARNING: 0 errors, 2 warnings: "))
    // After the derived policy: nothing to warn about.
    let policy = try PolicyResolver(state: loose, document: nil, isSnapshot: true).resolve()
    let fixed = KernelPlan.make(state: loose, policy: policy).state(after: loose)
    let fixedSnapshot = try Self.snapshot(fixed)
    let ok = CLIRun(["inspect", "--check", "--state", fixedSnapshot.path])
    #expect(ok.status == 0, "\(ok.stdout)")
    #expect(ok.stdout.hasPrefix("POLROUTE OK: 0 errors, 0 warnings\n"))
    // The host cannot be read: UNKNOWN, never a silent OK.
    let unknown = CLIRun(["inspect", "--check", "--state", "/nonexistent/state.json"])
    #expect(unknown.status == 3)
    #expect(unknown.stdout.hasPrefix("POLROUTE UNKNOWN: "))
    let broken = TemporaryFile("p.conf", "uplink data dev\n")
    let badPolicy = CLIRun(["inspect", "--check", "--state", dualHomed.path, "--policy", broken.path])
    #expect(badPolicy.status == 3)
    #expect(badPolicy.stdout == "POLROUTE UNKNOWN: the policy has errors\n")
    #expect(badPolicy.stderr.contains("p.conf:1:"))
    // Without --check, findings do not change the exit status.
    #expect(CLIRun(["inspect", "--state", dualHomed.path]).status == 0)
  }

  @Test("--policy judges the host as the policy would leave it, and changes nothing")
  func judgesAPolicy() throws {
    let snapshot = try dualHomedSnapshot()
    let empty = TemporaryFile("empty.conf", "")
    let derived = CLIRun(["inspect", "--check", "--state", snapshot.path, "--policy", empty.path])
    // An empty policy file is a policy that declares nothing: the host stays as it is.
    #expect(derived.stdout.contains("would leave it (0 changes)"))
    #expect(derived.status == 2)
    let auto = TemporaryFile("p.conf", "auto\n")
    let applied = CLIRun(["inspect", "--check", "--state", snapshot.path, "--policy", auto.path])
    #expect(applied.stdout.contains("host server as \(auto.path) would leave it (10 changes): "))
    #expect(applied.status == 0, "\(applied.stdout)")
    #expect(
      applied.stdout.contains("  inet  203.0.113.10/24              replies via 203.0.113.1 dev data (table 100)\n"))
  }
}
