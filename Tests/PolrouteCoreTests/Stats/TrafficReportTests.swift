import TestSupport
import Testing

@testable import PolrouteCore

/// The kernel's counters as polroute reads them, and the per-uplink report built from them.
struct TrafficReportTests {
  /// `/proc/net/rt_acct` with counters for some realms: (o_bytes, o_packets, i_bytes, i_packets).
  static func accounting(_ realms: [Int: (UInt32, UInt32, UInt32, UInt32)]) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 4096)
    for (realm, counters) in realms {
      for (index, value) in [counters.0, counters.1, counters.2, counters.3].enumerated() {
        for byte in 0..<4 { bytes[realm * 16 + index * 4 + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
      }
    }
    return bytes
  }

  @Test("rt_acct: 256 realms of four little-endian 32-bit counters; another size is refused")
  func routeAccounting() throws {
    let realms = try RouteAccounting.parse(Self.accounting([9: (0, 0, 1024, 8), 0: (1024, 8, 0, 0)]))
    #expect(realms.count == 256)
    #expect(
      realms[9] == RealmCounters(realm: 9, to: Counters(packets: 0, bytes: 0), from: Counters(packets: 8, bytes: 1024)))
    #expect(realms[0].to == Counters(packets: 8, bytes: 1024))
    #expect(throws: RouteAccounting.FormatError(size: 12)) { try RouteAccounting.parse(Array(repeating: 0, count: 12)) }
    #expect(
      RouteAccounting.FormatError(size: 12).description
        == "/proc/net/rt_acct: expected 256 realms of 16 bytes (4096 bytes), found 12 bytes")
  }

  @Test("ip -j -s link show: each interface's stats64")
  func interfaceCounters() throws {
    let json = #"""
      [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"stats64":{"rx":{"bytes":10,"packets":1,"errors":0},
      "tx":{"bytes":10,"packets":1,"errors":0}}},{"ifindex":2,"ifname":"data","link":"r-data",
      "stats64":{"rx":{"bytes":1586,"packets":19,"errors":0,"dropped":0,"over_errors":0,"multicast":0},
      "tx":{"bytes":1366,"packets":17,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}}]
      """#
    let counters = try IPOutputDecoder().interfaceCounters(Array(json.utf8), command: "ip -j -s link show")
    #expect(
      counters == [
        InterfaceCounters(name: "lo", received: Counters(packets: 1, bytes: 10), sent: Counters(packets: 1, bytes: 10)),
        InterfaceCounters(
          name: "data", received: Counters(packets: 19, bytes: 1586), sent: Counters(packets: 17, bytes: 1366)),
      ])
    #expect(throws: IPOutputError.self) {
      try IPOutputDecoder().interfaceCounters(Array(#"[{"stats64":{}}]"#.utf8), command: "ip -j -s link show")
    }
  }

  @Test("per uplink: interface counters always, realm counters for the realms polroute's routes carry")
  func report() throws {
    var state = SampleHosts.dualHomed
    let policy = try PolicyResolver(
      state: state,
      document: PolicyParser.parse(
        "uplink data dev data via 203.0.113.1 realm 12\nuplink mgmt dev mgmt via 198.51.100.1\n", file: "p"
      ).document,
      isSnapshot: true
    ).resolve()
    state = KernelPlan.make(state: state, policy: policy).state(after: state)
    let interfaces = [
      InterfaceCounters(
        name: "data", received: Counters(packets: 5, bytes: 710), sent: Counters(packets: 6, bytes: 800)),
      InterfaceCounters(name: "mgmt", received: Counters(packets: 1, bytes: 2), sent: Counters(packets: 3, bytes: 4)),
    ]
    let realms = try RouteAccounting.parse(Self.accounting([12: (0, 0, 640, 5)]))
    let report = TrafficReport.make(policy: policy, state: state, interfaces: interfaces, realms: realms)
    let data = try #require(report.uplinks.first { $0.name == "data" })
    #expect(data.realms == [12])
    #expect(data.figures.map(\.direction) == ["received", "sent", "received", "forwarded"])
    #expect(data.figures[2].counters == Counters(packets: 5, bytes: 640))
    #expect(data.figures[2].source == .realm)
    #expect(data.figures[2].meaning == "packets received whose route back is data's (realm 12)")
    let mgmt = try #require(report.uplinks.first { $0.name == "mgmt" })
    #expect(mgmt.figures.map(\.source) == [.interface, .interface])
    #expect(report.notes.first?.hasPrefix("realm figures are the kernel's, for all its network namespaces") == true)
    // Without route accounting in the kernel, or without realms, the report says so.
    let bare = TrafficReport.make(policy: policy, state: state, interfaces: interfaces, realms: nil)
    #expect(
      bare.notes == [
        "the kernel keeps no route accounting (/proc/net/rt_acct, CONFIG_IP_ROUTE_CLASSID): interface counters only"
      ])
    let none = TrafficReport.make(policy: policy, state: SampleHosts.dualHomed, interfaces: [], realms: realms)
    #expect(none.notes.contains("data has no counters: the interface does not exist"))
    #expect(none.notes.last?.hasPrefix("no route of polroute's carries a realm") == true)
  }

  @Test("per rule class: the forwarded packets of the rules that carry a realm, from the rules the kernel holds")
  func ruleClasses() throws {
    let text = """
      uplink data dev data via 203.0.113.1
      uplink mgmt dev mgmt via 198.51.100.1
      rule iif lan lookup data realm 30
      rule iif lan2 lookup data realm 30
      rule fwmark 0x1 lookup mgmt realm 31 priority 9000
      rule to 192.0.2.0/25 lookup mgmt

      """
    let policy = try PolicyResolver(
      state: SampleHosts.dualHomed, document: PolicyParser.parse(text, file: "p").document, isSnapshot: true
    ).resolve()
    let applied = KernelPlan.make(state: SampleHosts.dualHomed, policy: policy).state(after: SampleHosts.dualHomed)
    // Realm 30: from (i_bytes, i_packets) = 1280 bytes, 10 packets; the to counters are the replies' and not shown.
    let realms = try RouteAccounting.parse(Self.accounting([30: (99, 9, 1280, 10)]))
    let report = TrafficReport.make(policy: policy, state: applied, interfaces: [], realms: realms)
    #expect(report.ruleClasses.map(\.realm) == [30, 31])
    let thirty = try #require(report.ruleClasses.first)
    #expect(thirty.rules.map(\.priority) == [10000, 10001])
    #expect(thirty.figure?.counters == Counters(packets: 10, bytes: 1280))
    #expect(thirty.figure?.meaning == "packets the host forwarded by rules 10000, 10001 (realm 30)")
    #expect(report.ruleClasses[1].figure?.counters == Counters(packets: 0, bytes: 0))
    #expect(report.notes.contains { $0.hasPrefix("rule figures count forwarded packets only") })

    // Before the policy is applied, the kernel has none of its rules: the report says so rather than show zeros.
    let before = TrafficReport.make(policy: policy, state: SampleHosts.dualHomed, interfaces: [], realms: realms)
    #expect(before.ruleClasses == [])
    #expect(
      before.notes.contains(
        "rule 9000 (fwmark 0x1 lookup 101 realms 31/0) is not in the kernel as the policy has it: apply the policy for "
          + "the kernel to count it under realm 31"), "\(before.notes)")
    // Without accounting in the kernel, the classes are listed without figures.
    let bare = TrafficReport.make(policy: policy, state: applied, interfaces: [], realms: nil)
    #expect(bare.ruleClasses.map(\.figure) == [nil, nil])
    // A policy whose rules carry no realm is told how to give them one.
    let plain = try PolicyResolver(
      state: SampleHosts.dualHomed,
      document: PolicyParser.parse("uplink data dev data via 203.0.113.1\nrule iif lan lookup data\n", file: "p")
        .document, isSnapshot: true
    ).resolve()
    #expect(
      TrafficReport.make(policy: plain, state: SampleHosts.dualHomed, interfaces: [], realms: realms).notes.contains {
        $0.hasPrefix("no rule of the policy carries a realm: give a class of rules one ('rule ... realm N', IPv4)")
      })
  }
}
