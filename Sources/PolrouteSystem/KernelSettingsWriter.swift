import PolrouteCore

/// Writes the kernel settings a policy asks for with one `sysctl -q -w PATH=VALUE...` (the slash form of the names
/// keeps a dot in an interface name apart from the separators), and puts back the values it changed when that fails.
public struct KernelSettingsWriter: Sendable {
  /// Runs `sysctl`.
  public let runner: any CommandRunner

  /// Builds a writer.
  public init(runner: any CommandRunner) {
    self.runner = runner
  }

  /// Sets each setting; on failure, restores the settings whose earlier value is known and throws the failure.
  public func write(_ changes: [(setting: KernelSetting, now: String?)]) throws {
    guard !changes.isEmpty else { return }
    let command = Command(["sysctl", "-q", "-w"] + changes.map(\.setting.assignment))
    do {
      _ = try runner.check(command)
    } catch {
      restore(changes)
      throw error
    }
  }

  /// Puts back the values the settings had before (best effort: the error that led here is the one reported).
  public func restore(_ changes: [(setting: KernelSetting, now: String?)]) {
    let earlier = changes.compactMap { change in change.now.map { "\(change.setting.path)=\($0)" } }
    guard !earlier.isEmpty else { return }
    _ = try? runner.run(Command(["sysctl", "-q", "-w"] + earlier), output: nil)
  }
}
