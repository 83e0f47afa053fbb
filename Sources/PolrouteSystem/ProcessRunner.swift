import Glibc
import PolrouteCore

/// Runs programs with `posix_spawnp` and waits with `waitpid`, multiplexing stdin, stdout and stderr with `poll`.
///
/// Foundation's `Process.waitUntilExit()` polls in 50 ms steps; a plan makes several `ip` calls of about 2 ms each,
/// so waiting that way would cost more than the work.
public struct ProcessRunner: CommandRunner {
  /// Creates a runner; SIGPIPE is ignored so a program that exits early cannot kill polroute through its stdin.
  public init() {
    signal(SIGPIPE, SIG_IGN)
  }

  /// Rules are dumped over rtnetlink.
  public var canDumpRules: Bool { true }

  /// Dumps a family's rules over rtnetlink.
  public func dumpRules(_ family: AddressFamily, groupNames: [UInt32: String]) throws -> [Rule] {
    try RuleDumpSocket.dump(family, groupNames: groupNames)
  }

  /// Routes are looked up over rtnetlink.
  public var canLookUpRoutes: Bool { true }

  /// Asks the kernel over rtnetlink.
  public func lookUpRoutes(_ lookups: [RouteLookup], cancellation: Cancellation?) throws
    -> [NetlinkRouteLookup.Answer]
  {
    try RouteLookupSocket.lookUp(lookups, cancellation: cancellation)
  }

  /// Runs a command to completion.
  public func run(_ command: Command, output: ((UnsafeRawBufferPointer) throws -> Void)?) throws -> CommandResult {
    try runAll([CommandJob(command, output: output)])[0]
  }

  /// Starts every command at once and feeds and drains them all from this thread with one `poll` loop, so a read
  /// that needs several `ip` processes costs the slowest of them, with no threads to start.
  public func runAll(_ jobs: [CommandJob]) throws -> [CommandResult] {
    var started: [(pid: pid_t, io: ProcessIO)] = []
    for job in jobs {
      do {
        started.append(try spawn(job))
      } catch {
        // Those already running are drained and reaped before the error is reported.
        var ios = started.map(\.io)
        _ = ProcessIO.pump(&ios)
        for process in started { _ = Self.wait(for: process.pid) }
        throw error
      }
    }
    var ios = started.map(\.io)
    let handlerErrors = ProcessIO.pump(&ios)
    let statuses = started.map { Self.wait(for: $0.pid) }
    if let error = handlerErrors.compactMap({ $0 }).first { throw error }
    return zip(ios, statuses).map { io, status in
      CommandResult(status: status, output: io.collectedOutput, errorOutput: io.collectedErrors)
    }
  }

  /// Starts one command with its three pipes.
  func spawn(_ job: CommandJob) throws -> (pid: pid_t, io: ProcessIO) {
    let command = job.command
    var stdinPipe: [Int32] = [-1, -1]
    var stdoutPipe: [Int32] = [-1, -1]
    var stderrPipe: [Int32] = [-1, -1]
    guard systemPipe2(&stdinPipe, Int32(O_CLOEXEC)) == 0, systemPipe2(&stdoutPipe, Int32(O_CLOEXEC)) == 0,
      systemPipe2(&stderrPipe, Int32(O_CLOEXEC)) == 0
    else {
      let reason = Self.errorText(errno)
      for fd in stdinPipe + stdoutPipe + stderrPipe where fd >= 0 { close(fd) }
      throw CommandError.launchFailed(command: command.description, reason: reason)
    }
    // A larger pipe lets `ip` print a big dump in fewer wake-ups (F_SETPIPE_SZ is 1031 on Linux).
    _ = fcntl(stdoutPipe[0], 1031, Int32(1 << 20))

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // The child must not inherit polroute's ignored SIGPIPE or blocked signals.
    var defaultSignals = sigset_t()
    sigemptyset(&defaultSignals)
    sigaddset(&defaultSignals, SIGPIPE)
    sigaddset(&defaultSignals, SIGINT)
    sigaddset(&defaultSignals, SIGTERM)
    sigaddset(&defaultSignals, SIGHUP)
    posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    let argv: [UnsafeMutablePointer<CChar>?] = command.arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let spawnStatus = posix_spawnp(&pid, argv[0]!, &actions, &attributes, argv, environ)
    close(stdinPipe[0])
    close(stdoutPipe[1])
    close(stderrPipe[1])
    guard spawnStatus == 0 else {
      close(stdinPipe[1])
      close(stdoutPipe[0])
      close(stderrPipe[0])
      throw CommandError.launchFailed(command: command.description, reason: Self.errorText(spawnStatus))
    }

    let io = ProcessIO(
      input: command.input ?? [], stdinFD: stdinPipe[1], stdoutFD: stdoutPipe[0], stderrFD: stderrPipe[0],
      streamOutput: job.output)
    return (pid, io)
  }

  /// Waits for a child and turns its wait status into an exit code (128 + signal when killed).
  static func wait(for pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      guard errno == EINTR else { return 127 }
    }
    let signal = status & 0x7F
    return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
  }

  /// The C library's text for an error number.
  static func errorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
  }
}

