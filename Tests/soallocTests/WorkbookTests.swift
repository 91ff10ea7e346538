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
        if value is None or value == "":
            return Decimal(0)
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)

    # Workbook-level names: name -> (sheet, cell).
    names = {}
    for definition in formulas.defined_names.definedName:
        for sheet, ref in definition.destinations:
            names[definition.name] = (sheet, ref.replace("$", ""))

    def value_of(sheet, ref):
        """A cell's value worked out again: a formula evaluated here, else the value."""
        value = formulas[sheet][ref].value
        if isinstance(value, str) and value.startswith("="):
            return Formula(value[1:], sheet).expression()
        return "" if value is None else (value if isinstance(value, str) else number(value))

    TOKEN = re.compile(r"\s*(?:(?P<string>\"(?:[^\"]|\"\")*\")|(?P<number>[0-9]+(?:\.[0-9]+)?)"
                       r"|(?P<ref>(?:'[^']+'!|[A-Za-z]+!)?\$?[A-Z]+\$?[0-9]+(?::\$?[A-Z]+\$?[0-9]+)?)"
                       r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><>|<=|>=|[-+*/(),=<>]))")

    class Formula:
        """The formulas soalloc writes: + - * /, comparisons, references, ranges,
        names, and IF, MAX, N, ROUND, SUM, OR, AND, LOOKUP."""
        def __init__(self, text, sheet):
            self.sheet, self.tokens, at = sheet, [], 0
            while at < len(text):
                m = TOKEN.match(text, at)
                if not m:
                    raise SystemExit(f"a formula this reader does not know: ={text} in {sheet}")
                kind = m.lastgroup
                self.tokens.append((kind, m.group(kind)))
                at = m.end()
            self.at = 0

        def peek(self):
            return self.tokens[self.at] if self.at < len(self.tokens) else (None, None)

        def take(self, value=None):
            token = self.tokens[self.at]
            if value is not None and token[1] != value:
                raise SystemExit(f"expected {value}, got {token}")
            self.at += 1
            return token

        def expression(self):
            left = self.sum()
            while self.peek()[1] in ("=", "<>", "<", ">", "<=", ">="):
                op = self.take()[1]
                right = self.sum()
                if isinstance(left, str) != isinstance(right, str):
                    # As a spreadsheet compares them: any number is less than any text.
                    left, right = (0, 1) if isinstance(right, str) else (1, 0)
                    left = {"=": False, "<>": True, "<": left < right, ">": left > right,
                            "<=": left <= right, ">=": left >= right}[op]
                else:
                    left = {"=": left == right, "<>": left != right, "<": left < right, ">": left > right,
                            "<=": left <= right, ">=": left >= right}[op]
            return left

        def sum(self):
            left = self.product()
            while self.peek()[1] in ("+", "-"):
                op = self.take()[1]
                right = self.product()
                left = left + right if op == "+" else left - right
            return left

        def product(self):
            left = self.atom()
            while self.peek()[1] in ("*", "/"):
                op = self.take()[1]
                right = self.atom()
                left = number(left) * number(right) if op == "*" else number(left) / number(right)
            return left

        def range(self, text):
            sheet, ref = (text.rsplit("!", 1) if "!" in text else (self.sheet, text))
            sheet = sheet.strip("'")
            first, last = ref.replace("$", "").split(":")
            a = openpyxl.utils.cell.coordinate_from_string(first)
            b = openpyxl.utils.cell.coordinate_from_string(last)
            return [value_of(sheet, f"{a[0]}{row}") for row in range(a[1], b[1] + 1)]

        def atom(self):
            kind, value = self.take()
            if kind == "number":
                return Decimal(value)
            if kind == "string":
                return value[1:-1].replace('""', '"')
            if value == "(":
                inner = self.expression()
                self.take(")")
                return inner
            if value == "-":
                return -number(self.atom())
            if kind == "ref":
                if ":" in value:
                    return self.range(value)
                sheet, ref = (value.rsplit("!", 1) if "!" in value else (self.sheet, value))
                return value_of(sheet.strip("'"), ref.replace("$", ""))
            if kind == "name" and self.peek()[1] == "(":
                self.take("(")
                arguments = []
                while self.peek()[1] != ")":
                    arguments.append(self.expression())
                    if self.peek()[1] == ",":
                        self.take(",")
                self.take(")")
                return self.call(value, arguments)
            if kind == "name" and value in names:
                return value_of(*names[value])
            raise SystemExit(f"a formula this reader does not know: {value} in {self.sheet}")

        def call(self, function, arguments):
            values = lambda: [v for a in arguments for v in (a if isinstance(a, list) else [a])]
            if function == "IF":
                return arguments[1] if arguments[0] else arguments[2]
            if function == "MAX":
                return max(number(v) for v in values() if v != "")
            if function == "N":
                return arguments[0] if isinstance(arguments[0], Decimal) else Decimal(0)
            if function == "ROUND":
                return number(arguments[0]).quantize(Decimal(1).scaleb(-int(arguments[1])), ROUND_HALF_UP)
            if function == "SUM":
                return sum((number(v) for v in values() if v != ""), Decimal(0))
            if function == "OR":
                return any(arguments)
            if function == "AND":
                return all(arguments)
            if function == "LOOKUP":
                found = None
                for key, result in zip(arguments[1], arguments[2]):
                    if key != "" and number(key) <= number(arguments[0]):
                        found = result
                return found
            raise SystemExit(f"a function this reader does not know: {function}")

    def evaluate(sheet, ref):
        return value_of(sheet, ref)

    def shown(value):
        return value if isinstance(value, str) else str(number(value))

    result = {"sheets": formulas.sheetnames, "formulas": {}, "rows": {}, "freeze": {}, "formats": {}}
    for sheet in formulas.worksheets:
        result["freeze"][sheet.title] = sheet.freeze_panes
        rows = []
        for row in sheet.iter_rows():
            texts = []
            for cell in row:
                key = f"{sheet.title}!{cell.coordinate}"
                if cell.data_type == "f":
                    value = cached[sheet.title][cell.coordinate].value
                    result["formulas"][key] = {
                        "formula": cell.value,
                        "cached": shown("" if value is None else value),
                        "evaluated": shown(evaluate(sheet.title, cell.coordinate)),
                    }
                    texts.append(shown("" if value is None else value))
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

