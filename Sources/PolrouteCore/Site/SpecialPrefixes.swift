/// Address ranges no site owns on the Internet (RFC 6890's special-purpose registries, in short): announcing one to
/// a provider is a mistake, and some are never accepted from a provider either. One table for both uses: the
/// warnings about what a site announces, and the FRR renderer's inbound filter.
public enum SpecialPrefixes {
  /// One range.
  public struct Range: Hashable, Sendable {
    /// The prefix.
    public var prefix: IPPrefix
    /// What it is, as a warning names it: "private address space (RFC 1918)".
    public var what: String
    /// Whether routes inside it are refused from providers. The documentation, benchmarking and shared ranges are
    /// not: labs use them (polroute's own tests route them between namespaces), and on the Internet the providers'
    /// own filters drop them.
    public var refusedInbound: Bool
  }

  /// The ranges, IPv4 then IPv6, each in address order.
  public static let ranges: [Range] = [
    range("0.0.0.0/8", "'this network' (RFC 791)", refused: true),
    range("10.0.0.0/8", "private address space (RFC 1918)", refused: true),
    range("100.64.0.0/10", "shared address space for carrier-grade NAT (RFC 6598)", refused: false),
    range("127.0.0.0/8", "loopback (RFC 1122)", refused: true),
    range("169.254.0.0/16", "link-local (RFC 3927)", refused: true),
    range("172.16.0.0/12", "private address space (RFC 1918)", refused: true),
    range("192.0.0.0/24", "set aside for IETF protocol assignments (RFC 6890)", refused: false),
    range("192.0.2.0/24", "reserved for documentation (RFC 5737)", refused: false),
    range("192.168.0.0/16", "private address space (RFC 1918)", refused: true),
    range("198.18.0.0/15", "reserved for benchmarking (RFC 2544)", refused: false),
    range("198.51.100.0/24", "reserved for documentation (RFC 5737)", refused: false),
    range("203.0.113.0/24", "reserved for documentation (RFC 5737)", refused: false),
    range("224.0.0.0/4", "multicast (RFC 5771)", refused: true),
    range("240.0.0.0/4", "reserved (RFC 1112)", refused: true),
    range("::/8", "loopback, unspecified and IPv4-mapped space (RFC 4291)", refused: true),
    range("2001:db8::/32", "reserved for documentation (RFC 3849)", refused: false),
    range("fc00::/7", "unique local address space (RFC 4193)", refused: true),
    range("fe80::/10", "link-local (RFC 4291)", refused: true),
    range("ff00::/8", "multicast (RFC 4291)", refused: true),
  ]

  /// The longest prefix most networks accept from a neighbor: /24 for IPv4, /48 for IPv6. Longer ones are dropped
  /// widely, so the site neither announces nor accepts them.
  public static func longestAccepted(_ family: AddressFamily) -> Int { family == .inet ? 24 : 48 }

  /// The range a prefix lies in or covers, if any.
  public static func range(overlapping prefix: IPPrefix) -> Range? {
    ranges.first { $0.prefix.contains(prefix) || prefix.contains($0.prefix) }
  }

  /// The ranges refused from providers, of a family.
  public static func refusedInbound(_ family: AddressFamily) -> [Range] {
    ranges.filter { $0.refusedInbound && $0.prefix.family == family }
  }

  /// One range from literal text.
  static func range(_ text: String, _ what: String, refused: Bool) -> Range {
    Range(prefix: IPPrefix(text)!, what: what, refusedInbound: refused)
  }
}
