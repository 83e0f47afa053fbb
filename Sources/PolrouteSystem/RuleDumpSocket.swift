import Glibc
import PolrouteCore

/// Dumps the kernel's rules of a family over an rtnetlink socket (`RTM_GETRULE`), the request `ip rule show` makes,
/// without the JSON `ip` would print and polroute read back: 15,000 rules cost `ip -j` 20-30 ms, the socket a few.
/// The messages are checked and decoded by `NetlinkRules`.
public enum RuleDumpSocket {
  /// How often a dump the kernel marks interrupted (the rules changed during it) is made again before giving up.
  static let attempts = 5
  /// No answer for this long is a kernel that does not answer: an error, not a hang.
  static let timeoutSeconds = 10

  /// The rules of one whole, consistent dump of `family`, decoded as they arrive (see `NetlinkRules.scan`).
  public static func dump(_ family: AddressFamily, groupNames: [UInt32: String]) throws -> [Rule] {
    let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)  // NETLINK_ROUTE
    guard fd >= 0 else { throw failure("cannot open an rtnetlink socket") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    // A dump sends as much as fits in the receive buffer before it waits: a larger one takes fewer rounds.
    var size: Int32 = 1 << 20
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var rules: [Rule] = []
    for attempt in 1...attempts {
      let sequence = UInt32(attempt)
      let request = NetlinkRules.dumpRequest(family: family, sequence: sequence)
      // With no address the message goes to the kernel, and the socket is bound on the way.
      let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
      guard sent == request.count else { throw failure("cannot send the rule dump request") }
      rules.removeAll(keepingCapacity: true)
      var end = NetlinkRules.End.more
      while end == .more {
        // MSG_TRUNC makes a message larger than the buffer say so instead of arriving cut.
        let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_TRUNC)) }
        if received < 0 {
          if errno == EINTR { continue }
          throw failure("cannot read the rule dump")
        }
        guard received > 0 else { throw DumpError(message: "the rule dump ended early") }
        guard received <= buffer.count else {
          throw DumpError(message: "a message of the rule dump is larger than \(buffer.count) bytes")
        }
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
        throw failure("the kernel refused the rule dump")
      case .interrupted, .more: continue
      }
    }
    throw DumpError(message: "the rules kept changing while they were dumped (\(attempts) attempts)")
  }

  /// Why a dump failed, with the system's reason when there is one.
  static func failure(_ what: String) -> DumpError {
    DumpError(message: "\(what): \(String(cString: strerror(errno)))")
  }

  /// A dump that failed.
  public struct DumpError: Error, CustomStringConvertible {
    /// What failed and why.
    public let message: String
    /// The message shown to the user.
    public var description: String { "rtnetlink: \(message)" }
  }
}
