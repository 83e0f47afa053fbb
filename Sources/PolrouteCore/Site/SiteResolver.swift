/// Checks a site document across its statements and builds the `Site`: errors where it cannot be rendered, and
/// warnings where the primary/backup recipe cannot hold as written.
public enum SiteResolver {
  /// The largest prepend count that still changes anything: longer AS paths are rare on the Internet.
  public static let usefulPrepend: UInt32 = 5

  /// The site, or nil when there are errors; every diagnostic in file order.
  public static func resolve(_ document: SiteDocument) -> (site: Site?, diagnostics: [Diagnostic]) {
    var checks = Checks(file: document.file)
    let site = checks.resolve(document)
    let diagnostics = PolicyParser.inFileOrder(checks.diagnostics)
    guard let site, !diagnostics.contains(where: { $0.severity == .error }) else { return (nil, diagnostics) }
    var result = site
    result.diagnostics = diagnostics
    return (result, diagnostics)
  }

  /// Parses and resolves a site file: text, or JSON when `file` ends in `.json`. Throws every error (and the
  /// warnings found on the way) as a `PolicyError`, which the CLI prints and turns into exit status 65.
  public static func load(_ bytes: [UInt8], file: String) throws(PolicyError) -> Site {
    let parsed =
      file.hasSuffix(".json")
      ? SiteJSON.parse(bytes, file: file) : SiteParser.parse(String(decoding: bytes, as: UTF8.self), file: file)
    if parsed.diagnostics.contains(where: { $0.severity == .error }) { throw PolicyError(parsed.diagnostics) }
    let resolved = resolve(parsed.document)
    guard let site = resolved.site else {
      throw PolicyError(PolicyParser.inFileOrder(parsed.diagnostics + resolved.diagnostics))
    }
    return site
  }
}

/// The checks, collecting diagnostics as they go.
private struct Checks {
  /// The file, for errors that belong to no statement.
  let file: String
  /// What was found.
  var diagnostics: [Diagnostic] = []

  /// Builds the checker.
  init(file: String) {
    self.file = file
  }

  /// An error.
  mutating func error(_ message: String, at location: SourceLocation) {
    diagnostics.append(.error(message, at: location))
  }

  /// A warning.
  mutating func warning(_ message: String, at location: SourceLocation) {
    diagnostics.append(.warning(message, at: location))
  }

  /// `LINE:COL` of a location, for "already defined at" messages in the same file.
  static func position(_ location: SourceLocation) -> String { "\(location.line):\(location.column)" }

  /// The whole check.
  mutating func resolve(_ document: SiteDocument) -> Site? {
    var settings: SiteSettingsStatement?
    var announcements: [SiteAnnouncement] = []
    var providers: [SiteProvider] = []
    var preferences: [SitePreference] = []
    for statement in document.statements {
      switch statement {
      case .site(let statement):
        if let first = settings {
          error("'site' is given more than once (first at \(Self.position(first.location)))", at: statement.location)
        } else {
          settings = statement
        }
      case .announce(let announcement): announcements.append(announcement)
      case .provider(let provider): providers.append(provider)
      case .prefer(let preference): preferences.append(preference)
      }
    }
    let start = SourceLocation(file: file, line: 1, column: 1)
    guard let settings else {
      error("the site file needs a 'site as ASN' statement", at: start)
      return nil
    }
    providers = checkProviders(providers, site: settings)
    announcements = checkAnnouncements(announcements, providers: providers)
    preferences = checkPreferences(preferences, providers: providers, announcements: announcements)
    let site = Site(
      file: file, asn: settings.asn, routerID: settings.routerID, prepend: settings.prepend,
      announcements: announcements, providers: providers, preferences: preferences)
    guard !diagnostics.contains(where: { $0.severity == .error }) else { return nil }
    warnAboutTheRecipe(site, settings: settings)
    return site
  }

  // MARK: Errors

