import PolrouteCore
import TestSupport
import Testing

/// inspect on the hosts issue 11 names: each finding where the host is broken, none where it is right, and a fix
/// that works (never `polroute apply` where apply cannot fix it).
@Suite("inspect: replies, local networks and static routes")
struct ReplyFindingsTests {
  typealias T = PolicyTesting

  // MARK: Building hosts

  /// An interface with one address.
  static func interface(_ name: String, _ index: Int, _ address: String, kind: String? = "veth") -> Interface {
    Interface(name: name, index: index, kind: kind, addresses: [Address(T.interfaceAddress(address))])
  }

  /// Main's link route for an address, as the kernel adds it.
  static func link(_ address: String, _ device: String, table: UInt32 = RoutingTable.main, marked: Bool = false)
    -> Route
  {
    let network = T.interfaceAddress(address).network
    return Route(
      table: table, destination: network, device: device,
      protocolNumber: marked ? RouteProtocol.polroute : RouteProtocol.kernel, scope: RouteScope.link,
      preferredSource: T.interfaceAddress(address).address)
  }

  /// A route via a gateway.
  static func via(
    _ destination: String, _ gateway: String, _ device: String, table: UInt32 = RoutingTable.main,
    marked: Bool = false
  ) -> Route {
    Route(
      table: table, destination: T.prefix(destination), gateway: T.address(gateway), device: device,
      protocolNumber: marked ? RouteProtocol.polroute : RouteProtocol.boot)
  }

  /// `from ADDR lookup TABLE` at a priority, marked as polroute's or not.
  static func sourceRule(_ address: String, _ table: UInt32, _ priority: UInt32, marked: Bool = true) -> Rule {
    Rule(
      family: .inet, priority: priority, selector: RuleSelector(source: T.prefix(address + "/32")),
      action: .lookup(table), protocolNumber: marked ? RouteProtocol.polroute : nil)
  }

  /// Strict rp_filter everywhere.
  static let strict = ReversePathFilter(all: 1, defaultValue: 1)

  /// The Docker host before polroute: isp1 198.51.100.20/24 with main's default, isp2 203.0.113.20/24 with
  /// its gateway in a route of main, docker0 192.0.2.1/25.
  static var dockerHost: HostState {
    HostState(
      hostname: "docker",
      interfaces: [
        T.loopback, interface("isp1", 2, "198.51.100.20/24"), interface("isp2", 3, "203.0.113.20/24"),
        interface("docker0", 4, "192.0.2.1/25", kind: "bridge"),
      ],
      routes: [
        via("0.0.0.0/0", "198.51.100.1", "isp1"), via("100.64.0.0/10", "203.0.113.1", "isp2"),
        link("198.51.100.20/24", "isp1"), link("203.0.113.20/24", "isp2"), link("192.0.2.1/25", "docker0"),
      ],
      rules: T.kernelRules, rpFilter: strict)
  }

  /// The Docker host as polroute left it before issue 11: a table and a source rule per uplink, nothing else.
  static var dockerHostWithOldPolicy: HostState {
    var state = dockerHost
    state.routes += [
      link("198.51.100.20/24", "isp1", table: 100, marked: true),
      via("0.0.0.0/0", "198.51.100.1", "isp1", table: 100, marked: true),
      link("203.0.113.20/24", "isp2", table: 101, marked: true),
      via("0.0.0.0/0", "203.0.113.1", "isp2", table: 101, marked: true),
    ]
    state.rules += [sourceRule("198.51.100.20", 100, 20000), sourceRule("203.0.113.20", 101, 20001)]
    return state
  }

  /// The state `policy` (derived when nil) would leave.
  static func applied(_ state: HostState, policy text: String? = nil) throws -> HostState {
    let policy = try #require(T.resolve(text, state: state))
    return KernelPlan.make(state: state, policy: policy).state(after: state)
  }

  /// The findings of a code, as `subject: message` lines.
  static func lines(_ findings: [Finding], _ code: FindingCode) -> [String] {
    findings.filter { $0.code == code.rawValue }.map { "\($0.subject): \($0.message)" }
  }

  // MARK: Tests

