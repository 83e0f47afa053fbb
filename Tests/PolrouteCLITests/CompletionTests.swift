import Foundation
import PolrouteSystem
import TestSupport
import Testing

@testable import PolrouteCLI

/// The completion scripts in the real shells: bash through its completion function with `COMP_WORDS`, fish through
/// `complete -C`, zsh through its parser and autoloader.
@Suite("Shell completion", .serialized)
struct CompletionTests {
  /// A directory with files and directories to complete, and the scripts.
  let directory: TemporaryDirectory

  /// Writes the three scripts and a few files.
  init() throws {
    directory = try TemporaryDirectory("completion")
    for shell in CompletionShell.allCases {
      try directory.write("script.\(shell.rawValue)", shell.script(commands: CLI.allSpecs, root: CLI.rootSpec))
    }
    try directory.write("work/host.json", "{}")
    try directory.write("work/policy.conf", "auto\n")
    try directory.write("work/hosts/a.json", "{}")
  }

  /// What bash's completion function offers for the words (the last is the one being completed), in `work/`.
  /// `prefix` runs bash through another command (`ip netns exec NS`).
  func bash(_ words: [String], script: String? = nil, prefix: [String] = []) throws -> [String] {
    let program = """
      source "$1" || exit 1
      cd "$2" || exit 1
      shift 2
      COMP_WORDS=("$@")
      COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
      _polroute
      printf '%s\\n' "${COMPREPLY[@]}"
      """
    let run = try Live.run(
      prefix + [
        "bash", "--norc", "--noprofile", "-c", program, "bash", script ?? directory.path + "/script.bash",
        directory.path + "/work",
      ] + words)
    #expect(run.errorText.isEmpty, "bash printed: \(run.errorText)")
    return run.outputText.split(separator: "\n").map(String.init).sorted()
  }

  @Test("bash: 'complete -p' names the function, and the script is clean under shellcheck", .requires(.bash))
  func bashRegisters() throws {
    let run = try Live.run([
      "bash", "--norc", "--noprofile", "-c", "source \"$1\" && complete -p polroute", "bash",
      directory.path + "/script.bash",
    ])
    #expect(run.outputText == "complete -F _polroute polroute\n")
    if TestTool.shellcheck.isInstalled {
      let check = try Live.run(["shellcheck", "-s", "bash", directory.path + "/script.bash"])
      #expect(check.outputText.isEmpty, "shellcheck: \(check.outputText)")
    }
  }