/// Feeds a child's stdin and drains its stdout and stderr without deadlocking on full pipes.
struct ProcessIO {
  /// What remains to write.
  let input: [UInt8]
  /// How much of it was written.
  var written = 0
  /// The write end of the child's stdin, or -1 once closed.
  var stdinFD: Int32
  /// The read end of the child's stdout, or -1 at end of file.
  var stdoutFD: Int32
  /// The read end of the child's stderr, or -1 at end of file.
  var stderrFD: Int32
  /// Receives stdout chunks instead of collecting them, when set.
  let streamOutput: ((UnsafeRawBufferPointer) throws -> Void)?
  /// Collected stdout when not streaming.
  var collectedOutput: [UInt8] = []
  /// Collected stderr.
  var collectedErrors: [UInt8] = []

  /// Builds the pump.
  init(
    input: [UInt8], stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32,
    streamOutput: ((UnsafeRawBufferPointer) throws -> Void)?
  ) {
    self.input = input
    self.stdinFD = stdinFD
    self.stdoutFD = stdoutFD
    self.stderrFD = stderrFD
    self.streamOutput = streamOutput
    if input.isEmpty {
      close(stdinFD)
      self.stdinFD = -1
    } else {
      _ = fcntl(stdinFD, F_SETFL, fcntl(stdinFD, F_GETFL) | O_NONBLOCK)
    }
  }

  /// Bytes read after which the pump lets output pile up between reads.
  static let largeOutput = 1 << 16
  /// How long it lets output pile up: the pipe (1 MiB) holds far more than iproute2 writes in this time.
  static let pileUpNanoseconds = 500_000

  /// Moves bytes for every process until each has closed stdout and stderr; returns each output handler's error,
  /// if it threw (after which that process's output is read and dropped so the child can finish).
  static func pump(_ ios: inout [ProcessIO]) -> [(any Error)?] {
    var handlerErrors: [(any Error)?] = Array(repeating: nil, count: ios.count)
    let bufferSize = 1 << 18
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
    defer { buffer.deallocate() }
    var totalRead = 0
    var drained = false
    while ios.contains(where: { $0.stdoutFD >= 0 || $0.stderrFD >= 0 }) {
      // iproute2 flushes stdout after every rule and route, so a large dump arrives as thousands of small writes.
      // Waking for each costs the writer a wake-up (measured: 70 ms of system time for 10,000 rules and routes);
      // once an output is clearly large and the pipes are drained, let it pile up for a moment instead.
      if drained && totalRead >= Self.largeOutput {
        var pause = timespec(tv_sec: 0, tv_nsec: Self.pileUpNanoseconds)
        var remaining = timespec()
        while nanosleep(&pause, &remaining) != 0 && errno == EINTR { pause = remaining }
      }
      drained = true
      var fds: [pollfd] = []
      var owners: [Int] = []
      for (index, io) in ios.enumerated() {
        if io.stdinFD >= 0 {
          fds.append(pollfd(fd: io.stdinFD, events: Int16(POLLOUT), revents: 0))
          owners.append(index)
        }
        if io.stdoutFD >= 0 {
          fds.append(pollfd(fd: io.stdoutFD, events: Int16(POLLIN), revents: 0))
          owners.append(index)
        }
        if io.stderrFD >= 0 {
          fds.append(pollfd(fd: io.stderrFD, events: Int16(POLLIN), revents: 0))
          owners.append(index)
        }
      }
      let ready = poll(&fds, nfds_t(fds.count), -1)
      if ready < 0 {
        if errno == EINTR { continue }
        break
      }
      for (entry, owner) in zip(fds, owners) where entry.revents != 0 {
        if entry.fd == ios[owner].stdinFD {
          ios[owner].writeInput()
          continue
        }
        let count = systemRead(entry.fd, buffer.baseAddress, bufferSize)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 {
          close(entry.fd)
          if entry.fd == ios[owner].stdoutFD { ios[owner].stdoutFD = -1 } else { ios[owner].stderrFD = -1 }
          continue
        }
        totalRead += count
        if count == bufferSize { drained = false }
        let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        if entry.fd == ios[owner].stderrFD {
          ios[owner].collectedErrors.append(contentsOf: chunk)
        } else if let streamOutput = ios[owner].streamOutput {
          if handlerErrors[owner] == nil {
            do { try streamOutput(chunk) } catch { handlerErrors[owner] = error }
          }
        } else {
          ios[owner].collectedOutput.append(contentsOf: chunk)
        }
      }
    }
    for index in ios.indices where ios[index].stdinFD >= 0 {
      close(ios[index].stdinFD)
      ios[index].stdinFD = -1
    }
    return handlerErrors
  }

  /// Writes what the pipe takes; closes stdin when done or when the child stopped reading.
  mutating func writeInput() {
    let count = input.withUnsafeBytes { bytes in
      systemWrite(stdinFD, bytes.baseAddress! + written, bytes.count - written)
    }
    if count > 0 { written += count }
    if written == input.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
      close(stdinFD)
      stdinFD = -1
    }
  }
}
