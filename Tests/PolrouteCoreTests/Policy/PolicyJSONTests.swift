import Testing

@testable import PolrouteCore

/// The JSON form of a policy: the same documents as the text form, and errors at the JSON's own positions.
struct PolicyJSONTests {
  typealias T = PolicyTesting

  /// Parses JSON text as `p.json`, with every diagnostic as text.
  static func parse(_ json: String) -> (document: PolicyDocument, messages: [String]) {
    let parsed = PolicyJSON.parse(Array(json.utf8), file: "p.json")
    return (parsed.document, parsed.diagnostics.map(\.description))
  }

  /// The messages of JSON text.
  static func errors(_ json: String) -> [String] { parse(json).messages }

  // MARK: Same documents as the text form

  @Test func everyStatementKindGivesTheTextFormsDocument() {
    let json = """
      {
        "auto": true,
        "uplinks": [
          {"name": "isp1", "dev": "eth0", "table": 100, "via": "192.0.2.1", "via6": "2001:db8::1", "onlink": true},
          {"dev": "eth1", "name": "isp2", "onlink": false}
        ],
        "tables": [{"name": "vpn", "id": 200}, {"name": "backup"}, {"name": "spare", "id": "300"}],
        "routes": [
          {"to": "192.0.2.0/24", "via": "198.51.100.1", "dev": "mgmt", "onlink": true, "src": "198.51.100.10",
           "metric": 5, "table": "mgmt"},
          {"table": 200, "to": "2001:db8:1::/48", "type": "blackhole"},
          {"to": "default", "via": "2001:db8::1", "table": "isp1"}
        ],
        "rules": [
          {"not": true, "from": "192.0.2.0/24", "to": "198.51.100.0/24", "tos": "0x10", "fwmark": "0x1/0xff",
           "iif": "eth0", "oif": "eth1", "uidrange": "1000-2000", "ipproto": "tcp", "sport": "1024-65535",
           "dport": 443, "suppress_prefixlength": 0, "lookup": "main", "priority": 100},
          {"fwmark": 1, "family": "inet6", "action": "blackhole"},
          {"l3mdev": true, "priority": 1000},
          {"fwmark": 2, "goto": 32766},
          {"from": "all", "lookup": 100, "not": false}
        ],
        "exclude": ["eth2", "eth3"],
        "include": ["docker0"]
      }
      """
    let text = """
      auto
      uplink isp1 dev eth0 table 100 via 192.0.2.1 via6 2001:db8::1 onlink
      uplink isp2 dev eth1
      table vpn 200
      table backup
      table spare 300
      route 192.0.2.0/24 via 198.51.100.1 dev mgmt onlink src 198.51.100.10 metric 5 table mgmt
      route blackhole 2001:db8:1::/48 table 200
      route default via 2001:db8::1 table isp1
      rule not from 192.0.2.0/24 to 198.51.100.0/24 tos 0x10 fwmark 0x1/0xff iif eth0 oif eth1 uidrange 1000-2000 \\
        ipproto tcp sport 1024-65535 dport 443 suppress_prefixlength 0 lookup main priority 100
      rule fwmark 1 family inet6 blackhole
      rule l3mdev priority 1000
      rule fwmark 2 goto 32766
      rule from all lookup 100
      exclude eth2
      exclude eth3
      include docker0
      """
    let fromJSON = Self.parse(json)
    let fromText = T.parse(text)
    #expect(fromJSON.messages == [])
    #expect(fromText.messages == [])
    #expect(fromJSON.document.statements.count == 17)
    #expect(fromJSON.document.withoutLocations == fromText.document.withoutLocations)
  }

  @Test func theSamePolicyInBothFormsResolvesToTheSamePolicy() {
    let json = """
      {"uplinks": [{"name": "office", "dev": "mgmt"}, {"name": "lab", "dev": "data", "table": 150}],
       "routes": [{"to": "192.0.2.0/25", "via": "203.0.113.1", "table": "lab"}],
       "rules": [{"fwmark": 7, "lookup": "lab"}, {"to": "192.0.2.0/24", "lookup": "office", "priority": 500}],
       "exclude": ["lo"]}
      """
    let text = """
      uplink office dev mgmt
      uplink lab dev data table 150
      route 192.0.2.0/25 via 203.0.113.1 table lab
      rule fwmark 7 lookup lab
      rule to 192.0.2.0/24 lookup office priority 500
      exclude lo
      """
    let state = T.dualHomed()
    let document = Self.parse(json).document
    let fromJSON = try? PolicyResolver(state: state, document: document, isSnapshot: false).resolve()
    guard let jsonPolicy = fromJSON, let textPolicy = T.resolve(text, state: state) else {
      Issue.record("the JSON policy did not resolve: \(String(describing: fromJSON))")
      return
    }
    #expect(jsonPolicy.kernelView == textPolicy.kernelView)
    #expect(jsonPolicy.uplinks.map(\.name) == ["office", "lab"])
    #expect(jsonPolicy.excluded == [ExcludedInterface(name: "lo", reason: .policy)])
  }

