import PolrouteCore
import TestSupport
import Testing

/// Table numbers and rule priorities stay where they are as interfaces come and go, recovered from polroute's own
/// marked rules and routes in the kernel: no rt_tables.d/polroute.conf is needed for that.
@Suite("stable numbers")
struct StableNumbersTests {
  typealias T = PolicyTesting

  /// A host where polroute's derived policy is in place (its rules and routes in the kernel, no rt_tables file).
  static func applied(_ state: HostState) throws -> (HostState, Policy) {
    let policy = try PolicyResolver(state: state, document: nil, isSnapshot: false).resolve()
    var after = state
    after.rules += policy.rules
    after.routes += policy.routes
    return (after, policy)
  }

  /// An uplink whose name sorts before every other: it would take table 100 and priority 20000 if numbers were
  /// handed out by name alone.
  static let first = Interface(
    name: "aaa0", index: 9, addresses: [Address(try! InterfaceAddress(parsing: "100.64.5.10/24"))])
  static let firstGateway = Route(
    destination: IPPrefix("0.0.0.0/0")!, gateway: IPAddress("100.64.5.1"), device: "aaa0", metric: 500)

  /// Each uplink's table and the priority of each source rule.
  static func numbers(_ policy: Policy) -> [String] {
    policy.uplinks.map { "\($0.device) \($0.table)" }
      + policy.rules.filter { policy.ruleRoles[$0.key] == .source }.map {
        "\($0.selector.source!.address) \($0.priority)"
      }.sorted()
  }

  @Test("a new interface that sorts first takes new numbers; the others keep theirs")
  func addingAnInterface() throws {
    let (host, before) = try Self.applied(SampleHosts.dualHomed)
    #expect(Self.numbers(before) == ["data 100", "mgmt 101", "198.51.100.10 20001", "203.0.113.10 20000"])
    var grown = host
    grown.interfaces.append(Self.first)
    grown.routes.append(Self.firstGateway)
    let after = try PolicyResolver(state: grown, document: nil, isSnapshot: false).resolve()
    #expect(
      Self.numbers(after) == [
        "data 100", "mgmt 101", "aaa0 102", "100.64.5.10 20002", "198.51.100.10 20001", "203.0.113.10 20000",
      ])
    // Nothing of the old uplinks changes: the plan only adds the new one's objects (and its guards).
    let plan = KernelPlan.make(state: grown, policy: after)
    #expect(plan.changes.allSatisfy { $0.action == .add }, "\(plan.changes)")
  }

  @Test("an interface that goes away takes its numbers along; the others keep theirs")
  func removingAnInterface() throws {
    var state = SampleHosts.dualHomed
    state.interfaces.append(Self.first)
    state.routes.append(Self.firstGateway)
    let (host, before) = try Self.applied(state)
    #expect(
      Self.numbers(before) == [
        "aaa0 100", "data 101", "mgmt 102", "100.64.5.10 20000", "198.51.100.10 20002", "203.0.113.10 20001",
      ])
    var shrunk = host
    shrunk.interfaces.removeAll { $0.name == "aaa0" }
    shrunk.routes.removeAll { $0.device == "aaa0" && $0.table == RoutingTable.main }
    let after = try PolicyResolver(state: shrunk, document: nil, isSnapshot: false).resolve()
    #expect(Self.numbers(after) == ["data 101", "mgmt 102", "198.51.100.10 20002", "203.0.113.10 20001"])
    let plan = KernelPlan.make(state: shrunk, policy: after)
    #expect(plan.changes.allSatisfy { $0.action == .delete }, "\(plan.changes)")
  }
}
