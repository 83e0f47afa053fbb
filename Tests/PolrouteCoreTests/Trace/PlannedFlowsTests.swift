import PolrouteCore
import TestSupport
import Testing

/// What a plan does to flows: the state after a plan, the plan's flow table, and apply's session guard.
@Suite("planned flows: the state after a plan, the flow table, the session guard")
struct PlannedFlowsTests {
  static func address(_ text: String) -> IPAddress { IPAddress(text)! }

  /// The dual-homed host and its derived policy (a table and a source rule per uplink).
  static func derived() throws -> (state: HostState, policy: Policy, plan: KernelPlan) {
    let state = SampleHosts.dualHomed
    let policy = try PolicyResolver(state: state, document: nil, isSnapshot: true).resolve()
    return (state, policy, KernelPlan.make(state: state, policy: policy))
  }

  /// The host with a policy from text.
  static func planned(_ text: String) throws -> (state: HostState, policy: Policy, plan: KernelPlan) {
    let state = SampleHosts.dualHomed
    let parsed = PolicyParser.parse(text, file: "policy.conf")
    #expect(!parsed.diagnostics.contains { $0.severity == .error }, "\(parsed.diagnostics)")
    let policy = try PolicyResolver(state: state, document: parsed.document, isSnapshot: true).resolve()
    return (state, policy, KernelPlan.make(state: state, policy: policy))
  }

  @Test("the state after a plan holds its rules and routes, IPv6 routes of metric 0 at the kernel's 1024")
  func stateAfter() throws {
    let (state, policy, plan) = try Self.derived()
    let after = plan.state(after: state)
    #expect(after.interfaces == state.interfaces)
    for rule in policy.rules { #expect(after.rules.contains(rule)) }
    for route in policy.routes where route.family == .inet { #expect(after.routes.contains(route)) }
    var six = state
    six.routes = []
    let route = Route(table: 100, destination: IPPrefix("2001:db8:b::/64")!, device: "data")
    let added = KernelPlan(changes: [.addRoute(route)], ownership: Ownership(tables: [100])).state(after: six)
    #expect(added.routes.map(\.metric) == [1024])
  }

  @Test("the flow table: the data address's remote replies move to data, and so does what crosses networks")
  func flowTable() throws {
    let (state, policy, plan) = try Self.derived()
    let table = FlowTable.make(before: state, after: plan.state(after: state), policy: policy)
    let names = KernelText.names(state: state, policy: policy)
    // Two addresses, each: a remote client and both networks.
    #expect(table.rows.count == 6)
    let remote = try #require(table.rows.first { $0.subject == .remoteClient(from: Self.address("203.0.113.10")) })
    #expect(remote.label(names: names) == "from 203.0.113.10 to a remote client (198.18.0.1)")
    #expect(remote.changed)
    #expect(remote.before.outcome.egress?.device == "mgmt")
    #expect(remote.after.outcome.egress?.device == "data")
    #expect(remote.after.outcome.egress?.table == 100)
    // Each uplink table holds only its own prefix: from the other uplink's address, the network is reached through
    // that address's gateway after the plan (the kernel agrees: measured with the dual-homed namespaces).
    let crossing = table.changedRows.filter {
      if case .localNetwork = $0.subject { return true }
      return false
    }
    #expect(
      crossing.map { $0.label(names: names) } == [
        "from 198.51.100.10 to 203.0.113.0/24 (203.0.113.1)", "from 203.0.113.10 to 198.51.100.0/24 (198.51.100.1)",
      ])
    #expect(crossing.allSatisfy { $0.before.outcome.egress?.gateway == nil && $0.after.outcome.egress?.gateway != nil })
    #expect(table.changedRows.count == 3)
  }

  @Test("an application rule's flow is built from its selectors and traced before and after")
  func applicationRuleRow() throws {
    let (state, policy, plan) = try Self.planned(
      "auto\nrule to 192.0.2.0/25 ipproto tcp dport 2049 lookup data\n")
    let table = FlowTable.make(before: state, after: plan.state(after: state), policy: policy)
    let row = try #require(
      table.rows.first {
        if case .applicationRule = $0.subject { return true }
        return false
      })
    #expect(row.flow.words.joined(separator: " ") == "192.0.2.1 ipproto tcp dport 2049")
    #expect(row.before.outcome.egress?.device == "mgmt")
    #expect(row.after.outcome.egress?.device == "data")
    #expect(row.changed)
  }

