import Testing

@testable import PolrouteCore

/// `Route.matches`: what the kernel reports counts as the wanted route despite what the kernel adds on its own.
struct RouteMatchesTests {
  /// A route of polroute's table 150.
  func route(_ type: RouteType, _ destination: String, device: String? = nil) throws -> Route {
    Route(
      table: 150, type: type, destination: try IPPrefix(parsing: destination), device: device,
      protocolNumber: RouteProtocol.polroute, metric: destination.contains(":") ? 1024 : 0)
  }

  @Test(
    "an IPv6 reject route the kernel put on lo matches the wanted route without a device",
    arguments: [
      RouteType.blackhole, .unreachable, .prohibit, .throw,
    ])
  func ipv6RejectRouteOnLoopback(_ type: RouteType) throws {
    let wanted = try route(type, "2001:db8:dead::/48")
    #expect(try route(type, "2001:db8:dead::/48", device: "lo").matches(wanted))
    #expect(try route(type, "2001:db8:dead::/48").matches(wanted))
  }

  @Test("any other device still differs, and IPv4 and unicast routes get no such allowance")
  func otherDevicesDiffer() throws {
    let unreachable6 = try route(.unreachable, "2001:db8:dead::/48")
    #expect(!(try route(.unreachable, "2001:db8:dead::/48", device: "data").matches(unreachable6)))
    #expect(!(try route(.blackhole, "192.0.2.0/24", device: "lo").matches(try route(.blackhole, "192.0.2.0/24"))))
    let unicast6 = try route(.unicast, "2001:db8:dead::/48")
    #expect(!(try route(.unicast, "2001:db8:dead::/48", device: "lo").matches(unicast6)))
    // A wanted device of lo is the user's and must be there.
    #expect(!unreachable6.matches(try route(.unreachable, "2001:db8:dead::/48", device: "lo")))
  }
}
