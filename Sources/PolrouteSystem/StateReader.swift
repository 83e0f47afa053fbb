import PolrouteCore

/// Reads a live host's routing state through `ip -j` and files under /etc and /proc.
///
/// One read is three processes started together (and drained from one thread): `ip -d -j addr show`, and for each family one `ip -j -batch -`
/// that prints the rules and `route show table all`. Measured with iproute2 6.1: `ip -j route show table N` alone
/// costs ~2 ms however big main is, but inside `-batch` iproute2 filters tables in user space, so every table read
/// there walks the whole FIB (0.4 s with a million routes in main). One `table all` walk costs what one read of
/// main costs, and tells which tables exist and what they hold, so choosing free table numbers needs no second
/// round. Routes are decoded while `ip` prints them, and `RouteCollector` keeps memory bounded.
public struct StateReader: Sendable {
  /// Runs `ip`.
  public let runner: any CommandRunner
  /// The host's files (`/etc/iproute2`, `/proc/sys`, `/etc/os-release`).
  public let files: any FileSystem
  /// Addresses whose covering routes are all kept, however large their tables (see `RouteCollector`): a trace
  /// asks for its flow's, so that its lookups see every route the kernel would.
  public var covering: [IPAddress]

  /// Reads through `runner` and `files`.
  public init(runner: any CommandRunner, files: any FileSystem = RootedFileSystem(), covering: [IPAddress] = []) {
    self.runner = runner
    self.files = files
    self.covering = covering
  }

  /// Reads the whole state: interfaces, rules and routes of both families, table names, the sysctls, the system and
  /// the network configuration files.
  public func read() throws -> HostState {
    // Read and parsed on another thread while the rest is read (see HostConfigurationReader).
    let configuration = HostConfigurationReader(files: files).start()
    var state = try readRouting()
    state.hostname = try files.readText("/proc/sys/kernel/hostname").map { $0.trimmingASCIIWhitespace() }
    state.system = try readSystemFacts()
    let names = state.interfaces.map(\.name)
    let sysctls = try readSysctls(interfaces: names)
    state.rpFilter = Self.reversePathFilter(sysctls, interfaces: names)
    state.forwarding = Self.forwarding(sysctls, interfaces: names)
    state.kernelSettings = Self.kernelSettings(sysctls, interfaces: names)
    state.hostConfiguration = configuration.finish(
      links: state.interfaces.map(LinkIdentity.init), now: HostConfigurationReader.now())
    return state
  }

  /// Reads what an apply compares after it changed the kernel, to verify or to restore: the interfaces with their
  /// addresses, the rules and routes of both families, and the table and protocol names that decode them; not the
  /// sysctls, the system or the configuration files, which an apply does not change (on 50 uplinks they are a
  /// tenth of a read).
  public func readRouting() throws -> HostState {
    var state = HostState()
    state.tableNames = readTableNames()
    state.protocolNames = readProtocolNames()
    let decoder = IPOutputDecoder(tableNames: state.names, extraProtocols: state.protocolNames)

    let addressCommand = Command(["ip", "-d", "-j", "addr", "show"])
    let families = AddressFamily.allCases.map { family in
      FamilyReader(family: family, decoder: decoder, covering: covering.filter { $0.family == family })
    }
    // The three processes run at the same time, drained from this thread.
    let results = try runner.runAll(
      [CommandJob(addressCommand)] + families.map { CommandJob($0.command, output: $0.feed) })
    for (result, command) in zip(results, [addressCommand] + families.map(\.command)) where result.status != 0 {
      throw CommandError.failed(command: command.description, status: result.status, stderr: result.errorText)
    }
    state.interfaces = try decoder.interfaces(results[0].output, command: addressCommand.description).sorted {
      $0.index < $1.index
    }
    for family in families {
      try family.finish()
      state.rules += family.rules
      state.routes += family.routes.routes
      if family.routes.omittedRoutes > 0 {
        state.omittedRoutes = (state.omittedRoutes ?? 0) + family.routes.omittedRoutes
        state.omittedByTable = (state.omittedByTable ?? []) + (family.routes.omissions ?? [])
      }
    }
    return state
  }

