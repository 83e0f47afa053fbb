import Testing

@testable import PolrouteCLI

/// `polroute watch`'s checks before it follows anything.
@Suite("watch: arguments")
struct WatchCommandTests {
  @Test("a --debounce that is not milliseconds is a usage error naming it")
  func badDebounce() {
    for text in ["soon", "-1", "60001", ""] {
      let run = CLIRun(["watch", "--debounce", text])
      #expect(run.status == 64)
      #expect(
        run.stderr.contains("Error: '--debounce' needs a number of milliseconds from 0 to 60000, not '\(text)'"),
        "\(run.stderr)")
    }
  }

  @Test("without root it refuses, and follows nothing")
  func needsRoot() {
    let run = CLIRun(["watch"])
    #expect(run.status == 1)
    #expect(
      run.stderr.contains("error: polroute watch changes the kernel's routing and must run as root"), "\(run.stderr)")
  }
}
