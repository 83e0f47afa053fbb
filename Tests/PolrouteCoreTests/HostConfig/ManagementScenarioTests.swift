import Testing

@testable import PolrouteCore

/// Who manages what, and where gateways come from, on the hosts people run: each host's files as the distribution
/// and its tools leave them (the recorded files where this machine could make them, see
/// Tests/Fixtures/hostconfig/README.md).
struct ManagementScenarioTests {
  /// An Ethernet link.
  static func link(_ name: String, _ index: Int) -> LinkIdentity {
    LinkIdentity(name: name, index: index, networkdType: "ether")
  }

  /// The recorded networkd lease text (192.0.2.141, router 192.0.2.1).
  static let networkdLease = HostConfigFixtures.text("networkd", "/run/systemd/netif/leases/2")
  /// The recorded dhclient lease database, for interface `name`.
  static func dhclientLease(_ name: String) -> String {
    HostConfigFixtures.text("dhclient", "/var/lib/dhcp/dhclient.hc0.leases").replacingOccurrences(
      of: "\"hc0\"", with: "\"\(name)\"")
  }

  @Test("Ubuntu server: netplan renders for networkd, networkd configured eth0 by DHCP, its lease gives the gateway")
  func ubuntuNetplanNetworkd() {
    let files = HostConfigFixtures.files("netplan/networkd").adding([
      "/run/systemd/netif/links/2":
        "# This is private data. Do not parse.\nADMIN_STATE=configured\nOPER_STATE=routable\n"
        + "NETWORK_FILE=/run/systemd/network/10-netplan-eth0.network\n",
      "/run/systemd/netif/leases/2": Self.networkdLease,
      "/etc/systemd/system/multi-user.target.wants/systemd-networkd.service": "",
      "/etc/cloud/cloud.cfg": "# The top level settings are used as module\nusers:\n   - default\n",
    ])
    let configuration = HostConfigurationBuilder.build(files, links: [Self.link("eth0", 2), Self.link("ens4", 3)])
    let eth0 = configuration.interface(named: "eth0")
    #expect(eth0?.management.manager == .networkd)
    #expect(eth0?.management.viaNetplan == true)
    #expect(eth0?.management.claims.map(\.basis) == [.runtime, .configuration, .configuration])
    #expect(
      eth0?.management.claims.first
        == ManagementClaim(
          .networkd, .runtime, "ADMIN_STATE=configured, NETWORK_FILE=/run/systemd/network/10-netplan-eth0.network",
          at: at("/run/systemd/netif/links/2", 2)))
    #expect(eth0?.networkd?.adminState == "configured")
    #expect(eth0?.networkd?.runtimeFile == nil)
    #expect(
      configuration.gateways(for: "eth0", family: .inet) == [
        ConfiguredGateway(
          address: addr("192.0.2.1"), source: .networkdLease, location: at("/run/systemd/netif/leases/2", 1))
      ])
    #expect(configuration.services.map(\.unit) == ["systemd-networkd.service"])
    #expect(
      configuration.cloudAgents == [
        CloudAgent(
          kind: .cloudInit, evidence: ["/etc/cloud/cloud.cfg"], generatedFiles: ["/etc/netplan/50-cloud-init.yaml"])
      ])
  }

  @Test("Ubuntu desktop: netplan hands everything to NetworkManager, which runs a profile the user made")
  func ubuntuNetplanNetworkManager() {
    let uuid = "5f0c6a48-0000-4000-8000-00000000aaaa"
    let files = HostFiles(texts: [
      "/etc/netplan/01-network-manager-all.yaml":
        "# Let NetworkManager manage all devices on this system\nnetwork:\n  version: 2\n  renderer: NetworkManager\n",
      "/etc/NetworkManager/NetworkManager.conf": "[main]\nplugins=ifupdown,keyfile\n\n[ifupdown]\nmanaged=false\n",
      "/etc/NetworkManager/system-connections/Office.nmconnection":
        "[connection]\nid=Office\nuuid=\(uuid)\ntype=ethernet\ninterface-name=enp0s3\n\n[ipv4]\nmethod=auto\n",
      "/run/NetworkManager/devices/2": "[device]\nmanaged=true\nperm-hw-addr-fake=\nconnection-uuid=\(uuid)\n",
      "/var/lib/NetworkManager/internal-\(uuid)-enp0s3.lease":
        "# This is private data. Do not parse.\nADDRESS=198.51.100.77\n",
      "/etc/systemd/system/multi-user.target.wants/NetworkManager.service": "",
    ])
    let configuration = HostConfigurationBuilder.build(files, links: [Self.link("enp0s3", 2)])
    let interface = configuration.interface(named: "enp0s3")
    #expect(interface?.management.manager == .networkManager)
    #expect(interface?.management.viaNetplan == false)
    #expect(
      interface?.networkManager
        == NetworkManagerBinding(
          id: "Office", uuid: uuid, path: "/etc/NetworkManager/system-connections/Office.nmconnection",
          storage: .keyfile,
          active: true))
    #expect(interface?.usesDHCP(.inet) == true)
    // NetworkManager's internal client records only the address: the gateway is in main, not in the lease.
    #expect(configuration.leases(for: "enp0s3").map(\.address) == [addr("198.51.100.77")])
    #expect(configuration.gateways(for: "enp0s3", family: .inet).isEmpty)
    #expect(configuration.netplan?.renderer == .networkManager)
  }

  @Test("RHEL 9: NetworkManager keyfiles, no routing-rules dispatcher, ifcfg leftovers only as a readme")
  func rhel9() {
    let files = HostFiles(texts: [
      "/etc/os-release": "ID=\"rhel\"\nVERSION_ID=\"9.4\"\n",
      "/etc/NetworkManager/NetworkManager.conf": "[main]\n#plugins=keyfile,ifcfg-rh\n",
      "/etc/NetworkManager/system-connections/ens3.nmconnection":
        "[connection]\nid=ens3\nuuid=0b7e1f2a-0000-4000-8000-000000000003\ntype=ethernet\ninterface-name=ens3\n\n"
        + "[ipv4]\naddress1=198.51.100.10/24,198.51.100.1\nmethod=manual\n\n[ipv6]\nmethod=auto\n",
      "/etc/NetworkManager/system-connections/ens4.nmconnection":
        "[connection]\nid=ens4\nuuid=0b7e1f2a-0000-4000-8000-000000000004\ntype=ethernet\ninterface-name=ens4\n\n"
        + "[ipv4]\nmethod=manual\naddress1=203.0.113.10/24\ngateway=203.0.113.1\nnever-default=true\n",
      "/etc/sysconfig/network-scripts/readme-ifcfg-rh.txt":
        "NetworkManager stores new network profiles in keyfile format\n",
      "/etc/systemd/system/multi-user.target.wants/NetworkManager.service": "",
      "/etc/systemd/system/network-online.target.wants/NetworkManager-wait-online.service": "",
    ])
    let configuration = HostConfigurationBuilder.build(files, links: [Self.link("ens3", 2), Self.link("ens4", 3)])
    #expect(configuration.management(of: "ens3")?.manager == .networkManager)
    #expect(configuration.management(of: "ens3")?.claims.map(\.basis) == [.configuration])
    #expect(
      configuration.gateways(for: "ens3", family: .inet).map(\.explanation) == [
        "198.51.100.1 (NetworkManager keyfile, /etc/NetworkManager/system-connections/ens3.nmconnection:8)"
      ])
    #expect(configuration.gateways(for: "ens4", family: .inet).map(\.address) == [addr("203.0.113.1")])
    #expect(configuration.interface(named: "ens3")?.ipv6?.method == .autoconf)
    #expect(configuration.networkManager?.routingRulesDispatcher == nil)
    #expect(configuration.networkManager?.plugins == nil)
    #expect(configuration.interface(named: "ens3")?.ifcfg == nil)
  }

  @Test("RHEL 7 without NetworkManager: initscripts read the ifcfg files; dhclient's lease and GATEWAY= give gateways")
  func rhel7Initscripts() {
    let files = HostFiles(texts: [
      "/etc/sysconfig/network-scripts/ifcfg-eth0": "DEVICE=eth0\nBOOTPROTO=dhcp\nONBOOT=yes\n",
      "/etc/sysconfig/network-scripts/ifcfg-eth1":
        "DEVICE=eth1\nBOOTPROTO=none\nONBOOT=yes\nIPADDR=203.0.113.10\nPREFIX=24\n",
      "/etc/sysconfig/network-scripts/ifcfg-eth1.bak": "DEVICE=eth1\nGATEWAY=192.0.2.99\n",
      "/etc/sysconfig/network": "NETWORKING=yes\nGATEWAY=203.0.113.1\n",
      "/var/lib/dhclient/dhclient--eth0.lease": Self.dhclientLease("eth0"),
      "/etc/rc.d/rc3.d/S10network": "",
    ])
    let configuration = HostConfigurationBuilder.build(
      files, links: [Self.link("eth0", 2), Self.link("eth1", 3)], now: 1_796_427_000)
    #expect(configuration.management(of: "eth0")?.manager == .initscripts)
    #expect(configuration.management(of: "eth0")?.claims.first?.detail == "ifcfg file, and no NetworkManager")
    #expect(configuration.interface(named: "eth0")?.ifcfg?.bootProto == "dhcp")
    #expect(configuration.gateways(for: "eth0", family: .inet).map(\.source) == [.dhclientLease])
    #expect(configuration.gateways(for: "eth0", family: .inet).first?.expires == 1_796_427_970)
    #expect(configuration.management(of: "eth1")?.manager == .initscripts)
    #expect(
      configuration.gateways(for: "eth1", family: .inet) == [
        ConfiguredGateway(
          address: addr("203.0.113.1"), source: .sysconfigNetwork, location: at("/etc/sysconfig/network", 2))
      ])
    #expect(
      configuration.services == [
        EnabledService(manager: .initscripts, unit: "network", path: "/etc/rc.d/rc3.d/S10network")
      ])
  }

  @Test("RHEL 7 with NetworkManager: ifcfg-rh profiles, NM_CONTROLLED=no left to initscripts, the dispatcher installed")
  func rhel7Mixed() {
    let files = HostFiles(texts: [
      "/etc/NetworkManager/NetworkManager.conf": "[main]\nplugins=ifcfg-rh\n",
      "/etc/NetworkManager/dispatcher.d/10-ifcfg-rh-routes.sh": "#!/bin/sh\n",
      "/etc/sysconfig/network-scripts/ifcfg-eth0":
        "TYPE=Ethernet\nNAME=\"System eth0\"\nUUID=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03\nDEVICE=eth0\nBOOTPROTO=none\n"
        + "IPADDR=198.51.100.10\nPREFIX=24\nGATEWAY=198.51.100.1\n",
      "/etc/sysconfig/network-scripts/ifcfg-eth1":
        "DEVICE=eth1\nNM_CONTROLLED=no\nBOOTPROTO=static\nIPADDR=203.0.113.10\nNETMASK=255.255.255.0\nGATEWAY=203.0.113.1\n",
      "/etc/systemd/system/multi-user.target.wants/NetworkManager.service": "",
    ])
    let configuration = HostConfigurationBuilder.build(files, links: [Self.link("eth0", 2), Self.link("eth1", 3)])
    let eth0 = configuration.interface(named: "eth0")
    #expect(eth0?.management.manager == .networkManager)
    #expect(eth0?.networkManager?.storage == .ifcfg)
    #expect(eth0?.networkManager?.uuid == "5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03")
    #expect(configuration.gateways(for: "eth0", family: .inet).map(\.source) == [.ifcfg])
    let eth1 = configuration.interface(named: "eth1")
    #expect(eth1?.management.manager == .initscripts)
    #expect(eth1?.management.claims.map(\.manager) == [.initscripts, .networkManager])
    #expect(eth1?.management.claims.last?.basis == .declined)
    #expect(configuration.gateways(for: "eth1", family: .inet).map(\.address) == [addr("203.0.113.1")])
    #expect(
      configuration.networkManager?.routingRulesDispatcher == "/etc/NetworkManager/dispatcher.d/10-ifcfg-rh-routes.sh")
  }

  @Test(
    "Debian: ifupdown brought up eth0 (DHCP) and eth1 (static); NetworkManager leaves them alone; stale leases inactive"
  )
  func debianIfupdown() {
    let files = HostFiles(texts: [
      "/etc/network/interfaces":
        "source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\nallow-hotplug eth0\niface eth0 inet dhcp\n",
      "/etc/network/interfaces.d/eth1":
        "auto eth1\niface eth1 inet static\n  address 203.0.113.10/24\n  gateway 203.0.113.1\n",
      "/run/network/ifstate": "lo=lo\neth0=eth0\neth1=eth1\n",
      "/var/lib/dhcp/dhclient.eth0.leases": Self.dhclientLease("eth0"),
      "/var/lib/dhcp/dhclient.eth1.leases": Self.dhclientLease("eth1"),
      "/etc/NetworkManager/NetworkManager.conf": "[main]\nplugins=ifupdown,keyfile\n\n[ifupdown]\nmanaged=false\n",
      "/etc/systemd/system/multi-user.target.wants/networking.service": "",
      "/etc/systemd/system/multi-user.target.wants/NetworkManager.service": "",
    ])
    let configuration = HostConfigurationBuilder.build(
      files,
      links: [LinkIdentity(name: "lo", index: 1, networkdType: "loopback"), Self.link("eth0", 2), Self.link("eth1", 3)])
    let eth0 = configuration.interface(named: "eth0")
    #expect(eth0?.management.manager == .ifupdown)
    #expect(eth0?.management.claims.map(\.basis) == [.runtime, .configuration, .declined])
    #expect(
      eth0?.management.claims.last?.detail
        == "its ifupdown plugin leaves interfaces of /etc/network/interfaces to ifupdown ([ifupdown] managed=false)")
    #expect(eth0?.ifupdown?.startLine == at("/etc/network/interfaces", 6))
    #expect(
      configuration.gateways(for: "eth0", family: .inet).map(\.explanation) == [
        "192.0.2.1 (dhclient lease, /var/lib/dhcp/dhclient.eth0.leases:1)"
      ])
    let eth1 = configuration.interface(named: "eth1")
    #expect(eth1?.management.manager == .ifupdown)
    #expect(
      configuration.gateways(for: "eth1", family: .inet).map(\.explanation) == [
        "203.0.113.1 (ifupdown, /etc/network/interfaces.d/eth1:4)"
      ])
    // The static interface's old dhclient lease is kept, but only as inactive.
    #expect(
      configuration.gateways(for: "eth1", family: .inet, includingInactive: true).map(\.standing) == [
        .active, .inactive,
      ])
    #expect(configuration.management(of: "lo")?.manager == .ifupdown)
  }

  @Test("cloud image: cloud-init wrote networkd's file, and its network configuration is switched off")
  func cloudInitNetworkd() {
    let files = HostFiles(texts: [
      "/etc/systemd/network/10-cloud-init-eth0.network":
        "[Match]\nMACAddress=02:00:00:00:00:01\nName=eth0\n\n[Network]\nDHCP=ipv4\n",
      "/etc/cloud/cloud.cfg": "# cloud-config\ndatasource_list: [ NoCloud, None ]\n",
      "/etc/cloud/cloud.cfg.d/05_logging.cfg": "_log:\n - &log_base |\n   [loggers]\n",
      "/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg": "network: {config: disabled}\n",
      "/etc/systemd/system/multi-user.target.wants/systemd-networkd.service": "",
    ])
    let configuration = HostConfigurationBuilder.build(files, links: [Self.link("eth0", 2)])
    #expect(configuration.management(of: "eth0")?.manager == .networkd)
    #expect(configuration.interface(named: "eth0")?.networkd?.uncheckedMatchKeys == ["MACAddress"])
    #expect(configuration.interface(named: "eth0")?.usesDHCP(.inet) == true)
    #expect(configuration.interface(named: "eth0")?.usesDHCP(.inet6) == nil)
    #expect(
      configuration.cloudAgents == [
        CloudAgent(
          kind: .cloudInit, evidence: ["/etc/cloud/cloud.cfg"], managesNetworkConfiguration: false,
          location: at("/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg", 1, 19),
          generatedFiles: ["/etc/systemd/network/10-cloud-init-eth0.network"])
      ])
    #expect(configuration.notes.isEmpty)
  }

  @Test("EC2 (Amazon Linux 2023): amazon-ec2-net-utils and its networkd file that matches by driver")
  func ec2() {
    let files = HostFiles(texts: [
      "/usr/lib/systemd/network/80-ec2.network":
        "[Match]\nDriver=ena ixgbevf vif\n\n[Link]\nMTUBytes=9001\n\n[Network]\nDHCP=yes\nIPv6DuplicateAddressDetection=0\n",
      "/run/systemd/network/70-ens5.network.d/ec2net_alias.conf": "[Network]\n",
      "/run/systemd/netif/links/2": "ADMIN_STATE=configured\nNETWORK_FILE=/usr/lib/systemd/network/80-ec2.network\n",
      "/run/systemd/netif/leases/2": Self.networkdLease,
      "/usr/lib/udev/rules.d/99-vpc-policy-routes.rules": "SUBSYSTEM==\"net\", ACTION==\"add\"\n",
      "/usr/lib/systemd/system/policy-routes@.service": "[Unit]\n",
      "/etc/systemd/system/multi-user.target.wants/systemd-networkd.service": "",
    ])
    let configuration = HostConfigurationBuilder.build(files, links: [Self.link("ens5", 2)])
    let ens5 = configuration.interface(named: "ens5")
    #expect(ens5?.management.manager == .networkd)
    #expect(ens5?.networkd?.file == "/usr/lib/systemd/network/80-ec2.network")
    #expect(ens5?.networkd?.uncheckedMatchKeys == ["Driver"])
    #expect(configuration.gateways(for: "ens5", family: .inet).map(\.address) == [addr("192.0.2.1")])
    #expect(
      configuration.cloudAgents.map(\.kind) == [.amazonEC2NetUtils]
        && configuration.cloudAgents.first?.evidence == [
          "/usr/lib/udev/rules.d/99-vpc-policy-routes.rules", "/usr/lib/systemd/system/policy-routes@.service",
        ])
  }

  @Test("Google Cloud: google-guest-agent, with its interface setup switched off")
  func google() {
    let files = HostFiles(texts: [
      "/usr/bin/google_guest_agent": "",
      "/etc/default/instance_configs.cfg": "[NetworkInterfaces]\nsetup = false\n",
    ])
    let agents = HostConfigurationBuilder.build(files, links: []).cloudAgents
    #expect(
      agents == [
        CloudAgent(
          kind: .googleGuestAgent, evidence: ["/usr/bin/google_guest_agent"], managesNetworkConfiguration: false,
          location: at("/etc/default/instance_configs.cfg", 2))
      ])
  }

  @Test("two configurations and no run-time state: the manager whose service is enabled decides, the other contends")
  func conflict() {
    let files = HostFiles(texts: [
      "/etc/network/interfaces": "auto eth0\niface eth0 inet static\n  address 192.0.2.10/24\n  gateway 192.0.2.1\n",
      "/etc/systemd/network/eth0.network":
        "[Match]\nName=eth0\n[Network]\nAddress=192.0.2.10/24\nGateway=192.0.2.254\n",
      "/etc/systemd/system/multi-user.target.wants/systemd-networkd.service": "",
    ])
    let configuration = HostConfigurationBuilder.build(files, links: [Self.link("eth0", 2)])
    let management = configuration.management(of: "eth0")
    #expect(management?.manager == .networkd)
    #expect(management?.contenders.map(\.manager) == [.ifupdown])
    #expect(configuration.gateways(for: "eth0", family: .inet).map(\.address) == [addr("192.0.2.254")])
    #expect(
      configuration.gateways(for: "eth0", family: .inet, includingInactive: true).map(\.address) == [
        addr("192.0.2.254"), addr("192.0.2.1"),
      ])
    // Without any unit links, the tie goes to ifupdown (see ManagementDecision).
    var unknown = files
    unknown.contents["/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"] = nil
    unknown.listings["/etc/systemd/system/multi-user.target.wants"] = nil
    #expect(
      HostConfigurationBuilder.build(unknown, links: [Self.link("eth0", 2)]).management(of: "eth0")?.manager
        == .ifupdown)
  }

  @Test("DHCP gateways: current leases newest first, then the configuration's, then expired leases")
  func leaseOrder() {
    let lease = { (name: String, router: String, expire: String) in
      "lease {\n  interface \"\(name)\";\n  fixed-address 192.0.2.50;\n  option routers \(router);\n  expire \(expire);\n}\n"
    }
    let files = HostFiles(texts: [
      "/etc/network/interfaces": "iface eth0 inet dhcp\n  gateway 192.0.2.9\n",
      "/var/lib/dhcp/dhclient.eth0.leases": lease("eth0", "192.0.2.1", "epoch 2000"),
      "/var/lib/dhcp/dhclient.leases": lease("eth0", "192.0.2.2", "epoch 3000"),
      "/var/lib/dhcpcd/eth0.lease": "",
      "/var/lib/dhcp/dhclient.old.leases": lease("eth0", "192.0.2.3", "epoch 500"),
    ])
    let gateways = HostConfigurationBuilder.build(files, links: [Self.link("eth0", 2)], now: 1000).gateways(
      for: "eth0", family: .inet)
    #expect(gateways.map(\.address) == ["192.0.2.2", "192.0.2.1", "192.0.2.9", "192.0.2.3"].map(addr))
  }
}
