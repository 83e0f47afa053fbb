import PolrouteSystem
import Testing

@Suite("Process runner")
struct ProcessRunnerTests {
  @Test("runs a program, feeds stdin, collects stdout and stderr and the status")
  func runsAndCollects() throws {
    let result = try ProcessRunner().run(
      Command(["sh", "-c", "cat; echo oops >&2; exit 3"], inputText: "hello\n"), output: nil)
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
    let result = try ProcessRunner().run(Command(["cat"], inputText: input)) { chunk in
      received.append(contentsOf: chunk)
    }
    #expect(result.status == 0)
    #expect(result.output.isEmpty)
    #expect(received.count == input.utf8.count)
  }

  @Test("output written a line at a time, as ip writes a large dump, arrives whole and in order from several processes")
  func manySmallWrites() throws {
    // The shell's echo is one write(2) a line: past 64 KiB the pump lets output pile up between reads.
    let script = "i=0; while [ $i -lt 20000 ]; do echo \"$1 $i\"; i=$((i+1)); done; echo done >&2"
    let jobs = ["a", "b"].map { name in CommandJob(Command(["sh", "-c", script, "sh", name])) }
    let results = try ProcessRunner().runAll(jobs)
    for (name, result) in zip(["a", "b"], results) {
      #expect(result.status == 0)
      #expect(result.errorText == "done")
      let lines = result.outputText.split(separator: "\n")
      #expect(lines.count == 20_000)
      #expect(lines.first == "\(name) 0")
      #expect(lines.last == "\(name) 19999")
    }
  }

  @Test("a program killed by a signal reports 128 + the signal")
  func signal() throws {
    let result = try ProcessRunner().run(Command(["sh", "-c", "kill -TERM $$"]), output: nil)
    #expect(result.status == 128 + 15)
  }
}
