import PolrouteCore
import TestSupport
import Testing

@testable import PolrouteSystem

/// Route protocol names: FRR's rt_protos.d/frr.conf names 196 `static`, so `ip -j` prints `static` for both 4 and
/// 196. Found on this project's own test machine, where networkd's rules (`proto static`, 4) read as 196 and
/// polroute no longer recognised them.
@Suite("route protocol names")
struct ProtocolNamesTests {
  /// FRR's file, as frr 8.4 installs it.
  static let frr = """
    # Additional protocol strings defined by frr for each of its daemons

    186  bgp
    187  isis
    188  ospf
    189  rip
    190  ripng
    191  nhrp
    192  eigrp
    193  ldp
    194  sharp
    195  pbr
    196  static
    197  openfabric
    """

  @Test("a name iproute2 gives a well-known number keeps that number; FRR's other names are read")
  func frrStatic() {
    let files = InMemoryFileSystem(["/etc/iproute2/rt_protos.d/frr.conf": Self.frr])
    let names = StateReader(runner: ReplayRunner(directory: "/nonexistent"), files: files).readProtocolNames()
    #expect(names["static"] == nil)
    #expect(names == ["ripng": 190, "nhrp": 191, "ldp": 193, "sharp": 194, "pbr": 195, "openfabric": 197])
    let decoder = IPOutputDecoder(tableNames: RoutingTableNames([]), extraProtocols: names)
    #expect(decoder.protocolNumbers["static"] == RouteProtocol.staticRoute)
  }
}