/// Whether a formula worked out in decimal gives its cached value: exactly,
/// or for a quotient, which a double holds to 17 digits, to 15 places.
private func agrees(_ evaluated: String, _ cached: String) -> Bool {
    guard let x = Decimal(string: evaluated, locale: Locale(identifier: "en_US_POSIX")),
        let y = Decimal(string: cached, locale: Locale(identifier: "en_US_POSIX"))
    else { return evaluated == cached }
    return x == y || (x - y).magnitude < Decimal(string: "1e-15")!
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
            "Summary", "Inputs", "Disability", "WideningAccess", "Retention", "Patterns", "Reconciliation",
            "Differences", "Data-quality findings", "Method", "Run",
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
                let key = ["disability", "widening_access", "retention"][index]
                #expect(
                    allocation.formula
                        == "=IF(rate_\(key)=\"\",\"\",MAX(N(minimum_\(key)),ROUND(C\(line)*rate_\(key),0)))")
                #expect(same(allocation.cached, row[4]), "\(row[0]) allocation \(allocation.cached) against \(row[4])")
                #expect(book.formats["Summary!E\(line)"] == "£#,##0")
            } else {
                let total = try #require(book.formulas["Summary!E5"])
                #expect(total.formula == "=IF(OR(E2=\"\",E3=\"\",E4=\"\"),\"\",SUM(E2:E4))")
                #expect(same(total.cached, row[4]))
            }
        }
    }

    @Test("every formula, worked out again in decimal from the cells it refers to, gives its cached value")
    func formulasAgree() {
        // Summary: 3 volumes, rates, allocations and notes, and the total; on the element
        // sheets, each cell's weight (from Inputs) and weighted volume, and the totals.
        #expect(book.formulas.count == 13 + (2 * 2 + 1) + (2 * 18 + 3) + (2 * 17 + 3))
        for (cell, formula) in book.formulas.sorted(by: { $0.key < $1.key }) {
            #expect(same(formula.evaluated, formula.cached), "\(cell) \(formula.formula)")
        }
    }

    @Test("every rate, minimum and weight is a named, unlocked, coloured number on Inputs, and the rest is protected")
    func inputs() throws {
        let facts = try python(
            ["-", out.appendingPathComponent("summary.xlsx").path],
            input: #"""
                import sys, openpyxl
                book = openpyxl.load_workbook(sys.argv[1])
                inputs = book["Inputs"]
                print("protected", inputs.protection.sheet, inputs.protection.password)
                for definition in book.defined_names.definedName:
                    (sheet, ref), = definition.destinations
                    cell = book[sheet][ref.replace("$", "")]
                    print(definition.name, sheet, "" if cell.value is None else cell.value,
                          "unlocked" if not cell.protection.locked else "locked", cell.fill.fgColor.rgb)
                """#)
        let lines = facts.split(separator: "\n").map(String.init)
        #expect(lines[0] == "protected True None")
        var names: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            names[words[0]] = Array(words.dropFirst())
        }
        #expect(names["rate_disability"]?.prefix(3) == ["Inputs", "1234.56", "unlocked"])
        #expect(names["minimum_retention"]?.prefix(2) == ["Inputs", "unlocked"], "an empty minimum")
        let cells = try csvRows(out.appendingPathComponent("cells.csv")).dropFirst()
        for cell in cells {
            let name = "weight_\(cell[0])_\(cell[1])"
            let found = try #require(names[name], "\(name)")
            #expect(found[0] == "Inputs" && found[2] == "unlocked" && found[3] == "FFFFF2CC", "\(name) \(found)")
        }
        #expect(names["weight_DISABILITY_DISPOP"]?[1] == "0", "a cell the method leaves out weighs 0")
        for name in ["allocation_disability", "allocation_widening_access", "allocation_retention", "allocation_total"] {
            #expect(names[name]?.first == "Summary", "\(name)")
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

    @Test("Differences and the data-quality findings hold the CSV files' rows, with a note of the total; Method and Run the provenance")
    func longSheets() throws {
        for (sheet, file) in [("Differences", "differences.csv"), ("Data-quality findings", "credibility.csv")] {
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

@Suite("End to end: summary.xlsx as a live model, with the default method and with bands and minimums")
struct LiveModelTests {
    @Test("the default method's workbook: every allocation a formula, empty without a rate, and the next step said")
    func defaultMethod() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        #expect(try soalloc(["TestData/SO14_F10000001.ind", "--out", out.path], in: repository).status == 0)
        let book = try OpenedWorkbook(out.appendingPathComponent("summary.xlsx"))
        for line in 2...5 {
            let allocation = try #require(book.formulas["Summary!E\(line)"], "an allocation is a formula without a rate")
            #expect(allocation.cached == "")
            #expect(allocation.evaluated == "")
        }
        #expect(book.row("Summary", "DISABILITY")?[5] == "rate not set in method; take it from your SO14 workbook")
        #expect(book.row("Summary", "Next step")?[1].hasPrefix("Type each rate and weight") == true)
        for (cell, formula) in book.formulas { #expect(agrees(formula.evaluated, formula.cached), "\(cell) \(formula.formula)") }
    }

    @Test("bands and minimums: the proportion, its band by LOOKUP over Inputs and the money agree with summary.csv")
    func bands() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc(
            ["TestData/SO14_F10000001.ind", "--out", out.path, "--method", "TestData/methods/bands.yaml"], in: repository)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let book = try OpenedWorkbook(out.appendingPathComponent("summary.xlsx"))
        for (cell, formula) in book.formulas { #expect(agrees(formula.evaluated, formula.cached), "\(cell) \(formula.formula)") }
        // DISALLOC 111 of DISPOP 1,448 is 0.0767: the band from 0.05 to 0.1, of weight 1.5.
        #expect(book.row("Disability", "Band weight")?[1] == "1.5")
        #expect(book.formulas["Disability!B11"]?.formula.contains("LOOKUP(B10,Inputs!") == true)
        let summary = try csvRows(out.appendingPathComponent("summary.csv"))
        #expect(summary[1][2] == "166.5" && summary[1][4] == "166583", "111 × 1.5 = 166.5, × £1,000.50")
        #expect(summary[2][4] == "50000", "the minimum binds")
        for (line, row) in summary.dropFirst().enumerated() where line < 3 {
            #expect(same(book.formulas["Summary!E\(line + 2)"]?.cached ?? "", row[4]), "\(row[0])")
        }
        #expect(outcome.standardOutput.contains("  warning: the method sets retention's rate but gives no weight to Y_F_U,"))
        #expect(book.row("Summary", "Warning")?[1].hasPrefix("the method sets retention's rate") == true)
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
        #expect(book.rows["Data-quality findings"]?.contains { $0.contains("x\u{FFFD}") } == true)
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
