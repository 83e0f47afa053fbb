import Foundation
import PolrouteCore
import TestSupport
import Testing

/// The boot unit `make install` installs is the one the systemd format renders, with `@BINDIR@` for the executable's
/// directory (`make record-golden` rewrites docs/systemd/polroute.service.in), and systemd takes it.
@Suite("installed unit (golden)")
struct InstalledUnitGoldenTests {
  /// The committed template.
  static let template = TestPaths.packageRoot + "/docs/systemd/polroute.service.in"

  @Test("docs/systemd/polroute.service.in is the rendered unit")
  func template() {
    let unit = SystemdUnitRenderer.installedUnit(executable: "@BINDIR@/polroute")
    if let problem = Golden.check(unit, against: Self.template) { Issue.record(Comment(rawValue: problem)) }
  }

  @Test("systemd-analyze verify takes it, the executable put where BINDIR says", .requires(.systemdAnalyze))
  func verify() throws {
    let directory = try TemporaryDirectory("installed-unit")
    let text = (TestPaths.read(Self.template) ?? "").replacingOccurrences(
      of: "@BINDIR@/polroute", with: URL(fileURLWithPath: TestPaths.binary).resolvingSymlinksInPath().path)
    let unit = try directory.write("polroute.service", text)
    let run = try Live.run(["systemd-analyze", "verify", "--man=no", unit])
    #expect(run.status == 0 && run.errorText == "", "systemd-analyze: \(run.errorText)")
  }

  @Test("systemd-analyze verify takes the watch unit, the executable put where BINDIR says", .requires(.systemdAnalyze))
  func verifyWatch() throws {
    let directory = try TemporaryDirectory("installed-watch-unit")
    let text = (TestPaths.read(TestPaths.packageRoot + "/docs/systemd/polroute-watch.service.in") ?? "")
      .replacingOccurrences(
        of: "@BINDIR@/polroute", with: URL(fileURLWithPath: TestPaths.binary).resolvingSymlinksInPath().path)
    #expect(text.contains("\nExecStart=") && text.contains(" watch\n"))
    let unit = try directory.write("polroute-watch.service", text)
    let run = try Live.run(["systemd-analyze", "verify", "--man=no", unit])
    #expect(run.status == 0 && run.errorText == "", "systemd-analyze: \(run.errorText)")
  }
}
