import PolrouteCore
import TestSupport
import Testing

/// What `plan --format` says when the files it would write will be ignored or undone, each with the reason and the
/// fix: a manager that does not read them, networkd removing the rules it did not configure, netplan's
/// NetworkManager renderer dropping routing-policy, a `.network` file networkd did not apply, a cloud agent.
@Suite("warnings about how the host reads the files")
struct ManagerWarningsTests {
  /// The dual-homed host with these files as its configuration, and its derived policy.
  static func host(_ files: [String: String]) throws -> (Policy, RenderContext) {
    let state = PersistDetectionTests.host(files)
    let policy = try PolicyResolver(state: state, document: nil, isSnapshot: false).resolve()
    return (policy, RenderContext(state))
  }

  /// What persisting `formats` says, from the plan `plan --format` makes (files on disk: `disk`).
  static func diagnostics(_ formats: [RenderFormat], _ files: [String: String], disk: [String: String] = [:]) throws
    -> [String]
  {
    let (policy, context) = try host(files)
    let plan = try PersistencePlan.make(policy, formats: formats, context: context, files: InMemoryFileSystem(disk))
    return plan.diagnostics.map(\.description)
  }

  /// data networkd's (10-data.network), mgmt NetworkManager's.
  static let networkdData = [
    "/etc/systemd/network/10-data.network": "[Match]\nName=data\n\n[Network]\nAddress=203.0.113.10/24\n",
    "/etc/NetworkManager/system-connections/mgmt.nmconnection": SampleHosts.managedFiles[
      "/etc/NetworkManager/system-connections/mgmt.nmconnection"]!,
  ]

