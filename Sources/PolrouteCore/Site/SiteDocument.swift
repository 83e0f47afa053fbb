/// A parsed site file: its statements in order, before the checks across statements.
public struct SiteDocument: Hashable, Sendable {
  /// The file, as named in messages.
  public var file: String
  /// The statements in file order.
  public var statements: [SiteStatement]

  /// Builds a document.
  public init(file: String, statements: [SiteStatement]) {
    self.file = file
    self.statements = statements
  }
}

/// One statement of a site file.
public enum SiteStatement: Hashable, Sendable {
  /// `site as ASN [router-id ADDR] [prepend N]`.
  case site(SiteSettingsStatement)
  /// `announce PREFIX [via PROVIDER]`.
  case announce(SiteAnnouncement)
  /// `provider NAME neighbor ADDR as ASN role ROLE [backup-community COMMUNITY]`.
  case provider(SiteProvider)
  /// `prefer PREFIX via PROVIDER`.
  case prefer(SitePreference)
}

/// `site as ASN [router-id ADDR] [prepend N]`: the site's own settings.
public struct SiteSettingsStatement: Hashable, Sendable {
  /// Where the statement starts.
  public var location: SourceLocation
  /// The site's AS.
  public var asn: Located<UInt32>
  /// The BGP router ID.
  public var routerID: Located<IPAddress>?
  /// The prepend count.
  public var prepend: Located<UInt32>?

  /// Builds the statement.
  public init(
    location: SourceLocation, asn: Located<UInt32>, routerID: Located<IPAddress>? = nil,
    prepend: Located<UInt32>? = nil
  ) {
    self.location = location
    self.asn = asn
    self.routerID = routerID
    self.prepend = prepend
  }
}