  @Test("the guard: a session whose replies the plan sends elsewhere is cut, and the verdict names the rule")
  func sessionCut() throws {
    let (state, _, plan) = try Self.planned(
      "auto\nuplink data dev data via 203.0.113.1\nrule to 192.0.2.0/25 lookup data priority 9000\n")
    let session = try #require(FlowSpec.sshReplies("192.0.2.10 51234 198.51.100.10 22"))
    #expect(session.words.joined(separator: " ") == "192.0.2.10 from 198.51.100.10 ipproto tcp sport 22 dport 51234")
    let verdict = SessionGuard.check(session, before: state, after: plan.state(after: state))
    #expect(verdict.isCut)
    let names = KernelText.names(state: state, policy: try Self.planned("auto\n").policy)
    #expect(
      verdict.explanation(names: names)
        == "replies to 192.0.2.10 from 198.51.100.10 leave via 198.51.100.1 dev mgmt src 198.51.100.10 (table main) "
        + "now; after the plan rule 9000 (from all to 192.0.2.0/25 lookup data) would send them by route "
        + "'default via 203.0.113.1 dev data proto 177 table data': via 203.0.113.1 dev data src 198.51.100.10 "
        + "(table data)")
  }

  @Test("the guard: the derived policy keeps a session over mgmt, and moves one over data (asymmetric until now)")
  func sessionsUnderDerivation() throws {
    let (state, _, plan) = try Self.derived()
    let after = plan.state(after: state)
    let mgmt = try #require(FlowSpec.sshReplies("192.0.2.10 51234 198.51.100.10 22"))
    #expect(!SessionGuard.check(mgmt, before: state, after: after).isCut)
    // Replies to a session over the data address left through mgmt; after the plan they leave through data, past
    // whatever stateful firewall never saw the connection open: that is a change the guard refuses.
    let data = try #require(FlowSpec.sshReplies("192.0.2.10 51234 203.0.113.10 22"))
    #expect(SessionGuard.check(data, before: state, after: after).isCut)
  }

  @Test("the guard: a connection whose replies cannot leave now is not one polroute runs over")
  func sessionThatCannotLeave() throws {
    var blackholed = SampleHosts.dualHomed
    blackholed.rules.append(Rule(family: .inet, priority: 5, action: .blackhole))
    let flow = try #require(FlowSpec.sshReplies("192.0.2.10 51234 198.51.100.10 22"))
    let verdict = SessionGuard.check(flow, before: blackholed, after: SampleHosts.dualHomed)
    #expect(!verdict.isCut)
    #expect(
      verdict.explanation(names: SampleHosts.dualHomed.names)
        == "replies to 192.0.2.10 from 198.51.100.10 cannot leave now either (rejected: rule 5 (from all blackhole) "
        + "rejects it: Invalid argument): nothing to keep")
  }

  @Test("SSH_CONNECTION: IPv6 with a zone, and malformed values")
  func sshConnection() {
    #expect(
      FlowSpec.sshReplies("fe80::1%eth0 40000 fe80::2%eth0 22")?.destination == Self.address("fe80::1"))
    #expect(FlowSpec.sshReplies("2001:db8::1 40000 2001:db8::2 22")?.source == Self.address("2001:db8::2"))
    for bad in ["", "192.0.2.10 51234 198.51.100.10", "192.0.2.10 x 198.51.100.10 22", "192.0.2.10 1 2001:db8::1 22"] {
      #expect(FlowSpec.sshReplies(bad) == nil, "\(bad)")
    }
  }
}

/// The words of a flow: `trace`'s options and `apply --keep`'s values, with their errors.
@Suite("flow specifications")
struct FlowSpecTests {
  /// The problem with a word form.
  static func problem(_ text: String) -> String? {
    do {
      _ = try FlowSpec(words: text.split(separator: " ").map(String.init)).flow()
      return nil
    } catch {
      return "\(error.field): \(error.message)"
    }
  }

