import Foundation
import PolrouteCore
import TestSupport
import Testing

/// `rt_tables.d/polroute.conf` read by the real `ip`: installed in a namespace's private /etc (`ip netns exec`
/// bind-mounts /etc/netns/NAME/iproute2 over /etc/iproute2), its names appear in `ip rule show` and work in
/// `ip route show table NAME`.
@Suite("rt_tables, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost), .serialized)
struct RTTablesLiveTests {
  @Test("ip prints and accepts the table names polroute writes; the script and plan are unaffected by them")
  func namesInIP() throws {
    let topology = try Topology.dualHomed("rtt")
    let server = topology.server
    let scratch = try ScratchDirectory("rtt")
    let render = try server.polroute(["render", "--format", "rt_tables"])
    #expect(render.status == 0, "render: \(render.errorText)")
    #expect(render.outputText.split(separator: "\n").filter { !$0.hasPrefix("#") } == ["100\tdata", "101\tmgmt"])

    // The namespace's own iproute2 directory: a copy of the host's, plus polroute's file.
    let etc = "/etc/netns/\(server.name)"
    try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
    try Live.check(["cp", "-a", "/etc/iproute2", etc + "/iproute2"])
    try render.outputText.write(toFile: etc + "/iproute2/rt_tables.d/polroute.conf", atomically: false, encoding: .utf8)

    let script = try ScriptLiveTests.render(server, policy: nil, into: scratch)
    let run = try server.sh(script.path)
    #expect(run.status == 0 && run.errorText == "", "script: \(run.errorText)")

    let rules = try server.checkExec(["ip", "-4", "rule", "show"]).outputText
    #expect(
      rules == """
        0:\tfrom all lookup local
        14000:\tfrom 198.51.100.10 to 192.0.2.128/25 lookup mgmt proto 177
        14001:\tfrom 203.0.113.10 to 198.51.100.0/24 lookup data proto 177
        14002:\tfrom 198.51.100.10 to 203.0.113.0/24 lookup mgmt proto 177
        19000:\tfrom all lookup main suppress_prefixlength 0 proto 177
        20000:\tfrom 203.0.113.10 lookup data proto 177
        20001:\tfrom 198.51.100.10 lookup mgmt proto 177
        32766:\tfrom all lookup main
        32767:\tfrom all lookup default

        """)
    let data = try server.checkExec(["ip", "-4", "route", "show", "table", "data"]).outputText
    #expect(
      Self.collapsed(data) == """
        default via 203.0.113.1 dev data proto 177
        203.0.113.0/24 dev data proto 177 scope link src 203.0.113.10

        """)
    #expect(data == (try server.checkExec(["ip", "-4", "route", "show", "table", "100"])).outputText)
    let mgmt = try server.checkExec(["ip", "-4", "route", "show", "table", "mgmt"]).outputText
    #expect(
      Self.collapsed(mgmt) == """
        default via 198.51.100.1 dev mgmt proto 177
        198.51.100.0/24 dev mgmt proto 177 scope link src 198.51.100.10

        """)
    // `ip -n NAME` switches to the namespace's /etc as `ip netns exec` does; the host's own /etc has no such name.
    #expect(try Live.run(["ip", "-n", server.name, "-4", "route", "show", "table", "data"]).outputText == data)
    let host = try Live.run(["ip", "-4", "route", "show", "table", "data"])
    #expect(host.status == 255)
    #expect(host.errorText == "Error: argument \"data\" is wrong: table id value is invalid")

    // With the names installed the script still sees its rules as right, and polroute reads its own file back:
    // the same names, the file unchanged, nothing to do.
    let before = try server.dump()
    let again = try server.sh(script.path)
    #expect(again.status == 0 && again.errorText == "", "script again: \(again.errorText)")
    #expect(try server.dump() == before)
    let plan = try server.polroute(["plan", "--format", "rt_tables", "--detailed-exitcode"])
    #expect(plan.status == 0, "plan: \(plan.outputText)")
    #expect(plan.outputText.contains("Files under /: no changes.\n"), "\(plan.outputText)")
  }

  /// Text with each line's whitespace runs collapsed to one space and trailing whitespace removed.
  static func collapsed(_ text: String) -> String {
    text.split(separator: "\n").map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") + "\n" }.joined()
  }
}
