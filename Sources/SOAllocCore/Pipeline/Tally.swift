import SOAllocRules

/// Counts kept while a file streams through, besides the cell tables.
public struct Tally: Sendable, Equatable {
    public var records = 0
    /// Differences from HEFCE's values, per derived field (in `Slot.derived` order).
    public var differences = [Int](repeating: 0, count: Facts.ruleCount)
    /// Which derived fields the file carries HEFCE's values for.
    public var compared = [Bool](repeating: false, count: Facts.ruleCount)
    /// Data-quality findings per check, in `Check.allCases` order.
    public var findings = [Int](repeating: 0, count: Check.allCases.count)

    public init() {}

    public var totalDifferences: Int { differences.reduce(0, +) }
    public var totalFindings: Int { findings.reduce(0, +) }
    public var errorFindings: Int {
        Check.allCases.filter { $0.severity == .error }.reduce(0) { $0 + findings[$1.index] }
    }
}