  @Test("a full flow reads back as its words")
  func words() throws {
    let flow = try FlowSpec(
      words: "198.51.100.7 from 203.0.113.10 ipproto tcp sport 22 dport 51234 fwmark 0x10/0xff uid 1000 tos 0x10"
        .split(separator: " ").map(String.init)
    ).flow()
    #expect(
      flow.words.joined(separator: " ")
        == "198.51.100.7 from 203.0.113.10 ipproto tcp sport 22 dport 51234 fwmark 0x10 uid 1000 tos 0x10")
    let arriving = try FlowSpec(words: ["198.51.100.7", "from", "192.0.2.1", "iif", "eth0"]).flow()
    #expect(arriving.inputInterface == "eth0")
  }

  @Test(
    "every mistake has a message naming the word",
    arguments: [
      ("from 192.0.2.1", "to: a flow starts with its destination address"),
      ("192.0.2.1 form 192.0.2.2", "form: unknown word 'form' in a flow (did you mean 'from'?)"),
      ("192.0.2.1 dport", "dport: 'dport' needs a value"),
      ("192.0.2.300", "to: invalid IPv4 address '192.0.2.300': octet 300 is out of range 0-255"),
      ("224.0.0.1", "to: 224.0.0.1 is not a unicast address: polroute traces unicast flows (ip route get does too)"),
      (
        "192.0.2.1 from 2001:db8::1",
        "from: 2001:db8::1 and 192.0.2.1 are of different families: give both IPv4 or IPv6"
      ),
      ("192.0.2.1 iif eth0", "from: a packet that arrives on eth0 has a source address: give it with from"),
      (
        "192.0.2.1 from 192.0.2.2 iif eth0 uid 5",
        "uid: a packet that arrives on eth0 has no user: uid applies to packets this host sends"
      ),
      ("192.0.2.1 ipproto tpc", "ipproto: unknown protocol 'tpc' (did you mean 'tcp'?): give a name or a number 0-255"),
      ("192.0.2.1 ipproto tcp dport 70000", "dport: '70000' is not a port: give a number 0-65535"),
      ("192.0.2.1 dport 22", "dport: ports need a protocol that has them: add ipproto tcp, udp, udplite or sctp"),
      ("192.0.2.1 fwmark 0x11/0x10", "fwmark: the mark 0x11 has bits outside the mask 0x10 (did you mean 0x10/0x10?)"),
      ("192.0.2.1 fwmark x", "fwmark: 'x' is not a mark: give M or M/MASK (0x10, 16, 0x10/0xff)"),
      ("192.0.2.1 uid -1", "uid: '-1' is not a uid: give a number below 4294967295"),
      ("192.0.2.1 tos 300", "tos: '300' is not a TOS value: give 0-255 (0x10, 16)"),
    ])
  func mistakes(_ text: String, _ message: String) {
    #expect(Self.problem(text) == message)
  }
}

/// The bounded route collector, per table, and the routes a trace asks it to keep.
@Suite("route collector: omissions per table, covering routes kept")
struct RouteCollectorTraceTests {
  @Test("beyond the limit, routes are counted per table; those covering a traced address are kept")
  func coveringRoutes() {
    var collector = RouteCollector(covering: [IPAddress("100.64.200.7")!])
    let limit = RouteCollector.otherRouteLimit
    for index in 0..<(limit + 100) {
      let third = UInt32(index / 256) % 256
      let address = IPAddress.v4(IPv4Address(0x6440_0000 | third << 8 | UInt32(index % 256)))
      collector.add(Route(destination: IPPrefix(host: address), gateway: IPAddress("198.51.100.1"), device: "up0"))
    }
    collector.add(Route(destination: IPPrefix("100.64.200.0/24")!, gateway: IPAddress("198.51.100.1"), device: "up0"))
    collector.add(Route(destination: IPPrefix("100.64.201.0/24")!, gateway: IPAddress("198.51.100.1"), device: "up0"))
    #expect(collector.routes.contains { $0.destination == IPPrefix("100.64.200.0/24")! })
    #expect(!collector.routes.contains { $0.destination == IPPrefix("100.64.201.0/24")! })
    #expect(collector.omittedRoutes >= 99)
    #expect(collector.routes.count + collector.omittedRoutes == limit + 102)
    #expect(
      collector.omissions == [OmittedRoutes(family: .inet, table: RoutingTable.main, count: collector.omittedRoutes)])
  }
}
