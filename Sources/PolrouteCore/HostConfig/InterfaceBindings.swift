/// The `.network` file systemd-networkd applies to an interface, found by networkd's own matching rules.
public struct NetworkdBinding: Codable, Hashable, Sendable {
  /// The matching `.network` file (the first in file-name order among /etc, /run, /usr/local/lib and /usr/lib,
  /// /lib, a name in an earlier directory hiding the same name in later ones).
  public var file: String
  /// Its drop-ins (`NAME.network.d/*.conf`), in the order networkd applies them.
  public var dropIns: [String]
  /// `[Match]` keys the file uses that cannot be checked from files (`Path=`, `Driver=`, `MACAddress=`, ...):
  /// the file was taken to match on its other keys.
  public var uncheckedMatchKeys: [String]
  /// `[Link] Unmanaged=yes`: networkd leaves the interface alone.
  public var unmanaged: Bool
  /// networkd's run-time state for the link (`ADMIN_STATE=` in /run/systemd/netif/links/IFINDEX).
  public var adminState: String?
  /// The file networkd says it applied (`NETWORK_FILE=`), when it differs from the one found by matching.
  public var runtimeFile: String?
  /// Whether the file's `[Match] Name=` is this interface's name alone (no glob, no other name), so that a drop-in
  /// for it reaches no other link; false when it may match others; nil when not known (the file was not read, or a
  /// snapshot from before polroute recorded it).
  public var exclusive: Bool?

  /// Builds a binding.
  public init(
    file: String, dropIns: [String] = [], uncheckedMatchKeys: [String] = [], unmanaged: Bool = false,
    adminState: String? = nil, runtimeFile: String? = nil, exclusive: Bool? = nil
  ) {
    self.file = file
    self.dropIns = dropIns
    self.uncheckedMatchKeys = uncheckedMatchKeys
    self.unmanaged = unmanaged
    self.adminState = adminState
    self.runtimeFile = runtimeFile
    self.exclusive = exclusive
  }
}

/// The NetworkManager profile bound to an interface.
public struct NetworkManagerBinding: Codable, Hashable, Sendable {
  /// Where the profile is stored.
  public enum Storage: String, Codable, Hashable, Sendable {
    /// A keyfile (`*.nmconnection`).
    case keyfile
    /// An ifcfg file read by the ifcfg-rh plugin.
    case ifcfg
  }

  /// `connection.id`.
  public var id: String?
  /// `connection.uuid`.
  public var uuid: String?
  /// The file.
  public var path: String
  /// Keyfile or ifcfg.
  public var storage: Storage
  /// Whether NetworkManager's device state names this profile as the active one.
  public var active: Bool
  /// Other profiles bound to the same interface (their files), which NetworkManager may activate instead.
  public var alternatives: [String]

  /// Builds a binding.
  public init(
    id: String?, uuid: String?, path: String, storage: Storage, active: Bool = false, alternatives: [String] = []
  ) {
    self.id = id
    self.uuid = uuid
    self.path = path
    self.storage = storage
    self.active = active
    self.alternatives = alternatives
  }
}

/// A netplan device definition that applies to an interface, after merging every netplan file.
public struct NetplanDefinition: Codable, Hashable, Sendable {
  /// The definition's ID (the key under `ethernets:` and the like).
  public var id: String
  /// The device type key (`ethernets`, `bonds`, `vlans`, ...).
  public var type: String
  /// Where the definition is written, one location per file that defines or amends it, in merge order.
  public var locations: [SourceLocation]
  /// The renderer netplan selects for it.
  public var renderer: NetplanRenderer
  /// The line that selects the renderer; nil for netplan's default (networkd).
  public var rendererLocation: SourceLocation?
  /// `match:` keys other than `name` that cannot be checked from files (`macaddress`, `driver`).
  public var uncheckedMatchKeys: [String]

  /// Builds a definition.
  public init(
    id: String, type: String, locations: [SourceLocation], renderer: NetplanRenderer,
    rendererLocation: SourceLocation? = nil, uncheckedMatchKeys: [String] = []
  ) {
    self.id = id
    self.type = type
    self.locations = locations
    self.renderer = renderer
    self.rendererLocation = rendererLocation
    self.uncheckedMatchKeys = uncheckedMatchKeys
  }
}

/// The backends netplan renders for.
public enum NetplanRenderer: String, Codable, Hashable, Sendable {
  /// systemd-networkd (netplan's default).
  case networkd
  /// NetworkManager.
  case networkManager = "NetworkManager"

  /// The manager that reads what netplan renders.
  public var manager: NetworkConfigurator { self == .networkd ? .networkd : .networkManager }
}

/// An interface's stanzas in ifupdown's files.
public struct IfupdownBinding: Codable, Hashable, Sendable {
  /// The `iface` stanzas, in the order ifupdown reads them.
  public var stanzas: [IfupdownStanza]
  /// The `auto` or `allow-*` line that brings it up at boot; nil when none does.
  public var startLine: SourceLocation?

