import Foundation
import Glibc
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// polroute follows the network as it changes: the real ISC dhclient, leasing from a real dnsmasq on the provider's
/// router, runs polroute's exit hook (docs/hooks/dhclient) through a scratch copy of Debian's dhclient-script, and
/// ifupdown's hook (docs/hooks/ifupdown) runs as ifupdown runs it when a link goes down and comes up. Every host
/// filters strictly on the reverse path. Times are measured from the event to the state polled every 100 ms, and
/// printed; the bound asserted is a generous 10 s (the machine is shared), the goal 2 s.
@Suite(
  "following the network, live", .enabled(if: Live.enabled),
  .requires(TestTool.namespaceHost + [.ping, TestTool("dhclient"), TestTool("dhcpcd"), TestTool("dnsmasq")]),
  .serialized)
struct FollowLiveTests {
  /// The bound asserted on every convergence, in seconds.
  static let bound = 10.0

  /// A host with a static uplink (isp1, 198.51.100.10, main's default) and one or two more, a scratch directory
  /// whose root marks the policy installed (polroute's rt_tables file: the derived policy, as after `apply
  /// --persist`), and the hooks' log.
  final class Lab {
    /// The providers and the host.
    let lab: ProviderLab
    /// Scratch files: the root the hooks look at, dhclient's and dnsmasq's files, the fake logger's log.
    let scratch: ScratchDirectory

    /// Builds the lab with `count` providers; isp2's address is left to DHCP when `dhcp` is set.
    init(_ label: String, count: Int) throws {
      lab = try ProviderLab(label)
      try lab.provider(1, device: "isp1", network: "198.51.100", address: "10")
      try lab.host.ip("route add default via 198.51.100.1")
      try lab.provider(2, device: "isp2", network: "203.0.113", address: "10")
      try lab.host.ip("route add default via 203.0.113.1 metric 200")
      if count >= 3 {
        try lab.provider(3, device: "isp3", network: "192.0.2", address: "10")
        try lab.host.ip("route add default via 192.0.2.1 metric 300")
      }
      scratch = try ScratchDirectory("follow")
      try scratch.write("root/etc/iproute2/rt_tables.d/polroute.conf", "")
      // logger writes to the scratch log, not the machine's journal.
      try scratch.write("fake/logger", "#!/bin/sh\necho \"$*\" >> \"\(scratch.path)/hooks.log\"\n")
      try Live.check(["install", "-D", "-m", "0755", scratch.path + "/fake/logger", scratch.path + "/bin/logger"])
    }

    /// The environment every hook runs with.
    var hookEnvironment: [String] {
      [
        "POLROUTE_ROOT=\(scratch.path)/root", "POLROUTE=\(TestPaths.binary)",
        "PATH=\(scratch.path)/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      ]
    }

    /// Runs ifupdown's hook in the host's namespace as ifupdown runs it for `phase` (`post-up`, `post-down`).
    func ifupdownHook(_ device: String, phase: String) throws {
      let result = try lab.host.exec(
        ["env", "-i"] + hookEnvironment + [
          "IFACE=\(device)", "PHASE=\(phase)", "MODE=\(phase == "post-up" ? "start" : "stop")",
          TestPaths.packageRoot + "/docs/hooks/ifupdown",
        ])
      #expect(result.status == 0, "\(result.errorText)")
    }

    /// The host's polroute rules of IPv4, as `ip rule` prints them.
    func rules() throws -> [String] {
      try lab.host.ip("-4 rule show").outputText.split(separator: "\n").map(String.init).filter {
        $0.contains("proto 177")
      }
    }

    /// The table the source rule of `address` looks up, if there is one.
    func table(of address: String) throws -> String? {
      try rules().first { $0.contains("from \(address) lookup ") && !$0.contains(" to ") }.flatMap {
        $0.components(separatedBy: " lookup ").last?.split(separator: " ").first.map(String.init)
      }
    }

    /// The routes of a table.
    func routes(_ table: String) throws -> String {
      try lab.host.ip("-4 route show table \(table)").outputText
    }

    /// Whether `device` is converged at `address` via `gateway`: its source rule, its table's default and link
    /// routes, and no polroute rule for another address of its network left.
    func converged(_ device: String, address: String, gateway: String, stale: String? = nil) throws -> Bool {
      guard let table = try table(of: address) else { return false }
      let routes = try routes(table)
      let rules = try rules()
      return routes.contains("default via \(gateway) dev \(device)") && routes.contains("src \(address)")
        && !(stale.map { old in rules.contains { $0.contains(old + " ") } } ?? false)
    }

    /// Seconds until `condition` holds, polled every 100 ms, or nil after `timeout`.
    func seconds(within timeout: Double = 15, since start: Date = Date(), _ condition: () throws -> Bool) rethrows
      -> Double?
    {
      let deadline = start.addingTimeInterval(timeout)
      while Date() < deadline {
        if try condition() { return Date().timeIntervalSince(start) }
        usleep(100_000)
      }
      return try condition() ? Date().timeIntervalSince(start) : nil
    }

    /// The hooks' log, for failure messages.
    var log: String { scratch.read("hooks.log") ?? "" }
  }

