import PolrouteCore

/// Reads a live host's routing state through `ip -j`, rtnetlink and files under /etc and /proc.
///
/// One read is a rule dump of each family over rtnetlink (`NetlinkRules`; a replaying runner has `ip -j rule show`
/// answer instead), and three processes started together with it (and drained from one thread): `ip -d -j addr
/// show`, and for each family one `ip -j -batch -` of `route show table all`. Measured with iproute2 6.1: `ip -j route show
/// table N` alone costs ~2 ms however big main is, but inside `-batch` iproute2 filters tables in user space, so every
/// table read there walks the whole FIB (0.4 s with a million routes in main). One `table all` walk costs what one
/// read of main costs, and tells which tables exist and what they hold, so choosing free table numbers needs no
/// second round. Routes are decoded while `ip` prints them, and `RouteCollector` keeps memory bounded. Rules are
/// dumped rather than printed: 15,000 of them cost `ip -j` 20-30 ms of printing and polroute 10 ms of reading back.
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
    var state = try readRouting { state in
      // The files, read while the rules are still being dumped: the sysctls need only the interfaces' names.
      state.hostname = try files.readText("/proc/sys/kernel/hostname").map { $0.trimmingASCIIWhitespace() }
      state.system = try readSystemFacts()
      let names = state.interfaces.map(\.name)
      let sysctls = try readSysctls(interfaces: names)
      state.rpFilter = Self.reversePathFilter(sysctls, interfaces: names)
      state.forwarding = Self.forwarding(sysctls, interfaces: names)
      state.kernelSettings = Self.kernelSettings(sysctls, interfaces: names)
    }
    state.hostConfiguration = configuration.finish(
      links: state.interfaces.map(LinkIdentity.init), now: HostConfigurationReader.now())
    return state
  }

  /// Reads what an apply compares after it changed the kernel, to restore: the interfaces with their addresses, the
  /// rules and routes of both families, and the table and protocol names that decode them; not the sysctls, the
  /// system or the configuration files, which an apply does not change (on 50 uplinks they are a tenth of a read).
  /// `meanwhile` runs once the interfaces are read, while the rules may still be being dumped.
  public func readRouting(meanwhile: (inout HostState) throws -> Void = { _ in }) throws -> HostState {
    var state = HostState()
    state.tableNames = readTableNames()
    state.protocolNames = readProtocolNames()
    let decoder = IPOutputDecoder(tableNames: state.names, extraProtocols: state.protocolNames)

    let addressCommand = Command(["ip", "-d", "-j", "addr", "show"])
    let (families, results) = try startReads(
      AddressFamily.allCases.map { ($0, [.rules, .routes]) }, decoder: decoder, alongside: [addressCommand])
    state.interfaces = try decoder.interfaces(results[0].output, command: addressCommand.description).sorted {
      $0.index < $1.index
    }
    try meanwhile(&state)
    try finish(families, into: &state)
    return state
  }

  /// Reads back what `changes` can have changed, over the state before them, to verify them: a family's rules where
  /// the changes add or delete rules of that family, its routes where they change its routes. The rest is
  /// `snapshot`'s, since an apply changes no address and nothing of a family it leaves alone: reading it all again
  /// cost a hook's apply that restored two routes, on a host of 15,000 rules, a second dump of every rule (30 ms).
  public func readBack(_ changes: [KernelChange], over snapshot: HostState) throws -> HostState {
    var state = snapshot
    let decoder = IPOutputDecoder(tableNames: snapshot.names, extraProtocols: snapshot.protocolNames)
    let touched = KernelParts(touchedBy: changes)
    let wanted = AddressFamily.allCases.compactMap { family -> (AddressFamily, [FamilyReader.Part])? in
      var parts: [FamilyReader.Part] = []
      if touched.ruleFamilies.contains(family) { parts.append(.rules) }
      if touched.routeFamilies.contains(family) { parts.append(.routes) }
      return parts.isEmpty ? nil : (family, parts)
    }
    let (families, _) = try startReads(wanted, decoder: decoder)
    try finish(families, into: &state)
    return state
  }

  /// Starts reading the parts each family wants: its rules dumped over rtnetlink where the runner can (on other
  /// threads, while `ip` reads the rest), the rest through one `ip -j -batch -` a family. Those processes and
  /// `alongside` run at the same time, drained from this thread, and every one must succeed; the results are
  /// `alongside`'s. `finish` collects the families.
  func startReads(
    _ wanted: [(family: AddressFamily, parts: [FamilyReader.Part])], decoder: IPOutputDecoder,
    alongside: [Command] = []
  ) throws -> (families: [FamilyReader], results: [CommandResult]) {
    let dumps = runner.canDumpRules && wanted.contains { $0.parts.contains(.rules) }
    // Read once for every family whose rules are dumped.
    let groupNames = dumps ? groupNames : [:]
    let families = wanted.map { family, parts in
      let dumped = dumps && parts.contains(.rules)
      let reader = FamilyReader(
        family: family, decoder: decoder, covering: covering.filter { $0.family == family }, parts: parts,
        throughIP: dumped ? parts.filter { $0 != .rules } : parts)
      if dumped {
        let runner = runner
        reader.dump = BackgroundWork { try runner.dumpRules(family, groupNames: groupNames) }
      }
      return reader
    }
    let commands = alongside + families.compactMap(\.command)
    let results = try runner.runAll(alongside.map { CommandJob($0) } + families.compactMap(\.job))
    for (result, command) in zip(results, commands) where result.status != 0 {
      throw CommandError.failed(command: command.description, status: result.status, stderr: result.errorText)
    }
    return (families, Array(results.prefix(alongside.count)))
  }

  /// Collects what `startReads` read (waiting for the dumps), in place of what `state` held of those families.
  func finish(_ families: [FamilyReader], into state: inout HostState) throws {
    for family in families {
      try family.finish()
      family.replace(in: &state)
    }
  }

  /// One family's `ip -4|-6 -j -batch -` of `rule show` and `route show table all` (or one of them), decoded as the
  /// output arrives.
  final class FamilyReader {
    /// What a family's read holds, one command each, in this order.
    enum Part {
      /// `rule show`.
      case rules
      /// `route show table all`.
      case routes
    }

    /// The family.
    let family: AddressFamily
    /// What is read.
    let parts: [Part]
    /// What of it `ip` reads (the rest was dumped over rtnetlink).
    let throughIP: [Part]
    /// Decodes the objects.
    let decoder: IPOutputDecoder
    /// The command, if `ip` reads anything; the family must be explicit: without it, `route show table all` dumps both.
    let command: Command?
    /// `ip -4 -j rule show`, for error messages (made once, not once per rule).
    let ruleCommand: String
    /// `ip -4 -j route show table all`, likewise.
    let routeCommand: String
    /// Splits the output into the arrays' elements.
    var stream = JSONArrayStream()
    /// The rules decoded so far.
    var rules: [Rule] = []
    /// The dump of the rules over rtnetlink, when they are not read through `ip`.
    var dump: BackgroundWork<[Rule], any Error>?
    /// The routes decoded so far, bounded.
    var routes: RouteCollector

    /// Prepares the read of a family's `parts`, those of `throughIP` by `ip`, keeping every route that covers one of
    /// `covering`.
    init(
      family: AddressFamily, decoder: IPOutputDecoder, covering: [IPAddress] = [], parts: [Part] = [.rules, .routes],
      throughIP: [Part]? = nil
    ) {
      self.family = family
      self.parts = parts
      self.throughIP = throughIP ?? parts
      self.decoder = decoder
      routes = RouteCollector(covering: covering)
      let lines = self.throughIP.map { $0 == .rules ? "rule show\n" : "route show table all\n" }
      command =
        lines.isEmpty ? nil : Command(["ip", family.ipOption, "-j", "-batch", "-"], inputText: lines.joined())
      ruleCommand = "ip \(family.ipOption) -j rule show"
      routeCommand = "ip \(family.ipOption) -j route show table all"
    }

    /// The `ip` process to run, if `ip` reads anything.
    var job: CommandJob? { command.map { CommandJob($0, output: feed) } }

    /// Decodes the elements a chunk of output completes.
    func feed(_ chunk: UnsafeRawBufferPointer) throws {
      try stream.feed(chunk) { document, scanner in
        guard document < throughIP.count else {
          throw IPOutputError.invalidValue(
            command: command?.description ?? ruleCommand, field: "output", value: "more arrays than commands")
        }
        switch throughIP[document] {
        case .rules:
          rules.append(try decoder.rule(&scanner, family: family, command: ruleCommand))
        case .routes:
          // In a `table all` dump, routes without a "table" field are main's.
          routes.add(
            try decoder.route(&scanner, family: family, defaultTable: RoutingTable.main, command: routeCommand))
        }
      }
    }

    /// Collects the dumped rules, and checks that `ip`'s output ended whole, with one array per command.
    func finish() throws {
      if let dump { rules = try dump.value() }
      guard let command else { return }
      do {
        try stream.finish()
      } catch {
        throw IPOutputError.json(command: command.description, error: error)
      }
      guard stream.documentIndex == throughIP.count - 1 else {
        throw IPOutputError.invalidValue(
          command: command.description, field: "output",
          value: "\(stream.documentIndex + 1) arrays for \(throughIP.count) commands")
      }
    }

    /// Puts what was read in `state`, in place of what it held of this family.
    func replace(in state: inout HostState) {
      // Moved rather than copied where the state holds none of the family yet: a copy of 15,000 rules retains
      // every string in them.
      if parts.contains(.rules) {
        state.rules.removeAll { $0.family == family }
        if state.rules.isEmpty { state.rules = rules } else { state.rules.append(contentsOf: rules) }
      }
      if parts.contains(.routes) {
        state.routes.removeAll { $0.family == family }
        if state.routes.isEmpty { state.routes = routes.routes } else { state.routes.append(contentsOf: routes.routes) }
        let omissions = (state.omittedByTable ?? []).filter { $0.family != family } + (routes.omissions ?? [])
        state.omittedByTable = omissions.isEmpty ? nil : omissions
        state.omittedRoutes = omissions.isEmpty ? nil : omissions.reduce(0) { $0 + $1.count }
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

  /// Interface group names, by number, as /usr/share/iproute2/group and /etc/iproute2/group give them (the later
  /// wins): a rule dump gives a `suppress_ifgroup` as a number, which `ip` prints by name.
  var groupNames: [UInt32: String] {
    var names: [UInt32: String] = [:]
    for path in ["/usr/share/iproute2/group", "/etc/iproute2/group"] {
      guard let text = try? files.readText(path) else { continue }
      for entry in RoutingTableFile.parse(text, file: path).entries { names[entry.number] = entry.name }
    }
    return names
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
