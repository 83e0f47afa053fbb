import Foundation
import PolrouteCore
import TestSupport
import Testing

@testable import PolrouteCLI

/// Every example under Examples/ plans and renders on any machine, so none can rot.
@Suite("Examples")
struct ExamplesTests {
  /// The examples of provisioning tools, which hold no host of their own; AnsibleLiveTests and CloudInitTests run
  /// them.
  static let provisioning = ["ansible", "cloud-init"]

  /// The example hosts (a BGP site example has a site file instead, and its own tests in BGPCommandTests).
  static let examples = TestPaths.list(TestPaths.examples).filter {
    !provisioning.contains($0) && !FileManager.default.fileExists(atPath: TestPaths.examples + "/\($0)/site.conf")
  }

  @Test("there are examples, each with a README and a snapshot")
  func layout() {
    #expect(Self.examples.count == 6)
    for name in Self.provisioning {
      #expect(
        FileManager.default.fileExists(atPath: TestPaths.examples + "/\(name)/README.md"), "\(name) has no README")
    }
    for name in Self.examples {
      #expect(
        FileManager.default.fileExists(atPath: TestPaths.examples + "/\(name)/README.md"), "\(name) has no README")
      #expect(
        FileManager.default.fileExists(atPath: TestPaths.examples + "/\(name)/state.json"), "\(name) has no snapshot")
    }
  }

  @Test("plan and render --format all work on the example", arguments: examples)
  func plansAndRenders(_ name: String) throws {
    let directory = TestPaths.examples + "/\(name)"
    var arguments = ["--state", directory + "/state.json"]
    if FileManager.default.fileExists(atPath: directory + "/polroute.conf") {
      arguments += ["--policy", directory + "/polroute.conf"]
    }
    let plan = CLIRun(["plan", "--detailed-exitcode"] + arguments)
    #expect(plan.status == 2, "plan: \(plan.stderr)")
    #expect(plan.stdout.contains("to add"))
    let render = CLIRun(["render", "--format", "all"] + arguments)
    #expect(render.status == 0, "render: \(render.stderr)")
    for path in ["/polroute.sh", "/etc/iproute2/rt_tables.d/polroute.conf", "/etc/network/interfaces.d/polroute"] {
      #expect(render.stdout.contains("### \(path)\n"), "\(name): no \(path)")
    }
    // The README's commands name the files that exist.
    let readme = try String(contentsOfFile: directory + "/README.md", encoding: .utf8)
    #expect(readme.contains("Examples/\(name)/state.json"))
  }
}
