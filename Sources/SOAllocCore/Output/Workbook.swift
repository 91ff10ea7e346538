import CXLSXWriter
import Crypto
import Foundation
import SOAllocRules

/// `summary.xlsx`: the run as a workbook a finance team opens, laid out like
/// HEFCE's SO14 workbook, written with libxlsxwriter.
///
/// The Summary sheet's weighted volumes and allocations are Excel formulas
/// over the element sheets, so an auditor can click a figure and see its
/// working; each formula also carries its value, equal to `summary.csv`, for
/// readers that do not recalculate. The workbook is written in libxlsxwriter's
/// constant-memory mode, row by row, with a fixed creation date, so the same
/// run gives the same bytes.
enum Workbook {
    static let name = "summary.xlsx"
    /// The longest sheets keep their first rows only.
    static let maximumRows = 100_000
    /// The creation date written into every workbook: 1 August 2016, the start of 2016-17.
    static let created: time_t = 1_470_009_600

    /// Writes the workbook of `content` to `path`, with the first rows of the
    /// run's `differences.csv` and `credibility.csv`, read back from `place`.
    /// The run's files the workbook reads back: its long sheets.
    static let reads = ["differences.csv", "credibility.csv"]

    static func write(_ content: Presentation, from place: some OutputPlace, to path: String) throws -> OutputFile {
        // libxlsxwriter prints its own messages on standard error; soalloc's one line says what failed.
        try QuietStandardError.during { try writeQuietly(content, from: place, to: path) }
    }

    private static func writeQuietly(_ content: Presentation, from place: some OutputPlace, to path: String) throws
        -> OutputFile
    {
        try writing(to: path, title: "soalloc 2016-17 targeted allocations: \(content.provider)") { book in
            writeSummary(book, content)
            let bandInputs = writeInputs(book, content)
            for element in Element.all { writeElement(book, element, content, bandInputs: bandInputs[element]) }
            writePatterns(book, content.hefce.patterns)
            writeReconciliation(book, content)
            let patterns = content.hefce.patterns
            let numbers = patterns.numbers
            try writeCSV(
                book, "Differences", place.path(of: "differences.csv"), total: content.tally.totalDifferences,
                extra: ("PATTERN", patterns.early.map { numbers[Int($0)] }))
            try writeCSV(
                book, "Data-quality findings", place.path(of: "credibility.csv"), total: content.tally.totalFindings)
            writeMethod(book, content.method)
            writeRun(book, content.provenance)
        }
    }

