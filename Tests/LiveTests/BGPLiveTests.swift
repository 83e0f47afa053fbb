import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// `polroute bgp` proven with real FRR: its checkers accept every rendered file, and the example site's
/// configuration, run by bgpd and zebra in namespaces against two providers and a customer of the backup,
/// keeps the backup idle while the primary is up and carries everything when it is not.
@Suite(
  "bgp, live (FRR)", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost + [TestTool("vtysh")]), .serialized)
struct BGPLiveTests {
  /// The example's site file: the site the behaviour test runs.
  static let exampleSite = TestPaths.examples + "/bgp-primary-backup/site.conf"

  /// Every site file polroute renders in its tests: the golden cases and the examples.
  static var siteFiles: [String] {
    let golden = TestPaths.list(TestPaths.packageRoot + "/Tests/BGP").compactMap { name -> String? in
      let directory = TestPaths.packageRoot + "/Tests/BGP/" + name
      return ["site.conf", "site.json"].map { directory + "/" + $0 }.first {
        FileManager.default.fileExists(atPath: $0)
      }
    }
    let examples = TestPaths.list(TestPaths.examples).map { TestPaths.examples + "/" + $0 + "/site.conf" }.filter {
      FileManager.default.fileExists(atPath: $0)
    }
    return golden + examples
  }

  /// Whether a line bgpd prints in check mode is harmless: with no zebra to talk to it says so, and it does not
  /// know the zebra commands of the integrated file (vtysh sends those to zebra). Nor is its crash-log directory
  /// any of the file's business: FRR names it /var/tmp/frr/bgpd.PID and leaves it behind, so a bgpd that gets the
  /// PID of an earlier one finds it there (seen under load, when PIDs came round again).
  static func harmless(_ line: Substring) -> Bool {
    line.contains("sendmsg_nexthop: zclient_send_message() failed")
      || (line.contains("failed to mkdir \"/var/tmp/frr/bgpd.") && line.hasSuffix("File exists"))
      || ["ip forwarding", "ipv6 forwarding"].contains { command in
        line.contains("No such command on config line ") && line.hasSuffix(": " + command)
      }
  }

  @Test("FRR's own checkers accept every rendered file: vtysh --dryrun, and bgpd -C with nothing but harmless lines")
  func checkersAccept() throws {
    let files = Self.siteFiles
    #expect(files.count >= 6, "site files: \(files)")
    let scratch = try ScratchDirectory("bgpchk")
    // bgpd in check mode still opens its sockets: in a namespace of its own it disturbs nothing.
    let namespace = try Namespace("bgpchk")
    // Each bgpd -C leaves its crash-log directory behind: those of bgpd processes that are gone go with the test.
    defer {
      for name in TestPaths.list("/var/tmp/frr") where name.hasPrefix("bgpd.") {
        if let pid = Int32(name.dropFirst("bgpd.".count)), kill(pid, 0) != 0 && errno == ESRCH {
          try? FileManager.default.removeItem(atPath: "/var/tmp/frr/" + name)
        }
      }
    }
    for (index, site) in files.enumerated() {
      let output = scratch.path + "/frr-\(index).conf"
      let render = try Live.run([TestPaths.binary, "bgp", "--site", site, "--output", output])
      #expect(render.status == 0, "\(site): \(render.errorText)")
      let vtysh = try Live.run(FRRRouter.bounded + ["vtysh", "--dryrun", "-f", output])
      #expect(vtysh.status == 0 && vtysh.outputText.isEmpty, "\(site): vtysh: \(vtysh.outputText)\(vtysh.errorText)")
      // bgpd's exit status is 0 whatever the file holds: its output is what says so.
      let bgpd = try namespace.exec(FRRRouter.bounded + [FRRRouter.daemonDirectory + "/bgpd", "-C", "-f", output])
      let complaints = (bgpd.outputText + "\n" + bgpd.errorText).split(separator: "\n").filter { !Self.harmless($0) }
      #expect(bgpd.status == 0 && complaints.isEmpty, "\(site): bgpd -C: \(complaints.joined(separator: "\n"))")
    }
    // The checks can fail: a command bgpd does not know, and one it refuses, are reported.
    let broken = try scratch.write("broken.conf", "router bgp 65055\n neighbor 203.0.113.9 route-map x in\n")
    let bgpd = try namespace.exec(FRRRouter.bounded + [FRRRouter.daemonDirectory + "/bgpd", "-C", "-f", broken])
    #expect(bgpd.status == 0)
    #expect(bgpd.errorText.contains("Specify remote-as or peer-group commands first"))
    let unknown = try scratch.write("unknown.conf", "router bgp 65055\n bgp no-such-thing\n")
    #expect(try Live.run(FRRRouter.bounded + ["vtysh", "--dryrun", "-f", unknown]).status != 0)
  }

