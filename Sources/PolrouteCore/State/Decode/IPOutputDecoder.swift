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
      } catch {
        return .failure(Self.wrapped(error, command: command, object: "output"))
      }
    }
    return try result.get()
  }

  /// Runs one object's decoder, turning every error into an `IPOutputError` that names the command.
  func decoding<T>(_ object: String, command: String, _ body: () throws -> T) throws(IPOutputError) -> T {
    do {
      return try body()
    } catch {
      throw Self.wrapped(error, command: command, object: object)
    }
  }

  /// An error met while decoding, as an `IPOutputError` naming the command: the JSON's own errors, polroute's,
  /// and any other as an invalid `object`.
  static func wrapped(_ error: any Error, command: String, object: String) -> IPOutputError {
    switch error {
    case let error as JSONScanError: return .json(command: command, error: error)
    case let error as IPOutputError: return error
    default: return .invalidValue(command: command, field: object, value: "\(error)")
    }
  }
}
