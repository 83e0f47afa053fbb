import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// The route lookups polroute's probes ask over rtnetlink, judged by `ip route get`: on random hosts built in
/// namespaces (the differential trace test's), every `route get DESTINATION from SOURCE` must leave by the device and
/// the gateway `ip -j route get` names, or fail where it fails.
@Suite("route lookups against ip route get, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost))
struct RouteLookupLiveTests {
  @Test("on random hosts, every lookup over rtnetlink answers as ip -j route get does")
  func lookupsMatchIP() throws {
    let seed = SeededGenerator.replayableSeed("route lookup test")
    var random = SeededGenerator(seed: seed)
    var routes = 0
    var failures = 0
    for _ in 0..<6 {
      let host = RandomHost(random: &random)
      let namespace = try Namespace("nlg")
      try host.build(in: namespace)
      // The random flows' destinations, from one of the host's own addresses, or now and then from another host's
      // (a lookup the kernel refuses).
      let flows = host.flows(count: 48, random: &random).map { flow in
        let own = (flow.family == .inet ? host.addresses4 : host.addresses6).compactMap(IPAddress.init)
        let foreign = IPAddress(flow.family == .inet ? "198.18.0.9" : "2001:db8:ffff::9")!
        var lookup = Flow(destination: flow.destination)
        lookup.source = Int.random(in: 0..<10, using: &random) == 0 ? foreign : own.randomElement(using: &random)!
        return lookup
      }
      let expected = try KernelAnswer.ask(flows, in: namespace)
      let lookups = flows.map { RouteLookup(destination: $0.destination, source: $0.source!) }
      let answers = try namespace.inside { try RouteLookupSocket.lookUp(lookups) }
      let links = try Live.check(["ip", "-n", namespace.name, "-j", "link", "show"])
      let names = try #require(try JSONSerialization.jsonObject(with: Data(links.outputText.utf8)) as? [[String: Any]])
        .reduce(into: [UInt32: String]()) { names, link in
          if let index = link["ifindex"] as? Int, let name = link["ifname"] as? String { names[UInt32(index)] = name }
        }
      for (number, (kernel, answer)) in zip(expected, answers).enumerated() {
        let context = "seed \(seed), \(KernelAnswer.line(flows[number])): ip says \(kernel), rtnetlink \(answer)"
        switch (kernel, answer) {
        case (.route(let found), .route(let index, let gateway)):
          routes += 1
          #expect(index.flatMap { names[$0] } == found.device, "\(context)")
          #expect(gateway?.description == found.gateway, "\(context)")
        case (.error, .failed):
          failures += 1
        default:
          Issue.record("\(context)")
        }
      }
    }
    // Most lookups find a route; some fail (no route, a source not on the host).
    #expect(routes >= 6 * 24 && failures >= 6, "\(routes) routes, \(failures) failures")
  }
}