  /// One family's `ip -4|-6 -j -batch -` of `rule show` and `route show table all`, decoded as the output arrives.
  final class FamilyReader {
    /// The family.
    let family: AddressFamily
    /// Decodes the objects.
    let decoder: IPOutputDecoder
    /// The command; the family must be explicit: without it, `route show table all` dumps both.
    let command: Command
    /// `ip -4 -j rule show`, for error messages (made once, not once per rule).
    let ruleCommand: String
    /// `ip -4 -j route show table all`, likewise.
    let routeCommand: String
    /// Splits the output into the two arrays' elements.
    var stream = JSONArrayStream()
    /// The rules decoded so far.
    var rules: [Rule] = []
    /// The routes decoded so far, bounded.
    var routes: RouteCollector

    /// Prepares the read of a family, keeping every route that covers one of `covering`.
    init(family: AddressFamily, decoder: IPOutputDecoder, covering: [IPAddress] = []) {
      self.family = family
      self.decoder = decoder
      routes = RouteCollector(covering: covering)
      command = Command(["ip", family.ipOption, "-j", "-batch", "-"], inputText: "rule show\nroute show table all\n")
      ruleCommand = "ip \(family.ipOption) -j rule show"
      routeCommand = "ip \(family.ipOption) -j route show table all"
    }

    /// Decodes the elements a chunk of output completes.
    func feed(_ chunk: UnsafeRawBufferPointer) throws {
      try stream.feed(chunk) { document, scanner in
        switch document {
        case 0:
          rules.append(try decoder.rule(&scanner, family: family, command: ruleCommand))
        case 1:
          // In a `table all` dump, routes without a "table" field are main's.
          routes.add(
            try decoder.route(&scanner, family: family, defaultTable: RoutingTable.main, command: routeCommand))
        default:
          throw IPOutputError.invalidValue(
            command: command.description, field: "output", value: "more arrays than commands")
        }
      }
    }

    /// Checks that the output ended whole, with one array per command.
    func finish() throws {
      do {
        try stream.finish()
      } catch {
        throw IPOutputError.json(command: command.description, error: error)
      }
      guard stream.documentIndex == 1 else {
        throw IPOutputError.invalidValue(
          command: command.description, field: "output", value: "\(stream.documentIndex + 1) arrays for 2 commands")
      }
    }
  }

  /// The iproute2 version `ip -V` prints (`ip utility, iproute2-6.1.0, libbpf 1.1.0`), or nil when it cannot say:
  /// only persistence needs it, so it is asked for on its own.
  public func readIPRouteVersion() -> String? {
    guard let result = try? runner.check(Command(["ip", "-V"])) else { return nil }
    let text = result.outputText.trimmingASCIIWhitespace()
    return text.isEmpty ? nil : text
  }

  /// Reads every rt_tables file iproute2 reads.
  func readTableNames() -> [TableNameEntry] {
    var entries: [TableNameEntry] = []
    for (file, directory) in zip(RoutingTableFile.files, RoutingTableFile.directories) {
      if let text = try? files.readText(file) { entries += RoutingTableFile.parse(text, file: file).entries }
      for name in files.list(directory) where name.hasSuffix(".conf") {
        let path = directory + "/" + name
        if let text = try? files.readText(path) { entries += RoutingTableFile.parse(text, file: path).entries }
      }
    }
    return entries
  }

  /// Reads route protocol names beyond iproute2's defaults (rt_protos and rt_protos.d).
  func readProtocolNames() -> [String: UInt8] {
    var paths = ["/usr/share/iproute2/rt_protos", "/etc/iproute2/rt_protos"]
    for directory in ["/usr/share/iproute2/rt_protos.d", "/etc/iproute2/rt_protos.d"] {
      paths += files.list(directory).filter { $0.hasSuffix(".conf") }.map { directory + "/" + $0 }
    }
    var names: [String: UInt8] = [:]
    for path in paths {
      guard let text = try? files.readText(path) else { continue }
      for entry in RoutingTableFile.parse(text, file: path).entries where entry.number <= 255 {
        // A name iproute2 already gives a well-known number (FRR's rt_protos.d/frr.conf names 196 'static') is
        // printed for both numbers alike; it is read as the well-known one, which networkd, NetworkManager and
        // 'ip route add proto static' use.
        if RouteProtocol.builtinNames.values.contains(entry.name) { continue }
        names[entry.name] = UInt8(entry.number)
      }
    }
    return names
  }

