import Foundation
import PolrouteCore
import TestSupport
import Testing

/// Each renderer on its own, beside the host scenarios: one policy with every statement, selector, action and route
/// type, rendered for the sample dual-homed host, against golden files under Tests/Renderers/expected/FORMAT/.
@Suite("renderer golden files")
struct RendererGoldenTests {
  /// The policy every renderer renders.
  static func policy() throws -> Policy {
    let path = TestPaths.packageRoot + "/Tests/Renderers/policy.conf"
    let parsed = PolicyParser.parse(try #require(TestPaths.read(path)), file: "Tests/Renderers/policy.conf")
    #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
    return try PolicyResolver(state: SampleHosts.dualHomed, document: parsed.document, isSnapshot: true).resolve()
  }

  @Test("renderer", arguments: RenderFormat.allCases)
  func renderer(_ format: RenderFormat) throws {
    // The managers' renderers write for the interfaces the sample configuration gives them: networkd's file for
    // data, NetworkManager's profile for mgmt, netplan's definitions of both.
    let context = RenderContext(hostname: "server", hostConfiguration: SampleHosts.managedConfiguration)
    let result = format.renderer.render(try Self.policy(), context: context)
    let directory = TestPaths.packageRoot + "/Tests/Renderers/expected/" + format.rawValue
    // Diagnostics are part of the output: what a target cannot carry is said, not dropped silently.
    let diagnostics = result.diagnostics.map { $0.description + "\n" }.joined()
    let produced = result.files.map { String($0.path.dropFirst()) } + (diagnostics.isEmpty ? [] : ["diagnostics.txt"])
    if let problem = Golden.checkFileSet(produced, in: directory) { Issue.record(Comment(rawValue: problem)) }
    for file in result.files {
      if let problem = Golden.check(file.contents, against: directory + file.path) {
        Issue.record(Comment(rawValue: problem))
      }
    }
    if !diagnostics.isEmpty, let problem = Golden.check(diagnostics, against: directory + "/diagnostics.txt") {
      Issue.record(Comment(rawValue: problem))
    }
  }
}
