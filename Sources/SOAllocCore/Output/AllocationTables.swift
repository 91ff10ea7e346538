import Foundation

/// The aggregate outputs: the cell tables, laid out for auditors
/// (`cells.csv`) and for finance teams (`disability.csv`,
/// `widening_access.csv`, `retention.csv`), and the money (`summary.csv`).
enum AllocationTables {
    static let names = ["cells.csv", "disability.csv", "widening_access.csv", "retention.csv", "summary.csv"]

    static func write(_ cells: CellTable, _ method: Method, _ allocations: Allocations, into place: some OutputPlace)
        throws -> [OutputFile]
    {
        [
            try write("cells.csv", cellRows(cells), into: place),
            try write("disability.csv", disabilityRows(cells), into: place),
            try write("widening_access.csv", wideningAccessRows(cells), into: place),
            try write("retention.csv", retentionRows(cells, method), into: place),
            try write("summary.csv", summaryRows(allocations), into: place),
        ]
    }

    private static func write(_ name: String, _ rows: [[String]], into place: some OutputPlace) throws -> OutputFile {
        let output = try CSVOutput(path: place.path(of: name))
        for row in rows { try output.row(row) }
        return try output.finish()
    }

    /// `ELEMENT,CELL,HEADCOUNT,FTE`: every cell in order, zeros included.
    static func cellRows(_ cells: CellTable) -> [[String]] {
        [["ELEMENT", "CELL", "HEADCOUNT", "FTE"]]
            + Cell.all.map { [$0.element.name, $0.name, String(cells.headcount[$0.index]), cells.fte($0).fixed(2)] }
    }

    /// DISPOP, DISALLOC and the proportion DISALLOC / DISPOP, by headcount and by FTE.
    static func disabilityRows(_ cells: CellTable) -> [[String]] {
        let population = Cell.all[0]
        let allowance = Cell.all[1]
        func row(_ measure: String, _ basis: Basis) -> [String] {
            let denominator = cells.value(population, basis: basis)
            let numerator = cells.value(allowance, basis: basis)
            let proportion = denominator == 0 ? "" : (numerator / denominator).fixed(4)
            return [measure, format(denominator, basis), format(numerator, basis), proportion]
        }
        return [["MEASURE", "DISPOP", "DISALLOC", "PROPORTION"], row("Headcount", .headcount), row("FTE", .fte)]
    }

    static let populations = ["Young full-time (WAPOP 1)", "Mature full-time (WAPOP 2)", "Part-time (WAPOP 3)"]

    /// One row per population and measure; columns Q1…Q5, UNKNOWN, TOTAL.
    static func wideningAccessRows(_ cells: CellTable) -> [[String]] {
        var rows = [["POPULATION", "MEASURE"] + Cell.quintiles + ["TOTAL"]]
        for (population, row) in zip(populations, Cell.wideningAccessPopulations) {
            for (measure, basis) in [("Headcount", Basis.headcount), ("FTE", Basis.fte)] {
                let values = row.map { cells.value($0, basis: basis) }
                rows.append([population, measure] + (values + [values.reduce(0, +)]).map { format($0, basis) })
            }
        }
        return rows
    }

    /// One row per risk group, with the method's weight and the weighted volume.
    static func retentionRows(_ cells: CellTable, _ method: Method) -> [[String]] {
        let rules = method[.retention]
        var rows = [["GROUP", "HEADCOUNT", "FTE", "WEIGHT", "WEIGHTED_VOLUME"]]
        var total: (headcount: Int, fte: Decimal, volume: Decimal) = (0, 0, 0)
        for cell in Element.retention.cells {
            let volume = rules.weight(cell) * cells.value(cell, basis: rules.basis)
            rows.append([
                cell.name, String(cells.headcount[cell.index]), cells.fte(cell).fixed(2), rules.weight(cell).description,
                volume.exact(minimumPlaces: rules.basis.places),
            ])
            total.headcount += cells.headcount[cell.index]
            total.fte += cells.fte(cell)
            total.volume += volume
        }
        rows.append([
            "TOTAL", String(total.headcount), total.fte.fixed(2), "", total.volume.exact(minimumPlaces: rules.basis.places),
        ])
        return rows
    }

    /// `ELEMENT,BASIS,WEIGHTED_VOLUME,RATE,ALLOCATION,NOTE`, then the total.
    static func summaryRows(_ allocations: Allocations) -> [[String]] {
        var rows = [["ELEMENT", "BASIS", "WEIGHTED_VOLUME", "RATE", "ALLOCATION", "NOTE"]]
        for element in allocations.elements {
            rows.append([
                element.element.name, element.basis.rawValue,
                element.weightedVolume.exact(minimumPlaces: element.basis.places),
                element.rate?.description ?? "", element.allocation?.description ?? "", element.note,
            ])
        }
        rows.append(["TOTAL", "", "", "", allocations.total?.description ?? "", allocations.totalNote])
        return rows
    }

    private static func format(_ value: Decimal, _ basis: Basis) -> String {
        value.exact(minimumPlaces: basis.places)
    }
}
