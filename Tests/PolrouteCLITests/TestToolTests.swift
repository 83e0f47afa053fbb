import Foundation
import TestSupport
import Testing

/// The mechanism that skips a test whose program is missing (or fails it with CI=true).
@Suite("Test tools")
struct TestToolTests {
  /// A program no machine has.
  static let absent = TestTool("polroute-no-such-program")

  @Test("Tests/tools.txt gives each program its Debian package, and a probe where it names one")
  func table() {
    #expect(TestTool("nc").package == "netcat-openbsd")
    #expect(TestTool("ifup").package == "ifupdown")
    #expect(TestTool("sysctl").package == "procps")
    #expect(TestTool("python3").probe == ["python3", "-m", "ensurepip", "--version"])
    #expect(TestTool("ping").probe == nil)
    #expect(TestTool.allPackages.contains("iputils-ping") && TestTool.allPackages.contains("lintian"))
    for tool in TestTool.namespaceHost + [.ping, .nc, .ifup, .ifdown, .shellcheck] {
      #expect(TestTool.table[tool.program] != nil, "\(tool) is not in Tests/tools.txt")
    }
  }

  @Test("a missing program is named with the command that installs it")
  func missing() {
    #expect(TestTool.missing([.ip, Self.absent, Self.absent]).map(\.program) == ["polroute-no-such-program"])
    #expect(
      TestTool.missingMessage([TestTool("nc"), TestTool("ifup"), TestTool("ifdown")])
        == "nc, ifup, ifdown are not installed: apt-get install ifupdown netcat-openbsd "
        + "(or 'make test-deps' for every program the tests use)")
  }

  @Test("the trait skips without CI=true and fails with it")
  func trait() async throws {
    let trait: ConditionTrait = .requires(Self.absent)
    if ProcessInfo.processInfo.environment["CI"] == "true" {
      await #expect(throws: MissingTools.self) { try await trait.evaluate() }
    } else {
      #expect(try await trait.evaluate() == false)
    }
    #expect(try await ConditionTrait.requires(.ip).evaluate() == TestTool.ip.isInstalled)
  }
}
