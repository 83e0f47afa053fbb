/// A BGP site with several providers, resolved from a site file: its AS, the prefixes it announces, each provider's
/// role, and the per-prefix preferences. The FRR renderer turns it into configuration; the checks that produced it
/// left their warnings in `diagnostics`.
public struct Site: Hashable, Sendable {
  /// The prepend count when the file gives none: three, as in the usual recipe.
  public static let defaultPrepend: UInt32 = 3
  /// The local preference of routes learned from a primary or load-shared provider (BGP's own default).
  public static let normalLocalPreference: UInt32 = 100
  /// The local preference of routes learned from a backup provider: below every other provider's.
  public static let backupLocalPreference: UInt32 = 70
  /// The local preference of routes a `prefer` statement picks: above every provider's normal routes.
  public static let preferredLocalPreference: UInt32 = 200

  /// The file, as named in messages and headers.
  public var file: String
  /// The site's own AS.
  public var asn: Located<UInt32>
  /// The BGP router ID, when the file sets one (FRR picks one from the interfaces otherwise).
  public var routerID: Located<IPAddress>?
  /// The `prepend` count as written.
  public var prepend: Located<UInt32>?
  /// The prefixes the site announces, in file order.
  public var announcements: [SiteAnnouncement]
  /// The providers, in file order.
  public var providers: [SiteProvider]
  /// The destinations whose traffic should leave through one provider, in file order.
  public var preferences: [SitePreference]
  /// Warnings about where the recipe cannot hold.
  public var diagnostics: [Diagnostic]

  /// Builds a site.
  public init(
    file: String, asn: Located<UInt32>, routerID: Located<IPAddress>? = nil, prepend: Located<UInt32>? = nil,
    announcements: [SiteAnnouncement], providers: [SiteProvider], preferences: [SitePreference] = [],
    diagnostics: [Diagnostic] = []
  ) {
    self.file = file
    self.asn = asn
    self.routerID = routerID
    self.prepend = prepend
    self.announcements = announcements
    self.providers = providers
    self.preferences = preferences
    self.diagnostics = diagnostics
  }

  /// How many times the site's AS is prepended towards a provider that should carry no traffic for a prefix.
  public var prependCount: UInt32 { prepend?.value ?? Self.defaultPrepend }

  /// The provider with a name.
  public func provider(named name: String) -> SiteProvider? { providers.first { $0.name.value == name } }

  /// The providers whose sessions carry a family (the family of the neighbor's address).
  public func providers(of family: AddressFamily) -> [SiteProvider] {
    providers.filter { $0.neighbor.value.family == family }
  }

  /// The announced prefixes of a family.
  public func announcements(of family: AddressFamily) -> [SiteAnnouncement] {
    announcements.filter { $0.prefix.value.family == family }
  }

  /// Whether `provider` should carry the traffic to an announced prefix: it is the provider the prefix names with
  /// `via`, or, for a prefix without `via`, any provider that is not a backup. The others get the prefix as a backup
  /// path: prepended, and with their backup community.
  public func carries(_ provider: SiteProvider, _ announcement: SiteAnnouncement) -> Bool {
    if let via = announcement.via { return via.value == provider.name.value }
    return provider.role.value != .backup
  }

  /// The announced prefixes `provider` gets as a backup path (see `carries`), in file order.
  public func backupPaths(to provider: SiteProvider) -> [SiteAnnouncement] {
    announcements(of: provider.neighbor.value.family).filter { !carries(provider, $0) }
  }

  /// The destinations whose routes from `provider` are preferred, in file order.
  public func preferences(for provider: SiteProvider) -> [SitePreference] {
    preferences.filter { $0.via.value == provider.name.value }
  }

  /// The local preference of the routes learned from a provider (before `prefer` statements).
  public func localPreference(of provider: SiteProvider) -> UInt32 {
    provider.role.value == .backup ? Self.backupLocalPreference : Self.normalLocalPreference
  }

  /// The load-shared providers of a family: their routes of equal AS-path length are used together.
  public func loadShared(_ family: AddressFamily) -> [SiteProvider] {
    providers(of: family).filter { $0.role.value == .loadShared }
  }
}

/// A prefix the site announces: `announce PREFIX [via PROVIDER]`.
public struct SiteAnnouncement: Hashable, Sendable {
  /// Where the statement starts.
  public var location: SourceLocation
  /// The prefix.
  public var prefix: Located<IPPrefix>
  /// The provider whose link traffic to this prefix should arrive over, when not the site's usual choice.
  public var via: Located<String>?

