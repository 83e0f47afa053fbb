/// A flow described by a person: `trace`'s options or `apply --keep`'s words, checked and turned into a `Flow`.
///
/// The words are `ip route get`'s: `ADDR [from ADDR] [iif IFACE] [ipproto P] [sport N] [dport N] [fwmark M[/MASK]]
/// [uid U] [tos T]`, the first being the destination.
public struct FlowSpec: Hashable, Sendable {
  /// The destination (`--to`).
  public var destination: String?
  /// The source (`--from`).
  public var source: String?
  /// The interface the packet arrives on (`--iif`); none or `lo` for a locally sent packet.
  public var inputInterface: String?
  /// The protocol, by name or number.
  public var ipProtocol: String?
  /// The source port.
  public var sourcePort: String?
  /// The destination port.
  public var destinationPort: String?
  /// The mark, `M` or `M/MASK`.
  public var mark: String?
  /// The sending user's uid.
  public var uid: String?
  /// The TOS byte.
  public var tos: String?

  /// An empty description.
  public init() {}

  /// What is wrong with a description: the word or option (`to`, `dport`, ...) and why.
  public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
    /// The word or option at fault (`to`, `from`, `dport`, ...).
    public var field: String
    /// The message, lowercase, without a trailing period.
    public var message: String

    /// The message.
    public var description: String { message }
  }

  /// The keywords of the word form, after the destination.
  static let keywords = ["from", "iif", "ipproto", "sport", "dport", "fwmark", "uid", "tos"]

  /// Reads the word form: `198.51.100.7 from 203.0.113.10 ipproto tcp sport 22`.
  public init(words: [String]) throws(Problem) {
    self.init()
    guard let first = words.first, !Self.keywords.contains(first) else {
      throw Problem(field: "to", message: "a flow starts with its destination address")
    }
    destination = first
    var index = 1
    while index < words.count {
      let word = words[index]
      guard Self.keywords.contains(word) else {
        let hint = Suggestion.closest(to: word, among: Self.keywords).map { " (did you mean '\($0)'?)" } ?? ""
        throw Problem(field: word, message: "unknown word '\(MessageText.quoted(word))' in a flow\(hint)")
      }
      guard index + 1 < words.count else { throw Problem(field: word, message: "'\(word.echoed)' needs a value") }
      let value = words[index + 1]
      switch word {
      case "from": source = value
      case "iif": inputInterface = value
      case "ipproto": ipProtocol = value
      case "sport": sourcePort = value
      case "dport": destinationPort = value
      case "fwmark": mark = value
      case "uid": uid = value
      default: tos = value
      }
      index += 2
    }
  }

  /// The flow, checked: addresses of one family, a unicast destination, a source for a packet that arrives, no
  /// user for it, ports and numbers in range.
  public func flow() throws(Problem) -> Flow {
    guard let destinationText = destination else { throw Problem(field: "to", message: "a flow needs a destination") }
    let destination = try Self.address(destinationText, field: "to")
    guard destination.isUnicastDestination else {
      throw Problem(
        field: "to",
        message: "\(destination) is not a unicast address: polroute traces unicast flows (ip route get does too)")
    }
    var flow = Flow(destination: destination)
    if let source {
      let address = try Self.address(source, field: "from")
      guard address.family == destination.family else {
        throw Problem(
          field: "from", message: "\(address) and \(destination) are of different families: give both IPv4 or IPv6")
      }
      flow.source = address
    }
    if let inputInterface, inputInterface != "lo" {
      guard !inputInterface.isEmpty else { throw Problem(field: "iif", message: "'iif' needs an interface name") }
      guard flow.source != nil else {
        throw Problem(
          field: "from", message: "a packet that arrives on \(inputInterface) has a source address: give it with from")
      }
      guard uid == nil else {
        throw Problem(
          field: "uid",
          message: "a packet that arrives on \(inputInterface) has no user: uid applies to packets this host sends")
      }
      flow.inputInterface = inputInterface
    }
    if let ipProtocol {
      guard let number = IPProtocolNames.numbers[ipProtocol] ?? UInt8(ipProtocol) else {
        let hint = Suggestion.closest(to: ipProtocol, among: Array(IPProtocolNames.numbers.keys)).map {
          " (did you mean '\($0)'?)"
        }
        throw Problem(
          field: "ipproto",
          message: "unknown protocol '\(MessageText.quoted(ipProtocol))'\(hint ?? ""): give a name or a number 0-255")
      }
      flow.ipProtocol = number
    }
    if let sourcePort { flow.sourcePort = try Self.port(sourcePort, field: "sport") }
    if let destinationPort { flow.destinationPort = try Self.port(destinationPort, field: "dport") }
    if (flow.sourcePort != nil || flow.destinationPort != nil) && ![6, 17, 33, 132].contains(flow.ipProtocol ?? 0) {
      throw Problem(
        field: flow.sourcePort != nil ? "sport" : "dport",
        message: "ports need a protocol that has them: add ipproto tcp, udp, udplite or sctp")
    }
    if let mark {
      let parts = mark.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count <= 2, let value = NumberText.unsigned32(String(parts[0])),
        parts.count == 1 || NumberText.unsigned32(String(parts[1])) != nil
      else {
        throw Problem(
          field: "fwmark",
          message: "'\(MessageText.quoted(mark))' is not a mark: give M or M/MASK (0x10, 16, 0x10/0xff)")
      }
      if parts.count == 2, let mask = NumberText.unsigned32(String(parts[1])), value & ~mask != 0 {
        throw Problem(
          field: "fwmark",
          message: "the mark \(RuleSelector.hex(value)) has bits outside the mask \(RuleSelector.hex(mask)) "
            + "(did you mean \(RuleSelector.hex(value & mask))/\(RuleSelector.hex(mask))?)")
      }
      flow.mark = value
    }
    if let uid {
      guard let value = NumberText.unsigned32(uid), value != UInt32.max else {
        throw Problem(
          field: "uid", message: "'\(MessageText.quoted(uid))' is not a uid: give a number below 4294967295")
      }
      flow.uid = value
    }
    if let tos {
      guard let value = NumberText.dsfield(tos) else {
        throw Problem(field: "tos", message: "'\(MessageText.quoted(tos))' is not a TOS value: give 0-255 (0x10, 16)")
      }
      flow.tos = value
    }
    return flow
  }

  /// An address, or the problem with it.
  static func address(_ text: String, field: String) throws(Problem) -> IPAddress {
    do {
      return try IPAddress(parsing: text)
    } catch {
      throw Problem(field: field, message: "\(error)")
    }
  }

  /// A port 0-65535.
  static func port(_ text: String, field: String) throws(Problem) -> UInt16 {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = UInt16(text) else {
      throw Problem(field: field, message: "'\(MessageText.quoted(text))' is not a port: give a number 0-65535")
    }
    return value
  }

  /// The flow of an SSH session's replies, from `SSH_CONNECTION` (`CLIENT_ADDR CLIENT_PORT SERVER_ADDR
  /// SERVER_PORT`): TCP from the server's address and port to the client's. Nil when the value is not of that form.
  public static func sshReplies(_ value: String) -> Flow? {
    let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard words.count == 4, let clientPort = UInt16(words[1]), let serverPort = UInt16(words[3]) else { return nil }
    // A link-local peer carries its zone (`fe80::1%eth0`); the address is what routing sees.
    func address(_ text: String) -> IPAddress? { IPAddress(text.split(separator: "%").first.map(String.init) ?? text) }
    guard let client = address(words[0]), let server = address(words[2]), client.family == server.family else {
      return nil
    }
    return Flow(
      source: server, destination: client, ipProtocol: 6, sourcePort: serverPort, destinationPort: clientPort)
  }
}

