import Testing

@testable import PolrouteCore

/// `uplink ... realm N`: the route realm of an uplink's IPv4 routes, for the kernel's traffic accounting.
struct PolicyRealmTests {
  typealias T = PolicyTesting

  @Test("the realm is parsed, given to the uplink's IPv4 routes only, and printed back")
  func realmOnRoutes() throws {
    let policy = try #require(
      T.resolve("uplink data dev data via 203.0.113.1 realm 2\nuplink mgmt dev mgmt realm 1\n", state: T.dualHomed()))
    #expect(policy.uplinks.map(\.realm) == [2, 1])
    let data = policy.routes.filter { $0.table == policy.uplinks[0].table }
    #expect(!data.isEmpty)
    for route in data { #expect(route.realm == (route.family == .inet ? 2 : nil), "\(route)") }
    let text = PolicyPrinter.text(policy, hostname: "dual")
    #expect(text.contains("uplink data dev data table 100 via 203.0.113.1 realm 2\n"), "\(text)")
    #expect(
      RouteText.words(data.first { $0.isDefault }!).joined(separator: " ")
        == "default via 203.0.113.1 dev data proto 177 realm 2 table 100")
  }

  @Test("the JSON form takes 'realm' as a number or a string")
  func realmInJSON() {
    let parsed = PolicyJSON.parse(
      Array(
        #"{"uplinks": [{"name": "data", "dev": "data", "realm": 7}, {"name": "m", "dev": "mgmt", "realm": "8"}]}"#
          .utf8),
      file: "p.json")
    #expect(parsed.diagnostics == [])
    let realms = parsed.document.statements.compactMap { statement -> UInt32? in
      if case .uplink(let uplink) = statement { return uplink.realm?.value }
      return nil
    }
    #expect(realms == [7, 8])
  }

  @Test(arguments: [
    ("uplink isp1 dev eth0 realm 0", "p.conf:1:28: error: invalid realm '0' (expected a number from 1 to 255)"),
    ("uplink isp1 dev eth0 realm 256", "p.conf:1:28: error: invalid realm '256' (expected a number from 1 to 255)"),
    ("uplink isp1 dev eth0 realm", "p.conf:1:22: error: 'realm' needs a realm number"),
    ("uplink isp1 dev eth0 relam 5", "p.conf:1:22: error: unknown word 'relam' in uplink (did you mean 'realm'?)"),
    ("uplink isp1 dev eth0 realm 1 realm 2", "p.conf:1:30: error: 'realm' is given more than once"),
  ])
  func realmErrors(text: String, message: String) {
    #expect(T.parse(text).messages == [message])
  }

  @Test("a route the kernel holds with another realm is replaced; with the same one it is left alone")
  func realmComparedByPlan() {
    let wanted = Route(
      table: 100, destination: IPPrefix("0.0.0.0/0")!, gateway: IPAddress("203.0.113.1"),
      device: "data", protocolNumber: RouteProtocol.polroute, realm: 2)
    var held = wanted
    #expect(held.matches(wanted))
    held.realm = nil
    #expect(!held.matches(wanted))
    held.realm = 3
    #expect(!held.matches(wanted))
  }
}
