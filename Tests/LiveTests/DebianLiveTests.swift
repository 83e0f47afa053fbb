import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// Where /etc/network/interfaces has its `source /etc/network/interfaces.d/*` line.
enum SourcePlacement: String, CaseIterable, CustomTestStringConvertible, Sendable {
  /// Debian's default: the first line, so polroute's stanzas run before the user's.
  case first
  /// The last line, so polroute's stanzas run after the user's.
  case last

  /// The name in test output.
  var testDescription: String { "source line \(rawValue)" }
}

/// Which policy a live test uses.
enum PolicyKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
  /// The policy derived from the host.
  case derived
  /// `ScriptLiveTests.richPolicy`: application rules, an extra table, reject routes.
  case rich

  /// The name in test output.
  var testDescription: String { "\(rawValue) policy" }

  /// polroute's rules and routes once the policy is in place.
  var owned: String { self == .derived ? ScriptLiveTests.derivedOwned : ScriptLiveTests.richOwned }
}

/// polroute's Debian stanzas (`interfaces.d/polroute`) with the real ifupdown 0.8 `ifup`/`ifdown`, next to the
/// user's own stanzas for the dual-stack dual-homed server's interfaces.
@Suite(
  "Debian ifupdown, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost + [.ifup, .ifdown]),
  .serialized)
struct DebianLiveTests {
  /// The user's own stanzas: the server's addresses, gateways and main's route to the second client network.
  static let userStanzas = """
    iface mgmt inet static
        address 198.51.100.10/24
        gateway 198.51.100.1

    iface mgmt inet6 static
        address 2001:db8:a::10/64
        gateway 2001:db8:a::1

    iface data inet static
        address 203.0.113.10/24
        up ip route add 192.0.2.128/25 via 203.0.113.1 dev data

    iface data inet6 static
        address 2001:db8:b::10/64

    """

  @Test(
    "ifup adds polroute's rules and routes, ifdown removes exactly them, twice over",
    arguments: SourcePlacement.allCases, PolicyKind.allCases)
  func upAndDown(_ placement: SourcePlacement, _ kind: PolicyKind) throws {
    let hostInterfaces = TestPaths.read("/etc/network/interfaces")
    let label = "deb\(placement.rawValue.prefix(1))\(kind.rawValue.prefix(1))"
    let topology = try Topology.dualHomed(label, dualStack: true)
    let server = topology.server
    let scratch = try ScratchDirectory(label)

    // The policy of the fully configured server, fixed in a file so that it does not change as ifupdown brings the
    // interfaces up and down.
    let policyText: String
    if kind == .rich {
      policyText = ScriptLiveTests.richPolicy
    } else {
      let policyRun = try server.polroute(["policy"])
      #expect(policyRun.status == 0)
      policyText = policyRun.outputText
    }
    let policy = try scratch.write("polroute.conf", policyText)
    let render = try server.polroute(["render", "--format", "debian", "--policy", policy])
    #expect(render.status == 0, "render: \(render.errorText)")
    let ifupdown = try Ifupdown(scratch: scratch, namespace: server)
    try scratch.write("etc-network/interfaces.d/polroute", render.outputText)
    let source = "source /etc/network/interfaces.d/*\n"
    let main = placement == .first ? source + "\n" + Self.userStanzas : Self.userStanzas + "\n" + source
    try scratch.write("etc-network/interfaces", main)

    // polroute itself tells which case this is, from the same files (copied: a link under --root that leads out of
    // it is followed inside the root).
    try scratch.write("root/etc/network/interfaces", main)
    try scratch.write("root/etc/network/interfaces.d/polroute", render.outputText)
    let check = try server.polroute(
      ["plan", "--format", "debian", "--policy", policy, "--root", scratch.path + "/root"])
    let warnings = check.errorText.split(separator: "\n").filter { $0.contains("debian:") }
    let early =
      "/etc/network/interfaces:1:1: warning: debian: 'source /etc/network/interfaces.d/*' makes ifupdown read "
      + "polroute's stanzas for data, mgmt before your own"
    #expect(placement == .last ? warnings.isEmpty : warnings.count == 1 && warnings[0].hasPrefix(early), "\(warnings)")

    try ConvergenceLiveTests.addForeignObjects(server)
    let handMade = try Self.handMade(server)
    // ifupdown configures only interfaces that are down and without addresses.
    for device in ["mgmt", "data"] {
      try server.ip("addr flush dev \(device)")
      try server.ip("-6 addr flush dev \(device)")
      try server.ip("link set \(device) down")
    }
    #expect(try server.owned() == "", "now:\n\(server.ownedListing)")

    // Read first, polroute's stanzas run before the address exists: everything is there, but the kernel refuses
    // `src` on the link routes until the address is.
    let expected =
      placement == .last
      ? kind.owned
      : kind.owned.replacingOccurrences(of: " src 203.0.113.10", with: "")
        .replacingOccurrences(of: " src 198.51.100.10", with: "")
    for cycle in 1...2 {
      let up = try ifupdown.run("ifup", ["mgmt", "data"])
      #expect(up.status == 0, "ifup, cycle \(cycle): \(up.errorText)")
      // No post-up line of polroute's failed aloud (the `src` re-adds are the only silenced ones).
      #expect(up.errorText == "", "ifup, cycle \(cycle)")
      #expect(try server.owned() == expected, "after ifup, cycle \(cycle)")
      #expect(try Self.handMade(server) == handMade)
      let plan = try server.polroute(["plan", "--policy", policy, "--detailed-exitcode"])
      if placement == .last {
        #expect(plan.status == 0, "plan after ifup: \(plan.outputText)")
      } else {
        #expect(plan.status == 2)
        #expect(plan.outputText.contains("Kernel: 0 to add, 2 to replace, 0 to delete.\n"), "\(plan.outputText)")
      }

      let down = try ifupdown.run("ifdown", ["mgmt", "data"])
      #expect(down.status == 0, "ifdown, cycle \(cycle): \(down.errorText)")
      // The local-networks rule is every uplink's: no ifdown removes it, since the others may still be up. It only
      // consults main, so left alone it changes nothing.
      let shared = kind.owned.split(separator: "\n").filter {
        $0.hasSuffix("lookup main suppress_prefixlength 0 proto 177")
      }
      .map { $0 + "\n" }.joined()
      #expect(try server.owned() == shared, "after ifdown, cycle \(cycle): now:\n\(server.ownedListing)")
      #expect(try Self.handMade(server) == handMade)
    }
    #expect(TestPaths.read("/etc/network/interfaces") == hostInterfaces, "the host's own file changed")
  }

