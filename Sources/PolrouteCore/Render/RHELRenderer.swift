/// Renders RHEL network-scripts files: `route-IFACE`/`route6-IFACE` with one `ip route` argument line per route
/// and `rule-IFACE`/`rule6-IFACE` with one `ip rule` argument line per rule, each set as polroute's marked block in
/// the file, so routes and rules the user wrote there stay where they are.
///
/// initscripts' `ifup-routes` runs `ip -4|-6 route add $line` (falling back to `replace`) and `ip rule add $line`
/// with `$line` unquoted, and ignores every error: a line that is wrong fails silently. So every line is complete
/// (explicit `dev`, `table` by number, rules with `priority` — without one every ifup adds a duplicate), comments
/// stand on their own lines, and a value that word splitting or globbing would change is refused with a
/// diagnostic instead of being written.
public enum RHELRenderer: Renderer {
  /// The directory the files go in.
  public static let directory = "/etc/sysconfig/network-scripts"

  /// The prefixes of the files polroute writes there.
  static let filePrefixes = ["route-", "rule-", "route6-", "rule6-"]

  /// The network-scripts route and rule files on the host: those polroute wrote before may be stale.
  public static func previousFiles(in files: any FileReader) -> [String] {
    files.list(directory).filter { name in filePrefixes.contains { name.hasPrefix($0) } }.map { directory + "/" + $0 }
  }

  /// Warnings about interfaces whose manager does not read network-scripts files: NetworkManager reads `rule-` files
  /// (and then `route-` files) only through its routing-rules dispatcher script.
  public static func hostDiagnostics(_ policy: Policy, context: RenderContext, files: any FileReader) throws
    -> [Diagnostic]
  {
    var diagnostics = try sharedFileErrors(policy, files: files)
    guard let host = context.hostConfiguration else { return diagnostics }
    for contents in InterfaceContents.all(policy) where context.renders(contents.device, as: .rhel) {
      let device = contents.device
      guard let manager = context.configuration(of: device)?.management.manager, manager != .initscripts else {
        continue
      }
      if manager == .networkManager {
        guard host.networkManager?.routingRulesDispatcher == nil else { continue }
        diagnostics.append(
          .warning(
            "rhel: NetworkManager manages \(device), and without its routing-rules dispatcher script it ignores "
              + "rule-\(device) and rule6-\(device), and then route-\(device) and route6-\(device) too: install "
              + "NetworkManager-dispatcher-routing-rules, or use --format nm"))
      } else {
        diagnostics.append(
          .warning(
            "rhel: \(device) is managed by \(manager.rawValue), which does not read network-scripts files (use "
              + "--format \(PersistFormats.format(for: manager).rawValue))"))
      }
    }
    return diagnostics
  }

  /// The files, one set per interface that has routes or rules.
  public static func render(_ policy: Policy, context: RenderContext) -> RenderResult {
    var diagnostics: [Diagnostic] = []
    var routeLines: [String: [AddressFamily: [String]]] = [:]
    var ruleLines: [String: [AddressFamily: [String]]] = [:]
    for route in policy.routesInAddOrder {
      for device in policy.interfaces(for: route) where context.renders(device, as: .rhel) {
        let words = RouteText.words(route)
        let target = "\(directory)/route\(route.family == .inet ? "" : "6")-\(device)"
        let what = "route \(route.destination.routeText)"
        guard check(words, what: what, file: target, device: device, into: &diagnostics) else { continue }
        routeLines[device, default: [:]][route.family, default: []].append(words.joined(separator: " "))
      }
    }
    for rule in policy.rules {
      let devices = policy.interfaces(for: rule)
      if devices.isEmpty {
        diagnostics.append(
          .warning(
            "rhel: rule \(rule.priority) belongs to no interface and polroute has no uplink to put it with; it is not written"
          ))
      }
      for device in devices where context.renders(device, as: .rhel) {
        let words = RuleText.addWords(rule)
        let target = "\(directory)/rule\(rule.family == .inet ? "" : "6")-\(device)"
        let what = "rule \(rule.priority)"
        guard check(words, what: what, file: target, device: device, into: &diagnostics) else { continue }
        ruleLines[device, default: [:]][rule.family, default: []].append(words.joined(separator: " "))
      }
    }
    var files: [RenderedFile] = []
    let devices = Set(routeLines.keys).union(ruleLines.keys)
    for device in devices.sorted() {
      for family in AddressFamily.allCases {
        let suffix = family == .inet ? "" : "6"
        if let lines = routeLines[device]?[family], !lines.isEmpty {
          files.append(file("route\(suffix)-\(device)", lines: lines, policy: policy, context: context, kind: "routes"))
        }
        if let lines = ruleLines[device]?[family], !lines.isEmpty {
          files.append(file("rule\(suffix)-\(device)", lines: lines, policy: policy, context: context, kind: "rules"))
        }
      }
    }
    return RenderResult(files: files, diagnostics: diagnostics)
  }

