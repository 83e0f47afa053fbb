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
}