  /// The hand-made rules (all of them) and routes (table 300 and main's unreachable route) that polroute must not
  /// touch and that no interface going down removes.
  static func handMade(_ namespace: Namespace) throws -> String {
    let foreignRules = try namespace.foreign().split(separator: "\n").filter { $0.contains(" rule ") }
    var text = foreignRules.map { $0 + "\n" }.joined()
    for command in ["-4 route show table 300", "-6 route show table 300", "-4 route show table main type unreachable"] {
      text += try namespace.ip(command).outputText
    }
    return text
  }
}

/// ifupdown run inside a namespace against a private configuration: a private mount namespace bind-mounts the
/// scratch `etc-network` over /etc/network (so `source /etc/network/interfaces.d/*` means the scratch one) and
/// goes away with the command; the state lives in the scratch directory too.
struct Ifupdown {
  /// The scratch directory holding `etc-network` and `state`.
  let scratch: ScratchDirectory
  /// The namespace the interfaces are in.
  let namespace: Namespace

  /// Creates `etc-network` with empty hook directories (run-parts fails on a missing one) and the state directory.
  init(scratch: ScratchDirectory, namespace: Namespace) throws {
    // Only the Debian cases of the scenario tests need ifupdown; the others run without it.
    try TestTool.require(.ifup, .ifdown)
    self.scratch = scratch
    self.namespace = namespace
    for hooks in ["if-pre-up.d", "if-up.d", "if-down.d", "if-post-down.d", "interfaces.d"] {
      try scratch.directory("etc-network/" + hooks)
    }
    try scratch.directory("state")
  }

  /// Runs `ifup` or `ifdown` for interfaces.
  func run(_ program: String, _ interfaces: [String]) throws -> CommandResult {
    let words = [
      "mount", "--bind", scratch.path + "/etc-network", "/etc/network", "&&", "exec", "ip", "netns", "exec",
      namespace.name, program, "-i", "/etc/network/interfaces", "--state-dir", scratch.path + "/state",
    ]
    let script = (words + interfaces).map { $0 == "&&" ? $0 : ShellQuoting.quote($0) }.joined(separator: " ")
    return try Live.run(["unshare", "-m", "sh", "-c", script])
  }
}
