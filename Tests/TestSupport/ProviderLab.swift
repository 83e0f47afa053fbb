import Foundation
import PolrouteCore
import PolrouteSystem

/// A multi-homed host as it sits on real networks: each uplink goes to a router of its own provider, the providers
/// meet at a core router (so a client behind one provider reaches the host's address at another), and a client sits
/// behind each provider. Every namespace filters strictly on the reverse path. IPv4 only; everything is deleted when
/// the value goes away.
public final class ProviderLab: @unchecked Sendable {
  /// One provider: its router, its client, and the host's link to it.
  public struct Provider: Sendable {
    /// The host's interface on this provider.
    public let device: String
    /// The provider's router.
    public let router: Namespace
    /// A client behind the router.
    public let client: Namespace
    /// The router's address on the host's link (the host's gateway).
    public let gateway: String
    /// The host's address on the link.
    public let address: String
  }

  /// The multi-homed host.
  public let host: Namespace
  /// The core router where the providers meet.
  public let core: Namespace
  /// The providers, in the order they were added.
  public private(set) var providers: [Provider] = []
  /// Other namespaces (containers, LAN clients), kept alive with the lab.
  public private(set) var others: [String: Namespace] = [:]
  /// The label the namespaces are named after.
  let label: String

  /// Creates the host and the core.
  public init(_ label: String) throws {
    self.label = label
    host = try Namespace("\(label)h")
    core = try Namespace("\(label)k")
    try core.sysctl("net.ipv4.ip_forward=1")
    try Self.strict(host)
    try Self.strict(core)
  }

  /// Strict reverse-path filtering on every interface of a namespace, now and for those added later.
  public static func strict(_ namespace: Namespace) throws {
    for key in ["all", "default"] { try namespace.sysctl("net.ipv4.conf.\(key).rp_filter=1") }
  }

  /// Adds provider number `index` (1...): the host's `device` at `address`/24 on `network`.1's router, the router's
  /// link to the core (100.64.0.4i/30), and a client at 100.65.i.10 behind the router. The host's networks and the
  /// clients' are routed through the core from every provider.
  @discardableResult
  public func provider(_ index: Int, device: String, network: String, address: String) throws -> Provider {
    let router = try Namespace("\(label)r\(index)")
    let client = try Namespace("\(label)c\(index)")
    try router.sysctl("net.ipv4.ip_forward=1")
    try Self.strict(router)
    try Self.strict(client)
    let gateway = network + ".1"
    try host.link(device, to: router, as: "south")
    try host.ip("addr add \(network).\(address)/24 dev \(device)")
    try router.ip("addr add \(gateway)/24 dev south")
    try router.link("north", to: core, as: "p\(index)")
    try router.ip("addr add 100.64.0.\(4 * index + 2)/30 dev north")
    try core.ip("addr add 100.64.0.\(4 * index + 1)/30 dev p\(index)")
    try router.ip("route add default via 100.64.0.\(4 * index + 1)")
    try client.link("eth0", to: router, as: "lan")
    try router.ip("addr add 100.65.\(index).1/24 dev lan")
    try client.ip("addr add 100.65.\(index).10/24 dev eth0")
    try client.ip("route add default via 100.65.\(index).1")
    try core.ip("route add \(network).0/24 via 100.64.0.\(4 * index + 2)")
    try core.ip("route add 100.65.\(index).0/24 via 100.64.0.\(4 * index + 2)")
    let provider = Provider(
      device: device, router: router, client: client, gateway: gateway, address: "\(network).\(address)")
    providers.append(provider)
    return provider
  }

  /// Routes `prefix` (a network behind the host) at the core and at each provider's router through `provider`'s
  /// link to the host, as a provider routes a customer's network.
  public func routeBehindHost(_ prefix: String, through provider: Provider) throws {
    try provider.router.ip("route add \(prefix) via \(provider.address)")
    let index = providers.firstIndex { $0.device == provider.device }! + 1
    try core.ip("route add \(prefix) via 100.64.0.\(4 * index + 2)")
  }

  /// A namespace connected to the host: as a port of the bridge `device`, or (without `bridge`) through a link the
  /// host names `device`; at `address`/`length` with a default route through `gateway` on the host.
  @discardableResult
  public func attach(
    _ name: String, to device: String, bridge: Bool, address: String, length: Int, gateway: String
  ) throws -> Namespace {
    let namespace = try Namespace("\(label)\(name)")
    try Self.strict(namespace)
    let hostSide = bridge ? "v\(name)" : device
    try host.link(hostSide, to: namespace, as: "eth0")
    if bridge { try host.ip("link set \(hostSide) master \(device)") }
    try namespace.ip("addr add \(address)/\(length) dev eth0")
    try namespace.ip("route add default via \(gateway)")
    others[name] = namespace
    return namespace
  }

  /// A Linux bridge on the host, as Docker makes one, at `address`/`length`.
  public func bridge(_ name: String, address: String, length: Int) throws {
    try host.ip("link add name \(name) type bridge")
    try host.ip("link set \(name) up")
    try host.ip("addr add \(address)/\(length) dev \(name)")
  }

  /// Whether `namespace` gets an answer to one ping of `address` within a second.
  public static func reaches(_ namespace: Namespace, _ address: String) throws -> Bool {
    try namespace.exec(["ping", "-c", "1", "-W", "1", address]).status == 0
  }

  /// For each client, the addresses it does not reach among `addresses` (empty when every one answers).
  public func unreachable(from clients: [(String, Namespace)], to addresses: [String]) throws -> [String] {
    var missing: [String] = []
    for (name, namespace) in clients {
      for address in addresses where !(try Self.reaches(namespace, address)) { missing.append("\(name) -> \(address)") }
    }
    return missing
  }

  /// The clients behind the providers and the providers' routers (each uplink's far side), by name.
  public var farSides: [(String, Namespace)] {
    providers.flatMap { [("client of \($0.device)", $0.client), ("router of \($0.device)", $0.router)] }
  }
}