    /// Creates a workbook at `path` with the fixed creation date and `title`,
    /// lets `body` write its sheets, and closes it. A failure of `body`
    /// closes the workbook and is thrown; so is the first failed write.
    static func writing(to path: String, title: String, _ body: (Book) throws -> Void) throws -> OutputFile {
        var options = lxw_workbook_options(constant_memory: UInt8(LXW_TRUE.rawValue), tmpdir: nil, use_zip64: UInt8(LXW_FALSE.rawValue))
        guard let workbook = workbook_new_opt(path, &options) else {
            throw Failure.output("\(path): cannot create the workbook")
        }
        var properties = lxw_doc_properties()
        properties.created = created
        let title = strdup(Presentation.markupText(title))
        defer { free(title) }
        properties.title = title
        workbook_set_properties(workbook, &properties)

        let book = Book(workbook)
        do {
            try body(book)
        } catch {
            workbook_close(workbook)
            throw error
        }

        let closed = workbook_close(workbook)
        let error = book.error == LXW_NO_ERROR ? closed : book.error
        guard error == LXW_NO_ERROR else {
            throw Failure.output("\(path): cannot write the workbook: \(String(cString: lxw_strerror(error)))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure.output("\(path): cannot read the workbook back")
        }
        return OutputFile(name: name, size: data.count, sha256: SHA256.hash(data: data).hexadecimal)
    }

    /// The row of an element sheet's TOTAL: after the header and one row per cell.
    static func totalRow(_ element: Element) -> Int { element.cells.count + 1 }

    /// The workbook-level names of the method's inputs on the Inputs sheet.
    enum Name {
        static func rate(_ element: Element) -> String { "rate_\(element.methodKey)" }
        static func minimum(_ element: Element) -> String { "minimum_\(element.methodKey)" }
        static func weight(_ cell: Cell) -> String { "weight_\(cell.element.name)_\(cell.name)" }
        static func bandFrom(_ band: Int) -> String { "band_from_\(band + 1)" }
        static func bandTo(_ band: Int) -> String { "band_to_\(band + 1)" }
        static func bandWeight(_ band: Int) -> String { "band_weight_\(band + 1)" }
        static func allocation(_ element: Element) -> String { "allocation_\(element.methodKey)" }
        static let total = "allocation_total"
    }

    /// Where each element's weighted volume is on its sheet: the TOTAL's, or,
    /// for a proportion with bands, the banded volume below the tables.
    private static func volumeCell(_ element: Element, _ content: Presentation) -> String {
        let row = bandRows(element, content).map { $0.volume } ?? totalRow(element)
        // The TOTAL's volume is in column E; the banded volume in column B.
        return "'\(element.sheetName)'!\(row == totalRow(element) ? "E" : "B")\(row + 1)"
    }

    /// The rows of a proportion's band block on its element sheet, when the method has bands.
    private static func bandRows(_ element: Element, _ content: Presentation)
        -> (proportion: Int, weight: Int, volume: Int)?
    {
        guard case .proportion = element.layout, !content.method[element].bands.isEmpty else { return nil }
        // After the TOTAL, a blank row, the finance table (a header and two rows) and a blank row.
        let first = totalRow(element) + 6
        return (first, first + 1, first + 2)
    }

    /// The Summary: each element's weighted volume from its sheet, its rate
    /// from Inputs, and its allocation, all formulas, so that a rate typed on
    /// Inputs recomputes the money; an empty rate shows an empty allocation.
    private static func writeSummary(_ book: Book, _ content: Presentation) {
        let sheet = book.sheet("Summary")
        sheet.header(["Element", "Basis", "Weighted volume", "Rate (£ per unit)", "Allocation (£)", "Note"])
        let rows = content.allocations.elements
        for (index, row) in rows.enumerated() {
            let line = index + 1
            let excelLine = line + 1
            let element = row.element
            let rate = Name.rate(element)
            sheet.text(line, 0, element.name)
            sheet.text(line, 1, row.basis.rawValue)
            sheet.formula(line, 2, "=\(volumeCell(element, content))", row.weightedVolume, book.volume)
            let rateFormula = "=IF(\(rate)=\"\",\"\",\(rate))"
            let allocationFormula =
                "=IF(\(rate)=\"\",\"\",MAX(N(\(Name.minimum(element))),ROUND(C\(excelLine)*\(rate),0)))"
            if let value = row.rate, let allocation = row.allocation {
                sheet.formula(line, 3, rateFormula, value, book.rate)
                sheet.formula(line, 4, allocationFormula, allocation, book.money)
            } else {
                sheet.formula(line, 3, rateFormula, text: "", book.rate)
                sheet.formula(line, 4, allocationFormula, text: "", book.money)
            }
            book.name(Name.allocation(element), "=Summary!$E$\(excelLine)")
            // The note follows the rate: how the allocation is made once one is typed.
            let made = row.rate == nil ? row.working : row.note
            sheet.formula(
                line, 5, "=IF(\(rate)=\"\",\(quoted(ElementAllocation.rateNotSet)),\(quoted(made)))", text: row.note)
        }
        let line = rows.count + 1
        sheet.text(line, 0, "TOTAL", book.bold)
        let cells = (2...(rows.count + 1)).map { "E\($0)" }
        let totalFormula = "=IF(OR(\(cells.map { "\($0)=\"\"" }.joined(separator: ","))),\"\",SUM(E2:E\(rows.count + 1)))"
        if let total = content.allocations.total {
            sheet.formula(line, 4, totalFormula, total, book.moneyBold)
        } else {
            sheet.formula(line, 4, totalFormula, text: "", book.moneyBold)
        }
        book.name(Name.total, "=Summary!$E$\(line + 1)")
        sheet.text(line, 5, content.allocations.totalNote)
        var next = line + 2
        for (label, value) in [("Provider", content.provider), ("Method", content.method.name)] {
            sheet.text(next, 0, label)
            sheet.text(next, 1, value)
            next += 1
        }
        for warning in content.method.warnings {
            sheet.text(next, 0, "Warning", book.bold)
            sheet.text(next, 1, warning)
            next += 1
        }
        if content.allocations.total == nil {
            sheet.text(next, 0, "Next step", book.bold)
            sheet.text(next, 1, Presentation.nextStep)
        }
        sheet.widths([18, 11, 16, 18, 16, 60])
        sheet.freeze(rows: 1)
    }

    /// Text as a formula's string literal.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    /// Every input of the method as a number in an unlocked, coloured cell
    /// with a workbook-level name, and its source; the rest of the sheet is
    /// protected, without a password.
    /// Returns, per element with bands, the Inputs rows of their edges and weights, for `LOOKUP`.
    private static func writeInputs(_ book: Book, _ content: Presentation) -> [Element: BandInputs] {
        var bandInputs: [Element: BandInputs] = [:]
        let sheet = book.sheet("Inputs")
        sheet.header(["Input", "Value", "Name", "Source"])
        var line = 1
        func input(_ label: String, _ name: String, _ value: Decimal?, _ source: String?, _ format: Book.Input) {
            sheet.text(line, 0, label)
            if let value { sheet.number(line, 1, value, book.input(format)) } else { sheet.blank(line, 1, book.input(format)) }
            sheet.text(line, 2, name)
            sheet.text(line, 3, source ?? "")
            book.name(name, "=Inputs!$B$\(line + 1)")
            line += 1
        }
        for element in Element.all {
            let rules = content.method[element]
            input("\(element.title): rate (£ per unit)", Name.rate(element), rules.rate.value, rules.rate.source, .rate)
            input("\(element.title): minimum (£)", Name.minimum(element), rules.minimum.value, rules.minimum.source, .money)
            if case .proportion = element.layout, !rules.bands.isEmpty {
                let bands = rules.bands
                bandInputs[element] = BandInputs(
                    from: line...(line + bands.count - 1), weight: (line + 2 * bands.count)...(line + 3 * bands.count - 1))
                for (band, item) in bands.enumerated() {
                    input("\(element.title): band \(band + 1) from", Name.bandFrom(band), item.from, item.source, .number)
                }
                for (band, item) in bands.enumerated() {
                    input("\(element.title): band \(band + 1) to", Name.bandTo(band), item.to, item.source, .number)
                }
                for (band, item) in bands.enumerated() {
                    input("\(element.title): band \(band + 1) weight", Name.bandWeight(band), item.weight, item.source, .number)
                }
            }
            for cell in element.cells {
                let weight = rules.weights[cell.index]
                input("\(element.title): weight of \(cell.name)", Name.weight(cell), weight?.value ?? 0, weight?.source, .number)
            }
        }
        sheet.widths([44, 14, 36, 100])
        sheet.freeze(rows: 1)
        sheet.protect()
        return bandInputs
    }

    /// The rows (from 0) of the Inputs sheet holding a proportion's band edges (`from`) and weights.
    struct BandInputs {
        let from: ClosedRange<Int>
        let weight: ClosedRange<Int>
    }

    /// An element's cells with their weights (from Inputs) and weighted
    /// volumes (formulas), then the finance team's table for the element, and
    /// for a proportion with bands, the proportion, its band's weight and the
    /// banded volume.
    private static func writeElement(
        _ book: Book, _ element: Element, _ content: Presentation, bandInputs: BandInputs?
    ) {
        let sheet = book.sheet(element.sheetName)
        let rules = content.method[element]
        sheet.header(["Cell", "Headcount", "FTE", "Weight", "Weighted volume"])
        let cells = element.cells
        let basis = rules.basis == .fte ? "C" : "B"
        for (index, cell) in cells.enumerated() {
            let line = index + 1
            sheet.text(line, 0, cell.name)
            sheet.number(line, 1, Decimal(content.cells.headcount[cell.index]), book.count)
            sheet.number(line, 2, content.cells.fte(cell), book.fte)
            sheet.formula(line, 3, "=\(Name.weight(cell))", rules.weight(cell), nil)
            sheet.formula(
                line, 4, "=D\(line + 1)*\(basis)\(line + 1)",
                rules.weight(cell) * content.cells.value(cell, basis: rules.basis), book.volume)
        }
        let total = totalRow(element)
        let allocation = content.allocations.elements[element.index]
        sheet.text(total, 0, "TOTAL", book.bold)
        // A proportion's members are among its population, so only the other layouts' cells add up.
        if case .proportion = element.layout {} else {
            sheet.formula(total, 1, "=SUM(B2:B\(total))", Decimal(content.cells.headcount(cells)), book.countBold)
            sheet.formula(
                total, 2, "=SUM(C2:C\(total))", cells.reduce(Decimal(0)) { $0 + content.cells.fte($1) }, book.fteBold)
        }
        sheet.formula(total, 4, "=SUM(E2:E\(total))", allocation.cellVolume, book.volumeBold)

        // The finance team's table, below: the weighted layout is the sheet itself.
        var line = total + 2
        if case .weighted = element.layout {} else {
            let table = AllocationTables.table(element, content.cells, content.method)
            for (column, name) in table.header.enumerated() { sheet.text(line, column, name, book.bold) }
            for row in table.rows {
                line += 1
                for (column, value) in row.enumerated() {
                    switch value {
                    case .text(let text): sheet.text(line, column, text)
                    case .count(let count): sheet.number(line, column, Decimal(count), book.count)
                    case .fte(let fte): sheet.number(line, column, fte.rounded(2), book.fte)
                    case .proportion(let proportion): sheet.number(line, column, proportion.rounded(4), book.proportion)
                    case .exact(let number, let places):
                        sheet.number(line, column, number, places == 0 ? book.count : places == 2 ? book.fte : book.proportion)
                    }
                }
            }
        }
        if let rows = bandRows(element, content), let proportion = allocation.proportion, let inputs = bandInputs {
            // The proportion on the element's basis, its band by LOOKUP over Inputs, and the banded volume.
            func sum(_ group: Element.Group) -> String {
                let first = group.cells[0].index - cells[0].index + 2
                return "SUM(\(basis)\(first):\(basis)\(first + group.cells.count - 1))"
            }
            let (denominator, numerator) = (sum(element.groups[0]), sum(element.groups[1]))
            let p = "B\(rows.proportion + 1)"
            sheet.text(rows.proportion, 0, "Proportion", book.bold)
            let proportionFormula = "=IF(\(denominator)=0,\"\",\(numerator)/\(denominator))"
            if let value = proportion.value {
                sheet.formula(rows.proportion, 1, proportionFormula, value, book.proportion)
            } else {
                sheet.formula(rows.proportion, 1, proportionFormula, text: "", book.proportion)
            }
            let last = rules.bands.count - 1
            sheet.text(rows.weight, 0, "Band weight", book.bold)
            sheet.formula(
                rows.weight, 1,
                "=IF(\(p)=\"\",0,IF(\(p)<\(Name.bandFrom(0)),0,IF(AND(\(Name.bandTo(last))<>\"\",\(p)>=\(Name.bandTo(last))),0,"
                    + "LOOKUP(\(p),Inputs!$B$\(inputs.from.lowerBound + 1):$B$\(inputs.from.upperBound + 1),"
                    + "Inputs!$B$\(inputs.weight.lowerBound + 1):$B$\(inputs.weight.upperBound + 1)))))",
                proportion.weight, nil)
            sheet.text(rows.volume, 0, "Weighted volume", book.bold)
            sheet.formula(
                rows.volume, 1, "=B\(rows.weight + 1)*E\(total + 1)", allocation.weightedVolume, book.volumeBold)
        }
        if case .grid = element.layout {
            sheet.widths([28, 12, 12, 12, 16, 10, 10, 10, 10])
        } else {
            sheet.widths([16, 12, 12, 10, 16])
        }
        sheet.freeze(rows: 1)
    }

    /// How many patterns of differences the Patterns sheet lists; difference-patterns.csv has them all.
    static let topPatterns = 20

    /// The most common patterns of differences, each numbered as the
    /// Differences sheet's PATTERN column numbers its rows, and linked to its
    /// first row there.
    private static func writePatterns(_ book: Book, _ patterns: DifferencePatterns) {
        let sheet = book.sheet("Patterns")
        sheet.header(["Pattern", "Count", "Field", "File value", "Our value", "Cause", "HEFCE needs", "First row"])
        let sorted = patterns.sorted
        for (index, pattern) in sorted.prefix(topPatterns).enumerated() {
            let line = index + 1
            sheet.number(line, 0, Decimal(line), book.count)
            sheet.number(line, 1, Decimal(pattern.count), book.count)
            for (column, text) in [pattern.field, pattern.fileValue, pattern.derivedValue, pattern.cause, pattern.needs]
                .enumerated()
            {
                sheet.text(line, column + 2, text)
            }
            if pattern.firstOrdinal < maximumRows {
                sheet.link(line, 7, "internal:'Differences'!A\(pattern.firstOrdinal + 2)", String(pattern.firstRow))
            } else {
                sheet.number(line, 7, Decimal(pattern.firstRow), book.count)
            }
        }
        sheet.text(
            min(sorted.count, topPatterns) + 2, 0,
            "\(sorted.count) \(sorted.count == 1 ? "pattern" : "patterns") of \(patterns.total) differences;"
                + " filter the Differences sheet's PATTERN column by a pattern's number to see its rows;"
                + " difference-patterns.csv has every pattern.")
        sheet.widths([8, 8, 12, 12, 12, 12, 90, 10])
        sheet.freeze(rows: 1)
    }

    /// `reconciliation.csv`, numbers as numbers, then each element's two sides in words.
    private static func writeReconciliation(_ book: Book, _ content: Presentation) {
        let sheet = book.sheet("Reconciliation")
        let rows = ReconciliationTables.reconciliationRows(content.hefce, ours: content.cells, content.method)
        sheet.header(rows[0])
        for (index, row) in rows.dropFirst().enumerated() {
            for (column, value) in row.enumerated() {
                if column >= 2, let number = Decimal(string: value, locale: Locale(identifier: "en_US_POSIX")) {
                    sheet.number(index + 1, column, number, nil)
                } else {
                    sheet.text(index + 1, column, value)
                }
            }
        }
        var line = rows.count + 1
        for element in Element.all {
            sheet.text(line, 0, element.name, book.bold)
            sheet.text(
                line, 1,
                ReconciliationTables.statement(element, hefce: content.hefce, ours: content.allocations))
            line += 1
        }
        sheet.widths([18, 16, 16, 14, 14, 14, 16, 14, 16, 16, 18])
        sheet.freeze(rows: 1)
    }

    /// The first rows of an output CSV, then a note of how many there are
    /// (`total`, as the run counted them); the rest of the file is not read.
    /// `extra` adds a column of numbers, one for each row shown.
    private static func writeCSV(
        _ book: Book, _ name: String, _ path: String, total: Int, extra: (name: String, values: [Int])? = nil
    ) throws {
        let sheet = book.sheet(name)
        var line = 0
        var columns = 0
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure.output("\(path): cannot read it back for the workbook") }
        defer { close(descriptor) }
        struct Enough: Error {}
        do {
            try CSVReader(descriptor: descriptor, limits: .output).forEachRecord { record in
                guard line <= maximumRows else { throw Enough() }
                defer { line += 1 }
                if line == 0 {
                    columns = record.count + (extra == nil ? 0 : 1)
                    sheet.header((0..<record.count).map { record.text($0) } + (extra.map { [$0.name] } ?? []))
                    return
                }
                if let extra, line - 1 < extra.values.count {
                    sheet.number(line, record.count, Decimal(extra.values[line - 1]), book.count)
                }
                for column in 0..<record.count {
                    // As the CSV holds it, guard against formulas included: a
                    // text cell, never a formula, and the same as the CSV.
                    let bytes = record[column]
                    let row = column == 0 ? FieldParsing.numericCode(bytes) : Value.missing
                    if Value.isKnown(row) {
                        sheet.number(line, 0, Decimal(row), book.row)
                    } else {
                        sheet.text(line, column, bytes)
                    }
                }
            }
        } catch is Enough {}
        let shown = max(line - 1, 0)
        // In constant-memory mode a range must end at or after the last row written.
        if shown > 0 { sheet.autofilter(lastRow: shown, lastColumn: columns - 1) }
        sheet.text(
            shown + 2, 0,
            shown < total
                ? "The first \(shown) of \(total) rows; \(path.split(separator: "/").last ?? "") has them all."
                : "\(total) \(total == 1 ? "row" : "rows").")
        sheet.widths(
            extra != nil ? [8, 11, 16, 12, 12, 14, 12, 12, 12, 40, 90, 9] : [8, 11, 16, 12, 12, 18, 16, 9, 26, 90])
        sheet.freeze(rows: 1)
    }

    /// Every key of the method, with its value and source.
    private static func writeMethod(_ book: Book, _ method: Method) {
        let sheet = book.sheet("Method")
        sheet.header(["Key", "Value", "Source"])
        var rows: [(String, String, String)] = [
            ("name", method.name, ""), ("applies_to", method.appliesTo ?? "", ""), ("source", method.source ?? "", ""),
            ("origin", method.origin, "where soalloc read the method: the default, or a file"),
        ]
        for element in Element.all {
            let key = "elements.\(element.methodKey)"
            let rules = method[element]
            rows.append(("\(key).basis", rules.basis.rawValue, rules.source ?? ""))
            rows.append(("\(key).rate", rules.rate.value?.description ?? "null", rules.rate.source ?? ""))
            for cell in element.cells {
                guard let weight = rules.weights[cell.index] else { continue }
                rows.append(("\(key).weights.\(cell.name)", weight.value.description, weight.source ?? ""))
            }
        }
        if let tariff = method.tariff {
            for type in TariffTable.types.map(\.rawValue) {
                guard let grades = tariff.points[type] else { continue }
                for (grade, points) in grades.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
                    rows.append(("tariff.\(type).\(grade)", String(points), tariff.source ?? ""))
                }
            }
        }
        for (index, row) in rows.enumerated() {
            sheet.text(index + 1, 0, row.0)
            sheet.text(index + 1, 1, row.1)
            sheet.text(index + 1, 2, row.2)
        }
        sheet.widths([44, 50, 100])
        sheet.freeze(rows: 1)
    }

    private static func writeRun(_ book: Book, _ run: [(String, String)]) {
        let sheet = book.sheet("Run")
        sheet.header(["Item", "Value"])
        for (index, item) in run.enumerated() {
            sheet.text(index + 1, 0, item.0)
            sheet.text(index + 1, 1, item.1)
        }
        sheet.text(run.count + 2, 0, "The time of the run, the output folder and each output's SHA-256 are in run.json.")
        sheet.widths([26, 90])
        sheet.freeze(rows: 1)
    }
}

