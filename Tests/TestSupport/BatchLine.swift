import PolrouteCore

/// One line of the `ip -batch` input polroute writes, read back into the change it makes: the inverse of
/// `KernelChange.batchLine`, for the scripted kernel. It understands exactly the words `RouteText` and `RuleText`
/// write, and fails loudly on anything else, so a change in those words cannot slip past the tests.
public enum BatchLine {
  /// What a line asks for.
  public enum Request: Equatable {
    /// `route replace ...`.
    case replaceRoute(Route)
    /// `route del ...`: the route's identifying words (type, destination, source, device, metric, table).
    case deleteRoute(Route)
    /// `rule add ...`.
    case addRule(Rule)
    /// `rule del ...`.
    case deleteRule(Rule)
    /// `route get DEST from SRC`.
    case routeGet(destination: IPAddress, source: IPAddress?)
    /// `rule show` or `route show table all`.
    case show(String)
  }

  /// Why a line could not be read.
  public struct Unreadable: Error, CustomStringConvertible {
    /// What is wrong.
    public let description: String
  }

  /// Reads a line of a family's batch.
  public static func parse(_ line: String, family: AddressFamily) throws -> Request {
    var words = try tokens(line)[...]
    func next() throws -> String {
      guard let word = words.popFirst() else { throw Unreadable(description: "line ends early: \(line)") }
      return word
    }
    let object = try next()
    let verb = try next()
    switch (object, verb) {
    case ("rule", "show"), ("route", "show"): return .show(line)
    case ("route", "get"):
      let destination = try address(try next())
      var source: IPAddress?
      if words.first == "from" {
        _ = try next()
        source = try address(try next())
      }
      return .routeGet(destination: destination, source: source)
    case ("route", "replace"), ("route", "del"):
      let route = try self.route(&words, family: family, line: line)
      return verb == "replace" ? .replaceRoute(route) : .deleteRoute(route)
    case ("rule", "add"), ("rule", "del"):
      let rule = try self.rule(&words, family: family, line: line)
      return verb == "add" ? .addRule(rule) : .deleteRule(rule)
    default:
      throw Unreadable(description: "not a line polroute writes: \(line)")
    }
  }

  /// The words of a route.
  static func route(_ words: inout ArraySlice<String>, family: AddressFamily, line: String) throws -> Route {
    guard var first = words.popFirst() else { throw Unreadable(description: "no destination: \(line)") }
    var type = RouteType.unicast
    if let named = RouteType(rawValue: first), named != .unicast || first == "unicast" {
      type = named
      guard let destination = words.popFirst() else { throw Unreadable(description: "no destination: \(line)") }
      first = destination
    }
    let destination = first == "default" ? IPPrefix.defaultRoute(family) : try prefix(first)
    var route = Route(
      family: family, table: RoutingTable.main, type: type, destination: destination,
      metric: family == .inet6 ? 1024 : 0)
    var hop: Nexthop?
    func value() throws -> String {
      guard let word = words.popFirst() else { throw Unreadable(description: "a value is missing: \(line)") }
      return word
    }
    while let word = words.popFirst() {
      switch word {
      case "from": route.source = try prefix(try value())
      case "via":
        let gateway = try address(try value())
        if hop != nil { hop?.gateway = gateway } else { route.gateway = gateway }
      case "dev":
        let device = try value()
        if hop != nil { hop?.device = device } else { route.device = device }
      case "proto": route.protocolNumber = try number(try value(), UInt8.self)
      case "scope":
        let text = try value()
        guard let scope = RouteScope.numbers[text] ?? UInt8(text) else { throw Unreadable(description: line) }
        route.scope = scope
      case "src": route.preferredSource = try address(try value())
      case "metric": route.metric = try number(try value(), UInt32.self)
      case "realm": route.realm = try number(try value(), UInt32.self)
      case "onlink":
        if hop != nil { hop?.flags.append("onlink") } else { route.flags.append("onlink") }
      case "nexthop":
        if let finished = hop { route.nexthops.append(finished) }
        hop = Nexthop()
      case "weight": hop?.weight = Int(try number(try value(), UInt32.self))
      case "table": route.table = try number(try value(), UInt32.self)
      default: throw Unreadable(description: "unknown route word '\(word)': \(line)")
      }
    }
    if let finished = hop { route.nexthops.append(finished) }
    return route
  }

