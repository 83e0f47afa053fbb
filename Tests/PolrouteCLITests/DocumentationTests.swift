import Foundation
import PolrouteCore
import TestSupport
import Testing

@testable import PolrouteCLI

/// The documentation shows what polroute writes and prints, rendered here from the same inputs, so the two cannot
/// drift apart.
@Suite("documentation")
struct DocumentationTests {
  /// docs/debian.md.
  static var debianGuide: String {
    TestPaths.read(TestPaths.packageRoot + "/docs/debian.md") ?? ""
  }

  /// The fenced blocks of a Markdown text, in order.
  static func codeBlocks(_ markdown: String) -> [String] {
    var blocks: [String] = []
    var current: [Substring]?
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("```") {
        if let lines = current {
          blocks.append(lines.joined(separator: "\n") + "\n")
          current = nil
        } else {
          current = []
        }
      } else {
        current?.append(line)
      }
    }
    return blocks
  }

  @Test("docs/debian.md's stanza is what polroute renders for the example it names")
  func debianStanza() throws {
    let documented = try #require(Self.codeBlocks(Self.debianGuide).first { $0.hasPrefix("iface data inet manual") })
    #expect(
      Self.debianGuide.contains(
        "`polroute render --format debian --state Examples/dual-homed-server/state.json`"))
    let render = CLIRun([
      "render", "--format", "debian", "--state", TestPaths.examples + "/dual-homed-server/state.json",
    ])
    #expect(render.status == 0, "\(render.stderr)")
    let stanzas = render.stdout.components(separatedBy: "\n\n")
    #expect(stanzas.contains(documented.trimmingCharacters(in: .newlines)), "rendered:\n\(render.stdout)")
  }

  @Test("docs/debian.md's warning is what polroute prints for the interfaces file it shows")
  func debianWarning() throws {
    let root = try TemporaryDirectory("debian-doc")
    // The documented lines: the source line first (line 2), mgmt's stanza at line 3, data's at line 6.
    try root.write(
      "etc/network/interfaces",
      """
      # interfaces(5)
      source /etc/network/interfaces.d/*
      iface mgmt inet static
          address 198.51.100.10/24

      iface data inet static
          address 203.0.113.10/24

      """)
    let render = CLIRun([
      "render", "--format", "debian", "--state", TestPaths.examples + "/dual-homed-server/state.json",
      "--root", root.path,
    ])
    let documented = try #require(
      Self.codeBlocks(Self.debianGuide).first { $0.hasPrefix("/etc/network/interfaces:2:1: warning:") })
    // The guide wraps the message; polroute prints it on one line.
    let unwrapped = documented.split(separator: "\n").joined(separator: " ")
    #expect(render.stderr.contains(unwrapped), "printed:\n\(render.stderr)")
  }
}
