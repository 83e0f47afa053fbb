import PolrouteCore
import PolrouteSystem

/// `polroute stats`: packets and bytes per uplink, read from the kernel, with the source of each figure.
enum StatsCommand: Subcommand {
  /// The command's description.
  static let spec = CommandSpec(
    name: "stats",
    abstract: "Show packets and bytes per uplink, read from the kernel, with the source of each figure.",
    discussion: """
      For each uplink of the policy: its device's interface counters (every packet received and sent, whatever \
      routed it), and where polroute's routes for the uplink carry a realm ('uplink NAME ... realm N' in the \
      policy), the kernel's route accounting for it (/proc/net/rt_acct, as rtacct reads it): the packets the host \
      received whose route back goes through the uplink, and those it forwarded along it. For each class of rules \
      that carries a realm ('rule ... realm N'), the packets the host forwarded by them. Counters count from when \
      the interface or the kernel started; run stats twice and subtract for a rate. Reads the live host only.
      """,
    options: [CommonOptions.policy, CommonOptions.json])

  /// Reads the host, the policy and the counters, and prints them.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let (state, policy) = try Inputs(arguments).resolve(context)
    let counters = try CounterReader(runner: context.runner, files: context.hostFiles).read()
    let report = TrafficReport.make(
      policy: policy, state: state, interfaces: counters.interfaces, realms: counters.realms)
    if arguments.has(CommonOptions.json) {
      context.stdout.write(try json(report, host: state.hostname, origin: policy.origin))
    } else {
      context.stdout.write(text(report, host: state.hostname, origin: policy.origin, style: context.style))
    }
    return .success
  }

  /// The table: one line per figure.
  static func text(_ report: TrafficReport, host: String?, origin: String, style: Style) -> String {
    var text = style.bold("polroute stats for \(host ?? "this host"), policy \(origin)") + "\n\n"
    guard !report.uplinks.isEmpty else {
      return text + "The policy has no uplinks.\n" + report.notes.map { "note: \($0)\n" }.joined()
    }
    var rows = [["uplink", "device", "direction", "packets", "bytes", "source"]]
    for uplink in report.uplinks {
      for figure in uplink.figures {
        let source = figure.realm.map { "realm \($0) (rt_acct): \(figure.meaning)" } ?? "interface: \(figure.meaning)"
        rows.append([
          uplink.name, uplink.device, figure.direction, String(figure.counters.packets), String(figure.counters.bytes),
          source,
        ])
      }
    }
    text += table(rows, numbers: [3, 4], style: style)
    if !report.ruleClasses.isEmpty {
      var classRows = [["realm", "rules", "direction", "packets", "bytes", "source"]]
      for ruleClass in report.ruleClasses {
        let rules = ruleClass.rules.map { String($0.priority) }.joined(separator: ",")
        let figure = ruleClass.figure
        classRows.append([
          String(ruleClass.realm), rules, figure?.direction ?? "forwarded",
          figure.map { String($0.counters.packets) } ?? "-", figure.map { String($0.counters.bytes) } ?? "-",
          figure.map { "realm \(ruleClass.realm) (rt_acct): \($0.meaning)" } ?? "no route accounting in this kernel",
        ])
      }
      text += "\n" + table(classRows, numbers: [0, 3, 4], style: style)
    }
    for note in report.notes { text += "\nnote: \(note)" }
    return text + (report.notes.isEmpty ? "" : "\n")
  }

  /// Rows in aligned columns, the last column as it is; numbers right-aligned, words left-aligned.
  static func table(_ rows: [[String]], numbers: Set<Int>, style: Style) -> String {
    let aligned = rows[0].count - 1
    let widths = (0..<aligned).map { column in rows.map { $0[column].count }.max() ?? 0 }
    var text = ""
    for (index, row) in rows.enumerated() {
      var line = ""
      for column in 0..<aligned {
        let cell = row[column]
        let pad = String(repeating: " ", count: widths[column] - cell.count)
        line += (numbers.contains(column) ? pad + cell : cell + pad) + "  "
      }
      line += row[aligned]
      text += (index == 0 ? style.bold(line) : line) + "\n"
    }
    return text
  }

  /// The JSON document.
  static func json(_ report: TrafficReport, host: String?, origin: String) throws -> String {
    /// One figure.
    struct Figure: Encodable {
      /// `received`, `sent` or `forwarded`.
      var direction: String
      /// Packets.
      var packets: UInt64
      /// Bytes.
      var bytes: UInt64
      /// `interface` or `realm`.
      var source: String
      /// The realm, for a realm figure.
      var realm: UInt32?
      /// What it counts.
      var meaning: String
    }
    /// One uplink.
    struct Uplink: Encodable {
      /// The uplink's name.
      var name: String
      /// Its device.
      var device: String
      /// Its table.
      var table: UInt32
      /// The realms its routes carry.
      var realms: [UInt32]
      /// The figures.
      var figures: [Figure]
    }
    /// One class of rules: those that carry one realm.
    struct RuleClass: Encodable {
      /// The realm.
      var realm: UInt32
      /// The rules, as `ip rule` prints them.
      var rules: [String]
      /// The figure, absent without route accounting.
      var figure: Figure?
    }
    /// The whole document.
    struct Document: Encodable {
      /// The host's name.
      var host: String?
      /// Where the policy came from.
      var policy: String
      /// The uplinks.
      var uplinks: [Uplink]
      /// The rule classes.
      var ruleClasses: [RuleClass]
      /// What the figures cannot say.
      var notes: [String]
    }
    func figure(_ figure: TrafficReport.Figure) -> Figure {
      Figure(
        direction: figure.direction, packets: figure.counters.packets, bytes: figure.counters.bytes,
        source: figure.source.rawValue, realm: figure.realm, meaning: figure.meaning)
    }
    let document = Document(
      host: host, policy: origin,
      uplinks: report.uplinks.map { uplink in
        Uplink(
          name: uplink.name, device: uplink.device, table: uplink.table, realms: uplink.realms,
          figures: uplink.figures.map(figure))
      },
      ruleClasses: report.ruleClasses.map { ruleClass in
        RuleClass(
          realm: ruleClass.realm,
          rules: ruleClass.rules.map { "\($0.priority): " + RuleText.selectorWords($0).joined(separator: " ") },
          figure: ruleClass.figure.map(figure))
      }, notes: report.notes)
    return try JSONOutput.encode(document)
  }
}
