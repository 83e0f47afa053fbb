import Foundation
import PolrouteCore
import TestSupport
import Testing

/// The network managers' hooks under docs/hooks, run by a real `sh` as each manager runs them (executed with
/// arguments and environment, or sourced with the lease's variables), with `polroute` and `logger` replaced by
/// scripts that record their arguments: which events apply which interface, what is logged, and that nothing runs
/// without an installed policy.
@Suite("network manager hooks")
struct HookTests {
  /// The hooks, by file name under docs/hooks.
  static let hooks = ["ifupdown", "networkmanager", "networkd-dispatcher", "dhclient", "dhcpcd"]
  /// The hooks a manager sources instead of executing.
  static let sourced: Set<String> = ["dhclient", "dhcpcd"]

  /// A scratch root (with or without a policy), fake `polroute` and `logger`, and their records.
  final class Sandbox {
    /// The directory.
    let directory: TemporaryDirectory

    /// Builds it; `policy` installs /etc/polroute.conf under the root, `persisted` polroute's rt_tables file.
    init(policy: Bool, persisted: Bool = false) throws {
      directory = try TemporaryDirectory("hooks")
      // Written as plain files and made executable by `install`, in a process of its own: an executable this
      // process had open for writing could be inherited by another test's fork and then fail to run (ETXTBSY).
      try directory.write(
        "fake/polroute", "#!/bin/sh\necho \"$*\" >> \"$HOOK_RECORD/polroute.log\"\nexit ${HOOK_EXIT:-0}\n")
      try directory.write("fake/logger", "#!/bin/sh\necho \"$*\" >> \"$HOOK_RECORD/logger.log\"\n")
      for name in ["polroute", "logger"] {
        _ = try Live.check([
          "install", "-D", "-m", "0755", directory.path + "/fake/" + name, directory.path + "/bin/" + name,
        ])
      }
      if policy { try directory.write("root/etc/polroute.conf", "auto\n") }
      if persisted { try directory.write("root/etc/iproute2/rt_tables.d/polroute.conf", "100 data\n") }
      try FileManager.default.createDirectory(atPath: directory.path + "/root", withIntermediateDirectories: true)
    }

    /// Runs a hook as its manager does: executed with `arguments`, or sourced (then a line after it must run).
    func run(_ hook: String, arguments: [String] = [], environment: [String: String]) throws -> (
      status: Int32, output: String, polroute: [String], logged: [String]
    ) {
      let path = TestPaths.packageRoot + "/docs/hooks/" + hook
      var variables = environment
      variables["PATH"] = directory.path + "/bin:/usr/bin:/bin"
      variables["POLROUTE_ROOT"] = directory.path + "/root"
      variables["HOOK_RECORD"] = directory.path
      let exports = variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
      let body =
        HookTests.sourced.contains(hook)
        ? ". \(ShellQuoting.quote(path)); echo still-running"
        : "exec \(([path] + arguments).map(ShellQuoting.quote).joined(separator: " "))"
      let result = try Live.run(["env", "-i"] + exports + ["sh", "-c", body])
      func lines(_ name: String) -> [String] {
        directory.read(name).map { $0.split(separator: "\n").map(String.init) } ?? []
      }
      return (result.status, result.outputText + result.errorText, lines("polroute.log"), lines("logger.log"))
    }
  }

  @Test("every hook is clean under shellcheck as POSIX sh", .requires(.shellcheck), arguments: hooks)
  func shellcheck(_ hook: String) throws {
    let check = try Live.run(["shellcheck", "-s", "sh", TestPaths.packageRoot + "/docs/hooks/" + hook])
    #expect(check.status == 0 && check.outputText.isEmpty, "shellcheck \(hook): \(check.outputText)")
  }

  /// An event each hook acts on, as its manager delivers it.
  static let events: [String: (arguments: [String], environment: [String: String])] = [
    "ifupdown": ([], ["IFACE": "data", "PHASE": "post-up", "MODE": "start"]),
    "networkmanager": (["data", "dhcp4-change"], [:]),
    "networkd-dispatcher": ([], ["IFACE": "data", "STATE": "routable"]),
    "dhclient": ([], ["reason": "BOUND", "interface": "data", "new_ip_address": "203.0.113.61"]),
    "dhcpcd": ([], ["reason": "BOUND", "interface": "data", "new_ip_address": "203.0.113.61"]),
  ]

