/// Counts kept while a file streams through: the figures of the run summary.
public struct Tally: Sendable, Equatable {
    public var records = 0
    public var dispop = 0
    public var disalloc = 0
    /// Records in each widening access population, WAPOP = 1, 2, 3.
    public var wapop = [0, 0, 0]
    public var eqpop = 0
    /// Differences from HEFCE's values, per derived field (in `Slot.derived` order).
    public var differences = [Int](repeating: 0, count: Facts.ruleCount)
    /// Which derived fields the file carries HEFCE's values for.
    public var compared = [Bool](repeating: false, count: Facts.ruleCount)
    /// Data-quality findings per check, in `Check.allCases` order.
    public var findings = [Int](repeating: 0, count: Check.allCases.count)

    public init() {}

    public var totalDifferences: Int { differences.reduce(0, +) }
    public var totalFindings: Int { findings.reduce(0, +) }

    /// Counts one derived record into the populations.
    @inline(__always)
    mutating func count(_ facts: borrowing Facts) {
        records += 1
        if facts[.dispop] == 1 { dispop += 1 }
        if facts[.disalloc] == 1 { disalloc += 1 }
        let population = facts[.wapop]
        if population >= 1 && population <= 3 { wapop[Int(population) - 1] += 1 }
        if facts[.eqpop] == 1 { eqpop += 1 }
    }
}
