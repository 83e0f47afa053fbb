import Dispatch
import PolrouteCore
import Synchronization

/// Reads a live host's routing state through `ip -j` and files under /etc and /proc.
///
/// It reads only the tables that matter: main, the tables rules point to, and the tables the caller asks for
/// (those a policy would own). `ip -j route show table N` costs ~2 ms however big main is, while any read of main
/// costs ~0.5 s per million routes, so main is read once and decoded while `ip` prints it. One read is three
/// processes started together: `ip -d -j addr show`, and an `ip -batch` per family for rules and routes.
public struct StateReader: Sendable {
  /// Runs `ip`.
  public let runner: any CommandRunner
  /// The host's files (`/etc/iproute2`, `/proc/sys`, `/etc/os-release`).
  public let files: any FileSystem

  /// Reads through `runner` and `files`.
  public init(runner: any CommandRunner, files: any FileSystem = RootedFileSystem()) {
    self.runner = runner
    self.files = files
  }

  /// Reads the whole state: interfaces, both families' rules, main, the tables rules point to, and `extraTables`.
  public func read(extraTables: Set<UInt32> = []) throws -> HostState {
    try read { _ in extraTables }
  }

  /// Reads the whole state; `extraTables` chooses more tables to read once the host's files (rt_tables) are known,
  /// so they come in the same `ip` processes as main.
  public func read(extraTables: (HostState) -> Set<UInt32>) throws -> HostState {
    var state = HostState()
    state.tableNames = readTableNames()
    state.protocolNames = readProtocolNames()
    state.hostname = try files.readText("/proc/sys/kernel/hostname").map(Self.trimmed)
    state.system = try readSystemFacts()
    let decoder = IPOutputDecoder(tableNames: state.names, extraProtocols: state.protocolNames)

    let tables = [RoutingTable.main] + extraTables(state).subtracting(RoutingTable.reserved).sorted()
    let addressCommand = Command(["ip", "-d", "-j", "addr", "show"])
    let results = Mutex<[Int: Result<FamilyRead, any Error>]>([:])
    let interfaces = Mutex<Result<[Interface], any Error>>(.success([]))
    DispatchQueue.concurrentPerform(iterations: 3) { index in
      switch index {
      case 0:
        let result = Result { () throws -> [Interface] in
          let output = try runner.check(addressCommand).output
          return try decoder.interfaces(output, command: addressCommand.description)
        }
        interfaces.withLock { $0 = result }
      default:
        let family: AddressFamily = index == 1 ? .inet : .inet6
        let result = Result { try readFamily(family, rules: true, tables: tables, decoder: decoder) }
        results.withLock { $0[index] = result }
      }
    }
    state.interfaces = try interfaces.withLock { $0 }.get().sorted { $0.index < $1.index }
    for index in 1...2 {
      guard let read = try results.withLock({ $0[index] })?.get() else { continue }
      state.rules += read.rules
      state.routes += read.routes
      if read.omittedMainRoutes > 0 { state.omittedMainRoutes = (state.omittedMainRoutes ?? 0) + read.omittedMainRoutes }
    }
    state.tablesRead = tables.sorted()

    // Second round: tables that rules point to, now that the rules are known.
    let missing = state.tablesNamedByRules.subtracting(state.tablesRead)
    if !missing.isEmpty { try readTables(missing, into: &state) }
    state.rpFilter = try readReversePathFilter(interfaces: state.interfaces.map(\.name))
    return state
  }

  /// Reads more tables (both families) into a state, replacing whatever it held for them.
  public func readTables(_ tables: Set<UInt32>, into state: inout HostState) throws {
    let decoder = IPOutputDecoder(tableNames: state.names, extraProtocols: state.protocolNames)
    let ordered = tables.sorted()
    let results = Mutex<[Int: Result<FamilyRead, any Error>]>([:])
    DispatchQueue.concurrentPerform(iterations: 2) { index in
      let family: AddressFamily = index == 0 ? .inet : .inet6
      let result = Result { try readFamily(family, rules: false, tables: ordered, decoder: decoder) }
      results.withLock { $0[index] = result }
    }
    var routes: [Route] = []
    for index in 0...1 {
      guard let read = try results.withLock({ $0[index] })?.get() else { continue }
      routes += read.routes
    }
    state.merge(routes: routes, tables: ordered)
  }

