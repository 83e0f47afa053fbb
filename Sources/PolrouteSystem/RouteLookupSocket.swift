import Glibc
import PolrouteCore

/// Asks the kernel `ip route get DESTINATION from SOURCE` over one rtnetlink socket, one question after another (see
/// `NetlinkRouteLookup`): the probes' lookups without an `ip` process.
public enum RouteLookupSocket {
  /// The kernel's answers to `lookups`, in their order. A pair of addresses of two families is answered `EINVAL`
  /// without asking, as the kernel would. `cancellation` stops the questions between two of them, with
  /// `CancelledError`.
  public static func lookUp(_ lookups: [RouteLookup], cancellation: Cancellation? = nil) throws
    -> [NetlinkRouteLookup.Answer]
  {
    guard !lookups.isEmpty else { return [] }
    let socket = try NetlinkSocket()
    // One route message, however many attributes the kernel adds.
    var buffer = [UInt8](repeating: 0, count: 1 << 13)
    var answers: [NetlinkRouteLookup.Answer] = []
    answers.reserveCapacity(lookups.count)
    for (index, lookup) in lookups.enumerated() {
      if cancellation?.isCancelled == true { throw CancelledError() }
      guard lookup.destination.family == lookup.source.family else {
        answers.append(.failed(errno: EINVAL))
        continue
      }
      let sequence = UInt32(index + 1)
      try socket.send(
        NetlinkRouteLookup.request(destination: lookup.destination, source: lookup.source, sequence: sequence),
        what: "route lookup")
      while true {
        let received = try socket.receive(into: &buffer, what: "answer to a route lookup")
        let answer = try buffer.withUnsafeBytes { bytes throws(NetlinkError) in
          try NetlinkRouteLookup.answer(UnsafeRawBufferPointer(rebasing: bytes[0..<received]), sequence: sequence)
        }
        if let answer {
          answers.append(answer)
          break
        }
      }
    }
    return answers
  }
}

/// One `ip route get DESTINATION from SOURCE`.
public struct RouteLookup: Hashable, Sendable {
  /// Where the packet goes.
  public var destination: IPAddress
  /// The address it comes from.
  public var source: IPAddress

  /// A lookup.
  public init(destination: IPAddress, source: IPAddress) {
    self.destination = destination
    self.source = source
  }
}