  @Test func positionsAreThoseOfTheJSONValues() {
    let json = """
      {
        "uplinks": [
          {"name": "isp1", "dev": "eth0", "table": 100, "via": "192.0.2.1"}
        ],
        "exclude": ["eth2"]
      }
      """
    let parsed = Self.parse(json)
    #expect(parsed.messages == [])
    let file = "p.json"
    #expect(
      parsed.document.statements == [
        .uplink(
          UplinkStatement(
            location: T.at(3, 5, file: file), name: Located("isp1", at: T.at(3, 14, file: file)),
            device: Located("eth0", at: T.at(3, 29, file: file)), table: Located(100, at: T.at(3, 46, file: file)),
            via: Located(T.address("192.0.2.1"), at: T.at(3, 58, file: file)), via6: nil, onlink: false)),
        .exclude(Located("eth2", at: T.at(5, 15, file: file))),
      ])
  }

  @Test func anEmptyObjectIsAnEmptyPolicy() {
    let parsed = Self.parse(" { } \n")
    #expect(parsed.messages == [])
    #expect(parsed.document == PolicyDocument(file: "p.json", statements: []))
    #expect(!parsed.document.isAuto)
    #expect(Self.parse(#"{"auto": false}"#).document.statements == [])
  }

  // MARK: Errors of the text grammar, at JSON positions

  @Test func grammarErrorsPointAtTheJSONValue() {
    let json = """
      {
        "uplinks": [
          {"name": "isp1", "dev": "eth0", "via": "2001:db8::1"}
        ],
        "rules": [{"from": "192.0.2.1/24", "lookup": "main"}]
      }
      """
    #expect(
      Self.errors(json) == [
        "p.json:3:44: error: 'via' takes an IPv4 gateway, but 2001:db8::1 is IPv6 (use 'via6')",
        "p.json:5:22: error: host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)",
      ])
  }

  @Test func aMissingRequiredWordPointsAtTheObject() {
    #expect(
      Self.errors(#"{"rules": [{"fwmark": 1}]}"#) == [
        "p.json:1:12: error: rule needs an action: lookup TABLE, goto N, blackhole, unreachable, prohibit or nop"
      ])
    #expect(
      Self.errors(#"{"routes": [{"to": "192.0.2.0/24"}]}"#) == [
        "p.json:1:13: error: route 192.0.2.0/24 needs 'table NAME|ID' (polroute never changes table main)"
      ])
  }

  @Test(arguments: [
    (#"{"uplinks": [{"dev": "eth0"}]}"#, "p.json:1:14: error: an uplink needs 'name'"),
    (#"{"tables": [{"id": 5}]}"#, "p.json:1:13: error: a table needs 'name'"),
    (#"{"routes": [{"via": "192.0.2.1", "table": "x"}]}"#, "p.json:1:13: error: a route needs 'to'"),
  ])
  func aMissingPositionalWordIsNamed(json: String, message: String) {
    // Without the name, the words after it would shift into its place ('dev' read as the uplink's name).
    #expect(Self.errors(json) == [message])
  }

  // MARK: Keys

  @Test(arguments: [
    (#"{"uplink": []}"#, "p.json:1:2: error: unknown key 'uplink' in the policy (did you mean 'uplinks'?)"),
    (#"{"autoo": true}"#, "p.json:1:2: error: unknown key 'autoo' in the policy (did you mean 'auto'?)"),
    (#"{"comment": "x"}"#, "p.json:1:2: error: unknown key 'comment' in the policy"),
    (
      #"{"uplinks": [{"name": "a", "dev": "eth0", "tabel": 5}]}"#,
      "p.json:1:43: error: unknown key 'tabel' in an uplink (did you mean 'table'?)"
    ),
    (
      #"{"tables": [{"name": "a", "ids": 5}]}"#, "p.json:1:27: error: unknown key 'ids' in a table (did you mean 'id'?)"
    ),
    (
      #"{"routes": [{"to": "default", "table": "a", "gw": "192.0.2.1"}]}"#,
      "p.json:1:45: error: unknown key 'gw' in a route"
    ),
    (
      #"{"rules": [{"fwmark": 1, "lookup": "main", "pref": 5}]}"#,
      "p.json:1:44: error: unknown key 'pref' in a rule"
    ),
    (
      #"{"rules": [{"fwmark": 1, "lokup": "main", "action": "nop"}]}"#,
      "p.json:1:26: error: unknown key 'lokup' in a rule (did you mean 'lookup'?)"
    ),
  ])
  func unknownKeys(json: String, message: String) {
    #expect(Self.errors(json) == [message])
  }

  @Test func anObjectWithABadKeyIsLeftOutWithoutFollowOnErrors() {
    let parsed = Self.parse(#"{"uplinks": [{"name": "a", "devv": "eth0"}, {"name": "b", "dev": ["eth1"]}]}"#)
    #expect(
      parsed.messages == [
        "p.json:1:28: error: unknown key 'devv' in an uplink (did you mean 'dev'?)",
        "p.json:1:66: error: 'dev' must be a string or a number",
      ])
    #expect(parsed.document.statements == [])
  }

  @Test func errorsOfTheShapeAndOfTheGrammarComeInFileOrder() {
    #expect(
      Self.errors(#"{"uplinks": [{"name": "a", "dev": "eth/0"}], "auto": 5}"#) == [
        "p.json:1:35: error: invalid interface name 'eth/0' (Linux names are 1-15 bytes without '/', ':' or spaces)",
        "p.json:1:54: error: 'auto' must be true or false",
      ])
  }

  @Test(arguments: [
    (#"{"auto": true, "auto": true}"#, "p.json:1:16: error: key 'auto' is given more than once"),
    (
      #"{"uplinks": [{"name": "a", "dev": "eth0", "dev": "eth1"}]}"#,
      "p.json:1:43: error: key 'dev' is given more than once"
    ),
    (#"{"exclude": ["eth1"], "exclude": ["eth2"]}"#, "p.json:1:23: error: key 'exclude' is given more than once"),
  ])
  func keysGivenTwice(json: String, message: String) {
    #expect(Self.errors(json) == [message])
  }

  // MARK: Value types

  @Test(arguments: [
    (#"{"auto": "yes"}"#, "p.json:1:10: error: 'auto' must be true or false"),
    (#"{"auto": 1}"#, "p.json:1:10: error: 'auto' must be true or false"),
    (#"{"uplinks": {}}"#, "p.json:1:13: error: 'uplinks' must be an array of objects"),
    (#"{"rules": null}"#, "p.json:1:11: error: 'rules' must be an array of objects"),
    (#"{"uplinks": ["isp1"]}"#, "p.json:1:14: error: each element of 'uplinks' must be an object"),
    (#"{"routes": [[]]}"#, "p.json:1:13: error: each element of 'routes' must be an object"),
    (#"{"exclude": "eth1"}"#, "p.json:1:13: error: 'exclude' must be an array of interface names"),
    (#"{"include": [1]}"#, "p.json:1:14: error: each element of 'include' must be an interface name (a string)"),
    (#"{"uplinks": [{"name": true, "dev": "eth0"}]}"#, "p.json:1:23: error: 'name' must be a string or a number"),
    (#"{"uplinks": [{"name": "a", "dev": ["eth0"]}]}"#, "p.json:1:35: error: 'dev' must be a string or a number"),
    (
      #"{"uplinks": [{"name": "a", "dev": "eth0", "via": true}]}"#,
      "p.json:1:50: error: 'via' must be a string or a number"
    ),
    (
      #"{"uplinks": [{"name": "a", "dev": "eth0", "via": null}]}"#,
      "p.json:1:50: error: 'via' must be a string or a number"
    ),
    (
      #"{"uplinks": [{"name": "a", "dev": "eth0", "onlink": "yes"}]}"#,
      "p.json:1:53: error: 'onlink' must be true or false"
    ),
    (#"{"rules": [{"not": 1, "lookup": "main"}]}"#, "p.json:1:20: error: 'not' must be true or false"),
    (#"{"rules": [{"l3mdev": "true"}]}"#, "p.json:1:23: error: 'l3mdev' must be true or false"),
    (#"{"tables": [{"name": "a", "id": {}}]}"#, "p.json:1:33: error: 'id' must be a string or a number"),
    (
      #"{"routes": [{"to": 5, "table": "x"}]}"#,
      "p.json:1:20: error: invalid IPv4 address '5': expected 4 octets, found 1"
    ),
    (
      #"{"uplinks": [{"name": "a", "dev": "eth0", "table": 1.5}]}"#,
      "p.json:1:52: error: invalid table number '1.5' (expected a number from 1 to 4294967295)"
    ),
  ])
  func wrongValueTypes(json: String, message: String) {
    #expect(Self.errors(json) == [message])
  }

  @Test func aRootThatIsNotAnObject() {
    #expect(Self.errors(" [] ") == ["p.json:1:2: error: a JSON policy must be an object"])
    #expect(Self.errors("\n\"auto\"") == ["p.json:2:1: error: a JSON policy must be an object"])
  }

  // MARK: Malformed JSON

  @Test(arguments: [
    ("", "p.json:1:1: error: the JSON document ends too early"),
    (#"{"uplinks": ["#, "p.json:1:14: error: the JSON document ends too early"),
    ("{\n  \"auto\": true", "p.json:2:15: error: the JSON document ends too early"),
    (#"{"uplinks": [}"#, "p.json:1:14: error: invalid JSON: found '}', expected a value"),
    (#"{} x"#, "p.json:1:4: error: invalid JSON: found 'x', expected the end of the document"),
    (#"{"auto" true}"#, "p.json:1:9: error: invalid JSON: found 't', expected ':'"),
    (#"{"auto": true "uplinks": []}"#, "p.json:1:15: error: invalid JSON: found '\"', expected ',' or '}'"),
    (#"{auto: true}"#, "p.json:1:2: error: invalid JSON: found 'a', expected a string"),
    ("{\n  \"auto\": tru\n}", "p.json:2:11: error: invalid JSON: found 't', expected true, false or null"),
    (#"{"exclude": ["a" "b"]}"#, "p.json:1:18: error: invalid JSON: found '\"', expected ',' or ']'"),
    (#"{"auto": é}"#, "p.json:1:10: error: invalid JSON: found 'é', expected a value"),
    (#"{"exclude": ["\q"]}"#, "p.json:1:16: error: invalid JSON: found 'q', expected an escape character"),
  ])
  func malformedJSON(json: String, message: String) {
    let parsed = Self.parse(json)
    #expect(parsed.messages == [message])
    #expect(parsed.document.statements == [])
  }

  @Test func columnsCountCharactersNotBytes() {
    #expect(
      Self.errors(#"{"exclude": ["é", 7]}"#) == [
        "p.json:1:19: error: each element of 'exclude' must be an interface name (a string)"
      ])
  }

  @Test func escapesInStringsAreDecoded() {
    let parsed = Self.parse(#"{"exclude": ["eth\u0031", "a\/b"]}"#)
    #expect(parsed.document.statements == [.exclude(Located("eth1", at: T.at(1, 14, file: "p.json")))])
    #expect(
      parsed.messages == [
        "p.json:1:27: error: invalid interface name 'a/b' (Linux names are 1-15 bytes without '/', ':' or spaces)"
      ])
  }
}

extension PolicyDocument {
  /// The document with every position replaced by the same one and the file name dropped, to compare two forms.
  var withoutLocations: PolicyDocument {
    let nowhere = SourceLocation(file: "", line: 0, column: 0)
    func strip<Value>(_ located: Located<Value>) -> Located<Value> { Located(located.value, at: nowhere) }
    func strip<Value>(_ located: Located<Value>?) -> Located<Value>? { located.map { Located($0.value, at: nowhere) } }
    let statements = statements.map { statement -> PolicyStatement in
      switch statement {
      case .uplink(var uplink):
        uplink.location = nowhere
        uplink.name = strip(uplink.name)
        uplink.device = strip(uplink.device)
        uplink.table = strip(uplink.table)
        uplink.via = strip(uplink.via)
        uplink.via6 = strip(uplink.via6)
        return .uplink(uplink)
      case .table(var table):
        table.location = nowhere
        table.name = strip(table.name)
        table.number = strip(table.number)
        return .table(table)
      case .route(var route):
        route.location = nowhere
        route.destination = strip(route.destination)
        route.via = strip(route.via)
        route.device = strip(route.device)
        route.source = strip(route.source)
        route.table = strip(route.table)
        route.nexthops = route.nexthops.map { hop in
          var hop = hop
          hop.location = nowhere
          hop.via = strip(hop.via)
          hop.device = strip(hop.device)
          hop.weight = strip(hop.weight)
          return hop
        }
        return .route(route)
      case .rule(var rule):
        rule.location = nowhere
        rule.family = strip(rule.family)
        rule.selectorLocations = rule.selectorLocations.mapValues { _ in nowhere }
        if case .lookup(let table)? = rule.action { rule.action = .lookup(strip(table)) }
        rule.actionLocation = rule.actionLocation.map { _ in nowhere }
        rule.priority = strip(rule.priority)
        return .rule(rule)
      case .exclude(let name): return .exclude(strip(name))
      case .include(let name): return .include(strip(name))
      case .auto: return .auto(nowhere)
      case .group(var group):
        group.location = nowhere
        group.name = strip(group.name)
        group.table = strip(group.table)
        group.hash = strip(group.hash)
        group.members = group.members.map { GroupMember(name: strip($0.name), weight: strip($0.weight)) }
        return .group(group)
      }
    }
    return PolicyDocument(file: "", statements: statements)
  }
}
