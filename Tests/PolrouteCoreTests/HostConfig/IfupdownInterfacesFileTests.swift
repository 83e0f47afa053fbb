import Testing

@testable import PolrouteCore

/// /etc/network/interfaces with what it sources, read in ifupdown's order.
struct IfupdownInterfacesFileTests {
  /// A Debian host's files: the main file sources interfaces.d and a directory elsewhere.
  static let files = HostFiles(texts: [
    "/etc/network/interfaces": """
    source /etc/network/interfaces.d/*
    auto lo
    iface lo inet loopback

    allow-hotplug mgmt
    iface mgmt inet static
        address 198.51.100.10/24
        gateway 198.51.100.1
    iface mgmt inet6 static
        address 2001:db8:a::10/64
        gateway 2001:db8:a::1
    source-directory extra
    """,
    "/etc/network/interfaces.d/data": "auto data\niface data inet dhcp\n",
    "/etc/network/interfaces.d/.hidden": "iface hidden inet dhcp\n",
    "/etc/network/extra/vpn": "iface vpn inet manual\n    gateway not-an-address\n",
    "/etc/network/extra/skip.conf": "iface skipped inet dhcp\n",
  ])

  @Test("stanzas from every sourced file, start lines, methods and gateways with their lines")
  func stanzas() {
    let (bindings, diagnostics) = IfupdownInterfacesFile.read(Self.files)
    #expect(diagnostics.isEmpty)
    #expect(Set(bindings.keys) == ["lo", "mgmt", "data", "vpn"])
    let mgmt = bindings["mgmt"]!
    #expect(mgmt.startLine == at("/etc/network/interfaces", 5))
    #expect(mgmt.stanzas.map(\.family) == ["inet", "inet6"])
    #expect(
      IfupdownInterfacesFile.method(mgmt, .inet) == AddressingMethod(.static, at: at("/etc/network/interfaces", 6)))
    #expect(
      IfupdownInterfacesFile.gateways(mgmt).gateways.map(\.address) == [addr("198.51.100.1"), addr("2001:db8:a::1")])
    #expect(IfupdownInterfacesFile.method(bindings["data"]!, .inet)?.method == .dhcp)
    #expect(bindings["data"]!.startLine == at("/etc/network/interfaces.d/data", 1))
    let vpn = IfupdownInterfacesFile.gateways(bindings["vpn"]!)
    #expect(vpn.gateways.isEmpty)
    #expect(
      vpn.diagnostics.map(\.description) == [
        "/etc/network/extra/vpn:2:1: warning: gateway 'not-an-address' is not an address of the stanza's family, ignored"
      ])
  }

  @Test("the references a file makes, resolved against its directory")
  func references() {
    #expect(
      IfupdownInterfacesFile.references(
        "source interfaces.d/*.cfg\nsource-directory /etc/network/x/\n", path: "/etc/network/interfaces")
        == [.glob(directory: "/etc/network/interfaces.d", pattern: "*.cfg"), .directory("/etc/network/x")])
  }

  @Test("malformed lines are noted, never fatal")
  func malformed() {
    let (bindings, diagnostics) = IfupdownInterfacesFile.read(
      HostFiles(texts: ["/etc/network/interfaces": "iface eth0\nsource\ngateway 192.0.2.1\n"]))
    #expect(bindings.isEmpty)
    #expect(
      diagnostics.map(\.description) == [
        "/etc/network/interfaces:1:1: warning: 'iface' needs a name, a family and a method, ignored",
        "/etc/network/interfaces:2:1: warning: 'source' names nothing to read, ignored",
      ])
  }
}
