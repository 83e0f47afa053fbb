import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// The real ISC dhclient gets a lease from dnsmasq across a veth pair; polroute's reader finds the router it leased,
/// both through the library on the lease file and through `polroute inspect --json` run where the host keeps it.
@Suite(
  "host configuration, live", .enabled(if: Live.enabled),
  .requires(TestTool.namespaceHost + [TestTool("dhclient"), TestTool("dnsmasq")]), .serialized)
struct HostConfigurationLiveTests {
  @Test("dhclient's lease from dnsmasq: the reader and inspect --json find its router as the DHCP interface's gateway")
  func dhclientLease() throws {
    let server = try Namespace("hcsrv")
    let client = try Namespace("hccli")
    try server.link("dhs0", to: client, as: "up0")
    try server.ip("addr add 198.51.100.1/24 dev dhs0")
    let scratch = try ScratchDirectory("hostconfig-live")
    let leaseFile = scratch.path + "/root/var/lib/dhcp/dhclient.up0.leases"
    try FileManager.default.createDirectory(
      atPath: scratch.path + "/root/var/lib/dhcp", withIntermediateDirectories: true)
    // Both daemons detach (output to /dev/null, so nothing holds the runner's pipes) and are stopped through their
    // pid files however the test ends.
    defer {
      for pidFile in ["dhclient.pid", "dnsmasq.pid"] {
        if let pid = TestPaths.read(scratch.path + "/" + pidFile).flatMap({
          Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }) {
          kill(pid, SIGTERM)
        }
      }
    }
    // The router option names another address than the server's, so the gateway can only come from option 3.
    try Live.check([
      "ip", "netns", "exec", server.name, "sh", "-c",
      "exec dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --port=0 --user=root --interface=dhs0 "
        + "--bind-interfaces --dhcp-authoritative --dhcp-range=198.51.100.100,198.51.100.199,255.255.255.0,1h "
        + "--dhcp-option=option:router,198.51.100.254 --dhcp-leasefile=\"$1/dnsmasq.leases\" "
        + "--pid-file=\"$1/dnsmasq.pid\" >/dev/null 2>&1",
      "sh", scratch.path,
    ])
    // dhclient without a script (it must not touch the host's resolv.conf): it returns once it has a lease (or
    // fails after its timeout with -1) and stays in the background to renew it.
    let dhclient = try Live.run([
      "ip", "netns", "exec", client.name, "sh", "-c",
      "exec dhclient -4 -1 -sf /bin/true -lf \"$1\" -pf \"$2/dhclient.pid\" up0 </dev/null >/dev/null 2>\"$2/dhclient.log\"",
      "sh", leaseFile, scratch.path,
    ])
    #expect(dhclient.status == 0, "dhclient failed: \(scratch.read("dhclient.log") ?? "")")
    let leased = (TestPaths.read(leaseFile) ?? "").contains("option routers")
    #expect(leased, "dhclient wrote no lease: \(scratch.read("dhclient.log") ?? "")")
    guard leased else { return }
    try scratch.write("root/etc/network/interfaces", "allow-hotplug up0\niface up0 inet dhcp\n")
    let index = try #require(
      Int(
        try client.checkExec(["cat", "/sys/class/net/up0/ifindex"]).outputText.trimmingCharacters(
          in: .whitespacesAndNewlines)))

    // The library, on the scratch root.
    let configuration = HostConfigurationReader(files: RootedFileSystem(root: scratch.path + "/root")).read(
      links: [LinkIdentity(name: "up0", index: index, networkdType: "ether", kind: "veth")],
      now: HostConfigurationReader.now())
    #expect(configuration.management(of: "up0")?.manager == .ifupdown)
    let gateways = configuration.gateways(for: "up0", family: .inet)
    #expect(gateways.map(\.address) == [IPAddress("198.51.100.254")!])
    #expect(gateways.first?.source == .dhclientLease)
    #expect(gateways.first?.location?.file == "/var/lib/dhcp/dhclient.up0.leases")
    #expect((gateways.first?.expires ?? 0) > HostConfigurationReader.now())
    #expect(configuration.leases(for: "up0").first?.address?.description.hasPrefix("198.51.100.1") == true)

    // The binary, inside the client namespace, with the scratch lease and interfaces file where Debian keeps them.
    let mounted = try Live.run([
      "ip", "netns", "exec", client.name, "unshare", "--mount", "--propagation", "private", "sh", "-c",
      "mount --bind \"$1/var/lib/dhcp\" /var/lib/dhcp && mount --bind \"$1/etc/network\" /etc/network "
        + "&& exec \"$2\" inspect --json",
      "sh", scratch.path + "/root", TestPaths.binary,
    ])
    #expect(mounted.status == 0, "inspect failed: \(mounted.errorText)")
    let state = try Snapshot.decode(mounted.output, file: "inspect")
    let inspected = try #require(state.hostConfiguration)
    #expect(inspected.interface(named: "up0")?.index == index)
    #expect(inspected.gateways(for: "up0", family: .inet).first?.address == IPAddress("198.51.100.254")!)
    #expect(inspected.interface(named: "up0")?.ifupdown?.stanzas.first?.method == "dhcp")
  }
}
