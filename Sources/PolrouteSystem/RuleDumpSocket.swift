import Glibc
import PolrouteCore

/// Dumps the kernel's rules of a family over an rtnetlink socket (`RTM_GETRULE`), the request `ip rule show` makes,
/// without the JSON `ip` would print and polroute read back: 15,000 rules cost `ip -j` 20-30 ms, the socket a few.
/// The messages are checked and decoded by `NetlinkRules`.
public enum RuleDumpSocket {
  /// How often a dump the kernel marks interrupted (the rules changed during it) is made again before giving up.
  static let attempts = 5

  /// The rules of one whole, consistent dump of `family`, decoded as they arrive (see `NetlinkRules.scan`).
  public static func dump(_ family: AddressFamily, groupNames: [UInt32: String]) throws -> [Rule] {
    // A dump sends as much as fits in the receive buffer before it waits: a larger one takes fewer rounds.
    let socket = try NetlinkSocket(receiveBuffer: 1 << 20)
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var rules: [Rule] = []
    for attempt in 1...attempts {
      let sequence = UInt32(attempt)
      try socket.send(NetlinkRules.dumpRequest(family: family, sequence: sequence), what: "rule dump request")
      rules.removeAll(keepingCapacity: true)
      var end = NetlinkRules.End.more
      while end == .more {
        let received = try socket.receive(into: &buffer, what: "rule dump")
        end = try buffer.withUnsafeBytes { bytes throws(NetlinkError) in
          try NetlinkRules.scan(
            UnsafeRawBufferPointer(rebasing: bytes[0..<received]), sequence: sequence, family: family,
            groupNames: groupNames, into: &rules)
        }
      }
      switch end {
      case .done: return rules
      case .failed(let code):
        errno = code
        throw NetlinkSocketError.failure("the kernel refused the rule dump")
      case .interrupted, .more: continue
      }
    }
    throw NetlinkSocketError(message: "the rules kept changing while they were dumped (\(attempts) attempts)")
  }
}
