import Testing

@testable import PolrouteCore

/// Multipath `route` statements and uplink groups (`balance`, `failover`): what the parser reads and refuses, with
/// every message in full, and what the resolver makes of them on the dual-homed host (mgmt 198.51.100.10 with
/// main's default via 198.51.100.1; data 203.0.113.10 with gateway 203.0.113.1).
struct MultipathAndGroupTests {
  typealias T = PolicyTesting

  // MARK: Multipath routes

  @Test func aMultipathRouteKeepsEveryNexthopInOrder() throws {
    let route = try #require(
      T.route("route default table wan nexthop via 198.51.100.1 dev mgmt weight 3 nexthop via 203.0.113.1"))
    #expect(route.destination.value == T.prefix("0.0.0.0/0"))
    #expect(route.via == nil && route.device == nil)
    #expect(route.nexthops.count == 2)
    #expect(route.nexthops[0].location == T.at(1, 25))
    #expect(route.nexthops[0].via?.value == T.address("198.51.100.1"))
    #expect(route.nexthops[0].device?.value == "mgmt")
    #expect(route.nexthops[0].weight?.value == 3)
    #expect(route.nexthops[1].via?.value == T.address("203.0.113.1"))
    #expect(route.nexthops[1].device == nil && route.nexthops[1].weight == nil)
  }

  @Test(arguments: [
    (
      "route default via 198.51.100.1 table wan nexthop via 203.0.113.1",
      "p.conf:1:42: error: 'via' goes inside each 'nexthop' of a multipath route (route PREFIX nexthop via GW dev IFACE weight N nexthop ...)"
    ),
    (
      "route default table wan weight 2 nexthop via 203.0.113.1",
      "p.conf:1:25: error: 'weight' belongs to a 'nexthop' (route PREFIX nexthop via GW weight N ...)"
    ),
    (
      "route default table wan nexthop weight 2 nexthop via 203.0.113.1",
      "p.conf:1:25: error: 'nexthop' needs 'via GW' or 'dev IFACE'"
    ),
    ("route default table wan nexthop", "p.conf:1:25: error: 'nexthop' needs 'via GW' or 'dev IFACE'"),
    (
      "route default table wan nexthop via 198.51.100.1 wieght 2",
      "p.conf:1:50: error: unknown word 'wieght' in nexthop (did you mean 'weight'?)"
    ),
    (
      "route default table wan nexthop via 198.51.100.1 weight 0",
      "p.conf:1:57: error: invalid weight '0' (expected a number from 1 to 256)"
    ),
    (
      "route default table wan nexthop via 198.51.100.1 weight 257",
      "p.conf:1:57: error: invalid weight '257' (expected a number from 1 to 256)"
    ),
    (
      "route default table wan nexthop via 198.51.100.1 via 203.0.113.1",
      "p.conf:1:50: error: 'via' is given more than once"
    ),
    (
      "route default table wan nexthop via 198.51.100.1 weight",
      "p.conf:1:50: error: 'weight' needs a weight from 1 to 256"
    ),
    ("route blackhole default table wan nexthop dev mgmt", "p.conf:1:35: error: a blackhole route takes no 'nexthop'"),
    (
      "route default table wan nexthop via 198.51.100.x",
      "p.conf:1:37: error: invalid IPv4 address '198.51.100.x': unexpected character 'x'"
    ),
  ])
  func malformedNexthops(text: String, message: String) {
    let parsed = T.parse(text)
    #expect(parsed.messages.first == message, "\(parsed.messages)")
    #expect(parsed.document.statements == [])
  }

  @Test func aMultipathRouteResolvesWithTheDevicesOfItsGateways() throws {
    let policy = try #require(
      T.resolve(
        "auto\ntable wan 300\nroute default table wan nexthop via 198.51.100.1 weight 3 nexthop via 203.0.113.1\n",
        state: T.dualHomed()))
    let route = try #require(policy.routes.first { $0.table == 300 })
    #expect(route.gateway == nil && route.device == nil)
    #expect(
      route.nexthops == [
        Nexthop(gateway: T.address("198.51.100.1"), device: "mgmt", weight: 3),
        Nexthop(gateway: T.address("203.0.113.1"), device: "data", weight: 1),
      ])
    #expect(route.protocolNumber == RouteProtocol.polroute && route.scope == RouteScope.global)
    // Next hops go after 'table': ip reads everything after the first 'nexthop' as next hops.
    #expect(
      RouteText.words(route).joined(separator: " ")
        == "default proto 177 table 300 nexthop via 198.51.100.1 dev mgmt weight 3 nexthop via 203.0.113.1 dev data")
    // The per-interface formats carry it with both interfaces: the kernel takes it once both are up.
    #expect(policy.interfaces(for: route) == ["mgmt", "data"])
    // Printed back, it reads the same.
    let printed = PolicyPrinter.text(policy, hostname: nil)
    #expect(
      printed.contains(
        "route 0.0.0.0/0 table wan nexthop via 198.51.100.1 dev mgmt weight 3 nexthop via 203.0.113.1 dev data\n"))
  }

  @Test func oneNexthopIsAnOrdinaryRoute() throws {
    let policy = try #require(
      T.resolve("auto\ntable wan 300\nroute default table wan nexthop via 203.0.113.1 weight 5\n", state: T.dualHomed())
    )
    let route = try #require(policy.routes.first { $0.table == 300 })
    #expect(route.nexthops == [] && route.gateway == T.address("203.0.113.1") && route.device == "data")
  }

  @Test(arguments: [
    (
      "table wan 300\nroute default table wan nexthop via 192.0.2.1 nexthop via 203.0.113.1",
      "p.conf:3:25: error: nexthop via 192.0.2.1 needs 'dev IFACE': no interface of this host is connected to it"
    ),
    (
      "table wan 300\nroute default table wan nexthop via 198.51.100.1 nexthop via 198.51.100.1",
      "p.conf:3:50: error: nexthop via 198.51.100.1 dev mgmt is given twice in route default"
    ),
    (
      "table wan 300\nroute default table wan nexthop via 198.51.100.1 dev dta nexthop via 203.0.113.1",
      "p.conf:3:54: error: unknown interface 'dta' for a nexthop of route default (did you mean 'data'?)"
    ),
    (
      "table wan 300\nroute default table wan nexthop via 192.0.2.1 dev data nexthop via 198.51.100.1",
      "p.conf:3:37: error: gateway 192.0.2.1 is outside every connected prefix of data (203.0.113.0/24) (add 'onlink' to this nexthop if it is reachable anyway)"
    ),
    (
      "table wan 300\nroute 2001:db8::/32 table wan nexthop via 198.51.100.1 nexthop via 203.0.113.1",
      "p.conf:3:43: error: gateway 198.51.100.1 is IPv4 but 2001:db8::/32 is IPv6"
    ),
  ])
  func refusedNexthops(text: String, message: String) {
    #expect(T.resolutionErrors("auto\n" + text, state: T.dualHomed()) == [message])
  }

  @Test func theJSONNexthopsKeyIsTheTextForm() {
    let json = """
      {"auto": true, "tables": [{"name": "wan", "id": 300}],
       "routes": [{"to": "default", "table": "wan",
                   "nexthops": [{"via": "198.51.100.1", "weight": 3}, {"via": "203.0.113.1", "dev": "data"}]}]}
      """
    let text =
      "auto\ntable wan 300\nroute default table wan nexthop via 198.51.100.1 weight 3 nexthop via 203.0.113.1 dev data\n"
    let fromJSON = PolicyJSON.parse(Array(json.utf8), file: "p.json")
    #expect(fromJSON.diagnostics.map(\.description) == [])
    #expect(fromJSON.document.withoutLocations == PolicyParser.parse(text, file: "p.conf").document.withoutLocations)
  }

  @Test func aBadJSONNexthopIsNamedWhereItIs() {
    let json = #"{"routes": [{"to": "default", "table": "wan", "nexthops": [{"via": "198.51.100.1", "wieght": 3}]}]}"#
    #expect(
      PolicyJSON.parse(Array(json.utf8), file: "p.json").diagnostics.map(\.description) == [
        "p.json:1:84: error: unknown key 'wieght' in a nexthop (did you mean 'weight'?)"
      ])
  }

  // MARK: Groups

  @Test func aBalanceGroupMakesAMultipathDefaultAndARuleAfterTheSourceRules() throws {
    let policy = try #require(
      T.resolve(
        "auto\nuplink data dev data via 203.0.113.1\nbalance wan uplinks mgmt:3 data hash layer4\n",
        state: T.dualHomed()))
    let group = try #require(policy.groups.first)
    #expect(group.kind == .balance && group.name == "wan" && group.hash == .layer4 && !group.rulesOnly)
    let routes = policy.routes.filter { $0.table == group.table }
    #expect(
      routes == [
        Route(
          table: group.table, destination: T.prefix("0.0.0.0/0"), protocolNumber: RouteProtocol.polroute,
          nexthops: [
            Nexthop(gateway: T.address("198.51.100.1"), device: "mgmt", weight: 3),
            Nexthop(gateway: T.address("203.0.113.1"), device: "data"),
          ])
      ])
    let outbound = policy.rules.filter { policy.ruleRoles[$0.key] == .outbound }
    #expect(outbound.map(\.priority) == [Policy.PriorityBand.outbound])
    #expect(outbound.first?.lookupTable == group.table && outbound.first?.selector == .all)
    let sources = policy.rules.filter { policy.ruleRoles[$0.key] == .source }
    #expect(!sources.isEmpty && sources.allSatisfy { $0.priority < Policy.PriorityBand.outbound })
    // main's default is not touched: polroute never owns main.
    #expect(!policy.routes.contains { $0.table == RoutingTable.main })
    #expect(
      policy.settings.map(\.assignment) == [
        "net/ipv4/fib_multipath_hash_policy=1", "net/ipv4/conf/data/ignore_routes_with_linkdown=1",
        "net/ipv4/conf/mgmt/ignore_routes_with_linkdown=1",
      ])
    #expect(
      PolicyPrinter.text(policy, hostname: nil).contains(
        "\nbalance wan table \(group.table) uplinks mgmt:3 data hash layer4\n"))
  }

  @Test func aFailoverGroupMakesDefaultsByMetricAndNoHash() throws {
    let policy = try #require(
      T.resolve(
        "auto\nuplink data dev data via 203.0.113.1\nfailover app table 300 uplinks data mgmt rules-only\n"
          + "rule ipproto tcp dport 443 lookup app\n",
        state: T.dualHomed()))
    #expect(
      policy.routes.filter { $0.table == 300 } == [
        T.ownRoute(table: 300, "0.0.0.0/0", via: "203.0.113.1", dev: "data", metric: 1),
        T.ownRoute(table: 300, "0.0.0.0/0", via: "198.51.100.1", dev: "mgmt", metric: 2),
      ])
    // rules-only: no rule for every outbound connection, only the application's.
    #expect(!policy.rules.contains { policy.ruleRoles[$0.key] == .outbound })
    #expect(policy.rules.contains { $0.lookupTable == 300 && policy.ruleRoles[$0.key] == .statement })
    #expect(policy.settings.allSatisfy { $0.path.hasSuffix("ignore_routes_with_linkdown") })
    #expect(!policy.settings.isEmpty)
  }

  @Test(arguments: [
    ("balance wan", "p.conf:1:1: error: balance wan needs 'uplinks NAME[:WEIGHT] NAME[:WEIGHT]...'"),
    ("failover wan table 300", "p.conf:1:1: error: failover wan needs 'uplinks PRIMARY BACKUP...'"),
    ("balance wan uplinks", "p.conf:1:13: error: 'uplinks' needs the names of uplinks"),
    (
      "balance wan uplinks mgmt",
      "p.conf:1:21: error: balance wan needs at least two uplinks (one uplink needs no group: its own table is 'mgmt')"
    ),
    (
      "failover wan uplinks mgmt:2 data",
      "p.conf:1:27: error: a failover group takes no weights: the uplinks are used in the order given (did you mean 'balance'?)"
    ),
    (
      "failover wan uplinks mgmt data hash layer4",
      "p.conf:1:32: error: 'hash' is for 'balance': a failover group sends everything through one uplink at a time"
    ),
    (
      "balance wan uplinks mgmt data hash layer5",
      "p.conf:1:36: error: unknown hash 'layer5' (did you mean 'layer3'?)"
    ),
    (
      "balance wan uplinks mgmt:0 data",
      "p.conf:1:26: error: invalid weight '0' (expected a number from 1 to 256)"
    ),
    (
      "balance wan uplinks mgmt data mgmt",
      "p.conf:1:31: error: uplink 'mgmt' is listed twice in balance wan (first at column 21)"
    ),
    (
      "balance wan uplinks mgmt data tabel 5",
      "p.conf:1:31: error: unknown word 'tabel' in balance (did you mean 'table'?)"
    ),
    ("balance main uplinks mgmt data", "p.conf:1:9: error: 'main' is a reserved table name"),
  ])
  func malformedGroups(text: String, message: String) {
    let parsed = T.parse(text)
    #expect(parsed.messages == [message])
    #expect(parsed.document.statements == [])
  }

  @Test(arguments: [
    (
      "balance wan uplinks mgmt dat",
      "p.conf:3:26: error: unknown uplink 'dat' in balance wan (did you mean 'data'?)"
    ),
    (
      "balance wan uplinks mgmt data\nfailover out uplinks data mgmt",
      "p.conf:4:1: error: balance wan already takes every new outbound IPv4 connection (line 3): add 'rules-only' to one of them and send chosen traffic to it with 'rule ... lookup out'"
    ),
    (
      "balance wan uplinks mgmt data hash layer4\nbalance two uplinks data mgmt hash layer3 rules-only",
      "p.conf:4:1: error: balance two asks for hash layer3 but balance wan (line 3) for hash layer4: the kernel has one multipath hash"
    ),
    (
      "table wan 300\nbalance wan uplinks mgmt data",
      "p.conf:4:9: error: table name 'wan' is declared twice (first at line 3)"
    ),
  ])
  func refusedGroups(text: String, message: String) {
    let errors = T.resolutionErrors(
      "auto\nuplink data dev data via 203.0.113.1\n" + text, state: T.dualHomed())
    #expect(errors == [message])
  }

  @Test func theJSONGroupsKeyIsTheTextForm() {
    let json = """
      {"auto": true, "groups": [
        {"type": "balance", "name": "wan", "table": 300, "uplinks": ["mgmt:3", "data"], "hash": "layer4"},
        {"type": "failover", "name": "app", "uplinks": ["data", "mgmt"], "rules-only": true}]}
      """
    let text = """
      auto
      balance wan table 300 uplinks mgmt:3 data hash layer4
      failover app uplinks data mgmt rules-only
      """
    let fromJSON = PolicyJSON.parse(Array(json.utf8), file: "p.json")
    #expect(fromJSON.diagnostics.map(\.description) == [])
    #expect(fromJSON.document.withoutLocations == PolicyParser.parse(text, file: "p.conf").document.withoutLocations)
    let bad = #"{"groups": [{"type": "balanse", "name": "wan", "uplinks": ["a", "b"]}]}"#
    #expect(
      PolicyJSON.parse(Array(bad.utf8), file: "p.json").diagnostics.map(\.description) == [
        #"p.json:1:22: error: 'type' must be "balance" or "failover""#
      ])
  }
}

/// Planning multipath routes: the next hops are compared as a set.
struct MultipathPlanTests {
  @Test func nexthopsInAnotherOrderAreTheSameRoute() {
    let a = Nexthop(gateway: IPAddress("198.51.100.1")!, device: "mgmt", weight: 3)
    let b = Nexthop(gateway: IPAddress("203.0.113.1")!, device: "data")
    let wanted = Route(
      table: 300, destination: IPPrefix("0.0.0.0/0")!, protocolNumber: RouteProtocol.polroute, nexthops: [a, b])
    var kernel = wanted
    kernel.nexthops = [b, a]
    #expect(kernel.matches(wanted))
    kernel.nexthops = [b, Nexthop(gateway: IPAddress("198.51.100.1")!, device: "mgmt", weight: 2)]
    #expect(!kernel.matches(wanted))
    kernel.nexthops = [a]
    #expect(!kernel.matches(wanted))
    // The kernel's own flags on a hop (linkdown while the link is down) do not make it another route.
    kernel.nexthops = [Nexthop(gateway: b.gateway, device: "data", flags: ["linkdown"]), a]
    #expect(kernel.matches(wanted))
  }
}
