import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// The hosts people actually run, judged by the host and not the config: after every apply, a client on every
/// network the host touches (each provider's client and router, a container, a LAN) pings every address of the
/// host, with strict rp_filter on every namespace. A second apply changes nothing and breaks nothing.
@Suite(
  "real hosts, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost + [.ping]), .serialized)
struct RealHostsLiveTests {
  /// Runs `apply` with a policy file (or none) and returns its result; a second apply must change nothing.
  static func applyTwice(_ lab: ProviderLab, policy: String? = nil, scratch: ScratchDirectory) throws -> (
    first: CommandResult, second: CommandResult
  ) {
    let arguments = ["apply"] + (try policy.map { ["--policy", try scratch.write("policy.conf", $0)] } ?? [])
    let run = try scratch.directory("run")
    let first = try lab.host.polroute(arguments, environment: ["POLROUTE_RUN_DIR": run])
    let second = try lab.host.polroute(arguments, environment: ["POLROUTE_RUN_DIR": run])
    #expect(second.status == first.status, "second apply: \(second.errorText)")
    #expect(
      second.outputText.hasPrefix("Kernel: nothing to change"), "second apply changed something: \(second.outputText)")
    return (first, second)
  }

  @Test("a Docker host: containers and every provider's side reach every address, and a bridge made later too")
  func dockerHost() throws {
    let lab = try ProviderLab("dock")
    let isp1 = try lab.provider(1, device: "isp1", network: "198.51.100", address: "20")
    let isp2 = try lab.provider(2, device: "isp2", network: "203.0.113", address: "20")
    try lab.host.ip("route add default via \(isp1.gateway) dev isp1")
    try lab.bridge("docker0", address: "192.0.2.1", length: 25)
    let container = try lab.attach(
      "k1", to: "docker0", bridge: true, address: "192.0.2.10", length: 25, gateway: "192.0.2.1")
    let uplinkAddresses = [isp1.address, isp2.address]
    let clients = lab.farSides + [("container", container)]

    // Before: replies to isp2's address leave through isp1, where strict rp_filter drops them.
    #expect(try !lab.unreachable(from: lab.farSides, to: uplinkAddresses).isEmpty)
    #expect(try lab.unreachable(from: [("container", container)], to: uplinkAddresses + ["192.0.2.1"]) == [])

    // isp2's gateway is known from the policy (main names only isp1's); the rest is derived.
    let scratch = try ScratchDirectory("dock")
    let (first, _) = try Self.applyTwice(
      lab, policy: "auto\nuplink isp2 dev isp2 via \(isp2.gateway)\n", scratch: scratch)
    #expect(first.status == 0, "apply: \(first.errorText)")
    #expect(first.outputText.contains("; verified.\n"), "\(first.outputText)")
    #expect(try lab.unreachable(from: clients, to: uplinkAddresses) == [])
    #expect(try lab.unreachable(from: [("container", container)], to: ["192.0.2.1"]) == [])
    let check = try lab.host.polroute(["inspect", "--check"])
    #expect(check.status == 0 && check.outputText.hasPrefix("POLROUTE OK"), "\(check.outputText)")

    // A network Docker makes after the apply is reached directly from every address at once, no re-apply.
    try lab.bridge("br-0a1b2c", address: "192.0.2.129", length: 25)
    let second = try lab.attach(
      "k2", to: "br-0a1b2c", bridge: true, address: "192.0.2.130", length: 25, gateway: "192.0.2.129")
    #expect(try lab.unreachable(from: [("new container", second)], to: uplinkAddresses + ["192.0.2.129"]) == [])
    #expect(try lab.unreachable(from: clients, to: uplinkAddresses) == [])
  }

  @Test("a router with a LAN and two providers: every network reaches every address; a LAN is verified once declared")
  func routerWithLAN() throws {
    let lab = try ProviderLab("lanr")
    try lab.host.sysctl("net.ipv4.ip_forward=1")
    let isp1 = try lab.provider(1, device: "if1", network: "198.51.100", address: "20")
    let isp2 = try lab.provider(2, device: "if2", network: "203.0.113", address: "20")
    try lab.host.ip("route add default via \(isp1.gateway) dev if1")
    let lan = try lab.attach(
      "lan", to: "if0", bridge: false, address: "100.66.10.10", length: 24, gateway: "100.66.10.1")
    try lab.host.ip("addr add 100.66.10.1/24 dev if0")
    // The providers route the LAN to the router, as a provider routes a customer's network.
    try lab.routeBehindHost("100.66.10.0/24", through: isp1)
    let addresses = [isp1.address, isp2.address, "100.66.10.1"]

    let scratch = try ScratchDirectory("lanr")
    let (first, _) = try Self.applyTwice(
      lab, policy: "auto\nuplink if2 dev if2 via \(isp2.gateway)\n", scratch: scratch)
    #expect(first.status == 0, "apply: \(first.errorText)")
    #expect(try lab.unreachable(from: [("LAN client", lan)] + lab.farSides, to: addresses) == [])
    // polroute cannot tell a LAN from an uplink whose gateway it does not know: it says so, with both fixes.
    let policy = try lab.host.polroute(["policy"]).outputText
    #expect(policy.contains("if0 (a local network: no gateway is known)"), "\(policy)")
    #expect(
      first.outputText.contains("fix: uplink if0 dev if0 via GATEWAY; or, if if0 is a local network and not an uplink"),
      "\(first.outputText)")

    // inspect agrees: no error or warning about the LAN (its replies rightly take the default route).
    let check = try lab.host.polroute(["inspect", "--check"])
    #expect(check.status == 0 && check.outputText.hasPrefix("POLROUTE OK"), "\(check.outputText)")

    // The admin says the LAN is one: verified, and every network still reaches every address.
    let declared = try Self.applyTwice(
      lab, policy: "auto\nuplink if2 dev if2 via \(isp2.gateway)\nexclude if0\n", scratch: scratch)
    #expect(declared.first.outputText.contains("; verified.\n"), "\(declared.first.outputText)")
    #expect(try lab.unreachable(from: [("LAN client", lan)] + lab.farSides, to: addresses) == [])
  }

  @Test("seed 002's host: eth1's gateway is unknown, so apply lists eth1's address unresolved with its fix")
  func unknownGateway() throws {
    let lab = try ProviderLab("s002")
    let eth0 = try lab.provider(1, device: "eth0", network: "198.51.100", address: "10")
    let eth1 = try lab.provider(2, device: "eth1", network: "203.0.113", address: "10")
    try lab.host.ip("route add default via \(eth0.gateway) dev eth0")

    let scratch = try ScratchDirectory("s002")
    let (first, second) = try Self.applyTwice(lab, scratch: scratch)
    #expect(first.status == 0, "apply: \(first.errorText)")
    #expect(!first.outputText.contains("; verified.\n"), "\(first.outputText)")
    #expect(
      first.outputText.hasSuffix(
        """
        Unresolved: replies from these addresses to remote clients leave through another interface, and the policy \
        cannot steer them:
          203.0.113.10 (eth1) leaves through eth0: eth1 is not an uplink: a local network: no gateway is known
            fix: uplink eth1 dev eth1 via GATEWAY; or, if eth1 is a local network and not an uplink: exclude eth1

        """), "\(first.outputText)")
    #expect(second.outputText.contains("Unresolved:"))
    // Honest: eth1's address still does not answer the client behind its provider.
    #expect(try lab.unreachable(from: [("client of eth1", eth1.client)], to: [eth1.address]) != [])

    // The fix, as printed: then every address answers and apply says verified.
    let fixed = try Self.applyTwice(lab, policy: "auto\nuplink eth1 dev eth1 via \(eth1.gateway)\n", scratch: scratch)
    #expect(fixed.first.status == 0 && fixed.first.outputText.contains("; verified.\n"), "\(fixed.first.outputText)")
    #expect(try lab.unreachable(from: lab.farSides, to: [eth0.address, eth1.address]) == [])
  }

  @Test("seed 003's host: main's static route through data no longer captures mgmt's replies")
  func staticRouteInMain() throws {
    let lab = try ProviderLab("s003")
    let mgmt = try lab.provider(1, device: "mgmt", network: "198.51.100", address: "38")
    let data = try lab.provider(2, device: "data", network: "203.0.113", address: "38")
    try lab.host.ip("route add default via \(mgmt.gateway) dev mgmt")
    // The article's static route: a client network reached through the data network's router.
    let client = try Namespace("s003x")
    try ProviderLab.strict(client)
    try client.link("eth0", to: data.router, as: "cl")
    try data.router.ip("addr add 192.0.2.1/24 dev cl")
    try client.ip("addr add 192.0.2.50/24 dev eth0")
    try client.ip("route add default via 192.0.2.1")
    try lab.core.ip("route add 192.0.2.0/24 via 100.64.0.10")
    try lab.host.ip("route add 192.0.2.0/24 via \(data.gateway) dev data")

    // Before: the client reaches data's address, but mgmt's replies follow the static route out of data.
    #expect(try lab.unreachable(from: [("client", client)], to: [data.address]) == [])
    #expect(try lab.unreachable(from: [("client", client)], to: [mgmt.address]) != [])

    let scratch = try ScratchDirectory("s003")
    let (first, _) = try Self.applyTwice(lab, scratch: scratch)
    #expect(
      first.status == 0 && first.outputText.contains("; verified.\n"), "apply: \(first.outputText)\(first.errorText)")
    #expect(try lab.unreachable(from: [("client", client)] + lab.farSides, to: [mgmt.address, data.address]) == [])
  }

  @Test("a gateway only a hand-made table names: found, and both addresses answer")
  func gatewayInAHandMadeTable() throws {
    let lab = try ProviderLab("hand")
    let eth0 = try lab.provider(1, device: "eth0", network: "198.51.100", address: "10")
    let eth1 = try lab.provider(2, device: "eth1", network: "203.0.113", address: "10")
    try lab.host.ip("route add default via \(eth0.gateway) dev eth0")
    try lab.host.ip("route add default via \(eth1.gateway) dev eth1 table 7")
    let policy = try lab.host.polroute(["policy"]).outputText
    #expect(policy.contains("# eth1: IPv4 gateway 203.0.113.1 (route default via 203.0.113.1 dev eth1 in table 7)"))
    let scratch = try ScratchDirectory("hand")
    let (first, _) = try Self.applyTwice(lab, scratch: scratch)
    #expect(first.status == 0 && first.outputText.contains("; verified.\n"), "apply: \(first.outputText)")
    #expect(try lab.unreachable(from: lab.farSides, to: [eth0.address, eth1.address]) == [])
  }
}