  /// polroute's marked block of one file: the header, then its lines. The user's own lines in the file stay as
  /// they are around it; ifup-routes skips the markers and comments (blank and `#` lines) and runs the rest.
  static func file(_ name: String, lines: [String], policy: Policy, context: RenderContext, kind: String)
    -> RenderedFile
  {
    var text = context.header(policy).filter { !$0.contains("Do not edit") }
    text.append("# Do not edit inside this block: change the policy and run 'polroute apply --persist' again.")
    text.append(
      "# One 'ip \(kind == "routes" ? "route" : "rule") add' argument line each, read by initscripts' ifup-routes.")
    text.append("# On NetworkManager hosts the ifcfg-rh plugin ignores rule- files (and then route- files too) unless")
    text.append("# NetworkManager-dispatcher-routing-rules is installed.")
    text += lines
    return RenderedFile(path: "\(directory)/\(name)", contents: MarkedBlock.block(text), extent: .block)
  }

  /// An error for each route- file polroute would add its block to that is in the `ADDRESSn=` format: ifup-routes
  /// sources such a file as shell instead of reading it line by line, so polroute's lines cannot share it.
  static func sharedFileErrors(_ policy: Policy, files: any FileReader) throws -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    for file in render(policy, context: RenderContext(hostname: nil)).files where file.path.contains("/route") {
      guard let text = try files.readText(file.path) else { continue }
      let rest = MarkedBlock.merge(nil, into: text)
      guard let line = rest.lines.firstIndex(where: Self.isAddressFormat) else { continue }
      diagnostics.append(
        .error(
          "rhel: \(file.path) is in the ADDRESSn= format, which ifup-routes sources as shell: polroute's routes"
            + " (one 'ip route' argument line each) cannot share it; rewrite its routes in that format"
            + " ('ADDRESS0=192.0.2.0 NETMASK0=255.255.255.0 GATEWAY0=...' becomes '192.0.2.0/24 via ...'), or"
            + " move them to another file",
          at: SourceLocation(file: file.path, line: line + 1, column: 1)))
    }
    return diagnostics
  }

  /// Whether a line is one of the `ADDRESSn=` format's (ifup-routes tests `^[[:space:]]*ADDRESS[0-9]+=`).
  static func isAddressFormat(_ line: Substring) -> Bool {
    let trimmed = line.drop { $0 == " " || $0 == "\t" }
    guard trimmed.hasPrefix("ADDRESS") else { return false }
    let digits = trimmed.dropFirst("ADDRESS".count).prefix { $0.isASCII && $0.isNumber }
    return !digits.isEmpty && trimmed.dropFirst("ADDRESS".count + digits.count).hasPrefix("=")
  }

  /// Whether every word survives `ifup-routes`' unquoted `$line` (no globbing characters, no backslash, no quotes);
  /// records an error naming the setting, the file it belongs in and why otherwise.
  static func check(
    _ words: [String], what: String, file: String, device: String, into diagnostics: inout [Diagnostic]
  ) -> Bool {
    for word in words {
      guard let problem = problem(word) else { continue }
      diagnostics.append(.error("rhel: cannot write \(what) to \(file): '\(word)' \(problem)"))
      return false
    }
    let unsafe: Set<Character> = ["*", "?", "[", "]", "\\", "\"", "'", "#", "$", "`"]
    if device.contains(where: { unsafe.contains($0) }) {
      diagnostics.append(
        .error("rhel: cannot write \(what) to \(file): interface name '\(device)' cannot be part of a file name there"))
      return false
    }
    return true
  }

  /// Why a word would not reach `ip` as it is, or nil when it would. ifup-routes reads each line with `read` (no
  /// `-r`) and runs `ip ... add $line` unquoted, which splits and globs but expands nothing else.
  static func problem(_ word: String) -> String? {
    // Almost every word is plain ASCII letters, digits and punctuation that no reader treats specially.
    if word.utf8.allSatisfy({ ShellQuoting.safe[Int($0)] }) { return nil }
    if word.contains(where: \.isWhitespace) {
      return "would be split into several words by the unquoted $line ifup-routes runs 'ip' with"
    }
    if word.contains(where: { "*?[]".contains($0) }) {
      return "could be replaced by file names: ifup-routes runs 'ip' with $line unquoted, which globs"
    }
    if word.contains("\\") { return "would lose its backslashes to the 'read' ifup-routes reads each line with" }
    if word.contains(where: { "\"'#$`".contains($0) }) {
      // ifup-routes itself passes these on, but NetworkManager's ifcfg-rh plugin reads the same files with its own
      // shell-like rules; polroute writes only words that mean the same to every reader.
      return "has a quote, '#', '$' or '`', which network-scripts files may not hold: NetworkManager reads them too"
    }
    return nil
  }
}
