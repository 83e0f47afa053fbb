import Testing

@testable import PolrouteCore

/// ifcfg files: shell quoting without a shell, and what the values mean.
struct IfcfgFileTests {
  @Test("unquoted, single, double and $'...' quoting; comments; the last assignment wins")
  func quoting() {
    let file = IfcfgFile.parse(
      """
      # comment
      DEVICE=eth1
      NAME="System eth1"
      A='it'\\''s'
      B="say \\"hi\\" \\$HOME"
      C=$'tab\\there'
      D=one\\ two
      E=x   # trailing comment
      DEVICE=eth2
        F="indented"
      """, path: "/etc/sysconfig/network-scripts/ifcfg-eth1")
    #expect(file["DEVICE"] == "eth2")
    #expect(file["NAME"] == "System eth1")
    #expect(file["A"] == "it's")
    #expect(file["B"] == "say \"hi\" $HOME")
    #expect(file["C"] == "tab\there")
    #expect(file["D"] == "one two")
    #expect(file["E"] == "x")
    #expect(file["F"] == "indented")
    #expect(file.location("DEVICE") == at("/etc/sysconfig/network-scripts/ifcfg-eth1", 9))
    #expect(file.diagnostics.isEmpty)
  }

  @Test("what a shell would expand or split is refused with its column; lines that are not assignments are noted")
  func refused() {
    let file = IfcfgFile.parse(
      "GATEWAY=$(curl x)\nNAME=a b\nQ=\"open\nexport X=1\nOK=1\n", path: "/etc/sysconfig/network-scripts/ifcfg-x")
    #expect(file["OK"] == "1")
    #expect(file["GATEWAY"] == nil)
    #expect(
      file.diagnostics.map(\.description) == [
        "/etc/sysconfig/network-scripts/ifcfg-x:1:9: warning: shell character '$' in the value of GATEWAY, ignored",
        "/etc/sysconfig/network-scripts/ifcfg-x:2:7: warning: unquoted blank in the value of NAME, ignored",
        "/etc/sysconfig/network-scripts/ifcfg-x:3:3: warning: unterminated double quote in the value of Q, ignored",
        "/etc/sysconfig/network-scripts/ifcfg-x:4:1: warning: line is not a KEY=value assignment, ignored",
      ])
  }

  @Test("methods, gateways, the device from the file name, netmask lengths")
  func meaning() {
    let file = IfcfgFile.parse(
      """
      BOOTPROTO=none
      IPADDR=192.0.2.10
      NETMASK=255.255.255.128
      GATEWAY=192.0.2.1
      IPV6INIT=yes
      IPV6ADDR=2001:db8::10/64
      IPV6_DEFAULTGW=2001:db8::1%eth3
      """, path: "/etc/sysconfig/network-scripts/ifcfg-eth3")
    #expect(file.device == "eth3")
    #expect(file.ipv4?.method == .static)
    #expect(file.ipv6?.method == .static)
    #expect(file.gateways.map(\.address) == [addr("192.0.2.1"), addr("2001:db8::1")])
    #expect(file.ipv4Prefixes == [IPPrefix("192.0.2.0/25")!])
    #expect(IfcfgFile.maskLength(addr("255.255.255.0")) == 24)
    #expect(IfcfgFile.maskLength(addr("0.0.0.0")) == 0)
    #expect(IfcfgFile.maskLength(addr("255.0.255.0")) == nil)
    #expect(IfcfgFile.parse("BOOTPROTO=dhcp\nIPV6INIT=yes\nDHCPV6C=yes\n", path: "/x/ifcfg-a").ipv6?.method == .dhcp)
    #expect(IfcfgFile.isConfigName("ifcfg-eth0"))
    #expect(!IfcfgFile.isConfigName("ifcfg-eth0.bak"))
    #expect(!IfcfgFile.isConfigName("ifcfg-lo"))
    #expect(!IfcfgFile.isConfigName("route-eth0"))
  }
}
