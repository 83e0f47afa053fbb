import PolrouteCore
import TestSupport
import Testing

/// DHCP clients add a host route to the gateway in main (networkd: `203.0.113.1 dev data proto dhcp scope link`).
/// Its guard would sit inside the data network's own guard, to the same table: it is left out, so that a new
/// gateway (a new host route) does not change the policy. Found by networkd's live DHCP test.
@Suite("guards for a gateway's host route")
struct GatewayHostRouteTests {
  /// The dual-homed host with a host route to `gateway` through data in main.
  static func host(gateway: String) -> HostState {
    var state = SampleHosts.dualHomed
    state.routes.append(
      Route(
        destination: IPPrefix(host: IPAddress(gateway)!), device: "data", protocolNumber: RouteProtocol.dhcp,
        scope: RouteScope.link, metric: 1024, preferredSource: IPAddress("203.0.113.10")))
    return state
  }

  @Test("no guard for a host route inside an uplink's network: the network's guard already sends it there")
  func covered() throws {
    let policy = try PolicyResolver(state: Self.host(gateway: "203.0.113.1"), document: nil, isSnapshot: false)
      .resolve()
    let guards = policy.rules.filter { policy.ruleRoles[$0.key] == .uplinkGuard }.map {
      RuleText.selectorWords($0).joined(separator: " ")
    }
    #expect(
      guards == [
        "from 198.51.100.10 to 192.0.2.128/25 lookup 101", "from 203.0.113.10 to 198.51.100.0/24 lookup 100",
        "from 198.51.100.10 to 203.0.113.0/24 lookup 101",
      ])
  }

  @Test("a new gateway leaves the policy as it was")
  func newGateway() throws {
    let before = try PolicyResolver(state: Self.host(gateway: "203.0.113.1"), document: nil, isSnapshot: false)
      .resolve()
    let after = try PolicyResolver(state: Self.host(gateway: "203.0.113.2"), document: nil, isSnapshot: false)
      .resolve()
    #expect(before.rules == after.rules)
  }
}