  /// Providers with unique names and neighbors, foreign ASes, and roles that say which is preferred.
  mutating func checkProviders(_ providers: [SiteProvider], site: SiteSettingsStatement) -> [SiteProvider] {
    guard !providers.isEmpty else {
      error(
        "the site has no provider (add 'provider NAME neighbor ADDR as ASN role primary')", at: site.location)
      return []
    }
    var kept: [SiteProvider] = []
    for provider in providers {
      if let first = kept.first(where: { $0.name.value == provider.name.value }) {
        error(
          "provider '\(provider.name.value.echoed)' is already defined at \(Self.position(first.location))",
          at: provider.name.location)
        continue
      }
      if let first = kept.first(where: { $0.neighbor.value == provider.neighbor.value }) {
        error(
          "neighbor \(provider.neighbor.value) is already provider \(first.name.value)'s",
          at: provider.neighbor.location)
        continue
      }
      if provider.asn.value == site.asn.value {
        error(
          "provider \(provider.name.value) has the site's own AS \(site.asn.value): that is an iBGP neighbor,"
            + " not a provider",
          at: provider.asn.location)
        continue
      }
      kept.append(provider)
    }
    // Roles are per family: a provider with IPv4 and IPv6 sessions is two providers, both primary.
    for family in AddressFamily.allCases {
      let group = kept.filter { $0.neighbor.value.family == family }
      let primaries = group.filter { $0.role.value == .primary }
      for extra in primaries.dropFirst() {
        error(
          "only one \(family.displayName) provider can be primary (\(primaries[0].name.value) is);"
            + " to share the traffic, make them all 'load-shared'",
          at: extra.role.location)
      }
      if let primary = primaries.first, let shared = group.first(where: { $0.role.value == .loadShared }) {
        error(
          "provider \(shared.name.value) is load-shared, but \(primary.name.value) is primary:"
            + " make one primary with backups, or share the traffic among 'load-shared' providers",
          at: shared.role.location)
      }
    }
    if !kept.isEmpty && kept.allSatisfy({ $0.role.value == .backup }) {
      error(
        "every provider is a backup, so none is preferred: make one 'primary' (or several 'load-shared')",
        at: kept[0].role.location)
    }
    return kept
  }

  /// Announcements of unique prefixes, no default route, and `via` a provider that carries the family.
  mutating func checkAnnouncements(_ announcements: [SiteAnnouncement], providers: [SiteProvider])
    -> [SiteAnnouncement]
  {
    var kept: [SiteAnnouncement] = []
    for announcement in announcements {
      let prefix = announcement.prefix.value
      if let first = kept.first(where: { $0.prefix.value == prefix }) {
        error("\(prefix) is already announced at \(Self.position(first.location))", at: announcement.prefix.location)
        continue
      }
      if prefix.isDefault {
        error(
          "announcing a default route (\(prefix)) would offer the site as transit to the whole Internet",
          at: announcement.prefix.location)
        continue
      }
      if let via = announcement.via, !checkReference(via, family: prefix.family, what: prefix, providers: providers) {
        continue
      }
      kept.append(announcement)
    }
    return kept
  }

  /// Preferences for unique destinations, `via` a provider that carries the family.
  mutating func checkPreferences(
    _ preferences: [SitePreference], providers: [SiteProvider], announcements: [SiteAnnouncement]
  ) -> [SitePreference] {
    var kept: [SitePreference] = []
    for preference in preferences {
      let destination = preference.destination.value
      if let first = kept.first(where: { $0.destination.value == destination }) {
        error(
          "prefer \(destination) is already given at \(Self.position(first.location))",
          at: preference.destination.location)
        continue
      }
      guard checkReference(preference.via, family: destination.family, what: destination, providers: providers)
      else { continue }
      kept.append(preference)
    }
    return kept
  }

  /// Whether `via` names a provider whose session carries `family`; an error otherwise.
  mutating func checkReference(
    _ via: Located<String>, family: AddressFamily, what prefix: IPPrefix, providers: [SiteProvider]
  ) -> Bool {
    guard let provider = providers.first(where: { $0.name.value == via.value }) else {
      let hint =
        Suggestion.closest(to: via.value, among: providers.map(\.name.value)).map { " (did you mean '\($0)'?)" } ?? ""
      error("unknown provider '\(via.value.echoed)'\(hint)", at: via.location)
      return false
    }
    guard provider.neighbor.value.family == family else {
      error(
        "provider \(provider.name.value)'s neighbor is \(provider.neighbor.value.family.displayName),"
          + " so its session cannot carry \(prefix)",
        at: via.location)
      return false
    }
    return true
  }

  // MARK: Warnings

  /// Where the recipe (local preference in, prepending and the backup community out) cannot hold.
  mutating func warnAboutTheRecipe(_ site: Site, settings: SiteSettingsStatement) {
    if let kind = ASNumbers.unrouted(site.asn.value) {
      warning(
        "the site's AS \(site.asn.value) is \(kind), which providers do not pass on: they strip it or refuse"
          + " the routes, and a site announced through several providers needs a public AS",
        at: site.asn.location)
    }
    if site.announcements.isEmpty {
      warning(
        "the site announces no prefix, so providers learn nothing from it (add 'announce PREFIX')",
        at: settings.location)
    }
    for announcement in site.announcements { warnAboutAnnouncement(announcement, site: site) }
    for provider in site.providers { warnAboutCommunity(provider, site: site) }
    warnAboutPrepending(site)
    for preference in site.preferences { warnAboutPreference(preference, site: site) }
  }

