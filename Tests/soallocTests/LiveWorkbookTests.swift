import Foundation
import Testing

/// Whether LibreOffice's `soffice` is on the PATH (scripts/test installs it as root).
private let libreOfficeInstalled: Bool = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: "\($0)/soffice")
    }
}()

private let skipped = Comment(
    rawValue: "LibreOffice (soffice) is not installed: run scripts/test as root, "
        + "or apt-get install --no-install-recommends libreoffice-calc-nogui")

/// What `scripts/recalc` read from a workbook that LibreOffice recalculated: the
/// value of each defined name asked for and every cell of each sheet asked for,
/// numbers as decimal text and empty cells as "".
private struct Recalculated: Decodable {
    var names: [String: String]
    var sheets: [String: [[String]]]
    var seconds: Double

    /// The value of `column` in the row of `sheet` whose first cell is `name`,
    /// `column` found by the text of a header cell above that row.
    func value(_ sheet: String, row name: String, header: String) -> String? {
        guard let rows = sheets[sheet],
            let headerRow = rows.firstIndex(where: { $0.contains { $0.lowercased() == header.lowercased() } }),
            let column = rows[headerRow].firstIndex(where: { $0.lowercased() == header.lowercased() }),
            let row = rows[headerRow...].first(where: { $0.first == name }), column < row.count
        else { return nil }
        return row[column]
    }
}

/// Copies `workbook` with the cells behind the defined names of `settings` set
/// (a decimal, or "" for an empty cell), recalculates the copy with LibreOffice
/// and reads back the names of `names` and the cells of `sheets`.
private func recalculate(
    _ workbook: URL, setting settings: [String: String] = [:], reading names: [String], sheets: [String] = []
) throws -> Recalculated {
    var arguments = [repository.appendingPathComponent("scripts/recalc").path, workbook.path, "--sets", "-"]
    for name in names { arguments += ["--get", name] }
    for sheet in sheets { arguments += ["--sheet", sheet] }
    let json = try JSONSerialization.data(withJSONObject: settings, options: [.sortedKeys])
    let output = try python(arguments, input: String(decoding: json, as: UTF8.self))
    return try JSONDecoder().decode(Recalculated.self, from: Data(output.utf8))
}

/// Whether two decimal texts are the same number, to `places` decimal places
/// when given (LibreOffice works in binary floating point), or exactly.
private func same(_ a: String, _ b: String, places: Int? = nil) -> Bool {
    let posix = Locale(identifier: "en_US_POSIX")
    guard let x = Decimal(string: a, locale: posix), let y = Decimal(string: b, locale: posix) else { return a == b }
    guard let places else { return x == y }
    var difference = x - y
    var rounded = Decimal()
    NSDecimalRound(&rounded, &difference, places, .plain)
    return rounded == 0
}

/// summary.csv's rows by ELEMENT (and TOTAL): BASIS, WEIGHTED_VOLUME, RATE, ALLOCATION.
private func summary(_ out: URL) throws -> [String: [String]] {
    let lines = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)
        .split(separator: "\n").dropFirst()
    var rows: [String: [String]] = [:]
    for line in lines {
        // NOTE, the last column, is the only one that may hold a comma.
        let fields = line.split(separator: ",", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        rows[fields[0]] = Array(fields[1...4])
    }
    return rows
}

/// The three elements: summary.csv's name, the method file's key, and the
/// suffix of their defined names.
private let elements = [
    (name: "DISABILITY", key: "disability", suffix: "disability"),
    (name: "WIDENING_ACCESS", key: "widening_access", suffix: "widening_access"),
    (name: "RETENTION", key: "retention", suffix: "retention"),
]

private let allocationNames = elements.map { "allocation_\($0.suffix)" } + ["allocation_total"]

/// Runs the first sample with `method` (nil: the default) into a folder of `scratch`.
private func run(method: String?, in scratch: Scratch, folder: String) throws -> URL {
    let out = scratch.url.appendingPathComponent(folder)
    let outcome = try soalloc(
        ["TestData/SO14_F10000001.ind", "--out", out.path] + (method.map { ["--method", $0] } ?? []),
        in: repository)
    #expect(outcome.status == 0, "\(outcome.standardError)")
    return out
}

