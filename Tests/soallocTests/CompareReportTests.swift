import Foundation
import Testing

/// `report.html` and `summary.xlsx` of `soalloc compare`: the same figures as
/// its CSV files, read back by Python's XML parser and by openpyxl.
@Suite("Compare report")
struct CompareReportTests {
    private func compare(_ arguments: [String], out: URL, status: Int32 = 0) throws -> Outcome {
        let outcome = try soalloc(["compare"] + arguments + ["--out", out.path], in: repository)
        #expect(outcome.status == status, "\(outcome.standardError)")
        return outcome
    }

    /// The hand-made pair, OLD under the example method and NEW under the held-out one: records changed, added
    /// and removed, and money on both sides.
    private let pair = [
        "TestData/compare/old.ind", "TestData/compare/new.ind", "--method-old", "TestData/methods/example.yaml",
        "--method-new", "TestData/methods/held-out.yaml",
    ]

    private func rows(_ out: URL, _ name: String) throws -> [[String: String]] {
        let text = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    /// A figure as the page or the workbook shows it (`+£1,234`, `-5`), as a Decimal; nil for "—" or empty.
    private func figure(_ text: String) -> Decimal? {
        let plain = text.filter { $0 != "£" && $0 != "," && $0 != "+" }
        return plain.isEmpty || plain == "—" ? nil : Decimal(string: plain, locale: Locale(identifier: "en_US_POSIX"))
    }

    @Test("report.html parses as XML, has no scripts or links, and shows the counts and the money of summary-delta.csv")
    func page() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("compare")
        let outcome = try compare(pair, out: out)
        let json = try python(
            ["-", out.appendingPathComponent("report.html").path],
            input: """
                import json, sys, xml.dom.minidom
                document = xml.dom.minidom.parse(sys.argv[1])
                def text(node):
                    return "".join(t.data for t in node.childNodes if t.nodeType == t.TEXT_NODE) + "".join(
                        text(c) for c in node.childNodes if c.nodeType == c.ELEMENT_NODE)
                rows = [[text(c) for c in tr.childNodes if c.nodeType == c.ELEMENT_NODE]
                        for tr in document.getElementsByTagName("tr")]
                print(json.dumps({"root": document.documentElement.tagName, "rows": rows,
                    "scripts": len(document.getElementsByTagName("script")), "links": len(document.getElementsByTagName("a"))
                        + len(document.getElementsByTagName("link"))}))
                """)
        struct Parsed: Decodable {
            var root: String
            var rows: [[String]]
            var scripts: Int
            var links: Int
        }
        let parsed = try JSONDecoder().decode(Parsed.self, from: Data(json.utf8))
        #expect(parsed.root == "html")
        #expect(parsed.scripts == 0 && parsed.links == 0)
        func row(_ first: String) -> [String]? { parsed.rows.first { $0.first == first } }
        #expect(row("OLD")?.last?.hasPrefix("TestData/compare/old.ind") == true)
        #expect(row("NEW")?.last?.hasPrefix("TestData/compare/new.ind") == true)
        #expect(row("Changed") == ["Changed", "2"])
        #expect(row("Added") == ["Added", "1"])
        #expect(row("Removed") == ["Removed", "1"])
        #expect(outcome.standardOutput.contains("changed  2"))

        let money = try rows(out, "summary-delta.csv")
        #expect(money.count == 4)
        var anyDelta = false
        for element in money {
            let name = element["ELEMENT"]!
            let shown = try #require(parsed.rows.first { $0.count == 6 && $0[1] == name }, "\(name)")
            #expect(figure(shown[2]) == Decimal(string: element["OLD_ALLOCATION"]!), "\(name)")
            #expect(figure(shown[3]) == Decimal(string: element["NEW_ALLOCATION"]!), "\(name)")
            #expect(figure(shown[4]) == Decimal(string: element["DELTA_ALLOCATION"]!), "\(name)")
            #expect(shown[5] == element["NOTE"]!, "\(name)")
            if figure(shown[4]) != 0 { anyDelta = true }
        }
        #expect(anyDelta, "the pair moves money")

        // Each cell with a change in cells-delta.csv has its row on the page.
        for cell in try rows(out, "cells-delta.csv") where cell["DELTA_HEADCOUNT"] != "0" || figure(cell["DELTA_FTE"]!) != 0 {
            let shown = try #require(parsed.rows.first { $0.count == 8 && $0[0] == cell["ELEMENT"] && $0[1] == cell["CELL"] })
            #expect(figure(shown[4]) == figure(cell["DELTA_HEADCOUNT"]!))
        }
    }

