import Glibc

/// What one finished process left behind, with its cost.
struct RunResult: Sendable {
  /// Exit status (0 for success); 128 + the signal number when killed.
  var status: Int32
  /// Wall time from just before `posix_spawnp` to the return of `wait4`.
  var seconds: Double
  /// `ru_maxrss` from `wait4` in KiB: at least the harness's own peak (see `peakMemory`), so not for memory goals.
  var maxrssKiB: Int
  /// User CPU time (the process and its waited-for children).
  var userSeconds: Double
  /// System CPU time (the process and its waited-for children).
  var systemSeconds: Double
  /// Standard output, when captured.
  var output: [UInt8]
  /// Standard error (always captured).
  var errors: [UInt8]

  /// Standard output as text.
  var outputText: String { String(decoding: output, as: UTF8.self) }
  /// Standard error as text.
  var errorText: String { String(decoding: errors, as: UTF8.self) }
}

/// A process that could not be run or failed.
struct SpawnError: Error, CustomStringConvertible {
  /// The message.
  let description: String
}

/// Runs programs with `posix_spawnp` and `wait4`, feeding stdin and draining stdout/stderr with `poll`.
///
/// `Process.waitUntilExit()` polls in 50 ms steps, which is more than some of the runs measured here take. Both the
/// measured program and its baseline are run through this same function, so the harness's own cost (spawning,
/// draining a pipe) is the same on both sides of every ratio.
enum Spawn {
  /// Variables added to (or replacing) the harness's own environment in every child.
  static let baseEnvironment = ["NO_COLOR": "1", "LC_ALL": "C"]

  /// Runs `arguments` (the first is looked up on PATH) to completion. Output is drained from a pipe either way;
  /// it is kept only when `capture` is true. `environment` adds variables.
  static func run(
    _ arguments: [String], input: [UInt8]? = nil, capture: Bool = false, environment: [String: String] = [:]
  ) throws -> RunResult {
    precondition(!arguments.isEmpty)
    // Everything that can be prepared is prepared before the clock starts.
    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    let envp = makeEnvironment(baseEnvironment.merging(environment) { $1 })
    defer { for pointer in envp { free(pointer) } }

    var stdinPipe: [Int32] = [-1, -1]
    var stdoutPipe: [Int32] = [-1, -1]
    var stderrPipe: [Int32] = [-1, -1]
    guard systemPipe2(&stdinPipe, O_CLOEXEC) == 0, systemPipe2(&stdoutPipe, O_CLOEXEC) == 0,
      systemPipe2(&stderrPipe, O_CLOEXEC) == 0
    else {
      let reason = String(cString: strerror(errno))
      for fd in stdinPipe + stdoutPipe + stderrPipe where fd >= 0 { close(fd) }
      throw SpawnError(description: "pipe: \(reason)")
    }
    // The same pipe size polroute uses for its own `ip` children (F_SETPIPE_SZ = 1031).
    _ = fcntl(stdoutPipe[0], 1031, Int32(1 << 20))

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

    // The harness blocks SIGINT/SIGTERM/SIGHUP (a cleanup thread waits for them); children get them back, so that
    // Ctrl-C stops the child at once and the harness deletes its namespaces.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    var pid: pid_t = 0
    let start = monotonicSeconds()
    let spawnStatus = posix_spawnp(&pid, argv[0]!, &actions, &attributes, argv, envp)
    close(stdinPipe[0])
    close(stdoutPipe[1])
    close(stderrPipe[1])
    guard spawnStatus == 0 else {
      close(stdinPipe[1])
      close(stdoutPipe[0])
      close(stderrPipe[0])
      throw SpawnError(description: "cannot run \(arguments[0]): \(String(cString: strerror(spawnStatus)))")
    }
    var io = Pump(
      input: input ?? [], stdinFD: stdinPipe[1], stdoutFD: stdoutPipe[0], stderrFD: stderrPipe[0], capture: capture)
    io.run()
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
      guard errno == EINTR else { throw SpawnError(description: "wait4: \(String(cString: strerror(errno)))") }
    }
    let seconds = monotonicSeconds() - start
    let signal = status & 0x7F
    return RunResult(
      status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal, seconds: seconds, maxrssKiB: usage.ru_maxrss,
      userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
      systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6, output: io.output,
      errors: io.errors)
  }

  /// Runs a command and fails, quoting its stderr, unless it exits 0.
  @discardableResult
  static func check(
    _ arguments: [String], input: [UInt8]? = nil, capture: Bool = false, environment: [String: String] = [:]
  ) throws -> RunResult {
    let result = try run(arguments, input: input, capture: capture, environment: environment)
    guard result.status == 0 else {
      let shown = arguments.joined(separator: " ")
      throw SpawnError(
        description:
          "`\(shown.count > 200 ? String(shown.prefix(200)) + "..." : shown)` exited with status \(result.status): "
          + String(result.errorText.prefix(2000)))
    }
    return result
  }

  /// GNU time, which measures peak memory for `peakMemory`.
  static let timeProgram = "/usr/bin/time"

  /// The peak resident set size of a program in KiB, as GNU time reports it (`%M`, from its own wait4), or nil
  /// without GNU time. Not `ru_maxrss` from the harness's own wait4: a child started with posix_spawn (vfork) or
  /// fork starts from the parent's memory, and exec(2) keeps the parent's high-water mark in the child's maxrss,
  /// so every child of a 60 MiB harness would report at least 60 MiB. GNU time is small, so the floor it leaves
  /// is about 1 MiB.
  static func peakMemory(_ arguments: [String], input: [UInt8]? = nil, environment: [String: String] = [:]) throws
    -> Int?
  {
    guard access(timeProgram, X_OK) == 0 else { return nil }
    let result = try check(
      [timeProgram, "-f", "polroute-bench-maxrss=%M"] + arguments, input: input, environment: environment)
    let marker = "polroute-bench-maxrss="
    guard let line = result.errorText.split(separator: "\n").last(where: { $0.hasPrefix(marker) }),
      let kibibytes = Int(line.dropFirst(marker.count))
    else { throw SpawnError(description: "\(timeProgram) printed no %M") }
    return kibibytes
  }

  /// The harness's environment with `overrides` applied, as C strings.
  static func makeEnvironment(_ overrides: [String: String]) -> [UnsafeMutablePointer<CChar>?] {
    var entries: [String] = []
    var pointer = environ
    while let entry = pointer.pointee {
      let text = String(cString: entry)
      let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
      if overrides[name] == nil { entries.append(text) }
      pointer += 1
    }
    for (name, value) in overrides.sorted(by: { $0.key < $1.key }) { entries.append("\(name)=\(value)") }
    return entries.map { strdup($0) } + [nil]
  }
}