/// Every rate and weight name of the workbook's Inputs sheet, set to `method`'s
/// figures as written in its file: the rate's text ("" for null) and each
/// cell's weight, "0" for a cell of `cells.csv` the method leaves out.
private func inputs(of method: URL, cells: URL) throws -> [String: String] {
    let json = try python(
        ["-", method.path, cells.path],
        input: #"""
            import csv, json, sys
            import yaml
            # BaseLoader keeps every scalar as its text: the figures are never floats here.
            method = yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=yaml.BaseLoader)

            def figure(value):
                text = value["value"] if isinstance(value, dict) else value
                return "" if text in ("null", "~", "", "Null", "NULL") else text

            settings = {}
            for key, element in method["elements"].items():
                settings[f"rate_{key}"] = figure(element.get("rate", "null"))
            for row in csv.DictReader(open(sys.argv[2], encoding="utf-8")):
                weights = method["elements"][row["ELEMENT"].lower()].get("weights", {})
                weight = weights.get(row["CELL"])
                settings[f"weight_{row['ELEMENT']}_{row['CELL']}"] = "0" if weight is None else figure(weight)
            print(json.dumps(settings))
            """#)
    return try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
}

@Suite(
    "End to end: summary.xlsx as a live model, recalculated by LibreOffice",
    .enabled(if: libreOfficeInstalled, skipped))
struct LiveWorkbookTests {
    @Test("the harness: a value set behind a defined name changes the formulas that depend on it, once recalculated")
    func harness() throws {
        let scratch = Scratch()
        let book = scratch.url.appendingPathComponent("small.xlsx")
        // Inputs!B2 is `rate`; a sheet whose name needs quoting works it into money,
        // through a formula that depends on another formula.
        _ = try python(
            ["-", book.path],
            input: #"""
                import sys
                import openpyxl
                from openpyxl.workbook.defined_name import DefinedName

                book = openpyxl.Workbook()
                inputs = book.active
                inputs.title = "Inputs"
                inputs.append(["name", "value"])
                inputs.append(["rate", 2])
                money = book.create_sheet("Summary's money")
                money.append(["volume", "weighted", "allocation"])
                money.append([10, "=A2*1", '=IF(rate="","",ROUND(B2*rate,0))'])

                def define(name, reference):
                    name = DefinedName(name, attr_text=reference)
                    if hasattr(book.defined_names, "append"):
                        book.defined_names.append(name)
                    else:
                        book.defined_names[name.name] = name

                define("rate", "Inputs!$B$2")
                define("allocation", "'Summary''s money'!$C$2")
                book.save(sys.argv[1])
                """#)
        let original = try Data(contentsOf: book)
        let unchanged = try recalculate(book, reading: ["rate", "allocation"], sheets: ["Summary's money"])
        #expect(unchanged.names == ["rate": "2", "allocation": "20"])
        #expect(unchanged.sheets["Summary's money"]?.last == ["10", "10", "20"])
        // 10 × 3.25 is 32.5 exactly, which ROUND takes up to 33.
        let changed = try recalculate(book, setting: ["rate": "3.25"], reading: ["rate", "allocation"])
        #expect(changed.names == ["rate": "3.25", "allocation": "33"])
        let emptied = try recalculate(book, setting: ["rate": ""], reading: ["rate", "allocation"])
        #expect(emptied.names == ["rate": "", "allocation": ""])
        // The workbook itself is untouched, and a name the workbook lacks is an error.
        #expect(try Data(contentsOf: book) == original)
        #expect(throws: ToolFailed.self) { try recalculate(book, setting: ["rates": "1"], reading: ["allocation"]) }
        #expect(throws: ToolFailed.self) { try recalculate(book, reading: ["volume"]) }
    }

    @Test("the default workbook recalculated unchanged: no allocation without rates, and summary.csv's weighted volumes")
    func defaultWorkbook() throws {
        let scratch = Scratch()
        let out = try run(method: nil, in: scratch, folder: "default")
        let csv = try summary(out)
        let book = try recalculate(
            out.appendingPathComponent("summary.xlsx"),
            reading: allocationNames + elements.map { "rate_\($0.suffix)" }, sheets: ["Summary"])
        for name in allocationNames + elements.map({ "rate_\($0.suffix)" }) {
            #expect(book.names[name] == "", "\(name) is \(book.names[name] ?? "missing"), not empty")
        }
        for element in elements {
            let row = try #require(csv[element.name])
            #expect(row[3] == "", "\(element.name): summary.csv has no allocation")
            let volume = book.value("Summary", row: element.name, header: "Weighted volume")
            #expect(
                volume.map { same($0, row[1], places: 9) } == true,
                "\(element.name): the workbook's weighted volume is \(volume ?? "missing"), summary.csv's \(row[1])")
        }
    }

    @Test("the default workbook with a held-out method's rates and weights typed in gives that method's allocations")
    func heldOutMethod() throws {
        let scratch = Scratch()
        let method = repository.appendingPathComponent("TestData/methods/held-out.yaml")
        let defaultOut = try run(method: nil, in: scratch, folder: "default")
        let heldOut = try run(method: method.path, in: scratch, folder: "held-out")
        let settings = try inputs(of: method, cells: defaultOut.appendingPathComponent("cells.csv"))
        // A rate for each element, and a weight for each of the 37 cells.
        #expect(settings.count == 3 + 37)
        let book = try recalculate(
            defaultOut.appendingPathComponent("summary.xlsx"), setting: settings, reading: allocationNames,
            sheets: ["Summary"])
        let csv = try summary(heldOut)
        for element in elements {
            let row = try #require(csv[element.name])
            #expect(row[3] != "", "\(element.name): the held-out method has a rate")
            let allocation = book.names["allocation_\(element.suffix)"]
            #expect(
                allocation.map { same($0, row[3]) } == true,
                "\(element.name): the workbook gives £\(allocation ?? "missing"), the held-out run £\(row[3])")
            let volume = book.value("Summary", row: element.name, header: "Weighted volume")
            #expect(
                volume.map { same($0, row[1], places: 9) } == true,
                "\(element.name): the workbook's weighted volume is \(volume ?? "missing"), the held-out run's \(row[1])")
        }
        let total = try #require(csv["TOTAL"])[3]
        let workbookTotal = book.names["allocation_total"]
        #expect(
            workbookTotal.map { same($0, total) } == true,
            "TOTAL: the workbook gives £\(workbookTotal ?? "missing"), the held-out run £\(total)")
    }

    @Test("bands and a minimum: recalculated as written, and with a band's weight and a minimum changed on Inputs")
    func bandsAndMinimum() throws {
        let scratch = Scratch()
        let out = try run(method: "TestData/methods/bands.yaml", in: scratch, folder: "bands")
        let unchanged = try recalculate(out.appendingPathComponent("summary.xlsx"), reading: allocationNames)
        let csv = try summary(out)
        for (element, name) in zip(elements, allocationNames) {
            #expect(unchanged.names[name] == csv[element.name]?[3], "\(name)")
        }
        // The same figures changed in a copy of the method file, run by soalloc.
        let original = try String(contentsOf: repository.appendingPathComponent("TestData/methods/bands.yaml"), encoding: .utf8)
        let changed = original.replacingOccurrences(of: "{ from: 0.05, to: 0.1, weight: 1.5 }", with: "{ from: 0.05, to: 0.1, weight: 3 }")
            .replacingOccurrences(of: "minimum: { value: 50000, source: \"made up: binds, as 12.5 a unit gives less\" }", with: "minimum: null")
        #expect(changed != original)
        let method = scratch.url.appendingPathComponent("changed.yaml")
        try changed.write(to: method, atomically: true, encoding: .utf8)
        let expected = try summary(try run(method: method.path, in: scratch, folder: "changed"))
        let typed = try recalculate(
            out.appendingPathComponent("summary.xlsx"), setting: ["band_weight_2": "3", "minimum_widening_access": ""],
            reading: allocationNames)
        for (element, name) in zip(elements, allocationNames) {
            #expect(typed.names[name] == expected[element.name]?[3], "\(name): \(typed.names[name] ?? "missing")")
        }
        #expect(expected["DISABILITY"]?[3] == "333167", "111 × 3 × £1,000.50, rounded half up")
    }
}
