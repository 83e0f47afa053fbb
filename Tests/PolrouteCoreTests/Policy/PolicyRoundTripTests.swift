import Testing

@testable import PolrouteCore

/// `PolicyPrinter.text` parsed and resolved again on the same host gives the same kernel objects.
struct PolicyRoundTripTests {
  typealias T = PolicyTesting

  /// A state, a policy file for it (nil derives), and whether the state is a snapshot.
  struct Case: Sendable, CustomTestStringConvertible {
    /// What the case shows.
    var name: String
    /// The host.
    var state: HostState
    /// The policy file; nil derives.
    var text: String?
    /// Whether the state is a snapshot.
    var isSnapshot = false

    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "derived dual-homed", state: T.dualHomed()),
    Case(name: "derived dual-stack with a gateway from router advertisements", state: PolicyResolverTests.dualStack),
    Case(
      name: "derived with rt_tables names, foreign rules and foreign routes",
      state: T.dualHomed(
        extraRoutes: [
          Route(table: 101, destination: T.prefix("192.0.2.0/24"), gateway: T.address("203.0.113.1"), device: "data")
        ],
        extraRules: [
          Rule(family: .inet, priority: 20000, selector: RuleSelector(fwmark: 9), action: .lookup(102)),
          Rule(family: .inet6, priority: 10000, selector: RuleSelector(fwmark: 9), action: .lookup(50)),
        ],
        tableNames: [TableNameEntry(number: 100, name: "vpn", file: "/etc/iproute2/rt_tables", line: 12)])),
    Case(
      name: "derived with an onlink gateway",
      state: T.dualHomed(
        interfaces: [T.loopback, T.data],
        extraRoutes: [
          Route(
            destination: T.prefix("0.0.0.0/0"), gateway: T.address("192.0.2.1"), device: "data", metric: 50,
            flags: ["onlink"])
        ])),
    Case(
      name: "auto with include and exclude", state: PolicyResolverTests.busy,
      text: "auto\ninclude docker0\nexclude data"),
    Case(
      name: "a policy file of every statement kind", state: PolicyResolverTests.dualStack,
      text: """
        uplink office dev mgmt table 120 via 198.51.100.1
        uplink lab dev data
        table vpn
        table blackholes 130
        route default via 198.51.100.254 table office
        route 192.0.2.0/24 via 203.0.113.1 table vpn
        route 2001:db8:5::/48 via fe80::1 dev data metric 10 table lab
        route unreachable 192.0.2.128/25 table blackholes
        route throw 2001:db8:6::/48 table 130
        route 192.0.2.64/26 dev data src 203.0.113.10 table lab
        rule fwmark 0x1/0xff lookup office
        rule from 192.0.2.0/24 to 198.51.100.0/24 lookup vpn
        rule not to 2001:db8::/32 tos 0x10 lookup lab priority 500
        rule iif data oif mgmt uidrange 1000-2000 ipproto udp sport 53 dport 1024-2048 goto 32766
        rule family inet6 ipproto ipv6-icmp prohibit
        rule l3mdev priority 600
        rule to 192.0.2.0/24 lookup main suppress_prefixlength 0
        rule fwmark 5 lookup 4000 pref 700
        rule family inet6 dsfield EF nop preference 800
        exclude lo
        """),
    Case(
      name: "a snapshot with an interface it lacks", state: T.dualHomed(),
      text: "uplink isp dev eth9\nuplink office dev mgmt onlink via 192.0.2.1\nrule oif eth9 lookup isp",
      isSnapshot: true),
    Case(
      name: "quoted device names",
      state: T.dualHomed(interfaces: [T.loopback, Interface(name: "wan#1", index: 2, addresses: T.mgmt.addresses)]),
      text: "uplink wan dev \"wan#1\" via 198.51.100.1\nrule iif \"wan#1\" lookup wan"),
  ]

  @Test(arguments: cases)
  func printingAndParsingAgainGivesTheSameKernelObjects(example: Case) {
    guard let policy = T.resolve(example.text, state: example.state, isSnapshot: example.isSnapshot) else { return }
    let text = PolicyPrinter.text(policy, hostname: example.state.hostname)
    let parsed = T.parse(text)
    #expect(parsed.messages == [], "\(text)")
    let again = try? PolicyResolver(state: example.state, document: parsed.document, isSnapshot: example.isSnapshot)
      .resolve()
    guard let reparsed = again else {
      Issue.record("the printed policy did not resolve: \(String(describing: again))\n\(text)")
      return
    }
    #expect(reparsed.kernelView == policy.kernelView, "\(text)")
    #expect(reparsed.uplinks.map(\.name) == policy.uplinks.map(\.name))
    #expect(reparsed.statementRules == policy.statementRules)
    // Printing is a fixed point: the reparsed policy prints the same statements.
    #expect(Self.statements(PolicyPrinter.text(reparsed, hostname: example.state.hostname)) == Self.statements(text))
  }

  /// The statement lines of a printed policy, without comments.
  static func statements(_ text: String) -> [String] {
    text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
  }

  @Test func theDerivedDualHomedPolicyPrintsEveryNumberAndGateway() {
    guard let policy = T.resolve(nil, state: T.dualHomed()) else { return }
    #expect(
      PolicyPrinter.text(policy, hostname: "dual") == """
        # polroute policy for dual, derived from the host's state, resolved by polroute \(PolrouteVersion.current)
        # Everything is explicit: edit it and pass it with --policy, or install it as /etc/polroute.conf.

        # Derive an uplink for every interface with a gateway that this file does not name; without this line,
        # the policy is only what the file declares.
        auto

        # data: IPv4 gateway 203.0.113.1 (route 192.0.2.128/25 via 203.0.113.1 dev data in main)
        uplink data dev data table 100 via 203.0.113.1
        #   rule from 203.0.113.10 lookup data priority 20000

        # mgmt: IPv4 gateway 198.51.100.1 (default route via 198.51.100.1 dev mgmt in main)
        uplink mgmt dev mgmt table 101 via 198.51.100.1
        #   rule from 198.51.100.10 lookup mgmt priority 20001

        # Derived rules: the host's local networks are reached directly from every address, and main's routes
        # through one uplink (its network, its static routes) do not capture the replies of another's addresses.
        #   rule from 198.51.100.10 to 192.0.2.128/25 lookup mgmt priority 14000
        #   rule from 203.0.113.10 to 198.51.100.0/24 lookup data priority 14001
        #   rule from 198.51.100.10 to 203.0.113.0/24 lookup mgmt priority 14002
        #   rule lookup main suppress_prefixlength 0 family inet priority 19000

        # not uplinks: lo (loopback)

        """)
  }

  @Test func statementsPrintWithTheirTablesByName() {
    let text = """
      uplink office dev mgmt
      table vpn 150
      route 192.0.2.0/24 via 203.0.113.1 table vpn
      rule fwmark 1 lookup vpn
      rule to 2001:db8::/32 lookup office priority 900
      exclude data
      """
    guard let policy = T.resolve(text, state: T.dualHomed()) else { return }
    #expect(
      Self.statements(PolicyPrinter.text(policy, hostname: nil)) == [
        "uplink office dev mgmt table 100 via 198.51.100.1", "table vpn 150",
        "route 192.0.2.0/24 via 203.0.113.1 dev data table vpn", "rule fwmark 0x1 lookup vpn priority 10000",
        "rule to 2001:db8::/32 lookup office priority 900", "exclude data",
      ])
  }
}