  /// A prefix no site owns, one too long to be accepted, or one no provider (or only backups) can carry.
  mutating func warnAboutAnnouncement(_ announcement: SiteAnnouncement, site: Site) {
    let prefix = announcement.prefix.value
    let location = announcement.prefix.location
    if let range = SpecialPrefixes.range(overlapping: prefix) {
      let relation: String
      if range.prefix == prefix {
        relation = "\(prefix) is \(range.what)"
      } else if range.prefix.contains(prefix) {
        relation = "\(prefix) lies in \(range.prefix), \(range.what)"
      } else {
        relation = "\(prefix) covers \(range.prefix), \(range.what)"
      }
      warning("\(relation): no site owns it, and providers drop it", at: location)
    }
    let longest = SpecialPrefixes.longestAccepted(prefix.family)
    if Int(prefix.length) > longest {
      warning(
        "\(prefix) is longer than /\(longest), which most networks drop: traffic to it follows a shorter prefix"
          + " that covers it, if the site announces one",
        at: location)
    }
    let providers = site.providers(of: prefix.family)
    if providers.isEmpty {
      warning(
        "no provider has an \(prefix.family.displayName) neighbor, so \(prefix) is announced to none",
        at: location)
    } else if providers.allSatisfy({ !site.carries($0, announcement) }) {
      let names = providers.map(\.name.value).joined(separator: ", ")
      warning(
        "every provider that can carry \(prefix) is a backup (\(names)): its traffic arrives over a backup,"
          + " and prepending will not matter",
        at: location)
    }
  }

  /// A provider that gets backup paths without a backup community, or with one outside its own AS's space.
  mutating func warnAboutCommunity(_ provider: SiteProvider, site: Site) {
    let name = provider.name.value
    guard let community = provider.backupCommunity else {
      let paths = site.backupPaths(to: provider)
      guard !paths.isEmpty else { return }
      let consequence =
        "\(name) prefers routes learned from its customers by local preference, whatever their AS-path length,"
        + " so traffic from \(name) and its customers"
      if provider.role.value == .backup {
        warning(
          "backup provider \(name) has no 'backup-community': \(consequence) still arrives over the backup link"
            + " (ask \(name) for the community that sets local preference below its transit routes)",
          at: provider.location)
      } else {
        let prefixes = paths.map(\.prefix.value.description).joined(separator: ", ")
        warning(
          "provider \(name) gets \(prefixes) as a backup path but has no 'backup-community': \(consequence)"
            + " to \(paths.count == 1 ? "it" : "them") still arrives over \(name)",
          at: provider.location)
      }
      return
    }
    if community.value.administrator != provider.asn.value {
      var hint = "check the value with \(name)"
      if case .standard = community.value, provider.asn.value > 65535 {
        hint = "a provider whose AS needs 4 bytes usually publishes a large community, GLOBAL:LOCAL1:LOCAL2"
      }
      warning(
        "backup-community \(community.value) is in the space of AS \(community.value.administrator), not of"
          + " \(name)'s AS \(provider.asn.value): providers act on communities in their own AS's space (\(hint))",
        at: community.location)
    }
  }

  /// A prepend count that will not matter: nothing to prepend, none, or more than is ever useful.
  mutating func warnAboutPrepending(_ site: Site) {
    guard let prepend = site.prepend else { return }
    let anyBackupPath = site.providers.contains { !site.backupPaths(to: $0).isEmpty }
    if !anyBackupPath {
      guard prepend.value > 0 else { return }
      warning(
        "prepend \(prepend.value) will not matter: no provider gets a backup path (there is no backup provider"
          + " and no 'announce ... via'), so nothing is prepended",
        at: prepend.location)
    } else if prepend.value == 0 {
      warning(
        "prepend 0: backup paths are as short as the preferred ones, so networks that reach the site through"
          + " several providers choose by other means, and some of their traffic arrives over a backup",
        at: prepend.location)
    } else if prepend.value > SiteResolver.usefulPrepend {
      warning(
        "prepending more than \(SiteResolver.usefulPrepend) times will not matter: few AS paths are that long,"
          + " so where path length decides the backup already loses, and where local preference decides (the"
          + " backup provider and its customers) no length helps; the backup community does",
        at: prepend.location)
    }
  }

  /// A preference that can never match: its routes are refused from providers.
  mutating func warnAboutPreference(_ preference: SitePreference, site: Site) {
    let destination = preference.destination.value
    let location = preference.destination.location
    if let own = site.announcements.first(where: { $0.prefix.value.contains(destination) }) {
      warning(
        "prefer \(destination) will not matter: routes inside the site's own \(own.prefix.value) are refused"
          + " from providers",
        at: location)
      return
    }
    if let range = SpecialPrefixes.refusedInbound(destination.family).first(where: {
      $0.prefix.contains(destination)
    }) {
      warning(
        "prefer \(destination) will not matter: routes in \(range.prefix), \(range.what), are refused from"
          + " providers",
        at: location)
      return
    }
    let longest = SpecialPrefixes.longestAccepted(destination.family)
    if Int(destination.length) > longest {
      warning(
        "prefer \(destination) will not matter: routes longer than /\(longest) are refused from providers,"
          + " and no shorter one fits inside it",
        at: location)
    }
  }
}