    @Test("summary.xlsx has a \"What changed\" sheet with the same figures, money as £#,##0 numbers")
    func workbook() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("compare")
        _ = try compare(pair, out: out)
        let json = try python(
            ["-", out.appendingPathComponent("summary.xlsx").path],
            input: """
                import json, sys, openpyxl
                book = openpyxl.load_workbook(sys.argv[1])
                def show(cell):
                    if cell.value is None: return None
                    return {"value": repr(cell.value) if isinstance(cell.value, (int, float)) else cell.value,
                            "number": isinstance(cell.value, (int, float)), "format": cell.number_format}
                print(json.dumps({"sheets": book.sheetnames,
                    "rows": {name: [[show(c) for c in row] for row in book[name].iter_rows()] for name in book.sheetnames}}))
                """)
        struct Cell: Decodable {
            var value: String
            var number: Bool
            var format: String
        }
        struct Parsed: Decodable {
            var sheets: [String]
            var rows: [String: [[Cell?]]]
        }
        let parsed = try JSONDecoder().decode(Parsed.self, from: Data(json.utf8))
        #expect(parsed.sheets == ["What changed", "Cells delta"])
        let sheet = try #require(parsed.rows["What changed"])
        func row(_ first: String) -> [Cell?]? { sheet.first { $0.first??.value == first } }
        for (label, count) in [("Changed", 2), ("Added", 1), ("Removed", 1)] {
            let cell = try #require(row(label)?[1], "\(label)")
            #expect(cell.number && Decimal(string: cell.value) == Decimal(count), "\(label)")
        }
        #expect(row("OLD")?[1]?.value == "TestData/compare/old.ind")
        for element in try rows(out, "summary-delta.csv") {
            let name = element["ELEMENT"]!
            let shown = try #require(row(name), "\(name)")
            for (column, key) in [(2, "OLD_ALLOCATION"), (3, "NEW_ALLOCATION"), (4, "DELTA_ALLOCATION")] {
                let cell = try #require(shown[column], "\(name) \(key)")
                #expect(cell.number && cell.format == "£#,##0", "\(name) \(key)")
                #expect(Decimal(string: cell.value) == Decimal(string: element[key]!), "\(name) \(key)")
            }
        }
        let cells = try #require(parsed.rows["Cells delta"])
        let csv = try rows(out, "cells-delta.csv")
        #expect(cells.count == csv.count + 1)
        for (shown, cell) in zip(cells.dropFirst(), csv) {
            #expect(shown[1]?.value == cell["CELL"])
            #expect(shown[4].flatMap { Decimal(string: $0.value) } == Decimal(string: cell["DELTA_HEADCOUNT"]!))
        }
    }

    @Test("--no-xlsx and --no-html leave them out; a re-run into the same folder replaces them")
    func optional() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("compare")
        _ = try compare(pair, out: out)
        let first = try Data(contentsOf: out.appendingPathComponent("report.html"))
        _ = try compare(pair, out: out)
        #expect(try Data(contentsOf: out.appendingPathComponent("report.html")) == first)
        let outcome = try compare(pair + ["--no-xlsx", "--no-html"], out: out)
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(!names.contains("report.html") && !names.contains("summary.xlsx"))
        #expect(names.count == 6)
        #expect(!outcome.standardOutput.contains("report.html"))
    }
}
