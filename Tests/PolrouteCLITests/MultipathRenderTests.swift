import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI

/// What the managers that cannot carry a multipath route say about it: the statement's position, the format, and
/// why, for the sample host whose data is networkd's and mgmt NetworkManager's, both defined in netplan too.
struct MultipathRenderTests {
  /// A balance group and a multipath route over both uplinks of the sample host.
  static let policy = """
    uplink data dev data table 100 via 203.0.113.1
    uplink mgmt dev mgmt table 101 via 198.51.100.1
    table wan 300
    route 192.0.2.0/24 table wan nexthop via 203.0.113.1 nexthop via 198.51.100.1 weight 2
    balance out table 301 uplinks data mgmt
    """

  /// The policy resolved for the sample host.
  static func resolved() throws -> Policy {
    let parsed = PolicyParser.parse(policy, file: "p.conf")
    return try PolicyResolver(state: SampleHosts.dualHomed, document: parsed.document, isSnapshot: true).resolve()
  }

  @Test func networkManagerNamesTheStatementItCannotCarry() throws {
    let policy = try Self.resolved()
    let context = RenderContext(hostname: "server", hostConfiguration: SampleHosts.networkManagerConfiguration)
    let (_, diagnostics) = NetworkManagerRenderer.connections(policy, context: context)
    let multipath = diagnostics.map(\.description).filter { $0.contains("multipath") }
    // Once per connection: each profile that would carry the route lacks it.
    let why = "NetworkManager has no multipath routes (its ipv4.routes take one next hop each)"
    #expect(
      multipath == [
        "p.conf:4:1: error: nm: cannot write route 192.0.2.0/24 (table 300) to connection data (data): \(why)",
        "p.conf:5:1: error: nm: cannot write route default (table 301) to connection data (data): \(why)",
        "p.conf:4:1: error: nm: cannot write route 192.0.2.0/24 (table 300) to connection mgmt (mgmt): \(why)",
        "p.conf:5:1: error: nm: cannot write route default (table 301) to connection mgmt (mgmt): \(why)",
      ], "\(diagnostics)")
  }

  @Test func netplanNamesTheStatementItCannotCarry() throws {
    let policy = try Self.resolved()
    let context = RenderContext(hostname: "server", hostConfiguration: SampleHosts.managedConfiguration)
    let result = NetplanYAMLRenderer.render(policy, context: context)
    let multipath = result.diagnostics.map(\.description).filter { $0.contains("multipath") }
    #expect(multipath.count == 4, "\(result.diagnostics)")
    #expect(
      multipath.contains(
        "p.conf:4:1: warning: netplan: cannot carry route 192.0.2.0/24 (table 300) for data: netplan has no "
          + "multipath routes (a route's via takes one gateway)"), "\(multipath)")
    #expect(
      multipath.contains(
        "p.conf:5:1: warning: netplan: cannot carry route default (table 301) for mgmt: netplan has no "
          + "multipath routes (a route's via takes one gateway)"), "\(multipath)")
  }

  @Test func networkdWritesEveryNexthopWithItsDevice() throws {
    let policy = try Self.resolved()
    let context = RenderContext(hostname: "server", hostConfiguration: SampleHosts.managedConfiguration)
    let files = NetworkdRenderer.render(policy, context: context).files
    let text = files.map(\.contents).joined(separator: "\n")
    #expect(text.contains("MultiPathRoute=203.0.113.1@data 1\nMultiPathRoute=198.51.100.1@mgmt 2\n"), "\(text)")
  }
}

/// inspect on a host whose main has a multipath default (the classic "load balancing" setup made by hand).
struct MultipathInspectTests {
  @Test func inspectShowsEveryNexthopOfMainsMultipathDefault() {
    var state = SampleHosts.dualHomed
    state.routes[0] = Route(
      destination: IPPrefix("0.0.0.0/0")!,
      nexthops: [
        Nexthop(gateway: IPAddress("198.51.100.1")!, device: "mgmt", weight: 1),
        Nexthop(gateway: IPAddress("203.0.113.1")!, device: "data", weight: 3),
      ])
    let text = InspectReport.text(state: state, findings: [], style: Style(for: CapturedSink(), environment: [:]))
    #expect(
      text.contains(
        "\ndefault routes in main:\n  inet  default nexthop via 198.51.100.1 dev mgmt nexthop via 203.0.113.1 dev data "
          + "weight 3\n"), "\(text)")
    // Each interface's gateway names its own next hop and what it shares.
    #expect(
      text.contains(
        "gateway inet  198.51.100.1 (multipath default route in main: nexthop via 198.51.100.1 dev mgmt weight 1 of 2 "
          + "nexthops, total weight 4)"), "\(text)")
    #expect(
      text.contains(
        "gateway inet  203.0.113.1 (multipath default route in main: nexthop via 203.0.113.1 dev data weight 3 of 2 "
          + "nexthops, total weight 4)"), "\(text)")
  }
}

/// The kernel settings of uplink groups in `plan --json`, and the formats that cannot carry them.
struct GroupSettingsTests {
  static let example = TestPaths.examples + "/balanced-uplinks"

  @Test func planJSONListsEverySettingWithItsReason() throws {
    let run = CLIRun([
      "plan", "--json", "--state", Self.example + "/state.json", "--policy", Self.example + "/polroute.conf",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let settings = try #require(document["settings"] as? [[String: String]])
    #expect(
      settings.map { "\($0["name"]!)=\($0["value"]!): \($0["reason"]!)" } == [
        "net.ipv4.fib_multipath_hash_policy=1: balance wan: hash layer4",
        "net.ipv4.conf.isp1.ignore_routes_with_linkdown=1: balance wan: isp1 leaves the group while its link is down",
        "net.ipv4.conf.isp2.ignore_routes_with_linkdown=1: balance wan: isp2 leaves the group while its link is down",
      ])
    // A snapshot does not say what the host has: the value now is unknown.
    #expect(settings.allSatisfy { $0["now"] == nil })
  }

  @Test func formatsWithoutTheSettingsSaySo() throws {
    let parsed = PolicyParser.parse(
      try #require(TestPaths.read(Self.example + "/polroute.conf")), file: "polroute.conf")
    let state = try Snapshot.decode(
      Array(try #require(TestPaths.read(Self.example + "/state.json")).utf8), file: "state.json")
    let policy = try PolicyResolver(state: state, document: parsed.document, isSnapshot: true).resolve()
    let context = RenderContext(hostname: "h")
    let warning =
      "warning: rhel, debian: cannot carry the kernel settings the policy asks for (net.ipv4.fib_multipath_hash_policy=1 "
      + "net.ipv4.conf.isp1.ignore_routes_with_linkdown=1 net.ipv4.conf.isp2.ignore_routes_with_linkdown=1): after a "
      + "reboot they are the kernel's defaults until 'polroute apply' runs (add --format systemd, or set them in "
      + "/etc/sysctl.d)"
    #expect(
      Renderers.render([.rhel, .debian, .rtTables], policy: policy, context: context).diagnostics.map(\.description)
        .contains(warning))
    for carrier in [RenderFormat.script, .systemd] {
      #expect(
        !Renderers.render([.rhel, carrier], policy: policy, context: context).diagnostics.contains {
          $0.message.contains("kernel settings")
        })
    }
    let script = IPRouteScriptRenderer.script(policy, context: context)
    #expect(
      script.contains(
        "sysctl -q -w net/ipv4/conf/isp2/ignore_routes_with_linkdown=1 || echo 'polroute: cannot set "
          + "net.ipv4.conf.isp2.ignore_routes_with_linkdown' >&2\n"))
  }
}