  @Test(
    "primary and backup with real bgpd: the backup carries nothing while the primary is up, everything when it is down")
  func primaryAndBackup() throws {
    let lab = try BGPLab()
    defer { lab.stop() }
    let started = Date()
    let established = try eventually(seconds: 60) { try lab.allEstablished() }
    guard established else {
      Issue.record("not all sessions Established within 60 s: \(try lab.sessionStates())\n\(lab.logs)")
      return
    }
    let toEstablished = Date().timeIntervalSince(started)

    // Both links up: everyone reaches the site through the primary.
    let settled = try lab.waitFor(lab.primaryState)
    #expect(settled == nil, "both links up: \(settled ?? "")")
    #expect(try lab.siteNS.checkExec(["sysctl", "-n", "net.ipv4.ip_forward"]).outputText == "1\n")
    #expect(try lab.customerReachesSite(), "customer cannot reach 192.0.2.10 with both links up")
    #expect(try lab.nextHop(in: lab.backup, to: "192.0.2.10") == "203.0.113.9")

    // The primary session shut down on the site: everyone converges to the backup.
    let shutdown = Date()
    try lab.site.vtysh("configure terminal", "router bgp 65055", "neighbor 203.0.113.1 shutdown")
    let failedOver = try lab.waitFor(lab.backupState)
    #expect(failedOver == nil, "primary shut down: \(failedOver ?? "")")
    let toBackup = Date().timeIntervalSince(shutdown)
    #expect(try lab.customerReachesSite(), "customer cannot reach 192.0.2.10 over the backup")
    #expect(try lab.nextHop(in: lab.backup, to: "192.0.2.10") == "203.0.113.6")

    // Restored: back to the primary.
    let restore = Date()
    try lab.site.vtysh("configure terminal", "router bgp 65055", "no neighbor 203.0.113.1 shutdown")
    let restored = try lab.waitFor(lab.primaryState)
    #expect(restored == nil, "primary restored: \(restored ?? "")")
    let toPrimary = Date().timeIntervalSince(restore)
    #expect(try lab.customerReachesSite(), "customer cannot reach 192.0.2.10 after the primary came back")
    #expect(try lab.nextHop(in: lab.backup, to: "192.0.2.10") == "203.0.113.9")

    // A change to the site (one more prepend), applied as FRR's service applies a reload: the backup provider sees
    // the longer path, and no session is reset.
    let before = try lab.site.establishedCounts()
    let site = try String(contentsOfFile: BGPLiveTests.exampleSite, encoding: .utf8).replacingOccurrences(
      of: "site as 65055 router-id 192.0.2.1", with: "site as 65055 router-id 192.0.2.1 prepend 4")
    let siteFile = try lab.scratch.write("site-prepend-4.conf", site)
    let newConfig = lab.scratch.path + "/frr-site/new.conf"
    let render = try Live.run([TestPaths.binary, "bgp", "--site", siteFile, "--output", newConfig])
    #expect(render.status == 0, "\(render.errorText)")
    let reloadStarted = Date()
    let reload = try lab.site.reload(newConfig)
    #expect(reload.status == 0, "frr-reload.py: \(reload.outputText)\(reload.errorText)")
    let reloaded = try lab.waitFor([
      (
        lab.backup, "192.0.2.0/24", "best 65066 65055 via 203.0.113.9 lp 90",
        ["65055 65055 65055 65055 65055 via 203.0.113.6 lp 70"]
      )
    ])
    #expect(reloaded == nil, "after the reload: \(reloaded ?? "")")
    let toReloaded = Date().timeIntervalSince(reloadStarted)
    #expect(try lab.site.establishedCounts() == before, "a session was reset by the reload")
    print(
      String(
        format: "polroute bgp live: Established %.1f s after start; converged %.1f s after the shutdown,"
          + " %.1f s after the restore; the reload seen %.1f s after frr-reload.py started", toEstablished, toBackup,
        toPrimary, toReloaded))
  }
}

