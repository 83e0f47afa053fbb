/// Renders a site as FRR's integrated configuration (`/etc/frr/frr.conf`): prefix lists and route maps that carry
/// out the primary/backup recipe, and the `router bgp` block that applies them to each provider.
///
/// For each provider, inbound: routes inside the site's own prefixes, special-purpose ranges and prefixes longer
/// than /24 (IPv6: /48) are refused; `prefer` destinations get local preference 200; the rest get 100, or 70 from a
/// backup. Outbound: only the site's own prefixes (an exact prefix list, so the site never becomes transit
/// between its providers), plainly where the provider should carry their traffic, else prepended and tagged with
/// the provider's backup community.
///
/// The output is deterministic and stable under edits: providers by name, prefixes in address order, prefix lists
/// without sequence numbers (FRR numbers them), so adding a prefix adds one line and renumbers nothing.
public enum FRRRenderer {
  /// The file: FRR's integrated configuration, which `vtysh -b` loads into every daemon when FRR starts.
  public static let path = "/etc/frr/frr.conf"
  /// FRR's list of daemons to start, where `bgpd` must be enabled.
  public static let daemonsPath = "/etc/frr/daemons"

  /// The one file, and warnings about what FRR cannot do with the site as written.
  public static func render(_ site: Site) -> RenderResult {
    var output = Output(site: site)
    output.render()
    return RenderResult(
      files: [RenderedFile(path: path, contents: output.lines.joined(separator: "\n") + "\n", mode: 0o644)],
      diagnostics: output.diagnostics)
  }

  /// Warnings about the host's FRR setup under a root: the daemons file (`/etc/frr/daemons`) leaves bgpd off, so
  /// FRR never reads the `router bgp` block. `file` is the name to show in the message.
  public static func daemonsDiagnostics(_ text: String, file: String) -> [Diagnostic] {
    var setting: (line: Int, value: String)?
    for (index, line) in text.lines.enumerated() {
      let trimmed = line.trimmingBlanks()
      guard trimmed.hasPrefix("bgpd="), let equals = trimmed.firstIndex(of: "=") else { continue }
      // The file is shell: the last assignment wins, and quotes are the shell's.
      var value = String(trimmed[trimmed.index(after: equals)...]).trimmingBlanks()
      if let hash = value.firstIndex(of: "#") { value = String(value[..<hash]).trimmingBlanks() }
      value = value.filter { $0 != "\"" && $0 != "'" }
      setting = (index + 1, value)
    }
    guard let setting else {
      return [
        .warning(
          "\(file) does not enable bgpd, so FRR does not start it and this configuration is not used"
            + " (add 'bgpd=yes')",
          at: SourceLocation(file: file, line: 1, column: 1))
      ]
    }
    guard setting.value == "no" || setting.value == "0" || setting.value.isEmpty else { return [] }
    return [
      .warning(
        "\(file) has bgpd=\(setting.value), so FRR does not start bgpd and this configuration is not used"
          + " (set bgpd=yes and restart frr)",
        at: SourceLocation(file: file, line: setting.line, column: 1))
    ]
  }

  /// The lines being written.
  struct Output {
    /// The site.
    let site: Site
    /// The providers by name.
    let providers: [SiteProvider]
    /// The lines so far.
    var lines: [String] = []
    /// Warnings for the target.
    var diagnostics: [Diagnostic] = []

    /// Starts the output.
    init(site: Site) {
      self.site = site
      providers = site.providers.sorted { $0.name.value < $1.name.value }
    }

    /// The families in output order.
    static let families: [AddressFamily] = [.inet, .inet6]

    /// `v4` or `v6`, for list names.
    static func suffix(_ family: AddressFamily) -> String { family == .inet ? "v4" : "v6" }

    /// `ip` or `ipv6`.
    static func keyword(_ family: AddressFamily) -> String { family == .inet ? "ip" : "ipv6" }

    /// `ipv4 unicast` or `ipv6 unicast`.
    static func addressFamily(_ family: AddressFamily) -> String { family == .inet ? "ipv4 unicast" : "ipv6 unicast" }

    /// The list of every prefix the site announces in a family.
    static func announceList(_ family: AddressFamily) -> String { "polroute-announce-\(suffix(family))" }

    /// The list of routes refused from providers in a family.
    static func refuseList(_ family: AddressFamily) -> String { "polroute-refuse-\(suffix(family))" }

