/// What the kernel accepts as a network interface's name (`dev_valid_name`).
public enum InterfaceName {
  /// Whether `name` could name an interface: 1 to 15 bytes (IFNAMSIZ less its terminator), not `.` or `..`, and
  /// without `/`, `:` or white space.
  public static func isValid(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    guard !bytes.isEmpty, bytes.count <= 15, name != ".", name != ".." else { return false }
    // The kernel's isspace(): space, \t, \n, \v, \f, \r; a NUL cannot reach it in a C string.
    return !bytes.contains { $0 == 0x2F || $0 == 0x3A || $0 == 0x20 || (0x09...0x0D).contains($0) || $0 == 0 }
  }
}
