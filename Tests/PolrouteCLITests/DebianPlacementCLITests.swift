import Foundation
import PolrouteCore
import TestSupport
import Testing

@testable import PolrouteCLI

/// `render`, `plan` and `apply --dry-run` read /etc/network/interfaces under `--root` and warn when polroute's
/// Debian stanzas would be read before the user's.
struct DebianPlacementCLITests {
  /// The user's stanzas for the sample dual-homed host.
  static let stanzas = """
    iface mgmt inet static
        address 198.51.100.10/24

    iface data inet static
        address 203.0.113.10/24

    """

  /// The warning for Debian's default file, with the source line on line 2.
  static let warning =
    "/etc/network/interfaces:2:1: warning: debian: 'source /etc/network/interfaces.d/*' makes ifupdown read "
    + "polroute's stanzas for data, mgmt before your own ('iface data' at /etc/network/interfaces:6, 'iface mgmt' at "
    + "/etc/network/interfaces:3), so ifup adds their link routes without 'src': move this line to the end of "
    + "/etc/network/interfaces, or expect link routes without 'src' until 'polroute apply' runs"

  /// A root directory holding /etc/network/interfaces, removed when the value goes away.
  final class Root {
    /// Its path.
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("polroute-root-\(UUID().uuidString)")
      .path

    /// Writes the interfaces file.
    init(interfaces: String) throws {
      let directory = path + "/etc/network/interfaces.d"
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try interfaces.write(toFile: path + "/etc/network/interfaces", atomically: false, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
  }

  @Test("render and plan --format debian warn about Debian's default source line, naming its file and line")
  func sourceFirst() throws {
    let snapshot = try dualHomedSnapshot()
    let header = "# Include files from /etc/network/interfaces.d:\nsource /etc/network/interfaces.d/*\n"
    let root = try Root(interfaces: header + Self.stanzas)
    for command in [["render"], ["plan"], ["apply", "--dry-run"]] {
      let run = CLIRun(command + ["--state", snapshot.path, "--format", "debian", "--root", root.path])
      #expect(run.status == 0, "\(command): \(run.stderr)")
      #expect(run.stderr.split(separator: "\n").map(String.init) == [Self.warning], "\(command)")
    }
    let json = CLIRun(["plan", "--state", snapshot.path, "--format", "debian", "--root", root.path, "--json"])
    let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect(document?["diagnostics"] as? [String] == [Self.warning])
  }

  @Test("nothing is said with the source line last, for other formats, or without /etc/network/interfaces")
  func quietCases() throws {
    let snapshot = try dualHomedSnapshot()
    let last = try Root(interfaces: Self.stanzas + "source /etc/network/interfaces.d/*\n")
    let first = try Root(interfaces: "source /etc/network/interfaces.d/*\n" + Self.stanzas)
    let cases: [(Root, String)] = [(last, "debian"), (first, "script"), (first, "rhel"), (first, "rt_tables")]
    for (root, format) in cases {
      let run = CLIRun(["render", "--state", snapshot.path, "--format", format, "--root", root.path])
      #expect(run.status == 0)
      #expect(run.stderr == "", "\(format): \(run.stderr)")
    }
    let empty = CLIRun(["render", "--state", snapshot.path, "--format", "debian", "--root", "/nonexistent"])
    #expect(empty.stderr == "")
  }

  @Test("no line reads polroute's file, and a device without a stanza of the user's")
  func notReadAndNotDefined() throws {
    let snapshot = try dualHomedSnapshot()
    let unread = try Root(interfaces: Self.stanzas)
    let run = CLIRun(["render", "--state", snapshot.path, "--format", "debian", "--root", unread.path])
    #expect(
      run.stderr
        == "warning: debian: /etc/network/interfaces does not read /etc/network/interfaces.d/polroute (no 'source' or "
        + "'source-directory' line includes it), so ifup never runs polroute's stanzas: add the line 'source "
        + "/etc/network/interfaces.d/*' at the end of /etc/network/interfaces\n")
    let onlyMgmt = try Root(interfaces: "iface mgmt inet dhcp\nsource-directory /etc/network/interfaces.d\n")
    let note = CLIRun(["plan", "--state", snapshot.path, "--format", "debian", "--root", onlyMgmt.path])
    #expect(
      note.stderr
        == "note: debian: ifupdown reads no 'iface' stanza of yours for data, so it does not configure them: "
        + "polroute's stanzas run only when 'ifup' does for them\n")
  }
}
