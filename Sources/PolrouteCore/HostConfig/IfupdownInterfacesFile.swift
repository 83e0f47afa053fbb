/// ifupdown's configuration: /etc/network/interfaces and every file it sources, read in ifupdown's order with the
/// line-reading, `source` globbing and `source-directory` rules `DebianPlacement` measured (shared with it), here
/// following every directory rather than only /etc/network/interfaces.d.
public enum IfupdownInterfacesFile {
  /// A file or directory a line asks ifupdown to read.
  public enum Reference: Hashable, Sendable {
    /// `source PATTERN`: the names in `directory` that match `pattern`.
    case glob(directory: String, pattern: String)
    /// `source-directory DIR`: the names in `directory` made of letters, digits, `_` and `-`.
    case directory(String)

    /// The directory to list.
    public var directory: String {
      switch self {
      case .glob(let directory, _), .directory(let directory): return directory
      }
    }

    /// The names a listing of the directory gives that ifupdown reads, in its order.
    public func matches(_ names: [String]) -> [String] {
      let sorted = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      switch self {
      case .glob(_, let pattern): return sorted.filter { DebianPlacement.Glob.matches(pattern, $0) }
      case .directory: return sorted.filter(DebianPlacement.Reader.isDirectoryName)
      }
    }
  }

  /// The `source` and `source-directory` lines of one file, resolved against its directory.
  public static func references(_ text: String, path: String) -> [Reference] {
    let directory = DebianPlacement.Path.parent(path)
    var result: [Reference] = []
    for line in DebianPlacement.Reader.logicalLines(text) {
      let trimmed = String(line.text.drop { $0 == " " || $0 == "\t" })
      guard let keyword = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).first else { continue }
      let rest = String(trimmed.dropFirst(keyword.count)).trimmingBlanks()
      switch keyword {
      case "source":
        if let (parent, pattern) = DebianPlacement.Path.split(rest, relativeTo: directory) {
          result.append(.glob(directory: parent, pattern: pattern))
        }
      case "source-directory":
        if let named = DebianPlacement.Path.normalized(rest, relativeTo: directory) {
          result.append(.directory(named))
        }
      default:
        continue
      }
    }
    return result
  }

  /// Every interface's stanzas, reading /etc/network/interfaces and what it sources from `files`.
  public static func read(_ files: HostFiles, main: String = DebianPlacement.mainFile)
    -> (bindings: [String: IfupdownBinding], diagnostics: [Diagnostic])
  {
    var reader = Reader(files: files)
    if let text = files.text(main) { reader.read(text, path: main) }
    return (reader.bindings, reader.diagnostics)
  }

  /// Reads files in ifupdown's order.
  struct Reader {
    /// The files.
    let files: HostFiles
    /// Paths read so far: ifupdown reads a file once.
    var visited: Set<String> = []
    /// What was found, by interface.
    var bindings: [String: IfupdownBinding] = [:]
    /// Problems.
    var diagnostics: [Diagnostic] = []
    /// The stanza being read: its interface and index in its binding.
    var current: (interface: String, index: Int)?

    /// Reads one file's lines; sourced files are read where their `source` line stands.
    mutating func read(_ text: String, path: String) {
      visited.insert(path)
      for line in DebianPlacement.Reader.logicalLines(text) {
        let trimmed = String(line.text.drop { $0 == " " || $0 == "\t" })
        let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let keyword = words.first else { continue }
        let location = SourceLocation(file: path, line: line.number, column: 1)
        switch keyword {
        case "iface":
          guard words.count >= 4 else {
            diagnostics.append(.warning("'iface' needs a name, a family and a method, ignored", at: location))
            current = nil
            continue
          }
          let stanza = IfupdownStanza(family: words[2], method: words[3], location: location)
          var binding = bindings[words[1]] ?? IfupdownBinding(stanzas: [])
          binding.stanzas.append(stanza)
          bindings[words[1]] = binding
          current = (words[1], binding.stanzas.count - 1)
        case "auto", "allow-auto", "allow-hotplug":
          current = nil
          for name in words.dropFirst() {
            var binding = bindings[name] ?? IfupdownBinding(stanzas: [])
            if binding.startLine == nil { binding.startLine = location }
            bindings[name] = binding
          }
        case "mapping", "rename", "no-auto-down", "no-scripts":
          current = nil
        case _ where keyword.hasPrefix("allow-"):
          current = nil
        case "source", "source-directory":
          current = nil
          let rest = String(trimmed.dropFirst(keyword.count)).trimmingBlanks()
          let references = IfupdownInterfacesFile.references(keyword + " " + rest, path: path)
          guard let reference = references.first else {
            diagnostics.append(.warning("'\(keyword.echoed)' names nothing to read, ignored", at: location))
            continue
          }
          for name in reference.matches(files.names(in: reference.directory)) {
            let included = reference.directory == "/" ? "/" + name : reference.directory + "/" + name
            guard !visited.contains(included), let text = files.text(included) else { continue }
            read(text, path: included)
          }
        case "gateway":
          guard let current, words.count >= 2 else { continue }
          var binding = bindings[current.interface]!
          if binding.stanzas[current.index].gateway == nil {
            binding.stanzas[current.index].gateway = words[1]
            binding.stanzas[current.index].gatewayLocation = location
          }
          bindings[current.interface] = binding
        default:
          continue
        }
      }
    }
  }

  /// The addressing of one family from a binding's stanzas (the last stanza of the family that says one).
  static func method(_ binding: IfupdownBinding, _ family: AddressFamily) -> AddressingMethod? {
    let word = family == .inet ? "inet" : "inet6"
    for stanza in binding.stanzas.reversed() where stanza.family == word {
      switch (family, stanza.method) {
      case (_, "dhcp"), (.inet, "bootp"): return AddressingMethod(.dhcp, at: stanza.location)
      case (_, "static"): return AddressingMethod(.static, at: stanza.location)
      case (_, "manual"): return AddressingMethod(.manual, at: stanza.location)
      case (.inet6, "auto"): return AddressingMethod(.autoconf, at: stanza.location)
      default: continue
      }
    }
    return nil
  }

  /// The gateways of a binding's stanzas, with a warning for one that is not an address of its family.
  static func gateways(_ binding: IfupdownBinding) -> (gateways: [LocatedAddress], diagnostics: [Diagnostic]) {
    var gateways: [LocatedAddress] = []
    var diagnostics: [Diagnostic] = []
    for stanza in binding.stanzas {
      guard let text = stanza.gateway, let location = stanza.gatewayLocation else { continue }
      let family: AddressFamily? = stanza.family == "inet" ? .inet : stanza.family == "inet6" ? .inet6 : nil
      guard let address = IPAddress(text), address.family == family else {
        diagnostics.append(
          .warning("gateway '\(text.echoed)' is not an address of the stanza's family, ignored", at: location))
        continue
      }
      gateways.append(LocatedAddress(address: address, location: location))
    }
    return (gateways, diagnostics)
  }
}
