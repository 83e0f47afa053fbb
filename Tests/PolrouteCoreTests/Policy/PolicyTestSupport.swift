import Testing

@testable import PolrouteCore

/// Shared helpers for the policy tests: parsing with messages as text, located values, and small host states.
enum PolicyTesting {
  /// The file name every text policy in these tests is parsed as.
  static let file = "p.conf"

  /// A position in `file`.
  static func at(_ line: Int, _ column: Int, file: String = PolicyTesting.file) -> PolrouteCore.SourceLocation {
    PolrouteCore.SourceLocation(file: file, line: line, column: column)
  }

  /// A value located in `file`.
  static func located<Value>(_ value: Value, _ line: Int, _ column: Int) -> Located<Value> {
    Located(value, at: at(line, column))
  }

  /// An address from text the test knows is valid.
  static func address(_ text: String) -> IPAddress {
    IPAddress(text)!
  }

  /// A prefix from text the test knows is valid.
  static func prefix(_ text: String) -> IPPrefix {
    IPPrefix(text)!
  }

  /// An interface address (`ADDR/LEN`, host bits allowed) from text the test knows is valid.
  static func interfaceAddress(_ text: String) -> InterfaceAddress {
    try! InterfaceAddress(parsing: text)
  }

  /// Parses text and returns the document and every diagnostic as `FILE:LINE:COL: error: message`.
  static func parse(_ text: String) -> (document: PolicyDocument, messages: [String]) {
    let parsed = PolicyParser.parse(text, file: file)
    return (parsed.document, parsed.diagnostics.map(\.description))
  }

