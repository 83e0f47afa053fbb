import Foundation
import PolrouteCore
import PolrouteSystem
import Synchronization
import TestSupport
import Testing

/// `polroute trace` judged by the kernel: random hosts built in namespaces (several tables; rules with random
/// selectors and priorities, `not`, `goto`, marks with masks, uid ranges, `iif`, ports, suppressors; blackhole,
/// unreachable, prohibit and throw routes; overlapping prefixes; metrics; multipath; reverse-path filtering and
/// forwarding per interface), random flows through each, and `ip route get` with the same selectors for every one.
/// `polroute trace` must agree on the live host and on its snapshot: the device, the gateway and the table, or the
/// error. The seed is printed; `POLROUTE_TRACE_SEED=N` replays a run.
@Suite("trace against ip route get, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost))
struct TraceDifferentialLiveTests {
  /// How many random hosts.
  static let hosts = 24
  /// How many flows through each (half IPv4, half IPv6).
  static let flowsPerHost = 48

  @Test("on random hosts, trace agrees with ip route get on every flow, live and on the snapshot")
  func agreesWithTheKernel() throws {
    let seed = SeededGenerator.replayableSeed("trace differential test")
    var random = SeededGenerator(seed: seed)
    let scratch = try TemporaryDirectory("trace-diff")
    let policy = try scratch.write("empty.conf", "# no policy: the plan changes nothing\n")
    var disagreements: [String] = []
    var compared = 0
    var ambiguous = 0
    for index in 0..<Self.hosts {
      let host = RandomHost(random: &random)
      let namespace = try Namespace("trd")
      try host.build(in: namespace)
      let flows = host.flows(count: Self.flowsPerHost, random: &random)
      let kernel = try KernelAnswer.ask(flows, in: namespace)
      let inspect = try namespace.polroute(["inspect", "--json"])
      try #require(inspect.status == 0, "inspect failed: \(inspect.errorText)")
      let snapshot = try scratch.write("host\(index).json", inspect.outputText)
      let state = try Snapshot.decode(inspect.output, file: snapshot)
      let merged = !state.rules.contains { $0.family == .inet && !$0.isKernelDefault }
      let traced = try trace(flows, namespace: namespace, snapshot: snapshot, policy: policy)
      let before = disagreements.count
      for (number, flow) in flows.enumerated() {
        for (side, answer) in [("live", traced[number].live), ("snapshot", traced[number].snapshot)] {
          // A multipath route whose hops a suppress_ifgroup rule treats differently: the kernel's answer depends on
          // a hash with a random seed, and the trace says so.
          if case .egress(let egress) = answer, egress.dependsOnHash {
            ambiguous += 1
            continue
          }
          if case .rejected(_, _, true) = answer {
            ambiguous += 1
            continue
          }
          compared += 1
          if let problem = Self.disagreement(kernel[number], answer, mergedLocal: merged) {
            disagreements.append("host \(index), \(side): \(KernelAnswer.line(flow)): \(problem)")
          }
        }
      }
      if disagreements.count > before {
        print("host \(index), where traces disagree:\n\(host.summary)")
        for line in disagreements[before...] { print("  " + line) }
      }
    }
    print("trace differential test: \(compared) traces compared, \(ambiguous) left out as depending on a hash")
    #expect(compared >= 2 * 1000)
    #expect(ambiguous * 50 < compared, "too many traces depend on a hash: \(ambiguous)")
    #expect(
      disagreements.isEmpty,
      Comment(
        rawValue: "seed \(seed) (POLROUTE_TRACE_SEED=\(seed)): \(disagreements.count) of \(compared) traces disagree:\n"
          + disagreements.prefix(20).joined(separator: "\n")))
  }

  /// Runs `polroute trace --json` for every flow on the live namespace and on the snapshot, four at a time.
  func trace(_ flows: [Flow], namespace: Namespace, snapshot: String, policy: String) throws
    -> [(live: TracedAnswer, snapshot: TracedAnswer)]
  {
    let results = Mutex([Int: TracedAnswer]())
    let jobs = flows.count * 2
    let queue = DispatchQueue(label: "trace", attributes: .concurrent)
    let group = DispatchGroup()
    let slots = DispatchSemaphore(value: 4)
    for job in 0..<jobs {
      let flow = flows[job / 2]
      let live = job % 2 == 0
      let arguments =
        ["trace", "--json", "--policy", policy] + Self.options(flow) + (live ? [] : ["--state", snapshot])
      slots.wait()
      queue.async(group: group) {
        defer { slots.signal() }
        let answer: TracedAnswer
        do {
          let result =
            live ? try namespace.polroute(arguments) : try Live.run([TestPaths.binary] + arguments)
          answer = TracedAnswer(result)
        } catch {
          answer = .failed("\(error)")
        }
        results.withLock { $0[job] = answer }
      }
    }
    group.wait()
    let all = results.withLock { $0 }
    return flows.indices.map { (all[2 * $0] ?? .failed("not run"), all[2 * $0 + 1] ?? .failed("not run")) }
  }

  /// `trace`'s options for a flow.
  static func options(_ flow: Flow) -> [String] {
    var options = ["--to", flow.destination.description]
    if let source = flow.source { options += ["--from", source.description] }
    if flow.inputInterface != "lo" { options += ["--iif", flow.inputInterface] }
    if let ipProtocol = flow.ipProtocol { options += ["--ipproto", String(ipProtocol)] }
    if let port = flow.sourcePort { options += ["--sport", String(port)] }
    if let port = flow.destinationPort { options += ["--dport", String(port)] }
    if flow.mark != 0 { options += ["--fwmark", String(flow.mark)] }
    if flow.uid != 0 { options += ["--uid", String(flow.uid)] }
    return options
  }

  /// Why polroute's answer differs from the kernel's, or nil when they agree. With no custom IPv4 rules the kernel
  /// keeps the local and main tables in one tree and reports a local route as found in main.
  static func disagreement(_ kernel: KernelAnswer, _ traced: TracedAnswer, mergedLocal: Bool) -> String? {
    switch (kernel, traced) {
    case (_, .failed(let message)):
      return "polroute failed: \(message)"
    case (.error(let message), .rejected(let error, let summary, _)):
      // Linux 6.13 and later report a reverse-path refusal as EINVAL, earlier kernels as EXDEV.
      if message == error.kernelMessage || (error == .reversePath && message == "Invalid argument") { return nil }
      return "the kernel says '\(message)', polroute '\(error.kernelMessage)' (\(summary))"
    case (.error(let message), .egress(let egress)):
      return "the kernel says '\(message)', polroute \(egress)"
    case (.route(let route), .rejected(_, let summary, _)):
      return "the kernel finds \(route), polroute: \(summary)"
    case (.route(let route), .egress(let egress)):
      var table = egress.table
      if mergedLocal && table == "local" { table = "main" }
      let hopMatches = egress.hops.contains { $0.device == route.device && $0.gateway == route.gateway }
      guard route.type == egress.type, hopMatches, route.table == table else {
        return "the kernel finds \(route), polroute \(egress)"
      }
      // The source the kernel selects for a packet sent without one (of a multipath route: for the hop it chose).
      if let source = route.source, egress.hops.count == 1, source != egress.source {
        return "the kernel selects source \(source), polroute \(egress.source ?? "none") (\(egress))"
      }
      return nil
    }
  }
}

