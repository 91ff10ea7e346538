import Foundation
import SOAllocRules

/// `report.html`: one self-contained page for a finance team or an auditor —
/// the provider, the inputs, the money, the cell tables with two charts, and
/// what differs from HEFCE's values or looks wrong in the data.
///
/// The page has no scripts and no references outside itself; the charts are
/// inline SVG, and the style sheet lays it out for A4 when printed. Every
/// element is closed, so the page also parses as XML. The only time in it is
/// the run's, as `run.json` records it.
enum HTMLReport {
    static let name = "report.html"
    /// How many fields and checks the report lists; the CSV files have them all.
    static let top = 10

    static func text(_ content: Presentation, timestamp: String) -> String {
        var page = Page()
        page.open("head")
        page.line(#"<meta charset="utf-8"/>"#)
        page.element("title", "soalloc: 2016-17 targeted allocations for \(content.provider)")
        page.line("<style>\(style)</style>")
        page.close("head")
        page.open("body")

        page.element("h1", "2016-17 targeted allocations: \(content.provider)")
        page.table(
            [["Run", timestamp], ["soalloc", SOAlloc.version], ["Records", number(content.tally.records)],
             ["Method", "\(content.method.name) (\(content.method.origin))"]]
                + content.inputs.map { ["Input", "\($0.name), \(number($0.size)) bytes, SHA-256 \($0.sha256)"] },
            header: false, className: "facts")

        page.element("h2", "Allocations")
        var money = [["Element", "Basis", "Weighted volume", "Rate (£ per unit)", "Allocation"]]
        for element in content.allocations.elements {
            money.append([
                element.element.name, element.basis.rawValue,
                element.weightedVolume.exact(minimumPlaces: element.basis.places),
                element.rate.map { "£\($0)" } ?? "not set", element.allocation.map(Summary.pounds) ?? "not computed",
            ])
        }
        money.append(["TOTAL", "", "", "", content.allocations.total.map(Summary.pounds) ?? "not computed"])
        page.table(money, className: "money")
        if content.allocations.total == nil {
            page.element("p", "Not computed: \(ElementAllocation.rateNotSet).")
        }

        for element in Element.all {
            page.element("h2", element.title)
            page.table(AllocationTables.table(element, content.cells, content.method).text)
            switch element.layout {
            case .proportion: break
            case .grid(let chart):
                page.element("h3", chart)
                page.open("div", #"class="charts""#)
                for group in element.groups {
                    let headcounts = group.cells.map { content.cells.headcount[$0.index] }
                    page.chart(group.title, zip(group.labels, headcounts).map { ($0, Decimal($1), number($1)) })
                }
                page.close("div")
            case .weighted(let chart):
                page.element("h3", chart)
                page.open("div", #"class="charts""#)
                page.chart(
                    chart, element.cells.map { ($0.name, content.cells.fte($0), content.cells.fte($0).fixed(2)) },
                    wide: true)
                page.close("div")
            }
        }

        page.element("h2", "Differences from HEFCE's values")
        let differences = content.differencesByField
        if differences.isEmpty {
            page.element(
                "p",
                content.tally.compared.contains(true)
                    ? "None: every derived field equals HEFCE's value in the file."
                    : "None compared: the file has no derived columns.")
        } else {
            page.table(
                [["Field", "Differences"]] + differences.prefix(top).map { [$0.field, number($0.count)] }, className: "counts")
            page.element("p", "\(number(content.tally.totalDifferences)) in all; differences.csv lists each one.")
            let patterns = content.hefce.patterns.sorted
            page.element("h3", "Most common differences, by what explains them")
            page.table(
                [["Pattern", "Count", "Field", "File → ours", "Cause", "HEFCE's value needs", "First row"]]
                    + patterns.prefix(Workbook.topPatterns).enumerated().map { index, pattern in
                        [
                            String(index + 1), number(pattern.count), pattern.field,
                            "\(pattern.fileValue.isEmpty ? "(empty)" : pattern.fileValue) → "
                                + (pattern.derivedValue.isEmpty ? "(empty)" : pattern.derivedValue),
                            pattern.cause, pattern.needs, String(pattern.firstRow),
                        ]
                    },
                className: "patterns")
            page.element(
                "p",
                "\(number(patterns.count)) patterns in all; difference-patterns.csv lists each one. To see a pattern's"
                    + " rows, filter the PATTERN column of summary.xlsx's Differences sheet by its number.")
        }

        page.element("h2", "HEFCE's own columns beside ours")
        page.element(
            "p",
            "HEFCE's cells are counted from the file's own DISPOP, DISALLOC, WAPOP, WAQUIN, EQPOP and EQGRP, by the"
                + " same cells and FTE as ours. reconciliation.csv has every cell both ways; movements.csv has each of"
                + " the \(number(content.hefce.movements)) records in a different cell, with the cause.")
        page.table(
            [["Element", "HEFCE's side and ours"]]
                + Element.all.map { element in
                    [
                        element.name,
                        content.hefce.missingNote(element)
                            ?? ReconciliationTables.statement(element, hefce: content.hefce, ours: content.allocations),
                    ]
                },
            className: "reconciliation")

        page.element("h2", "Data-quality findings")
        let findings = content.findingsByCheck
        if findings.isEmpty {
            page.element("p", "None.")
        } else {
            page.table(
                [["Check", "Severity", "Findings"]]
                    + findings.prefix(top).map { [$0.check.rawValue, $0.check.severity.rawValue, number($0.count)] },
                className: "counts")
            page.element("p", "\(number(content.tally.totalFindings)) in all; credibility.csv lists each one.")
        }

        page.close("body")
        return "<!DOCTYPE html>\n<html lang=\"en\">\n" + page.text + "</html>\n"
    }

    /// A whole number with thousands separators.
    static func number(_ value: Int) -> String { Decimal(value).grouped() }

    static let style = """

        @page { size: A4; margin: 15mm; }
        body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #111; max-width: 180mm; margin: 0 auto; }
        h1 { font-size: 15pt; margin: 0 0 6pt; }
        h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: 1px solid #889; break-after: avoid; }
        h3 { font-size: 10pt; margin: 8pt 0 2pt; break-after: avoid; }
        table { border-collapse: collapse; margin: 4pt 0; break-inside: avoid; }
        th, td { border: 1px solid #bbc; padding: 2pt 5pt; text-align: right; }
        th { background: #dde4ee; }
        td:first-child, th:first-child { text-align: left; }
        table.facts td { text-align: left; border: none; padding: 1pt 8pt 1pt 0; }
        table.facts td:last-child { word-break: break-all; }
        table.patterns td, table.reconciliation td { text-align: left; }
        table.patterns td:nth-child(6) { font-size: 8pt; }
        .charts { display: flex; flex-wrap: wrap; gap: 6pt; break-inside: avoid; }
        svg { width: 58mm; height: auto; }
        svg.wide { width: 175mm; }
        svg text { font-size: 11px; font-family: inherit; }
        svg .bar { fill: #3a6ea5; }
        @media print { body { max-width: none; } }

        """
}

/// Markup built line by line, every element closed.
private struct Page {
    var text = ""
    private var depth = 0

    mutating func line(_ markup: String) {
        text += String(repeating: "  ", count: depth) + markup + "\n"
    }

    mutating func open(_ tag: String, _ attributes: String = "") {
        line("<\(tag)\(attributes.isEmpty ? "" : " " + attributes)>")
        depth += 1
    }

    mutating func close(_ tag: String) {
        depth -= 1
        line("</\(tag)>")
    }

    mutating func element(_ tag: String, _ content: String) {
        line("<\(tag)>\(escaped(content))</\(tag)>")
    }

    /// A table of text: the first row is the header unless `header` is false.
    mutating func table(_ rows: [[String]], header: Bool = true, className: String? = nil) {
        open("table", className.map { "class=\"\($0)\"" } ?? "")
        for (index, row) in rows.enumerated() {
            let cell = header && index == 0 ? "th" : "td"
            line("<tr>" + row.map { "<\(cell)>\(escaped($0))</\(cell)>" }.joined() + "</tr>")
        }
        close("table")
    }

    /// A bar chart: one bar per label, its height in proportion to the value,
    /// with the value's text above it.
    mutating func chart(_ title: String, _ bars: [(label: String, value: Decimal, text: String)], wide: Bool = false) {
        let pitch = 46
        let width = 32 + bars.count * pitch
        let top = 28
        let height = 100
        let largest = bars.map(\.value).max() ?? 0
        open(
            "svg",
            "role=\"img\" viewBox=\"0 0 \(width) \(top + height + 20)\"\(wide ? #" class="wide""# : "")"
                + " aria-label=\"\(escaped(title))\"")
        line("<title>\(escaped(title))</title>")
        line("<text x=\"2\" y=\"12\">\(escaped(title))</text>")
        line("<line x1=\"12\" y1=\"\(top + height)\" x2=\"\(width - 4)\" y2=\"\(top + height)\" stroke=\"#555\"/>")
        for (index, bar) in bars.enumerated() {
            let x = 20 + index * pitch
            let size = largest > 0 ? NSDecimalNumber(decimal: bar.value * Decimal(height) / largest).intValue : 0
            let middle = x + (pitch - 8) / 2
            line(
                "<rect class=\"bar\" x=\"\(x)\" y=\"\(top + height - size)\" width=\"\(pitch - 8)\" height=\"\(size)\"/>"
                    + "<text x=\"\(middle)\" y=\"\(top + height - size - 3)\" text-anchor=\"middle\">\(escaped(bar.text))</text>"
                    + "<text x=\"\(middle)\" y=\"\(top + height + 13)\" text-anchor=\"middle\">\(escaped(bar.label))</text>")
        }
        close("svg")
    }

    private func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in Presentation.markupText(text) {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