  /// What one family's batch returned.
  struct FamilyRead: Sendable {
    /// The rules, when asked for.
    var rules: [Rule] = []
    /// The routes of the tables asked for, main bounded by `RouteCollector`.
    var routes: [Route] = []
    /// Main routes read but not kept.
    var omittedMainRoutes = 0
  }

  /// Runs one `ip [-6] -j -batch -` for a family's rules and tables, decoding each route as it arrives.
  func readFamily(_ family: AddressFamily, rules: Bool, tables: [UInt32], decoder: IPOutputDecoder) throws -> FamilyRead {
    var lines: [String] = rules ? ["rule show"] : []
    lines += tables.map { "route show table \($0)" }
    var arguments = ["ip"]
    if family == .inet6 { arguments.append("-6") }
    arguments += ["-j", "-batch", "-"]
    let command = Command(arguments, inputText: lines.joined(separator: "\n") + "\n")
    let commandText = family == .inet6 ? "ip -6 -j" : "ip -j"
    var read = FamilyRead()
    var stream = JSONArrayStream()
    let firstTableDocument = rules ? 1 : 0
    // Error messages name the command; built once per table, not once per route.
    let ruleCommand = "\(commandText) rule show"
    let tableCommands = tables.map { "\(commandText) route show table \($0)" }
    // The handler runs on this thread only; the box lets the escaping closure hand results back.
    let box = ReadBox()
    _ = try runner.check(command) { chunk in
      try stream.feed(chunk) { document, scanner in
        if document < firstTableDocument {
          box.rules.append(try decoder.rule(&scanner, family: family, command: ruleCommand))
        } else {
          let index = document - firstTableDocument
          guard index < tables.count else {
            throw IPOutputError.invalidValue(command: command.description, field: "output", value: "more arrays than commands")
          }
          box.routes.add(
            try decoder.route(&scanner, family: family, defaultTable: tables[index], command: tableCommands[index]))
        }
      }
    }
    do {
      try stream.finish()
    } catch {
      throw IPOutputError.json(command: command.description, error: error)
    }
    guard stream.documentIndex + 1 == lines.count else {
      throw IPOutputError.invalidValue(
        command: command.description, field: "output", value: "\(stream.documentIndex + 1) arrays for \(lines.count) commands")
    }
    read.rules = box.rules
    read.routes = box.routes.routes
    read.omittedMainRoutes = box.routes.omittedMainRoutes
    return read
  }

  /// Collects decoded values inside the output handler.
  final class ReadBox: @unchecked Sendable {
    /// Rules decoded so far.
    var rules: [Rule] = []
    /// Routes decoded so far.
    var routes = RouteCollector()
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
        if RouteProtocol.builtinNames[UInt8(entry.number)] != entry.name { names[entry.name] = UInt8(entry.number) }
      }
    }
    return names
  }

  /// Reads `net.ipv4.conf.{all,default,IFACE}.rp_filter`.
  func readReversePathFilter(interfaces: [String]) throws -> ReversePathFilter {
    func value(_ name: String) throws -> Int? {
      try files.readText("/proc/sys/net/ipv4/conf/\(name)/rp_filter").flatMap { Int(Self.trimmed($0)) }
    }
    var filter = ReversePathFilter(all: try value("all"), defaultValue: try value("default"))
    for name in interfaces {
      if let own = try value(name) { filter.interfaces[name] = own }
    }
    return filter
  }

  /// Reads /etc/os-release and looks for the signs each network manager leaves at run time.
  func readSystemFacts() throws -> SystemFacts {
    var facts = SystemFacts()
    if let text = try files.readText("/etc/os-release") ?? files.readText("/usr/lib/os-release") {
      let release = OSRelease.parse(text)
      facts.osID = release["ID"]
      facts.osLike = release["ID_LIKE"].map { $0.split(separator: " ").map(String.init) } ?? []
      facts.osVersion = release["VERSION_ID"]
    }
    if !files.list("/run/NetworkManager").isEmpty {
      facts.networkManager = "NetworkManager"
    } else if !files.list("/run/systemd/netif/links").isEmpty {
      facts.networkManager = "systemd-networkd"
    } else if try files.read("/run/network/ifstate") != nil || files.read("/etc/network/interfaces") != nil {
      facts.networkManager = "ifupdown"
    } else if files.list("/etc/sysconfig/network-scripts").contains(where: { $0.hasPrefix("ifcfg-") }) {
      facts.networkManager = "network-scripts"
    }
    return facts
  }

  /// Text without surrounding whitespace.
  static func trimmed(_ text: String) -> String {
    String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
