import Foundation
import PolrouteCore
import TestSupport
import Testing

/// The iproute2 script (`polroute render --format script`) against real `shellcheck` and real `ip` in a
/// dual-stack, dual-homed namespace.
@Suite(
  "iproute2 script, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost + [.shellcheck]), .serialized)
struct ScriptLiveTests {
  /// A policy file using most of what a policy can say: an extra table with reject routes of both families, a
  /// route statement, application rules with fwmark, ports, uid ranges, `not`, `goto`, `prohibit`, tos and
  /// suppress_prefixlength. None catches traffic to a gateway: read before the user's ifupdown stanzas, such a rule
  /// would make the kernel refuse the user's own `via` routes ("Nexthop has invalid gateway").
  static let richPolicy = """
    uplink data dev data table 100 via 203.0.113.1 via6 2001:db8:b::1
    uplink mgmt dev mgmt table 101 via 198.51.100.1 via6 2001:db8:a::1
    table sink 150
    route blackhole 100.64.0.0/16 table sink
    route unreachable 2001:db8:dead::/48 table sink
    route 100.64.0.0/10 via 203.0.113.1 table data
    rule fwmark 0x10/0xff lookup data
    rule fwmark 0x20 lookup mgmt family inet6
    rule to 192.0.2.0/25 lookup data priority 9000
    rule from 203.0.113.0/24 to 100.64.0.0/10 lookup sink
    rule iif mgmt ipproto tcp dport 8080 lookup mgmt
    rule uidrange 1000-1999 lookup data family inet
    rule not to 192.0.2.0/24 lookup sink priority 9100
    rule to 198.51.100.128/25 prohibit priority 9150
    rule fwmark 0x30 goto 20000 priority 9200 family inet
    rule to 2001:db8:c::/64 lookup data suppress_prefixlength 0 priority 9300
    rule tos 0x08 lookup mgmt priority 9400 family inet

    """

  /// The rules and routes of `richPolicy` on the dual-stack dual-homed server.
  static let richOwned = """
    -4 rule 9000: from all to 192.0.2.0/25 lookup 100 proto 177
    -4 rule 9100: not from all to 192.0.2.0/24 lookup 150 proto 177
    -4 rule 9150: from all to 198.51.100.128/25 prohibit proto 177
    -4 rule 9200: from all fwmark 0x30 goto 20000 proto 177
    -4 rule 9400: from all tos 0x08 lookup 101 proto 177
    -4 rule 10000: from all fwmark 0x10/0xff lookup 100 proto 177
    -4 rule 10002: from 203.0.113.0/24 to 100.64.0.0/10 lookup 150 proto 177
    -4 rule 10003: from all iif mgmt ipproto tcp dport 8080 lookup 101 proto 177
    -4 rule 10004: from all uidrange 1000-1999 lookup 100 proto 177
    -4 rule 14000: from 198.51.100.10 to 192.0.2.128/25 lookup 101 proto 177
    -4 rule 14001: from 203.0.113.10 to 198.51.100.0/24 lookup 100 proto 177
    -4 rule 14002: from 198.51.100.10 to 203.0.113.0/24 lookup 101 proto 177
    -4 rule 19000: from all lookup main suppress_prefixlength 0 proto 177
    -4 rule 20000: from 203.0.113.10 lookup 100 proto 177
    -4 rule 20001: from 198.51.100.10 lookup 101 proto 177
    -6 rule 9300: from all to 2001:db8:c::/64 lookup 100 suppress_prefixlength 0 proto 177
    -6 rule 10000: from all fwmark 0x10/0xff lookup 100 proto 177
    -6 rule 10001: from all fwmark 0x20 lookup 101 proto 177
    -6 rule 10003: from all iif mgmt ipproto tcp dport 8080 lookup 101 proto 177
    -6 rule 14000: from 2001:db8:b::10 to 2001:db8:a::/64 lookup 100 proto 177
    -6 rule 14001: from 2001:db8:a::10 to 2001:db8:b::/64 lookup 101 proto 177
    -6 rule 19000: from all lookup main suppress_prefixlength 0 proto 177
    -6 rule 20000: from 2001:db8:b::10 lookup 100 proto 177
    -6 rule 20001: from 2001:db8:a::10 lookup 101 proto 177
    -4 route default via 203.0.113.1 dev data table 100 proto 177
    -4 route 100.64.0.0/10 via 203.0.113.1 dev data table 100 proto 177
    -4 route 203.0.113.0/24 dev data table 100 proto 177 scope link src 203.0.113.10
    -4 route default via 198.51.100.1 dev mgmt table 101 proto 177
    -4 route 198.51.100.0/24 dev mgmt table 101 proto 177 scope link src 198.51.100.10
    -4 route blackhole 100.64.0.0/16 table 150 proto 177
    -6 route 2001:db8:b::/64 dev data table 100 proto 177 metric 1024 pref medium
    -6 route default via 2001:db8:b::1 dev data table 100 proto 177 metric 1024 pref medium
    -6 route 2001:db8:a::/64 dev mgmt table 101 proto 177 metric 1024 pref medium
    -6 route default via 2001:db8:a::1 dev mgmt table 101 proto 177 metric 1024 pref medium
    -6 route unreachable 2001:db8:dead::/48 dev lo table 150 proto 177 metric 1024 pref medium

    """

  /// The rules and routes of the policy derived for the dual-stack dual-homed server: data has no IPv6 gateway, so
  /// its IPv6 address gets no source rule; each uplink's address keeps its replies to the other's networks (and to
  /// main's static route through data) on its own uplink; the local-networks rule reaches the rest directly.
  static let derivedOwned = """
    -4 rule 14000: from 198.51.100.10 to 192.0.2.128/25 lookup 101 proto 177
    -4 rule 14001: from 203.0.113.10 to 198.51.100.0/24 lookup 100 proto 177
    -4 rule 14002: from 198.51.100.10 to 203.0.113.0/24 lookup 101 proto 177
    -4 rule 19000: from all lookup main suppress_prefixlength 0 proto 177
    -4 rule 20000: from 203.0.113.10 lookup 100 proto 177
    -4 rule 20001: from 198.51.100.10 lookup 101 proto 177
    -6 rule 14000: from 2001:db8:a::10 to 2001:db8:b::/64 lookup 101 proto 177
    -6 rule 19000: from all lookup main suppress_prefixlength 0 proto 177
    -6 rule 20000: from 2001:db8:a::10 lookup 101 proto 177
    -4 route default via 203.0.113.1 dev data table 100 proto 177
    -4 route 203.0.113.0/24 dev data table 100 proto 177 scope link src 203.0.113.10
    -4 route default via 198.51.100.1 dev mgmt table 101 proto 177
    -4 route 198.51.100.0/24 dev mgmt table 101 proto 177 scope link src 198.51.100.10
    -6 route 2001:db8:b::/64 dev data table 100 proto 177 metric 1024 pref medium
    -6 route 2001:db8:a::/64 dev mgmt table 101 proto 177 metric 1024 pref medium
    -6 route default via 2001:db8:a::1 dev mgmt table 101 proto 177 metric 1024 pref medium

    """

  @Test("the derived policy's script: shellcheck is silent, two runs leave the same kernel, and plan agrees")
  func derivedPolicy() throws {
    let topology = try Topology.dualHomed("scrd", dualStack: true)
    let scratch = try ScratchDirectory("scrd")
    let script = try Self.render(topology.server, policy: nil, into: scratch)
    #expect(
      script.stderr == """
        warning: no IPv6 gateway is known for data: table data holds only its link routes (name it with \
        'uplink data dev data via6 GATEWAY')

        """)
    try Self.checkShellcheck(script.path)
    try Self.runTwice(topology.server, script: script.path)
    #expect(try topology.server.owned() == Self.derivedOwned, "now:\n\(topology.server.ownedListing)")
    let plan = try topology.server.polroute(["plan", "--detailed-exitcode"])
    #expect(plan.status == 0, "plan after the script: \(plan.outputText)")
  }

  @Test("a policy file with application rules, fwmark, reject routes and IPv6: shellcheck, idempotence, plan")
  func richPolicyFile() throws {
    let topology = try Topology.dualHomed("scrp", dualStack: true)
    let scratch = try ScratchDirectory("scrp")
    let policy = try scratch.write("policy.conf", Self.richPolicy)
    let script = try Self.render(topology.server, policy: policy, into: scratch)
    #expect(script.stderr == "")
    try Self.checkShellcheck(script.path)
    try Self.runTwice(topology.server, script: script.path)
    #expect(try topology.server.owned() == Self.richOwned, "now:\n\(topology.server.ownedListing)")
    let plan = try topology.server.polroute(["plan", "--policy", policy, "--detailed-exitcode"])
    #expect(plan.status == 0, "plan after the script: \(plan.outputText)")
  }

  /// The rendered script, written to `polroute.sh` in `scratch`, and what render printed on stderr.
  static func render(
    _ namespace: Namespace, policy: String?, into scratch: ScratchDirectory, name: String = "polroute.sh"
  ) throws -> (path: String, stderr: String) {
    let result = try namespace.polroute(["render", "--format", "script"] + (policy.map { ["--policy", $0] } ?? []))
    #expect(result.status == 0, "render failed: \(result.errorText)")
    let path = try scratch.write(name, result.outputText, mode: 0o755)
    return (path, String(decoding: result.errorOutput, as: UTF8.self))
  }

  /// `shellcheck -s sh` reports nothing at all.
  static func checkShellcheck(_ path: String) throws {
    let check = try Live.run(["shellcheck", "-s", "sh", path])
    #expect(check.status == 0)
    #expect(check.outputText == "", "shellcheck: \(check.outputText)")
  }

  /// Runs the script twice with real `ip`: both runs succeed silently and leave the same rules and routes.
  static func runTwice(_ namespace: Namespace, script: String) throws {
    let first = try namespace.sh(script)
    #expect(first.status == 0, "first run: \(first.errorText)")
    #expect(first.errorText == "")
    let afterFirst = try namespace.dump()
    let second = try namespace.sh(script)
    #expect(second.status == 0, "second run: \(second.errorText)")
    #expect(second.errorText == "", "the second run changed something")
    #expect(try namespace.dump() == afterFirst)
  }
}