/// libxlsxwriter's workbook, with the formats a finance team expects.
final class Book {
    let workbook: UnsafeMutablePointer<lxw_workbook>
    let bold: UnsafeMutablePointer<lxw_format>
    let header: UnsafeMutablePointer<lxw_format>
    let money: UnsafeMutablePointer<lxw_format>
    let moneyBold: UnsafeMutablePointer<lxw_format>
    let rate: UnsafeMutablePointer<lxw_format>
    let fte: UnsafeMutablePointer<lxw_format>
    let fteBold: UnsafeMutablePointer<lxw_format>
    let count: UnsafeMutablePointer<lxw_format>
    let countBold: UnsafeMutablePointer<lxw_format>
    let volume: UnsafeMutablePointer<lxw_format>
    let volumeBold: UnsafeMutablePointer<lxw_format>
    let proportion: UnsafeMutablePointer<lxw_format>
    /// A record's ROW: a plain number.
    let row: UnsafeMutablePointer<lxw_format>
    /// Input cells: a fill colour, and unlocked in a protected sheet.
    private let inputs: [Input: UnsafeMutablePointer<lxw_format>]
    /// Room for one cell's text and its NUL, for text written from bytes.
    let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Sheet.longestText + 1)

    enum Input: CaseIterable {
        case rate, money, number
    }

    deinit { scratch.deallocate() }

    init(_ workbook: UnsafeMutablePointer<lxw_workbook>) {
        self.workbook = workbook
        func format(_ number: String?, bold: Bool = false, header: Bool = false) -> UnsafeMutablePointer<lxw_format> {
            let format = workbook_add_format(workbook)!
            if let number { format_set_num_format(format, number) }
            if bold || header { format_set_bold(format) }
            if header {
                format_set_bg_color(format, 0xDDE4EE)
                format_set_bottom(format, UInt8(LXW_BORDER_THIN.rawValue))
            }
            return format
        }
        bold = format(nil, bold: true)
        header = format(nil, header: true)
        money = format("£#,##0")
        moneyBold = format("£#,##0", bold: true)
        rate = format("£#,##0.00##")
        fte = format("#,##0.00")
        fteBold = format("#,##0.00", bold: true)
        count = format("#,##0")
        countBold = format("#,##0", bold: true)
        volume = format("#,##0.00##")
        volumeBold = format("#,##0.00##", bold: true)
        proportion = format("0.0000")
        row = format("0")
        var inputs: [Input: UnsafeMutablePointer<lxw_format>] = [:]
        for input in Input.allCases {
            let made = format(input == .rate ? "£#,##0.00##" : input == .money ? "£#,##0" : "0.######")
            format_set_bg_color(made, 0xFFF2CC)
            format_set_unlocked(made)
            inputs[input] = made
        }
        self.inputs = inputs
    }

    func input(_ kind: Input) -> UnsafeMutablePointer<lxw_format> { inputs[kind]! }

    /// A workbook-level defined name for `formula` (`=Inputs!$B$2`).
    func name(_ name: String, _ formula: String) {
        record(workbook_define_name(workbook, name, formula))
    }

    /// The first error of any write, reported when the workbook is closed.
    private(set) var error = LXW_NO_ERROR

    func record(_ result: lxw_error) {
        if error == LXW_NO_ERROR { error = result }
    }

    func sheet(_ name: String) -> Sheet {
        Sheet(workbook_add_worksheet(workbook, name)!, book: self)
    }
}

