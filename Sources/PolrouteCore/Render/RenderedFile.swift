/// A file a renderer produced: where it goes, what it holds, its permissions, and whether polroute owns all of it.
public struct RenderedFile: Hashable, Sendable {
  /// How much of the file on disk is polroute's.
  public enum Extent: Hashable, Sendable {
    /// The whole file: polroute writes it, and refuses to replace one it did not write.
    case whole
    /// A marked block (`MarkedBlock`) in a file shared with the user: `contents` is the block, merged into
    /// whatever else the file holds.
    case block
  }

  /// The absolute path on the target host (`/etc/iproute2/rt_tables.d/polroute.conf`).
  public var path: String
  /// The contents (for a block, the block with its markers).
  public var contents: String
  /// The permission bits.
  public var mode: UInt32
  /// How much of the file is polroute's.
  public var extent: Extent

  /// Builds a file.
  public init(path: String, contents: String, mode: UInt32 = 0o644, extent: Extent = .whole) {
    self.path = path
    self.contents = contents
    self.mode = mode
    self.extent = extent
  }
}

/// The targets polroute renders for.
public enum RenderFormat: String, CaseIterable, Sendable, Hashable {
  /// The idempotent iproute2 shell script.
  case script
  /// RHEL network-scripts `route-`/`rule-`/`route6-`/`rule6-` files.
  case rhel
  /// Debian ifupdown stanzas.
  case debian
  /// rt_tables entries.
  case rtTables = "rt_tables"
  /// systemd-networkd drop-ins (or `.network` files of polroute's own).
  case networkd
  /// NetworkManager connection properties: an nmcli script and keyfile fragments.
  case nm
  /// netplan YAML merged with the user's.
  case netplan
  /// A systemd boot unit that runs `polroute apply`.
  case systemd

  /// Parses a format name; `all` gives every format.
  public static func parse(_ text: String) -> [RenderFormat]? {
    if text == "all" { return allCases }
    return RenderFormat(rawValue: text).map { [$0] }
  }

  /// The renderer that owns the format's files.
  public var renderer: any Renderer.Type {
    switch self {
    case .script: return IPRouteScriptRenderer.self
    case .rhel: return RHELRenderer.self
    case .debian: return DebianRenderer.self
    case .rtTables: return RTTablesRenderer.self
    case .networkd: return NetworkdRenderer.self
    case .nm: return NetworkManagerRenderer.self
    case .netplan: return NetplanYAMLRenderer.self
    case .systemd: return SystemdUnitRenderer.self
    }
  }
}

/// What rendering produced: files, and diagnostics about settings a target cannot express.
public struct RenderResult: Hashable, Sendable {
  /// The files, by path.
  public var files: [RenderedFile]
  /// Errors for settings a target cannot express, and warnings the user must read.
  public var diagnostics: [Diagnostic]

  /// Builds a result.
  public init(files: [RenderedFile] = [], diagnostics: [Diagnostic] = []) {
    self.files = files.sorted { $0.path < $1.path }
    self.diagnostics = diagnostics
  }
}

/// What every renderer needs besides the policy.
public struct RenderContext: Sendable {
  /// The host name for headers.
  public var hostname: String?
  /// The host's iproute2 version (`ip -V`), when known: before 4.4 it does not read rt_tables.d.
  public var iproute2Version: String?
  /// Who manages each interface and which of its files configure it (the `.network` file networkd applies, the
  /// NetworkManager profile, the netplan definition); nil when not known (a snapshot from before polroute read
  /// them, or no host at all). The manager renderers target these files.
  public var hostConfiguration: HostConfiguration? {
    didSet { (configurations, networkdFileUsers) = Self.index(hostConfiguration) }
  }
  /// `hostConfiguration`'s interfaces by name, built once: renderers ask for each of thousands of interfaces.
  private var configurations: [String: InterfaceConfiguration] = [:]
  /// How many interfaces each networkd `.network` file is applied to, by path.
  public private(set) var networkdFileUsers: [String: Int] = [:]
  /// The formats that persist each interface, as `apply --persist` chose them; nil when every format asked for
  /// renders every interface (an explicit `--format`).
  public var assignment: [String: Set<RenderFormat>]?
  /// The tables polroute's own rt_tables file named before: their routes and rules in a manager's configuration are
  /// polroute's too.
  public var previousTables: Set<UInt32>
  /// The polroute executable the boot unit runs.
  public var executable: String
  /// The policy file the boot unit passes with `--policy`; nil when polroute reads its default (`/etc/polroute.conf`,
  /// else derives the policy), as it did when it rendered.
  public var policyFile: String?
  /// Where the script goes in `--root` mode.
  public static let scriptPath = "/polroute.sh"
  /// Where `make install PREFIX=/usr` puts polroute: the boot unit's executable when none is known.
  public static let installedExecutable = "/usr/bin/polroute"

  /// Builds a context.
  public init(
    hostname: String?, iproute2Version: String? = nil, hostConfiguration: HostConfiguration? = nil,
    assignment: [String: Set<RenderFormat>]? = nil, executable: String = RenderContext.installedExecutable,
    policyFile: String? = nil, previousTables: Set<UInt32> = []
  ) {
    self.hostname = hostname
    self.iproute2Version = iproute2Version
    self.hostConfiguration = hostConfiguration
    (configurations, networkdFileUsers) = Self.index(hostConfiguration)
    self.assignment = assignment
    self.executable = executable
    self.policyFile = policyFile
    self.previousTables = previousTables
  }

