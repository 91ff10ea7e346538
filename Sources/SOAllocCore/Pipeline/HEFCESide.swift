import SOAllocRules

/// HEFCE's side of a provider's records, set beside ours as they stream:
/// HEFCE's cell table, built from the file's own derived columns by the same
/// element table and FTE rule as ours, and the patterns of the differences.
struct HEFCESide: Sendable {
    /// HEFCE's cells: the records counted by their values in the file
    /// (`finish`). A record whose values all agree sits in the same cells on
    /// both sides, so only the records that differ are counted apart: HEFCE's
    /// table is ours with each of them moved from our cells into HEFCE's.
    private(set) var cells = CellTable()
    /// The moves: each record that differs counted in HEFCE's cells and taken out of ours.
    private var moves = CellTable()
    /// Per element (`Element.all` order): the columns it needs that a file
    /// read lacks. An element with any has no HEFCE side.
    private(set) var missing: [[Column]] = Element.all.map { _ in [] }
    var patterns = DifferencePatterns()
    /// Rows of `movements.csv`.
    var movements = 0
    /// The money HEFCE's cells give by the run's method (`finish`).
    private(set) var allocations: Allocations?

    init(layout: Layout) {
        use(layout)
    }

    /// Reads the next file by its layout: a column missing from any file of
    /// the provider leaves its elements without a HEFCE side.
    mutating func use(_ layout: Layout) {
        for element in Element.all {
            for column in element.reads.compactMap(\.column) where layout.position(of: column) == nil {
                if !missing[element.index].contains(column) { missing[element.index].append(column) }
            }
        }
    }

    /// Why `element` has no HEFCE side, or nil when it has one.
    func missingNote(_ element: Element) -> String? {
        let columns = missing[element.index]
        guard !columns.isEmpty else { return nil }
        return "no HEFCE side: the file has no \(columns.map(\.name).joined(separator: " or ")) column"
    }

    /// Whether the file has every column `element` needs for HEFCE's side.
    func hasSide(_ element: Element) -> Bool { missing[element.index].isEmpty }

    /// Notes a record whose values differ: `theirs` are HEFCE's, `ours` ours.
    @inline(__always)
    mutating func count(theirs: borrowing Facts, ours: borrowing Facts) {
        moves.count(theirs)
        moves.uncount(ours)
    }

    /// Makes HEFCE's cells from ours (`ours`, every record counted), checks
    /// them as ours are checked, and makes their money.
    mutating func finish(ours: CellTable, method: Method, file: String) throws {
        cells = ours
        cells.add(moves)
        _ = try cells.checked(file: file)
        allocations = try Allocations(cells: cells, method: method)
    }
}

/// The differences grouped by field, the two values, the cause and what
/// HEFCE's value needs without the values found (`difference-patterns.csv`).
struct DifferencePatterns: Sendable, Equatable {
    struct Pattern: Sendable, Equatable {
        var field: String
        var fileValue: String
        var derivedValue: String
        var cause: String
        var needs: String
        var count: Int
        /// The ROW of its first difference.
        var firstRow: Int
        /// Where its first difference is among all of them, from 0: its line in `differences.csv` less 2.
        var firstOrdinal: Int

        /// `SOENTRANT 1→0 (ROOT): LEARNSTARTDATE ≥ 1 August 2014 failed`.
        var headline: String {
            func shown(_ value: String) -> String { value.isEmpty ? "(empty)" : value }
            return "\(field) \(shown(fileValue))→\(shown(derivedValue)) (\(cause)): \(needs)"
        }
    }

    private var index: [String: Int] = [:]
    /// In the order first seen.
    private(set) var patterns: [Pattern] = []
    /// The differences added.
    private(set) var total = 0
    /// For each of the first `Workbook.maximumRows` differences, in order,
    /// its pattern's place in `patterns`: the workbook's Differences sheet
    /// shows each row's pattern.
    private(set) var early: [Int32] = []

    mutating func add(
        row: Int, field: Slot, fileValue: String, derivedValue: String, _ reason: DifferenceReason
    ) {
        let cause = reason.causeText
        let needs = reason.hefceNeeds.pattern
        let key = [field.name, fileValue, derivedValue, cause, needs].joined(separator: "\u{0}")
        let found: Int
        if let known = index[key] {
            found = known
            patterns[found].count += 1
        } else {
            found = patterns.count
            index[key] = found
            patterns.append(
                Pattern(
                    field: field.name, fileValue: fileValue, derivedValue: derivedValue, cause: cause, needs: needs,
                    count: 1, firstRow: row, firstOrdinal: total))
        }
        if total < Workbook.maximumRows { early.append(Int32(found)) }
        total += 1
    }

    /// Most first; patterns of equal count by their first row.
    var sorted: [Pattern] { order.map { patterns[$0] } }

    /// The places in `patterns`, most first; patterns of equal count by their first row.
    private var order: [Int] {
        patterns.indices.sorted {
            patterns[$0].count != patterns[$1].count
                ? patterns[$0].count > patterns[$1].count : patterns[$0].firstRow < patterns[$1].firstRow
        }
    }

    /// Each pattern's number in `sorted` order, from 1, by its place in `patterns`.
    var numbers: [Int] {
        var numbers = [Int](repeating: 0, count: patterns.count)
        for (rank, place) in order.enumerated() { numbers[place] = rank + 1 }
        return numbers
    }
}
