import PolrouteCore
import TestSupport
import Testing

/// What an apply checks before it says "verified": which addresses are probed, towards where, what each answer must
/// be, which failures fail the apply and which only leave an address unresolved (with the line that fixes it).
@Suite("verification probes")
struct VerificationTests {
  typealias T = PolicyTesting

  /// The sample dual-homed host with extra interfaces and the link routes main has for them.
  static func host(adding interfaces: [Interface] = [], links: [(String, String, String)] = []) -> HostState {
    var state = SampleHosts.dualHomed
    state.interfaces += interfaces
    for (prefix, device, source) in links {
      state.routes.append(
        Route(
          destination: T.prefix(prefix), device: device, protocolNumber: RouteProtocol.kernel, scope: RouteScope.link,
          preferredSource: T.address(source)))
    }
    return state
  }

  /// A LAN port: 100.66.10.1/24, no gateway anywhere.
  static let lan = Interface(name: "lan0", index: 7, addresses: [Address(T.interfaceAddress("100.66.10.1/24"))])
  /// A Docker bridge: 192.0.2.1/25.
  static let docker = Interface(
    name: "docker0", index: 8, kind: "bridge", addresses: [Address(T.interfaceAddress("192.0.2.1/25"))])

  /// Each probe as one line: kind, `route get`, the expected device and gateway, and whether it is promised.
  static func lines(_ probes: [Verification.Probe]) -> [String] {
    probes.map { probe in
      let gateway = probe.checksGateway ? " via \(probe.gateway.map(String.init(describing:)) ?? "none")" : ""
      return "\(probe.kind.rawValue): \(probe.batchLine) -> \(probe.device)\(gateway)"
        + (probe.promised ? "" : " (not promised)")
    }
  }

  @Test("two uplinks: each address replies through its own uplink, and reaches the other's network through it too")
  func twoUplinks() throws {
    let state = Self.host()
    let policy = try #require(T.resolve(nil, state: state))
    #expect(
      Self.lines(Verification.probes(policy: policy, state: state)) == [
        "remote reply: route get 198.18.0.1 from 198.51.100.10 -> mgmt via 198.51.100.1",
        "remote reply: route get 198.18.0.1 from 203.0.113.10 -> data via 203.0.113.1",
        "connected network: route get 198.51.100.1 from 198.51.100.10 -> mgmt via none",
        "connected network: route get 198.51.100.1 from 203.0.113.10 -> data via 203.0.113.1",
        "connected network: route get 203.0.113.1 from 198.51.100.10 -> mgmt via 198.51.100.1",
        "connected network: route get 203.0.113.1 from 203.0.113.10 -> data via none",
      ])
  }

  @Test("the probes from some interfaces are exactly those of their addresses, in the same order")
  func probesFromInterfaces() throws {
    let state = Self.host(adding: [Self.docker], links: [("192.0.2.0/25", "docker0", "192.0.2.1")])
    let policy = try #require(T.resolve(nil, state: state))
    let all = Verification.probes(policy: policy, state: state)
    for interfaces in [[], ["data"], ["mgmt", "docker0"], ["data", "mgmt", "docker0"], ["gone"]] as [Set<String>] {
      let some = Verification.probes(policy: policy, state: state, from: interfaces)
      #expect(some == all.filter { interfaces.contains($0.interface) }, "from \(interfaces)")
    }
    #expect(Verification.probes(policy: policy, state: state, from: ["data"]).count == 4)
  }

  @Test("a container bridge is never judged as an uplink; every address reaches its network directly")
  func containerBridge() throws {
    let state = Self.host(adding: [Self.docker], links: [("192.0.2.0/25", "docker0", "192.0.2.1")])
    let policy = try #require(T.resolve(nil, state: state))
    let lines = Self.lines(Verification.probes(policy: policy, state: state))
    #expect(!lines.contains { $0.contains("remote reply") && $0.contains("from 192.0.2.1 ") })
    #expect(
      lines.filter { $0.contains("route get 192.0.2.2 ") } == [
        "connected network: route get 192.0.2.2 from 198.51.100.10 -> docker0 via none",
        "connected network: route get 192.0.2.2 from 203.0.113.10 -> docker0 via none",
        "connected network: route get 192.0.2.2 from 192.0.2.1 -> docker0 via none",
      ])
  }

  @Test("an interface without a gateway is probed but not promised; its fix names both readings")
  func interfaceWithoutGateway() throws {
    let state = Self.host(adding: [Self.lan], links: [("100.66.10.0/24", "lan0", "100.66.10.1")])
    let policy = try #require(T.resolve(nil, state: state))
    let probes = Verification.probes(policy: policy, state: state)
    let remote = try #require(probes.first { $0.kind == .remoteReply && $0.interface == "lan0" })
    #expect(Self.lines([remote]) == ["remote reply: route get 198.18.0.1 from 100.66.10.1 -> lan0 (not promised)"])
    // The kernel answers through mgmt: the address is unresolved, not a failed apply.
    let unresolved = Verification.unresolved([(remote, "mgmt")], policy: policy)
    #expect(
      unresolved == [
        Verification.Unresolved(
          address: T.address("100.66.10.1"), interface: "lan0", leaves: "mgmt",
          reason: "lan0 is not an uplink: a local network: no gateway is known",
          fix: "uplink lan0 dev lan0 via GATEWAY; or, if lan0 is a local network and not an uplink: exclude lan0")
      ])
    // Promised probes that fail are the apply's failure, never an unresolved address.
    let promised = try #require(probes.first { $0.promised })
    #expect(Verification.unresolved([(promised, "lan0")], policy: policy) == [])
  }

  @Test("'exclude' says an interface is not an uplink: its address is not judged by its replies to remote clients")
  func excludedInterface() throws {
    let state = Self.host(adding: [Self.lan], links: [("100.66.10.0/24", "lan0", "100.66.10.1")])
    let policy = try #require(T.resolve("auto\nexclude lan0\n", state: state))
    let lines = Self.lines(Verification.probes(policy: policy, state: state))
    #expect(!lines.contains { $0.hasPrefix("remote reply") && $0.contains("from 100.66.10.1 ") })
    #expect(lines.contains("connected network: route get 100.66.10.2 from 198.51.100.10 -> lan0 via none"))
  }

  @Test("the remote destination avoids every prefix a rule or a specific route singles out")
  func remoteDestinationAvoidsSpecificRoutes() throws {
    var state = Self.host()
    state.routes.append(
      Route(destination: T.prefix("198.18.0.0/16"), gateway: T.address("198.51.100.1"), device: "mgmt"))
    let routed = try #require(T.resolve(nil, state: state))
    #expect(
      Verification.probes(policy: routed, state: state).filter { $0.kind == .remoteReply }.map(\.destination) == [
        T.address("198.19.255.254"), T.address("198.19.255.254"),
      ])
    // Then 192.0.2.254 is main's 192.0.2.128/25, and the next two are the uplinks' own networks.
    let ruled = try #require(T.resolve("auto\nrule to 198.19.0.0/16 lookup main\n", state: state))
    #expect(
      Verification.probes(policy: ruled, state: state).filter { $0.kind == .remoteReply }.map(\.destination) == [
        T.address("100.127.255.254"), T.address("100.127.255.254"),
      ])
  }
}
