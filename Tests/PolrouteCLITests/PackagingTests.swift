import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// The release executable the packaging tests install and package.
enum ReleaseBinary {
  /// `POLROUTE_RELEASE_BINARY` (set by `make test`), else the one `make` leaves.
  static var path: String {
    let environment = ProcessInfo.processInfo.environment["POLROUTE_RELEASE_BINARY"] ?? ""
    return environment.isEmpty ? TestPaths.packageRoot + "/.build/release/polroute" : environment
  }

  /// Why a test is skipped without it.
  static let note: Comment =
    "needs the release executable these tests package: run 'make test', which builds it (or 'make' first)"

  /// Whether it exists; with CI=true its absence is a failure.
  static func present() throws -> Bool {
    if FileManager.default.isExecutableFile(atPath: path) { return true }
    if ProcessInfo.processInfo.environment["CI"] == "true" { throw MissingTools(message: "\(path) is missing") }
    return false
  }
}

/// `make install`, `make uninstall` and `make deb`, run for real on the release executable that `make test` builds,
/// and the package installed and removed by the real dpkg (in a root of its own) and checked by lintian.
@Suite("make install and make deb", .requires(.make), .enabled(ReleaseBinary.note) { try ReleaseBinary.present() })
struct PackagingTests {
  /// The release executable.
  static var release: String { ReleaseBinary.path }

  /// Runs `make ARGUMENTS` in the package root, failing on a non-zero status.
  @discardableResult
  static func make(_ arguments: [String]) throws -> CommandResult {
    let run = try Live.run(["make", "--no-print-directory", "-C", TestPaths.packageRoot] + arguments)
    #expect(run.status == 0, "make \(arguments.joined(separator: " ")): \(run.errorText)")
    return run
  }

  /// Every file under a directory with its permission bits (`0755 usr/bin/polroute`), sorted.
  static func listing(_ root: String) throws -> [String] {
    try TestPaths.files(under: root).map { path in
      let attributes = try FileManager.default.attributesOfItem(atPath: root + "/" + path)
      let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
      return String(mode, radix: 8).leftPadded(to: 4) + " " + path
    }
  }

  /// What `make install` installs under PREFIX=/usr/local.
  static let localFiles = [
    "0755 etc/NetworkManager/dispatcher.d/90-polroute",
    "0644 etc/dhcp/dhclient-exit-hooks.d/polroute",
    "0755 etc/network/if-post-down.d/polroute",
    "0755 etc/network/if-up.d/polroute",
    "0755 etc/networkd-dispatcher/off.d/50-polroute",
    "0755 etc/networkd-dispatcher/routable.d/50-polroute",
    "0644 usr/lib/dhcpcd/dhcpcd-hooks/62-polroute",
    "0755 usr/local/bin/polroute",
    "0644 usr/local/lib/systemd/system/polroute-watch.service",
    "0644 usr/local/lib/systemd/system/polroute.service",
    "0644 usr/local/share/bash-completion/completions/polroute",
    "0644 usr/local/share/fish/vendor_completions.d/polroute.fish",
    "0644 usr/local/share/man/man5/polroute.conf.5",
    "0644 usr/local/share/man/man8/polroute.8",
    "0644 usr/local/share/zsh/site-functions/_polroute",
  ]