    /// The list of the announced prefixes a provider carries, when it carries some but not all.
    static func carriesList(_ provider: SiteProvider) -> String {
      "polroute-\(provider.name.value)-carries-\(suffix(provider.neighbor.value.family))"
    }

    /// The list of destinations preferred through a provider.
    static func preferList(_ provider: SiteProvider) -> String {
      "polroute-\(provider.name.value)-prefer-\(suffix(provider.neighbor.value.family))"
    }

    /// `PREFIX le MAX`: the prefix and everything inside it (a host prefix is itself only).
    static func andInside(_ prefix: IPPrefix) -> String {
      prefix.isHost ? "\(prefix)" : "\(prefix) le \(prefix.family.bitWidth)"
    }

    /// The announced prefixes of a family, in address order.
    func announced(_ family: AddressFamily) -> [SiteAnnouncement] {
      site.announcements(of: family).sorted { $0.prefix.value < $1.prefix.value }
    }

    /// The prefixes a provider gets, split: those it carries, and those it gets as a backup path.
    func split(_ provider: SiteProvider) -> (carries: [IPPrefix], backup: [IPPrefix]) {
      let all = announced(provider.neighbor.value.family)
      return (
        all.filter { site.carries(provider, $0) }.map(\.prefix.value),
        all.filter { !site.carries(provider, $0) }.map(\.prefix.value)
      )
    }

    /// The whole file.
    mutating func render() {
      let origin = RenderContext.commentText(site.file)
      lines += [
        "! Generated by polroute \(PolrouteVersion.current) from site \(origin).",
        "! Do not edit: change the site file and run 'polroute bgp' again.",
        "! FRR's integrated configuration (\(FRRRenderer.path)); FRR reads it only with bgpd=yes in"
          + " \(FRRRenderer.daemonsPath).",
        "!",
        "frr defaults traditional",
        "log syslog informational",
        "!",
        "! The site's router forwards between its networks and the providers: zebra turns the kernel's forwarding on.",
        "ip forwarding",
      ]
      if !site.providers(of: .inet6).isEmpty { lines.append("ipv6 forwarding") }
      for family in Self.families { prefixLists(family) }
      for provider in providers { routeMaps(provider) }
      router()
      if site.routerID == nil && site.providers(of: .inet).isEmpty {
        diagnostics.append(
          .warning(
            "the frr target needs a router ID, and a site whose providers are all IPv6 may have no IPv4 address"
              + " FRR could take one from (add 'router-id A.B.C.D' to the 'site' statement)",
            at: site.asn.location))
      }
    }

    /// The announce and refuse lists of a family, then each provider's own lists.
    mutating func prefixLists(_ family: AddressFamily) {
      let announced = announced(family)
      let providers = providers.filter { $0.neighbor.value.family == family }
      guard !providers.isEmpty else { return }
      let keyword = Self.keyword(family)
      if !announced.isEmpty {
        lines += [
          "!", "! The \(family.displayName) prefixes the site announces: nothing else is ever sent to a provider.",
        ]
        for announcement in announced {
          lines.append("\(keyword) prefix-list \(Self.announceList(family)) permit \(announcement.prefix.value)")
        }
      }
      let longest = SpecialPrefixes.longestAccepted(family)
      lines += [
        "!",
        "! \(family.displayName) routes refused from providers: the site's own prefixes, special-purpose ranges,"
          + " and prefixes longer than /\(longest).",
      ]
      for announcement in announced {
        lines.append(
          "\(keyword) prefix-list \(Self.refuseList(family)) permit \(Self.andInside(announcement.prefix.value))")
      }
      for range in SpecialPrefixes.refusedInbound(family) {
        lines.append("\(keyword) prefix-list \(Self.refuseList(family)) permit \(Self.andInside(range.prefix))")
      }
      lines.append(
        "\(keyword) prefix-list \(Self.refuseList(family)) permit \(IPPrefix.defaultRoute(family)) ge \(longest + 1)")
      for provider in providers {
        let name = provider.name.value
        let (carries, backup) = split(provider)
        if !carries.isEmpty && !backup.isEmpty {
          lines += ["!", "! \(name) carries the traffic to these while its session is up."]
          for prefix in carries {
            lines.append("\(keyword) prefix-list \(Self.carriesList(provider)) permit \(prefix)")
          }
        }
        let preferred = site.preferences(for: provider).map(\.destination.value).sorted()
        if !preferred.isEmpty {
          lines += ["!", "! Traffic to these leaves through \(name) while its session is up."]
          for prefix in preferred {
            lines.append("\(keyword) prefix-list \(Self.preferList(provider)) permit \(Self.andInside(prefix))")
          }
        }
      }
    }

