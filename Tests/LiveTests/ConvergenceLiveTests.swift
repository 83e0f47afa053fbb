import Foundation
import PolrouteCore
import TestSupport
import Testing

/// The iproute2 script converges: run after another policy's script, it leaves exactly its own policy, and never
/// touches what polroute does not own.
@Suite(
  "iproute2 script convergence, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost), .serialized)
struct ConvergenceLiveTests {
  /// Policy A: three tables, route statements, and rules that policy B changes at the same priorities.
  static let policyA = """
    uplink data dev data table 100 via 203.0.113.1 via6 2001:db8:b::1
    uplink mgmt dev mgmt table 101 via 198.51.100.1 via6 2001:db8:a::1
    table sink 150
    route blackhole 192.0.2.0/24 table sink
    route unreachable 2001:db8:dead::/48 table sink
    route 100.64.0.0/10 via 203.0.113.1 table data
    route 192.0.2.64/26 via 198.51.100.1 table mgmt
    rule to 192.0.2.0/25 lookup data priority 9000
    rule fwmark 0x10/0xff lookup data priority 9100
    rule to 192.0.2.0/25 goto 20000 priority 9200
    rule to 192.0.2.128/25 lookup data priority 9300
    rule from 203.0.113.0/24 to 100.64.0.0/10 lookup data priority 9400
    rule to 192.0.2.0/24 unreachable priority 9500
    rule iif mgmt lookup mgmt priority 9600
    rule fwmark 0x40 lookup data priority 9700

    """

  /// Policy B: mgmt moves to table 120, table 150 is gone, and at each of 9000-9500 the rule differs from A's in
  /// one way: the table, the fwmark mask, `not` and the goto target, a selector more, a selector less (the kernel
  /// takes the last two for A's rule and refuses them as "File exists"), the action.
  static let policyB = """
    uplink data dev data table 100 via 203.0.113.1
    uplink mgmt dev mgmt table 120 via 198.51.100.1 via6 2001:db8:a::1
    route 192.0.2.0/24 via 203.0.113.1 table data
    rule to 192.0.2.0/25 lookup mgmt priority 9000
    rule fwmark 0x10 lookup data priority 9100
    rule not to 192.0.2.0/25 goto 20001 priority 9200
    rule from 203.0.113.0/24 to 192.0.2.128/25 lookup data priority 9300
    rule to 100.64.0.0/10 lookup data priority 9400
    rule to 192.0.2.0/24 prohibit priority 9500
    rule iif data lookup data priority 9650

    """

  @Test("script A then script B leaves exactly B, as B alone does, and nothing polroute does not own changes")
  func policyAThenB() throws {
    let topology = try Topology.dualHomed("conv", dualStack: true)
    let server = topology.server
    let scratch = try ScratchDirectory("conv")
    let policyA = try scratch.write("a.conf", Self.policyA)
    let policyB = try scratch.write("b.conf", Self.policyB)
    try Self.addForeignObjects(server)
    // A second data address: A has a source rule for it, B (after it is removed) has not.
    try server.ip("addr add 203.0.113.11/24 dev data")

    let scriptA = try ScriptLiveTests.render(server, policy: policyA, into: scratch, name: "a.sh")
    let runA = try server.sh(scriptA.path)
    #expect(runA.status == 0 && runA.errorText == "", "script A: \(runA.errorText)")
    #expect(try server.polroute(["plan", "--policy", policyA, "--detailed-exitcode"]).status == 0)

    // The host changes too: data loses its second IPv4 address and its IPv6 address.
    try server.ip("addr del 203.0.113.11/24 dev data")
    try server.ip("-6 addr del 2001:db8:b::10/64 dev data")
    let foreign = try server.foreign()

    let scriptB = try ScriptLiveTests.render(server, policy: policyB, into: scratch, name: "b.sh")
    let runB = try server.sh(scriptB.path)
    #expect(runB.status == 0, "script B: \(runB.errorText)")
    // Where a rule changed at the same priority, the kernel can neither take B's rule beside A's nor delete
    // exactly A's: the script says it rebuilt those priorities.
    #expect(
      runB.errorText == """
        polroute.sh: rebuilt the -4 rules at priority 9000
        polroute.sh: rebuilt the -4 rules at priority 9100
        polroute.sh: rebuilt the -4 rules at priority 9200
        polroute.sh: rebuilt the -4 rules at priority 9300
        polroute.sh: rebuilt the -4 rules at priority 9400
        polroute.sh: rebuilt the -4 rules at priority 9500
        polroute.sh: rebuilt the -4 rules at priority 14000
        polroute.sh: rebuilt the -4 rules at priority 14002
        polroute.sh: rebuilt the -4 rules at priority 20001
        polroute.sh: rebuilt the -6 rules at priority 9100
        polroute.sh: rebuilt the -6 rules at priority 20000
        """)
    let plan = try server.polroute(["plan", "--policy", policyB, "--detailed-exitcode"])
    #expect(plan.status == 0, "plan B after A then B: \(plan.outputText)")
    #expect(try server.foreign() == foreign, "the script changed rules or routes polroute does not own")

    // The same as a host where only B's script ever ran.
    let fresh = try Topology.dualHomed("conf", dualStack: true)
    try fresh.server.ip("-6 addr del 2001:db8:b::10/64 dev data")
    let freshScript = try ScriptLiveTests.render(fresh.server, policy: policyB, into: scratch, name: "fresh.sh")
    let freshRun = try fresh.server.sh(freshScript.path)
    #expect(freshRun.status == 0 && freshRun.errorText == "", "script B alone: \(freshRun.errorText)")
    #expect(try server.owned() == (try fresh.server.owned()), "now:\n\(server.ownedListing)")
    #expect(
      try server.owned() == """
        -4 rule 9000: from all to 192.0.2.0/25 lookup 120 proto 177
        -4 rule 9100: from all fwmark 0x10 lookup 100 proto 177
        -4 rule 9200: not from all to 192.0.2.0/25 goto 20001 proto 177
        -4 rule 9300: from 203.0.113.0/24 to 192.0.2.128/25 lookup 100 proto 177
        -4 rule 9400: from all to 100.64.0.0/10 lookup 100 proto 177
        -4 rule 9500: from all to 192.0.2.0/24 prohibit proto 177
        -4 rule 9650: from all iif data lookup 100 proto 177
        -4 rule 14000: from 198.51.100.10 to 192.0.2.128/25 lookup 120 proto 177
        -4 rule 14001: from 203.0.113.10 to 198.51.100.0/24 lookup 100 proto 177
        -4 rule 14002: from 198.51.100.10 to 203.0.113.0/24 lookup 120 proto 177
        -4 rule 19000: from all lookup main suppress_prefixlength 0 proto 177
        -4 rule 20000: from 203.0.113.10 lookup 100 proto 177
        -4 rule 20001: from 198.51.100.10 lookup 120 proto 177
        -6 rule 9100: from all fwmark 0x10 lookup 100 proto 177
        -6 rule 9650: from all iif data lookup 100 proto 177
        -6 rule 19000: from all lookup main suppress_prefixlength 0 proto 177
        -6 rule 20000: from 2001:db8:a::10 lookup 120 proto 177
        -4 route default via 203.0.113.1 dev data table 100 proto 177
        -4 route 192.0.2.0/24 via 203.0.113.1 dev data table 100 proto 177
        -4 route 203.0.113.0/24 dev data table 100 proto 177 scope link src 203.0.113.10
        -4 route default via 198.51.100.1 dev mgmt table 120 proto 177
        -4 route 198.51.100.0/24 dev mgmt table 120 proto 177 scope link src 198.51.100.10
        -6 route 2001:db8:a::/64 dev mgmt table 120 proto 177 metric 1024 pref medium
        -6 route default via 2001:db8:a::1 dev mgmt table 120 proto 177 metric 1024 pref medium

        """, "now:\n\(server.ownedListing)")

    // And B again changes nothing.
    let before = try server.dump()
    let again = try server.sh(scriptB.path)
    #expect(again.status == 0 && again.errorText == "", "script B again: \(again.errorText)")
    #expect(try server.dump() == before)
  }

  @Test("the derived policy's script removes a whole stale policy and leaves foreign rules at its priorities")
  func staleObjectsEverywhere() throws {
    let topology = try Topology.dualHomed("stal")
    let server = topology.server
    let scratch = try ScratchDirectory("stal")
    try Self.addForeignObjects(server)
    // What an older polroute left: rules at priorities the policy does not use and at one it does, routes in a
    // table it no longer owns and a stale route in a table it owns, and a foreign rule sharing a stale priority.
    for command in [
      "rule add from 192.0.2.10 lookup 140 priority 15000 protocol 177",
      "rule add fwmark 0x7 lookup 140 priority 15000",
      "rule add from 203.0.113.10 lookup 140 priority 20000 protocol 177",
      "route add 192.0.2.0/25 via 203.0.113.1 dev data table 140 proto 177",
      "route add blackhole 198.51.100.128/25 table 140 proto 177",
      "route add 100.64.0.0/10 via 203.0.113.1 dev data table 100 proto 177",
    ] {
      try server.ip(command)
    }
    let foreign = try server.foreign()
    let script = try ScriptLiveTests.render(server, policy: nil, into: scratch)
    let run = try server.sh(script.path)
    #expect(run.status == 0, "script: \(run.errorText)")
    #expect(run.errorText == "polroute.sh: rebuilt the -4 rules at priority 20000")
    #expect(try server.polroute(["plan", "--detailed-exitcode"]).status == 0)
    #expect(try server.foreign() == foreign)
    #expect(
      try server.owned() == """
        -4 rule 14000: from 198.51.100.10 to 192.0.2.128/25 lookup 101 proto 177
        -4 rule 14001: from 203.0.113.10 to 198.51.100.0/24 lookup 100 proto 177
        -4 rule 14002: from 198.51.100.10 to 203.0.113.0/24 lookup 101 proto 177
        -4 rule 19000: from all lookup main suppress_prefixlength 0 proto 177
        -4 rule 20000: from 203.0.113.10 lookup 100 proto 177
        -4 rule 20001: from 198.51.100.10 lookup 101 proto 177
        -4 route default via 203.0.113.1 dev data table 100 proto 177
        -4 route 203.0.113.0/24 dev data table 100 proto 177 scope link src 203.0.113.10
        -4 route default via 198.51.100.1 dev mgmt table 101 proto 177
        -4 route 198.51.100.0/24 dev mgmt table 101 proto 177 scope link src 198.51.100.10

        """, "now:\n\(server.ownedListing)")
  }

  /// Rules and routes polroute does not own, made by hand: a rule per family, routes of both families in a foreign
  /// table, a rule sharing no priority with polroute, and a route in main.
  static func addForeignObjects(_ namespace: Namespace) throws {
    for command in [
      "rule add from 100.64.0.0/10 lookup 300 priority 500",
      "-6 rule add from 2001:db8:f::/48 lookup 300 priority 500",
      "rule add fwmark 0x99 lookup 300 priority 9800",
      "route add blackhole 192.0.2.0/24 table 300",
      "-6 route add unreachable 2001:db8:f::/48 table 300",
      "route add unreachable 100.64.0.0/10",
    ] {
      try namespace.ip(command)
    }
  }
}
