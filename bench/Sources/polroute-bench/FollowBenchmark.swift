import Foundation

extension Fixtures {
  /// A host with `uplinks` veth uplinks u0, u1, ... to a router namespace: uX at 100.64.X.2/24, its router at
  /// 100.64.X.1, and in main `100.80.X.0/24 via 100.64.X.1 dev uX` (which names its gateway); main's default via u0.
  static func manyUplinkHost(_ label: String, uplinks: Int) throws -> (host: Namespace, router: Namespace) {
    let (host, router) = try linkedHost(label, uplinks: uplinks, device: "u", routerDevice: "r")
    for index in 0..<uplinks {
      try host.ip("route add 100.80.\(index).0/24 via 100.64.\(index).1 dev u\(index)")
    }
    try host.ip("route add default via 100.64.0.1 dev u0")
    return (host, router)
  }

  /// Benchmark 9's policy: the derived uplinks (`auto`) and `count` application rules, each to one address of
  /// 100.96.0.0/12 and looking up the uplinks' tables in turn, with explicit priorities from 1000.
  static func manyUplinkPolicy(uplinks: Int, count: Int) -> String {
    var text = "# polroute-bench: \(uplinks) derived uplinks, \(count) application rules\nauto\n"
    for index in 0..<count {
      text +=
        "rule to \(sharedAddress(index, base: 32 << 16)) lookup u\(index % uplinks) priority \(1000 + index)\n"
    }
    return text
  }
}

extension Bench {
  // MARK: 9

  /// 9: `apply --interface u7` on a host with 50 uplinks and 10,000 statements, against the `ip` reads of that one
  /// interface: its addresses, the rules, its table. 9a restores u7's table after it was flushed (what a hook does
  /// after a lease moved the uplink: the kernel emptied the table); 9b has nothing to change.
  func oneInterface() throws {
    let uplinks = 50
    let count = options.bulk
    let (host, router) = try Fixtures.manyUplinkHost("follow", uplinks: uplinks)
    defer {
      host.delete()
      router.delete()
    }
    let policyPath = "\(temp)/uplinks-\(uplinks).conf"
    try Fixtures.manyUplinkPolicy(uplinks: uplinks, count: count).write(
      toFile: policyPath, atomically: false, encoding: .utf8)
    let runDirectory = "\(temp)/run-follow"
    mkdir(runDirectory, 0o700)
    let environment = ["POLROUTE_RUN_DIR": runDirectory]
    let apply = [polroute, "apply", "--policy", policyPath, "--json"]
    let scoped = apply + ["--interface", "u7"]

    try NetnsSwitch.inside(host) {
      _ = try Spawn.check(apply, capture: true, environment: environment)
      // u7's table, from its source rule.
      let rules = try Spawn.check(["ip", "-4", "-j", "rule", "show"], capture: true)
      guard let list = try JSONSerialization.jsonObject(with: Data(rules.output)) as? [[String: Any]],
        let table = list.first(where: { ($0["src"] as? String) == "100.64.7.2" && $0["dst"] == nil })?["table"]
          as? String
      else { throw BenchError(description: "after the apply, no source rule for u7's 100.64.7.2") }
      let reads: [(arguments: [String], input: [UInt8]?)] = [
        (["ip", "-j", "addr", "show", "dev", "u7"], nil), (["ip", "-4", "-j", "rule", "show"], nil),
        (["ip", "-4", "-j", "route", "show", "table", table], nil),
      ]
      let baseline = { try self.timedInTurn(reads) }
      /// Runs the scoped apply and checks what it did.
      func run(expectChange: Bool) throws -> Sample {
        let result = try Spawn.check(scoped, capture: true, environment: environment)
        guard let document = try JSONSerialization.jsonObject(with: Data(result.output)) as? [String: Any],
          let changed = document["changed"] as? Bool, changed == expectChange
        else {
          throw BenchError(description: "apply --interface u7 did not report changed \(expectChange)")
        }
        return Sample(seconds: result.seconds, maxrssKiB: result.maxrssKiB)
      }
      let restore = try interleaved(
        "9a apply --interface, table flushed", runs: runs(11),
        sides: [
          {
            _ = try Spawn.check(["ip", "-4", "route", "flush", "table", table])
            return try run(expectChange: true)
          },
          baseline,
        ])
      let baselineLabel = "ip -j addr show dev u7; ip -4 -j rule show; ip -4 -j route show table \(table)"
      rows.append(
        timeRow(
          "9a", "apply --interface u7 restoring its flushed table (\(uplinks) uplinks, \(count) statements)",
          subject: "polroute apply --policy (\(count) rules) --interface u7 --json", baseline: baselineLabel,
          restore[0], restore[1], goal: .ratioAtMost(2),
          notes: ["u7's table (\(table)) flushed before every run, untimed; every run checked: changed true"]))
      let idle = try interleaved(
        "9b apply --interface, nothing to change", runs: runs(11),
        sides: [{ try run(expectChange: false) }, baseline])
      rows.append(
        timeRow(
          "9b", "apply --interface u7, nothing to change (\(uplinks) uplinks, \(count) statements)",
          subject: "polroute apply --policy (\(count) rules) --interface u7 --json", baseline: baselineLabel,
          idle[0], idle[1], goal: .ratioAtMost(2), notes: ["every run checked: changed false"]))
    }
  }
}