    /// A provider's inbound and outbound route maps.
    mutating func routeMaps(_ provider: SiteProvider) {
      let name = provider.name.value
      let family = provider.neighbor.value.family
      let match = "match \(Self.keyword(family)) address prefix-list"
      let localPreference = site.localPreference(of: provider)
      lines += [
        "!",
        "! \(name): \(provider.role.value.rawValue), AS \(provider.asn.value); routes from it get local preference"
          + " \(localPreference).",
        "route-map polroute-\(name)-in deny 10",
        " \(match) \(Self.refuseList(family))",
        "exit",
      ]
      if !site.preferences(for: provider).isEmpty {
        lines += [
          "route-map polroute-\(name)-in permit 20",
          " \(match) \(Self.preferList(provider))",
          " set local-preference \(Site.preferredLocalPreference)",
          "exit",
        ]
      }
      lines += [
        "route-map polroute-\(name)-in permit 30",
        " set local-preference \(localPreference)",
        "exit",
      ]
      let (carries, backup) = split(provider)
      guard !carries.isEmpty || !backup.isEmpty else {
        lines += [
          "! Nothing is announced to \(name): the route map refuses everything.",
          "route-map polroute-\(name)-out deny 10", "exit",
        ]
        return
      }
      if !carries.isEmpty {
        let list = backup.isEmpty ? Self.announceList(family) : Self.carriesList(provider)
        lines += ["route-map polroute-\(name)-out permit 10", " \(match) \(list)", "exit"]
      }
      if !backup.isEmpty {
        let asn = site.asn.value
        lines += [
          "route-map polroute-\(name)-out permit 20",
          " \(match) \(Self.announceList(family))",
        ]
        if site.prependCount > 0 {
          lines.append(
            " set as-path prepend " + Array(repeating: "\(asn)", count: Int(site.prependCount)).joined(separator: " "))
        }
        switch provider.backupCommunity?.value {
        case .standard(let high, let low): lines.append(" set community \(high):\(low) additive")
        case .large(let global, let first, let second):
          lines.append(" set large-community \(global):\(first):\(second) additive")
        case nil: break
        }
        lines.append("exit")
      }
    }

    /// `router bgp`: the neighbors, then an address family block per family with providers.
    mutating func router() {
      lines += ["!", "router bgp \(site.asn.value)"]
      if let routerID = site.routerID { lines.append(" bgp router-id \(routerID.value)") }
      lines.append(" bgp log-neighbor-changes")
      // Each neighbor is activated in its own family only: by default FRR would also offer IPv4 routes over an IPv6
      // session.
      lines.append(" no bgp default ipv4-unicast")
      if Self.families.contains(where: { site.loadShared($0).count > 1 }) {
        // Load-shared providers are different ASes, whose paths FRR would otherwise never use together.
        lines.append(" bgp bestpath as-path multipath-relax")
      }
      for provider in providers {
        let address = provider.neighbor.value
        lines += [
          " neighbor \(address) remote-as \(provider.asn.value)",
          " neighbor \(address) description \(provider.name.value) (\(provider.role.value.rawValue))",
        ]
      }
      for family in Self.families {
        let providers = providers.filter { $0.neighbor.value.family == family }
        guard !providers.isEmpty else { continue }
        lines += [" !", " address-family \(Self.addressFamily(family))"]
        for announcement in announced(family) { lines.append("  network \(announcement.prefix.value)") }
        for provider in providers {
          let address = provider.neighbor.value
          let name = provider.name.value
          lines.append("  neighbor \(address) activate")
          if let community = provider.backupCommunity?.value, !split(provider).backup.isEmpty {
            if case .large = community {
              lines.append("  neighbor \(address) send-community large")
            } else {
              lines.append("  neighbor \(address) send-community standard")
            }
          }
          lines += [
            "  neighbor \(address) route-map polroute-\(name)-in in",
            "  neighbor \(address) route-map polroute-\(name)-out out",
          ]
        }
        let shared = site.loadShared(family).count
        if shared > 1 { lines.append("  maximum-paths \(shared)") }
        lines.append(" exit-address-family")
      }
      lines += ["exit", "!"]
    }
  }
}