  /// dnsmasq on isp2's router, leasing `address` to the host's isp2 with `router` as its gateway.
  static func startDnsmasq(_ lab: Lab, address: String, router: String, generation: Int) throws {
    let mac = try lab.lab.host.checkExec(["cat", "/sys/class/net/isp2/address"]).outputText.trimmingCharacters(
      in: .whitespacesAndNewlines)
    try Live.check([
      "ip", "netns", "exec", lab.lab.providers[1].router.name, "sh", "-c",
      "exec dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --port=0 --user=root --interface=south "
        + "--bind-interfaces --dhcp-authoritative --dhcp-range=203.0.113.0,static,255.255.255.0,1h "
        + "--dhcp-host=\(mac),\(address) --dhcp-option=option:router,\(router) "
        + "--dhcp-leasefile=\"$1/dnsmasq\(generation).leases\" --pid-file=\"$1/dnsmasq.pid\" >/dev/null 2>&1",
      "sh", lab.scratch.path,
    ])
  }

  /// Stops a daemon through its pid file.
  static func stop(_ lab: Lab, _ pidFile: String) {
    guard
      let pid = lab.scratch.read(pidFile).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
    else { return }
    kill(pid, SIGTERM)
    _ = eventually(seconds: 5) { kill(pid, 0) != 0 }
    try? FileManager.default.removeItem(atPath: lab.scratch.path + "/" + pidFile)
  }

  /// A measured time, for the test's output.
  static func figure(_ seconds: Double?) -> String {
    seconds.map { "\(Int(($0 * 1000).rounded())) ms" } ?? "never"
  }

  /// A scratch dhclient-script: Debian's, with its hook directories replaced by scratch ones. The exit hooks hold
  /// only polroute's; an enter hook keeps it from writing the machine's resolv.conf or hostname.
  static func dhclientScript(_ lab: Lab) throws -> String {
    let original = try #require(TestPaths.read("/sbin/dhclient-script"))
    let script = original.replacingOccurrences(
      of: "/etc/dhcp/dhclient-exit-hooks.d", with: lab.scratch.path + "/exit-hooks.d"
    ).replacingOccurrences(of: "/etc/dhcp/dhclient-enter-hooks.d", with: lab.scratch.path + "/enter-hooks.d")
      .replacingOccurrences(of: "/etc/dhcp/dhclient-exit-hooks", with: lab.scratch.path + "/none")
      .replacingOccurrences(of: "/etc/dhcp/dhclient-enter-hooks", with: lab.scratch.path + "/none")
    // dhclient gives its script a PATH of its own: the fake logger goes first there too.
    let quietScript = script.replacingOccurrences(
      of: "#!/bin/sh\n", with: "#!/bin/sh\nPATH=\(lab.scratch.path)/bin:$PATH\n", options: .anchored)
    #expect(quietScript != script, "Debian's dhclient-script no longer starts with #!/bin/sh")
    try lab.scratch.write("dhclient-script.in", quietScript)
    try lab.scratch.write("enter-hooks.d/quiet", "make_resolv_conf() { :; }\nset_hostname() { :; }\n")
    try FileManager.default.createDirectory(
      atPath: lab.scratch.path + "/exit-hooks.d", withIntermediateDirectories: true)
    try Live.check([
      "install", "-m", "0644", TestPaths.packageRoot + "/docs/hooks/dhclient",
      lab.scratch.path + "/exit-hooks.d/polroute",
    ])
    try Live.check(["install", "-m", "0755", lab.scratch.path + "/dhclient-script.in", lab.scratch.path + "/script"])
    return lab.scratch.path + "/script"
  }

