import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI

/// `polroute bgp`: golden configurations for the cases under Tests/BGP, the example, and the command's options,
/// exit codes, diff and writing.
@Suite("bgp command")
struct BGPCommandTests {
  /// The golden cases: Tests/BGP/NAME holds `site.conf` or `site.json`, and `expected/frr.conf` and
  /// `expected/diagnostics.txt` (stderr).
  static let cases = TestPaths.list(TestPaths.packageRoot + "/Tests/BGP")

  /// A case's site file.
  static func siteFile(_ name: String) -> String {
    let directory = TestPaths.packageRoot + "/Tests/BGP/" + name
    return ["site.conf", "site.json"].map { directory + "/" + $0 }.first {
      FileManager.default.fileExists(atPath: $0)
    } ?? directory + "/site.conf"
  }

  /// Runs polroute with paths under the package shown relative to it, so golden files are portable.
  static func run(_ arguments: [String]) -> CLIRun {
    var run = CLIRun(arguments)
    let prefix = TestPaths.packageRoot + "/"
    run.stdout = run.stdout.replacingOccurrences(of: prefix, with: "")
    run.stderr = run.stderr.replacingOccurrences(of: prefix, with: "")
    return run
  }

  /// A site file in a temporary directory.
  static func site(_ text: String, name: String = "site.conf") -> TemporaryFile { TemporaryFile(name, text) }

  /// The example's site, as text.
  static let primaryBackup = """
    site as 65055 router-id 192.0.2.1
    announce 192.0.2.0/24
    provider isp1 neighbor 203.0.113.1 as 65066 role primary
    provider isp2 neighbor 203.0.113.5 as 65077 role backup backup-community 65077:70

    """

