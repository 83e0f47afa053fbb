/// The kernel's output from arbitrary bytes: every `ip -j` decoder and the rtnetlink rule dump reader over the whole
/// input, then the streamed `-batch` reading `StateReader` does (rules, then `route show table all`), in chunks whose
/// size the input's first byte picks; a state that decodes whole is then inspected and a policy derived for it.
enum IPOutputFuzzing {
  static func run(_ bytes: [UInt8]) {
    let decoder = IPOutputDecoder()
    for family in AddressFamily.allCases {
      describe { _ = try decoder.routes(bytes, family: family, defaultTable: RoutingTable.main, command: "routes") }
      describe { _ = try decoder.rules(bytes, family: family, command: "rules") }
      describe { _ = try NetlinkRules.decode(bytes, family: family, groupNames: [7: "uplinks"]) }
    }
    // The answer to a route lookup, for the first message's sequence number (or none that matches).
    for sequence: UInt32 in [1, bytes.count >= 12 ? UInt32(bytes[8]) : 0] {
      describe {
        _ = try bytes.withUnsafeBytes { raw in
          Result { () throws(NetlinkError) in try NetlinkRouteLookup.answer(raw, sequence: sequence) }
        }.get()
      }
    }
    var interfaces: [Interface] = []
    describe { interfaces = try decoder.interfaces(bytes, command: "addr") }

    let chunk = max(1, Int(bytes.first ?? 1))
    var stream = JSONArrayStream()
    var rules: [Rule] = []
    var routes = RouteCollector()
    let family: AddressFamily = (bytes.first ?? 0) & 1 == 0 ? .inet : .inet6
    let streamed = describe {
      var start = 0
      while start < bytes.count {
        let end = min(start + chunk, bytes.count)
        try bytes[start..<end].withUnsafeBytes { buffer in
          try stream.feed(buffer) { document, scanner in
            switch document {
            case 0: rules.append(try decoder.rule(&scanner, family: family, command: "rules"))
            case 1:
              routes.add(
                try decoder.route(&scanner, family: family, defaultTable: RoutingTable.main, command: "routes"))
            default: throw IPOutputError.invalidValue(command: "batch", field: "output", value: "more arrays")
            }
          }
        }
        start = end
      }
      try stream.finish()
    }
    guard streamed else { return }
    var state = HostState()
    state.interfaces = interfaces
    state.rules = rules
    state.routes = routes.routes
    FuzzHosts.exercise(state: state, document: nil)
  }

  /// Runs a decoder; its error's message is made (they quote bytes of the input). True when it succeeded.
  @discardableResult
  static func describe(_ body: () throws -> Void) -> Bool {
    do {
      try body()
      return true
    } catch {
      _ = "\(error)"
      return false
    }
  }
}
