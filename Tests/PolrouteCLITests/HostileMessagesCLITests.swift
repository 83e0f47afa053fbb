import Foundation
import PolrouteCore
import TestSupport
import Testing

@testable import PolrouteCLI

/// Issue 16, item 8: what messages echo of the input. A token from a policy, a site or the command line is shown
/// shortened (80 characters and its length) with its control characters escaped, so a megabyte token is not printed
/// whole and an escape sequence never reaches the terminal; numbers of seconds are digits only, in a dry run too.
@Suite("Hostile messages")
struct HostileMessagesCLITests {
  /// A token of a million characters.
  static let long = String(repeating: "a", count: 1_000_000)
  /// What a message shows of it.
  static let shown = String(repeating: "a", count: 80) + "... (1000000 bytes)"

  /// Runs `policy` with a policy file holding `text`.
  static func policy(_ text: String, name: String = "policy.conf") throws -> CLIRun {
    let snapshot = try dualHomedSnapshot()
    let file = TemporaryFile(name, text)
    return CLIRun(["policy", "--state", snapshot.path, "--policy", file.path])
  }

  @Test(
    "a megabyte word in a policy is echoed shortened, at each place the parser echoes a word",
    arguments: [
      ("uplink \(long) dev mgmt\n", "'\(shown)' is not a valid rt_tables name"),
      ("uplink isp dev \(long)\n", "invalid interface name '\(shown)'"),
      ("\(long) isp\n", "unknown statement '\(shown)'"),
      ("rule from 198.51.100.0/24 table \(long)\n", "'\(shown)' is not a table name or number"),
      ("rule from 198.51.100.0/24 table main fwmark \(long)\n", "invalid fwmark '\(shown)'"),
      ("rule from \(long) table main\n", "'\(shown)'"),
    ])
  func longWords(policy text: String, message: String) throws {
    let run = try Self.policy(text)
    #expect(run.status == 65)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.contains(message), "\(run.stderr.prefix(300))")
    #expect(run.stderr.utf8.count < 1000, "\(run.stderr.prefix(300))")
  }

  @Test("a megabyte key in a JSON policy is echoed shortened")
  func longJSONKey() throws {
    let run = try Self.policy(#"{"\#(Self.long)": 1}"#, name: "policy.json")
    #expect(run.status == 65)
    #expect(run.stderr.contains("'\(Self.shown)'"), "\(run.stderr.prefix(300))")
    #expect(run.stderr.utf8.count < 1000)
  }

  @Test("control characters in a policy word reach the terminal escaped")
  func controlCharacters() throws {
    let run = try Self.policy("uplink \u{1b}]0;owned\u{07}\u{1b}[2J dev mgmt\n")
    #expect(run.status == 65)
    #expect(!run.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    #expect(run.stderr.contains(#"'\u{1b}]0;owned\u{7}\u{1b}[2J' is not a valid rt_tables name"#), "\(run.stderr)")
  }

  @Test(
    "--confirm and --wait take digits only, and apply --dry-run checks them as apply does",
    arguments: [
      (["--confirm", "+5"], "'--confirm' needs a number of seconds from 1 to 86400, not '+5'"),
      (["--confirm", " 5"], "'--confirm' needs a number of seconds from 1 to 86400, not ' 5'"),
      (["--confirm", "0"], "'--confirm' needs a number of seconds from 1 to 86400, not '0'"),
      (["--wait", "-1"], "'--wait' needs a number of seconds from 0 to 86400, not '-1'"),
      (["--wait", "1e3"], "'--wait' needs a number of seconds from 0 to 86400, not '1e3'"),
      (["--confirm", "\u{1b}[2J"], #"'--confirm' needs a number of seconds from 1 to 86400, not '\u{1b}[2J'"#),
    ])
  func seconds(_ option: [String], message: String) throws {
    let snapshot = try dualHomedSnapshot()
    for arguments in [["apply"], ["apply", "--dry-run", "--state", snapshot.path]] {
      let run = CLIRun(arguments + option)
      #expect(run.status == 64, "\(arguments)")
      #expect(run.stdout.isEmpty)
      #expect(run.stderr.hasPrefix("Error: \(message)\n"), "\(arguments): \(run.stderr)")
    }
  }

  @Test("polroute rollback --wait takes digits only too, before it asks for root")
  func rollbackWait() {
    let run = CLIRun(["rollback", "--wait", "+5"])
    #expect(run.status == 64)
    #expect(run.stderr.hasPrefix("Error: '--wait' needs a number of seconds from 0 to 86400, not '+5'\n"))
    let notRoot = CLIRun(["rollback"])
    #expect(notRoot.status == 1)
    #expect(notRoot.stderr == "error: polroute rollback changes the kernel's routing and must run as root\n")
  }
}
