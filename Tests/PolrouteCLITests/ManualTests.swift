import Foundation
import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI
@testable import PolrouteCore

/// The committed manual pages and completion scripts: generated from the command table, in step with the README and
/// with the facts the code holds, and rendered by the real man and groff without a warning.
@Suite("Manual pages and completions")
struct ManualTests {
  /// docs/ files and the command that prints each.
  static let generated: [(path: String, arguments: [String])] = [
    ("docs/man/polroute.8", ["manual", "polroute"]),
    ("docs/man/polroute.conf.5", ["manual", "polroute.conf"]),
    ("docs/completions/polroute.bash", ["completion", "bash"]),
    ("docs/completions/_polroute", ["completion", "zsh"]),
    ("docs/completions/polroute.fish", ["completion", "fish"]),
  ]

  /// A committed page's text.
  static func committed(_ path: String) -> String {
    TestPaths.read(TestPaths.packageRoot + "/" + path) ?? ""
  }

  /// The README's text.
  static var readme: String { TestPaths.read(TestPaths.packageRoot + "/README.md") ?? "" }

  /// Roff source reduced to its words: escapes that stand for characters replaced, font changes removed.
  static func plain(_ roff: String) -> String {
    roff.replacing("\\-", with: "-").replacing("\\:", with: "").replacing("\\fB", with: "").replacing("\\fI", with: "")
      .replacing("\\fR", with: "").replacing("\\(aq", with: "'").replacing("\\e", with: "\\")
  }

  /// One section of a page, from `.SH NAME` to the next `.SH`.
  static func section(_ name: String, of roff: String) -> String {
    let lines = roff.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(where: { $0 == ".SH \(name)" || $0 == ".SH \"\(name)\"" }) else { return "" }
    let end = lines[(start + 1)...].firstIndex { $0.hasPrefix(".SH ") } ?? lines.endIndex
    return lines[start..<end].joined(separator: "\n")
  }

  @Test("the committed pages and scripts are what the command table generates ('make docs' refreshes them)")
  func committedFilesAreGenerated() {
    for (path, arguments) in Self.generated {
      let run = CLIRun(arguments)
      #expect(run.status == 0, "polroute \(arguments.joined(separator: " ")): \(run.stderr)")
      if let problem = Golden.check(run.stdout, against: TestPaths.packageRoot + "/" + path) {
        Issue.record("\(problem)\nrun 'make docs' to regenerate docs/man and docs/completions")
      }
    }
  }

  @Test("polroute(8) has a section for every command, with every option and argument, as --help lists them")
  func everyCommandAndOption() {
    let page = Self.plain(Self.committed("docs/man/polroute.8"))
    for spec in CLI.subcommands.map({ $0.spec }) {
      #expect(page.contains(".SS \"polroute \(spec.name)\""), "no section for \(spec.name)")
      #expect(page.contains(".B \"polroute \(spec.name)\""), "no synopsis for \(spec.name)")
      let help = CLIRun([spec.name, "--help"]).stdout
      for option in spec.options {
        let label = "--\(option.name)" + (option.valueName.map { "\\ \($0)" } ?? "")
        #expect(page.contains(label), "polroute(8) lacks \(label) of \(spec.name)")
        #expect(help.contains("--\(option.name)"))
      }
      for argument in spec.arguments {
        #expect(page.contains(argument.name), "polroute(8) lacks <\(argument.name)> of \(spec.name)")
      }
    }
    #expect(page.contains(".B \"polroute plan\"\n[--state\\ file]\n[--policy\\ file]\n[--format\\ format]\\ ..."))
  }

  @Test("the README's command table has a row for every command naming each of its options")
  func readmeCommandTable() {
    let rows = Self.readme.split(separator: "\n").filter { $0.hasPrefix("| `") }
    for spec in CLI.subcommands.map({ $0.spec }) {
      guard let row = rows.first(where: { $0.hasPrefix("| `\(spec.name)") }) else {
        Issue.record("README.md's command table has no row for '\(spec.name)'")
        continue
      }
      // The synopsis is the row's first code span (it may hold `\|`, so the row is not split at bars).
      let synopsis = row.split(separator: "`")[1]
      for option in spec.options where option.name != "help" {
        #expect(synopsis.contains("--\(option.name)"), "README.md's row for \(spec.name) lacks --\(option.name)")
      }
    }
  }

  @Test("exit statuses: the README's table, polroute(8) and ExitCode list the same codes")
  func exitStatuses() {
    let codes = ExitCode.all.map { String($0.rawValue) }
    #expect(codes == ["0", "1", "2", "3", "64", "65"])
    let readmeTable = Self.readme.components(separatedBy: "| code | meaning |")[1].split(separator: "\n")
      .dropFirst().prefix { $0.hasPrefix("|") }
    #expect(readmeTable.map { String($0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces)) } == codes)
    let section = Self.section("EXIT STATUS", of: Self.committed("docs/man/polroute.8"))
    let pageCodes = section.split(separator: "\n").filter { $0.hasPrefix(".B ") }.map { String($0.dropFirst(3)) }
    #expect(pageCodes == codes)
  }

  @Test("every environment variable the sources read is in polroute(8)'s ENVIRONMENT and in the README")
  func environmentVariables() throws {
    var names: Set<String> = []
    for file in TestPaths.files(under: TestPaths.packageRoot + "/Sources") where file.hasSuffix(".swift") {
      let text = TestPaths.read(TestPaths.packageRoot + "/Sources/" + file) ?? ""
      for piece in text.components(separatedBy: "environment[\"").dropFirst() {
        names.insert(String(piece.prefix { $0 != "\"" }))
      }
    }
    #expect(names.isSuperset(of: ["POLROUTE_RUN_DIR", "NO_COLOR", "TERM"]), "found \(names.sorted())")
    let section = Self.section("ENVIRONMENT", of: Self.committed("docs/man/polroute.8"))
    for name in names {
      #expect(section.contains(".B \(name)\n"), "polroute(8) does not describe \(name)")
      #expect(Self.readme.contains("`\(name)"), "README.md does not mention `\(name)`")
    }
  }

