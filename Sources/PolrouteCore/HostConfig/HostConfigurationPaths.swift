/// Where each manager, DHCP client and cloud agent keeps the files `HostConfigurationBuilder` reads: the one list
/// the system's reader walks, so that what is read and what is understood cannot drift apart.
public enum HostConfigurationPaths {
  /// systemd-networkd's `.network` directories, highest priority first (systemd 252's NETWORK_DIRS with split /usr):
  /// a file name in an earlier directory hides the same name in later ones.
  public static let networkdDirectories = [
    "/etc/systemd/network", "/run/systemd/network", "/usr/local/lib/systemd/network", "/usr/lib/systemd/network",
    "/lib/systemd/network",
  ]
  /// The suffix of a `.network` file's drop-in directory (`NAME.network.d/*.conf`).
  public static let networkdDropInSuffix = ".network.d"
  /// networkd.conf: the first that exists is the main file (systemd 252 reads only /etc's; newer ones search all).
  public static let networkdConfFiles = [
    "/etc/systemd/networkd.conf", "/run/systemd/networkd.conf", "/usr/local/lib/systemd/networkd.conf",
    "/usr/lib/systemd/networkd.conf",
  ]
  /// networkd.conf.d directories, highest priority first.
  public static let networkdConfDirectories = [
    "/etc/systemd/networkd.conf.d", "/run/systemd/networkd.conf.d", "/usr/local/lib/systemd/networkd.conf.d",
    "/usr/lib/systemd/networkd.conf.d",
  ]
  /// networkd's run-time link state, one file per interface index.
  public static let networkdLinks = "/run/systemd/netif/links"
  /// networkd's DHCPv4 leases, one file per interface index.
  public static let networkdLeases = "/run/systemd/netif/leases"

  /// NetworkManager's keyfile directories (every profile in them is read; same names do not hide each other).
  public static let keyfileDirectories = [
    "/etc/NetworkManager/system-connections", "/run/NetworkManager/system-connections",
    "/usr/lib/NetworkManager/system-connections",
  ]
  /// NetworkManager's main configuration file.
  public static let networkManagerConf = "/etc/NetworkManager/NetworkManager.conf"
  /// NetworkManager's conf.d directories, lowest priority first (a name in /etc hides it in /run and /usr/lib).
  public static let networkManagerConfDirectories = [
    "/usr/lib/NetworkManager/conf.d", "/run/NetworkManager/conf.d", "/etc/NetworkManager/conf.d",
  ]
  /// NetworkManager's run-time directory and its device state files (one per interface index).
  public static let networkManagerRun = "/run/NetworkManager"
  /// NetworkManager's device state, one file per interface index.
  public static let networkManagerDevices = "/run/NetworkManager/devices"
  /// NetworkManager's lease directory.
  public static let networkManagerLeases = "/var/lib/NetworkManager"
  /// NetworkManager's dispatcher directories.
  public static let dispatcherDirectories = [
    "/etc/NetworkManager/dispatcher.d", "/usr/lib/NetworkManager/dispatcher.d",
  ]
  /// The routing-rules dispatcher script (package NetworkManager-dispatcher-routing-rules).
  public static let routingRulesDispatcher = "10-ifcfg-rh-routes.sh"

  /// The ifcfg directory.
  public static let networkScripts = "/etc/sysconfig/network-scripts"
  /// The host-wide ifcfg settings (`GATEWAY=`, `GATEWAYDEV=`).
  public static let sysconfigNetwork = "/etc/sysconfig/network"

  /// ifupdown's state of the interfaces it brought up.
  public static let ifupdownState = "/run/network/ifstate"
  /// ifupdown's run directory (per-interface `ifstate.IFACE` files in ifupdown 0.8).
  public static let ifupdownRun = "/run/network"

  /// dhclient's lease directories (Debian, RHEL).
  public static let dhclientDirectories = ["/var/lib/dhcp", "/var/lib/dhclient"]
  /// dhcpcd's lease directories (dhcpcd 9, older Raspberry Pi OS).
  public static let dhcpcdDirectories = ["/var/lib/dhcpcd", "/var/lib/dhcpcd5"]

  /// The unit directories whose symlinks say which services start at boot.
  public static let wantsDirectories = [
    "/etc/systemd/system/multi-user.target.wants", "/etc/systemd/system/network-online.target.wants",
    "/etc/systemd/system/sockets.target.wants",
  ]
  /// systemd's D-Bus aliases of the network services, which exist only while the service is enabled.
  public static let serviceAliases = [
    "/etc/systemd/system/dbus-org.freedesktop.network1.service",
    "/etc/systemd/system/dbus-org.freedesktop.NetworkManager.service",
  ]
  /// SysV runlevel 3 links (RHEL 7's `network`, old Debian's `networking`).
  public static let sysvDirectories = ["/etc/rc.d/rc3.d", "/etc/rc3.d"]