  /// Builds an announcement.
  public init(location: SourceLocation, prefix: Located<IPPrefix>, via: Located<String>? = nil) {
    self.location = location
    self.prefix = prefix
    self.via = via
  }
}

/// What a provider is for.
public enum ProviderRole: String, Hashable, Sendable, CaseIterable {
  /// Carries all traffic while its session is up.
  case primary
  /// Carries traffic only when no primary or load-shared provider can.
  case backup
  /// Shares the traffic with the other load-shared providers.
  case loadShared = "load-shared"
}

/// A provider: `provider NAME neighbor ADDR as ASN role ROLE [backup-community COMMUNITY]`.
public struct SiteProvider: Hashable, Sendable {
  /// Where the statement starts.
  public var location: SourceLocation
  /// The name, used in route-map names and descriptions.
  public var name: Located<String>
  /// The neighbor's address; its family is the family the session carries.
  public var neighbor: Located<IPAddress>
  /// The provider's AS.
  public var asn: Located<UInt32>
  /// Its role.
  public var role: Located<ProviderRole>
  /// The community the provider honours by setting a route's local preference below its transit routes.
  public var backupCommunity: Located<BGPCommunity>?

  /// Builds a provider.
  public init(
    location: SourceLocation, name: Located<String>, neighbor: Located<IPAddress>, asn: Located<UInt32>,
    role: Located<ProviderRole>, backupCommunity: Located<BGPCommunity>? = nil
  ) {
    self.location = location
    self.name = name
    self.neighbor = neighbor
    self.asn = asn
    self.role = role
    self.backupCommunity = backupCommunity
  }
}

/// A destination whose traffic should leave through one provider while its session is up: `prefer PREFIX via NAME`.
public struct SitePreference: Hashable, Sendable {
  /// Where the statement starts.
  public var location: SourceLocation
  /// The destination: routes to it and to anything inside it.
  public var destination: Located<IPPrefix>
  /// The provider.
  public var via: Located<String>

  /// Builds a preference.
  public init(location: SourceLocation, destination: Located<IPPrefix>, via: Located<String>) {
    self.location = location
    self.destination = destination
    self.via = via
  }
}

/// A BGP community: standard (RFC 1997, `ASN:VALUE` of 16 bits each) or large (RFC 8092, `GLOBAL:LOCAL1:LOCAL2` of
/// 32 bits each, for providers whose AS does not fit in 16 bits).
public enum BGPCommunity: Hashable, Sendable, CustomStringConvertible {
  /// `ASN:VALUE`.
  case standard(UInt16, UInt16)
  /// `GLOBAL:LOCAL1:LOCAL2`.
  case large(UInt32, UInt32, UInt32)

  /// Parses `A:B` or `A:B:C`; nil for anything else.
  public init?(_ text: String) {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    let digits = parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
    guard digits else { return nil }
    switch parts.count {
    case 2:
      guard let asn = UInt16(parts[0]), let value = UInt16(parts[1]) else { return nil }
      self = .standard(asn, value)
    case 3:
      guard let global = UInt32(parts[0]), let first = UInt32(parts[1]), let second = UInt32(parts[2]) else {
        return nil
      }
      self = .large(global, first, second)
    default:
      return nil
    }
  }

  /// The AS whose community space it is in (the first number).
  public var administrator: UInt32 {
    switch self {
    case .standard(let asn, _): UInt32(asn)
    case .large(let global, _, _): global
    }
  }

  /// `A:B` or `A:B:C`.
  public var description: String {
    switch self {
    case .standard(let asn, let value): "\(asn):\(value)"
    case .large(let global, let first, let second): "\(global):\(first):\(second)"
    }
  }
}

/// AS numbers that need a word: reserved ones no BGP speaker may use, and private and documentation ones the
/// Internet does not route.
public enum ASNumbers {
  /// Why an AS number cannot be used at all, or nil.
  public static func reserved(_ asn: UInt32) -> String? {
    switch asn {
    case 0: "AS 0 is reserved (RFC 7607)"
    case 23456: "AS 23456 is AS_TRANS, which stands in for 4-byte AS numbers (RFC 6793)"
    case 65535, 4_294_967_295: "AS \(asn) is reserved (RFC 7300)"
    default: nil
    }
  }

  /// What kind of AS number the Internet does not route this is (private, documentation), or nil for a public one.
  public static func unrouted(_ asn: UInt32) -> String? {
    switch asn {
    case 64512...65534, 4_200_000_000...4_294_967_294: "a private AS number (RFC 6996)"
    case 64496...64511, 65536...65551: "an AS number reserved for documentation (RFC 5398)"
    default: nil
    }
  }
}
