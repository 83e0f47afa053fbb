import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// Reads the hosts recorded under Tests/Fixtures/hosts the way polroute reads a live host, and the values every
/// recorded host shares.
enum RecordedHost {
  /// What reading a fixture gave: the state, and the runner that answered (its log holds the commands run).
  struct Reading {
    /// The state StateReader built.
    var state: HostState
    /// The replay runner, for its command log.
    var runner: ReplayRunner
  }

  /// Reads the fixture host `name` with StateReader over its recordings (`ip/`) and files (`root/`).
  static func read(_ name: String) throws -> Reading {
    let host = FixtureHost(name)
    let runner = host.runner()
    return Reading(state: try StateReader(runner: runner, files: host.files).read(), runner: runner)
  }

  /// The tables that hold routes in a state, in order (the reader leaves out table local).
  static func tables(_ state: HostState) -> [UInt32] {
    Set(state.routes.map(\.table)).sorted()
  }

  /// The three commands StateReader runs, whatever the host: the links and addresses, and for each family one
  /// batch of the rules and every table.
  static let readCommands: Set<Command> = [
    Command(["ip", "-d", "-j", "addr", "show"]),
    Command(["ip", "-4", "-j", "-batch", "-"], inputText: "rule show\nroute show table all\n"),
    Command(["ip", "-6", "-j", "-batch", "-"], inputText: "rule show\nroute show table all\n"),
  ]

  /// Debian 12's stock /etc/iproute2/rt_tables, which every recorded host has.
  static let debianTableNames: [TableNameEntry] = [
    TableNameEntry(number: 255, name: "local", file: "/etc/iproute2/rt_tables", line: 4),
    TableNameEntry(number: 254, name: "main", file: "/etc/iproute2/rt_tables", line: 5),
    TableNameEntry(number: 253, name: "default", file: "/etc/iproute2/rt_tables", line: 6),
    TableNameEntry(number: 0, name: "unspec", file: "/etc/iproute2/rt_tables", line: 7),
  ]

  /// What /etc/os-release of the recorded hosts (Debian 12) says, with no network manager's traces.
  static let debianSystem = SystemFacts(osID: "debian", osLike: [], osVersion: "12")

  /// The kernel's default IPv4 rules, as every namespace starts with them.
  static let defaultRulesV4 = [
    Rule(family: .inet, priority: 0, action: .lookup(RoutingTable.local)),
    Rule(family: .inet, priority: 32766, action: .lookup(RoutingTable.main)),
    Rule(family: .inet, priority: 32767, action: .lookup(RoutingTable.defaultTable)),
  ]

  /// The kernel's default IPv6 rules (IPv6 has no rule for table default).
  static let defaultRulesV6 = [
    Rule(family: .inet6, priority: 0, action: .lookup(RoutingTable.local)),
    Rule(family: .inet6, priority: 32766, action: .lookup(RoutingTable.main)),
  ]

  /// The loopback interface of a fresh namespace, brought up.
  static let loopback = Interface(
    name: "lo", index: 1, linkType: "loopback", operState: "UNKNOWN", flags: ["LOOPBACK", "UP", "LOWER_UP"],
    mtu: 65536,
    addresses: [
      Address(address("127.0.0.1/8"), scope: "host", label: "lo"),
      Address(address("::1/128"), scope: "host"),
    ])
}

/// Flags of an interface that is up with a carrier.
let upFlags = ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]

/// An interface address from `ADDR/LEN` text; the text is a literal of the test, so a typo stops the test.
func address(_ text: String) -> InterfaceAddress {
  do {
    return try InterfaceAddress(parsing: text)
  } catch {
    preconditionFailure("bad address literal \(text): \(error)")
  }
}

/// A prefix from `ADDR/LEN` text, or `default` for a family's default route.
func prefix(_ text: String) -> IPPrefix {
  if text == "default" { return .defaultRoute(.inet) }
  if text == "default6" { return .defaultRoute(.inet6) }
  do {
    return try IPPrefix(parsing: text)
  } catch {
    preconditionFailure("bad prefix literal \(text): \(error)")
  }
}

/// An IP address from text.
func ip(_ text: String) -> IPAddress {
  do {
    return try IPAddress(parsing: text)
  } catch {
    preconditionFailure("bad IP literal \(text): \(error)")
  }
}

/// A link-local fe80::/64 address as the kernel gives it (scope link, no flags).
func linkLocal(_ text: String) -> Address {
  Address(address(text + "/64"), scope: "link")
}

/// The IPv4 default route's destination.
let default4 = IPPrefix.defaultRoute(.inet)
/// The IPv6 default route's destination.
let default6 = IPPrefix.defaultRoute(.inet6)

/// An interface that is up with a carrier (`BROADCAST,MULTICAST,UP,LOWER_UP`, operstate UP, ether, MTU 1500), as
/// every recorded veth, bridge and macvlan whose far end is up.
func upLink(
  _ name: String, index: Int, kind: String = "veth", master: String? = nil, addresses: [Address]
) -> Interface {
  Interface(
    name: name, index: index, kind: kind, linkType: "ether", operState: "UP", flags: upFlags, master: master,
    mtu: 1500, addresses: addresses)
}

/// The route the kernel adds for an IPv4 address's prefix: proto kernel, scope link, src the address.
func kernelRoute(_ destination: String, device: String, source: String, table: UInt32 = RoutingTable.main) -> Route {
  Route(
    table: table, destination: prefix(destination), device: device, protocolNumber: RouteProtocol.kernel,
    scope: RouteScope.link, preferredSource: ip(source))
}

/// The route the kernel adds for an IPv6 address's prefix (and fe80::/64 on every link): proto kernel, metric 256.
func kernelRoute6(_ destination: String, device: String) -> Route {
  Route(destination: prefix(destination), device: device, protocolNumber: RouteProtocol.kernel, metric: 256)
}