  @Test("the example renders, and its README names its file and shows the command")
  func example() throws {
    let directory = TestPaths.examples + "/bgp-primary-backup"
    let run = Self.run(["bgp", "--site", directory + "/site.conf"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("router bgp 65055\n"))
    #expect(run.stdout.contains(" set as-path prepend 65055 65055 65055\n set community 65077:70 additive\n"))
    let readme = try String(contentsOfFile: directory + "/README.md", encoding: .utf8)
    #expect(readme.contains("polroute bgp --site Examples/bgp-primary-backup/site.conf"))
    // The README's excerpt of the configuration (abridged with '...') is the rendered file's lines, in order.
    let excerpt = readme.components(separatedBy: "```\n").first { $0.hasPrefix("frr defaults traditional\n") } ?? ""
    #expect(!excerpt.isEmpty)
    var rendered = run.stdout.split(separator: "\n")[...]
    for line in excerpt.split(separator: "\n") where line != "..." {
      guard let found = rendered.firstIndex(of: line) else {
        Issue.record("the README's excerpt has a line the rendered file lacks (or out of order): \(line)")
        break
      }
      rendered = rendered[(found + 1)...]
    }
    // The README quotes the warnings as polroute prints them.
    for line in run.stderr.split(separator: "\n") {
      #expect(readme.contains(String(line)), "README lacks: \(line)")
    }
  }

  @Test("the same input gives the same bytes, in any statement order")
  func idempotent() {
    let file = Self.site(Self.primaryBackup)
    let first = CLIRun(["bgp", "--site", file.path])
    #expect(first.status == 0)
    #expect(CLIRun(["bgp", "--site", file.path]).stdout == first.stdout)
    let reordered = Self.site(
      Self.primaryBackup.split(separator: "\n").reversed().joined(separator: "\n").replacingOccurrences(
        of: file.path, with: ""))
    let again = CLIRun(["bgp", "--site", reordered.path])
    #expect(again.stdout.replacingOccurrences(of: reordered.path, with: file.path) == first.stdout)
  }

  @Test("the JSON form renders the same configuration as the text form")
  func jsonForm() {
    let text = Self.site(Self.primaryBackup)
    let json = Self.site(
      """
      {"site": {"as": 65055, "router-id": "192.0.2.1"}, "announce": ["192.0.2.0/24"],
       "providers": [{"name": "isp1", "neighbor": "203.0.113.1", "as": 65066, "role": "primary"},
                     {"name": "isp2", "neighbor": "203.0.113.5", "as": "65077", "role": "backup",
                      "backup-community": "65077:70"}]}
      """, name: "site.json")
    let fromText = CLIRun(["bgp", "--site", text.path])
    let fromJSON = CLIRun(["bgp", "--site", json.path])
    #expect(fromJSON.status == 0, "\(fromJSON.stderr)")
    #expect(fromJSON.stdout.replacingOccurrences(of: json.path, with: text.path) == fromText.stdout)
  }

  @Test("usage errors exit 64 with the usage line")
  func usage() {
    let cases: [([String], String)] = [
      (["bgp"], "Error: Missing expected option '--site <file>'\n"),
      (
        ["bgp", "--site", "x", "--format", "fr"],
        "Error: Unknown format 'fr' (did you mean 'frr'?); expected one of: frr\n"
      ),
      (
        ["bgp", "--site", "x", "--output", "a", "--root", "b"],
        "Error: '--output' and '--root' cannot be used together\n"
      ),
      (["bgp", "--site", "x", "--detailed-exitcode"], "Error: '--detailed-exitcode' needs '--diff'\n"),
      (["bgp", "--site", "x", "--jsn"], "Error: Unknown option '--jsn' (did you mean '--json'?)\n"),
    ]
    for (arguments, message) in cases {
      let run = CLIRun(arguments)
      #expect(run.status == 64, "\(arguments)")
      #expect(run.stderr.hasPrefix(message), "\(arguments): \(run.stderr)")
      #expect(run.stderr.contains("Usage: polroute bgp [--site <file>]"))
      #expect(run.stdout.isEmpty)
    }
  }

  @Test("--help, -h and 'help bgp' print the same text")
  func help() {
    let long = CLIRun(["bgp", "--help"])
    #expect(long.status == 0)
    #expect(long.stdout.hasPrefix("OVERVIEW: Render FRR's BGP configuration"))
    #expect(long.stdout.contains("  --diff                  Show the change against the file on disk"))
    #expect(CLIRun(["bgp", "-h"]).stdout == long.stdout)
    #expect(CLIRun(["help", "bgp"]).stdout == long.stdout)
    #expect(CLIRun(["--help"]).stdout.contains("\n  bgp "))
  }

  @Test("an invalid site file exits 65 with FILE:LINE:COL and prints nothing on stdout")
  func invalidSite() {
    let file = Self.site("site as 65055\nprovider isp1 neighbor 203.0.113.1 as 65066 role primay\n")
    let run = CLIRun(["bgp", "--site", file.path])
    #expect(run.status == 65)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr == "\(file.path):2:50: error: unknown role 'primay' (did you mean 'primary'?)\n")
    // With --detailed-exitcode, as with `plan`, every error is 1.
    let detailed = CLIRun(["bgp", "--site", file.path, "--diff", "--detailed-exitcode"])
    #expect(detailed.status == 1)
    #expect(detailed.stderr == run.stderr)
    let missing = CLIRun(["bgp", "--site", "/nonexistent/site.conf"])
    #expect(missing.status == 1)
    #expect(missing.stderr == "error: cannot read /nonexistent/site.conf: No such file or directory\n")
  }

  @Test("--diff shows only what changes against the file under --root, and --detailed-exitcode says whether")
  func diff() throws {
    let root = try TemporaryDirectory("bgp-root")
    let file = Self.site(Self.primaryBackup)
    let create = CLIRun(["bgp", "--site", file.path, "--root", root.path, "--diff", "--detailed-exitcode"])
    #expect(create.status == 2)
    #expect(create.stdout.contains("/etc/frr/frr.conf under \(root.path): to create.\n\n--- /dev/null\n"))
    #expect(root.read("etc/frr/frr.conf") == nil, "--diff wrote the file")

    let write = CLIRun(["bgp", "--site", file.path, "--root", root.path])
    #expect(write.status == 0, "\(write.stderr)")
    #expect(write.stdout.isEmpty)
    #expect(root.read("etc/frr/frr.conf") == CLIRun(["bgp", "--site", file.path]).stdout)
    let same = CLIRun(["bgp", "--site", file.path, "--root", root.path, "--diff", "--detailed-exitcode"])
    #expect(same.status == 0)
    #expect(same.stdout.hasSuffix("/etc/frr/frr.conf under \(root.path): no changes.\n"))

    // One more prefix in the same site file: the diff adds its lines and changes nothing else, and says where.
    try (Self.primaryBackup + "announce 198.51.100.0/24\n").write(toFile: file.path, atomically: true, encoding: .utf8)
    let changed = CLIRun(["bgp", "--site", file.path, "--root", root.path, "--diff", "--detailed-exitcode"])
    #expect(changed.status == 2)
    let lines = changed.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(
      lines.filter { $0.hasPrefix("+") || $0.hasPrefix("-") || $0.hasPrefix("@@") } == [
        "--- a/etc/frr/frr.conf",
        "+++ b/etc/frr/frr.conf",
        "@@ -10,9 +10,11 @@",
        "+ip prefix-list polroute-announce-v4 permit 198.51.100.0/24",
        "+ip prefix-list polroute-refuse-v4 permit 198.51.100.0/24 le 32",
        "@@ -58,6 +60,7 @@",
        "+  network 198.51.100.0/24",
      ], "\(changed.stdout)")
  }

  @Test("--root never replaces a file polroute did not write, keeps a backup of one it did, and warns about bgpd=no")
  func writeUnderRoot() throws {
    let root = try TemporaryDirectory("bgp-root")
    try root.write("etc/frr/frr.conf", "log syslog informational\n")
    try root.write("etc/frr/daemons", "bgpd=no\nospfd=no\n")
    let file = Self.site(Self.primaryBackup)
    let refused = CLIRun(["bgp", "--site", file.path, "--root", root.path])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.hasSuffix(
        "error: \(root.path)/etc/frr/frr.conf exists and polroute did not write it: move it away or merge it by"
          + " hand; nothing was changed\n"))
    #expect(
      refused.stderr.contains(
        "\(root.path)/etc/frr/daemons:1:1: warning: \(root.path)/etc/frr/daemons has bgpd=no, so FRR does not start"
          + " bgpd and this configuration is not used (set bgpd=yes and restart frr)\n"))
    #expect(root.read("etc/frr/frr.conf") == "log syslog informational\n")

