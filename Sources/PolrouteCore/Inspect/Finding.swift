/// Something wrong (or worth knowing) about a host's routing, with how to fix it.
public struct Finding: Codable, Hashable, Sendable {
  /// How much it matters.
  public enum Severity: String, Codable, Hashable, Sendable, Comparable {
    /// Traffic is dropped or misrouted now.
    case error
    /// Likely to misroute traffic, or fragile.
    case warning
    /// Worth knowing; nothing is broken.
    case info

    /// Errors first.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// Sort rank.
    var rank: Int {
      switch self {
      case .error: return 0
      case .warning: return 1
      case .info: return 2
      }
    }
  }

  /// A stable identifier scripts can match on (`asymmetric-reply`).
  public var code: String
  /// How much it matters.
  public var severity: Severity
  /// What the finding is about (`interface data`, `rule 100`, `table 101`).
  public var subject: String
  /// One line saying what is wrong.
  public var message: String
  /// One line saying how to fix it.
  public var fix: String

  /// Builds a finding.
  public init(code: FindingCode, severity: Severity, subject: String, message: String, fix: String) {
    self.code = code.rawValue
    self.severity = severity
    self.subject = subject
    self.message = message
    self.fix = fix
  }
}

/// The stable codes of findings; documented in the README.
public enum FindingCode: String, CaseIterable, Sendable {
  /// Replies from an address leave through another interface.
  case asymmetricReply = "asymmetric-reply"
  /// Strict rp_filter drops requests whose replies would leave elsewhere.
  case strictReversePathFilter = "strict-rp-filter"
  /// An interface has a global address but no gateway is known for it.
  case unknownGateway = "unknown-gateway"
  /// Replies from one of the host's addresses to a network it is connected to leave through another interface.
  case localNetworkCut = "local-network-cut"
  /// A static route in main through one uplink takes the replies of another uplink's address.
  case staticRouteCapture = "static-route-capture"
  /// Several default routes in main share a metric.
  case duplicateDefaultRoute = "duplicate-default-route"
  /// A rule looks up a table that has no routes of its family.
  case ruleEmptyTable = "rule-empty-table"
  /// polroute's source rule (or a manager's copy of it) names an address the host no longer has.
  case staleSourceRule = "stale-source-rule"
  /// Several rules of one family share a priority.
  case duplicateRulePriority = "duplicate-rule-priority"
  /// A rule can never match because an earlier rule always decides first.
  case shadowedRule = "shadowed-rule"
  /// A table is used by number without an rt_tables name.
  case unnamedTable = "unnamed-table"
  /// An rt_tables name is defined with different numbers.
  case conflictingTableName = "conflicting-table-name"
  /// An rt_tables number is given different names.
  case conflictingTableNumber = "conflicting-table-number"
}
