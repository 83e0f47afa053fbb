import Glibc
import PolrouteCore

/// An rtnetlink socket of the calling thread's network namespace (the process's, unless a thread entered another),
/// closed when it goes: what the rule dump and the route lookups share. A receive that waits longer than `timeoutSeconds` is an error, not a hang.
final class NetlinkSocket {
  /// No answer for this long is a kernel that does not answer.
  static let timeoutSeconds = 10

  /// The socket.
  private let fd: Int32

  /// Opens a `NETLINK_ROUTE` socket; `receiveBuffer` bytes of room in the kernel, where a dump needs more.
  init(receiveBuffer: Int32? = nil) throws(NetlinkSocketError) {
    fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)  // NETLINK_ROUTE
    guard fd >= 0 else { throw .failure("cannot open an rtnetlink socket") }
    var timeout = timeval(tv_sec: Self.timeoutSeconds, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    if var size = receiveBuffer {
      _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
  }

  deinit { close(fd) }

  /// Sends a request to the kernel (with no address, the message goes to it, and the socket is bound on the way).
  func send(_ request: [UInt8], what: String) throws(NetlinkSocketError) {
    let sent = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    guard sent == request.count else { throw .failure("cannot send the \(what)") }
  }

  /// Receives the next datagram into `buffer` and gives its length; a datagram larger than the buffer is an error
  /// (`MSG_TRUNC` makes it say so instead of arriving cut), and so is an empty one.
  func receive(into buffer: inout [UInt8], what: String) throws(NetlinkSocketError) -> Int {
    while true {
      let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_TRUNC)) }
      if received < 0 {
        if errno == EINTR { continue }
        throw .failure("cannot read the \(what)")
      }
      guard received > 0 else { throw NetlinkSocketError(message: "the \(what) ended early") }
      guard received <= buffer.count else {
        throw NetlinkSocketError(message: "a message of the \(what) is larger than \(buffer.count) bytes")
      }
      return received
    }
  }
}

/// An rtnetlink exchange that failed.
public struct NetlinkSocketError: Error, CustomStringConvertible {
  /// What failed and why.
  public let message: String

  /// The message shown to the user.
  public var description: String { "rtnetlink: \(message)" }

  /// Wraps a message.
  public init(message: String) {
    self.message = message
  }

  /// Why a call failed, with the system's reason.
  static func failure(_ what: String) -> NetlinkSocketError {
    NetlinkSocketError(message: "\(what): \(String(cString: strerror(errno)))")
  }
}
