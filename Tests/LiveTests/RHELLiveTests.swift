import Foundation
import PolrouteCore
import TestSupport
import Testing

/// RHEL route-/rule- files, polroute's block beside the user's own lines, read the way initscripts' ifup-routes
/// reads the ip-argument format. RHEL's initscripts cannot be installed on this Debian machine, so the reading is
/// modelled on its `handle_ip_file`: each file's lines, blank and `#` lines skipped, run unquoted as
/// `ip -4|-6 route|rule add $line` (a route falling back to `replace`), errors ignored.
@Suite(
  "RHEL network-scripts, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost + [.ping]), .serialized)
struct RHELLiveTests {
  /// ifup-routes' reading of one interface's four files.
  static let ifupRoutes = ##"""
    #!/bin/bash
    dir=$1
    device=$2
    MATCH='^[[:space:]]*(\#.*)?$'
    for file in route rule route6 rule6; do
      f="$dir/$file-$device"
      [ -f "$f" ] || continue
      type=${file%6}
      proto=-4
      [ "$type" != "$file" ] && proto=-6
      { cat "$f"; echo; } | while read line; do
        if [[ ! "$line" =~ $MATCH ]]; then
          ip $proto $type add $line 2>/dev/null || { [ "$type" = route ] && ip $proto route replace $line 2>/dev/null; }
        fi
      done
    done
    exit 0

    """##

  @Test("the user's route stays in route-mgmt, and ifup-routes' reading brings up exactly the policy beside it")
  func userLinesAndPolicy() throws {
    let topology = try Topology.dualHomed("rhel", dualStack: true)
    let server = topology.server
    let scratch = try ScratchDirectory("rhel")
    let root = try scratch.directory("root")
    let directory = root + "/etc/sysconfig/network-scripts"
    let mine = "# my own route, in a table of mine\n192.0.2.0/26 via 198.51.100.1 dev mgmt table 300\n"
    try scratch.write("root/etc/sysconfig/network-scripts/route-mgmt", mine)
    let render = try server.polroute(["render", "--format", "rhel", "--root", root])
    #expect(render.status == 0, "render: \(render.errorText)")
    let written = try #require(TestPaths.read(directory + "/route-mgmt"))
    #expect(written.hasPrefix(mine + MarkedBlock.begin + "\n"))
    // A plan of the same files changes nothing, and shows no line of the user's.
    let plan = try server.polroute(["plan", "--format", "rhel", "--root", root, "--detailed-exitcode"])
    #expect(!plan.outputText.contains("192.0.2.0/26"), "\(plan.outputText)")

    let script = try scratch.write("ifup-routes", Self.ifupRoutes, mode: 0o755)
    for device in ["mgmt", "data"] {
      let run = try server.exec(["bash", script, directory, device])
      #expect(run.status == 0, "\(device): \(run.errorText)")
    }
    #expect(try server.polroute(["plan", "--detailed-exitcode"]).status == 0, "the kernel differs from the policy")
    #expect(try server.ip("-4 route show table 300").outputText.contains("192.0.2.0/26 via 198.51.100.1 dev mgmt"))
    for address in ["198.51.100.10", "203.0.113.10", "2001:db8:a::10"] {
      #expect(try topology.clientReaches(address), "\(address) does not answer")
    }
    // Read again (a second ifup), nothing changes.
    let before = try server.dump()
    for device in ["mgmt", "data"] { _ = try server.exec(["bash", script, directory, device]) }
    #expect(try server.dump() == before)
  }
}