  /// The words of a rule.
  static func rule(_ words: inout ArraySlice<String>, family: AddressFamily, line: String) throws -> Rule {
    var rule = Rule(family: family, priority: 0, action: .lookup(RoutingTable.unspec))
    func value() throws -> String {
      guard let word = words.popFirst() else { throw Unreadable(description: "a value is missing: \(line)") }
      return word
    }
    while let word = words.popFirst() {
      switch word {
      case "not": rule.selector.invert = true
      case "from": rule.selector.source = try prefix(try value())
      case "to": rule.selector.destination = try prefix(try value())
      case "tos": rule.selector.tos = UInt8(try hex(try value()))
      case "fwmark":
        let parts = try value().split(separator: "/")
        rule.selector.fwmark = try hex(String(parts[0]))
        if parts.count == 2 { rule.selector.fwmask = try hex(String(parts[1])) }
      case "iif": rule.selector.inputInterface = try value()
      case "oif": rule.selector.outputInterface = try value()
      case "uidrange": rule.selector.uidRange = try NumberRange(codingText: try value())
      case "ipproto":
        let text = try value()
        rule.selector.ipProtocol = IPProtocolNames.numbers[text] ?? UInt8(text)
      case "sport": rule.selector.sourcePort = try NumberRange(codingText: try value())
      case "dport": rule.selector.destinationPort = try NumberRange(codingText: try value())
      case "l3mdev": rule.selector.l3mdev = true
      case "lookup": rule.action = .lookup(try number(try value(), UInt32.self))
      case "goto": rule.action = .goto(try number(try value(), UInt32.self))
      case "blackhole": rule.action = .blackhole
      case "unreachable": rule.action = .unreachable
      case "prohibit": rule.action = .prohibit
      case "nop": rule.action = .nop
      case "suppress_prefixlength": rule.suppressPrefixLength = Int(try number(try value(), UInt32.self))
      case "priority": rule.priority = try number(try value(), UInt32.self)
      case "protocol": rule.protocolNumber = try number(try value(), UInt8.self)
      default: throw Unreadable(description: "unknown rule word '\(word)': \(line)")
      }
    }
    return rule
  }

  /// The words of a line, split as `ip -batch` splits them: at blanks, double quotes keeping a word whole with
  /// `\"` and `\\` escapes.
  static func tokens(_ line: String) throws -> [String] {
    var words: [String] = []
    var current = ""
    var inWord = false
    var quoted = false
    var escaped = false
    for character in line {
      if escaped {
        current.append(character)
        escaped = false
      } else if quoted {
        if character == "\\" {
          escaped = true
        } else if character == "\"" {
          quoted = false
        } else {
          current.append(character)
        }
      } else if character == "\"" {
        quoted = true
        inWord = true
      } else if character == " " || character == "\t" {
        if inWord { words.append(current) }
        current = ""
        inWord = false
      } else {
        current.append(character)
        inWord = true
      }
    }
    if quoted { throw Unreadable(description: "unterminated quote: \(line)") }
    if inWord { words.append(current) }
    return words
  }

  /// An address.
  static func address(_ text: String) throws -> IPAddress {
    guard let address = IPAddress(text) else { throw Unreadable(description: "not an address: \(text)") }
    return address
  }

  /// A prefix or bare address.
  static func prefix(_ text: String) throws -> IPPrefix {
    guard let prefix = IPPrefix(text) else { throw Unreadable(description: "not a prefix: \(text)") }
    return prefix
  }

  /// A decimal number.
  static func number<T: FixedWidthInteger>(_ text: String, _ type: T.Type) throws -> T {
    guard let value = T(text) else { throw Unreadable(description: "not a number: \(text)") }
    return value
  }

  /// A `0x` hexadecimal or decimal number.
  static func hex(_ text: String) throws -> UInt32 {
    let value = text.hasPrefix("0x") ? UInt32(text.dropFirst(2), radix: 16) : UInt32(text)
    guard let value else { throw Unreadable(description: "not a number: \(text)") }
    return value
  }
}