  /// Runs dhclient once on the host's isp2 (it returns with a lease and stays to renew it), with polroute's hook.
  static func dhclient(_ lab: Lab, script: String) throws -> CommandResult {
    let environment = lab.hookEnvironment + ["IF_METRIC=100"]
    try lab.scratch.write("dhclient.conf", "request subnet-mask, broadcast-address, routers;\n")
    return try lab.lab.host.exec(
      ["dhclient", "-4", "-1", "-v", "-sf", script, "-cf", lab.scratch.path + "/dhclient.conf"]
        + environment.flatMap { ["-e", $0] }
        + [
          "-lf", lab.scratch.path + "/dhclient.leases", "-pf", lab.scratch.path + "/dhclient.pid", "isp2",
        ])
  }

  @Test("dhclient's first lease gives isp2 its table and rule; a new address and gateway move them, and reach")
  func leaseAndRenewal() throws {
    let lab = try Lab("fol", count: 2)
    defer {
      Self.stop(lab, "dhclient.pid")
      Self.stop(lab, "dnsmasq.pid")
    }
    try lab.lab.host.ip("addr flush dev isp2")
    // The provider's second router address, the gateway the new lease names.
    try lab.lab.providers[1].router.ip("addr add 203.0.113.254/24 dev south")
    #expect(try lab.lab.host.polroute(["apply"]).status == 0)
    let script = try Self.dhclientScript(lab)

    try Self.startDnsmasq(lab, address: "203.0.113.60", router: "203.0.113.1", generation: 1)
    let start = Date()
    let first = try Self.dhclient(lab, script: script)
    #expect(first.status == 0, "dhclient: \(first.errorText)")
    let bound = try lab.seconds(since: start) {
      try lab.converged("isp2", address: "203.0.113.60", gateway: "203.0.113.1")
    }
    print("follow: first lease -> isp2's table and rule in \(Self.figure(bound))")
    #expect(bound != nil && bound! <= Self.bound, "rules: \((try? lab.rules()) ?? [])\nhooks: \(lab.log)")
    #expect(lab.log.contains("-t polroute dhclient BOUND isp2: apply --interface isp2 done"), "\(lab.log)")
    #expect(try ProviderLab.reaches(lab.lab.providers[1].client, "203.0.113.60"))

    // The provider moves the reservation and the gateway; the client's next request is refused (NAK), the old
    // address expires, and the new lease is bound: what a renewal does when the server moved the host.
    Self.stop(lab, "dnsmasq.pid")
    try Self.startDnsmasq(lab, address: "203.0.113.61", router: "203.0.113.254", generation: 2)
    Self.stop(lab, "dhclient.pid")
    let renewal = Date()
    let second = try Self.dhclient(lab, script: script)
    #expect(second.status == 0, "dhclient: \(second.errorText)")
    let moved = try lab.seconds(since: renewal) {
      try lab.converged("isp2", address: "203.0.113.61", gateway: "203.0.113.254", stale: "203.0.113.60")
    }
    print(
      "follow: new lease -> isp2's table and rule moved in \(Self.figure(moved))")
    // The refused request expired the old lease (polroute followed it), then the new one was bound.
    #expect(lab.log.contains("dhclient EXPIRE isp2: apply --interface isp2 done"), "\(lab.log)")
    #expect(moved != nil && moved! <= Self.bound, "rules: \((try? lab.rules()) ?? [])\nhooks: \(lab.log)")
    #expect(!(try lab.rules()).contains { $0.contains("203.0.113.60") }, "\((try? lab.rules()) ?? [])")
    // Strict rp_filter on the host, the router and the client: the reply from the new address leaves by isp2.
    #expect(try ProviderLab.reaches(lab.lab.providers[1].client, "203.0.113.61"))
    #expect(try ProviderLab.reaches(lab.lab.providers[0].client, "198.51.100.10"))
    // inspect names nothing stale, and a full plan has nothing left to do.
    let plan = try lab.lab.host.polroute(["plan", "--detailed-exitcode", "--no-flows"])
    #expect(plan.status == 0, "\(plan.outputText)")
  }