  /// The statements of text that must parse without any diagnostic.
  static func statements(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [PolicyStatement]
  {
    let parsed = parse(text)
    #expect(parsed.messages == [], sourceLocation: sourceLocation)
    return parsed.document.statements
  }

  /// The single rule statement of text that must parse cleanly.
  static func rule(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> RuleStatement? {
    let parsed = statements(text, sourceLocation: sourceLocation)
    guard parsed.count == 1, case .rule(let rule) = parsed[0] else {
      Issue.record("expected one rule statement, got \(parsed)", sourceLocation: sourceLocation)
      return nil
    }
    return rule
  }

  /// The single route statement of text that must parse cleanly.
  static func route(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> RouteStatement? {
    let parsed = statements(text, sourceLocation: sourceLocation)
    guard parsed.count == 1, case .route(let route) = parsed[0] else {
      Issue.record("expected one route statement, got \(parsed)", sourceLocation: sourceLocation)
      return nil
    }
    return route
  }

  // MARK: Host states

  /// The loopback device.
  static let loopback = Interface(
    name: "lo", index: 1, linkType: "loopback", operState: "UNKNOWN", flags: ["LOOPBACK", "UP", "LOWER_UP"],
    addresses: [Address(interfaceAddress("127.0.0.1/8"), scope: "host")])

  /// The management interface: 198.51.100.10/24, the default route's device.
  static let mgmt = Interface(name: "mgmt", index: 2, addresses: [Address(interfaceAddress("198.51.100.10/24"))])

  /// The data interface: 203.0.113.10/24, gateway 203.0.113.1 learned from a `via` route in main.
  static let data = Interface(name: "data", index: 3, addresses: [Address(interfaceAddress("203.0.113.10/24"))])

  /// The kernel's three default rules (no protocol, so not polroute's).
  static let kernelRules = [
    Rule(family: .inet, priority: 0, action: .lookup(RoutingTable.local)),
    Rule(family: .inet, priority: 32766, action: .lookup(RoutingTable.main)),
    Rule(family: .inet, priority: 32767, action: .lookup(RoutingTable.defaultTable)),
    Rule(family: .inet6, priority: 0, action: .lookup(RoutingTable.local)),
    Rule(family: .inet6, priority: 32766, action: .lookup(RoutingTable.main)),
  ]

  /// Main of the dual-homed host: the default via mgmt, link routes, and a `via` route on data.
  static let dualHomedMain = [
    Route(destination: prefix("0.0.0.0/0"), gateway: address("198.51.100.1"), device: "mgmt"),
    Route(
      destination: prefix("198.51.100.0/24"), device: "mgmt", protocolNumber: RouteProtocol.kernel,
      scope: RouteScope.link, preferredSource: address("198.51.100.10")),
    Route(destination: prefix("192.0.2.128/25"), gateway: address("203.0.113.1"), device: "data"),
    Route(
      destination: prefix("203.0.113.0/24"), device: "data", protocolNumber: RouteProtocol.kernel,
      scope: RouteScope.link, preferredSource: address("203.0.113.10")),
  ]

  /// A live dual-homed host: `mgmt` with the default route, `data` with a `via` route in main.
  static func dualHomed(
    interfaces: [Interface]? = nil, extraRoutes: [Route] = [], extraRules: [Rule] = [],
    tableNames: [TableNameEntry] = []
  ) -> HostState {
    HostState(
      hostname: "dual", interfaces: interfaces ?? [loopback, mgmt, data], routes: dualHomedMain + extraRoutes,
      rules: kernelRules + extraRules, tableNames: tableNames)
  }

  // MARK: Resolution

  /// Resolves text against a state; records an issue unless it gives a policy.
  static func resolve(
    _ text: String?, state: HostState, isSnapshot: Bool = false,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) -> Policy? {
    var document: PolicyDocument?
    if let text {
      let parsed = parse(text)
      #expect(parsed.messages == [], sourceLocation: sourceLocation)
      document = parsed.document
    }
    do throws(PolicyError) {
      return try PolicyResolver(state: state, document: document, isSnapshot: isSnapshot).resolve()
    } catch {
      Issue.record("resolution failed:\n\(error)", sourceLocation: sourceLocation)
      return nil
    }
  }

  /// The diagnostics of text that parses cleanly but fails to resolve, as text; records an issue when it resolves.
  static func resolutionErrors(
    _ text: String, state: HostState, isSnapshot: Bool = false,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) -> [String] {
    let parsed = parse(text)
    #expect(parsed.messages == [], sourceLocation: sourceLocation)
    do throws(PolicyError) {
      let policy = try PolicyResolver(state: state, document: parsed.document, isSnapshot: isSnapshot).resolve()
      Issue.record("expected errors, got \(policy)", sourceLocation: sourceLocation)
      return []
    } catch {
      return error.diagnostics.map(\.description)
    }
  }

  /// A route polroute makes in one of its tables.
  static func ownRoute(
    table: UInt32, _ destination: String, via gateway: String? = nil, dev device: String?,
    scope: UInt8 = RouteScope.global,
    metric: UInt32? = nil, src: String? = nil, type: RouteType = .unicast, onlink: Bool = false
  ) -> Route {
    let destination = prefix(destination)
    return Route(
      table: table, type: type, destination: destination, gateway: gateway.map(address), device: device,
      protocolNumber: RouteProtocol.polroute, scope: scope, metric: metric ?? (destination.family == .inet6 ? 1024 : 0),
      preferredSource: src.map(address), flags: onlink ? ["onlink"] : [])
  }

  /// A source rule polroute makes: `from ADDR lookup TABLE`.
  static func sourceRule(_ source: String, table: UInt32, priority: UInt32) -> Rule {
    let source = address(source)
    return Rule(
      family: source.family, priority: priority, selector: RuleSelector(source: IPPrefix(host: source)),
      action: .lookup(table), protocolNumber: RouteProtocol.polroute)
  }

  /// The local-networks rule of a family.
  static func localRule(_ family: AddressFamily = .inet, priority: UInt32 = 19000) -> Rule {
    Rule(
      family: family, priority: priority, suppressPrefixLength: 0, action: .lookup(RoutingTable.main),
      protocolNumber: RouteProtocol.polroute)
  }

  /// A guard: replies from `source` to `destination` leave through `table`.
  static func guardRule(_ source: String, to destination: String, table: UInt32, priority: UInt32) -> Rule {
    let source = address(source)
    return Rule(
      family: source.family, priority: priority,
      selector: RuleSelector(source: IPPrefix(host: source), destination: IPPrefix(destination)!),
      action: .lookup(table), protocolNumber: RouteProtocol.polroute)
  }

  /// The guards of the dual-homed host when data is `data` and mgmt is `mgmt`: data's address keeps its replies to
  /// mgmt's network; mgmt's keeps those to data's network and to main's static route through data.
  static func dualHomedGuards(data: UInt32, mgmt: UInt32) -> [Rule] {
    [
      guardRule("198.51.100.10", to: "192.0.2.128/25", table: mgmt, priority: 14000),
      guardRule("203.0.113.10", to: "198.51.100.0/24", table: data, priority: 14001),
      guardRule("198.51.100.10", to: "203.0.113.0/24", table: mgmt, priority: 14002),
    ]
  }
}
