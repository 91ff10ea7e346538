import Foundation
import SOAllocRules

/// A value of a finance table, typed, so that each output writes it as it
/// should: the CSV files and the report as text, the workbook as a number
/// with its format.
public enum TableValue: Sendable, Equatable {
    case text(String)
    /// A whole number of students.
    case count(Int)
    /// An FTE, with two decimal places.
    case fte(Decimal)
    /// A proportion, with four decimal places.
    case proportion(Decimal)
    /// A number written exactly, with at least `places` decimal places.
    case exact(Decimal, places: Int)

    /// The value as the CSV files write it.
    public var text: String {
        switch self {
        case .text(let text): text
        case .count(let count): String(count)
        case .fte(let value): value.fixed(2)
        case .proportion(let value): value.fixed(4)
        case .exact(let value, let places): value.exact(minimumPlaces: places)
        }
    }

    /// A value on an element's basis: a count, or an FTE.
    static func on(_ basis: Basis, _ value: Decimal) -> TableValue {
        basis == .fte ? .exact(value, places: 2) : .exact(value, places: 0)
    }
}

/// A table of the finance outputs: a header and rows of typed values.
public struct FinanceTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[TableValue]]

    /// The table as text, header first: what the CSV file and the report show.
    public var text: [[String]] { [header] + rows.map { $0.map(\.text) } }
}

/// The aggregate outputs: the cell tables, laid out for auditors
/// (`cells.csv`) and for finance teams (one file per element, as its layout
/// in `Element.all` says), and the money (`summary.csv`).
enum AllocationTables {
    static let names = ["cells.csv"] + Element.all.map(\.fileName) + ["summary.csv"]

    /// Writes the tables of `names` (others are not written).
    static func write(
        _ cells: CellTable, _ method: Method, _ allocations: Allocations, into place: some OutputPlace, names: Set<String>
    ) throws -> [OutputFile] {
        var files: [OutputFile] = []
        if names.contains("cells.csv") { files.append(try write("cells.csv", cellRows(cells), into: place)) }
        for element in Element.all where names.contains(element.fileName) {
            files.append(try write(element.fileName, table(element, cells, method).text, into: place))
        }
        if names.contains("summary.csv") { files.append(try write("summary.csv", summaryRows(allocations), into: place)) }
        return files
    }

    static func write(_ name: String, _ rows: [[String]], into place: some OutputPlace) throws -> OutputFile {
        let output = try CSVOutput(path: place.path(of: name))
        for row in rows { try output.row(row) }
        return try output.finish()
    }

    /// `ELEMENT,CELL,HEADCOUNT,FTE`: every cell in order, zeros included.
    static func cellRows(_ cells: CellTable) -> [[String]] {
        [["ELEMENT", "CELL", "HEADCOUNT", "FTE"]]
            + Cell.all.map { [$0.element.name, $0.name, String(cells.headcount[$0.index]), cells.fte($0).fixed(2)] }
    }

    /// The element's finance table, laid out as the element declares.
    static func table(_ element: Element, _ cells: CellTable, _ method: Method) -> FinanceTable {
        switch element.layout {
        case .proportion: proportionTable(element, cells, method)
        case .grid: gridTable(element, cells)
        case .weighted: weightedTable(element, cells, method)
        }
    }

    /// The second group as a proportion of the first, by headcount and by
    /// FTE; with the method's proportion bands, the band and its weight on
    /// the row of the method's basis.
    private static func proportionTable(_ element: Element, _ cells: CellTable, _ method: Method) -> FinanceTable {
        let (population, members) = (element.groups[0], element.groups[1])
        let rules = method[element]
        func row(_ measure: String, _ basis: Basis) -> [TableValue] {
            let denominator = population.cells.reduce(Decimal(0)) { $0 + cells.value($1, basis: basis) }
            let numerator = members.cells.reduce(Decimal(0)) { $0 + cells.value($1, basis: basis) }
            var row: [TableValue] = [
                .text(measure), .on(basis, denominator), .on(basis, numerator),
                denominator == 0 ? .text("") : .proportion(numerator / denominator),
            ]
            if !rules.bands.isEmpty {
                let band = basis == rules.basis ? rules.band(numerator: numerator, denominator: denominator) : nil
                row += [
                    .text(band.map { String($0 + 1) } ?? (basis == rules.basis ? "none" : "")),
                    band.map { .text(rules.bands[$0].weight.description) } ?? .text(basis == rules.basis ? "0" : ""),
                ]
            }
            return row
        }
        return FinanceTable(
            header: ["MEASURE", population.column, members.column, "PROPORTION"]
                + (rules.bands.isEmpty ? [] : ["BAND", "BAND_WEIGHT"]),
            rows: [row("Headcount", .headcount), row("FTE", .fte)])
    }

    /// One row per group and measure; a column per label, then TOTAL.
    private static func gridTable(_ element: Element, _ cells: CellTable) -> FinanceTable {
        var rows: [[TableValue]] = []
        for group in element.groups {
            for (measure, basis) in [("Headcount", Basis.headcount), ("FTE", Basis.fte)] {
                let values = group.cells.map { cells.value($0, basis: basis) }
                rows.append([.text(group.title), .text(measure)] + (values + [values.reduce(0, +)]).map { .on(basis, $0) })
            }
        }
        return FinanceTable(header: ["POPULATION", "MEASURE"] + element.groups[0].labels + ["TOTAL"], rows: rows)
    }

    /// One row per cell, with the method's weight and the weighted volume, then TOTAL.
    private static func weightedTable(_ element: Element, _ cells: CellTable, _ method: Method) -> FinanceTable {
        let rules = method[element]
        var rows: [[TableValue]] = []
        var total: (headcount: Int, fte: Decimal, volume: Decimal) = (0, 0, 0)
        for cell in element.cells {
            let volume = rules.weight(cell) * cells.value(cell, basis: rules.basis)
            rows.append([
                .text(cell.name), .count(cells.headcount[cell.index]), .fte(cells.fte(cell)),
                .text(rules.weight(cell).description), .exact(volume, places: rules.basis.places),
            ])
            total.headcount += cells.headcount[cell.index]
            total.fte += cells.fte(cell)
            total.volume += volume
        }
        rows.append([
            .text("TOTAL"), .count(total.headcount), .fte(total.fte), .text(""),
            .exact(total.volume, places: rules.basis.places),
        ])
        return FinanceTable(header: ["GROUP", "HEADCOUNT", "FTE", "WEIGHT", "WEIGHTED_VOLUME"], rows: rows)
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
}