/// The lab: the site (AS 65055, configured by polroute from the example), its primary provider (AS 65066) and
/// backup provider (AS 65077), which peer with each other, a customer of the backup (AS 65088), and a host on the
/// site's LAN. The providers follow Gao and Rexford: customers' routes get local preference 110, a peer's 90, and
/// only customers' routes go to a peer; the backup provider honours 65077:70 by setting local preference 70.
///
/// ```
///  host 192.0.2.10 ── site ──203.0.113.0/30── primary (100.64.0.0/16)
///                       └──203.0.113.4/30── backup (100.65.0.0/16) ──203.0.113.8/30── primary
///                                             └──203.0.113.12/30── customer (198.51.100.0/24)
/// ```
final class BGPLab: @unchecked Sendable {
  /// Holds the configuration files and the daemons' directories.
  let scratch: ScratchDirectory
  /// The namespaces.
  let siteNS: Namespace, hostNS: Namespace, primaryNS: Namespace, backupNS: Namespace, customerNS: Namespace
  /// The routers; `stop()` ends them.
  var site: FRRRouter!, primary: FRRRouter!, backup: FRRRouter!, customer: FRRRouter!

  /// Builds the namespaces and links, renders the site's configuration with polroute, and starts every router.
  init() throws {
    scratch = try ScratchDirectory("bgplab")
    siteNS = try Namespace("bgps")
    hostNS = try Namespace("bgph")
    primaryNS = try Namespace("bgpp")
    backupNS = try Namespace("bgpb")
    customerNS = try Namespace("bgpc")
    try link(siteNS, "s-p", "203.0.113.2/30", primaryNS, "p-s", "203.0.113.1/30")
    try link(siteNS, "s-b", "203.0.113.6/30", backupNS, "b-s", "203.0.113.5/30")
    try link(primaryNS, "p-b", "203.0.113.9/30", backupNS, "b-p", "203.0.113.10/30")
    try link(backupNS, "b-c", "203.0.113.13/30", customerNS, "c-b", "203.0.113.14/30")
    // The site's LAN gives 192.0.2.0/24 a connected route, which bgpd's import check wants before announcing it.
    try link(siteNS, "s-lan", "192.0.2.1/24", hostNS, "lan0", "192.0.2.10/24")
    try hostNS.ip("route add default via 192.0.2.1")
    try customerNS.ip("addr add 198.51.100.1/32 dev lo")
    for namespace in [primaryNS, backupNS, customerNS] { try namespace.sysctl("net.ipv4.ip_forward=1") }
    // The site's forwarding is left to the rendered configuration's `ip forwarding`, which its zebra reads.
    try siteNS.sysctl("net.ipv4.ip_forward=0")

    let rendered = try Live.run([TestPaths.binary, "bgp", "--site", BGPLiveTests.exampleSite])
    guard rendered.status == 0 else { throw FRRError("polroute bgp failed: \(rendered.errorText)") }
    site = try FRRRouter("site", in: siteNS, scratch: scratch, config: rendered.outputText, zebraReadsConfig: true)
    primary = try FRRRouter(
      "primary", in: primaryNS, scratch: scratch,
      config: Self.provider(
        asn: 65066, routerID: "203.0.113.1", own: "100.64.0.0/16",
        customers: ["203.0.113.2": 65055], peers: ["203.0.113.10": 65077]))
    backup = try FRRRouter(
      "backup", in: backupNS, scratch: scratch,
      config: Self.provider(
        asn: 65077, routerID: "203.0.113.5", own: "100.65.0.0/16",
        customers: ["203.0.113.6": 65055, "203.0.113.14": 65088], peers: ["203.0.113.9": 65066]))
    customer = try FRRRouter(
      "customer", in: customerNS, scratch: scratch,
      config: Self.provider(
        asn: 65088, routerID: "203.0.113.14", own: "198.51.100.0/24", customers: [:],
        peers: [:], providers: ["203.0.113.13": 65077]))
  }

