import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// The rules polroute dumps over rtnetlink, judged by `ip -j rule show`: on random hosts built in namespaces (the
/// differential trace test's: every selector, `not`, `goto`, suppressors, every action), the snapshot `polroute
/// inspect --json` takes must hold exactly the rules `ip` prints, in the kernel's order, in both families.
@Suite("rule dump against ip -j rule show, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost))
struct NetlinkRulesLiveTests {
  @Test("on random hosts, the dumped rules are ip -j rule show's, rule for rule")
  func dumpMatchesIP() throws {
    let seed = SeededGenerator.replayableSeed("rule dump test")
    var random = SeededGenerator(seed: seed)
    var compared = 0
    for _ in 0..<6 {
      let host = RandomHost(random: &random)
      let namespace = try Namespace("nlr")
      try host.build(in: namespace)
      let inspect = try namespace.polroute(["inspect", "--json"])
      try #require(inspect.status == 0, "inspect failed: \(inspect.errorText)")
      let state = try Snapshot.decode(inspect.output, file: "inspect")
      for family in AddressFamily.allCases {
        let printed = try Live.check(["ip", "-n", namespace.name, family.ipOption, "-j", "rule", "show"])
        let expected = try IPOutputDecoder().rules(printed.output, family: family, command: "ip -j rule show")
        let dumped = state.rules.filter { $0.family == family }
        #expect(dumped == expected, "seed \(seed), \(family):\n\((host.lines4 + host.lines6).joined(separator: "\n"))")
        compared += expected.count
      }
    }
    // Random hosts hold 6-12 rules of each family besides the kernel's.
    #expect(compared >= 6 * 2 * 8)
  }
}