/// What `ip route get` answered for one flow.
enum KernelAnswer: CustomStringConvertible {
  /// A route: its type, device, gateway and table, as `ip -N -d -j` prints them.
  case route(Found)
  /// The error message (`Network is unreachable`).
  case error(String)

  /// The parts of a route the test compares.
  struct Found: CustomStringConvertible {
    /// `unicast`, `local`, `broadcast`, ...
    var type: String
    /// The device.
    var device: String
    /// The gateway, if any.
    var gateway: String?
    /// The table, by number (`main`, `local` and `default` by name).
    var table: String
    /// The source address the kernel selected (`prefsrc`), for a flow sent without one.
    var source: String?

    /// `unicast via 192.0.2.62 dev u0 table 120 src 192.0.2.1`.
    var description: String {
      "\(type) \(gateway.map { "via \($0) " } ?? "")dev \(device) table \(table)" + (source.map { " src \($0)" } ?? "")
    }
  }

  /// The answer in words.
  var description: String {
    switch self {
    case .route(let found): return found.description
    case .error(let message): return "error '\(message)'"
    }
  }

  /// The `route get` line for a flow: `ip route get`'s own words. An arriving IPv6 packet is asked with `uid 0`: the
  /// kernel looks up real ones with uid 0, and `ip route get iif` would use an invalid uid instead.
  static func line(_ flow: Flow) -> String {
    var words = ["route", "get", flow.destination.description]
    if let source = flow.source { words += ["from", source.description] }
    if flow.inputInterface != "lo" { words += ["iif", flow.inputInterface] }
    if let ipProtocol = flow.ipProtocol { words += ["ipproto", String(ipProtocol)] }
    if let port = flow.sourcePort { words += ["sport", String(port)] }
    if let port = flow.destinationPort { words += ["dport", String(port)] }
    if flow.mark != 0 { words += ["mark", String(flow.mark)] }
    if flow.inputInterface == "lo" {
      words += ["uid", String(flow.uid)]
    } else if flow.family == .inet6 {
      words += ["uid", "0"]
    }
    return words.joined(separator: " ")
  }