  /// Connects two namespaces with a veth pair and addresses both ends.
  func link(_ a: Namespace, _ aName: String, _ aAddress: String, _ b: Namespace, _ bName: String, _ bAddress: String)
    throws
  {
    try a.link(aName, to: b, as: bName)
    try a.ip("addr add \(aAddress) dev \(aName)")
    try b.ip("addr add \(bAddress) dev \(bName)")
  }

  /// Kills every daemon; the namespaces and files go with the value.
  func stop() {
    for router in [site, primary, backup, customer] { router?.stop() }
  }

  /// Every router's daemon output, for failure messages.
  var logs: String { [site, primary, backup, customer].compactMap { $0?.log }.joined() }

  /// A provider's (or a customer's) configuration, in the Gao-Rexford style, with its own prefix.
  static func provider(
    asn: UInt32, routerID: String, own: String, customers: [String: UInt32], peers: [String: UInt32],
    providers: [String: UInt32] = [:]
  ) -> String {
    var text = """
      frr defaults traditional
      bgp community-list standard backup permit \(asn):70
      bgp community-list standard customer-route permit \(asn):1000
      route-map own permit 10
       set community \(asn):1000 additive
      exit
      route-map from-customer permit 10
       match community backup
       set local-preference 70
       set community \(asn):1000 additive
      exit
      route-map from-customer permit 20
       set local-preference 110
       set community \(asn):1000 additive
      exit
      route-map from-peer permit 10
       set local-preference 90
      exit
      route-map from-provider permit 10
       set local-preference 80
      exit
      route-map to-customer permit 10
      exit
      route-map to-peer-or-provider permit 10
       match community customer-route
      exit
      router bgp \(asn)
       bgp router-id \(routerID)
       no bgp network import-check
       no bgp default ipv4-unicast

      """
    let neighbors =
      customers.map { ($0.key, $0.value, "from-customer", "to-customer") }
      + peers.map { ($0.key, $0.value, "from-peer", "to-peer-or-provider") }
      + providers.map { ($0.key, $0.value, "from-provider", "to-peer-or-provider") }
    for (address, remote, _, _) in neighbors.sorted(by: { $0.0 < $1.0 }) {
      text += " neighbor \(address) remote-as \(remote)\n"
    }
    text += " address-family ipv4 unicast\n  network \(own) route-map own\n"
    for (address, _, inbound, outbound) in neighbors.sorted(by: { $0.0 < $1.0 }) {
      text += "  neighbor \(address) activate\n"
      text += "  neighbor \(address) route-map \(inbound) in\n"
      text += "  neighbor \(address) route-map \(outbound) out\n"
    }
    return text + " exit-address-family\nexit\n"
  }

  /// Each router's sessions and their states.
  func sessionStates() throws -> [String: [String: String]] {
    var states: [String: [String: String]] = [:]
    for router in [site, primary, backup, customer].compactMap({ $0 }) { states[router.name] = try router.sessions() }
    return states
  }

  /// Whether all eight session ends are Established.
  func allEstablished() throws -> Bool {
    let states = try sessionStates()
    return states.values.map(\.count).reduce(0, +) == 8
      && states.values.allSatisfy { $0.values.allSatisfy { $0 == "Established" } }
  }

  /// What each router's table should say, as `(router, prefix, the best path, every path)`; nil when it holds,
  /// else what differs.
  typealias Expectation = (router: FRRRouter, prefix: String, best: String, all: Set<String>)

