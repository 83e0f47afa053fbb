import Dispatch
import PolrouteCore
import Synchronization

/// Reads a live host's routing state through `ip -j` and files under /etc and /proc.
///
/// One read is three processes started together: `ip -d -j addr show`, and for each family one `ip -j -batch -`
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

  /// Reads through `runner` and `files`.
  public init(runner: any CommandRunner, files: any FileSystem = RootedFileSystem()) {
    self.runner = runner
    self.files = files
  }

  /// Reads the whole state: interfaces, rules and routes of both families, table names, rp_filter.
  public func read() throws -> HostState {
    var state = HostState()
    state.tableNames = readTableNames()
    state.protocolNames = readProtocolNames()
    state.hostname = try files.readText("/proc/sys/kernel/hostname").map(Self.trimmed)
    state.system = try readSystemFacts()
    let decoder = IPOutputDecoder(tableNames: state.names, extraProtocols: state.protocolNames)

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
        let result = Result { try readFamily(family, decoder: decoder) }
        results.withLock { $0[index] = result }
      }
    }
    state.interfaces = try interfaces.withLock { $0 }.get().sorted { $0.index < $1.index }
    for index in 1...2 {
      guard let read = try results.withLock({ $0[index] })?.get() else { continue }
      state.rules += read.rules
      state.routes += read.routes
      if read.omittedRoutes > 0 { state.omittedRoutes = (state.omittedRoutes ?? 0) + read.omittedRoutes }
    }
    state.rpFilter = try readReversePathFilter(interfaces: state.interfaces.map(\.name))
    return state
  }

  /// What one family's batch returned.
  struct FamilyRead: Sendable {
    /// The rules, when asked for.
    var rules: [Rule] = []
    /// The routes, bounded by `RouteCollector`.
    var routes: [Route] = []
    /// Routes read but not kept.
    var omittedRoutes = 0
  }

  /// Runs one `ip [-6] -j -batch -` for a family's rules and every table, decoding each route as it arrives.
  func readFamily(_ family: AddressFamily, decoder: IPOutputDecoder) throws -> FamilyRead {
    let lines = ["rule show", "route show table all"]
    // The family must be explicit: without it, `route show table all` dumps both.
    let command = Command(["ip", family.ipOption, "-j", "-batch", "-"], inputText: lines.joined(separator: "\n") + "\n")
    let commandText = "ip \(family.ipOption) -j"
    // Error messages name the command; built once, not once per route.
    let ruleCommand = "\(commandText) rule show"
    let routeCommand = "\(commandText) route show table all"
    var read = FamilyRead()
    var stream = JSONArrayStream()
    // The handler runs on this thread only; the box lets the escaping closure hand results back.
    let box = ReadBox()
    _ = try runner.check(command) { chunk in
      try stream.feed(chunk) { document, scanner in
        switch document {
        case 0:
          box.rules.append(try decoder.rule(&scanner, family: family, command: ruleCommand))
        case 1:
          // In a `table all` dump, routes without a "table" field are main's.
          box.routes.add(try decoder.route(&scanner, family: family, defaultTable: RoutingTable.main, command: routeCommand))
        default:
          throw IPOutputError.invalidValue(command: command.description, field: "output", value: "more arrays than commands")
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
    read.omittedRoutes = box.routes.omittedRoutes
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