  @Test("rhel on NetworkManager without the routing-rules dispatcher, and on networkd")
  func rhel() throws {
    let said = try Self.diagnostics([.rhel], Self.networkdData)
    #expect(
      said.dropFirst() == [
        "warning: rhel: data is managed by systemd-networkd, which does not read network-scripts files (use --format "
          + "networkd)",
        "warning: rhel: NetworkManager manages mgmt, and without its routing-rules dispatcher script it ignores "
          + "rule-mgmt and rule6-mgmt, and then route-mgmt and route6-mgmt too: install "
          + "NetworkManager-dispatcher-routing-rules, or use --format nm",
      ])
    var files = Self.networkdData
    files["/etc/NetworkManager/dispatcher.d/10-ifcfg-rh-routes.sh"] = "#!/bin/sh\n"
    #expect(
      (try Self.diagnostics([.rhel], files)).filter { $0.contains("dispatcher") } == [],
      "with the dispatcher, NetworkManager reads them")
    // networkd manages data, and would remove the rules of the rhel files (see networkdRemoval).
    #expect(said.first?.hasPrefix("warning: systemd-networkd runs here") == true)
  }

  @Test("networkd: a drop-in for a file another manager's interface matches, and mgmt without a file of networkd's")
  func networkdIgnored() throws {
    let said = try Self.diagnostics([.networkd], Self.networkdData)
    #expect(
      said == [
        "note: networkd: no .network file matches mgmt: polroute writes /etc/systemd/network/90-polroute-mgmt.network, "
          + "which makes networkd manage mgmt (keeping the addresses and routes it finds there)"
      ])
    var files = Self.networkdData
    files["/etc/systemd/network/10-mgmt.network"] = "[Match]\nName=mgmt\n"
    let both = try Self.diagnostics([.networkd], files)
    #expect(
      both.contains(
        "warning: networkd: mgmt is managed by NetworkManager, not systemd-networkd, so networkd does not read "
          + "polroute's drop-in for /etc/systemd/network/10-mgmt.network (use --format nm)"), "\(both)")
  }

  @Test("networkd: the file its link state names is not the one that matches; a [Match] key files cannot check")
  func networkdShadowed() throws {
    let files = [
      "/etc/systemd/network/10-data.network": "[Match]\nName=data\nMACAddress=02:00:00:00:00:01\n",
      "/etc/systemd/network/20-data.network": "[Match]\nName=data\n",
      "/run/systemd/netif/links/3": "ADMIN_STATE=configured\nNETWORK_FILE=/etc/systemd/network/20-data.network\n",
    ]
    let said = try Self.diagnostics([.networkd], files).filter { $0.contains("data") }
    #expect(
      said == [
        "warning: networkd: data was configured from /etc/systemd/network/20-data.network (its link state says so), "
          + "not from /etc/systemd/network/10-data.network, which matches it now: polroute's drop-in for "
          + "/etc/systemd/network/10-data.network takes effect only once networkd applies that file ('networkctl "
          + "reload')",
        "warning: networkd: /etc/systemd/network/10-data.network was taken to match data on its name, but its "
          + "MACAddress= cannot be checked from files: if it does not hold, networkd applies another file and ignores "
          + "polroute's drop-in",
      ])
  }

  @Test("networkd: a .network file matching other links gets nothing, and networkd is told to keep the rest")
  func networkdShared() throws {
    let (policy, context) = try Self.host([
      "/etc/systemd/network/99-all.network": "[Match]\nName=*\n\n[Network]\nDHCP=yes\n"
    ])
    let result = NetworkdRenderer.render(policy, context: context)
    #expect(result.files.map(\.path) == [NetworkdRenderer.settingPath])
    #expect(
      result.diagnostics.first?.description
        == "warning: networkd: /etc/systemd/network/99-all.network matches data and other links too, so a drop-in for "
        + "it would add data's routes to them: polroute writes nothing for data (give it a .network file of its own, "
        + "or use --format systemd)")
  }

  @Test("networkd removes foreign rules: polroute's setting is written with the boot unit, else a warning")
  func networkdRemoval() throws {
    let files = [
      "/etc/systemd/network/10-data.network": "[Match]\nName=data\n",
      "/etc/network/interfaces":
        "source /etc/network/interfaces.d/*\n\niface mgmt inet static\n    address 198.51.100.10/24\n",
    ]
    let why =
      "systemd-networkd runs here and removes every routing policy rule and route it did not configure whenever it "
      + "configures a link ('networkctl reconfigure', 'networkctl reload' after a .network file changed, a link that "
      + "appears later)"
    let unit = try Self.diagnostics([.systemd], files)
    #expect(
      unit.contains(
        "note: " + why
          + ": polroute writes /etc/systemd/networkd.conf.d/polroute.conf (ManageForeignRoutingPolicyRules=no, "
          + "ManageForeignRoutes=no) so that it keeps polroute's"), "\(unit)")
    let debian = try Self.diagnostics([.debian], files)
    #expect(
      debian.contains(
        "warning: " + why + ", so it would remove the rules and routes of polroute's debian files: add --format "
          + "systemd, which writes /etc/systemd/networkd.conf.d/polroute.conf too, or set "
          + "ManageForeignRoutingPolicyRules=no and ManageForeignRoutes=no in networkd.conf"), "\(debian)")
    // Already set by polroute before, or by the user in networkd.conf: nothing to say.
    let kept = try Self.diagnostics([.debian], files, disk: [NetworkdRenderer.settingPath: "[Network]\n"])
    #expect(!kept.contains { $0.contains("systemd-networkd runs here") })
    var turnedOff = files
    turnedOff["/etc/systemd/networkd.conf"] = "[Network]\nManageForeignRoutingPolicyRules=no\nManageForeignRoutes=no\n"
    #expect(!(try Self.diagnostics([.debian], turnedOff)).contains { $0.contains("systemd-networkd runs here") })
    // Where networkd carries everything, its own rules and routes are kept anyway.
    let own = [
      "/etc/systemd/network/10-data.network": "[Match]\nName=data\n",
      "/etc/systemd/network/10-mgmt.network": "[Match]\nName=mgmt\n",
    ]
    #expect(!(try Self.diagnostics([.networkd], own)).contains { $0.contains("runs here") })
  }

  @Test("nm: a profile of an interface another manager configures, and a profile that may lose to another")
  func networkManager() throws {
    // data has an ifupdown stanza and a profile: NetworkManager leaves interfaces of /etc/network/interfaces alone.
    var files = [
      "/etc/network/interfaces":
        "source /etc/network/interfaces.d/*\n\niface data inet static\n    address 203.0.113.10/24\n",
      "/etc/NetworkManager/system-connections/data.nmconnection": SampleHosts.dataProfile,
      "/etc/NetworkManager/system-connections/mgmt.nmconnection": SampleHosts.managedFiles[
        "/etc/NetworkManager/system-connections/mgmt.nmconnection"]!,
    ]
    let said = try Self.diagnostics([.nm], files).filter { !$0.hasPrefix("note: ") }
    #expect(
      said == [
        "warning: nm: data is managed by ifupdown, not NetworkManager, so NetworkManager never applies connection data "
          + "to it (use --format debian)"
      ])
    files["/etc/NetworkManager/system-connections/mgmt-backup.nmconnection"] =
      "[connection]\nid=mgmt-backup\ntype=ethernet\ninterface-name=mgmt\nautoconnect-priority=-10\n"
    let alternatives = try Self.diagnostics([.nm], files)
    #expect(
      alternatives.contains(
        "warning: nm: NetworkManager may activate another profile than connection mgmt on mgmt "
          + "(/etc/NetworkManager/system-connections/mgmt-backup.nmconnection), which would not carry polroute's "
          + "routes and rules"), "\(alternatives)")
  }

  @Test("netplan: an interface it does not define, and one whose renderer drops routing-policy")
  func netplan() throws {
    let said = try Self.diagnostics(
      [.netplan],
      [
        "/etc/netplan/01-nm.yaml":
          "network:\n  version: 2\n  renderer: NetworkManager\n  ethernets:\n    data:\n      dhcp4: true\n"
      ])
    #expect(
      said == [
        "warning: netplan: the NetworkManager renderer netplan selects for data (/etc/netplan/01-nm.yaml:3:13) drops "
          + "routing-policy (netplan 0.106), so these rules of data are not carried: 14001, 19000, 20000 (IPv4); "
          + "polroute's boot unit (--format systemd) carries them",
        "warning: netplan: mgmt is not defined in netplan on this host, so polroute writes nothing for it (a "
          + "definition with only routes would have netplan take mgmt over with no address)",
        "warning: netplan: data gets its IPv4 address from DHCP, and the files hold today's address 203.0.113.10 and "
          + "gateway 203.0.113.1, which netplan cannot follow: on a new lease the hooks (docs/hooks.md) move the "
          + "kernel's table and rules with 'polroute apply --interface data'; run 'polroute apply --persist' then to "
          + "rewrite the files",
      ])
  }

  @Test("route and rule realms: networkd, NetworkManager and netplan cannot carry them, and each says so")
  func realms() throws {
    let files = Self.networkdData.merging([
      "/etc/netplan/01-data.yaml": "network:\n  version: 2\n  ethernets:\n    data:\n      dhcp4: true\n"
    ]) { $1 }
    let state = PersistDetectionTests.host(files)
    // data is networkd's and netplan's, mgmt NetworkManager's: each rule goes with its table's interface.
    let text = """
      uplink data dev data via 203.0.113.1 realm 2
      uplink mgmt dev mgmt realm 1
      rule iif lan lookup data realm 30
      rule iif lan2 lookup mgmt realm 31

      """
    let document = PolicyParser.parse(text, file: "p").document
    let policy = try PolicyResolver(state: state, document: document, isSnapshot: false).resolve()
    // What a format says of the realms; a format that cannot carry one refuses to write (an error, thrown).
    func said(_ format: RenderFormat) throws -> [String] {
      let diagnostics: [Diagnostic]
      do {
        diagnostics = try PersistencePlan.make(
          policy, formats: [format], context: RenderContext(state), files: InMemoryFileSystem([:])
        ).diagnostics
      } catch let error as PolicyError {
        diagnostics = error.diagnostics
      }
      return diagnostics.map(\.description).filter { $0.contains("realm") }
    }
    let networkd = try said(.networkd)
    #expect(
      networkd.contains(
        "error: networkd: cannot write route default (table 100) to /etc/systemd/network/10-data.network.d/"
          + "polroute.conf: networkd's routes have no realm (use --format systemd)"), "\(networkd)")
    #expect(
      networkd.contains {
        $0.hasPrefix("error: networkd: cannot write IPv4 rule 10000 (iif lan lookup 100 realms 30/0)")
          && $0.hasSuffix("networkd's rules have no realms (use --format systemd)")
      }, "\(networkd)")
    let networkManager = try said(.nm)
    #expect(networkManager.contains { $0.contains("NetworkManager's routes have no realm") }, "\(networkManager)")
    #expect(networkManager.contains { $0.contains("NetworkManager's rules have no realms") }, "\(networkManager)")
    let netplan = try said(.netplan)
    #expect(netplan.contains { $0.contains("netplan's routes have no realm") }, "\(netplan)")
    #expect(netplan.contains { $0.contains("no realms") }, "\(netplan)")
    // The formats that run ip carry both.
    #expect(try said(.rhel) == [])
    #expect(try said(.systemd) == [])
  }

  @Test("cloud agents: cloud-init writing the network configuration, amazon-ec2-net-utils, google-guest-agent")
  func cloudAgents() throws {
    let said = try Self.diagnostics(
      [.systemd],
      [
        "/etc/cloud/cloud.cfg": "datasource_list: [Ec2]\n",
        "/etc/netplan/50-cloud-init.yaml":
          "# This file is generated from information provided by the datasource.  Changes\nnetwork:\n  version: 2\n",
        "/usr/lib/systemd/system/policy-routes@.service": "[Unit]\n",
        "/usr/bin/google_guest_agent": "",
      ])
    #expect(said.count == 3, "\(said)")
    #expect(
      said.contains(
        "warning: cloud-init (/etc/cloud/cloud.cfg) writes the network configuration (it wrote "
          + "/etc/netplan/50-cloud-init.yaml) again on a new instance, and at "
          + "boot where its datasource updates it: the files polroute extends may be renamed or rewritten, so run "
          + "'polroute apply --persist' again after it, or stop it with 'network: {config: disabled}' in a file of "
          + "/etc/cloud/cloud.cfg.d"), "\(said)")
    #expect(said.contains { $0.hasPrefix("warning: amazon-ec2-net-utils (") && $0.contains("10000 and up") })
    #expect(said.contains { $0.hasPrefix("warning: google-guest-agent (") })
    let disabled = try Self.diagnostics(
      [.systemd],
      [
        "/etc/cloud/cloud.cfg": "network:\n  config: disabled\n"
      ])
    #expect(disabled == [])
    // Installed, but it wrote no network configuration and its own does not say it will: nothing to say.
    #expect(try Self.diagnostics([.systemd], ["/etc/cloud/cloud.cfg": "datasource_list: [NoCloud]\n"]) == [])
    // The script and rt_tables come back at no boot: nothing of theirs is undone.
    #expect(
      try Self.diagnostics([.script, .rtTables], ["/usr/lib/systemd/system/policy-routes@.service": "[Unit]\n"]) == [])
  }

  @Test("NetworkManager cannot follow a DHCP gateway in polroute's table: today's is written, and that is said")
  func networkManagerDHCP() throws {
    let profile = SampleHosts.dataProfile.replacingOccurrences(
      of: "method=manual\naddress1=203.0.113.10/24", with: "method=auto")
    var state = PersistDetectionTests.host(["/etc/NetworkManager/system-connections/data.nmconnection": profile])
    state.routes.append(
      Route(destination: IPPrefix("0.0.0.0/0")!, gateway: IPAddress("203.0.113.1"), device: "data", metric: 100))
    let policy = try PolicyResolver(state: state, document: nil, isSnapshot: false).resolve()
    let (connections, diagnostics) = NetworkManagerRenderer.connections(policy, context: RenderContext(state))
    #expect(connections.first?.entries["ipv4.routes"]?.contains("0.0.0.0/0 203.0.113.1 0 table=100") == true)
    #expect(
      diagnostics.map(\.description).contains(
        "warning: nm: data gets its IPv4 gateway from DHCP, which NetworkManager cannot follow in table 100 without "
          + "moving data's network out of main too (ipv4.route-table): polroute writes today's gateway, 203.0.113.1; "
          + "run 'polroute apply --persist' again when it changes"), "\(diagnostics)")
  }

  @Test("networkd follows a DHCP gateway itself: Gateway=_dhcp4, not today's address, unless the policy names it")
  func dhcpGateway() throws {
    var state = PersistDetectionTests.host([
      "/etc/systemd/network/10-data.network": "[Match]\nName=data\n\n[Network]\nDHCP=ipv4\n"
    ])
    state.routes.append(
      Route(destination: IPPrefix("0.0.0.0/0")!, gateway: IPAddress("203.0.113.1"), device: "data", metric: 1024))
    let derived = try PolicyResolver(state: state, document: nil, isSnapshot: false).resolve()
    let file = try #require(NetworkdRenderer.render(derived, context: RenderContext(state)).files.first)
    #expect(
      file.contents.contains("[Route]\nDestination=0.0.0.0/0\nGateway=_dhcp4\nScope=global\nMetric=0\nTable=100\n"))
    let named = PolicyParser.parse("auto\nuplink data dev data via 203.0.113.1\n", file: "p").document
    let fixed = try PolicyResolver(state: state, document: named, isSnapshot: false).resolve()
    let frozen = try #require(NetworkdRenderer.render(fixed, context: RenderContext(state)).files.first)
    #expect(frozen.contents.contains("Gateway=203.0.113.1\n") && !frozen.contents.contains("_dhcp4"))
  }

  @Test("a lease's address and gateway the files hold as they are today are named, with the hooks and the fix")
  func leaseFrozen() throws {
    func said(_ format: RenderFormat, _ files: [String: String], policy text: String? = nil) throws -> [String] {
      var state = PersistDetectionTests.host(files)
      state.routes.append(
        Route(destination: IPPrefix("0.0.0.0/0")!, gateway: IPAddress("203.0.113.1"), device: "data", metric: 1024))
      let document = text.map { PolicyParser.parse($0, file: "p").document }
      let policy = try PolicyResolver(state: state, document: document, isSnapshot: false).resolve()
      let plan = try PersistencePlan.make(
        policy, formats: [format], context: RenderContext(state), files: InMemoryFileSystem([:]))
      return plan.diagnostics.map(\.description).filter { $0.contains("from DHCP, and the files hold") }
    }
    let debian = [
      "/etc/network/interfaces": "source /etc/network/interfaces.d/*\n\nauto data\niface data inet dhcp\n"
    ]
    #expect(
      try said(.debian, debian) == [
        "warning: debian: data gets its IPv4 address from DHCP, and the files hold today's address 203.0.113.10 and "
          + "gateway 203.0.113.1, which debian cannot follow: on a new lease the hooks (docs/hooks.md) move the "
          + "kernel's table and rules with 'polroute apply --interface data'; run 'polroute apply --persist' then to "
          + "rewrite the files"
      ])
    // A gateway the policy names is not the lease's.
    #expect(
      try said(.debian, debian, policy: "auto\nuplink data dev data via 203.0.113.1\n").first?.contains(
        "hold today's address 203.0.113.10, which") == true)
    // networkd follows the gateway itself (Gateway=_dhcp4), not the address its rule names.
    let networkd = ["/etc/systemd/network/10-data.network": "[Match]\nName=data\n\n[Network]\nDHCP=ipv4\n"]
    #expect(try said(.networkd, networkd).first?.contains("hold today's address 203.0.113.10, which networkd") == true)
    // A static address holds nothing of a lease; the boot unit applies the policy afresh.
    #expect(
      try said(.debian, ["/etc/network/interfaces": "iface data inet static\n    address 203.0.113.10/24\n"]) == [])
    #expect(try said(.systemd, debian) == [])
  }
}
