/// Why the output of an `ip -j` command could not be understood.
public enum IPOutputError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The output is not the JSON `ip` prints.
  case json(command: String, error: JSONScanError)
  /// A field holds a value polroute cannot interpret.
  case invalidValue(command: String, field: String, value: String)

  /// The message shown to the user.
  public var description: String {
    switch self {
    case .json(let command, .truncated):
      return "`\(command)` printed truncated JSON"
    case .json(let command, .unexpected(let byte, let offset, let expected)):
      return
        "`\(command)` printed invalid JSON at byte \(offset): found '\(Character(Unicode.Scalar(byte)))', expected \(expected)"
    case .json(let command, .wrongType(let field, let offset, let expected)):
      return "`\(command)` printed invalid JSON at byte \(offset): field '\(field)' should be \(expected)"
    case .json(let command, .nestedTooDeep(let offset)):
      return "`\(command)` printed invalid JSON at byte \(offset): \(JSONScanError.nestingProblem)"
    case .invalidValue(let command, let field, let value):
      return "`\(command)` printed \(field) '\(value)', which polroute cannot interpret"
    }
  }
}

/// Decodes `ip -j` output into the state model, normalising iproute2's quirks once: `"dst":"default"`, host routes
/// without `/32`, table and protocol names instead of numbers, `table` missing when one table was asked for,
/// `"src":"all"` in rules, flags printed as `null`, and `dev lo` on IPv6 reject routes.
public struct IPOutputDecoder: Sendable {
  /// Table names, to turn `"table":"main"` or a host's own names into numbers.
  public var tableNames: RoutingTableNames
  /// Route protocol numbers by name: iproute2's defaults plus the host's rt_protos entries.
  public var protocolNumbers: [String: UInt8]

  /// Builds a decoder for a host's names.
  public init(tableNames: RoutingTableNames = RoutingTableNames(), extraProtocols: [String: UInt8] = [:]) {
    self.tableNames = tableNames
    var protocols: [String: UInt8] = [:]
    for (number, name) in RouteProtocol.builtinNames { protocols[name] = number }
    protocols.merge(extraProtocols) { _, host in host }
    self.protocolNumbers = protocols
  }

  // MARK: Whole documents

  /// Decodes the array `ip -j route show` prints for one family; routes without a `table` field belong to
  /// `defaultTable` (the table asked for, or main in a `table all` dump).
  public func routes(_ bytes: [UInt8], family: AddressFamily, defaultTable: UInt32, command: String)
    throws(IPOutputError) -> [Route]
  {
    try document(bytes, command: command) { (scanner: inout JSONScanner) throws(IPOutputError) in
      try route(&scanner, family: family, defaultTable: defaultTable, command: command)
    }
  }

  /// Decodes the array `ip -j rule show` prints for one family.
  public func rules(_ bytes: [UInt8], family: AddressFamily, command: String) throws(IPOutputError) -> [Rule] {
    try document(bytes, command: command) { (scanner: inout JSONScanner) throws(IPOutputError) in
      try rule(&scanner, family: family, command: command)
    }
  }

  /// Decodes the array `ip -d -j addr show` prints.
  public func interfaces(_ bytes: [UInt8], command: String) throws(IPOutputError) -> [Interface] {
    try document(bytes, command: command) { (scanner: inout JSONScanner) throws(IPOutputError) in
      try interface(&scanner, command: command)
    }
  }

  /// Runs an element decoder over every element of one top-level array.
  func document<T>(
    _ bytes: [UInt8], command: String, element: (inout JSONScanner) throws(IPOutputError) -> T
  ) throws(IPOutputError) -> [T] {
    let result: Result<[T], IPOutputError> = bytes.withUnsafeBytes { buffer in
      var scanner = JSONScanner(buffer)
      var items: [T] = []
      do {
        // `ip` prints nothing at all for some empty dumps.
        if scanner.atEnd() { return .success([]) }
        try scanner.expect(UInt8(ascii: "["), "'['")
        var first = true
        while try scanner.nextElement(first: &first) { items.append(try element(&scanner)) }
        guard scanner.atEnd() else {
          return .failure(
            .json(
              command: command,
              error: .unexpected(byte: buffer[scanner.position], offset: scanner.position, expected: "the end")))
        }
        return .success(items)
      } catch let error as JSONScanError {
        return .failure(.json(command: command, error: error))
      } catch let error as IPOutputError {
        return .failure(error)
      } catch {
        return .failure(.invalidValue(command: command, field: "output", value: "\(error)"))
      }
    }
    return try result.get()
  }

