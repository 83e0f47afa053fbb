/// The flows that matter on a multi-homed host, ready to trace: a reply from one of the host's addresses to a remote
/// client, and from one to a directly connected network.
extension FlowSimulator {
  /// Where a reply from `address` to a remote client goes: a locally sent packet from `address` to
  /// `client` (by default `remoteClient`, an address no specific route of this state covers).
  public func replyToRemoteClient(from address: IPAddress, client: IPAddress? = nil) -> FlowTrace {
    trace(Flow(source: address, destination: client ?? Self.remoteClient(address.family, states: [state])))
  }

  /// Where a packet from `address` to a host on `network` goes (to `representative(of:)`, an address of the
  /// network that is not the host's); nil when the network has no such address.
  public func reply(from address: IPAddress, toNetwork network: IPPrefix) -> FlowTrace? {
    guard
      let destination = Self.representative(
        of: network, avoiding: Set(state.interfaces.flatMap { $0.addresses.map(\.address.address) }))
    else { return nil }
    return trace(Flow(source: address, destination: destination))
  }

  /// Addresses that stand for "a remote client": documentation and benchmarking addresses, apply's probe first.
  static let remoteCandidates: [AddressFamily: [IPAddress]] = [
    .inet: ["198.18.0.1", "198.19.255.254", "192.0.2.254", "198.51.100.254", "203.0.113.254", "100.127.255.254"]
      .compactMap(IPAddress.init),
    .inet6: ["2001:db8:ffff:ffff::1", "2001:db8:fffe::1", "2001:db8::ffff", "100::1"].compactMap(IPAddress.init),
  ]

  /// An address of `family` that no route but a default covers in any table of `states`, that no rule of theirs
  /// selects by destination, that is in none of `avoiding` and that is none of their hosts' addresses: a reply to it
  /// is decided by source rules and default routes alone, as a reply to a client anywhere on the Internet is. The
  /// first candidate when every one is covered.
  public static func remoteClient(_ family: AddressFamily, states: [HostState], avoiding: [IPPrefix] = [])
    -> IPAddress
  {
    let candidates = remoteCandidates[family] ?? []
    func covered(_ candidate: IPAddress) -> Bool {
      avoiding.contains { $0.contains(candidate) }
        || states.contains { state in
          state.routes.contains {
            !$0.isDefault && $0.table != RoutingTable.local && $0.destination.contains(candidate)
          }
            || state.rules.contains { $0.selector.destination?.contains(candidate) ?? false }
            || state.interfaces.contains { $0.addresses.contains { $0.address.network.contains(candidate) } }
        }
    }
    return candidates.first { !covered($0) } ?? candidates[0]
  }

  /// An address that stands for a host on `network`: its first address after the network address (the peer of a
  /// /31 or /127, the address of a /32) that is not in `avoiding`; nil when there is none among the first 256.
  public static func representative(of network: IPPrefix, avoiding: Set<IPAddress>) -> IPAddress? {
    let hostBits = network.family.bitWidth - Int(network.length)
    let count = hostBits >= 8 ? 256 : 1 << hostBits
    for offset in 0..<count {
      // The network address itself is a host only on a /31 or /32 (/127, /128).
      if offset == 0 && hostBits > 1 { continue }
      let candidate: IPAddress
      switch network.address {
      case .v4(let base): candidate = .v4(IPv4Address(base.value &+ UInt32(offset)))
      case .v6(let base): candidate = .v6(IPv6Address(high: base.high, low: base.low &+ UInt64(offset)))
      }
      // The last address of an IPv4 network is its broadcast address.
      if network.family == .inet, hostBits >= 2, hostBits <= 8, offset == count - 1 { continue }
      if !avoiding.contains(candidate) { return candidate }
    }
    return nil
  }
}