    try FileManager.default.removeItem(atPath: root.path + "/etc/frr/frr.conf")
    #expect(CLIRun(["bgp", "--site", file.path, "--root", root.path]).status == 0)
    let first = try #require(root.read("etc/frr/frr.conf"))
    let attributes = try FileManager.default.attributesOfItem(atPath: root.path + "/etc/frr/frr.conf")
    #expect((attributes[.posixPermissions] as? Int) == 0o644)
    let more = Self.site(Self.primaryBackup + "announce 198.51.100.0/24\n")
    #expect(CLIRun(["bgp", "--site", more.path, "--root", root.path]).status == 0)
    let backups = TestPaths.list(root.path + "/var/backups/polroute/etc/frr")
    #expect(backups.count == 1 && backups[0].hasPrefix("frr.conf."), "\(backups)")
    #expect(root.read("var/backups/polroute/etc/frr/\(backups[0])") == first)
  }

  @Test("--output writes the file there, and --diff compares with it")
  func output() throws {
    let directory = try TemporaryDirectory("bgp-output")
    let target = directory.path + "/frr.conf"
    let file = Self.site(Self.primaryBackup)
    #expect(CLIRun(["bgp", "--site", file.path, "--output", target]).status == 0)
    #expect(directory.read("frr.conf") == CLIRun(["bgp", "--site", file.path]).stdout)
    let same = CLIRun(["bgp", "--site", file.path, "--output", target, "--diff"])
    #expect(same.stdout.hasSuffix("\n\(target): no changes.\n"), "\(same.stdout)")
  }

  @Test("--json prints the file, the warnings and, with --diff, the change")
  func json() throws {
    let root = try TemporaryDirectory("bgp-root")
    let file = Self.site(Self.primaryBackup)
    let run = CLIRun(["bgp", "--site", file.path, "--json", "--diff", "--root", root.path])
    #expect(run.status == 0)
    #expect(run.stderr.isEmpty, "warnings go into the document: \(run.stderr)")
    let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    #expect(document["site"] as? String == file.path)
    #expect(document["asn"] as? Int == 65055)
    #expect(document["format"] as? String == "frr")
    #expect(document["root"] as? String == root.path)
    #expect(document["changes"] as? Bool == true)
    let files = try #require(document["files"] as? [[String: Any]])
    #expect(files.count == 1)
    #expect(files[0]["path"] as? String == "/etc/frr/frr.conf")
    #expect(files[0]["mode"] as? String == "0644")
    #expect(files[0]["action"] as? String == "create")
    #expect((files[0]["diff"] as? String)?.hasPrefix("--- /dev/null\n+++ b/etc/frr/frr.conf\n") == true)
    #expect(files[0]["contents"] as? String == CLIRun(["bgp", "--site", file.path]).stdout)
    let diagnostics = try #require(document["diagnostics"] as? [[String: Any]])
    #expect(diagnostics.map { $0["severity"] as? String } == ["warning", "warning"])
    #expect(
      (diagnostics[0]["message"] as? String)?.hasPrefix("the site's AS 65055 is a private AS number") == true)
    #expect((diagnostics[0]["location"] as? [String: Any])?["line"] as? Int == 1)

    // Without --diff, nothing is compared.
    let plain = try #require(
      try JSONSerialization.jsonObject(with: Data(CLIRun(["bgp", "--site", file.path, "--json"]).stdout.utf8))
        as? [String: Any])
    #expect(plain["changes"] == nil && plain["root"] == nil)
    #expect(((plain["files"] as? [[String: Any]])?[0])?["action"] == nil)
  }
}

/// The golden FRR configurations and warnings of the cases under Tests/BGP (`make record-golden` re-records them).
@Suite("bgp golden configurations")
struct BGPGoldenTests {
  @Test("golden configuration and warnings", arguments: BGPCommandTests.cases)
  func golden(_ name: String) {
    #expect(BGPCommandTests.cases.count >= 5)
    let run = BGPCommandTests.run(["bgp", "--site", BGPCommandTests.siteFile(name)])
    #expect(run.status == 0, "\(name): \(run.stderr)")
    let expected = TestPaths.packageRoot + "/Tests/BGP/\(name)/expected/"
    for (text, file) in [(run.stdout, "frr.conf"), (run.stderr, "diagnostics.txt")] {
      if let problem = Golden.check(text, against: expected + file) { Issue.record(Comment(rawValue: problem)) }
    }
  }
}