  /// A scratch copy of Debian's dhcpcd-run-hooks whose hook directory holds only polroute's hook (docs/hooks/dhcpcd,
  /// as `make install` puts it), and a dhcpcd.conf that gives the hooks the lab's environment (dhcpcd runs them
  /// with its own).
  static func dhcpcdFiles(_ lab: Lab) throws -> (script: String, configuration: String) {
    let original = try #require(TestPaths.read("/usr/lib/dhcpcd/dhcpcd-run-hooks"))
    let script = original.replacingOccurrences(
      of: "/usr/lib/dhcpcd/dhcpcd-hooks/*", with: lab.scratch.path + "/dhcpcd-hooks/*")
    #expect(script != original, "Debian's dhcpcd-run-hooks no longer reads /usr/lib/dhcpcd/dhcpcd-hooks")
    try lab.scratch.write("dhcpcd-run-hooks.in", script)
    try Live.check([
      "install", "-D", "-m", "0644", TestPaths.packageRoot + "/docs/hooks/dhcpcd",
      lab.scratch.path + "/dhcpcd-hooks/62-polroute",
    ])
    try Live.check([
      "install", "-m", "0755", lab.scratch.path + "/dhcpcd-run-hooks.in", lab.scratch.path + "/dhcpcd-run-hooks",
    ])
    // dhcpcd 9.4.1 loses the first `env` line of its configuration (seen here: the hooks lacked it): a first one
    // that nothing reads goes before the lab's.
    let configuration =
      ["env POLROUTE_UNUSED=1"] + lab.hookEnvironment.map { "env \($0)" } + [
        "ipv4only", "noipv6rs", "nohook resolv.conf",
      ]
    try lab.scratch.write("dhcpcd.conf", configuration.joined(separator: "\n") + "\n")
    return (lab.scratch.path + "/dhcpcd-run-hooks", lab.scratch.path + "/dhcpcd.conf")
  }

  @Test("dhcpcd's lease gives isp2 its table and rule through the real dhcpcd-run-hooks; stopping it takes them away")
  func dhcpcdLease() throws {
    let lab = try Lab("fdc", count: 2)
    // dhcpcd keeps its lease under /var/lib/dhcpcd, named after the interface: the lab's goes with the lab.
    defer {
      _ = try? lab.lab.host.exec(["dhcpcd", "-4", "-x", "isp2"])
      Self.stop(lab, "dnsmasq.pid")
      try? FileManager.default.removeItem(atPath: "/var/lib/dhcpcd/isp2.lease")
    }
    try lab.lab.host.ip("addr flush dev isp2")
    try lab.lab.host.ip("route flush dev isp2")
    #expect(try lab.lab.host.polroute(["apply"]).status == 0)
    #expect(try lab.table(of: "203.0.113.10") == nil)
    let (script, configuration) = try Self.dhcpcdFiles(lab)

    try Self.startDnsmasq(lab, address: "203.0.113.60", router: "203.0.113.1", generation: 1)
    let start = Date()
    // dhcpcd forks to the background once the lease is bound (no ARP probe first: `noarp`), and stays to renew it,
    // logging to its standard error:
    // a file, since a pipe closed behind it would end it with SIGPIPE.
    let daemon = try lab.lab.host.exec([
      "sh", "-c", "exec timeout 60 dhcpcd -4 -c \"$1\" -f \"$2\" isp2 < /dev/null >> \"$3\" 2>&1", "sh", script,
      configuration, lab.scratch.path + "/dhcpcd.out",
    ])
    #expect(daemon.status == 0, "dhcpcd: \(lab.scratch.read("dhcpcd.out") ?? "")")
    // dhcpcd's own part (its initial delay, the exchange), then polroute's from the address being there.
    let leased = try lab.seconds(within: 30, since: start) {
      try lab.lab.host.ip("-4 addr show dev isp2").outputText.contains("203.0.113.60/24")
    }
    let addressed = Date()
    let bound = try lab.seconds(since: addressed) {
      try lab.converged("isp2", address: "203.0.113.60", gateway: "203.0.113.1")
    }
    print("follow: dhcpcd leased in \(Self.figure(leased)); then isp2's table and rule in \(Self.figure(bound))")
    #expect(
      bound != nil && bound! <= Self.bound,
      "rules: \((try? lab.rules()) ?? [])\nhooks: \(lab.log)\ndhcpcd: \(lab.scratch.read("dhcpcd.out") ?? "")")
    #expect(lab.log.contains("-t polroute dhcpcd BOUND isp2: apply --interface isp2 done"), "\(lab.log)")
    // Strict rp_filter on the host, the router and the client: the reply from the leased address leaves by isp2.
    #expect(try ProviderLab.reaches(lab.lab.providers[1].client, "203.0.113.60"))
    #expect(try ProviderLab.reaches(lab.lab.providers[0].client, "198.51.100.10"))