  /// Asks the kernel about every flow: one `ip -N -d -j -batch - -force` per family.
  static func ask(_ flows: [Flow], in namespace: Namespace) throws -> [KernelAnswer] {
    var answers = [KernelAnswer?](repeating: nil, count: flows.count)
    for family in AddressFamily.allCases {
      let indexes = flows.indices.filter { flows[$0].family == family }
      guard !indexes.isEmpty else { continue }
      let input = indexes.map { line(flows[$0]) }.joined(separator: "\n") + "\n"
      let result = try Live.run(
        ["ip", "-n", namespace.name, family.ipOption, "-N", "-d", "-j", "-batch", "-", "-force"], input: input)
      // Each failed line prints its message and `Command failed -:N`; each other line prints one JSON array.
      var failed: [Int: String] = [:]
      var message = ""
      for line in result.errorText.split(separator: "\n") {
        if line.hasPrefix("Command failed -:"), let number = Int(line.dropFirst("Command failed -:".count)) {
          failed[number - 1] = message
        } else {
          message = line.replacingOccurrences(of: "RTNETLINK answers: ", with: "")
        }
      }
      var documents = result.outputText.split(separator: "\n").filter { !$0.isEmpty }.makeIterator()
      for (position, index) in indexes.enumerated() {
        if let message = failed[position] {
          answers[index] = .error(message)
          continue
        }
        guard let text = documents.next(), let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
          let object = (array as? [[String: Any]])?.first
        else {
          answers[index] = .error("unreadable answer")
          continue
        }
        // `-N` prints the type as its number too.
        let type = object["type"] as? String ?? "unicast"
        let types = ["1": "unicast", "2": "local", "3": "broadcast", "4": "anycast", "5": "multicast"]
        answers[index] = .route(
          Found(
            type: types[type] ?? type, device: object["dev"] as? String ?? "",
            gateway: object["gateway"] as? String, table: tableName(object["table"]),
            source: flows[index].source == nil && flows[index].inputInterface == "lo"
              ? object["prefsrc"] as? String : nil))
      }
    }
    return answers.map { $0 ?? .error("not asked") }
  }

  /// A table as `ip -N` prints it, named as the test compares it.
  static func tableName(_ value: Any?) -> String {
    let text = (value as? String) ?? (value as? Int).map(String.init) ?? "main"
    return ["254": "main", "255": "local", "253": "default"][text] ?? text
  }
}

/// What `polroute trace --json` answered for one flow.
enum TracedAnswer {
  /// A route: the parts the test compares.
  case egress(Egress)
  /// A refusal, with polroute's error and summary, and whether it depends on the kernel's multipath hash.
  case rejected(TraceError, String, Bool)
  /// polroute failed or printed something unreadable.
  case failed(String)