  @Test("bash: commands, options not yet given, repeatable options again, and --option=value", .requires(.bash))
  func bashCommandsAndOptions() throws {
    #expect(try bash(["polroute", ""]) == CLI.allSpecs.map(\.name).sorted())
    #expect(try bash(["polroute", "p"]) == ["plan", "policy"])
    #expect(try bash(["polroute", "--v"]) == ["--version"])
    #expect(try bash(["polroute", "plan", "--d"]) == ["--detailed-exitcode"])
    #expect(try bash(["polroute", "plan", "--json", "--j"]) == [], "--json is given once")
    #expect(try bash(["polroute", "plan", "--format", "rhel", "--f"]) == ["--format"], "--format repeats")
    #expect(
      try bash(["polroute", "plan", "--format", ""]) == [
        "all", "debian", "netplan", "networkd", "nm", "rhel", "rt_tables", "script", "systemd",
      ])
    #expect(try bash(["polroute", "render", "--format", "=", "r"]) == ["rhel", "rt_tables"])
    #expect(
      try bash(["polroute", "render", "--format", "="]) == [
        "all", "debian", "netplan", "networkd", "nm", "rhel", "rt_tables", "script", "systemd",
      ])
    #expect(try bash(["polroute", "apply", "--wait", ""]) == [], "seconds complete to nothing")
    let apply = try bash(["polroute", "apply", "--"])
    #expect(apply.contains("--confirm") && apply.contains("--persist") && apply.contains("--dry-run"))
  }

  @Test("bash: files for --state and --policy, directories for --root, arguments in place", .requires(.bash))
  func bashValuesAndArguments() throws {
    #expect(try bash(["polroute", "plan", "--state", "h"]) == ["host.json", "hosts"])
    #expect(try bash(["polroute", "plan", "--policy", "p"]) == ["policy.conf"])
    #expect(try bash(["polroute", "render", "--output", "="]) == ["host.json", "hosts", "policy.conf"])
    #expect(try bash(["polroute", "plan", "--root", "h"]) == ["hosts"])
    #expect(try bash(["polroute", "help", "ap"]) == ["apply"])
    #expect(try bash(["polroute", "help", "plan", ""]) == [], "help takes one command")
    #expect(try bash(["polroute", "completion", ""]) == ["bash", "fish", "zsh"])
    #expect(try bash(["polroute", "manual", "polroute."]) == ["polroute.conf"])
    #expect(try bash(["polroute", "manual", "--"]) == ["--help"])
  }

  /// A command with an option that takes an interface, as `apply --interface` will: the completions of every
  /// such option read the host's interfaces.
  static let interfaceCommand = CommandSpec(
    name: "up", abstract: "Test command.",
    options: [OptionSpec("interface", value: "interface", help: "An interface.")])

  @Test(
    "bash and fish: an option that takes an interface completes the names of the host it runs on",
    .enabled(if: Live.enabled), .requires(TestTool.namespaceHost + [.bash, .fish]))
  func interfacesFromTheHost() throws {
    let host = try Namespace("compl")
    let peer = try Namespace("complp")
    try host.link("uplink-a", to: peer, as: "peer-a")
    try host.link("uplink-b", to: peer, as: "peer-b")
    let commands = [Self.interfaceCommand]
    let bashScript = try directory.write(
      "iface.bash", CompletionShell.bash.script(commands: commands, root: CLI.rootSpec))
    let inside = ["ip", "netns", "exec", host.name]
    #expect(
      try bash(["polroute", "up", "--interface", ""], script: bashScript, prefix: inside) == [
        "lo", "uplink-a", "uplink-b",
      ])
    #expect(
      try bash(["polroute", "up", "--interface", "up"], script: bashScript, prefix: inside) == ["uplink-a", "uplink-b"])

    let fishScript = try directory.write(
      "iface.fish", CompletionShell.fish.script(commands: commands, root: CLI.rootSpec))
    let fish = try Live.run(
      inside + ["fish", "--no-config", "-c", "source $argv[1]; complete -C 'polroute up --interface '", fishScript])
    #expect(fish.errorText.isEmpty, "fish: \(fish.errorText)")
    #expect(Self.words(fish.outputText) == ["lo", "uplink-a", "uplink-b"])
  }

  /// The completions `complete -C` printed, without their descriptions, sorted.
  static func words(_ output: String) -> [String] {
    output.split(separator: "\n").map { String($0.split(separator: "\t", maxSplits: 1)[0]) }.sorted()
  }

  /// What fish offers for a command line, in `work/`.
  func fish(_ line: String) throws -> [String] {
    let run = try Live.run([
      "fish", "--no-config", "-c", "source $argv[1]; and cd $argv[2]; and complete -C $argv[3]",
      directory.path + "/script.fish", directory.path + "/work", line,
    ])
    #expect(run.errorText.isEmpty, "fish printed: \(run.errorText)")
    return Self.words(run.outputText)
  }

  @Test("fish: commands with descriptions, options, formats, files and arguments", .requires(.fish))
  func fishCompletes() throws {
    let syntax = try Live.run(["fish", "--no-execute", directory.path + "/script.fish"])
    #expect(syntax.status == 0, "fish -n: \(syntax.errorText)")
    #expect(try fish("polroute p") == ["plan", "policy"])
    let described = try Live.run([
      "fish", "--no-config", "-c", "source $argv[1]; complete -C 'polroute pla'", directory.path + "/script.fish",
    ])
    #expect(described.outputText.hasPrefix("plan\tShow what polroute would change"))
    #expect(
      try fish("polroute plan --format ") == [
        "all", "debian", "netplan", "networkd", "nm", "rhel", "rt_tables", "script", "systemd",
      ])
    #expect(try fish("polroute plan --state h") == ["host.json", "hosts/"])
    #expect(try fish("polroute plan --root h") == ["hosts/"])
    #expect(try fish("polroute completion ") == ["bash", "fish", "zsh"])
    let options = try fish("polroute apply --")
    #expect(options.contains("--confirm") && options.contains("--dry-run") && options.contains("--help"))
    #expect(!options.contains("--version"), "--version belongs to polroute alone")
  }

  @Test("zsh: the function parses, autoloads from $fpath, and defines _polroute", .requires(.zsh))
  func zshLoads() throws {
    let syntax = try Live.run(["zsh", "-n", directory.path + "/script.zsh"])
    #expect(syntax.status == 0 && syntax.errorText.isEmpty, "zsh -n: \(syntax.errorText)")
    let functions = try directory.write("fpath/_polroute", try #require(directory.read("script.zsh")))
    let load = try Live.run([
      "zsh", "-f", "-c",
      "fpath=(${1:h} $fpath); autoload -Uz compinit && compinit -u -D && print -r -- ${_comps[polroute]}", "zsh",
      functions,
    ])
    #expect(load.outputText == "_polroute\n", "compinit did not pick up #compdef: \(load.outputText) \(load.errorText)")
  }
}

