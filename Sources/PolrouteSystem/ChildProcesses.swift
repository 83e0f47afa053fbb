import Foundation
import Glibc

/// The processes this process started and that still run, as the kernel lists them.
public enum ChildProcesses {
  /// Sends SIGTERM to every child of every thread of this process (`/proc/self/task/TID/children`): a long-running
  /// command such as `ip monitor`, which would otherwise outlive a stopped `polroute watch` until its next write.
  public static func terminateAll() {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    for task in tasks {
      guard let text = try? String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8) else {
        continue
      }
      for word in text.split(separator: " ") {
        if let pid = Int32(word.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 { kill(pid, SIGTERM) }
      }
    }
  }
}
