import Glibc

/// Where polroute keeps its run-time files: the apply lock and the confirmation handshake.
public enum RunDirectory {
  /// The directory unless `POLROUTE_RUN_DIR` moves it.
  public static let defaultPath = "/run/polroute"

  /// The directory for an environment.
  public static func path(in environment: [String: String]) -> String {
    environment["POLROUTE_RUN_DIR"] ?? defaultPath
  }

  /// The apply lock in a run directory.
  public static func lockPath(_ directory: String) -> String { directory + "/lock" }

  /// Creates the run directory if it is missing.
  public static func prepare(_ directory: String) throws {
    if mkdir(directory, 0o755) != 0 && errno != EEXIST {
      throw FileSystemError.failed(
        operation: "create directory", path: directory, reason: ProcessRunner.errorText(errno))
    }
  }
}