  /// Both links up: the site's routes out prefer the primary (its backup paths at local preference 70); the
  /// backup provider's best path to the site goes through the primary (its direct path, prepended and tagged,
  /// at 70 from the community); the primary has the site directly; the customer reaches the site through both
  /// providers.
  var primaryState: [Expectation] {
    [
      (
        site, "198.51.100.0/24", "best 65066 65077 65088 via 203.0.113.1 lp 100",
        ["65077 65088 via 203.0.113.5 lp 70"]
      ),
      (
        site, "100.65.0.0/16", "best 65066 65077 via 203.0.113.1 lp 100",
        ["65077 via 203.0.113.5 lp 70"]
      ),
      (site, "100.64.0.0/16", "best 65066 via 203.0.113.1 lp 100", ["65077 65066 via 203.0.113.5 lp 70"]),
      (
        backup, "192.0.2.0/24", "best 65066 65055 via 203.0.113.9 lp 90",
        ["65055 65055 65055 65055 via 203.0.113.6 lp 70"]
      ),
      (primary, "192.0.2.0/24", "best 65055 via 203.0.113.2 lp 110", []),
      (customer, "192.0.2.0/24", "best 65077 65066 65055 via 203.0.113.13 lp 80", []),
    ]
  }

  /// The primary session down: the site has only the backup's routes; the backup provider's direct path is its
  /// only one, which it now announces to its peer and its customer.
  var backupState: [Expectation] {
    [
      (site, "198.51.100.0/24", "best 65077 65088 via 203.0.113.5 lp 70", []),
      (site, "100.64.0.0/16", "best 65077 65066 via 203.0.113.5 lp 70", []),
      (
        backup, "192.0.2.0/24", "best 65055 65055 65055 65055 via 203.0.113.6 lp 70", []
      ),
      (primary, "192.0.2.0/24", "best 65077 65055 65055 65055 65055 via 203.0.113.10 lp 90", []),
      (customer, "192.0.2.0/24", "best 65077 65055 65055 65055 65055 via 203.0.113.13 lp 80", []),
    ]
  }

  /// The first expectation that does not hold, described, or nil when all do. In every state, the backup
  /// provider's direct path to the site carries the backup community the site tagged it with.
  func check(_ expectations: [Expectation]) throws -> String? {
    let direct = try backup.paths("192.0.2.0/24").filter { $0.nextHop == "203.0.113.6" }
    guard direct.count == 1, direct[0].communities.contains("65077:70") else {
      return "backup 192.0.2.0/24: the path from the site is \(direct) with communities"
        + " \(direct.map(\.communities)), expected one with 65077:70"
    }
    for expectation in expectations {
      let paths = try expectation.router.paths(expectation.prefix).map(\.description)
      let others = Set(paths.dropFirst())
      if paths.first != expectation.best || others != expectation.all {
        return "\(expectation.router.name) \(expectation.prefix): \(paths), expected \(expectation.best)"
          + " and \(expectation.all.sorted())"
      }
    }
    return nil
  }

  /// Waits (at most 60 s) until every expectation holds; nil then, else the last difference and the logs.
  func waitFor(_ expectations: [Expectation]) throws -> String? {
    var last: String?
    let held = try eventually(seconds: 60) {
      last = try check(expectations)
      return last == nil
    }
    return held ? nil : (last ?? "") + "\n" + logs
  }

  /// Whether the customer, from its own prefix, gets an answer from the host on the site's LAN.
  func customerReachesSite() throws -> Bool {
    try eventually(seconds: 10) {
      try customerNS.exec(["ping", "-c", "1", "-W", "1", "-I", "198.51.100.1", "192.0.2.10"]).status == 0
    }
  }

  /// The next hop the kernel of a router uses towards an address: zebra installed what bgpd chose.
  func nextHop(in router: FRRRouter, to address: String) throws -> String {
    let words = try router.namespace.ip("-4 route get \(address)").outputText.split(separator: " ")
    guard let via = words.firstIndex(of: "via"), via + 1 < words.count else { return "" }
    return String(words[via + 1])
  }
}
