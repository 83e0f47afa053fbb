import PolrouteSystem
import Testing

@Suite("Process runner")
struct ProcessRunnerTests {
  @Test("runs a program, feeds stdin, collects stdout and stderr and the status")
  func runsAndCollects() throws {
    let result = try ProcessRunner().run(Command(["sh", "-c", "cat; echo oops >&2; exit 3"], inputText: "hello\n"), output: nil)
    #expect(result.status == 3)
    #expect(result.outputText == "hello\n")
    #expect(result.errorText == "oops")
  }

  @Test("a failing command becomes an error quoting the command, its status and stderr")
  func failureMessage() {
    #expect(throws: CommandError.failed(command: "sh -c 'echo no >&2; exit 2'", status: 2, stderr: "no")) {
      try ProcessRunner().check(Command(["sh", "-c", "echo no >&2; exit 2"]))
    }
    let error = CommandError.failed(command: "ip -batch -", status: 1, stderr: "Command failed -:3")
    #expect(error.description == "`ip -batch -` failed with exit status 1: Command failed -:3")
  }

  @Test("a program that cannot be started is reported")
  func launchFailure() {
    #expect(throws: CommandError.self) {
      try ProcessRunner().run(Command(["polroute-no-such-program"]), output: nil)
    }
  }

  @Test("a large input and output do not deadlock, and streamed output arrives whole")
  func largeStreams() throws {
    let input = String(repeating: "0123456789abcdef\n", count: 200_000)
    var received: [UInt8] = []
    let result = try ProcessRunner().run(Command(["cat"], inputText: input)) { chunk in received.append(contentsOf: chunk) }
    #expect(result.status == 0)
    #expect(result.output.isEmpty)
    #expect(received.count == input.utf8.count)
  }

  @Test("a program killed by a signal reports 128 + the signal")
  func signal() throws {
    let result = try ProcessRunner().run(Command(["sh", "-c", "kill -TERM $$"]), output: nil)
    #expect(result.status == 128 + 15)
  }
}