  /// Builds a binding.
  public init(stanzas: [IfupdownStanza], startLine: SourceLocation? = nil) {
    self.stanzas = stanzas
    self.startLine = startLine
  }
}

/// One `iface NAME FAMILY METHOD` stanza.
public struct IfupdownStanza: Codable, Hashable, Sendable {
  /// `inet`, `inet6` (or another family ifupdown knows, such as `ipx`, kept as written).
  public var family: String
  /// `static`, `dhcp`, `manual`, `auto`, `loopback`, ...
  public var method: String
  /// The `iface` line.
  public var location: SourceLocation
  /// The `gateway` option's value, when it has one.
  public var gateway: String?
  /// The `gateway` line.
  public var gatewayLocation: SourceLocation?

  /// Builds a stanza.
  public init(
    family: String, method: String, location: SourceLocation, gateway: String? = nil,
    gatewayLocation: SourceLocation? = nil
  ) {
    self.family = family
    self.method = method
    self.location = location
    self.gateway = gateway
    self.gatewayLocation = gatewayLocation
  }
}

/// An interface's ifcfg file.
public struct IfcfgBinding: Codable, Hashable, Sendable {
  /// The file.
  public var path: String
  /// `NM_CONTROLLED=`; nil when not set (NetworkManager then manages it where it runs).
  public var nmControlled: Bool?
  /// `ONBOOT=`; nil when not set.
  public var onBoot: Bool?
  /// `BOOTPROTO=` as written.
  public var bootProto: String?

  /// Builds a binding.
  public init(path: String, nmControlled: Bool? = nil, onBoot: Bool? = nil, bootProto: String? = nil) {
    self.path = path
    self.nmControlled = nmControlled
    self.onBoot = onBoot
    self.bootProto = bootProto
  }
}

/// systemd-networkd's global settings that decide whether it removes routes and rules it did not make.
public struct NetworkdSettings: Codable, Hashable, Sendable {
  /// `[Network] ManageForeignRoutingPolicyRules=`; nil when no file sets it (networkd's default is yes).
  public var manageForeignRoutingPolicyRules: LocatedFlag?
  /// `[Network] ManageForeignRoutes=`; nil when no file sets it (default yes).
  public var manageForeignRoutes: LocatedFlag?
  /// networkd.conf and its drop-ins, in the order networkd reads them.
  public var files: [String]

  /// Builds the settings.
  public init(
    manageForeignRoutingPolicyRules: LocatedFlag? = nil, manageForeignRoutes: LocatedFlag? = nil,
    files: [String] = []
  ) {
    self.manageForeignRoutingPolicyRules = manageForeignRoutingPolicyRules
    self.manageForeignRoutes = manageForeignRoutes
    self.files = files
  }

  /// Whether networkd removes routing policy rules it did not make when it configures a link.
  public var removesForeignRules: Bool { manageForeignRoutingPolicyRules?.value ?? true }
  /// Whether networkd removes routes it did not make.
  public var removesForeignRoutes: Bool { manageForeignRoutes?.value ?? true }
}

/// NetworkManager's global settings.
public struct NetworkManagerSettings: Codable, Hashable, Sendable {
  /// The routing-rules dispatcher script (NetworkManager-dispatcher-routing-rules), which makes ifcfg `rule-`
  /// and `route-` files work under NetworkManager; nil when it is not installed.
  public var routingRulesDispatcher: String?
  /// `[main] plugins=`; nil when not set.
  public var plugins: [String]?
  /// `[ifupdown] managed=`; nil when not set (default false: interfaces in /etc/network/interfaces are left to
  /// ifupdown).
  public var ifupdownManaged: LocatedFlag?
  /// `[keyfile] unmanaged-devices=` entries, as written.
  public var unmanagedDevices: [String]
  /// NetworkManager.conf and its conf.d files, in the order NetworkManager reads them.
  public var files: [String]
  /// Whether /run/NetworkManager exists (NetworkManager runs, or ran since boot).
  public var running: Bool

  /// Builds the settings.
  public init(
    routingRulesDispatcher: String? = nil, plugins: [String]? = nil, ifupdownManaged: LocatedFlag? = nil,
    unmanagedDevices: [String] = [], files: [String] = [], running: Bool = false
  ) {
    self.routingRulesDispatcher = routingRulesDispatcher
    self.plugins = plugins
    self.ifupdownManaged = ifupdownManaged
    self.unmanagedDevices = unmanagedDevices
    self.files = files
    self.running = running
  }
}

/// netplan's files and its global renderer.
public struct NetplanSettings: Codable, Hashable, Sendable {
  /// The files netplan reads, in merge order.
  public var files: [String]
  /// `network: renderer:`; nil when no file sets it (netplan's default is networkd).
  public var renderer: NetplanRenderer?
  /// The line that sets it.
  public var rendererLocation: SourceLocation?

  /// Builds the settings.
  public init(files: [String], renderer: NetplanRenderer? = nil, rendererLocation: SourceLocation? = nil) {
    self.files = files
    self.renderer = renderer
    self.rendererLocation = rendererLocation
  }
}
