import Testing

@testable import PolrouteCore

/// `uplink ... realm N`: the route realm of an uplink's IPv4 routes, and `rule ... realm N`: the source realm a rule
/// tags the packets it routes with; both for the kernel's traffic accounting.
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

  @Test("a rule's realm is its IPv4 copy's source realm, printed back once for both families, and in ip's words")
  func realmOnRules() throws {
    let policy = try #require(
      T.resolve(
        "uplink data dev data via 203.0.113.1 realm 2\nrule iif lan lookup data realm 30\n"
          + "rule to 192.0.2.0/25 lookup data realm 31 priority 9000\n",
        state: T.dualHomed()))
    let statements = policy.rules.filter { policy.ruleRoles[$0.key] == .statement }
    #expect(
      statements.map { "\($0.family.rawValue) \($0.priority) \($0.realms?.description ?? "-")" }.sorted()
        == ["inet 10000 30/0", "inet 9000 31/0", "inet6 10000 -"])
    let ipv4 = try #require(statements.first { $0.family == .inet && $0.priority == 10000 })
    #expect(
      RuleText.addWords(ipv4).joined(separator: " ") == "iif lan lookup 100 realms 30/0 priority 10000 protocol 177")
    let text = PolicyPrinter.text(policy, hostname: "dual")
    #expect(text.contains("rule to 192.0.2.0/25 lookup data priority 9000 realm 31\n"), "\(text)")
    #expect(text.contains("rule iif lan lookup data priority 10000 realm 30\n"), "\(text)")
    // What the printer wrote reads back as the same policy.
    let again = try #require(T.resolve(text, state: T.dualHomed()))
    #expect(again.rules == policy.rules)
    // The JSON form takes the same key.
    let parsed = PolicyJSON.parse(Array(#"{"rules": [{"iif": "lan", "lookup": "data", "realm": 30}]}"#.utf8), file: "p")
    #expect(parsed.diagnostics == [])
    guard case .rule(let rule)? = parsed.document.statements.first else {
      Issue.record("no rule statement")
      return
    }
    #expect(rule.realm?.value == 30)
  }

  @Test(arguments: [
    ("rule iif lan lookup 100 realm 0", "p.conf:1:31: error: invalid realm '0' (expected a number from 1 to 255)"),
    ("rule iif lan lookup 100 realm", "p.conf:1:25: error: 'realm' needs a realm number"),
    (
      "rule to 2001:db8::/32 lookup 100 realm 5",
      "p.conf:1:40: error: 'realm' on an IPv6 rule: the kernel keeps realms for IPv4 rules only"
    ),
    (
      "rule iif lan family inet6 lookup 100 realm 5",
      "p.conf:1:44: error: 'realm' on an IPv6 rule: the kernel keeps realms for IPv4 rules only"
    ),
    ("rule iif lan lookup 100 realms 5", "p.conf:1:25: error: unknown word 'realms' in rule (did you mean 'realm'?)"),
  ])
  func ruleRealmErrors(text: String, message: String) {
    #expect(T.parse(text).messages == [message])
  }

  @Test("a rule's realm that is also an uplink's is refused: the kernel would count both kinds of packet as one")
  func ruleRealmClash() {
    #expect(
      T.resolutionErrors(
        "uplink data dev data via 203.0.113.1 realm 2\nrule iif lan lookup data realm 2\n", state: T.dualHomed())
        == [
          "p.conf:2:32: error: realm 2 is also uplink data's: give the rule a realm no uplink has, so the kernel "
            + "counts the packets it routes apart"
        ])
  }

  @Test("ip -j rule show: flow_from and flow_to, cosmos as 0; a realm named from rt_realms is left out")
  func ruleRealmsDecoded() throws {
    func decode(_ json: String) throws -> Rule {
      let rules = try IPOutputDecoder().rules(Array("[\(json)]".utf8), family: .inet, command: "ip -j rule show")
      return try #require(rules.first)
    }
    let tagged = try decode(
      #"{"priority":10000,"src":"all","iif":"lan","table":"100","flow_from":"30","flow_to":"cosmos","protocol":"177"}"#)
    #expect(tagged.realms == RuleRealms(from: 30, to: 0))
    #expect(try decode(#"{"priority":5,"src":"all","table":"100","flow_to":"7"}"#).realms == RuleRealms(from: 0, to: 7))
    #expect(try decode(#"{"priority":5,"src":"all","table":"100","flow_to":"isp"}"#).realms == nil)
    // A realm is part of what the rule does: the same rule without it is another rule.
    var plain = tagged
    plain.realms = nil
    #expect(!plain.doesTheSame(as: tagged))
  }
}