struct Sheet {
    let sheet: UnsafeMutablePointer<lxw_worksheet>
    unowned let book: Book

    init(_ sheet: UnsafeMutablePointer<lxw_worksheet>, book: Book) {
        self.sheet = sheet
        self.book = book
    }

    func header(_ names: [String]) { header(at: 0, names) }

    /// A header row at `row`, for a sheet of several tables.
    func header(at row: Int, _ names: [String]) {
        for (column, name) in names.enumerated() { text(row, column, name, book.header) }
    }

    /// Excel's longest text in a cell; libxlsxwriter counts it in bytes.
    static let longestText = 32_767

    /// Writes `value` as XML allows it (`Presentation.markupText`), cut to
    /// Excel's longest text with "…" at the end.
    func text(_ row: Int, _ column: Int, _ value: String, _ format: UnsafeMutablePointer<lxw_format>? = nil) {
        var value = Presentation.markupText(value)
        if value.utf8.count > Self.longestText {
            var cut = value.utf8.index(value.utf8.startIndex, offsetBy: Self.longestText - 3)
            while !value.unicodeScalars.indices.contains(cut) { value.utf8.formIndex(before: &cut) }
            value = String(value[..<cut]) + "…"
        }
        book.record(worksheet_write_string(sheet, lxw_row_t(row), lxw_col_t(column), value, format))
    }

