import Foundation
import PolrouteCore
import TestSupport
import Testing

/// How a scenario's policy reaches the kernel.
enum ProofMethod: String, CaseIterable, Sendable, CustomStringConvertible {
  /// `polroute apply`.
  case apply
  /// The rendered iproute2 script, run with `sh`.
  case script
  /// The Debian stanzas, brought up with the real ifupdown `ifup` next to the user's own stanzas.
  case debian

  /// The name tests print.
  var description: String { rawValue }
}

/// The multi-homed hosts of the field, built in namespaces and fixed by polroute; each is also an Examples/ entry
/// whose snapshot `RECORD_EXAMPLES=1` re-records from the namespace before the fix.
@Suite("scenarios, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost + [.ping, .nc]), .serialized)
struct ScenarioLiveTests {
  /// Makes the kernel match the policy (none: derived) the chosen way, inside the server. `ifupdown` keeps the
  /// configuration the Debian way uses, so a later step can bring an interface up with it.
  @discardableResult
  static func fix(_ topology: Topology, method: ProofMethod, policy: String? = nil, ifupdown: DebianSetup? = nil) throws
    -> DebianSetup?
  {
    let policyFile = policy.map { TemporaryPolicy($0) }
    let policyArguments = policyFile.map { ["--policy", $0.path] } ?? []
    switch method {
    case .apply:
      let run = try topology.server.exec(
        ["env", "POLROUTE_RUN_DIR=/tmp/polroute-live-\(topology.server.name)", TestPaths.binary, "apply"]
          + policyArguments)
      #expect(run.status == 0, "apply failed: \(run.errorText)")
    case .script:
      let render = try topology.server.polroute(["render"] + policyArguments)
      #expect(render.status == 0, "render failed: \(render.errorText)")
      let run = try topology.server.exec(["sh", "-s"], input: render.outputText)
      #expect(run.status == 0, "script failed: \(run.errorText)")
    case .debian:
      let setup = try ifupdown ?? DebianSetup(topology.server)
      try setup.bringUp(policyArguments: policyArguments)
      let plan = try topology.server.polroute(["plan", "--detailed-exitcode"] + policyArguments)
      #expect(plan.status == 0, "the host does not match the policy after \(method):\n\(plan.outputText)")
      withExtendedLifetime(policyFile) {}
      return setup
    }
    let plan = try topology.server.polroute(["plan", "--detailed-exitcode"] + policyArguments)
    #expect(plan.status == 0, "the host does not match the policy after \(method):\n\(plan.outputText)")
    withExtendedLifetime(policyFile) {}
    return nil
  }

  /// Saves the server's snapshot as Examples/NAME/state.json when RECORD_EXAMPLES=1.
  static func recordExample(_ name: String, _ topology: Topology) throws {
    guard ProcessInfo.processInfo.environment["RECORD_EXAMPLES"] == "1" else { return }
    let snapshot = try topology.server.polroute(["inspect", "--json"])
    #expect(snapshot.status == 0)
    let path = TestPaths.examples + "/\(name)/state.json"
    try? FileManager.default.createDirectory(atPath: TestPaths.examples + "/\(name)", withIntermediateDirectories: true)
    // `ip netns exec` keeps the machine's host name: give the example's server its own.
    var state = try Snapshot.decode(snapshot.output, file: "inspect")
    state.hostname = name
    try Data(try Snapshot(state: state).encoded()).write(to: URL(fileURLWithPath: path))
  }

  @Test(
    "1. dual-homed server: replies leave through the interface the request came in on", arguments: ProofMethod.allCases)
  func dualHomed(_ method: ProofMethod) throws {
    let topology = try Topology.dualHomed("dh\(method.rawValue.prefix(1))")
    if method == .apply { try Self.recordExample("dual-homed-server", topology) }
    #expect(try topology.clientReaches("198.51.100.10"))
    #expect(try !topology.clientReaches("203.0.113.10"), "the data address answered before the fix")

    try Self.fix(topology, method: method)
    #expect(try topology.clientReaches("203.0.113.10"))
    #expect(try topology.clientReaches("198.51.100.10"))
    let route = try topology.server.ip("-j route get 192.0.2.10 from 203.0.113.10").outputText
    #expect(route.contains("\"dev\":\"data\""), "got \(route)")
    // Counters: a ping to the data address is answered through data, not mgmt.
    let (data, mgmt) = (try topology.transmitted("data"), try topology.transmitted("mgmt"))
    #expect(try topology.clientReaches("203.0.113.10"))
    #expect(try topology.transmitted("data") > data)
    #expect(try topology.transmitted("mgmt") == mgmt)
  }

  @Test(
    "2. NFS over the data network: TCP 2049 leaves through data, the rest through management",
    arguments: ProofMethod.allCases)
  func nfs(_ method: ProofMethod) throws {
    let topology = try Topology.nfs("nfs\(method.rawValue.prefix(1))")
    if method == .apply { try Self.recordExample("nfs-data-network", topology) }
    let serverListener = try NetcatListener(in: topology.server, port: 2049)
    defer { serverListener.stop() }
    // Before: the request reaches the data address through the router, the answer would leave directly through
    // mgmt, and strict rp_filter drops the request.
    #expect(try topology.client.exec(["nc", "-z", "-w", "2", "203.0.113.10", "2049"]).status != 0)

    let policy = try String(contentsOfFile: TestPaths.examples + "/nfs-data-network/polroute.conf", encoding: .utf8)
    try Self.fix(topology, method: method, policy: policy)
    // The client, which has only a management address, mounts from the data address.
    #expect(try topology.client.exec(["nc", "-z", "-w", "3", "203.0.113.10", "2049"]).status == 0)

    // The server's own NFS connections to the management LAN go through the data network...
    let clientListener = try NetcatListener(in: topology.client, port: 2049)
    defer { clientListener.stop() }
    #expect(try topology.server.exec(["ping", "-c", "1", "-W", "1", "198.51.100.20"]).status == 0)
    let (data, mgmt) = (try topology.transmitted("data"), try topology.transmitted("mgmt"))
    #expect(try topology.server.exec(["nc", "-z", "-w", "3", "198.51.100.20", "2049"]).status == 0)
    #expect(try topology.transmitted("data") > data)
    #expect(try topology.transmitted("mgmt") == mgmt)
    // ...and everything else stays on management.
    let dataAfter = try topology.transmitted("data")
    #expect(try topology.server.exec(["ping", "-c", "1", "-W", "1", "198.51.100.20"]).status == 0)
    #expect(try topology.transmitted("mgmt") > mgmt)
    #expect(try topology.transmitted("data") == dataAfter)
  }

  @Test(
    "3. primary and backup providers: one destination prefix is forced over the backup", arguments: ProofMethod.allCases
  )
  func providers(_ method: ProofMethod) throws {
    let topology = try Topology.providers("isp\(method.rawValue.prefix(1))")
    if method == .apply { try Self.recordExample("primary-backup-providers", topology) }
    let policy = try String(
      contentsOfFile: TestPaths.examples + "/primary-backup-providers/polroute.conf", encoding: .utf8)
    try Self.fix(topology, method: method, policy: policy)
    #expect(try topology.server.ip("-j route get 192.0.2.130").outputText.contains("\"dev\":\"isp2\""))
    #expect(try topology.server.ip("-j route get 192.0.2.10").outputText.contains("\"dev\":\"isp1\""))
    let (isp1, isp2) = (try topology.transmitted("isp1"), try topology.transmitted("isp2"))
    #expect(try topology.server.exec(["ping", "-c", "1", "-W", "1", "192.0.2.130"]).status == 0)
    #expect(try topology.transmitted("isp2") > isp2)
    #expect(try topology.transmitted("isp1") == isp1)
    #expect(try topology.server.exec(["ping", "-c", "1", "-W", "1", "192.0.2.10"]).status == 0)
    #expect(try topology.transmitted("isp1") > isp1)
  }

  @Test(
    "4. dual stack: both families' addresses answer, replies leave where requests came in",
    arguments: ProofMethod.allCases)
  func dualStack(_ method: ProofMethod) throws {
    let topology = try Topology.dualHomed("ds\(method.rawValue.prefix(1))", dualStack: true)
    if method == .apply { try Self.recordExample("dual-stack", topology) }
    let policy = try String(contentsOfFile: TestPaths.examples + "/dual-stack/polroute.conf", encoding: .utf8)
    #expect(try !topology.clientReaches("2001:db8:b::10"), "the IPv6 data address answered before the fix")
    try Self.fix(topology, method: method, policy: policy)
    for address in ["198.51.100.10", "203.0.113.10", "2001:db8:a::10", "2001:db8:b::10"] {
      #expect(try topology.clientReaches(address), "\(address) does not answer")
    }
    #expect(
      try topology.server.ip("-6 -j route get 2001:db8:c::10 from 2001:db8:b::10").outputText.contains(
        "\"dev\":\"data\""))
  }

  @Test(
    "5. three uplinks, one down: the plan holds, and a re-apply converges once it is up",
    arguments: ProofMethod.allCases)
  func threeUplinks(_ method: ProofMethod) throws {
    let topology = try Topology.threeUplinks("tri\(method.rawValue.prefix(1))")
    if method == .apply { try Self.recordExample("three-uplinks-one-down", topology) }
    let debian = try Self.fix(topology, method: method)
    #expect(try topology.clientReaches("203.0.113.10"))
    let policy = try topology.server.polroute(["policy"]).outputText
    #expect(!policy.contains("uplink backup"))
    #expect(policy.contains("# not uplinks: backup (interface is down), lo (loopback)"))

    // The link comes up and its network configuration adds its routes back, as ifup would.
    if let debian {
      let up = try debian.ifupdown.run("ifup", ["backup"])
      #expect(up.status == 0, "ifup backup: \(up.errorText)")
    } else {
      try topology.server.ip("link set backup up")
      try topology.server.ip("route add 100.64.128.0/17 via 100.64.0.1 dev backup")
    }
    #expect(try topology.server.polroute(["plan", "--detailed-exitcode"]).status == 2)
    try Self.fix(topology, method: method, ifupdown: debian)
    #expect(try topology.server.polroute(["policy"]).outputText.contains("uplink backup dev backup table"))
    try topology.client.ip("route add 100.64.0.0/24 via 192.0.2.1")
    #expect(try topology.clientReaches("100.64.0.10"))
  }
}