extension IPAddress {
  /// Whether a packet can be addressed to it alone: not unspecified, multicast, or IPv4's limited broadcast.
  public var isUnicastDestination: Bool {
    switch self {
    case .v4(let address): return address.value != 0 && address.value >> 28 != 0xE && address.value != UInt32.max
    case .v6(let address): return !(address.high == 0 && address.low == 0) && address.high >> 56 != 0xFF
    }
  }
}

/// The words of a flow, as `ip route get` takes them (without the destination's `to`).
extension Flow {
  /// `198.51.100.7 from 203.0.113.10 iif data ipproto tcp sport 22 dport 51234 mark 0x10 uid 1000`.
  public var words: [String] {
    var words = [destination.description]
    if let source { words += ["from", source.description] }
    if inputInterface != "lo" { words += ["iif", inputInterface] }
    if let ipProtocol { words += ["ipproto", IPProtocolNames.text(ipProtocol)] }
    if let sourcePort { words += ["sport", String(sourcePort)] }
    if let destinationPort { words += ["dport", String(destinationPort)] }
    if mark != 0 { words += ["fwmark", RuleSelector.hex(mark)] }
    if uid != 0 { words += ["uid", String(uid)] }
    if tos != 0 { words += ["tos", RuleSelector.hex(UInt32(tos))] }
    return words
  }
}