/// Feeds a child's stdin and drains its stdout and stderr without deadlocking on full pipes.
struct Pump {
  /// Bytes for stdin.
  let input: [UInt8]
  /// How many were written.
  var written = 0
  /// Write end of the child's stdin, -1 once closed.
  var stdinFD: Int32
  /// Read end of the child's stdout, -1 at end of file.
  var stdoutFD: Int32
  /// Read end of the child's stderr, -1 at end of file.
  var stderrFD: Int32
  /// Whether stdout is kept.
  let capture: Bool
  /// Kept stdout.
  var output: [UInt8] = []
  /// Kept stderr.
  var errors: [UInt8] = []

  init(input: [UInt8], stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32, capture: Bool) {
    self.input = input
    self.stdinFD = stdinFD
    self.stdoutFD = stdoutFD
    self.stderrFD = stderrFD
    self.capture = capture
    if input.isEmpty {
      close(stdinFD)
      self.stdinFD = -1
    } else {
      _ = fcntl(stdinFD, F_SETFL, fcntl(stdinFD, F_GETFL) | O_NONBLOCK)
    }
  }

  /// Moves bytes until the child closed stdout and stderr.
  mutating func run() {
    let size = 1 << 18
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    defer { buffer.deallocate() }
    while stdoutFD >= 0 || stderrFD >= 0 {
      var fds: [pollfd] = []
      if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
      if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
      if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
      if poll(&fds, nfds_t(fds.count), -1) < 0 {
        if errno == EINTR { continue }
        break
      }
      for entry in fds where entry.revents != 0 {
        if entry.fd == stdinFD {
          writeInput()
          continue
        }
        let count = read(entry.fd, buffer.baseAddress, size)
        if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
        if count <= 0 {
          close(entry.fd)
          if entry.fd == stdoutFD { stdoutFD = -1 } else { stderrFD = -1 }
          continue
        }
        let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        if entry.fd == stderrFD {
          errors.append(contentsOf: chunk)
        } else if capture {
          output.append(contentsOf: chunk)
        }
      }
    }
    if stdinFD >= 0 { close(stdinFD) }
  }

  /// Writes what the pipe takes; closes stdin when everything is written or the child stopped reading.
  mutating func writeInput() {
    let count = input.withUnsafeBytes { bytes in write(stdinFD, bytes.baseAddress! + written, bytes.count - written) }
    if count > 0 { written += count }
    if written == input.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
      close(stdinFD)
      stdinFD = -1
    }
  }
}

/// `pipe2(2)`: glibc declares it only under _GNU_SOURCE, which Swift's Glibc module does not set.
@_silgen_name("pipe2")
func systemPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

/// `setns(2)`, declared only under _GNU_SOURCE too.
@_silgen_name("setns")
func systemSetns(_ fd: Int32, _ type: Int32) -> Int32

/// Seconds of the monotonic clock.
func monotonicSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