/// A policy written to a temporary file, removed when the value goes away.
final class TemporaryPolicy {
  /// The file.
  let path: String

  /// Writes the text.
  init(_ text: String) {
    path =
      FileManager.default.temporaryDirectory.appendingPathComponent(
        "polroute-policy-\(getpid())-\(UUID().uuidString).conf"
      ).path
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// `nc -l -k PORT` in a namespace, stopped when asked or when the value goes away.
final class NetcatListener {
  /// The `ip netns exec` process.
  let process: Process

  /// Starts the listener and waits until the port accepts.
  init(in namespace: Namespace, port: Int) throws {
    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
    process.arguments = ["netns", "exec", namespace.name, "nc", "-l", "-k", String(port)]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    for _ in 0..<50 {
      if try namespace.exec(["sh", "-c", "ss -ltn | grep -q ':\(port) '"]).status == 0 { return }
      usleep(50_000)
    }
  }

  /// Stops the listener.
  func stop() {
    if process.isRunning { process.terminate() }
  }

  deinit { stop() }
}

/// A server configured the Debian way: its own stanzas, generated from its configuration when the test built it,
/// and polroute's rendered `interfaces.d/polroute`, read after them (the `source` line last), brought up with the
/// real `ifup`.
final class DebianSetup {
  /// The server.
  let server: Namespace
  /// The scratch /etc/network and ifupdown's state.
  let scratch: ScratchDirectory
  /// Runs ifup and ifdown against the scratch configuration.
  let ifupdown: Ifupdown
  /// The interfaces the user's stanzas configure, in order.
  let interfaces: [String]

  /// Writes the user's stanzas for the server as the test configured it (addresses, gateways, the routes in main
  /// through gateways; an interface whose link is down gets a stanza but is not brought up), then removes that
  /// configuration from the kernel, so that only ifupdown puts it back.
  init(_ server: Namespace) throws {
    self.server = server
    scratch = try ScratchDirectory("deb")
    ifupdown = try Ifupdown(scratch: scratch, namespace: server)
    let configured = try server.polroute(["inspect", "--json"]).output
    _ = try scratch.write("configured.json", String(decoding: configured, as: UTF8.self))
    let state = try Snapshot.decode(configured, file: "inspect")
    var stanzas = ""
    var up: [String] = []
    for interface in state.interfaces where !interface.isLoopback {
      for family in AddressFamily.allCases {
        let addresses = interface.globalAddresses.filter { $0.family == family }
        guard let first = addresses.first else { continue }
        stanzas += "iface \(interface.name) \(family.rawValue) static\n    address \(first.address)\n"
        for other in addresses.dropFirst() {
          stanzas += "    up ip \(family.ipOption) addr add \(other.address) dev \(interface.name)\n"
        }
        for route in state.routes
        where route.table == RoutingTable.main && route.family == family && route.device == interface.name {
          guard let gateway = route.gateway else { continue }
          if route.isDefault {
            stanzas += "    gateway \(gateway)\n"
          } else {
            stanzas +=
              "    up ip \(family.ipOption) route add \(route.destination.routeText) via \(gateway) dev \(interface.name)\n"
          }
        }
        if interface.name == "backup" && family == .inet {
          // Scenario 5's third uplink: its link is down, which took its route; the route comes back with it.
          stanzas += "    up ip route add 100.64.128.0/17 via 100.64.0.1 dev backup\n"
        }
        stanzas += "\n"
      }
      if interface.isUp { up.append(interface.name) }
      try server.ip("addr flush dev \(interface.name)")
      try server.ip("-6 addr flush dev \(interface.name)")
      try server.ip("link set \(interface.name) down")
    }
    interfaces = up
    _ = try scratch.write("etc-network/interfaces", stanzas + "source /etc/network/interfaces.d/*\n")
  }

  /// Renders polroute's stanzas, then brings the interfaces up with the real ifup; a re-run renders again and
  /// cycles the interfaces (ifdown, ifup), as an administrator would after changing the policy.
  func bringUp(policyArguments: [String]) throws {
    let snapshot = try scratch.write(
      "state.json", String(decoding: try Self.configuredSnapshot(server, scratch), as: UTF8.self))
    let render = try server.polroute(["render", "--format", "debian", "--state", snapshot] + policyArguments)
    #expect(render.status == 0, "render: \(render.errorText)")
    let previouslyUp = scratch.exists("stanzas-written")
    if previouslyUp {
      // Down with the stanzas they came up with, so their pre-down lines remove what their post-up lines added.
      let down = try ifupdown.run("ifdown", ["-a", "--force"])
      #expect(down.status == 0, "ifdown: \(down.errorText)")
    }
    _ = try scratch.write("etc-network/interfaces.d/polroute", render.outputText)
    _ = try scratch.write("stanzas-written", "")
    let up = try ifupdown.run("ifup", interfaces + (previouslyUp ? ["backup"] : []))
    #expect(up.status == 0, "ifup: \(up.errorText)")
    #expect(up.errorText.isEmpty, "ifup printed: \(up.errorText)")
  }

  /// The state polroute renders from: first the server as the test configured it (before the flush), later the
  /// server as ifupdown configured it.
  static func configuredSnapshot(_ server: Namespace, _ scratch: ScratchDirectory) throws -> [UInt8] {
    if let saved = scratch.read("configured.json"), !scratch.exists("stanzas-written") { return Array(saved.utf8) }
    return try server.polroute(["inspect", "--json"]).output
  }
}