  /// The sysctls under /proc/sys/net that the state holds, for these interfaces, read in one batch: the trimmed
  /// value by path relative to /proc/sys/net (absent where the file does not exist).
  func readSysctls(interfaces: [String]) throws -> [String: String] {
    var paths = [
      "ipv4/conf/all/rp_filter", "ipv4/conf/default/rp_filter", "ipv6/conf/all/forwarding",
      "ipv4/fib_multipath_hash_policy", "ipv6/fib_multipath_hash_policy",
    ]
    for name in interfaces {
      paths += [
        "ipv4/conf/\(name)/rp_filter", "ipv4/conf/\(name)/forwarding", "ipv6/conf/\(name)/forwarding",
        "ipv4/conf/\(name)/ignore_routes_with_linkdown", "ipv6/conf/\(name)/ignore_routes_with_linkdown",
      ]
    }
    var values: [String: String] = [:]
    for (path, bytes) in zip(paths, try files.read(paths, in: "/proc/sys/net")) {
      if let bytes { values[path] = String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace() }
    }
    return values
  }

  /// `net.ipv4.conf.{all,default,IFACE}.rp_filter`, from the sysctls read.
  static func reversePathFilter(_ sysctls: [String: String], interfaces: [String]) -> ReversePathFilter {
    func value(_ name: String) -> Int? { sysctls["ipv4/conf/\(name)/rp_filter"].flatMap { Int($0) } }
    var filter = ReversePathFilter(all: value("all"), defaultValue: value("default"))
    for name in interfaces {
      if let own = value(name) { filter.interfaces[name] = own }
    }
    return filter
  }

  /// `net.ipv4.conf.IFACE.forwarding`, `net.ipv6.conf.all.forwarding` and `net.ipv6.conf.IFACE.forwarding`, from the
  /// sysctls read; nil when none could be read (a replayed host without /proc).
  static func forwarding(_ sysctls: [String: String], interfaces: [String]) -> ForwardingSettings? {
    func value(_ path: String) -> Bool? { sysctls[path].flatMap { Int($0) }.map { $0 != 0 } }
    var settings = ForwardingSettings(ipv6All: value("ipv6/conf/all/forwarding"))
    for name in interfaces {
      settings.ipv4[name] = value("ipv4/conf/\(name)/forwarding")
      settings.ipv6[name] = value("ipv6/conf/\(name)/forwarding")
    }
    if settings.ipv6All == nil && settings.ipv4.isEmpty && settings.ipv6.isEmpty { return nil }
    return settings
  }

  /// The settings an uplink group can ask for, from the sysctls read: `net.ipv{4,6}.fib_multipath_hash_policy` and
  /// `net.ipv{4,6}.conf.IFACE.ignore_routes_with_linkdown`, keyed by their path under /proc/sys; nil when none could
  /// be read (a replayed host without /proc).
  static func kernelSettings(_ sysctls: [String: String], interfaces: [String]) -> [String: String]? {
    var settings: [String: String] = [:]
    var paths = ["ipv4/fib_multipath_hash_policy", "ipv6/fib_multipath_hash_policy"]
    for name in interfaces {
      paths += ["ipv4/conf/\(name)/ignore_routes_with_linkdown", "ipv6/conf/\(name)/ignore_routes_with_linkdown"]
    }
    for path in paths {
      if let value = sysctls[path] { settings["net/" + path] = value }
    }
    return settings.isEmpty ? nil : settings
  }

  /// Reads /etc/os-release.
  func readSystemFacts() throws -> SystemFacts {
    var facts = SystemFacts()
    if let text = try files.readText("/etc/os-release") ?? files.readText("/usr/lib/os-release") {
      let release = OSRelease.parse(text)
      facts.osID = release["ID"]
      facts.osLike = release["ID_LIKE"].map { $0.split(separator: " ").map(String.init) } ?? []
      facts.osVersion = release["VERSION_ID"]
    }
    return facts
  }
}
