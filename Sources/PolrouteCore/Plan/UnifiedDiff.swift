/// Unified diffs (`diff -u` format) of two lists of lines, built on the standard library's `difference(from:)`.
public enum UnifiedDiff {
  /// The diff, or an empty string when the lines are equal. `context` lines of context surround each change.
  public static func make(old: [String], new: [String], oldName: String, newName: String, context: Int = 3) -> String {
    // Only the part between the common prefix and suffix goes to `difference(from:)`, whose time grows with the
    // product of the lengths and the number of changes: a plan from an empty table of 10,000 routes took seconds.
    var prefix = 0
    while prefix < old.count && prefix < new.count && old[prefix] == new[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < old.count - prefix && suffix < new.count - prefix
      && old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
    {
      suffix += 1
    }
    let oldMiddle = old[prefix..<(old.count - suffix)]
    let newMiddle = new[prefix..<(new.count - suffix)]
    guard !oldMiddle.isEmpty || !newMiddle.isEmpty else { return "" }
    // Mark which old lines are removed and which new lines are inserted.
    var removed = Set<Int>()
    var inserted = Set<Int>()
    if oldMiddle.isEmpty || newMiddle.isEmpty {
      removed = Set(oldMiddle.indices)
      inserted = Set(newMiddle.indices)
    } else {
      for change in newMiddle.difference(from: oldMiddle) {
        switch change {
        case .remove(let offset, _, _): removed.insert(prefix + offset)
        case .insert(let offset, _, _): inserted.insert(prefix + offset)
        }
      }
    }
    // Walk both sides together, producing (kind, text, oldIndex, newIndex) rows.
    enum Kind { case same, minus, plus }
    var rows: [(kind: Kind, text: String, old: Int, new: Int)] = []
    var oldIndex = 0
    var newIndex = 0
    while oldIndex < old.count || newIndex < new.count {
      if oldIndex < old.count && removed.contains(oldIndex) {
        rows.append((.minus, old[oldIndex], oldIndex, newIndex))
        oldIndex += 1
      } else if newIndex < new.count && inserted.contains(newIndex) {
        rows.append((.plus, new[newIndex], oldIndex, newIndex))
        newIndex += 1
      } else {
        rows.append((.same, old[oldIndex], oldIndex, newIndex))
        oldIndex += 1
        newIndex += 1
      }
    }
    // Group changed rows with their context into hunks.
    var hunks: [ClosedRange<Int>] = []
    for (index, row) in rows.enumerated() where row.kind != .same {
      let range = max(0, index - context)...min(rows.count - 1, index + context)
      if let last = hunks.last, last.upperBound + 1 >= range.lowerBound {
        hunks[hunks.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
      } else {
        hunks.append(range)
      }
    }
    var text = "--- \(oldName)\n+++ \(newName)\n"
    for hunk in hunks {
      let slice = rows[hunk]
      let oldCount = slice.filter { $0.kind != .plus }.count
      let newCount = slice.filter { $0.kind != .minus }.count
      let oldStart = oldCount == 0 ? slice.first!.old : slice.first!.old + 1
      let newStart = newCount == 0 ? slice.first!.new : slice.first!.new + 1
      text += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
      for row in slice {
        switch row.kind {
        case .same: text += " \(row.text)\n"
        case .minus: text += "-\(row.text)\n"
        case .plus: text += "+\(row.text)\n"
        }
      }
    }
    return text
  }
}