    // Stopping dhcpcd removes the address; its STOP event runs the hook, which takes isp2's rule and table away.
    let stop = Date()
    // Started with -4, dhcpcd answers to -4 (its pid file and socket are isp2-4's).
    let stopped = try lab.lab.host.exec(["timeout", "30", "dhcpcd", "-4", "-x", "isp2"])
    #expect(stopped.status == 0, "dhcpcd -x: \(stopped.errorText)\n\(lab.scratch.read("dhcpcd.out") ?? "")")
    let gone = try lab.seconds(since: stop) { try lab.table(of: "203.0.113.60") == nil }
    print("follow: dhcpcd stopped -> isp2's rule gone in \(Self.figure(gone))")
    #expect(gone != nil && gone! <= Self.bound, "rules: \((try? lab.rules()) ?? [])\nhooks: \(lab.log)")
    #expect(lab.log.contains("dhcpcd STOP isp2: apply --interface isp2 done"), "\(lab.log)")
    #expect(!(try lab.rules()).contains { $0.contains("203.0.113.60") }, "\((try? lab.rules()) ?? [])")
    #expect(try ProviderLab.reaches(lab.lab.providers[0].client, "198.51.100.10"))
  }

  @Test("a link taken down and up converges, and a ping stream through the other uplink loses no packet")
  func linkDownAndUp() throws {
    let lab = try Lab("fld", count: 2)
    #expect(try lab.lab.host.polroute(["apply"]).status == 0)
    let table = try #require(try lab.table(of: "203.0.113.10"))
    // 100 pings, 50 ms apart, from isp1's client to isp1's address, across the whole change.
    let pings = lab.scratch.path + "/ping.out"
    let stream = Process()
    stream.executableURL = URL(fileURLWithPath: "/bin/sh")
    stream.arguments = [
      "-c", "exec ip netns exec \"$1\" ping -n -c 100 -i 0.05 -W 1 198.51.100.10 > \"$2\" 2>&1", "sh",
      lab.lab.providers[0].client.name, pings,
    ]
    try stream.run()
    usleep(500_000)

    try lab.lab.host.ip("link set isp2 down")
    let down = Date()
    try lab.ifupdownHook("isp2", phase: "post-down")
    let gone = try lab.seconds(since: down) { try lab.table(of: "203.0.113.10") == nil }
    print("follow: isp2 down -> its rules gone in \(Self.figure(gone))")
    #expect(gone != nil && gone! <= Self.bound, "\((try? lab.rules()) ?? [])\n\(lab.log)")
    #expect(!(try lab.rules()).contains { $0.contains("lookup \(table)") }, "\((try? lab.rules()) ?? [])")

    try lab.lab.host.ip("link set isp2 up")
    // The link's own configuration puts its gateway back, as ifupdown's `gateway` line does.
    _ = eventually(seconds: 5) {
      (try? lab.lab.host.ip("route add default via 203.0.113.1 metric 200")) != nil
    }
    let up = Date()
    try lab.ifupdownHook("isp2", phase: "post-up")
    let back = try lab.seconds(since: up) {
      try lab.converged("isp2", address: "203.0.113.10", gateway: "203.0.113.1")
    }
    print("follow: isp2 up -> its table and rule back in \(Self.figure(back))")
    #expect(back != nil && back! <= Self.bound, "\((try? lab.rules()) ?? [])\n\(lab.log)")
    // The same table number as before: a link flap never renumbers.
    #expect(try lab.table(of: "203.0.113.10") == table)
    #expect(try ProviderLab.reaches(lab.lab.providers[1].client, "203.0.113.10"))

    stream.waitUntilExit()
    let output = TestPaths.read(pings) ?? ""
    print("follow: ping stream through isp1: \(output.split(separator: "\n").last { $0.contains("packet") } ?? "")")
    #expect(output.contains("100 packets transmitted, 100 received, 0% packet loss"), "\(output)")
  }