  /// The parts of an egress the test compares.
  struct Egress: CustomStringConvertible {
    /// The route type.
    var type: String
    /// Every hop it may take.
    var hops: [(device: String, gateway: String?)]
    /// The table, by number (main, local, default by name).
    var table: String
    /// The source address.
    var source: String?
    /// The summary polroute printed.
    var summary: String
    /// Whether the answer depends on the kernel's multipath hash (the trace's notes say so).
    var dependsOnHash: Bool

    /// The summary.
    var description: String { "'\(summary)'" }
  }

  /// Reads `trace --json`'s "now" outcome.
  init(_ result: CommandResult) {
    guard result.status == 0 else {
      self = .failed("exit \(result.status): \(result.errorText)")
      return
    }
    guard let document = try? JSONSerialization.jsonObject(with: Data(result.output)) as? [String: Any],
      let now = document["now"] as? [String: Any], let outcome = now["outcome"] as? [String: Any]
    else {
      self = .failed("unreadable: \(result.outputText)")
      return
    }
    let summary = outcome["summary"] as? String ?? ""
    let dependsOnHash = (now["notes"] as? [String] ?? []).contains { $0.contains("the kernel's hash picks") }
    if let error = (outcome["error"] as? String).flatMap(TraceError.init(rawValue:)) {
      self = .rejected(error, summary, dependsOnHash)
      return
    }
    let hops = (outcome["hops"] as? [[String: Any]] ?? []).map {
      (device: $0["device"] as? String ?? "", gateway: $0["gateway"] as? String)
    }
    let table = (outcome["table"] as? Int).map {
      ["254": "main", "255": "local", "253": "default"][String($0)] ?? String($0)
    }
    self = .egress(
      Egress(
        type: outcome["type"] as? String ?? "", hops: hops, table: table ?? "?", source: outcome["source"] as? String,
        summary: summary, dependsOnHash: dependsOnHash))
  }
}

/// A random host: three interfaces (veth, each with its peer, which carries nothing), addresses of both families,
/// tables of random routes, random rules of both families, reverse-path filtering and forwarding per interface.
struct RandomHost {
  /// The commands that build it, in order (`ip` words after `ip -n NS`).
  var links: [String] = []
  /// The sysctls, `key=value`.
  var sysctls: [String] = []
  /// The `ip -4 -batch` lines: routes, then rules.
  var lines4: [String] = []
  /// The `ip -6 -batch` lines.
  var lines6: [String] = []

  /// The interfaces.
  static let interfaces = ["u0", "u1", "u2"]
  /// Each interface's IPv4 address, prefix and gateway.
  static let ipv4: [(address: String, length: Int, gateway: String)] = [
    ("192.0.2.1", 26, "192.0.2.62"), ("198.51.100.1", 26, "198.51.100.62"), ("203.0.113.1", 26, "203.0.113.62"),
  ]
  /// Each interface's IPv6 address and gateway (/64).
  static let ipv6: [(address: String, gateway: String)] = [
    ("2001:db8:a::1", "2001:db8:a::fe"), ("2001:db8:b::1", "2001:db8:b::fe"), ("2001:db8:c::1", "2001:db8:c::fe"),
  ]
  /// Destination prefixes routes and rules use: nested and overlapping on purpose.
  static let prefixes4 = [
    "0.0.0.0/0", "100.64.0.0/10", "100.64.0.0/16", "100.64.1.0/24", "100.64.1.128/25", "100.64.1.192/26",
    "100.64.1.200/30", "100.64.1.201/32", "100.65.0.0/16", "100.96.0.0/12", "203.0.113.128/25", "203.0.113.192/27",
    "198.51.100.128/25", "192.0.2.128/26",
  ]
  /// The IPv6 prefixes.
  static let prefixes6 = [
    "::/0", "2001:db8:100::/40", "2001:db8:100::/48", "2001:db8:100:1::/64", "2001:db8:100:1::/96",
    "2001:db8:100:1::8/126", "2001:db8:200::/48", "2001:db8:d::/64", "2001:db8:ffff::/48",
  ]

  /// The host's IPv4 addresses (the extra ones when added).
  var addresses4: [String] = ipv4.map(\.address)
  /// The host's IPv6 addresses.
  var addresses6: [String] = ipv6.map(\.address)
  /// The tables routes went into.
  var tables: [Int] = []
  /// One line per rule and route, for a failure message.
  var summary: String { (lines4 + lines6).joined(separator: "\n") }

