/// Unified diffs (`diff -u` format) of two lists of lines, built on the standard library's `difference(from:)`.
public enum UnifiedDiff {
  /// What a row of the diff does.
  enum RowKind { case same, minus, plus }

  /// The diff, or an empty string when the lines are equal. `context` lines of context surround each change.
  public static func make(old: [String], new: [String], oldName: String, newName: String, context: Int = 3) -> String {
    make(old: old, new: new, oldName: oldName, newName: newName, context: context) { $0 }
  }

  /// The diff of two lists of elements shown as lines by `text`, or an empty string when they show the same lines.
  /// Only the elements where the lists differ, and their context, are turned into text: a plan that adds two routes
  /// next to 15,000 rules that stay compares the rules as they are instead of printing them all twice (34 ms).
  public static func make<Element: Equatable>(
    old: [Element], new: [Element], oldName: String, newName: String, context: Int = 3,
    text: (Element) -> String
  ) -> String {
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
    // Elements that differ may still show as the same line: the middle is compared as text.
    let oldMiddle = old[prefix..<(old.count - suffix)].map(text)
    let newMiddle = new[prefix..<(new.count - suffix)].map(text)
    guard !oldMiddle.isEmpty || !newMiddle.isEmpty else { return "" }
    func oldLine(_ index: Int) -> String {
      index >= prefix && index - prefix < oldMiddle.count ? oldMiddle[index - prefix] : text(old[index])
    }
    func newLine(_ index: Int) -> String {
      index >= prefix && index - prefix < newMiddle.count ? newMiddle[index - prefix] : text(new[index])
    }
    // Mark which old lines are removed and which new lines are inserted.
    var removed = Set<Int>()
    var inserted = Set<Int>()
    if oldMiddle.isEmpty || newMiddle.isEmpty {
      removed = Set(prefix..<(prefix + oldMiddle.count))
      inserted = Set(prefix..<(prefix + newMiddle.count))
    } else {
      for change in newMiddle.difference(from: oldMiddle) {
        switch change {
        case .remove(let offset, _, _): removed.insert(prefix + offset)
        case .insert(let offset, _, _): inserted.insert(prefix + offset)
        }
      }
    }
    // Walk both sides together, producing (kind, oldIndex, newIndex) rows; their text is made for the hunks only.
    var rows: [(kind: RowKind, old: Int, new: Int)] = []
    var oldIndex = 0
    var newIndex = 0
    while oldIndex < old.count || newIndex < new.count {
      if oldIndex < old.count && removed.contains(oldIndex) {
        rows.append((.minus, oldIndex, newIndex))
        oldIndex += 1
      } else if newIndex < new.count && inserted.contains(newIndex) {
        rows.append((.plus, oldIndex, newIndex))
        newIndex += 1
      } else {
        rows.append((.same, oldIndex, newIndex))
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
    // Elements that differ but read the same leave no change to show.
    guard !hunks.isEmpty else { return "" }
    var diff = "--- \(oldName)\n+++ \(newName)\n"
    for hunk in hunks {
      let slice = rows[hunk]
      let oldCount = slice.filter { $0.kind != .plus }.count
      let newCount = slice.filter { $0.kind != .minus }.count
      let oldStart = oldCount == 0 ? slice.first!.old : slice.first!.old + 1
      let newStart = newCount == 0 ? slice.first!.new : slice.first!.new + 1
      diff += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
      for row in slice {
        switch row.kind {
        case .same: diff += " \(oldLine(row.old))\n"
        case .minus: diff += "-\(oldLine(row.old))\n"
        case .plus: diff += "+\(newLine(row.new))\n"
        }
      }
    }
    return diff
  }
}