  // MARK: Routes

  /// Decodes one route object.
  public func route(_ scanner: inout JSONScanner, family: AddressFamily, defaultTable: UInt32, command: String)
    throws(IPOutputError) -> Route
  {
    do {
      return try decodeRoute(&scanner, family: family, defaultTable: defaultTable, command: command)
    } catch let error as JSONScanError {
      throw .json(command: command, error: error)
    } catch let error as IPOutputError {
      throw error
    } catch {
      throw .invalidValue(command: command, field: "route", value: "\(error)")
    }
  }

  private func decodeRoute(_ s: inout JSONScanner, family: AddressFamily, defaultTable: UInt32, command: String) throws
    -> Route
  {
    try s.expect(UInt8(ascii: "{"), "a route object")
    var type = RouteType.unicast
    var destination: IPPrefix?
    var gateway: IPAddress?
    var device: String?
    var table = defaultTable
    var protocolNumber = RouteProtocol.boot
    var scope = RouteScope.global
    var metric: UInt32 = 0
    var preferredSource: IPAddress?
    var flags: [String] = []
    var nexthops: [Nexthop] = []
    var expires: Int?
    var source: IPPrefix?
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "dst") {
        var rejected: String?
        destination = try s.withRawString { (raw) throws(JSONScanError) -> IPPrefix? in
          let parsed = Self.prefix(raw, family: family)
          if parsed == nil { rejected = String(decoding: raw, as: UTF8.self) }
          return parsed
        }
        if let rejected { throw IPOutputError.invalidValue(command: command, field: "dst", value: rejected) }
      } else if s.key(key, is: "dev") {
        device = try s.string()
      } else if s.key(key, is: "gateway") {
        gateway = try rawAddress(&s, field: "gateway", command: command)
      } else if s.key(key, is: "flags") {
        flags = try s.stringArray()
      } else if s.key(key, is: "protocol") {
        protocolNumber = try protocolValue(&s, command: command)
      } else if s.key(key, is: "scope") {
        let text = try s.string()
        guard let number = RouteScope.numbers[text] ?? UInt8(text) else {
          throw IPOutputError.invalidValue(command: command, field: "scope", value: text)
        }
        scope = number
      } else if s.key(key, is: "prefsrc") {
        preferredSource = try rawAddress(&s, field: "prefsrc", command: command)
      } else if s.key(key, is: "metric") {
        metric = UInt32(truncatingIfNeeded: try s.unsigned(field: "metric"))
      } else if s.key(key, is: "table") {
        table = try tableValue(&s, command: command)
      } else if s.key(key, is: "type") {
        let text = try s.string()
        guard let parsed = RouteType(rawValue: text) else {
          throw IPOutputError.invalidValue(command: command, field: "type", value: text)
        }
        type = parsed
      } else if s.key(key, is: "via") {
        gateway = try via(&s, command: command)
      } else if s.key(key, is: "nexthops") {
        nexthops = try decodeNexthops(&s, command: command)
      } else if s.key(key, is: "expires") {
        expires = Int(try s.integer(field: "expires"))
      } else if s.key(key, is: "from") {
        // An IPv6 source-specific route (`from 2001:db8:a::/64`, or a bare address for a single source).
        var rejected: String?
        source = try s.withRawString { (raw) throws(JSONScanError) -> IPPrefix? in
          let parsed = Self.prefix(raw, family: family)
          if parsed == nil { rejected = String(decoding: raw, as: UTF8.self) }
          return parsed
        }
        if let rejected { throw IPOutputError.invalidValue(command: command, field: "from", value: rejected) }
      } else {
        try s.skipValue()
      }
    }
    guard let destination else { throw IPOutputError.invalidValue(command: command, field: "dst", value: "(missing)") }
    // The kernel attaches every IPv6 reject route to lo whatever device it was given, so `dev lo` says nothing there
    // (IPv4 prints none); dropping it lets both families compare equal to the routes a policy asks for.
    if family == .inet6 && type.isReject && device == "lo" { device = nil }
    return Route(
      family: family, table: table, type: type, destination: destination, source: source, gateway: gateway,
      device: device, protocolNumber: protocolNumber, scope: scope, metric: metric, preferredSource: preferredSource,
      flags: flags, nexthops: nexthops, expires: expires)
  }

  private func decodeNexthops(_ s: inout JSONScanner, command: String) throws -> [Nexthop] {
    try s.expect(UInt8(ascii: "["), "an array of next hops")
    var result: [Nexthop] = []
    var firstElement = true
    while try s.nextElement(first: &firstElement) {
      try s.expect(UInt8(ascii: "{"), "a next hop")
      var hop = Nexthop()
      var first = true
      while let key = try s.nextKey(first: &first) {
        if s.key(key, is: "gateway") {
          hop.gateway = try address(&s, field: "gateway", command: command)
        } else if s.key(key, is: "via") {
          hop.gateway = try via(&s, command: command)
        } else if s.key(key, is: "dev") {
          hop.device = try s.string()
        } else if s.key(key, is: "weight") {
          hop.weight = try count(&s, field: "weight")
        } else if s.key(key, is: "flags") {
          hop.flags = try s.stringArray().sorted()
        } else {
          try s.skipValue()
        }
      }
      result.append(hop)
    }
    return result
  }

  /// Reads `"via":{"family":"inet6","host":"..."}`, the gateway of another family (RFC 5549).
  private func via(_ s: inout JSONScanner, command: String) throws -> IPAddress? {
    try s.expect(UInt8(ascii: "{"), "a via object")
    var host: IPAddress?
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "host") {
        host = try address(&s, field: "via", command: command)
      } else {
        try s.skipValue()
      }
    }
    return host
  }

  /// Parses a destination as `ip` prints it: `default`, a bare address (a host route), or `ADDR/LEN`.
  @inline(__always)
  static func prefix(_ raw: UnsafeRawBufferPointer, family: AddressFamily) -> IPPrefix? {
    if raw.count == 7 && raw.elementsEqual("default".utf8) { return .defaultRoute(family) }
    var slash = raw.count
    for index in 0..<raw.count where raw[index] == UInt8(ascii: "/") {
      slash = index
      break
    }
    var length = family.bitWidth
    if slash < raw.count {
      var value = 0
      for index in (slash + 1)..<raw.count {
        let byte = raw[index]
        guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), value <= 128 else { return nil }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
      }
      guard slash + 1 < raw.count, value <= family.bitWidth else { return nil }
      length = value
    }
    let addressBytes = UnsafeRawBufferPointer(rebasing: raw[0..<slash])
    let address: IPAddress
    switch family {
    case .inet:
      guard let value = IPv4Address.parse(utf8: addressBytes) else { return nil }
      address = .v4(IPv4Address(value))
    case .inet6:
      guard let v6 = IPv6Address(String(decoding: addressBytes, as: UTF8.self)) else { return nil }
      address = .v6(v6)
    }
    return IPPrefix(masking: address, length: length)
  }

  /// Reads an address string without making a String first for IPv4, the common case in big route dumps.
  @inline(__always)
  private func rawAddress(_ s: inout JSONScanner, field: String, command: String) throws -> IPAddress {
    var rejected: String?
    let parsed = try s.withRawString { (raw) throws(JSONScanError) -> IPAddress? in
      if let value = IPv4Address.parse(utf8: raw) { return .v4(IPv4Address(value)) }
      let text = String(decoding: raw, as: UTF8.self)
      if let address = IPAddress(text) { return address }
      rejected = text
      return nil
    }
    guard let parsed else { throw IPOutputError.invalidValue(command: command, field: field, value: rejected ?? "") }
    return parsed
  }

  /// Reads an address string.
  private func address(_ s: inout JSONScanner, field: String, command: String) throws -> IPAddress {
    let text = try s.string()
    guard let address = IPAddress(text) else {
      throw IPOutputError.invalidValue(command: command, field: field, value: text)
    }
    return address
  }

  /// Reads a non-negative number into an Int (lengths, weights, indexes), refusing larger ones instead of trapping.
  private func count(_ s: inout JSONScanner, field: String) throws -> Int {
    // Skip whitespace first, so the error points at the number.
    _ = try s.peek()
    let start = s.position
    guard let value = Int(exactly: try s.unsigned(field: field)) else {
      throw JSONScanError.wrongType(field: field, offset: start, expected: "a smaller number")
    }
    return value
  }

  /// A protocol name or number.
  func protocolValue(_ text: String, command: String) throws -> UInt8 {
    if let number = protocolNumbers[text] ?? UInt8(text) { return number }
    throw IPOutputError.invalidValue(command: command, field: "protocol", value: text)
  }

  /// Reads a protocol value; a number (polroute's own 177 on thousands of rules and routes) is read from the bytes.
  private func protocolValue(_ s: inout JSONScanner, command: String) throws -> UInt8 {
    var text: String?
    let number = try s.withRawString { (raw) throws(JSONScanError) -> UInt8? in
      if let value = Self.decimal(raw), value <= 255 { return UInt8(value) }
      text = String(decoding: raw, as: UTF8.self)
      return nil
    }
    if let number { return number }
    return try protocolValue(text ?? "", command: command)
  }

  /// Reads a table value: a number from the bytes, or a name resolved through rt_tables.
  private func tableValue(_ s: inout JSONScanner, command: String) throws -> UInt32 {
    var text: String?
    let number = try s.withRawString { (raw) throws(JSONScanError) -> UInt32? in
      if let value = Self.decimal(raw) { return value }
      text = String(decoding: raw, as: UTF8.self)
      return nil
    }
    if let number { return number }
    guard let text, let resolved = tableNames.resolve(text) else {
      throw IPOutputError.invalidValue(command: command, field: "table", value: text ?? "")
    }
    return resolved
  }

  /// A decimal number of up to nine digits in raw bytes, or nil.
  @inline(__always)
  static func decimal(_ raw: UnsafeRawBufferPointer) -> UInt32? {
    guard !raw.isEmpty, raw.count <= 9 else { return nil }
    var value: UInt32 = 0
    for byte in raw {
      guard byte >= 0x30 && byte <= 0x39 else { return nil }
      value = value * 10 + UInt32(byte - 0x30)
    }
    return value
  }

  // MARK: Rules

  /// Decodes one rule object.
  public func rule(_ scanner: inout JSONScanner, family: AddressFamily, command: String) throws(IPOutputError) -> Rule {
    do {
      return try decodeRule(&scanner, family: family, command: command)
    } catch let error as JSONScanError {
      throw .json(command: command, error: error)
    } catch let error as IPOutputError {
      throw error
    } catch {
      throw .invalidValue(command: command, field: "rule", value: "\(error)")
    }
  }

  private func decodeRule(_ s: inout JSONScanner, family: AddressFamily, command: String) throws -> Rule {
    try s.expect(UInt8(ascii: "{"), "a rule object")
    var rule = Rule(family: family, priority: 0, action: .nop)
    var sourceText: String?
    var sourceLength: Int?
    var destinationText: String?
    var destinationLength: Int?
    var table: UInt32?
    var action: RuleAction?
    var sportStart: UInt32?
    var sportEnd: UInt32?
    var dportStart: UInt32?
    var dportEnd: UInt32?
    var uidStart: UInt32?
    var uidEnd: UInt32?
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "priority") {
        rule.priority = UInt32(truncatingIfNeeded: try s.unsigned(field: "priority"))
      } else if s.key(key, is: "src") {
        sourceText = try s.string()
      } else if s.key(key, is: "srclen") {
        sourceLength = try count(&s, field: "srclen")
      } else if s.key(key, is: "dst") {
        destinationText = try s.string()
      } else if s.key(key, is: "dstlen") {
        destinationLength = try count(&s, field: "dstlen")
      } else if s.key(key, is: "table") {
        table = try tableValue(&s, command: command)
      } else if s.key(key, is: "not") {
        _ = try s.literal()
        rule.invert = true
      } else if s.key(key, is: "l3mdev") {
        _ = try s.literal()
        rule.l3mdev = true
      } else if s.key(key, is: "tos") || s.key(key, is: "dsfield") {
        let text = try s.string()
        guard let value = Self.dsfield(text) else {
          throw IPOutputError.invalidValue(command: command, field: "tos", value: text)
        }
        rule.tos = value
      } else if s.key(key, is: "fwmark") {
        rule.fwmark = try hexNumber(&s, field: "fwmark", command: command)
      } else if s.key(key, is: "fwmask") {
        rule.fwmask = try hexNumber(&s, field: "fwmask", command: command)
      } else if s.key(key, is: "iif") {
        rule.inputInterface = try s.string()
      } else if s.key(key, is: "oif") {
        rule.outputInterface = try s.string()
      } else if s.key(key, is: "uid_start") {
        uidStart = UInt32(truncatingIfNeeded: try s.unsigned(field: "uid_start"))
      } else if s.key(key, is: "uid_end") {
        uidEnd = UInt32(truncatingIfNeeded: try s.unsigned(field: "uid_end"))
      } else if s.key(key, is: "ipproto") {
        let text = try s.string()
        guard let number = IPProtocolNames.numbers[text] ?? UInt8(text) else {
          throw IPOutputError.invalidValue(command: command, field: "ipproto", value: text)
        }
        rule.ipProtocol = number
      } else if s.key(key, is: "sport") {
        sportStart = UInt32(truncatingIfNeeded: try s.unsigned(field: "sport"))
      } else if s.key(key, is: "sport_start") {
        sportStart = UInt32(truncatingIfNeeded: try s.unsigned(field: "sport_start"))
      } else if s.key(key, is: "sport_end") {
        sportEnd = UInt32(truncatingIfNeeded: try s.unsigned(field: "sport_end"))
      } else if s.key(key, is: "dport") {
        dportStart = UInt32(truncatingIfNeeded: try s.unsigned(field: "dport"))
      } else if s.key(key, is: "dport_start") {
        dportStart = UInt32(truncatingIfNeeded: try s.unsigned(field: "dport_start"))
      } else if s.key(key, is: "dport_end") {
        dportEnd = UInt32(truncatingIfNeeded: try s.unsigned(field: "dport_end"))
      } else if s.key(key, is: "suppress_prefixlen") {
        rule.suppressPrefixLength = Int(try s.integer(field: "suppress_prefixlen"))
      } else if s.key(key, is: "goto") {
        action = .goto(UInt32(truncatingIfNeeded: try s.unsigned(field: "goto")))
      } else if s.key(key, is: "nop") {
        _ = try s.literal()
        action = RuleAction.nop
      } else if s.key(key, is: "action") {
        let text = try s.string()
        switch text {
        case "blackhole", "6": action = RuleAction.blackhole
        case "unreachable", "7": action = RuleAction.unreachable
        case "prohibit", "8": action = RuleAction.prohibit
        case "nop": action = RuleAction.nop
        default: throw IPOutputError.invalidValue(command: command, field: "action", value: text)
        }
      } else if s.key(key, is: "protocol") {
        let number = try protocolValue(&s, command: command)
        // `ip -d` prints unspec and kernel, plain `ip` hides them: normalise to hidden.
        rule.protocolNumber = (number == 0 || number == RouteProtocol.kernel) ? nil : number
      } else {
        try s.skipValue()
      }
    }
    rule.source = try Self.rulePrefix(sourceText, length: sourceLength, family: family, field: "src", command: command)
    rule.destination = try Self.rulePrefix(
      destinationText, length: destinationLength, family: family, field: "dst", command: command)
    if let sportStart { rule.sourcePort = NumberRange(sportStart, sportEnd) }
    if let dportStart { rule.destinationPort = NumberRange(dportStart, dportEnd) }
    if let uidStart { rule.uidRange = NumberRange(uidStart, uidEnd) }
    // A rule without an explicit action looks up a table; `l3mdev` rules look up the VRF's table, shown as none.
    rule.action = action ?? .lookup(table ?? RoutingTable.unspec)
    return rule
  }

  /// Turns `"src":"all"` or an address plus `srclen` into a prefix; nil for `all`.
  static func rulePrefix(_ text: String?, length: Int?, family: AddressFamily, field: String, command: String) throws
    -> IPPrefix?
  {
    guard let text, text != "all" else { return nil }
    guard let address = IPAddress(text), address.family == family else {
      throw IPOutputError.invalidValue(command: command, field: field, value: text)
    }
    let length = length ?? family.bitWidth
    guard length <= family.bitWidth else {
      throw IPOutputError.invalidValue(command: command, field: field, value: "\(text)/\(length)")
    }
    return IPPrefix(masking: address, length: length)
  }

  /// Reads `"0x10"` (or a plain number) as a 32-bit value.
  private func hexNumber(_ s: inout JSONScanner, field: String, command: String) throws -> UInt32 {
    if try s.peek() != UInt8(ascii: "\"") { return UInt32(truncatingIfNeeded: try s.unsigned(field: field)) }
    let text = try s.string()
    guard let value = Self.number(text) else {
      throw IPOutputError.invalidValue(command: command, field: field, value: text)
    }
    return value
  }

  /// A decimal or `0x` hexadecimal number.
  static func number(_ text: String) -> UInt32? {
    if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt32(text.dropFirst(2), radix: 16) }
    return UInt32(text)
  }

  /// The DiffServ names iproute2's default rt_dsfield file gives, by value.
  static let dsfieldNames: [String: UInt8] = [
    "CS0": 0x00, "CS1": 0x20, "CS2": 0x40, "CS3": 0x60, "CS4": 0x80, "CS5": 0xA0, "CS6": 0xC0, "CS7": 0xE0,
    "AF11": 0x28, "AF12": 0x30, "AF13": 0x38, "AF21": 0x48, "AF22": 0x50, "AF23": 0x58, "AF31": 0x68,
    "AF32": 0x70, "AF33": 0x78, "AF41": 0x88, "AF42": 0x90, "AF43": 0x98, "EF": 0xB8,
  ]

  /// A tos/dsfield value as `ip` prints it: hex, or a DiffServ name.
  static func dsfield(_ text: String) -> UInt8? {
    if let value = dsfieldNames[text] { return value }
    guard let number = number(text), number <= 0xFF else { return nil }
    return UInt8(number)
  }

  // MARK: Links and addresses

  /// Decodes one link object of `ip -d -j addr show`, with its addresses.
  public func interface(_ scanner: inout JSONScanner, command: String) throws(IPOutputError) -> Interface {
    do {
      return try decodeInterface(&scanner, command: command)
    } catch let error as JSONScanError {
      throw .json(command: command, error: error)
    } catch let error as IPOutputError {
      throw error
    } catch {
      throw .invalidValue(command: command, field: "link", value: "\(error)")
    }
  }

  private func decodeInterface(_ s: inout JSONScanner, command: String) throws -> Interface {
    try s.expect(UInt8(ascii: "{"), "a link object")
    var link = Interface(name: "", index: 0, linkType: nil, operState: "UNKNOWN", flags: [], mtu: nil)
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "ifindex") {
        link.index = try count(&s, field: "ifindex")
      } else if s.key(key, is: "ifname") {
        link.name = try s.string()
      } else if s.key(key, is: "flags") {
        link.flags = try s.stringArray()
      } else if s.key(key, is: "mtu") {
        link.mtu = try count(&s, field: "mtu")
      } else if s.key(key, is: "operstate") {
        link.operState = try s.string()
      } else if s.key(key, is: "link_type") {
        link.linkType = try s.string()
      } else if s.key(key, is: "master") {
        link.master = try s.string()
      } else if s.key(key, is: "linkinfo") {
        try s.expect(UInt8(ascii: "{"), "a linkinfo object")
        var firstInfo = true
        while let infoKey = try s.nextKey(first: &firstInfo) {
          if s.key(infoKey, is: "info_kind") {
            link.kind = try s.string()
          } else {
            try s.skipValue()
          }
        }
      } else if s.key(key, is: "addr_info") {
        try s.expect(UInt8(ascii: "["), "an array of addresses")
        var firstAddress = true
        while try s.nextElement(first: &firstAddress) {
          if let address = try decodeAddress(&s, command: command) { link.addresses.append(address) }
        }
      } else {
        try s.skipValue()
      }
    }
    guard !link.name.isEmpty else {
      throw IPOutputError.invalidValue(command: command, field: "ifname", value: "(missing)")
    }
    return link
  }

  /// Decodes one `addr_info` entry; nil for families other than inet and inet6.
  private func decodeAddress(_ s: inout JSONScanner, command: String) throws -> Address? {
    try s.expect(UInt8(ascii: "{"), "an address object")
    var family: String?
    var local: IPAddress?
    var peer: IPAddress?
    var length: Int?
    var scope = "global"
    var flags: [Address.Flag] = []
    var label: String?
    var valid: UInt32?
    var preferred: UInt32?
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "family") {
        family = try s.string()
      } else if s.key(key, is: "local") {
        local = try address(&s, field: "local", command: command)
      } else if s.key(key, is: "address") {
        peer = try address(&s, field: "address", command: command)
      } else if s.key(key, is: "prefixlen") {
        length = try count(&s, field: "prefixlen")
      } else if s.key(key, is: "scope") {
        scope = try s.string()
      } else if s.key(key, is: "label") {
        label = try s.string()
      } else if s.key(key, is: "valid_life_time") {
        let value = try s.unsigned(field: "valid_life_time")
        valid = value >= UInt64(UInt32.max) ? nil : UInt32(value)
      } else if s.key(key, is: "preferred_life_time") {
        let value = try s.unsigned(field: "preferred_life_time")
        preferred = value >= UInt64(UInt32.max) ? nil : UInt32(value)
      } else {
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: s.bytes[key]), as: UTF8.self)
        if let flag = Address.Flag(rawValue: name) {
          // Flags print as `"secondary":true`.
          if try s.literal() != false { flags.append(flag) }
        } else {
          try s.skipValue()
        }
      }
    }
    guard family == "inet" || family == "inet6" else { return nil }
    guard let local, let length, length <= local.family.bitWidth else {
      throw IPOutputError.invalidValue(
        command: command, field: "addr_info", value: "an address without local or prefixlen")
    }
    // The fuzzer's find: a peer of the other family took the local address's prefix length (64 on an IPv4 address)
    // and trapped. `ip` never mixes families in one entry, so either mismatch is output polroute cannot trust.
    guard local.family == (family == "inet" ? .inet : .inet6) else {
      throw IPOutputError.invalidValue(command: command, field: "local", value: local.description)
    }
    if let peer, peer.family != local.family {
      throw IPOutputError.invalidValue(command: command, field: "address", value: peer.description)
    }
    let peerPrefix = peer.flatMap { $0 == local ? nil : InterfaceAddress(address: $0, length: length) }
    return Address(
      InterfaceAddress(address: local, length: length), peer: peerPrefix, scope: scope, flags: flags, label: label,
      validLifetime: valid, preferredLifetime: preferred)
  }
}
