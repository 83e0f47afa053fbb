/// Renders polroute's boot unit: `polroute.service`, a oneshot that runs `polroute apply` once the network is up,
/// for interfaces whose manager polroute cannot write for (or by choice), and the drop-in that has
/// `multi-user.target` want it, so it runs at boot without `systemctl enable`.
///
/// The unit applies the policy polroute reads by default (`/etc/polroute.conf`, else the one it derives from the
/// host as it comes up), or the policy file it was rendered from. Where systemd-networkd runs, it would remove the
/// unit's rules and routes whenever it configures a link, so the networkd.conf drop-in that stops it is written too
/// (see `NetworkdRenderer`).
public enum SystemdUnitRenderer: Renderer {
  /// The unit.
  public static let unitPath = "/etc/systemd/system/polroute.service"
  /// The drop-in that starts it at boot.
  public static let wantsPath = "/etc/systemd/system/multi-user.target.d/polroute.conf"

  /// The unit, the drop-in, and networkd's setting where networkd runs.
  public static func render(_ policy: Policy, context: RenderContext) -> RenderResult {
    guard context.rendersAny(as: .systemd) else { return RenderResult() }
    var unit = context.header(policy)
    unit += [
      "#",
      "# Applies polroute's policy at boot, once the network is up: run by multi-user.target (see",
      "# \(wantsPath)).",
    ]
    unit += body(executable: context.executable, policyFile: context.policyFile)
    var wants = context.header(policy)
    wants += ["", "[Unit]", "Wants=polroute.service"]
    var files = [
      RenderedFile(path: unitPath, contents: unit.joined(separator: "\n") + "\n"),
      RenderedFile(path: wantsPath, contents: wants.joined(separator: "\n") + "\n"),
    ]
    if let setting = NetworkdRenderer.settingFile(policy, context: context) { files.append(setting) }
    return RenderResult(files: files)
  }

  /// The unit `make install` and the Debian package install (docs/systemd/polroute.service.in, `@BINDIR@` replaced
  /// by the directory the executable goes to): the same sections, under a header that says how it is started.
  public static func installedUnit(executable: String) -> String {
    let header = [
      "# polroute's boot unit, as 'make install' and the Debian package install it: it applies the policy at boot,",
      "# once the network is up. 'systemctl enable polroute.service' starts it at every boot. 'polroute apply",
      "# --persist' writes a copy of its own in /etc/systemd/system (which takes precedence) where an interface needs",
      "# it, with the drop-in that starts it.",
    ]
    return (header + body(executable: executable, policyFile: nil)).joined(separator: "\n") + "\n"
  }

  /// The unit's sections: `ExecStart` runs `executable apply`, with `--policy FILE` when one is given. systemd
  /// splits `ExecStart=` into words itself, so a path with a space, a quote, a backslash, `$` or `%` is quoted and
  /// escaped as systemd.service(5) and systemd.unit(5) read it.
  public static func body(executable: String, policyFile: String?) -> [String] {
    let command = [executable, "apply", "--wait", "60"] + (policyFile.map { ["--policy", $0] } ?? [])
    return [
      "",
      "[Unit]",
      "Description=Policy routing for every uplink (polroute apply)",
      "Documentation=man:polroute(8)",
      "Wants=network-online.target",
      "After=network-online.target",
      "",
      "[Service]",
      "Type=oneshot",
      "RemainAfterExit=yes",
      "ExecStart=" + command.map(execWord).joined(separator: " "),
      "",
      "[Install]",
      "WantedBy=multi-user.target",
    ]
  }

  /// A word of `ExecStart=`: `%` doubled (specifiers), `$` doubled (variables), and the word double-quoted, with
  /// `\`, `"` and control characters escaped, when it holds anything systemd would split or unescape.
  static func execWord(_ word: String) -> String {
    var escaped = ""
    var plain = !word.isEmpty
    for scalar in word.unicodeScalars {
      switch scalar {
      case "%": escaped += "%%"
      case "$": escaped += "$$"
      case "\\":
        escaped += "\\\\"
        plain = false
      case "\"":
        escaped += "\\\""
        plain = false
      case "'", ";", " ":
        escaped.unicodeScalars.append(scalar)
        plain = false
      default:
        if scalar.value < 0x20 || scalar.value == 0x7f {
          escaped += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
          plain = false
        } else {
          escaped.unicodeScalars.append(scalar)
        }
      }
    }
    return plain ? escaped : "\"" + escaped + "\""
  }

  /// The unit and the drop-in.
  public static func previousFiles(in files: any FileReader) -> [String] {
    [unitPath, wantsPath, NetworkdRenderer.settingPath]
  }
}
