/// Route objects of `ip -j route show` and `ip -j route get`.
extension IPOutputDecoder {
  /// Decodes one route object.
  public func route(_ scanner: inout JSONScanner, family: AddressFamily, defaultTable: UInt32, command: String)
    throws(IPOutputError) -> Route
  {
    try decoding("route", command: command) {
      try decodeRoute(&scanner, family: family, defaultTable: defaultTable, command: command)
    }
  }

  func decodeRoute(_ s: inout JSONScanner, family: AddressFamily, defaultTable: UInt32, command: String) throws
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
    var realm: UInt32?
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
      } else if s.key(key, is: "flow") {
        realm = try decodeRealm(&s)
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
      flags: flags, nexthops: nexthops, expires: expires, realm: realm)
  }

  /// Reads `"flow":{"to":"7"}` (`realm 7`; `"from"` is a source realm, which polroute does not set). A realm `ip`
  /// names from rt_realms is left out: polroute's realms are numbers.
  func decodeRealm(_ s: inout JSONScanner) throws -> UInt32? {
    try s.expect(UInt8(ascii: "{"), "a flow object")
    var realm: UInt32?
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "to") {
        realm = UInt32(try s.string())
      } else {
        try s.skipValue()
      }
    }
    return realm
  }

  func decodeNexthops(_ s: inout JSONScanner, command: String) throws -> [Nexthop] {
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
  func via(_ s: inout JSONScanner, command: String) throws -> IPAddress? {
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
}
