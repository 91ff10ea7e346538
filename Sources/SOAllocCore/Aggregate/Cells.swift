import Foundation
import SOAllocRules

/// The cell tables: headcount and summed FTE of every cell, counted as records stream through.
public struct CellTable: Sendable, Equatable {
    /// Records in each cell, by `Cell.index`.
    public private(set) var headcount: [Int]
    /// Σ HEFESFTE of each cell in millionths of a percentage point (exact).
    public private(set) var fteMillionths: [Int64]
    /// Whether a count or sum went past what the table holds. Every addition
    /// is checked: a sum never wraps, and a table that overflowed is refused
    /// (`checked(file:)`) rather than written.
    public private(set) var overflowed = false

    public init() {
        headcount = Array(repeating: 0, count: Cell.all.count)
        fteMillionths = Array(repeating: 0, count: Cell.all.count)
    }

    /// Places one derived record in its cells: one cell of each group it
    /// is a member of (`Element.all` declares the groups).
    @inline(__always)
    public mutating func count(_ facts: borrowing Facts) {
        count(facts, records: 1)
    }

    /// Takes one derived record out of its cells: with `count`, a table of
    /// the changes between two tables.
    mutating func uncount(_ facts: borrowing Facts) {
        count(facts, records: -1)
    }

    @inline(__always)
    private mutating func count(_ facts: borrowing Facts, records: Int) {
        let fte = facts[.hefesfte]
        for group in CellPlacement.all where facts[group.field] == group.value {
            add(group.cell(facts), records: records, fte: records < 0 ? -fte : fte)
        }
    }

    /// Adds another table cell by cell, exactly.
    mutating func add(_ other: CellTable) {
        for index in headcount.indices { add(index, records: other.headcount[index], fte: other.fteMillionths[index]) }
        if other.overflowed { overflowed = true }
    }

    @inline(__always)
    private mutating func add(_ cell: Int, records: Int, fte: Int64) {
        let (count, countOverflow) = headcount[cell].addingReportingOverflow(records)
        let (sum, sumOverflow) = fteMillionths[cell].addingReportingOverflow(fte)
        headcount[cell] = count
        fteMillionths[cell] = sum
        if countOverflow || sumOverflow { overflowed = true }
    }

    /// Adds another table's figures as `cells.csv` writes them: its headcounts,
    /// and each cell's FTE rounded to two places. A sector's cells are its
    /// providers' summed this way, so that the providers' files add up to the
    /// sector's exactly.
    public mutating func add(asWritten other: CellTable) {
        let hundredth = Value.decimalScale  // 0.01 FTE is 1% of a record, a million millionths.
        for index in headcount.indices {
            let exact = other.fteMillionths[index]
            // Rounded half-up (away from zero at the half), as `fte(_:)` rounds.
            let remainder = exact % hundredth
            var rounded = exact - remainder
            if remainder.magnitude * 2 >= hundredth.magnitude {
                let (next, overflow) = rounded.addingReportingOverflow(exact < 0 ? -hundredth : hundredth)
                rounded = next
                if overflow { overflowed = true }
            }
            add(index, records: other.headcount[index], fte: rounded)
        }
        if other.overflowed { overflowed = true }
    }

    /// The table, or a data error naming `file` when a sum went past what it holds.
    public func checked(file: String) throws -> CellTable {
        guard !overflowed else {
            throw Failure.data(
                DataError(Location(file: file), "a cell's headcount or FTE sum is too large to hold; nothing was written"))
        }
        return self
    }

    /// The cell's FTE: Σ HEFESFTE / 100, exact.
    public func exactFTE(_ cell: Cell) -> Decimal {
        Self.fte(millionths: fteMillionths[cell.index])
    }

    /// An FTE from HEFESFTE in millionths of a percentage point: / 100, exact.
    static func fte(millionths: Int64) -> Decimal {
        Decimal(millionths) / Decimal(Value.decimalScale * 100)
    }

    /// The cell's FTE as `cells.csv` gives it: rounded half-up to two places.
    public func fte(_ cell: Cell) -> Decimal {
        exactFTE(cell).rounded(2)
    }

    /// The cell's value on an element's basis.
    public func value(_ cell: Cell, basis: Basis) -> Decimal {
        switch basis {
        case .headcount: Decimal(headcount[cell.index])
        case .fte: fte(cell)
        }
    }

    /// The total headcount of some cells. A cell's count is one per record,
    /// so the 37 of them cannot reach `Int.max`.
    public func headcount(_ cells: [Cell]) -> Int { cells.reduce(0) { $0 + headcount[$1.index] } }
}

extension Decimal {
    /// Rounded half-up (away from zero at the half) to `places` decimal places, or as `mode` says.
    public func rounded(_ places: Int, _ mode: NSDecimalNumber.RoundingMode = .plain) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, places, mode)
        return result
    }

    /// Written with exactly `places` decimal places, rounded half-up; never in
    /// the locale's format.
    public func fixed(_ places: Int) -> String {
        rounded(places).exact(minimumPlaces: places)
    }

    /// Written exactly, with at least `minimumPlaces` decimal places.
    public func exact(minimumPlaces: Int = 0) -> String {
        let text = description
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        let places = max(minimumPlaces, fraction.count)
        guard places > 0 else { return String(parts[0]) }
        return String(parts[0]) + "." + fraction + String(repeating: "0", count: places - fraction.count)
    }
}