extension CompletionTests {
  /// Types each line followed by Tab into an interactive zsh (in a pseudo-terminal, with compinit and the script on
  /// $fpath, in `work/`, polroute a function as if installed), reads until the line's marker shows, and returns the
  /// screen text without escapes.
  func zsh(_ lines: [(typed: String, marker: String)]) throws -> String {
    let driver = """
      zmodload zsh/zpty
      cd "$2" || exit 1
      zpty z zsh -f -i
      zpty -w z "PS1='> '; fpath=(${(q)1:h} \\$fpath); autoload -Uz compinit; compinit -u -D; LISTMAX=1000; polroute() { :; }; print RE''ADY"
      zpty -r z out '*READY*' || exit 1
      shift 2
      while (( $# )); do
        zpty -w -n z "$1"$'\\t'
        zpty -r z out "*$2*" || exit 1
        print -r -- "$out"
        zpty -w -n z $'\\C-u'
        shift 2
      done
      zpty -d z
      """
    let functions = try directory.write("fpath/_polroute", try #require(directory.read("script.zsh")))
    let arguments = lines.flatMap { [$0.typed, $0.marker] }
    let run = try Live.run(
      ["timeout", "60", "zsh", "-f", "-c", driver, "zsh", functions, directory.path + "/work"] + arguments)
    #expect(run.status == 0, "zsh did not show every completion: \(run.outputText)\(run.errorText)")
    return run.outputText.replacing(/\x1B\[[0-9;?]*[A-Za-z]/, with: "").replacing("\r", with: "")
  }

  @Test("zsh: the real completion system lists commands, options with their help, formats and files", .requires(.zsh))
  func zshCompletes() throws {
    let screen = try zsh([
      ("polroute ", "render"), ("polroute plan --format ", "script"), ("polroute apply --", "--wait"),
      ("polroute completion ", "zsh"), ("polroute plan --state host", "hosts/"),
    ])
    #expect(screen.contains("completion  -- Print the shell completion script for bash, zsh or fish."))
    for format in ["all", "debian", "rhel", "rt_tables"] { #expect(screen.contains(format)) }
    // zsh pads the options to the longest name's width (--interface's).
    #expect(screen.contains(/--confirm +-- After a verified apply, roll back/))
    #expect(screen.contains(/--dry-run +-- Show what would change/))
    #expect(screen.contains("bash") && screen.contains("fish"))
    #expect(screen.contains("host.json"))
  }
}

extension TestTool {
  /// GNU bash.
  static let bash = TestTool("bash")
  /// The fish shell.
  static let fish = TestTool("fish")
  /// The Z shell.
  static let zsh = TestTool("zsh")
}
