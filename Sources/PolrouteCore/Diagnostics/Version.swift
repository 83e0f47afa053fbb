/// polroute's version.
public enum PolrouteVersion {
  /// The version `polroute --version` prints and generated files name.
  public static let current = "0.1.0"
}