  /// Draws a host.
  init(random: inout SeededGenerator) {
    for (index, name) in Self.interfaces.enumerated() {
      links.append("link add name \(name) type veth peer name p\(index)")
      links.append("link set \(name) up")
      links.append("link set p\(index) up")
      links.append("addr add \(Self.ipv4[index].address)/\(Self.ipv4[index].length) dev \(name)")
      links.append("addr add \(Self.ipv6[index].address)/64 dev \(name) nodad")
    }
    if Bool.random(using: &random) {
      links.append("addr add 192.0.2.65/26 dev u0")
      addresses4.append("192.0.2.65")
    }
    if Bool.random(using: &random) {
      links.append("addr add 198.51.100.2/26 dev u1")
      addresses4.append("198.51.100.2")
    }
    if Int.random(in: 0..<4, using: &random) == 0 { links.append("link set p2 down") }
    if Int.random(in: 0..<3, using: &random) == 0 { links.append("link set u1 group 7") }
    sysctls.append("net.ipv4.conf.all.rp_filter=0")
    sysctls.append("net.ipv6.conf.all.forwarding=1")
    for name in Self.interfaces {
      sysctls.append("net.ipv4.conf.\(name).rp_filter=\(Int.random(in: 0...2, using: &random))")
      sysctls.append("net.ipv4.conf.\(name).forwarding=\(Int.random(in: 0..<4, using: &random) == 0 ? 0 : 1)")
    }
    tables = (0..<Int.random(in: 2...4, using: &random)).map { _ in Int.random(in: 100...250, using: &random) }
      .filter { $0 != 253 }
    for family in AddressFamily.allCases {
      var lines: [String] = []
      for table in tables + [254] {
        let count = table == 254 ? Int.random(in: 1...3, using: &random) : Int.random(in: 3...8, using: &random)
        for _ in 0..<count { lines.append(route(family, table: table, random: &random)) }
      }
      if Int.random(in: 0..<10, using: &random) < 7 {
        let index = Int.random(in: 0..<3, using: &random)
        let gateway = family == .inet ? Self.ipv4[index].gateway : Self.ipv6[index].gateway
        lines.append("route add default via \(gateway) dev u\(index)")
      }
      var priorities = Set<Int>()
      let count = Int.random(in: 6...12, using: &random)
      while priorities.count < count { priorities.insert(Int.random(in: 1...32_000, using: &random)) }
      let ordered = priorities.sorted()
      for (position, priority) in ordered.enumerated() {
        lines.append(rule(family, priority: priority, later: Array(ordered[(position + 1)...]), random: &random))
      }
      if family == .inet { lines4 = lines } else { lines6 = lines }
    }
  }

  /// A random route of a table.
  func route(_ family: AddressFamily, table: Int, random: inout SeededGenerator) -> String {
    let prefix = (family == .inet ? Self.prefixes4 : Self.prefixes6).randomElement(using: &random)!
    let metric = [0, 0, 10, 100, 1024].randomElement(using: &random)!
    let index = Int.random(in: 0..<3, using: &random)
    let gateway = family == .inet ? Self.ipv4[index].gateway : Self.ipv6[index].gateway
    let tail = "metric \(metric) table \(table)"
    switch Int.random(in: 0..<100, using: &random) {
    case 0..<45:
      let source =
        Int.random(in: 0..<10, using: &random) == 0
        ? " src \((family == .inet ? addresses4 : addresses6).randomElement(using: &random)!)" : ""
      return "route add \(prefix) via \(gateway) dev u\(index)\(source) \(tail)"
    case 45..<55: return "route add \(prefix) dev u\(index) \(tail)"
    case 55..<63: return "route add blackhole \(prefix) \(tail)"
    case 63..<71: return "route add unreachable \(prefix) \(tail)"
    case 71..<79: return "route add prohibit \(prefix) \(tail)"
    case 79..<88: return "route add throw \(prefix) \(tail)"
    case 88..<94 where family == .inet6:
      let source = ["2001:db8:a::/64", "2001:db8:b::/48", "2001:db8:c::1/128"].randomElement(using: &random)!
      return "route add \(prefix) from \(source) via \(gateway) dev u\(index) \(tail)"
    default:
      let other = (index + 1) % 3
      let second = family == .inet ? Self.ipv4[other].gateway : Self.ipv6[other].gateway
      return "route add \(prefix) \(tail) nexthop via \(gateway) dev u\(index) nexthop via \(second) dev u\(other)"
    }
  }

