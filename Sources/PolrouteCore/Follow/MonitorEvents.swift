/// What `ip -o monitor link address route` reports, read for `polroute watch`: which interface a line says changed,
/// when the change can move an uplink (a link appearing, going up or down, or going away; a global address added
/// or removed; a route in main added or removed). Link-local addresses, the kernel's `local` table and every other
/// table (polroute's own among them, so its own changes never wake it) are passed over.
public enum MonitorLine {
  /// The interface a line names, or nil when the line is no such change.
  ///
  /// Lines as iproute2 prints them (`-o` folds an object onto one line):
  /// `3: isp2@if5: <BROADCAST,...> mtu 1500 ... state UP ...` (a link; `Deleted ` before it when it goes),
  /// `Deleted 3: isp2    inet 203.0.113.60/24 ... scope global dynamic isp2\ ...` (an address),
  /// `default via 203.0.113.254 dev isp2 metric 100` (a route; `table N` when not main's).
  public static func interface(_ line: Substring) -> String? {
    var text = line
    if text.hasPrefix("Deleted ") { text = text.dropFirst("Deleted ".count) }
    let words = text.split(separator: " ", omittingEmptySubsequences: true)
    guard let first = words.first else { return nil }
    if first.hasSuffix(":"), first.dropLast().allSatisfy(\.isNumber), words.count >= 2 {
      // A link (`isp2@if5:`) or an address (`isp2` then `inet`/`inet6`).
      var name = words[1]
      let isLink = name.hasSuffix(":")
      if isLink { name = name.dropLast() }
      if let at = name.firstIndex(of: "@") { name = name[..<at] }
      guard !name.isEmpty, name != "lo" else { return nil }
      if isLink { return String(name) }
      guard words.count >= 3, words[2] == "inet" || words[2] == "inet6" else { return nil }
      // Only global addresses make or move an uplink; link-local ones come and go with every link.
      guard let scope = words.firstIndex(of: "scope"), scope + 1 < words.count, words[scope + 1] == "global" else {
        return nil
      }
      return String(name)
    }
    // A route: main's only (the kernel's `local` table and polroute's own tables name themselves).
    guard !words.contains("table"), !words.contains("multicast"),
      let dev = words.firstIndex(of: "dev"), dev + 1 < words.count
    else { return nil }
    let name = words[dev + 1]
    return name == "lo" ? nil : String(name)
  }
}

/// The interfaces `polroute watch` has seen change and not yet converged, debounced: they are due once no change has
/// come for `quiet` milliseconds (a DHCP client adds the address, then the routes, in a burst), or `longest`
/// milliseconds after the first of them, whichever is sooner, so a flapping link still converges.
public struct PendingInterfaces: Sendable {
  /// Milliseconds without a change before the pending interfaces are due.
  public let quiet: Int64
  /// Milliseconds after the first change at which they are due however busy the link is.
  public let longest: Int64
  /// The pending names, in the order they were first seen.
  public private(set) var names: [String] = []
  /// When the first pending change came.
  var first: Int64?
  /// When the last change came.
  var last: Int64?

  /// Debounces with these delays.
  public init(quiet: Int64, longest: Int64) {
    self.quiet = quiet
    self.longest = max(longest, quiet)
  }

  /// Notes a change of `name` at `now` (milliseconds of a monotonic clock).
  public mutating func add(_ name: String, at now: Int64) {
    if !names.contains(name) { names.append(name) }
    if first == nil { first = now }
    last = now
  }

  /// When the pending interfaces fall due; nil when none is pending.
  public var dueAt: Int64? {
    guard let first, let last else { return nil }
    return min(last + quiet, first + longest)
  }

  /// Takes the pending interfaces when they are due at `now`; empty otherwise.
  public mutating func takeDue(at now: Int64) -> [String] {
    guard let due = dueAt, now >= due else { return [] }
    defer {
      names = []
      first = nil
      last = nil
    }
    return names
  }
}
