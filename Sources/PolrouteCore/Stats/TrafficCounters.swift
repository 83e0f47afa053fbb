/// A packet and byte count.
public struct Counters: Codable, Hashable, Sendable {
  /// Packets.
  public var packets: UInt64
  /// Bytes.
  public var bytes: UInt64

  /// Builds a count.
  public init(packets: UInt64, bytes: UInt64) {
    self.packets = packets
    self.bytes = bytes
  }
}

/// One interface's counters, as `ip -j -s link show` prints them (`stats64`): every packet the device received and
/// sent, whatever routed it.
public struct InterfaceCounters: Hashable, Sendable {
  /// The interface.
  public var name: String
  /// Received (`rx`).
  public var received: Counters
  /// Sent (`tx`).
  public var sent: Counters

  /// Builds the counters of an interface.
  public init(name: String, received: Counters, sent: Counters) {
    self.name = name
    self.received = received
    self.sent = sent
  }
}

/// One route realm's counters from the kernel's route accounting (`/proc/net/rt_acct`, what `rtacct` prints).
///
/// The kernel counts packets as they are received (`ip_rcv_finish`), by the realms of the route they took: `to`
/// counts a forwarded packet under the realm of the route it leaves by; `from` counts a received packet (forwarded
/// or delivered to the host) under the realm of the route back to its sender, which reverse-path validation looks up
/// once any route has a realm. A packet the host sends itself is not counted.
public struct RealmCounters: Hashable, Sendable {
  /// The realm (0-255).
  public var realm: UInt32
  /// Packets routed to the realm (`BytesTo`, `PktsTo`).
  public var to: Counters
  /// Packets received from the realm (`BytesFrom`, `PktsFrom`).
  public var from: Counters

  /// Builds a realm's counters.
  public init(realm: UInt32, to: Counters, from: Counters) {
    self.realm = realm
    self.to = to
    self.from = from
  }
}

/// Reads the kernel's route accounting.
public enum RouteAccounting {
  /// The file the kernel exposes it in (present with CONFIG_IP_ROUTE_CLASSID).
  public static let path = "/proc/net/rt_acct"

  /// Why the file cannot be read as route accounting.
  public struct FormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// How many bytes it had.
    public var size: Int

    /// The message.
    public var description: String {
      "\(RouteAccounting.path): expected 256 realms of 16 bytes (4096 bytes), found \(size) bytes"
    }
  }

  /// Parses the file: 256 entries of four 32-bit counters in the machine's byte order (`struct ip_rt_acct`:
  /// `o_bytes`, `o_packets`, `i_bytes`, `i_packets`), summed over the CPUs by the kernel. The counters are 32-bit
  /// and wrap.
  public static func parse(_ bytes: [UInt8]) throws(FormatError) -> [RealmCounters] {
    guard bytes.count == 256 * 16 else { throw FormatError(size: bytes.count) }
    func word(_ offset: Int) -> UInt64 {
      // Little-endian: the architectures polroute is built for (x86-64, aarch64) are.
      UInt64(bytes[offset]) | UInt64(bytes[offset + 1]) << 8 | UInt64(bytes[offset + 2]) << 16
        | UInt64(bytes[offset + 3]) << 24
    }
    return (0..<256).map { realm in
      let base = realm * 16
      return RealmCounters(
        realm: UInt32(realm), to: Counters(packets: word(base + 4), bytes: word(base)),
        from: Counters(packets: word(base + 12), bytes: word(base + 8)))
    }
  }
}

extension IPOutputDecoder {
  /// Decodes `ip -j -s link show`: each interface's `stats64` receive and send counters.
  public func interfaceCounters(_ bytes: [UInt8], command: String) throws(IPOutputError) -> [InterfaceCounters] {
    try document(bytes, command: command) { (scanner: inout JSONScanner) throws(IPOutputError) in
      try decoding("link", command: command) { try decodeInterfaceCounters(&scanner, command: command) }
    }
  }

  /// One link object's name and counters.
  func decodeInterfaceCounters(_ s: inout JSONScanner, command: String) throws -> InterfaceCounters {
    try s.expect(UInt8(ascii: "{"), "a link object")
    var counters = InterfaceCounters(
      name: "", received: Counters(packets: 0, bytes: 0), sent: Counters(packets: 0, bytes: 0))
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "ifname") {
        counters.name = try s.string()
      } else if s.key(key, is: "stats64") {
        try s.expect(UInt8(ascii: "{"), "a stats object")
        var firstDirection = true
        while let direction = try s.nextKey(first: &firstDirection) {
          if s.key(direction, is: "rx") {
            counters.received = try decodeCounters(&s)
          } else if s.key(direction, is: "tx") {
            counters.sent = try decodeCounters(&s)
          } else {
            try s.skipValue()
          }
        }
      } else {
        try s.skipValue()
      }
    }
    guard !counters.name.isEmpty else {
      throw IPOutputError.invalidValue(command: command, field: "ifname", value: "(missing)")
    }
    return counters
  }

  /// `{"bytes": N, "packets": N, ...}`.
  func decodeCounters(_ s: inout JSONScanner) throws -> Counters {
    try s.expect(UInt8(ascii: "{"), "a counters object")
    var counters = Counters(packets: 0, bytes: 0)
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "packets") {
        counters.packets = try s.unsigned(field: "packets")
      } else if s.key(key, is: "bytes") {
        counters.bytes = try s.unsigned(field: "bytes")
      } else {
        try s.skipValue()
      }
    }
    return counters
  }
}