  @Test("without an installed policy a hook runs nothing, logs nothing and exits 0", arguments: hooks)
  func nothingWithoutPolicy(_ hook: String) throws {
    let sandbox = try Sandbox(policy: false)
    let event = try #require(Self.events[hook])
    let run = try sandbox.run(hook, arguments: event.arguments, environment: event.environment)
    #expect(run.status == 0)
    #expect(run.polroute.isEmpty && run.logged.isEmpty)
    #expect(run.output == (Self.sourced.contains(hook) ? "still-running\n" : ""), "\(run.output)")
  }

  @Test("with a policy a hook applies the event's interface, bounded, and logs it", arguments: hooks)
  func appliesTheInterface(_ hook: String) throws {
    let sandbox = try Sandbox(policy: true)
    let event = try #require(Self.events[hook])
    let run = try sandbox.run(hook, arguments: event.arguments, environment: event.environment)
    #expect(run.status == 0)
    #expect(run.polroute == ["apply --interface data --wait 10"], "\(run.output) \(run.logged)")
    #expect(run.logged.count == 1 && run.logged[0].hasPrefix("-t polroute "), "\(run.logged)")
    #expect(run.logged.first?.hasSuffix(": apply --interface data done") == true, "\(run.logged)")
    if Self.sourced.contains(hook) { #expect(run.output == "still-running\n") }
  }

  @Test("polroute's rt_tables file (apply --persist ran) counts as an installed policy")
  func persistedCounts() throws {
    let sandbox = try Sandbox(policy: false, persisted: true)
    let run = try sandbox.run("networkd-dispatcher", environment: ["IFACE": "data", "STATE": "off"])
    #expect(run.polroute == ["apply --interface data --wait 10"], "\(run.output) \(run.logged)")
  }

  @Test("a failed apply is logged with polroute's exit status, and the manager still sees success")
  func failureLogged() throws {
    let sandbox = try Sandbox(policy: true)
    let run = try sandbox.run("ifupdown", environment: ["IFACE": "data", "PHASE": "post-down", "HOOK_EXIT": "1"])
    #expect(run.status == 0)
    #expect(
      run.logged == ["-t polroute ifupdown post-down data: apply --interface data failed (exit 1): "], "\(run.logged)")
  }

  @Test("events that change nothing are passed over: loopback, ifupdown's --all, other dispatcher actions, a renewal")
  func ignoredEvents() throws {
    let sandbox = try Sandbox(policy: true)
    var runs = [
      try sandbox.run("ifupdown", environment: ["IFACE": "lo", "PHASE": "post-up"]),
      try sandbox.run("ifupdown", environment: ["IFACE": "--all", "PHASE": "post-up"]),
      try sandbox.run("networkmanager", arguments: ["data", "pre-up"], environment: [:]),
      try sandbox.run("networkmanager", arguments: ["", "connectivity-change"], environment: [:]),
    ]
    // A renewal with the same address, mask and gateway: nothing to follow.
    let same = [
      "reason": "RENEW", "interface": "data", "new_ip_address": "203.0.113.61", "old_ip_address": "203.0.113.61",
      "new_routers": "203.0.113.1", "old_routers": "203.0.113.1",
    ]
    runs.append(try sandbox.run("dhclient", environment: same))
    runs.append(try sandbox.run("dhcpcd", environment: same))
    #expect(runs.allSatisfy { $0.status == 0 })
    #expect(runs.last?.polroute == [])
    // The same renewal with a new gateway is followed.
    var moved = same
    moved["new_routers"] = "203.0.113.254"
    let followed = try sandbox.run("dhclient", environment: moved)
    #expect(followed.polroute == ["apply --interface data --wait 10"])
    // NetworkManager names the IP interface apart from the device (PPP): that is the one applied.
    let ppp = try sandbox.run("networkmanager", arguments: ["modem0", "up"], environment: ["DEVICE_IP_IFACE": "ppp0"])
    #expect(ppp.polroute.last == "apply --interface ppp0 --wait 10")
  }
}