  /// cloud-init's configuration.
  public static let cloudConfig = "/etc/cloud/cloud.cfg"
  /// cloud-init's configuration drop-ins.
  public static let cloudConfigDirectory = "/etc/cloud/cloud.cfg.d"
  /// The file whose existence switches cloud-init off.
  public static let cloudInitDisabled = "/etc/cloud/cloud-init.disabled"
  /// Files whose existence shows amazon-ec2-net-utils (version 2, then version 1).
  public static let ec2NetUtilsMarkers = [
    "/usr/lib/udev/rules.d/99-vpc-policy-routes.rules", "/usr/lib/systemd/system/policy-routes@.service",
    "/usr/share/amazon-ec2-net-utils/lib.sh", "/etc/sysconfig/network-scripts/ec2net-functions",
    "/etc/udev/rules.d/53-ec2-network-interfaces.rules", "/etc/dhcp/dhclient.d/ec2dhcp.sh",
  ]
  /// Files whose existence shows google-guest-agent.
  public static let googleGuestAgentMarkers = [
    "/usr/bin/google_guest_agent", "/usr/lib/systemd/system/google-guest-agent.service",
    "/lib/systemd/system/google-guest-agent.service",
  ]
  /// google-guest-agent's configuration.
  public static let googleInstanceConfigs = [
    "/etc/default/instance_configs.cfg.distro", "/etc/default/instance_configs.cfg",
  ]

  /// Directories whose listed files are all read (each bounded by the reader), with a filter on names.
  public static var readDirectories: [(directory: String, wants: @Sendable (String) -> Bool)] {
    var result: [(String, @Sendable (String) -> Bool)] = []
    for directory in networkdDirectories { result.append((directory, { $0.hasSuffix(".network") })) }
    for directory in networkdConfDirectories { result.append((directory, { $0.hasSuffix(".conf") })) }
    result.append((networkdLinks, { $0.allSatisfy(\.isASCIIDigit) }))
    result.append((networkdLeases, { $0.allSatisfy(\.isASCIIDigit) }))
    for directory in keyfileDirectories { result.append((directory, isKeyfileName)) }
    for directory in networkManagerConfDirectories { result.append((directory, { $0.hasSuffix(".conf") })) }
    result.append((networkManagerDevices, { $0.allSatisfy(\.isASCIIDigit) }))
    result.append((networkManagerLeases, { $0.hasSuffix(".lease") }))
    result.append((networkScripts, IfcfgFile.isConfigName))
    result.append((ifupdownRun, { $0.hasPrefix("ifstate") }))
    for directory in dhclientDirectories {
      result.append((directory, { $0.hasSuffix(".leases") || $0.hasSuffix(".lease") }))
    }
    for directory in dhcpcdDirectories { result.append((directory, { $0.hasSuffix(".lease") })) }
    for directory in NetplanConfiguration.directories { result.append((directory, { $0.hasSuffix(".yaml") })) }
    result.append((cloudConfigDirectory, { $0.hasSuffix(".cfg") }))
    return result
  }

  /// Directories only listed (their names are the facts: dispatcher scripts, service links).
  public static var listedDirectories: [String] {
    dispatcherDirectories + wantsDirectories + sysvDirectories + [networkManagerRun]
  }

  /// Single files read when they exist.
  public static var readFiles: [String] {
    networkdConfFiles + [networkManagerConf, sysconfigNetwork, ifupdownState, DebianPlacement.mainFile, cloudConfig]
      + googleInstanceConfigs
  }

  /// Files whose existence alone is the fact.
  public static var probedFiles: [String] {
    [cloudInitDisabled] + ec2NetUtilsMarkers + googleGuestAgentMarkers + serviceAliases
  }

  /// Whether a keyfile directory's entry is a profile NetworkManager reads: `*.nmconnection`, or (in /etc, for
  /// profiles from before NetworkManager 1.16) any name that is not hidden, a backup or a package leftover.
  @Sendable public static func isKeyfileName(_ name: String) -> Bool {
    if name.hasSuffix(".nmconnection") { return true }
    if name.hasPrefix(".") || name.contains(".") { return false }
    return !name.hasSuffix("~")
  }
}
