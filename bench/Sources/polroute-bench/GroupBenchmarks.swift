import Foundation

/// 9: an uplink group over 64 uplinks (`balance wan uplinks u0 ... u63 hash layer4`): plan against the reads it
/// makes, and apply from empty against the `ip -batch` lines and the `sysctl` it stands for.
extension Bench {
  /// 10a: `plan --policy balance.conf` against `ip -d -j addr show; ip -4 -j -batch -; ip -6 -j -batch -`; 10b: `apply
  /// --policy balance.conf --json` from empty against one `ip -4 -batch -` of plan's batch lines and one
  /// `sysctl -q -w` of its kernel settings.
  func balancedUplinks() throws {
    let count = 64
    let (host, router) = try Fixtures.balancedHost("bal", uplinks: count)
    defer {
      host.delete()
      router.delete()
    }
    let policyPath = "\(temp)/balance.conf"
    try Fixtures.balancePolicy(uplinks: count).write(toFile: policyPath, atomically: false, encoding: .utf8)
    let runDirectory = "\(temp)/run-balance"
    mkdir(runDirectory, 0o755)
    let environment = ["POLROUTE_RUN_DIR": runDirectory]

    try NetnsSwitch.inside(host) {
      let plan = try Spawn.check([polroute, "plan", "--policy", policyPath, "--json"], capture: true)
      guard let document = try JSONSerialization.jsonObject(with: Data(plan.output)) as? [String: Any],
        let kernel = document["kernel"] as? [[String: Any]], let settings = document["settings"] as? [[String: Any]]
      else { throw BenchError(description: "plan --json printed no \"kernel\" and \"settings\" lists") }
      let lines = kernel.compactMap { $0["batchLine"] as? String }
      guard lines.contains(where: { $0.contains("table 300 nexthop via") }), settings.count == count + 1 else {
        throw BenchError(
          description: "plan --json: no multipath default in table 300, or \(settings.count) settings for \(count)")
      }
      let assignments = settings.compactMap { setting -> String? in
        guard let name = setting["name"] as? String, let value = setting["value"] as? String else { return nil }
        return name.replacingOccurrences(of: ".", with: "/") + "=" + value
      }
      let defaults = assignments.map { $0.replacingOccurrences(of: "=1", with: "=0") }
      let input = Array((lines.joined(separator: "\n") + "\n").utf8)

      if wants("10a") || wants("10c") {
        let samples = try interleaved(
          "10a plan, \(count) uplinks", runs: runs(7),
          sides: [
            { try self.timed([self.polroute, "plan", "--policy", policyPath]) },
            { try self.timed([self.polroute, "plan", "--no-flows", "--policy", policyPath]) },
            { try self.planReads() },
          ])
        rows.append(
          timeRow(
            "10a", "plan, balance over \(count) uplinks", subject: "polroute plan --policy balance.conf",
            baseline: "ip -d -j addr show; ip -4 -j -batch -; ip -6 -j -batch - (the reads plan makes)",
            samples[0], samples[2], goal: .none,
            notes: [
              "\(lines.count) kernel changes planned (\(count) uplink tables, a \(count)-hop default), "
                + "\(settings.count) kernel settings"
            ]))
        rows.append(
          timeRow(
            "10c", "plan --no-flows, balance over \(count) uplinks",
            subject: "polroute plan --no-flows --policy balance.conf",
            baseline: "the same reads as 10a", samples[1], samples[2], goal: .none,
            notes: [
              "10a less 10c is the flow table: a flow from each of the \(count) addresses to each of the \(count) "
                + "networks, traced before and after through the guards between them"
            ]))
      }
      guard wants("10b") else { return }

      /// Removes what either side added and puts the settings back to the kernel's defaults, untimed.
      func reset() throws {
        var rules = 0
        for _ in 0..<50 {
          try Spawn.check(["ip", "-4", "rule", "flush", "protocol", "177"])
          rules = try Spawn.check(["ip", "-4", "rule", "show"], capture: true).outputText.split(separator: "\n").count
          if rules <= 3 { break }
        }
        for table in [300] + Array(100..<(100 + count)) {
          _ = try Spawn.run(["ip", "-4", "route", "flush", "table", String(table)])
        }
        try Spawn.check(["sysctl", "-q", "-w"] + defaults)
        guard rules == 3 else { throw BenchError(description: "reset left \(rules) rules") }
      }
      let apply = [polroute, "apply", "--policy", policyPath, "--json"]
      let samples = try interleaved(
        "10b apply, \(count) uplinks", runs: runs(7),
        sides: [
          {
            try reset()
            let result = try Spawn.check(apply, capture: true, environment: environment)
            guard let document = try JSONSerialization.jsonObject(with: Data(result.output)) as? [String: Any],
              document["changed"] as? Bool == true
            else { throw BenchError(description: "apply on an empty host changed nothing") }
            return Sample(seconds: result.seconds, maxrssKiB: result.maxrssKiB)
          },
          {
            try reset()
            let batchRun = try self.timed(["ip", "-4", "-batch", "-"], input: input)
            let sysctl = try self.timed(["sysctl", "-q", "-w"] + assignments)
            return Sample(
              seconds: batchRun.seconds + sysctl.seconds, maxrssKiB: max(batchRun.maxrssKiB, sysctl.maxrssKiB))
          },
        ])
      rows.append(
        timeRow(
          "10b", "apply, balance over \(count) uplinks, from empty",
          subject: "polroute apply --policy balance.conf --json (reads, plans, writes, verifies, sets the sysctls)",
          baseline: "ip -4 -batch - with the \(lines.count) batchLine lines of plan --json; sysctl -q -w of the "
            + "\(assignments.count) settings", samples[0], samples[1], goal: .none,
          notes: [
            "namespace reset before every run, untimed (rule flush protocol 177, route flush of the tables, "
              + "settings back to 0)"
          ]))
    }
  }
}
