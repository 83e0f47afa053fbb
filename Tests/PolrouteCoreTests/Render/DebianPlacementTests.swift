import Testing

@testable import PolrouteCore

/// Where ifupdown reads polroute's stanzas relative to the user's, from inline /etc/network/interfaces texts.
struct DebianPlacementTests {
  /// The user's stanzas for the dual-homed server.
  static let stanzas = """
    auto mgmt data
    iface mgmt inet static
        address 198.51.100.10/24
        gateway 198.51.100.1

    iface data inet static
        address 203.0.113.10/24

    """

  /// A location in /etc/network/interfaces.
  func main(_ line: Int) -> PolrouteCore.SourceLocation {
    PolrouteCore.SourceLocation(file: DebianPlacement.mainFile, line: line, column: 1)
  }

  /// The placements of mgmt and data (and `extra` devices).
  func placements(_ text: String, _ files: [String: String] = [:], extra: [String] = []) -> [String: DebianPlacement] {
    DebianPlacement.placements(interfaces: text, directory: files, devices: ["data", "mgmt"] + extra)
  }

  @Test("Debian's default, the source line first: polroute's stanzas come before the user's")
  func sourceFirst() {
    let text =
      "# interfaces(5) file used by ifup(8) and ifdown(8)\nsource /etc/network/interfaces.d/*\n\n"
      + Self.stanzas
    let source = DebianSourceLine(location: main(2), text: "source /etc/network/interfaces.d/*")
    let expected: [String: DebianPlacement] = [
      "mgmt": .before(source: source, stanza: main(5)), "data": .before(source: source, stanza: main(9)),
    ]
    #expect(placements(text) == expected)
    #expect(
      DebianPlacement.diagnostics(placements(text)).map(\.description) == [
        "/etc/network/interfaces:2:1: warning: debian: 'source /etc/network/interfaces.d/*' makes ifupdown read "
          + "polroute's stanzas for data, mgmt before your own ('iface data' at /etc/network/interfaces:9, 'iface "
          + "mgmt' at /etc/network/interfaces:5), so ifup adds their link routes without 'src': move this line to "
          + "the end of /etc/network/interfaces, or expect link routes without 'src' until 'polroute apply' runs"
      ])
  }

  @Test("the source line last: polroute's stanzas come after the user's, and nothing is said")
  func sourceLast() {
    let text = Self.stanzas + "source /etc/network/interfaces.d/*\n"
    #expect(placements(text) == ["mgmt": .after, "data": .after])
    #expect(DebianPlacement.diagnostics(placements(text)) == [])
  }

  @Test("between the stanzas: after one device's, before the other's")
  func sourceBetween() {
    let text = """
      iface mgmt inet static
          address 198.51.100.10/24
      source-directory /etc/network/interfaces.d/
      iface data inet static
          address 203.0.113.10/24
      """
    let source = DebianSourceLine(location: main(3), text: "source-directory /etc/network/interfaces.d/")
    #expect(placements(text) == ["mgmt": .after, "data": .before(source: source, stanza: main(4))])
  }

  @Test("source-directory reads only names of letters, digits, '_' and '-', sorted, relative to the file's directory")
  func sourceDirectory() {
    let files = [
      "wan": "iface data inet6 static\n    address 2001:db8:b::10/64\n", "eth.conf": "iface mgmt inet6 auto\n",
      "base": "iface mgmt inet6 static\n    address 2001:db8:a::10/64\n",
    ]
    // "base" sorts before "polroute", "wan" after; "eth.conf" is not read at all.
    let text = Self.stanzas + "source-directory interfaces.d\n"
    let source = DebianSourceLine(location: main(8), text: "source-directory interfaces.d")
    let wan = PolrouteCore.SourceLocation(file: "/etc/network/interfaces.d/wan", line: 1, column: 1)
    #expect(placements(text, files) == ["mgmt": .after, "data": .before(source: source, stanza: wan)])
    #expect(
      DebianPlacement.diagnostics(placements(text, files)).map(\.description) == [
        "/etc/network/interfaces:8:1: warning: debian: 'source-directory interfaces.d' makes ifupdown read polroute's "
          + "stanzas for data before your own ('iface data' at /etc/network/interfaces.d/wan:1), so ifup adds their "
          + "link routes without 'src': move this line to the end of /etc/network/interfaces, or expect link routes "
          + "without 'src' until 'polroute apply' runs"
      ])
  }

  @Test("no line reads interfaces.d/polroute: ifup never runs polroute's stanzas")
  func noSourceLine() {
    let text = Self.stanzas + "source /etc/network/other.d/*\nsource-directory /etc/network/interfaces.d.bak\n"
    #expect(placements(text) == ["mgmt": .notRead, "data": .notRead])
    #expect(
      DebianPlacement.diagnostics(placements(text)).map(\.description) == [
        "warning: debian: /etc/network/interfaces does not read /etc/network/interfaces.d/polroute (no 'source' or "
          + "'source-directory' line includes it), so ifup never runs polroute's stanzas: add the line 'source "
          + "/etc/network/interfaces.d/*' at the end of /etc/network/interfaces"
      ])
  }

  @Test("an interface without a stanza of the user's: not defined, and a note")
  func interfaceNotDefined() {
    let text = Self.stanzas + "source /etc/network/interfaces.d/*\n"
    let all: [String: DebianPlacement] = ["mgmt": .after, "data": .after, "wlan0": .notDefined, "bond0": .notDefined]
    #expect(placements(text, extra: ["wlan0", "bond0"]) == all)
    #expect(
      DebianPlacement.diagnostics(placements(text, extra: ["wlan0", "bond0"])).map(\.description) == [
        "note: debian: ifupdown reads no 'iface' stanza of yours for bond0, wlan0, so it does not configure them: "
          + "polroute's stanzas run only when 'ifup' does for them"
      ])
    // A stanza that only looks like one does not count.
    #expect(placements("# iface data inet static\nsource interfaces.d/*\n")["data"] == .notDefined)
  }

  @Test("glob patterns: brackets, a leading dot, relative patterns, a file read only at its first occurrence")
  func globs() {
    let user = ["zz-data": "iface data inet static\n    address 203.0.113.10/24\n"]
    // The bracket picks polroute's file alone, first; the star later reads the rest but not polroute's again.
    let text = "source /etc/network/interfaces.d/[p]olroute\nsource ./interfaces.d/../interfaces.d/*\n" + Self.stanzas
    let first = DebianSourceLine(location: main(1), text: "source /etc/network/interfaces.d/[p]olroute")
    let zz = PolrouteCore.SourceLocation(file: "/etc/network/interfaces.d/zz-data", line: 1, column: 1)
    let expected: [String: DebianPlacement] = [
      "mgmt": .before(source: first, stanza: main(4)), "data": .before(source: first, stanza: zz),
    ]
    #expect(placements(text, user) == expected)
    // `*` skips dot files, `?` is one character, `[!...]` negates.
    #expect(DebianPlacement.Glob.matches("*", ".hidden") == false)
    #expect(DebianPlacement.Glob.matches(".*", ".hidden"))
    #expect(DebianPlacement.Glob.matches("pol?oute", "polroute"))
    #expect(DebianPlacement.Glob.matches("[!a-o]*", "polroute"))
    #expect(!DebianPlacement.Glob.matches("[!p]*", "polroute"))
    #expect(DebianPlacement.Glob.matches("*route", "polroute"))
    #expect(!DebianPlacement.Glob.matches("*.conf", "polroute"))
    #expect(DebianPlacement.Glob.matches("[a-z]*[!.]", "polroute"))
  }

  @Test("comments do not continue, other lines ending in a backslash do, CRLF is tolerated")
  func commentsAndContinuations() {
    let text = """
      # a comment that ends in a backslash \\
      iface mgmt inet static
          address 198.51.100.10/24
      source \\
          /etc/network/interfaces.d/*\r
      iface data inet static
      """
    let source = DebianSourceLine(location: main(4), text: "source     /etc/network/interfaces.d/*")
    #expect(placements(text) == ["mgmt": .after, "data": .before(source: source, stanza: main(6))])
  }
}
