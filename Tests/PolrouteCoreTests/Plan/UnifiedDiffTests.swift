import Foundation
import Testing

@testable import PolrouteCore

/// `UnifiedDiff.make`: hunks, context, and lists as long as a plan of 10,000 routes.
struct UnifiedDiffTests {
  @Test("equal lists give no diff")
  func equal() {
    #expect(UnifiedDiff.make(old: ["a", "b"], new: ["a", "b"], oldName: "o", newName: "n") == "")
    #expect(UnifiedDiff.make(old: [], new: [], oldName: "o", newName: "n") == "")
  }

  @Test("a change in the middle keeps three lines of context on each side")
  func middleChange() {
    let old = (1...10).map { "line \($0)" }
    var new = old
    new[4] = "line five"
    new.insert("line 7b", at: 7)
    #expect(
      UnifiedDiff.make(old: old, new: new, oldName: "o", newName: "n") == """
        --- o
        +++ n
        @@ -2,9 +2,10 @@
         line 2
         line 3
         line 4
        -line 5
        +line five
         line 6
         line 7
        +line 7b
         line 8
         line 9
         line 10

        """)
  }

  @Test("from and to an empty list: one hunk of additions or deletions")
  func emptySides() {
    #expect(
      UnifiedDiff.make(old: [], new: ["a", "b"], oldName: "o", newName: "n")
        == "--- o\n+++ n\n@@ -0,0 +1,2 @@\n+a\n+b\n")
    #expect(
      UnifiedDiff.make(old: ["a", "b"], new: [], oldName: "o", newName: "n")
        == "--- o\n+++ n\n@@ -1,2 +0,0 @@\n-a\n-b\n")
  }

  @Test("lines added at the start and removed at the end")
  func ends() {
    #expect(
      UnifiedDiff.make(old: ["b", "c", "d"], new: ["a", "b", "c"], oldName: "o", newName: "n")
        == "--- o\n+++ n\n@@ -1,3 +1,3 @@\n+a\n b\n c\n-d\n")
  }

  @Test("20,000 lines against an empty list, and one changed line among 20,000, take well under a second")
  func longLists() {
    let lines = (0..<20_000).map { "rule add from 100.64.\($0 / 250).\($0 % 250) lookup 300 priority \($0)" }
    let clock = ContinuousClock()
    let added = clock.measure {
      #expect(
        UnifiedDiff.make(old: [], new: lines, oldName: "o", newName: "n").hasPrefix(
          "--- o\n+++ n\n@@ -0,0 +1,20000 @@\n"))
    }
    var changed = lines
    changed[10_000] = "changed"
    let one = clock.measure {
      #expect(
        UnifiedDiff.make(old: lines, new: changed, oldName: "o", newName: "n").contains(
          "\n-\(lines[10_000])\n+changed\n"))
    }
    #expect(added < .seconds(1) && one < .seconds(1), "\(added), \(one)")
  }

  @Test(
    "elements become text only where the lists differ and around it; elements that differ but read the same are no change"
  )
  func elementsShownAsLines() {
    struct Item: Equatable {
      var number: Int
      var hidden = 0
    }
    let old = (0..<10_000).map { Item(number: $0) }
    var new = old
    new[5_000].number = -1
    new[7_000].hidden = 1
    var shown = 0
    let diff = UnifiedDiff.make(old: old, new: new, oldName: "o", newName: "n") { item -> String in
      shown += 1
      return "item \(item.number)"
    }
    #expect(
      diff == """
        --- o
        +++ n
        @@ -4998,7 +4998,7 @@
         item 4997
         item 4998
         item 4999
        -item 5000
        +item -1
         item 5001
         item 5002
         item 5003

        """)
    // The middle (5,000 to 7,000) of both sides and the hunk's context: not the 20,000 elements of the two lists.
    #expect(shown <= 2 * 2_001 + 7, "\(shown) elements shown")
    #expect(
      UnifiedDiff.make(old: [Item(number: 1)], new: [Item(number: 1, hidden: 2)], oldName: "o", newName: "n") {
        "\($0.number)"
      } == "")
  }
}