  @Test("make install puts the executable, both manual pages, three completions and the hooks under DESTDIR")
  func installAndUninstall() throws {
    let destination = try TemporaryDirectory("install")
    let variables = ["DESTDIR=\(destination.path)", "PREFIX=/usr/local", "POLROUTE_BIN=\(Self.release)"]
    try Self.make(["install"] + variables)
    #expect(try Self.listing(destination.path).sorted { $0.dropFirst(5) < $1.dropFirst(5) } == Self.localFiles)
    let version = try Live.run([destination.path + "/usr/local/bin/polroute", "--version"])
    #expect(version.outputText == PolrouteVersion.current + "\n")
    #expect(
      destination.read("usr/local/share/man/man8/polroute.8")
        == TestPaths.read(TestPaths.packageRoot + "/docs/man/polroute.8"))
    // The boot unit runs the executable where it was installed.
    let unit = destination.read("usr/local/lib/systemd/system/polroute.service") ?? ""
    #expect(unit.contains("\nExecStart=/usr/local/bin/polroute apply --wait 60\n"), "\(unit)")
    let watch = destination.read("usr/local/lib/systemd/system/polroute-watch.service") ?? ""
    #expect(watch.contains("\nExecStart=/usr/local/bin/polroute watch\n"), "\(watch)")
    #expect(
      destination.read("usr/local/share/bash-completion/completions/polroute")
        == TestPaths.read(TestPaths.packageRoot + "/docs/completions/polroute.bash"))

    try Self.make(["uninstall"] + variables)
    #expect(try Self.listing(destination.path) == [], "make uninstall left files behind")
  }

  @Test("PREFIX=/usr puts zsh's completion where Debian's zsh reads packages' completions; BINDIR moves the executable")
  func prefixAndDirectories() throws {
    let destination = try TemporaryDirectory("install-usr")
    try Self.make([
      "install", "DESTDIR=\(destination.path)", "PREFIX=/usr", "BINDIR=/usr/sbin", "POLROUTE_BIN=\(Self.release)",
    ])
    let files = try Self.listing(destination.path).map { String($0.dropFirst(5)) }
    #expect(files.contains("usr/share/zsh/vendor-completions/_polroute"))
    #expect(files.contains("usr/sbin/polroute"))
    #expect(!files.contains("usr/bin/polroute"))
    #expect(files.contains("lib/systemd/system/polroute.service"))
    #expect(
      destination.read("lib/systemd/system/polroute.service")?.contains("\nExecStart=/usr/sbin/polroute apply ")
        == true)
  }

  /// Builds the package into a temporary directory and returns its path.
  static func buildPackage(in directory: TemporaryDirectory) throws -> String {
    try make(["deb", "DEBDIR=\(directory.path)", "POLROUTE_BIN=\(release)"])
    let architecture = try Live.check(["dpkg", "--print-architecture"]).outputText.trimmingCharacters(in: .newlines)
    return directory.path + "/polroute_\(PolrouteVersion.current)_\(architecture).deb"
  }

  @Test(
    "make deb: polroute's version and files, a changelog for that version, and no lintian error or warning",
    .requires(TestTool("dpkg-deb"), TestTool("lintian"), TestTool("strip")))
  func debianPackage() throws {
    let directory = try TemporaryDirectory("deb")
    let package = try Self.buildPackage(in: directory)
    let fields = try Live.check(["dpkg-deb", "--field", package, "Package", "Version", "Depends", "Section"])
    #expect(
      fields.outputText
        == "Package: polroute\nVersion: \(PolrouteVersion.current)\nDepends: iproute2\nSection: net\n")
    let changelog = TestPaths.read(TestPaths.packageRoot + "/docs/packaging/changelog") ?? ""
    #expect(
      changelog.hasPrefix("polroute (\(PolrouteVersion.current)) "), "the changelog's latest entry is not this version")

    let contents = try Live.check(["dpkg-deb", "--contents", package]).outputText.split(separator: "\n")
      .compactMap { line -> String? in
        guard let path = line.split(separator: " ").last, line.hasPrefix("-") else { return nil }
        return String(line.prefix(10)) + " " + path.dropFirst(2)
      }.sorted()
    #expect(
      contents == [
        "-rw-r--r-- etc/dhcp/dhclient-exit-hooks.d/polroute",
        "-rw-r--r-- lib/systemd/system/polroute-watch.service",
        "-rw-r--r-- lib/systemd/system/polroute.service",
        "-rw-r--r-- usr/lib/dhcpcd/dhcpcd-hooks/62-polroute",
        "-rw-r--r-- usr/share/bash-completion/completions/polroute",
        "-rw-r--r-- usr/share/doc/polroute/changelog.gz",
        "-rw-r--r-- usr/share/doc/polroute/copyright",
        "-rw-r--r-- usr/share/fish/vendor_completions.d/polroute.fish",
        "-rw-r--r-- usr/share/lintian/overrides/polroute",
        "-rw-r--r-- usr/share/man/man5/polroute.conf.5.gz",
        "-rw-r--r-- usr/share/man/man8/polroute.8.gz",
        "-rw-r--r-- usr/share/zsh/vendor-completions/_polroute",
        "-rwxr-xr-x etc/NetworkManager/dispatcher.d/90-polroute",
        "-rwxr-xr-x etc/network/if-post-down.d/polroute",
        "-rwxr-xr-x etc/network/if-up.d/polroute",
        "-rwxr-xr-x etc/networkd-dispatcher/off.d/50-polroute",
        "-rwxr-xr-x etc/networkd-dispatcher/routable.d/50-polroute",
        "-rwxr-xr-x usr/bin/polroute",
      ])
    let conffiles = try Live.check(["dpkg-deb", "--info", package, "conffiles"]).outputText
    #expect(
      conffiles.split(separator: "\n").sorted() == [
        "/etc/NetworkManager/dispatcher.d/90-polroute", "/etc/dhcp/dhclient-exit-hooks.d/polroute",
        "/etc/network/if-post-down.d/polroute", "/etc/network/if-up.d/polroute",
        "/etc/networkd-dispatcher/off.d/50-polroute", "/etc/networkd-dispatcher/routable.d/50-polroute",
      ], "the hooks under /etc are conffiles: \(conffiles)")

    let lintian = try Live.run(["lintian", "--fail-on", "error,warning", package])
    let findings = lintian.outputText.split(separator: "\n").filter { $0.hasPrefix("E:") || $0.hasPrefix("W:") }
    #expect(lintian.status == 0 && findings.isEmpty, "lintian: \(lintian.outputText)\(lintian.errorText)")
  }

  @Test(
    "the package installs and removes cleanly with dpkg -i, -r and --purge: every file there, then none left",
    .enabled(if: Live.enabled), .requires(TestTool("dpkg-deb"), TestTool("strip")))
  func dpkgInstallAndRemove() throws {
    let directory = try TemporaryDirectory("dpkg")
    let package = try Self.buildPackage(in: directory)
    // A root of dpkg's own, whose database starts as this machine's, so that Depends: iproute2 is judged as here;
    // nothing is installed on the machine itself.
    let root = directory.path + "/dpkg-root"
    let database = root + "/var/lib/dpkg"
    for sub in ["info", "updates", "triggers"] {
      try FileManager.default.createDirectory(atPath: database + "/" + sub, withIntermediateDirectories: true)
    }
    try FileManager.default.copyItem(atPath: "/var/lib/dpkg/status", toPath: database + "/status")
    FileManager.default.createFile(atPath: database + "/available", contents: nil)

    let install = try Live.run(["dpkg", "--root=\(root)", "--install", package])
    #expect(install.status == 0, "dpkg -i: \(install.errorText)")
    let status = try Live.run([
      "dpkg-query", "--root=\(root)", "--show", "--showformat=${db:Status-Abbrev}", "polroute",
    ])
    #expect(status.outputText == "ii ")
    let listed = try Live.check(["dpkg", "--root=\(root)", "--listfiles", "polroute"]).outputText
    #expect(listed.contains("/usr/bin/polroute\n") && listed.contains("/usr/share/man/man8/polroute.8.gz\n"))
    #expect(listed.contains("/lib/systemd/system/polroute.service\n"))
    let version = try Live.run([root + "/usr/bin/polroute", "--version"])
    #expect(version.outputText == PolrouteVersion.current + "\n", "the stripped executable does not run")
    // The packaged executable plans exactly as the one the tests built.
    let arguments = ["plan", "--state", TestPaths.examples + "/dual-homed-server/state.json"]
    let plan = try Live.run([root + "/usr/bin/polroute"] + arguments)
    let built = try Live.run([TestPaths.binary] + arguments)
    #expect(
      plan.status == 0 && plan.outputText.contains(" to add") && plan.outputText == built.outputText,
      "\(plan.outputText)\(plan.errorText)")
    if TestTool("man").isInstalled {
      let man = try Live.run(["man", "--warnings", "-l", root + "/usr/share/man/man8/polroute.8.gz"])
      #expect(man.status == 0 && man.errorText.isEmpty && man.outputText.contains("EXIT STATUS"), "\(man.errorText)")
    }

    let remove = try Live.run(["dpkg", "--root=\(root)", "--remove", "polroute"])
    #expect(remove.status == 0, "dpkg -r: \(remove.errorText)")
    // The hooks under /etc are conffiles: dpkg -r keeps them, as it keeps every package's, and --purge removes them.
    let kept = TestPaths.files(under: root).filter { !$0.hasPrefix("var/lib/dpkg/") }
    #expect(kept.allSatisfy { $0.hasPrefix("etc/") } && kept.count == 6, "dpkg -r left files behind: \(kept)")
    let purge = try Live.run(["dpkg", "--root=\(root)", "--purge", "polroute"])
    #expect(purge.status == 0, "dpkg --purge: \(purge.errorText)")
    let left = TestPaths.files(under: root).filter { !$0.hasPrefix("var/lib/dpkg/") }
    #expect(left == [], "dpkg --purge left files behind")
    let directories = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    #expect(directories == ["var"], "dpkg --purge left directories behind: \(directories)")
  }
}

extension TestTool {
  /// GNU make.
  static let make = TestTool("make")
}

extension String {
  /// The string with zeros in front up to `width` characters.
  fileprivate func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: max(0, width - count)) + self
  }
}
