/// dhcpcd's lease files (`/var/lib/dhcpcd/IFACE.lease`; `dhcpcd-IFACE.lease` before dhcpcd 9), which hold the
/// DHCP server's ACK exactly as received: a BOOTP message (RFC 2131) whose options follow the magic cookie.
///
/// Read here: `yiaddr`, option 1 (subnet mask), 3 (routers), 51 (lease time), 54 (server) and 121 (classless
/// static routes, RFC 3442), including options moved into the `file` and `sname` fields by option 52 (overload).
public enum DhcpcdLeaseFile {
  /// Why a lease file could not be read.
  public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
    /// Shorter than a BOOTP header and the magic cookie.
    case tooShort(Int)
    /// No DHCP magic cookie at byte 236.
    case noMagicCookie
    /// An option runs past the end of its field.
    case truncatedOption(code: UInt8, offset: Int)
    /// Not a BOOTREPLY.
    case notReply(UInt8)

    /// The message.
    public var description: String {
      switch self {
      case .tooShort(let count): return "\(count) bytes is too short for a DHCP message (at least 240)"
      case .noMagicCookie: return "no DHCP magic cookie at byte 236"
      case .truncatedOption(let code, let offset): return "option \(code) at byte \(offset) runs past the end"
      case .notReply(let op): return "BOOTP op \(op) is not a reply (2)"
      }
    }
  }

  /// The magic cookie.
  static let cookie: [UInt8] = [99, 130, 83, 99]

  /// Reads a lease for `interface`; a problem becomes a diagnostic naming the file.
  public static func parse(_ bytes: [UInt8], path: String, interface: String) -> (DHCPLease?, [Diagnostic]) {
    do {
      return (try lease(bytes, path: path, interface: interface), [])
    } catch {
      return (nil, [.warning("not a dhcpcd lease: \(error)", at: SourceLocation(file: path, line: 1, column: 1))])
    }
  }

  /// Reads a lease, throwing what is wrong.
  public static func lease(_ bytes: [UInt8], path: String, interface: String) throws(Problem) -> DHCPLease {
    guard bytes.count >= 240 else { throw .tooShort(bytes.count) }
    guard bytes[0] == 2 else { throw .notReply(bytes[0]) }
    guard Array(bytes[236..<240]) == cookie else { throw .noMagicCookie }
    var options = try self.options(bytes, from: 240, to: bytes.count)
    // Option 52: 1 = the `file` field holds options, 2 = `sname`, 3 = both (read file first, RFC 2131 4.1).
    if let overload = options[52]?.first {
      if overload & 1 != 0 { options.merge(try self.options(bytes, from: 108, to: 236)) { $0 + $1 } }
      if overload & 2 != 0 { options.merge(try self.options(bytes, from: 44, to: 108)) { $0 + $1 } }
    }
    var lease = DHCPLease(interface: interface, client: .dhcpcd, file: path)
    lease.address = address(bytes[16..<20])
    if let mask = options[1], mask.count == 4, let address = address(mask[...]) {
      lease.prefixLength = IfcfgFile.maskLength(address)
    }
    if let routers = options[3] {
      lease.routers = stride(from: 0, to: routers.count - routers.count % 4, by: 4).compactMap {
        address(routers[$0..<$0 + 4])
      }
    }
    if let time = options[51], time.count == 4 {
      lease.leaseSeconds = time.reduce(0) { $0 << 8 | UInt32($1) }
    }
    if let server = options[54], server.count == 4 { lease.server = address(server[...]) }
    if let routes = options[121] { lease.classlessDefaultGateways = classlessDefault(routes[...]) }
    return lease
  }

  /// The options in a byte range: code to value, a repeated code's values concatenated (RFC 3396).
  static func options(_ bytes: [UInt8], from start: Int, to end: Int) throws(Problem) -> [UInt8: [UInt8]] {
    var result: [UInt8: [UInt8]] = [:]
    var offset = start
    while offset < end {
      let code = bytes[offset]
      if code == 255 { break }
      if code == 0 {
        offset += 1
        continue
      }
      guard offset + 1 < end else { throw .truncatedOption(code: code, offset: offset) }
      let length = Int(bytes[offset + 1])
      guard offset + 2 + length <= end else { throw .truncatedOption(code: code, offset: offset) }
      result[code, default: []] += bytes[(offset + 2)..<(offset + 2 + length)]
      offset += 2 + length
    }
    return result
  }

  /// Four bytes as an IPv4 address.
  static func address(_ bytes: ArraySlice<UInt8>) -> IPAddress? {
    guard bytes.count == 4 else { return nil }
    return IPAddress(bytes.map(String.init).joined(separator: "."))
  }

  /// The default route's gateways in option 121's encoding (a width, the destination's significant octets, the
  /// router); empty when the option has no default route, nil when it cannot be read.
  static func classlessDefault(_ data: ArraySlice<UInt8>) -> [IPAddress]? {
    var gateways: [IPAddress] = []
    var offset = data.startIndex
    while offset < data.endIndex {
      let width = Int(data[offset])
      guard width <= 32 else { return nil }
      let significant = (width + 7) / 8
      let routerStart = offset + 1 + significant
      guard routerStart + 4 <= data.endIndex, let router = address(data[routerStart..<routerStart + 4]) else {
        return nil
      }
      if width == 0 { gateways.append(router) }
      offset = routerStart + 4
    }
    return gateways
  }

  /// The interface a lease file belongs to: `IFACE.lease`, `dhcpcd-IFACE.lease`, or `IFACE-SSID.lease` (wireless)
  /// when `IFACE` is one of `known`; nil for other names (`.lease6`, duid, secret).
  public static func interface(fileName name: String, known: Set<String>) -> String? {
    guard name.hasSuffix(".lease") else { return nil }
    var base = String(name.dropLast(6))
    if base.hasPrefix("dhcpcd-") { base = String(base.dropFirst(7)) }
    if known.isEmpty || known.contains(base) { return base.isEmpty ? nil : base }
    // `IFACE-SSID`: the longest known interface followed by a dash.
    return known.filter { base.hasPrefix($0 + "-") }.max { $0.count < $1.count } ?? base
  }
}
