import Foundation
import Testing

/// Reads a workbook with openpyxl and prints, as JSON, its sheets, every
/// formula with its cached value and the value the formula gives when it is
/// worked out again here in decimal, and each sheet's cells as text.
private let reader = #"""
    import json, re, sys
    from decimal import Decimal, ROUND_HALF_UP
    import openpyxl

    path = sys.argv[1]
    formulas = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)

    def number(value):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value if value is not None else 0)

    def evaluate(sheet, ref):
        value = formulas[sheet][ref].value
        if not (isinstance(value, str) and value.startswith("=")):
            return number(value)
        formula = value[1:]
        if m := re.fullmatch(r"'([^']+)'!([A-Z]+[0-9]+)", formula):
            return evaluate(m[1], m[2])
        if m := re.fullmatch(r"([A-Z]+[0-9]+)\*([A-Z]+[0-9]+)", formula):
            return evaluate(sheet, m[1]) * evaluate(sheet, m[2])
        if m := re.fullmatch(r"ROUND\(([A-Z]+[0-9]+)\*([A-Z]+[0-9]+),0\)", formula):
            return (evaluate(sheet, m[1]) * evaluate(sheet, m[2])).quantize(Decimal(1), ROUND_HALF_UP)
        if m := re.fullmatch(r"SUM\(([A-Z]+)([0-9]+):\1([0-9]+)\)", formula):
            return sum((evaluate(sheet, f"{m[1]}{row}") for row in range(int(m[2]), int(m[3]) + 1)), Decimal(0))
        raise SystemExit(f"a formula this reader does not know: {value} in {sheet}!{ref}")

    result = {"sheets": formulas.sheetnames, "formulas": {}, "rows": {}, "freeze": {}, "formats": {}}
    for sheet in formulas.worksheets:
        result["freeze"][sheet.title] = sheet.freeze_panes
        rows = []
        for row in sheet.iter_rows():
            texts = []
            for cell in row:
                key = f"{sheet.title}!{cell.coordinate}"
                if cell.data_type == "f":
                    result["formulas"][key] = {
                        "formula": cell.value,
                        "cached": str(number(cached[sheet.title][cell.coordinate].value)),
                        "evaluated": str(evaluate(sheet.title, cell.coordinate)),
                    }
                    texts.append(str(number(cached[sheet.title][cell.coordinate].value)))
                elif isinstance(cell.value, float):
                    texts.append(str(number(cell.value)))
                else:
                    texts.append("" if cell.value is None else str(cell.value))
                result["formats"][key] = cell.number_format
            rows.append(texts)
        result["rows"][sheet.title] = rows
    print(json.dumps(result))
    """#

/// What the reader found in a workbook.
struct OpenedWorkbook: Decodable {
    struct Formula: Decodable {
        var formula: String
        var cached: String
        var evaluated: String
    }

    var sheets: [String]
    var formulas: [String: Formula]
    var rows: [String: [[String]]]
    var freeze: [String: String?]
    var formats: [String: String]

    init(_ url: URL) throws {
        let json = try python(["-", url.path], input: reader)
        self = try JSONDecoder().decode(OpenedWorkbook.self, from: Data(json.utf8))
    }

    /// The row of `sheet` whose first cell is `name`.
    func row(_ sheet: String, _ name: String) -> [String]? {
        rows[sheet]?.first { $0.first == name }
    }
}

/// The rows of a CSV output without quoted commas (the tables' files).
private func csvRows(_ url: URL) throws -> [[String]] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
}

private func same(_ a: String, _ b: String) -> Bool {
    guard let x = Decimal(string: a, locale: Locale(identifier: "en_US_POSIX")),
        let y = Decimal(string: b, locale: Locale(identifier: "en_US_POSIX"))
    else { return a == b }
    return x == y
}

@Suite("End to end: summary.xlsx, read by openpyxl")
struct WorkbookTests {
    let scratch = Scratch()
    let out: URL
    let book: OpenedWorkbook

    init() throws {
        out = try runExampleMethod(in: scratch)
        book = try OpenedWorkbook(out.appendingPathComponent("summary.xlsx"))
    }

    @Test("the sheets are named and ordered as the SO14 workbook's readers expect, each with its header frozen")
    func sheets() {
        #expect(book.sheets == [
            "Summary", "Disability", "WideningAccess", "Retention", "Patterns", "Reconciliation", "Differences",
            "Credibility", "Method", "Run",
        ])
        for sheet in book.sheets { #expect(book.freeze[sheet] == "A2", "\(sheet)") }
    }

    @Test("each Summary figure is a formula over the element sheets, and its cached value is summary.csv's")
    func summaryFormulas() throws {
        let summary = try csvRows(out.appendingPathComponent("summary.csv")).dropFirst()
        #expect(summary.count == 4)
        let sheets = ["Disability", "WideningAccess", "Retention"]
        for (index, row) in summary.enumerated() {
            let line = index + 2
            #expect(book.row("Summary", row[0]) != nil, "\(row[0])")
            if index < 3 {
                let volume = try #require(book.formulas["Summary!C\(line)"])
                #expect(volume.formula.hasPrefix("='\(sheets[index])'!E"))
                #expect(same(volume.cached, row[2]), "\(row[0]) volume \(volume.cached) against \(row[2])")
                #expect(same(book.rows["Summary"]![line - 1][3], row[3]), "\(row[0]) rate")
                let allocation = try #require(book.formulas["Summary!E\(line)"])
                #expect(allocation.formula == "=ROUND(C\(line)*D\(line),0)")
                #expect(same(allocation.cached, row[4]), "\(row[0]) allocation \(allocation.cached) against \(row[4])")
                #expect(book.formats["Summary!E\(line)"] == "£#,##0")
            } else {
                let total = try #require(book.formulas["Summary!E5"])
                #expect(total.formula == "=SUM(E2:E4)")
                #expect(same(total.cached, row[4]))
            }
        }
    }

    @Test("every formula, worked out again in decimal from the cells it refers to, gives its cached value")
    func formulasAgree() {
        // Summary: 3 volumes, 3 allocations, the total; the element sheets' weighted volumes and totals.
        #expect(book.formulas.count == 7 + (2 + 1) + (18 + 3) + (17 + 3))
        for (cell, formula) in book.formulas.sorted(by: { $0.key < $1.key }) {
            #expect(same(formula.evaluated, formula.cached), "\(cell) \(formula.formula)")
        }
    }

    @Test("the element sheets hold cells.csv's headcounts and FTEs, with the method's weights")
    func elementSheets() throws {
        let sheet = ["DISABILITY": "Disability", "WIDENING_ACCESS": "WideningAccess", "RETENTION": "Retention"]
        for cell in try csvRows(out.appendingPathComponent("cells.csv")).dropFirst() where cell.count == 4 {
            let row = try #require(book.row(sheet[cell[0]]!, cell[1]), "\(cell[1])")
            #expect(same(row[1], cell[2]), "\(cell[1]) headcount")
            #expect(same(row[2], cell[3]), "\(cell[1]) FTE")
        }
        let retention = try csvRows(out.appendingPathComponent("retention.csv")).dropFirst().dropLast()
        for group in retention {
            let row = try #require(book.row("Retention", group[0]))
            #expect(same(row[3], group[3]), "\(group[0]) weight")
            #expect(same(row[4], group[4]), "\(group[0]) weighted volume")
        }
        #expect(book.formats["Retention!C2"] == "#,##0.00")
        #expect(book.formats["Disability!D7"] == "0.0000")
    }

    @Test("Differences and Credibility hold the CSV files' rows, with a note of the total; Method and Run the provenance")
    func longSheets() throws {
        for (sheet, file) in [("Differences", "differences.csv"), ("Credibility", "credibility.csv")] {
            let lines = try String(contentsOf: out.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n").count - 1
            let rows = try #require(book.rows[sheet])
            #expect(rows.count == lines + 3, "\(sheet)")
            #expect(rows.last?.first == "\(lines) rows.", "\(sheet)")
            #expect(rows[1].first.flatMap { Int($0) } != nil, "\(sheet): ROW is a number")
        }
        #expect(book.row("Method", "elements.disability.rate")?[1] == "1234.56")
        #expect(book.row("Method", "origin")?[1] == "TestData/methods/example.yaml")
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json")))
        let inputs = try #require((run as? [String: Any])?["inputs"] as? [[String: Any]])
        #expect(book.row("Run", "input SHA-256")?[1] == inputs[0]["sha256"] as? String)
        #expect(book.row("Run", "records")?[1] == "3000")
    }
}

@Suite("End to end: summary.xlsx's limits, and turning the outputs off")
struct WorkbookLimitTests {
    @Test("a sheet stops at 100,000 rows, and says how many differences.csv has")
    func longestSheet() throws {
        let scratch = Scratch()
        // Every derived column of the sample made wrong: 13 differences a record.
        let input = scratch.url.appendingPathComponent("SO14_F10000001.ind")
        _ = try python(
            [
                "-", repository.appendingPathComponent("TestData/SO14_F10000001.ind").path, input.path,
            ],
            input: #"""
                import csv, sys
                rows = list(csv.reader(open(sys.argv[1], newline="")))
                header = rows[0]
                derived = [i for i, name in enumerate(header) if name in (
                    "DISPOP DISALLOC UGDSA PGDSA WAPOP WAQUIN HIGHQUAL SOENTRANT SOENTRYAGE SOLINKAGE EQPOP EQGRP UGLEVEL".split())]
                writer = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\r\n")
                writer.writerow(header)
                good = [row for row in rows[1:] if len(row) == len(header)]
                for n in range(7700):
                    row = list(good[n % len(good)])
                    for i in derived:
                        row[i] = "9"
                    writer.writerow(row)
                """#)
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc([input.path, "--out", out.path, "--no-html"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let differences = try String(contentsOf: out.appendingPathComponent("differences.csv"), encoding: .utf8)
            .split(separator: "\n").count - 1
        #expect(differences == 7700 * 13)
        // The sheet's XML, read directly: openpyxl takes minutes over 800,000 cells.
        let facts = try python(
            ["-", out.appendingPathComponent("summary.xlsx").path],
            input: #"""
                import re, sys, zipfile
                book = zipfile.ZipFile(sys.argv[1])
                names = re.findall(r'<sheet name="([^"]+)" sheetId="[0-9]+" r:id="(rId[0-9]+)"', book.read("xl/workbook.xml").decode())
                links = dict(re.findall(r'Id="(rId[0-9]+)" Type="[^"]+/worksheet" Target="([^"]+)"', book.read("xl/_rels/workbook.xml.rels").decode()))
                sheet = book.read("xl/" + links[dict(names)["Differences"]]).decode()
                rows = re.findall(r'<row r="([0-9]+)"', sheet)
                print(len(rows), rows[-2], re.search(r'<autoFilter ref="([^"]+)"', sheet)[1])
                print(re.findall(r"<t>(The first [^<]*)</t>", sheet)[0])
                """#)
        #expect(facts == "100002 100001 A1:L100001\nThe first 100000 of 100100 rows; differences.csv has them all.\n")
    }

    @Test("control characters and NUL in the file keep summary.xlsx readable and report.html well-formed")
    func controlCharacters() throws {
        let scratch = Scratch()
        let input = scratch.url.appendingPathComponent("control.ind")
        // The UKPRN of every record with a NUL and a U+0001, and a HEFESFTE, which a finding quotes, with a U+0001.
        try hostileCopy(["UKPRN": #""1000\x00\x010001""#, "HEFESFTE": #""x\x01""#], to: input)
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc([input.path, "--out", out.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let book = try OpenedWorkbook(out.appendingPathComponent("summary.xlsx"))
        #expect(book.row("Summary", "Provider")?[1] == "UKPRN 1000\u{2400}\u{FFFD}0001")
        #expect(book.rows["Credibility"]?.contains { $0.contains("x\u{FFFD}") } == true)
        let elements = try python(
            ["-", out.appendingPathComponent("report.html").path],
            input: """
                import sys, xml.dom.minidom
                document = xml.dom.minidom.parse(sys.argv[1])
                print(document.getElementsByTagName("h1")[0].firstChild.data)
                """)
        #expect(elements == "2016-17 targeted allocations: UKPRN 1000\u{2400}\u{FFFD}0001\n")
    }

    @Test("--no-xlsx and --no-html write neither file, and run.json records it")
    func turnedOff() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc(["TestData/rules/DISPOP.ind", "--out", out.path, "--no-xlsx", "--no-html"], in: repository)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let written = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(written == outputNames.filter { $0 != "summary.xlsx" && $0 != "report.html" })
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json")))
        let options = try #require((run as? [String: Any])?["options"] as? [String: String])
        #expect(options["xlsx"] == "false")
        #expect(options["html"] == "false")
        #expect(!outcome.standardOutput.contains("summary.xlsx"))
    }
}
