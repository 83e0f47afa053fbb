import Testing

@testable import PolrouteCore

/// `Transaction.kernelOrder`: rule additions by descending priority, in their own places.
struct TransactionOrderTests {
  /// A rule of polroute's looking up table 100.
  func rule(_ priority: UInt32, _ family: AddressFamily = .inet) -> Rule {
    Rule(family: family, priority: priority, action: .lookup(100), protocolNumber: RouteProtocol.polroute)
  }

  /// A route in table 100.
  func route(_ text: String) throws -> Route {
    Route(table: 100, destination: try IPPrefix(parsing: text), device: "data", protocolNumber: RouteProtocol.polroute)
  }

  @Test("rule additions come in descending priority in the places rule additions held; the rest keeps its order")
  func descendingRuleAdditions() throws {
    let changes: [KernelChange] = [
      .addRoute(try route("192.0.2.0/25")), .addRule(rule(1000)), .addRule(rule(20_000)),
      .addRule(rule(20_000, .inet6)),
      .addRule(rule(10_000)), .deleteRule(rule(5)), .deleteRule(rule(30_000)),
      .deleteRoute(try route("192.0.2.128/25")),
    ]
    #expect(
      Transaction.kernelOrder(changes) == [
        .addRoute(try route("192.0.2.0/25")), .addRule(rule(20_000)), .addRule(rule(20_000, .inet6)),
        .addRule(rule(10_000)), .addRule(rule(1000)), .deleteRule(rule(5)), .deleteRule(rule(30_000)),
        .deleteRoute(try route("192.0.2.128/25")),
      ])
  }

  @Test("changes without rule additions are left as they are")
  func nothingToReorder() throws {
    let changes: [KernelChange] = [.deleteRule(rule(7)), .addRoute(try route("198.51.100.0/24")), .deleteRule(rule(3))]
    #expect(Transaction.kernelOrder(changes) == changes)
    #expect(Transaction.kernelOrder([]) == [])
  }

  @Test("restore puts back routes (without gateways first, interleaved adds and replaces), then rules, then deletes")
  func restoreOrder() throws {
    let link = try route("203.0.113.0/24")
    var via = try route("192.0.2.0/25")
    via.gateway = IPAddress("203.0.113.1")
    var viaChanged = via
    viaChanged.gateway = IPAddress("203.0.113.2")
    let extra = try route("198.51.100.0/24")
    // Someone else's route in a table the apply did not touch: not polroute's, so never restored.
    var foreignTable = try route("100.64.0.0/10")
    foreignTable.table = 300
    foreignTable.protocolNumber = RouteProtocol.boot
    var snapshot = HostState()
    snapshot.routes = [via, link, foreignTable]
    snapshot.rules = [rule(20_000)]
    var current = HostState()
    current.routes = [viaChanged, extra]
    current.rules = [rule(20_001)]
    #expect(
      Transaction.restore(snapshot: snapshot, current: current, ownership: Ownership(tables: [100])) == [
        .addRoute(link), .replaceRoute(old: viaChanged, new: via), .addRule(rule(20_000)), .deleteRule(rule(20_001)),
        .deleteRoute(extra),
      ])
  }
}
