/// Paths polroute owns on a host.
public enum PolrouteFiles {
  /// The rt_tables entries polroute writes.
  public static let rtTables = "/etc/iproute2/rt_tables.d/polroute.conf"
  /// The default policy file.
  public static let policy = "/etc/polroute.conf"
}
