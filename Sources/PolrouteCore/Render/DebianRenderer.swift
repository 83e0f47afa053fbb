/// Renders Debian ifupdown stanzas for `/etc/network/interfaces.d/polroute`: one `iface IFACE inet manual` stanza per
/// interface, whose `post-up` lines add its table's routes and rules and whose `pre-down` lines remove them.
///
/// ifupdown runs every `iface X` stanza of an interface in the order it read them, and Debian's own
/// /etc/network/interfaces sources interfaces.d first, so polroute's stanza may run before the interface has its
/// address. Measured with ifupdown 0.8: a failing `post-up` line stops ifup with status 1 and can leave the
/// interface without its address, and before the address exists the kernel refuses a route with `src ADDR`
/// ("Invalid prefsrc address") and a `via GW` route whose gateway no route of the table reaches (IPv6 too: "No
/// route to host"). So each stanza first adds every route without a gateway, link routes without `src` (a `via`
/// default then finds its gateway in the table), then the `via` routes and the rules (none needs the address), and
/// then re-adds the routes that have a `src` with it, which succeeds once the address exists. Every line ends in
/// `|| true`: read after the user's stanzas the result is exactly the policy; read before them, everything works
/// and the link routes lack only `src` until the next apply. `pre-down` deletes rules before routes, by
/// destination, table and polroute's protocol, never by `src` (the kernel clears it when the address goes).
/// Words from outside polroute (`dev`, `iif`, `oif` names) are single-quoted for the `sh -c` ifupdown runs each line
/// with; an interface whose name the shell would not take literally gets an error instead of a stanza, because
/// ifupdown's own methods put the name unquoted into theirs (measured: `ip link set dev NAME up`).
public enum DebianRenderer: Renderer {
  /// Where the stanzas go.
  public static let path = "/etc/network/interfaces.d/polroute"

  /// The warnings about where /etc/network/interfaces has ifupdown read polroute's stanzas relative to the user's
  /// own; none when that file does not exist.
  public static func hostDiagnostics(_ policy: Policy, context: RenderContext, files: any FileReader) throws
    -> [Diagnostic]
  {
    guard let main = try files.readText(DebianPlacement.mainFile) else { return [] }
    var others: [String: String] = [:]
    for name in files.list(DebianPlacement.directory) where name != DebianPlacement.fileName {
      // A file polroute cannot read (a directory, no permission) holds no stanza it can see.
      others[name] = (try? files.readText(DebianPlacement.directory + "/" + name)) ?? ""
    }
    let devices = stanzaDevices(policy).filter { context.renders($0, as: .debian) }
    let placements = DebianPlacement.placements(interfaces: main, directory: others, devices: devices)
    return DebianPlacement.diagnostics(placements)
  }

  /// The stanza file.
  public static func render(_ policy: Policy, context: RenderContext) -> RenderResult {
    var lines = context.header(policy)
    lines += [
      "#",
      "# For exact results these stanzas must be read after your own 'iface' stanzas: put the line",
      "# 'source /etc/network/interfaces.d/*' at the end of /etc/network/interfaces. Read first (Debian's",
      "# default), they still work, but link routes come up without 'src' until 'polroute apply' runs.",
    ]
    var diagnostics: [Diagnostic] = []
    // A route goes with its device, a rule with its table's uplink or its `iif`/`oif`, the rest with the first
    // uplink; routes in add order (those without a gateway first), so that a `via` route finds its gateway.
    for contents in InterfaceContents.all(policy) where context.renders(contents.device, as: .debian) {
      let device = contents.device
      guard isSafeName(device) else {
        diagnostics.append(
          .error(
            "debian: cannot write the stanza of interface '\(device)' to \(path): ifupdown puts interface "
              + "names unquoted into the shell commands it runs ('ip link set dev \(device) up'), so the shell "
              + "would run part of this one; rename the interface, or use --format script"))
        continue
      }
      lines.append("")
      lines.append("iface \(device) inet manual")
      let deviceRoutes = contents.routes
      let linkRoutes = deviceRoutes.filter { $0.preferredSource != nil }
      // Every route without a gateway (an IPv6 link route too, though it has no `src`) before any `via` route: the
      // kernel refuses an IPv6 gateway that no route of the table reaches while the address is not there yet.
      for route in deviceRoutes {
        var withoutSource = route
        withoutSource.preferredSource = nil
        lines.append(
          "    post-up " + command(route.family, "route replace", RouteText.words(withoutSource)) + " || true")
      }
      for rule in contents.rules {
        // The kernel refuses a second identical rule ("File exists"), which is what a re-run must do.
        lines.append(
          "    post-up " + command(rule.family, "rule add", RuleText.addWords(rule)) + " 2>/dev/null || true")
      }
      for route in linkRoutes {
        lines.append(
          "    post-up " + command(route.family, "route replace", RouteText.words(route)) + " 2>/dev/null || true")
      }
      // A shared rule stays when one interface goes down: the others still need it.
      for rule in contents.rules where !policy.isShared(rule) {
        lines.append(
          "    pre-down " + command(rule.family, "rule del", RuleText.addWords(rule)) + " 2>/dev/null || true")
      }
      for route in deviceRoutes {
        let words = RouteText.deleteWords(route) + ["proto", String(route.protocolNumber)]
        lines.append("    pre-down " + command(route.family, "route del", words) + " 2>/dev/null || true")
      }
    }
    return RenderResult(
      files: [RenderedFile(path: path, contents: lines.joined(separator: "\n") + "\n")], diagnostics: diagnostics)
  }

  /// The devices that get a stanza, sorted.
  public static func stanzaDevices(_ policy: Policy) -> [String] {
    InterfaceContents.all(policy).map(\.device)
  }

  /// Whether ifupdown can have a stanza for an interface: every character is one the shell takes literally, and
  /// none is `=` (`ifup NAME=LOGICAL` maps a logical interface).
  static func isSafeName(_ device: String) -> Bool {
    !device.isEmpty && device.utf8.allSatisfy { ShellQuoting.safe[Int($0)] && $0 != UInt8(ascii: "=") }
  }

  /// `ip -4 route replace WORDS`, quoted for the `/bin/sh -c` ifupdown runs each line with.
  static func command(_ family: AddressFamily, _ verb: String, _ words: [String]) -> String {
    "ip \(family.ipOption) \(verb) \(IPRouteScriptRenderer.words(words))"
  }
}
