import TestSupport

/// TestSupport's seeded generator, under the name this target's tests have always used without importing it.
typealias SeededGenerator = TestSupport.SeededGenerator