  @Test("three uplinks, one going down: its table and rules go, the others' stay and answer; back up, it returns")
  func threeUplinksOneDown() throws {
    let lab = try Lab("fl3", count: 3)
    #expect(try lab.lab.host.polroute(["apply"]).status == 0)
    let before = try lab.rules()
    let isp3 = try #require(try lab.table(of: "192.0.2.10"))
    let others = before.filter { !$0.contains("lookup \(isp3)") && !$0.contains("192.0.2.") }
    let otherRoutes = try [lab.table(of: "198.51.100.10"), lab.table(of: "203.0.113.10")].compactMap { $0 }.map {
      try lab.routes($0)
    }

    try lab.lab.host.ip("link set isp3 down")
    try lab.ifupdownHook("isp3", phase: "post-down")
    #expect(try lab.table(of: "192.0.2.10") == nil)
    #expect(!(try lab.rules()).contains { $0.contains("lookup \(isp3)") }, "\((try? lab.rules()) ?? [])")
    #expect(try lab.routes(isp3).isEmpty)
    // The other uplinks' source rules and tables are as they were, and their clients reach them.
    let after = try lab.rules()
    #expect(others.filter { $0.contains(" lookup ") && !$0.contains(" to ") }.allSatisfy(after.contains), "\(after)")
    #expect(
      try [lab.table(of: "198.51.100.10"), lab.table(of: "203.0.113.10")].compactMap { $0 }.map { try lab.routes($0) }
        == otherRoutes)
    let clients = [("client 1", lab.lab.providers[0].client), ("client 2", lab.lab.providers[1].client)]
    #expect(try lab.lab.unreachable(from: clients, to: ["198.51.100.10", "203.0.113.10"]) == [])

    try lab.lab.host.ip("link set isp3 up")
    _ = eventually(seconds: 5) {
      (try? lab.lab.host.ip("route add default via 192.0.2.1 metric 300")) != nil
    }
    try lab.ifupdownHook("isp3", phase: "post-up")
    #expect(try lab.table(of: "192.0.2.10") == isp3)
    // Every source rule as before (the guards against isp3's network are back too, at priorities of their band).
    let sources = { (rules: [String]) in Set(rules.filter { !$0.contains(" to ") }) }
    #expect(sources(try lab.rules()) == sources(before), "\((try? lab.rules()) ?? [])")
    #expect(try lab.rules().filter { $0.contains("to 192.0.2.0/24") }.count == 2, "\((try? lab.rules()) ?? [])")
    #expect(try ProviderLab.reaches(lab.lab.providers[2].client, "192.0.2.10"))
  }

  @Test("polroute watch follows an address and a gateway changed by hand, and stops with its monitor on SIGTERM")
  func watchFollows() throws {
    let lab = try Lab("flw", count: 2)
    #expect(try lab.lab.host.polroute(["apply"]).status == 0)
    try lab.lab.providers[1].router.ip("addr add 203.0.113.254/24 dev south")
    let output = lab.scratch.path + "/watch.out"
    let watch = Process()
    watch.executableURL = URL(fileURLWithPath: "/bin/sh")
    watch.arguments = [
      "-c", "exec ip netns exec \"$1\" \"$2\" watch --debounce 200 > \"$3\" 2>&1", "sh", lab.lab.host.name,
      TestPaths.binary, output,
    ]
    try watch.run()
    defer { if watch.isRunning { kill(watch.processIdentifier, SIGKILL) } }
    #expect(eventually(seconds: 10) { (TestPaths.read(output) ?? "").contains("following ip -o monitor") })

    // No hook runs: the address and the gateway change by hand.
    let start = Date()
    try lab.lab.host.ip("addr del 203.0.113.10/24 dev isp2")
    try lab.lab.host.ip("addr add 203.0.113.11/24 dev isp2")
    try lab.lab.host.ip("route add default via 203.0.113.254 dev isp2 metric 200")
    let moved = try lab.seconds(since: start) {
      try lab.converged("isp2", address: "203.0.113.11", gateway: "203.0.113.254", stale: "203.0.113.10")
    }
    print("follow: watch -> isp2's table and rule moved in \(Self.figure(moved))")
    #expect(moved != nil && moved! <= Self.bound, "\((try? lab.rules()) ?? [])\n\(TestPaths.read(output) ?? "")")
    #expect(try ProviderLab.reaches(lab.lab.providers[1].client, "203.0.113.11"))
    // The line comes when the apply has verified and exited, after the kernel already holds the change.
    #expect(
      eventually(seconds: 10) {
        (TestPaths.read(output) ?? "").contains("polroute watch: isp2 changed: apply --interface isp2 done")
      }, "\(TestPaths.read(output) ?? "")")

    kill(watch.processIdentifier, SIGTERM)
    watch.waitUntilExit()
    #expect(watch.terminationStatus == 0)
    #expect((TestPaths.read(output) ?? "").contains("polroute watch: stopped by SIGTERM"))
    // Its ip monitor went with it.
    let gone = eventually(seconds: 5) {
      ((try? Live.run(["ip", "netns", "pids", lab.lab.host.name]).outputText) ?? "x").isEmpty
    }
    #expect(
      gone,
      "processes left in the namespace: \((try? Live.run(["ip", "netns", "pids", lab.lab.host.name]).outputText) ?? "")"
    )
  }
}
