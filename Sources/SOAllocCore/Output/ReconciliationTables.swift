import Foundation
import SOAllocRules

/// HEFCE's side beside ours: `reconciliation.csv`, every cell counted both
/// ways, and `difference-patterns.csv`, the differences grouped by what
/// explains them.
enum ReconciliationTables {
    static let names = ["reconciliation.csv", "difference-patterns.csv"]

    /// Writes the tables of `names` (others are not written).
    static func write(
        _ hefce: HEFCESide, ours: CellTable, _ method: Method, into place: some OutputPlace, names: Set<String>
    ) throws -> [OutputFile] {
        var files: [OutputFile] = []
        if names.contains("reconciliation.csv") {
            files.append(
                try AllocationTables.write("reconciliation.csv", reconciliationRows(hefce, ours: ours, method), into: place))
        }
        if names.contains("difference-patterns.csv") {
            files.append(try AllocationTables.write("difference-patterns.csv", patternRows(hefce.patterns), into: place))
        }
        return files
    }

    /// `ELEMENT,CELL,HEFCE_HEADCOUNT,HEFCE_FTE,OUR_HEADCOUNT,OUR_FTE,DELTA_HEADCOUNT,DELTA_FTE`,
    /// every cell in order; with `HEFCE_WEIGHTED,OUR_WEIGHTED,DELTA_ALLOCATION`
    /// when the method sets a rate. A delta is ours less HEFCE's. The FTEs are
    /// exact, so that each delta is the sum of `movements.csv`'s FTEs; the
    /// weighted volumes use the FTE as `cells.csv` rounds it, as the money does.
    /// An element whose columns the file lacks has its HEFCE side and deltas empty.
    static func reconciliationRows(_ hefce: HEFCESide, ours: CellTable, _ method: Method) -> [[String]] {
        let money = Element.all.contains { method[$0].rate.value != nil }
        var header = [
            "ELEMENT", "CELL", "HEFCE_HEADCOUNT", "HEFCE_FTE", "OUR_HEADCOUNT", "OUR_FTE", "DELTA_HEADCOUNT",
            "DELTA_FTE",
        ]
        if money { header += ["HEFCE_WEIGHTED", "OUR_WEIGHTED", "DELTA_ALLOCATION"] }
        return [header]
            + Cell.all.map { cell in
                let element = cell.element
                let rules = method[element]
                let has = hefce.hasSide(element)
                var row = [element.name, cell.name]
                row +=
                    has
                    ? [String(hefce.cells.headcount[cell.index]), hefce.cells.exactFTE(cell).exact(minimumPlaces: 2)]
                    : ["", ""]
                row += [String(ours.headcount[cell.index]), ours.exactFTE(cell).exact(minimumPlaces: 2)]
                row +=
                    has
                    ? [
                        String(ours.headcount[cell.index] - hefce.cells.headcount[cell.index]),
                        (ours.exactFTE(cell) - hefce.cells.exactFTE(cell)).exact(minimumPlaces: 2),
                    ] : ["", ""]
                guard money else { return row }
                let places = rules.basis.places
                let weighted = { (cells: CellTable) in rules.weight(cell) * cells.value(cell, basis: rules.basis) }
                row.append(has ? weighted(hefce.cells).exact(minimumPlaces: places) : "")
                row.append(weighted(ours).exact(minimumPlaces: places))
                if has, let rate = rules.rate.value {
                    row.append((rate * (weighted(ours) - weighted(hefce.cells))).exact(minimumPlaces: 2))
                } else {
                    row.append("")
                }
                return row
            }
    }

    /// One element's two sides in words: "HEFCE's own columns give £X, our
    /// derivation £Y, the difference £Z", or the weighted volumes when the
    /// method sets no rate; or why the element has no HEFCE side.
    static func statement(_ element: Element, hefce: HEFCESide, ours: Allocations) -> String {
        if let note = hefce.missingNote(element) { return note }
        let our = ours.elements[element.index]
        let their = hefce.allocations!.elements[element.index]
        if let theirs = their.allocation, let mine = our.allocation {
            return "HEFCE's own columns give \(Summary.pounds(theirs)), our derivation \(Summary.pounds(mine)),"
                + " the difference \(Summary.pounds(mine - theirs))"
        }
        let places = our.basis.places
        return "weighted volume: HEFCE's own columns \(their.weightedVolume.exact(minimumPlaces: places)),"
            + " ours \(our.weightedVolume.exact(minimumPlaces: places)) (\(our.basis.rawValue))"
    }

    /// `COUNT,FIELD,FILE_VALUE,DERIVED_VALUE,CAUSE,HEFCE_NEEDS,FIRST_ROW`, most first.
    static func patternRows(_ patterns: DifferencePatterns) -> [[String]] {
        [["COUNT", "FIELD", "FILE_VALUE", "DERIVED_VALUE", "CAUSE", "HEFCE_NEEDS", "FIRST_ROW"]]
            + patterns.sorted.map {
                // FILE_VALUE as differences.csv writes it (`-5` is `'-5` there), so that the two match.
                [
                    String($0.count), $0.field, CSVOutput.guarded($0.fileValue), $0.derivedValue, $0.cause, $0.needs,
                    String($0.firstRow),
                ]
            }
    }
}