  @Test("every file polroute reads or writes by a fixed path is in polroute(8)'s FILES")
  func files() {
    let section = Self.plain(Self.section("FILES", of: Self.committed("docs/man/polroute.8")))
    let paths = [
      PolrouteFiles.policy, PolrouteFiles.rtTables, DebianRenderer.path, DebianPlacement.mainFile,
      RHELRenderer.directory + "/route-", Persister.backupDirectory, "/run/polroute/lock", "/etc/os-release",
      NetworkdRenderer.settingPath, NetworkManagerRenderer.scriptPath, NetplanYAMLRenderer.path,
      SystemdUnitRenderer.unitPath, SystemdUnitRenderer.wantsPath, NetworkdRenderer.directory,
    ]
    for path in paths + RoutingTableFile.files {
      #expect(section.contains(path), "polroute(8)'s FILES lacks \(path)")
    }
  }

  @Test("polroute.conf(5) names every keyword the parser knows and every key of the JSON form")
  func policyGrammar() {
    let page = Self.plain(Self.committed("docs/man/polroute.conf.5"))
    var words = PolicyParser.statementKeywords + Keyword.allCases.map(\.text) + ["throw", "default", "all"]
    words += PolicyJSON.Converter.topKeys + PolicyJSON.Converter.uplinkKeys + PolicyJSON.Converter.tableKeys
    words += PolicyJSON.Converter.routeKeys + PolicyJSON.Converter.ruleKeys
    for word in Set(words) {
      #expect(page.contains(word), "polroute.conf(5) does not mention '\(word)'")
    }
    let json = Self.section("JSON FORM", of: page)
    for key in Set(PolicyJSON.Converter.topKeys + PolicyJSON.Converter.ruleKeys + PolicyJSON.Converter.routeKeys) {
      #expect(json.contains("\"\(key)\":"), "the JSON example lacks \"\(key)\"")
    }
  }

  @Test("the policies polroute.conf(5) shows parse: each example against the host it is written for")
  func policyExamplesParse() throws {
    let page = Self.plain(Self.committed("docs/man/polroute.conf.5"))
    let blocks = Self.section("EXAMPLES", of: page).components(separatedBy: ".nf\n").dropFirst()
      .map { $0.components(separatedBy: "\n.fi")[0] }
    try #require(blocks.count == 2)
    let hosts = ["dual-stack", "primary-backup-providers"]
    for (block, host) in zip(blocks, hosts) {
      let policy = TemporaryFile("example.conf", block + "\n")
      let run = CLIRun(["policy", "--state", TestPaths.examples + "/\(host)/state.json", "--policy", policy.path])
      #expect(run.status == 0, "\(block)\n\(run.stderr)")
    }
    // The JSON example is a whole policy too; checked for its shape, not a host.
    let json = Self.section("JSON FORM", of: page).components(separatedBy: ".nf\n")[1]
      .components(separatedBy: "\n.fi")[0]
    #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(json.utf8)) }
  }

  @Test("man -l renders both pages and groff -ww finds nothing to warn about", .requires(TestTool("man"), .groff))
  func rendersWithoutWarnings() throws {
    for page in ["docs/man/polroute.8", "docs/man/polroute.conf.5"] {
      let path = TestPaths.packageRoot + "/" + page
      let groff = try Live.run(["groff", "-man", "-ww", "-z", "-t", path])
      #expect(groff.status == 0 && groff.errorText.isEmpty, "groff -ww on \(page): \(groff.errorText)")
      for width in ["80", "60"] {
        let man = try Live.run(["env", "MANWIDTH=\(width)", "MAN_KEEP_FORMATTING=0", "man", "--warnings", "-l", path])
        #expect(man.status == 0, "man -l \(page): \(man.errorText)")
        #expect(man.errorText.isEmpty, "man -l \(page) at width \(width) warned: \(man.errorText)")
        #expect(man.outputText.contains("polroute"))
      }
    }
    let rendered = try Live.run(["env", "MANWIDTH=100", "man", "-l", TestPaths.packageRoot + "/docs/man/polroute.8"])
    #expect(rendered.outputText.contains("--detailed-exitcode"))
    #expect(rendered.outputText.contains("EXIT STATUS"))
  }

  @Test("an unknown shell or page is a usage error that names the choices")
  func unknownShellOrPage() {
    let shell = CLIRun(["completion", "bsh"])
    #expect(shell.status == 64)
    #expect(
      shell.stderr.hasPrefix(
        "Error: Unknown shell 'bsh' (did you mean 'bash'?); polroute completes in bash, zsh, fish\n"))
    let page = CLIRun(["manual", "polroute.cnf"])
    #expect(page.status == 64)
    #expect(
      page.stderr.hasPrefix(
        "Error: Unknown manual page 'polroute.cnf' (did you mean 'polroute.conf'?); "
          + "the pages are polroute, polroute.conf\n"
      ))
    #expect(CLIRun(["completion"]).stderr.hasPrefix("Error: Missing expected argument '<shell>'\n"))
    #expect(CLIRun(["manual", "polroute.conf.5"]).stdout == CLIRun(["manual", "polroute.conf"]).stdout)
    #expect(CLIRun(["manual"]).stdout == CLIRun(["manual", "polroute.8"]).stdout)
  }
}

extension TestTool {
  /// groff, which `man` runs.
  static let groff = TestTool("groff")
}
