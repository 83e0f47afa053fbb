import Foundation

/// Median, minimum and maximum of some samples.
struct Summary: Codable, Sendable {
  var median: Double
  var min: Double
  var max: Double
  var samples: [Double]

  init(_ samples: [Double]) {
    precondition(!samples.isEmpty)
    let sorted = samples.sorted()
    let middle = sorted.count / 2
    median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    min = sorted.first!
    max = sorted.last!
    self.samples = samples
  }
}

/// How a row's goal is judged.
enum Goal: Sendable {
  /// polroute's median ≤ factor × the baseline's median.
  case ratioAtMost(Double)
  /// polroute's largest sample ≤ the limit (memory: the peak must stay under it in every run).
  case maxAtMost(Double, unit: String)
  /// No goal: the row is for reference.
  case none

  var text: String {
    switch self {
    case .ratioAtMost(let factor): return "≤ \(format(factor))×"
    case .maxAtMost(let limit, let unit): return "max ≤ \(format(limit)) \(unit)"
    case .none: return "(reference)"
    }
  }
}

/// One row of the table.
struct Row: Sendable {
  /// "1", "2a", ...
  var id: String
  /// What polroute does in it.
  var title: String
  /// The measured side's label (usually the polroute command).
  var subject: String
  /// The baseline's label.
  var baselineLabel: String
  /// "ms", "s", "MiB".
  var unit: String
  /// polroute's samples, in `unit`.
  var polroute: Summary
  /// The baseline's samples, in `unit`; nil when there is none.
  var baseline: Summary?
  /// The goal.
  var goal: Goal
  /// Ratios of each run to the baseline run next to it (a second view of the same runs, robust to drift).
  var pairedRatios: [Double] = []
  /// Notes: checks made, counts, anything that qualifies the number.
  var notes: [String] = []

  /// polroute's median over the baseline's.
  var ratio: Double? {
    if case .maxAtMost = goal { return nil }
    return baseline.map { polroute.median / $0.median }
  }

  /// Whether the goal holds; nil without a goal.
  var holds: Bool? {
    switch goal {
    case .ratioAtMost(let factor): return ratio.map { $0 <= factor }
    case .maxAtMost(let limit, _): return polroute.max <= limit
    case .none: return nil
    }
  }
}

/// Formats a number with 3 significant digits (at least 0 decimals).
func format(_ value: Double) -> String {
  if value == value.rounded() && abs(value) < 1e6 { return String(Int(value)) }
  let magnitude = value == 0 ? 0 : Int(floor(log10(abs(value))))
  let decimals = Swift.max(0, 2 - magnitude)
  return String(format: "%.\(decimals)f", value)
}

/// The printed table and the JSON document.
enum Report {
  /// "12.3 [11.9–14.0] ms".
  static func cell(_ summary: Summary?, unit: String) -> String {
    guard let summary else { return "—" }
    return "\(format(summary.median)) [\(format(summary.min))–\(format(summary.max))] \(unit)"
  }

  /// The table as text.
  static func table(_ rows: [Row]) -> String {
    let header = ["row", "what", "polroute median [min–max]", "baseline median [min–max]", "ratio", "goal", "holds?"]
    var lines: [[String]] = [header]
    for row in rows {
      lines.append([
        row.id, row.title, cell(row.polroute, unit: row.unit), cell(row.baseline, unit: row.unit),
        row.ratio.map { format($0) + "×" } ?? "—", row.goal.text,
        row.holds.map { $0 ? "yes" : "NO" } ?? "—",
      ])
    }
    let widths = header.indices.map { column in lines.map { $0[column].count }.max()! }
    var text = ""
    for (index, line) in lines.enumerated() {
      text +=
        zip(line, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
      if index == 0 { text += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
    }
    text += "\nWhat each side ran:\n"
    for row in rows {
      text += "  \(row.id): polroute: \(row.subject)\n"
      if row.baseline != nil { text += "  \(row.id)  baseline: \(row.baselineLabel)\n" }
      for note in row.notes { text += "  \(row.id)  note: \(note)\n" }
    }
    return text
  }

  /// The JSON document written to bench/results.json.
  static func json(_ rows: [Row], machine: [String: String]) throws -> Data {
    struct Side: Encodable {
      var label: String
      var median: Double
      var min: Double
      var max: Double
      var samples: [Double]
    }
    struct Entry: Encodable {
      var row: String
      var title: String
      var unit: String
      var polroute: Side
      var baseline: Side?
      var ratio: Double?
      var pairedRatios: [Double]
      var goal: String
      var holds: Bool?
      var notes: [String]
    }
    struct Document: Encodable {
      var format = "polroute-bench"
      var version = 1
      var machine: [String: String]
      var rows: [Entry]
    }
    func side(_ label: String, _ summary: Summary) -> Side {
      Side(label: label, median: summary.median, min: summary.min, max: summary.max, samples: summary.samples)
    }
    let entries = rows.map { row in
      Entry(
        row: row.id, title: row.title, unit: row.unit, polroute: side(row.subject, row.polroute),
        baseline: row.baseline.map { side(row.baselineLabel, $0) }, ratio: row.ratio, pairedRatios: row.pairedRatios,
        goal: row.goal.text, holds: row.holds, notes: row.notes)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(Document(machine: machine, rows: entries))
  }
}
