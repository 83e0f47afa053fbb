import PolrouteCore
import TestSupport
import Testing

/// Rules and routes a network manager installed from polroute's files carry the manager's protocol, not 177
/// (networkd and NetworkManager install rules `proto static`, NetworkManager and netplan routes too, and networkd a
/// route that follows DHCP `proto dhcp`). polroute takes them for the wanted ones: the plan adds nothing, the
/// numbers stay, and it never deletes them.
@Suite("objects a manager installed for polroute")
struct InstalledCopiesTests {
  /// The derived policy of the dual-homed host, and the host with that policy installed by a manager: every rule
  /// with `ruleProtocol`, every route with `routeProtocol`, polroute's rt_tables file naming its tables.
  static func installed(ruleProtocol: UInt8 = RouteProtocol.staticRoute, routeProtocol: UInt8 = 177) throws
    -> (HostState, Policy)
  {
    let state = SampleHosts.dualHomed
    let policy = try PolicyResolver(state: state, document: nil, isSnapshot: false).resolve()
    var after = state
    after.rules += policy.rules.map { rule in
      var copy = rule
      copy.protocolNumber = ruleProtocol
      return copy
    }
    after.routes += policy.routes.map { route in
      var copy = route
      copy.protocolNumber = routeProtocol
      return copy
    }
    after.tableNames += policy.tables.map {
      TableNameEntry(number: $0.number, name: $0.name, file: PolrouteFiles.rtTables, line: 3)
    }
    return (after, policy)
  }

  @Test("networkd's copies (rules proto static, routes 177): the same policy, numbers kept, nothing to change")
  func networkd() throws {
    let (host, before) = try Self.installed()
    let after = try PolicyResolver(state: host, document: nil, isSnapshot: false).resolve()
    #expect(after.kernelView == before.kernelView)
    #expect(KernelPlan.make(state: host, policy: after).changes == [])
  }

  @Test("NetworkManager's copies (rules and routes proto static): the same policy, nothing to change")
  func networkManager() throws {
    let (host, before) = try Self.installed(routeProtocol: RouteProtocol.staticRoute)
    let after = try PolicyResolver(state: host, document: nil, isSnapshot: false).resolve()
    #expect(after.kernelView == before.kernelView)
    #expect(KernelPlan.make(state: host, policy: after).changes == [])
  }

  @Test("a route that follows DHCP (proto dhcp) is the wanted one")
  func dhcpRoute() throws {
    let (host, policy) = try Self.installed(routeProtocol: RouteProtocol.dhcp)
    #expect(KernelPlan.make(state: host, policy: policy).changes == [])
  }

  @Test("a copy that differs in anything but its protocol is not the wanted rule: polroute adds its own")
  func differentRule() throws {
    var (host, policy) = try Self.installed()
    let index = try #require(host.rules.firstIndex { $0.priority == 20000 && $0.family == .inet })
    host.rules[index].action = .lookup(999)
    let changes = KernelPlan.make(state: host, policy: policy).changes
    let wanted = try #require(policy.rules.first { $0.priority == 20000 && $0.family == .inet })
    #expect(changes == [.addRule(wanted)], "\(changes)")
  }

  @Test("without polroute's rt_tables file or its marked routes, a table its copies look up is not known as its own")
  func unknownTables() throws {
    var (host, before) = try Self.installed(routeProtocol: RouteProtocol.staticRoute)
    host.tableNames.removeAll { $0.file == PolrouteFiles.rtTables }
    let after = try PolicyResolver(state: host, document: nil, isSnapshot: false).resolve()
    #expect(after.tables.map(\.number) != before.tables.map(\.number))
  }

  @Test("a rule with another protocol (boot: made by hand) is not taken: polroute adds its own at a free priority")
  func handMade() throws {
    let (host, before) = try Self.installed(ruleProtocol: RouteProtocol.boot)
    let after = try PolicyResolver(state: host, document: nil, isSnapshot: false).resolve()
    #expect(after.rules.map(\.priority) != before.rules.map(\.priority))
  }

  @Test("polroute never deletes a copy: with the uplink gone, the plan leaves it to the manager")
  func neverDeleted() throws {
    let (host, _) = try Self.installed()
    var smaller = host
    smaller.interfaces.removeAll { $0.name == "data" }
    let policy = try PolicyResolver(state: smaller, document: nil, isSnapshot: false).resolve()
    let deleted = KernelPlan.make(state: smaller, policy: policy).changes.filter {
      if case .deleteRule = $0 { return true } else { return false }
    }
    #expect(deleted == [])
  }

  @Test("a rule statement's explicit priority held by its own copy is no clash")
  func explicitPriority() throws {
    let state = SampleHosts.dualHomed
    let text = "auto\nrule to 192.0.2.0/24 lookup 100 priority 9000\n"
    let document = PolicyParser.parse(text, file: "policy.conf").document
    let policy = try PolicyResolver(state: state, document: document, isSnapshot: false).resolve()
    var host = state
    host.rules += policy.rules.map { rule in
      var copy = rule
      copy.protocolNumber = RouteProtocol.staticRoute
      return copy
    }
    host.tableNames += policy.tables.map {
      TableNameEntry(number: $0.number, name: $0.name, file: PolrouteFiles.rtTables, line: 3)
    }
    let again = try PolicyResolver(state: host, document: document, isSnapshot: false).resolve()
    #expect(again.kernelView.rules == policy.kernelView.rules)
  }
}