  /// A random rule: each selector with its own probability, then an action.
  func rule(_ family: AddressFamily, priority: Int, later: [Int], random: inout SeededGenerator) -> String {
    func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
    var words = ["rule", "add"]
    if chance(8) { words.append("not") }
    if chance(30) {
      let sources =
        (family == .inet
          ? addresses4 + ["192.0.2.0/26", "198.51.100.0/25", "100.64.0.0/10", "203.0.113.0/24"]
          : addresses6 + ["2001:db8:a::/64", "2001:db8:b::/48", "2001:db8:100::/40"])
      words += ["from", sources.randomElement(using: &random)!]
    }
    if chance(30) {
      words += ["to", (family == .inet ? Self.prefixes4 : Self.prefixes6).randomElement(using: &random)!]
    }
    if chance(20) {
      let mark = [1, 2, 3, 0x10, 0x11, 0x1f].randomElement(using: &random)!
      let mask = chance(50) ? "/" + ["0xf", "0x10", "0xff", "0x3"].randomElement(using: &random)! : ""
      words += ["fwmark", "0x" + String(mark, radix: 16) + mask]
    }
    if chance(15) {
      let start = [0, 1000, 2000].randomElement(using: &random)!
      words += ["uidrange", "\(start)-\(start + [0, 499, 999].randomElement(using: &random)!)"]
    }
    if chance(15) { words += ["iif", (Self.interfaces + ["lo"]).randomElement(using: &random)!] }
    if chance(3) { words += ["oif", Self.interfaces.randomElement(using: &random)!] }
    if chance(20) {
      let proto = ["tcp", "udp", "icmp"].randomElement(using: &random)!
      words += ["ipproto", proto]
      if proto != "icmp" {
        if chance(35) { words += ["sport", ["22", "1000-2000", "443"].randomElement(using: &random)!] }
        if chance(60) { words += ["dport", ["22", "53", "443", "1000-3000"].randomElement(using: &random)!] }
      }
    }
    switch Int.random(in: 0..<100, using: &random) {
    case 0..<66:
      let table = (tables + (chance(20) ? [254, 255] : [])).randomElement(using: &random) ?? 254
      words += ["lookup", String(table)]
      if chance(10) { words += ["suppress_prefixlength", String([0, 8, 24, 32, 64].randomElement(using: &random)!)] }
      if chance(6) { words += ["suppress_ifgroup", ["7", "default"].randomElement(using: &random)!] }
    case 66..<76:
      let target = chance(75) ? later.randomElement(using: &random) : nil
      words += ["goto", String(target ?? min(priority + Int.random(in: 1...50, using: &random), 32_765))]
    case 76..<82: words.append("blackhole")
    case 82..<88: words.append("unreachable")
    case 88..<94: words.append("prohibit")
    default: words.append("nop")
    }
    words += ["priority", String(priority)]
    return words.joined(separator: " ")
  }

  /// Builds the host in a namespace; lines the kernel refuses (a route whose key exists already) are skipped.
  func build(in namespace: Namespace) throws {
    try namespace.sysctl("net.ipv6.conf.default.accept_dad=0")
    try namespace.sysctl("net.ipv6.conf.all.accept_dad=0")
    for command in links { try namespace.ip(command) }
    for setting in sysctls { try namespace.sysctl(setting) }
    try Live.run(["ip", "-n", namespace.name, "-4", "-batch", "-", "-force"], input: lines4.joined(separator: "\n"))
    try Live.run(["ip", "-n", namespace.name, "-6", "-batch", "-", "-force"], input: lines6.joined(separator: "\n"))
  }