  /// The context for a host: its name, its iproute2 and its network configuration.
  public init(_ state: HostState) {
    self.init(
      hostname: state.hostname, iproute2Version: state.system.iproute2Version,
      hostConfiguration: state.hostConfiguration,
      previousTables: Set(state.tableNames.filter { $0.file == PolrouteFiles.rtTables }.map(\.number)))
  }

  /// Whether a format writes an interface's routes and rules: always, unless `apply --persist` gave the interface
  /// another format.
  public func renders(_ device: String, as format: RenderFormat) -> Bool {
    guard let assignment else { return true }
    return assignment[device]?.contains(format) ?? false
  }

  /// Whether a format persists anything at all.
  public func rendersAny(as format: RenderFormat) -> Bool {
    assignment.map { $0.values.contains { $0.contains(format) } } ?? true
  }

  /// The configuration of an interface, when known.
  public func configuration(of device: String) -> InterfaceConfiguration? {
    configurations[device]
  }

  /// The interfaces of a configuration by name, and how many use each `.network` file.
  private static func index(_ configuration: HostConfiguration?) -> (
    [String: InterfaceConfiguration], [String: Int]
  ) {
    var byName: [String: InterfaceConfiguration] = [:]
    var users: [String: Int] = [:]
    for interface in configuration?.interfaces ?? [] where byName[interface.name] == nil {
      byName[interface.name] = interface
      if let file = interface.networkd?.file { users[file, default: 0] += 1 }
    }
    return (byName, users)
  }

  /// The comment lines every generated file starts with (after a `#!` line, for scripts). Deterministic: no dates.
  public func header(_ policy: Policy, comment: String = "#") -> [String] {
    let host = Self.commentText(hostname ?? "this host")
    let origin = Self.commentText(policy.origin)
    return [
      "\(comment) Generated by polroute \(PolrouteVersion.current) for \(host), policy \(origin).",
      "\(comment) Do not edit: change the policy and run 'polroute render' or 'polroute apply --persist' again.",
    ]
  }

  /// Text that stays inside one comment line: every control character becomes `?`. A host name from a snapshot
  /// or a policy file's path may hold a newline, which would end the comment and start a command in the script, a
  /// stanza in ifupdown's file or an entry in rt_tables.
  static func commentText(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
      let control = scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
      result.unicodeScalars.append(control ? "?" : scalar)
    }
    return result
  }
}

/// Renders a policy for one or more targets.
public enum Renderers {
  /// The files of the formats asked for, in path order, and what the renderers had to say.
  public static func render(_ formats: [RenderFormat], policy: Policy, context: RenderContext) -> RenderResult {
    var files: [RenderedFile] = []
    var byPath: [String: Int] = [:]
    var diagnostics: [Diagnostic] = []
    for format in formats {
      let result = format.renderer.render(policy, context: context)
      for file in result.files {
        // Two formats may need one shared file (networkd's setting that keeps polroute's rules): written once.
        if let index = byPath[file.path] {
          if files[index] != file {
            diagnostics.append(.error("\(format.rawValue): renders \(file.path) differently from another format"))
          }
          continue
        }
        byPath[file.path] = files.count
        files.append(file)
      }
      for diagnostic in result.diagnostics where !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
    }
    // Only the script and the boot unit (which runs apply) set kernel settings: the others' files carry routes and
    // rules alone, and a reboot would bring the groups back without them.
    let carriers: Set<RenderFormat> = [.script, .systemd]
    let others = formats.filter { !carriers.contains($0) && $0 != .rtTables }
    if !policy.settings.isEmpty, !formats.contains(where: carriers.contains), !others.isEmpty {
      diagnostics.append(
        .warning(
          "\(others.map(\.rawValue).joined(separator: ", ")): cannot carry the kernel settings the policy asks for ("
            + policy.settings.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            + "): after a reboot they are the kernel's defaults until 'polroute apply' runs (add --format systemd, "
            + "or set them in /etc/sysctl.d)"))
    }
    return RenderResult(files: files, diagnostics: diagnostics)
  }

  /// What the formats' renderers say about how the host will read their files (`rendered`), and what about the
  /// host undoes them, each warning once.
  public static func hostDiagnostics(
    _ formats: [RenderFormat], policy: Policy, context: RenderContext, rendered: [RenderedFile], files: any FileReader
  ) throws -> [Diagnostic] {
    var diagnostics = try HostWarnings.diagnostics(
      formats, policy: policy, context: context, rendered: rendered, files: files)
    for format in formats {
      for diagnostic in try format.renderer.hostDiagnostics(policy, context: context, files: files)
      where !diagnostics.contains(diagnostic) {
        diagnostics.append(diagnostic)
      }
    }
    return diagnostics
  }

  /// Whether a file's text says polroute generated it (so polroute may replace or remove it).
  public static func isGenerated(_ contents: String) -> Bool {
    contents.lines.prefix(3).contains { $0.contains("Generated by polroute") }
  }
}
