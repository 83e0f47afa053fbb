/// The lease files of systemd's DHCP client (sd-dhcp-lease's `dhcp_lease_save`): systemd-networkd's
/// /run/systemd/netif/leases/IFINDEX and NetworkManager's internal client's
/// /var/lib/NetworkManager/internal-UUID-IFACE.lease. `KEY=VALUE` lines (`ADDRESS=`, `NETMASK=`, `ROUTER=` with
/// routers separated by blanks, `SERVER_ADDRESS=`, `LIFETIME=`, `CLASSLESS_ROUTES=DEST/LEN,GW ...`), after a
/// comment saying the file is private: systemd does not promise the format, so unknown keys are ignored and a file
/// without `ADDRESS=` gives no lease.
public enum NetworkdLeaseFile {
  /// Reads a lease for `interface`.
  public static func parse(_ text: String, path: String, interface: String, client: DHCPLease.Client)
    -> (DHCPLease?, [Diagnostic])
  {
    var values: [String: (value: String, line: Int)] = [:]
    for (index, raw) in text.byteLines.enumerated() {
      let line = raw.trimmingASCIIWhitespace()
      guard !line.isEmpty, !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
      values[String(line[..<equals])] = (String(line[line.index(after: equals)...]), index + 1)
    }
    var diagnostics: [Diagnostic] = []
    guard let address = values["ADDRESS"] else { return (nil, []) }
    guard let leased = IPAddress(address.value) else {
      return (
        nil,
        [
          .warning(
            "ADDRESS= '\(address.value.echoed)' is not an address",
            at: SourceLocation(file: path, line: address.line, column: 1))
        ]
      )
    }
    var lease = DHCPLease(interface: interface, client: client, address: leased, file: path)
    if let mask = values["NETMASK"].flatMap({ IPAddress($0.value) }) { lease.prefixLength = IfcfgFile.maskLength(mask) }
    if let routers = values["ROUTER"] {
      for word in routers.value.split(separator: " ") {
        if let router = IPAddress(word) {
          lease.routers.append(router)
        } else {
          diagnostics.append(
            .warning(
              "ROUTER= '\(word.echoed)' is not an address",
              at: SourceLocation(file: path, line: routers.line, column: 1)))
        }
      }
    }
    lease.server = values["SERVER_ADDRESS"].flatMap { IPAddress($0.value) }
    lease.leaseSeconds = values["LIFETIME"].flatMap { UInt32($0.value) }
    if let routes = values["CLASSLESS_ROUTES"] {
      var gateways: [IPAddress] = []
      for route in routes.value.split(separator: " ") {
        let parts = route.split(separator: ",")
        guard parts.count == 2, let destination = IPPrefix(parts[0]), let gateway = IPAddress(parts[1]) else {
          continue
        }
        if destination.isDefault { gateways.append(gateway) }
      }
      lease.classlessDefaultGateways = gateways
    }
    return (lease, diagnostics)
  }

  /// The interface of a NetworkManager lease file name (`internal-UUID-IFACE.lease`, `dhclient-UUID-IFACE.lease`),
  /// and which client wrote it; nil for other names (DHCPv6 leases among them).
  public static func networkManagerLease(fileName name: String) -> (interface: String, client: DHCPLease.Client)? {
    guard name.hasSuffix(".lease") else { return nil }
    let base = name.dropLast(6)
    let client: DHCPLease.Client
    let rest: Substring
    if base.hasPrefix("internal-") {
      client = .networkManager
      rest = base.dropFirst(9)
    } else if base.hasPrefix("dhclient-") {
      client = .networkManagerDhclient
      rest = base.dropFirst(9)
    } else {
      return nil
    }
    // A UUID is 36 characters; the interface follows its dash.
    guard rest.count > 37, rest[rest.index(rest.startIndex, offsetBy: 36)] == "-" else { return nil }
    return (String(rest.dropFirst(37)), client)
  }
}
