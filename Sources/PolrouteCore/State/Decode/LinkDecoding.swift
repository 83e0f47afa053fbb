/// Link objects of `ip -d -j addr show`, with their addresses.
extension IPOutputDecoder {
  /// Decodes one link object of `ip -d -j addr show`, with its addresses.
  public func interface(_ scanner: inout JSONScanner, command: String) throws(IPOutputError) -> Interface {
    try decoding("link", command: command) { try decodeInterface(&scanner, command: command) }
  }

  func decodeInterface(_ s: inout JSONScanner, command: String) throws -> Interface {
    try s.expect(UInt8(ascii: "{"), "a link object")
    var link = Interface(name: "", index: 0, linkType: nil, operState: "UNKNOWN", flags: [], mtu: nil)
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "ifindex") {
        link.index = try count(&s, field: "ifindex")
      } else if s.key(key, is: "ifname") {
        link.name = try s.string()
      } else if s.key(key, is: "flags") {
        link.flags = try s.stringArray()
      } else if s.key(key, is: "mtu") {
        link.mtu = try count(&s, field: "mtu")
      } else if s.key(key, is: "operstate") {
        link.operState = try s.string()
      } else if s.key(key, is: "link_type") {
        link.linkType = try s.string()
      } else if s.key(key, is: "master") {
        link.master = try s.string()
      } else if s.key(key, is: "group") {
        let group = try s.string()
        link.group = group == "default" || group == "0" ? nil : group
      } else if s.key(key, is: "linkinfo") {
        try s.expect(UInt8(ascii: "{"), "a linkinfo object")
        var firstInfo = true
        while let infoKey = try s.nextKey(first: &firstInfo) {
          if s.key(infoKey, is: "info_kind") {
            link.kind = try s.string()
          } else {
            try s.skipValue()
          }
        }
      } else if s.key(key, is: "addr_info") {
        try s.expect(UInt8(ascii: "["), "an array of addresses")
        var firstAddress = true
        while try s.nextElement(first: &firstAddress) {
          if let address = try decodeAddress(&s, command: command) { link.addresses.append(address) }
        }
      } else {
        try s.skipValue()
      }
    }
    guard !link.name.isEmpty else {
      throw IPOutputError.invalidValue(command: command, field: "ifname", value: "(missing)")
    }
    return link
  }

  /// Decodes one `addr_info` entry; nil for families other than inet and inet6.
  func decodeAddress(_ s: inout JSONScanner, command: String) throws -> Address? {
    try s.expect(UInt8(ascii: "{"), "an address object")
    var family: String?
    var local: IPAddress?
    var peer: IPAddress?
    var length: Int?
    var scope = "global"
    var flags: [Address.Flag] = []
    var label: String?
    var valid: UInt32?
    var preferred: UInt32?
    var first = true
    while let key = try s.nextKey(first: &first) {
      if s.key(key, is: "family") {
        family = try s.string()
      } else if s.key(key, is: "local") {
        local = try address(&s, field: "local", command: command)
      } else if s.key(key, is: "address") {
        peer = try address(&s, field: "address", command: command)
      } else if s.key(key, is: "prefixlen") {
        length = try count(&s, field: "prefixlen")
      } else if s.key(key, is: "scope") {
        scope = try s.string()
      } else if s.key(key, is: "label") {
        label = try s.string()
      } else if s.key(key, is: "valid_life_time") {
        let value = try s.unsigned(field: "valid_life_time")
        valid = value >= UInt64(UInt32.max) ? nil : UInt32(value)
      } else if s.key(key, is: "preferred_life_time") {
        let value = try s.unsigned(field: "preferred_life_time")
        preferred = value >= UInt64(UInt32.max) ? nil : UInt32(value)
      } else {
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: s.bytes[key]), as: UTF8.self)
        if let flag = Address.Flag(rawValue: name) {
          // Flags print as `"secondary":true`.
          if try s.literal() != false { flags.append(flag) }
        } else {
          try s.skipValue()
        }
      }
    }
    guard family == "inet" || family == "inet6" else { return nil }
    guard let local, let length, length <= local.family.bitWidth else {
      throw IPOutputError.invalidValue(
        command: command, field: "addr_info", value: "an address without local or prefixlen")
    }
    // The fuzzer's find: a peer of the other family took the local address's prefix length (64 on an IPv4 address)
    // and trapped. `ip` never mixes families in one entry, so either mismatch is output polroute cannot trust.
    guard local.family == (family == "inet" ? .inet : .inet6) else {
      throw IPOutputError.invalidValue(command: command, field: "local", value: local.description)
    }
    if let peer, peer.family != local.family {
      throw IPOutputError.invalidValue(command: command, field: "address", value: peer.description)
    }
    let peerPrefix = peer.flatMap { $0 == local ? nil : InterfaceAddress(address: $0, length: length) }
    return Address(
      InterfaceAddress(address: local, length: length), peer: peerPrefix, scope: scope, flags: flags, label: label,
      validLifetime: valid, preferredLifetime: preferred)
  }
}