  @Test("the Docker host as polroute used to leave it: the bridge is cut off both uplink addresses; fixed by apply")
  func dockerHostCut() throws {
    let findings = Inspector.findings(Self.dockerHostWithOldPolicy)
    #expect(
      Self.lines(findings, .localNetworkCut) == [
        "network 192.0.2.0/25: replies from 198.51.100.20 (isp1) to hosts on 192.0.2.0/25 (docker0) leave via"
          + " 198.51.100.1 dev isp1, by rule 20000 (from 198.51.100.20 lookup 100): hosts there cannot reach"
          + " 198.51.100.20",
        "network 192.0.2.0/25: replies from 203.0.113.20 (isp2) to hosts on 192.0.2.0/25 (docker0) leave via"
          + " 203.0.113.1 dev isp2, by rule 20001 (from 203.0.113.20 lookup 101): hosts there cannot reach"
          + " 203.0.113.20",
      ])
    let cut = try #require(findings.first { $0.code == FindingCode.localNetworkCut.rawValue })
    #expect(cut.severity == .error)
    #expect(cut.fix.hasPrefix("`polroute apply`: its rule `lookup main suppress_prefixlength 0` at priority 19000"))
    // Before polroute, and after today's apply, every address reaches the bridge directly.
    #expect(Self.lines(Inspector.findings(Self.dockerHost), .localNetworkCut) == [])
    let fixed = try Self.applied(Self.dockerHostWithOldPolicy)
    #expect(Inspector.findings(fixed).filter { $0.severity != .info } == [])
  }

  @Test("a gateway only the policy names: polroute's table says the interface is an uplink, so its guard is no cut")
  func gatewayFromThePolicy() throws {
    var state = Self.dockerHost
    state.routes.removeAll { $0.device == "isp2" && $0.hasGateway }
    let after = try Self.applied(state, policy: "auto\nuplink isp2 dev isp2 via 203.0.113.1\n")
    #expect(Inspector.findings(after).filter { $0.code != FindingCode.unnamedTable.rawValue } == [])
  }

  @Test("a hand-made rule that cuts a local network is named, with the ip command that fixes it")
  func handMadeCut() throws {
    var state = Self.dockerHost
    state.routes += [Self.via("0.0.0.0/0", "203.0.113.1", "isp2", table: 200)]
    state.rules.append(Self.sourceRule("203.0.113.20", 200, 1000, marked: false))
    let cut = try #require(Inspector.findings(state).first { $0.code == FindingCode.localNetworkCut.rawValue })
    #expect(
      cut.fix
        == "add `ip -4 rule add lookup main suppress_prefixlength 0 priority N` (before rule 1000), or add"
        + " 192.0.2.0/25 dev docker0 to table 200")
  }

  @Test("inspect --policy: a policy rule before the local-networks rule cuts the bridge; the fix is in the file")
  func policyThatCuts() throws {
    let after = try Self.applied(Self.dockerHost, policy: "auto\nrule from 203.0.113.20 lookup isp2 priority 100\n")
    let cut = try #require(
      Inspector.findings(after, policyFile: "p.conf").first { $0.code == FindingCode.localNetworkCut.rawValue })
    #expect(cut.message.contains("by rule 100 (from 203.0.113.20 lookup 101)"))
    #expect(
      cut.fix
        == "in p.conf, rule 100 takes these replies before polroute's local-networks rule (priority 19000): give it"
        + " a priority above that, or narrow it with `to`")
    // The derived policy cuts nothing.
    #expect(
      Inspector.findings(try Self.applied(Self.dockerHost), policyFile: "p.conf").filter { $0.severity == .error } == []
    )
  }

  @Test("a router with a LAN: no error and no warning about the LAN, whose replies rightly take the default route")
  func routerWithLAN() throws {
    let state = HostState(
      hostname: "router",
      interfaces: [
        T.loopback, Self.interface("if0", 2, "100.66.10.1/24"), Self.interface("if1", 3, "198.51.100.20/24"),
        Self.interface("if2", 4, "203.0.113.20/24"),
      ],
      routes: [
        Self.via("0.0.0.0/0", "198.51.100.1", "if1"), Self.via("0.0.0.0/0", "203.0.113.1", "if2", table: 7),
        Self.link("100.66.10.1/24", "if0"), Self.link("198.51.100.20/24", "if1"), Self.link("203.0.113.20/24", "if2"),
      ],
      rules: T.kernelRules, rpFilter: Self.strict)
    let findings = Inspector.findings(state)
    #expect(!findings.contains { $0.subject == "interface if0" && $0.severity != .info })
    let lan = try #require(findings.first { $0.subject == "interface if0" })
    #expect(lan.code == FindingCode.unknownGateway.rawValue)
    #expect(lan.fix.contains("if it is a LAN, nothing is wrong (`exclude if0` says so)"))
    // if2 is an uplink (its gateway is in table 7) whose replies leave through if1: that is an error.
    #expect(findings.contains { $0.code == "strict-rp-filter" && $0.subject == "interface if2" })
    // After apply: the providers' replies are symmetric, the LAN stays reached, nothing above info remains.
    #expect(Inspector.findings(try Self.applied(state)).filter { $0.severity != .info } == [])
  }

  @Test("seed 002: the interface whose gateway is unknown gets its policy line, not a circle back to apply")
  func unknownGateway() throws {
    var state = SampleHosts.dualHomed
    state.routes.removeAll { $0.device == "data" && $0.hasGateway }
    let findings = Inspector.findings(state)
    let data = findings.filter { $0.subject == "interface data" }
    #expect(data.map(\.code) == ["unknown-gateway"])
    #expect(data[0].fix.contains("(`uplink data dev data via GATEWAY`)"))
    #expect(data[0].message.contains("replies from 203.0.113.10 to remote clients leave through mgmt"))
    // Applying the derived policy changes nothing about it, and inspect still says the same: no circle.
    #expect(Inspector.findings(try Self.applied(state)).filter { $0.subject == "interface data" } == data)
  }

  @Test("seed 003: main's static route through data takes mgmt's replies; apply's guard fixes it")
  func staticRouteCapture() throws {
    var state = SampleHosts.dualHomed
    state.routes.append(Self.via("192.0.2.0/24", "203.0.113.1", "data"))
    let findings = Inspector.findings(state)
    #expect(
      Self.lines(findings, .staticRouteCapture) == [
        "route 192.0.2.0/24: main's route 192.0.2.0/24 via 203.0.113.1 dev data also takes the replies from"
          + " 198.51.100.10 (mgmt): clients in 192.0.2.0/24 that reach 198.51.100.10 through mgmt's network get"
          + " their replies through data, where strict rp_filter and firewalls drop them",
        "route 192.0.2.128/25: main's route 192.0.2.128/25 via 203.0.113.1 dev data also takes the replies from"
          + " 198.51.100.10 (mgmt): clients in 192.0.2.128/25 that reach 198.51.100.10 through mgmt's network get"
          + " their replies through data, where strict rp_filter and firewalls drop them",
      ])
    #expect(Self.lines(Inspector.findings(try Self.applied(state)), .staticRouteCapture) == [])
  }

  @Test("an exact duplicate rule: the ip command that deletes one copy; polroute's own stale rule: apply")
  func ruleFixes() throws {
    var state = SampleHosts.dualHomed
    state.routes.append(Self.via("0.0.0.0/0", "203.0.113.1", "data", table: 200))
    let copy = Self.sourceRule("203.0.113.10", 200, 1000, marked: false)
    state.rules += [copy, copy]
    // polroute's rule for an interface that is gone: its table is empty.
    state.rules.append(Self.sourceRule("100.64.0.10", 150, 20005))
    let findings = Inspector.findings(state)
    let duplicate = try #require(findings.first { $0.code == "duplicate-rule-priority" })
    #expect(duplicate.message == "2 identical IPv4 rules at priority 1000 (from 203.0.113.10 lookup 200)")
    #expect(
      duplicate.fix == "delete the 1 extra copy: `ip -4 rule del from 203.0.113.10 lookup 200 priority 1000`")
    let stale = try #require(findings.first { $0.code == "stale-source-rule" && $0.subject == "rule 20005" })
    #expect(stale.fix == "`polroute apply` removes polroute's rules for addresses the host no longer has")
  }

  @Test("a new lease left polroute's rule for the old address: apply --interface removes it, never ip rule del")
  func staleSourceAfterLease() throws {
    var state = try Self.applied(SampleHosts.dualHomed)
    state.tableNames = [TableNameEntry(number: 100, name: "data", file: PolrouteFiles.rtTables, line: 2)]
    // dhclient moved data from 203.0.113.10 to 203.0.113.11: the kernel dropped the routes using the old source.
    let index = try #require(state.interfaces.firstIndex { $0.name == "data" })
    state.interfaces[index].addresses = [
      Address(try InterfaceAddress(parsing: "203.0.113.11/24"), scope: "global", flags: [.dynamic])
    ]
    state.routes.removeAll { $0.preferredSource == T.address("203.0.113.10") }
    // The same rule installed by systemd-networkd from polroute's drop-in (protocol static), at its own priority.
    var copy = Self.sourceRule("203.0.113.10", 100, 20010, marked: false)
    copy.protocolNumber = RouteProtocol.staticRoute
    state.rules.append(copy)
    let findings = Inspector.findings(state)
    let stale = findings.filter { $0.code == FindingCode.staleSourceRule.rawValue }
    #expect(
      stale.map { "\($0.subject): \($0.message)" } == [
        "rule 14001: IPv4 rule 14001 (from 203.0.113.10 to 198.51.100.0/24 lookup data) is polroute's for"
          + " 203.0.113.10, which is no longer an address of this host (a new lease or a removed address)",
        "rule 20000: IPv4 rule 20000 (from 203.0.113.10 lookup data) is polroute's for 203.0.113.10, which is no"
          + " longer an address of this host (a new lease or a removed address)",
        "rule 20010: IPv4 rule 20010 (from 203.0.113.10 lookup data) was installed by a network manager from"
          + " polroute's files for 203.0.113.10, which is no longer an address of this host (a new lease or a"
          + " removed address)",
      ])
    #expect(
      stale.first?.fix
        == "`polroute apply --interface data` moves polroute's rules to data's current addresses and removes this"
        + " one (the network managers' hooks run it on every lease: see polroute(8))")
    #expect(stale.last?.fix.hasPrefix("`polroute apply --persist` rewrites the files the manager read") == true)
    // No finding tells the user to delete polroute's own rule by hand.
    #expect(!findings.contains { $0.fix.contains("rule del") }, "\(findings.map(\.fix))")
    #expect(!findings.contains { $0.code == "rule-empty-table" && $0.subject == "rule 20000" })
  }
}
