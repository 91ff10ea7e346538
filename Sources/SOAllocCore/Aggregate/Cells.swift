import Foundation

/// An allocation element: one of the three targeted allocations.
public enum Element: Int, CaseIterable, Sendable {
    case disability, wideningAccess, retention

    /// The name used in `cells.csv` and `summary.csv`.
    public var name: String {
        switch self {
        case .disability: "DISABILITY"
        case .wideningAccess: "WIDENING_ACCESS"
        case .retention: "RETENTION"
        }
    }

    /// The key used in the method file.
    public var methodKey: String {
        switch self {
        case .disability: "disability"
        case .wideningAccess: "widening_access"
        case .retention: "retention"
        }
    }

    /// The cells of the element, in `cells.csv` order.
    public var cells: [Cell] { Cell.all.filter { $0.element == self } }
}

/// A cell of the allocation tables: the place HEFCE puts a student.
public struct Cell: Sendable, Hashable {
    public let element: Element
    public let name: String
    /// Position in `Cell.all`.
    public let index: Int

    /// The widening access populations' quintile columns.
    public static let quintiles = ["Q1", "Q2", "Q3", "Q4", "Q5", "UNKNOWN"]

    /// The retention risk groups in `cells.csv` order: first degree and other
    /// undergraduate before age, as the allocation tables lay them out.
    public static let riskGroups = [
        "Y_F_L", "Y_F_M", "Y_F_H", "Y_F_U", "Y_O_L", "Y_O_M", "Y_O_H", "Y_O_U",
        "M_F_L", "M_F_M", "M_F_H", "M_F_U", "M_O_L", "M_O_M", "M_O_H", "M_O_U",
    ]

    /// Every cell, in the order of `cells.csv`: DISPOP, DISALLOC; WAPOP1_Q1 …
    /// WAPOP3_UNKNOWN; the 16 risk groups, then NONE.
    public static let all: [Cell] = {
        var names: [(Element, String)] = [(.disability, "DISPOP"), (.disability, "DISALLOC")]
        for population in 1...3 {
            names += quintiles.map { (.wideningAccess, "WAPOP\(population)_\($0)") }
        }
        names += (riskGroups + ["NONE"]).map { (.retention, $0) }
        return names.enumerated().map { Cell(element: $0.element.0, name: $0.element.1, index: $0.offset) }
    }()

    public static func named(_ name: String) -> Cell? { all.first { $0.name == name } }

    /// The cells of each widening access population (WAPOP 1, 2, 3), Q1 to UNKNOWN.
    public static let wideningAccessPopulations: [[Cell]] = (0..<3).map { population in
        Array(all[(wideningAccessStart + population * quintiles.count)..<(wideningAccessStart + (population + 1) * quintiles.count)])
    }

    /// Index of the first widening access cell and of the first retention cell.
    static let wideningAccessStart = 2
    static let retentionStart = 2 + 18
    /// The retention cell of each EQGRP value, by its index in `Vocabulary.eqgrp`.
    static let retentionCellOfGroup: [Int] = Vocabulary.eqgrp.names.map { group in
        retentionStart + riskGroups.firstIndex(of: group)!
    }
}

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

    /// Places one derived record in its cells.
    @inline(__always)
    public mutating func count(_ facts: borrowing Facts) {
        let fte = facts[.hefesfte]
        if facts[.dispop] == 1 { add(0, fte) }
        if facts[.disalloc] == 1 { add(1, fte) }
        let population = facts[.wapop]
        if population >= 1 && population <= 3 {
            let quintile = facts[.waquin]
            let column = quintile >= 1 && quintile <= 5 ? Int(quintile) - 1 : 5
            add(Cell.wideningAccessStart + (Int(population) - 1) * 6 + column, fte)
        }
        if facts[.eqpop] == 1 {
            let group = facts[.eqgrp]
            add(Value.isKnown(group) ? Cell.retentionCellOfGroup[Int(group)] : Cell.all.count - 1, fte)
        }
    }

    @inline(__always)
    private mutating func add(_ cell: Int, _ fte: Int64) {
        add(cell, records: 1, fte: fte)
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
        let hundredth = FieldParsing.decimalScale  // 0.01 FTE is 1% of a record, a million millionths.
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
        Decimal(fteMillionths[cell.index]) / Decimal(FieldParsing.decimalScale * 100)
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
    /// Rounded half-up (away from zero at the half) to `places` decimal places.
    public func rounded(_ places: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, places, .plain)
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