    /// Writes text held as UTF-8 bytes: printable ASCII straight from the
    /// bytes, anything else as `text(_:_:_:_:)` writes it.
    func text(_ row: Int, _ column: Int, _ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count < book.scratch.count, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            text(row, column, String(decoding: bytes, as: UTF8.self))
            return
        }
        let scratch = book.scratch
        _ = UnsafeMutableBufferPointer(rebasing: scratch[0..<bytes.count]).initialize(from: bytes)
        scratch[bytes.count] = 0
        book.record(
            worksheet_write_string(
                sheet, lxw_row_t(row), lxw_col_t(column), UnsafeRawPointer(scratch.baseAddress!).assumingMemoryBound(to: CChar.self), nil))
    }

    func number(_ row: Int, _ column: Int, _ value: Decimal, _ format: UnsafeMutablePointer<lxw_format>?) {
        book.record(worksheet_write_number(sheet, lxw_row_t(row), lxw_col_t(column), double(value), format))
    }

    func formula(
        _ row: Int, _ column: Int, _ formula: String, _ value: Decimal, _ format: UnsafeMutablePointer<lxw_format>?
    ) {
        book.record(worksheet_write_formula_num(sheet, lxw_row_t(row), lxw_col_t(column), formula, format, double(value)))
    }

    /// A formula whose value is text (empty, for an allocation without a rate).
    func formula(
        _ row: Int, _ column: Int, _ formula: String, text: String, _ format: UnsafeMutablePointer<lxw_format>? = nil
    ) {
        book.record(
            worksheet_write_formula_str(
                sheet, lxw_row_t(row), lxw_col_t(column), formula, format, Presentation.markupText(text)))
    }

    /// Protects the sheet, without a password: only unlocked cells can be changed.
    func protect() {
        worksheet_protect(sheet, nil, nil)
    }

    /// The nearest double to `value`: through its decimal text, which rounds
    /// correctly where NSDecimalNumber's conversion does not.
    private func double(_ value: Decimal) -> Double { Double(value.description) ?? .nan }

    /// A hyperlink showing `text`: `internal:'Sheet'!A1` for a place in the workbook.
    func link(_ row: Int, _ column: Int, _ url: String, _ text: String) {
        book.record(worksheet_write_url_opt(sheet, lxw_row_t(row), lxw_col_t(column), url, nil, text, nil))
    }

    func blank(_ row: Int, _ column: Int, _ format: UnsafeMutablePointer<lxw_format>? = nil) {
        book.record(worksheet_write_blank(sheet, lxw_row_t(row), lxw_col_t(column), format))
    }

    func widths(_ widths: [Double]) {
        for (column, width) in widths.enumerated() {
            book.record(worksheet_set_column(sheet, lxw_col_t(column), lxw_col_t(column), width, nil))
        }
    }

    func freeze(rows: Int) {
        worksheet_freeze_panes(sheet, lxw_row_t(rows), 0)
    }

    func autofilter(lastRow: Int, lastColumn: Int) {
        book.record(worksheet_autofilter(sheet, 0, 0, lxw_row_t(lastRow), lxw_col_t(lastColumn)))
    }
}

/// Standard error sent to /dev/null while libxlsxwriter works, so that its
/// own messages ("[ERROR] workbook_close(): ...") do not add lines to
/// soalloc's one-line failure. Workbooks written at once on several threads
/// share one redirection; the last to finish restores standard error.
enum QuietStandardError {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var users = 0
    nonisolated(unsafe) private static var saved: Int32 = -1

    static func during<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        if users == 0 {
            let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
            if null >= 0 {
                saved = fcntl(2, F_DUPFD_CLOEXEC, 0)
                dup2(null, 2)
                close(null)
            }
        }
        users += 1
        lock.unlock()
        defer {
            lock.lock()
            users -= 1
            if users == 0 && saved >= 0 {
                dup2(saved, 2)
                close(saved)
                saved = -1
            }
            lock.unlock()
        }
        return try body()
    }
}