  /// Random flows through the host, alternating families: sent by the host (from none, one of its addresses, or
  /// another) or arriving on an interface; to addresses inside the routes' prefixes, the host's own addresses, its
  /// neighbours, gateways and broadcast addresses; with random protocols, ports, marks and users.
  func flows(count: Int, random: inout SeededGenerator) -> [Flow] {
    func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
    var flows: [Flow] = []
    for number in 0..<count {
      let family: AddressFamily = number % 2 == 0 ? .inet : .inet6
      let own = (family == .inet ? addresses4 : addresses6).compactMap(IPAddress.init)
      let inside = { (random: inout SeededGenerator) -> IPAddress in
        let prefix = IPPrefix((family == .inet ? Self.prefixes4 : Self.prefixes6).randomElement(using: &random)!)!
        return Self.address(in: prefix, random: &random)
      }
      let neighbours: [String] =
        family == .inet
        ? [
          "192.0.2.10", "198.51.100.20", "203.0.113.30", "192.0.2.62", "198.51.100.62", "192.0.2.63",
          "203.0.113.63", "127.0.0.1", "198.18.0.1",
        ]
        : [
          "2001:db8:a::10", "2001:db8:b::20", "2001:db8:c::fe", "2001:db8:a::", "2001:db8:b::", "::1",
          "2001:db8:ffff:ffff::1",
        ]
      var flow: Flow
      switch Int.random(in: 0..<100, using: &random) {
      case 0..<55: flow = Flow(destination: inside(&random))
      case 55..<65: flow = Flow(destination: own.randomElement(using: &random)!)
      default: flow = Flow(destination: IPAddress(neighbours.randomElement(using: &random)!)!)
      }
      if chance(30) {
        flow.inputInterface = Self.interfaces.randomElement(using: &random)!
        flow.source = chance(88) ? inside(&random) : own.randomElement(using: &random)!
        // A loopback destination is martian on arrival either way; keep the flows about routing.
        if flow.destination.description == "127.0.0.1" || flow.destination.description == "::1" {
          flow.destination = inside(&random)
        }
      } else {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<40: flow.source = nil
        case 40..<88: flow.source = own.randomElement(using: &random)!
        default: flow.source = inside(&random)
        }
        if chance(40) { flow.uid = [1000, 1500, 2500].randomElement(using: &random)! }
      }
      // Every flow has a protocol: `ip route get` without one asks about UDP, and trace about no protocol at all.
      // ICMP is protocol 1 in IPv4 and 58 in IPv6 (ip -6 route get refuses 1).
      flow.ipProtocol = [6, 17, family == .inet ? 1 : 58].randomElement(using: &random)!
      if flow.ipProtocol != 1 && flow.ipProtocol != 58 && chance(70) {
        flow.sourcePort = [22, 1500, 40000].randomElement(using: &random)!
        flow.destinationPort = [22, 53, 443, 2500].randomElement(using: &random)!
      }
      if chance(50) { flow.mark = [1, 2, 3, 0x10, 0x11, 0x1f].randomElement(using: &random)! }
      flows.append(flow)
    }
    return flows
  }

  /// A random address inside a prefix: one of its first 256 addresses, or for a short prefix, inside a longer
  /// documentation prefix it holds.
  static func address(in prefix: IPPrefix, random: inout SeededGenerator) -> IPAddress {
    switch prefix.address {
    case .v4(let base):
      let hostBits = 32 - Int(prefix.length)
      let base = prefix.length == 0 ? IPv4Address(0x6440_0000) : base
      let span = UInt32(min(hostBits, 9) == 0 ? 1 : 1 << min(hostBits, 9))
      return .v4(IPv4Address(base.value &+ UInt32.random(in: 0..<span, using: &random)))
    case .v6(let base):
      let base = prefix.length == 0 ? IPv6Address(high: 0x2001_0db8_0100_0001, low: 0) : base
      let hostBits = 128 - Int(prefix.length)
      let span = UInt64(hostBits >= 10 ? 1 << 10 : 1 << hostBits)
      return .v6(IPv6Address(high: base.high, low: base.low &+ UInt64.random(in: 0..<span, using: &random)))
    }
  }
}
