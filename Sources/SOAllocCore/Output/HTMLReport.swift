import Foundation
import SOAllocRules

/// `report.html`: a self-contained paper of at most two A4 pages for a
/// finance team or an auditor. It opens with the money and HEFCE's own
/// columns beside it; then each element's cells in words, with their weights
/// and weighted volumes, so that every pound can be followed, and charts;
/// then what differs from HEFCE's values and what looks wrong in the data.
/// No table is split across pages: a table that does not fit starts the next.
///
/// The page has no scripts and no references outside itself; the charts are
/// inline SVG, and the style sheet lays it out for A4, with the provider and
/// the page number on every printed page. Every element is closed, so the
/// page also parses as XML. The only time in it is the run's, as `run.json`
/// records it.
///
/// Every figure is written as its kind says (`Figure`): money in whole
/// pounds, rates in pounds and pence, FTE and weighted volumes to two places,
/// proportions to four, counts whole, all with thousands separators.
enum HTMLReport {
    static let name = "report.html"
    /// How many fields and checks the report lists; it names the others in a line.
    static let top = 10
    /// How many patterns of differences the report lists; the workbook has
    /// `Workbook.topPatterns`, numbered the same, and the CSV file all.
    static let topPatterns = Workbook.topPatterns

    static func text(_ content: Presentation, timestamp: String) -> String {
        var page = Page()
        page.open("head")
        page.line(#"<meta charset="utf-8"/>"#)
        page.element("title", "soalloc: 2016-17 targeted allocations for \(content.provider)")
        page.line("<style>\(style(provider: content.provider))</style>")
        page.close("head")
        page.open("body")

        page.element("h1", "2016-17 targeted allocations: \(content.provider)")
        page.facts(
            [
                ("Run", timestamp), ("soalloc", SOAlloc.version), ("Records", Figure.count(content.tally.records)),
                ("Method", "\(content.method.name) (\(content.method.origin))"),
            ]
                + content.inputs.map {
                    ("Input", "\($0.name), \(Figure.count($0.size)) bytes, SHA-256 \($0.sha256)")
                })

        allocations(content, into: &page)
        reconciliation(content, into: &page)
        for element in Element.all {
            page.open("section", #"class="element""#)
            page.element("h2", element.title)
            switch element.layout {
            case .proportion: proportion(element, content, into: &page)
            case .grid(let chart): grid(element, chart: chart, content, into: &page)
            case .weighted(let chart): weighted(element, chart: chart, content, into: &page)
            }
            page.close("section")
        }

        page.open("section", #"class="checks""#)
        page.open("div", #"class="columns""#)
        differences(content, into: &page)
        findings(content, into: &page)
        page.close("div")
        patterns(content, into: &page)
        page.close("section")

        page.close("body")
        return "<!DOCTYPE html>\n<html lang=\"en\">\n" + page.text + "</html>\n"
    }

    // MARK: The money

    private static func allocations(_ content: Presentation, into page: inout Page) {
        page.element("h2", "Allocations")
        let elements = content.allocations.elements
        var rows: [[Entry]] = []
        for element in elements {
            rows.append([
                .text(element.element.title), .code(element.element.name), .text(basisWords(element.basis)),
                .figure(Figure.volume(element.weightedVolume)),
                .figure(element.rate.map(Figure.rate) ?? "not set"),
                .figure(element.allocation.map(Figure.money) ?? "not computed"),
            ])
        }
        rows.append([
            .text("Total"), .code(""), .text(""), .figure(""), .figure(""),
            .figure(content.allocations.total.map(Figure.money) ?? "not computed"),
        ])
        page.table(
            caption: "The allocations",
            head: [Entry.heads(["Element", "Code", "Basis"], ["Weighted volume", "Rate (£ per unit)", "Allocation"])],
            body: rows, footRows: 1, className: "money")

        var notes: [String] = []
        if content.allocations.total == nil { notes.append("Not computed: \(ElementAllocation.rateNotSet). \(Presentation.nextStep)") }
        notes += content.method.warnings.map { "Warning: \($0)." }
        let made = elements.filter { $0.allocation != nil }
        let ways = made.reduce(into: [String]()) { if !$0.contains($1.note) { $0.append($1.note) } }
        if ways.count == 1 {
            notes.append("Each allocation is its \(ways[0]).")
        } else if !ways.isEmpty {
            notes.append(made.map { "\($0.element.title): \($0.note)." }.joined(separator: " "))
        }
        let hidden = elements.filter { $0.weightedVolume != $0.weightedVolume.rounded(2) }
        if !hidden.isEmpty {
            notes.append(
                "Weighted volumes are shown to two places; summary.csv holds them exactly ("
                    + hidden.map { "\($0.element.title.lowercased()) \(Figure.exact($0.weightedVolume))" }
                    .joined(separator: ", ") + "), as the money uses them.")
        }
        if !notes.isEmpty { page.element("p", notes.joined(separator: " "), className: "note") }
    }

    private static func basisWords(_ basis: Basis) -> String { basis == .fte ? "FTE" : "headcount" }

    // MARK: The elements

    /// The columns of an element's table of cells, one row per cell.
    private static let cellColumns = Entry.heads(["Cell", "Code"], ["Headcount", "FTE", "Weight", "Weighted volume"])

    /// A cell's row: its words, code, headcount, FTE, weight and weighted volume.
    private static func cellRow(_ cell: Cell, _ content: Presentation) -> (row: [Entry], volume: Decimal) {
        let rules = content.method[cell.element]
        let weight = rules.weight(cell)
        let volume = weight * content.cells.value(cell, basis: rules.basis)
        return (
            [
                .text(cell.words), .code(cell.name), .figure(Figure.count(content.cells.headcount[cell.index])),
                .figure(Figure.fte(content.cells.fte(cell))), .figure(Figure.weight(weight)),
                .figure(Figure.volume(volume)),
            ], volume
        )
    }

    /// Disability: each group's cell with its weight, the total weighted
    /// volume, and the second group as a proportion of the first.
    private static func proportion(_ element: Element, _ content: Presentation, into page: inout Page) {
        var rows: [[Entry]] = []
        var total = Decimal(0)
        for cell in element.cells {
            let (row, volume) = cellRow(cell, content)
            rows.append(row)
            total += volume
        }
        let (population, members) = (element.groups[0], element.groups[1])
        func share(_ basis: Basis) -> String {
            let denominator = population.cells.reduce(Decimal(0)) { $0 + content.cells.value($1, basis: basis) }
            let numerator = members.cells.reduce(Decimal(0)) { $0 + content.cells.value($1, basis: basis) }
            return denominator == 0 ? "" : Figure.proportion(numerator / denominator)
        }
        rows.append([
            .text("Proportion: \(lowerFirst(members.words)) / \(lowerFirst(population.words))"), .code(""),
            .figure(share(.headcount)), .figure(share(.fte)), .figure(""), .figure(""),
        ])
        rows.append([
            .text("Total (on \(basisWords(content.method[element].basis)))"), .code(""), .figure(""), .figure(""),
            .figure(""), .figure(Figure.volume(total)),
        ])
        page.table(
            caption: "\(element.title): cells", head: [cellColumns], body: rows, footRows: 1,
            className: "cells")
    }

    /// Widening access: the quintiles down, each group's headcount, FTE,
    /// weight and weighted volume across; then a chart of each group's
    /// headcount by quintile, the three on one scale.
    private static func grid(_ element: Element, chart: String, _ content: Presentation, into page: inout Page) {
        let rules = content.method[element]
        let groups = element.groups
        let head: [[Entry]] = [
            [.head("")] + groups.map { .head($0.words, span: 4, className: "group") },
            [.head("Quintile", className: "text")]
                + groups.flatMap { _ in ["Headcount", "FTE", "Weight", "Weighted volume"].map { Entry.head($0) } },
        ]
        var rows: [[Entry]] = []
        var totals = [(headcount: Int, fte: Decimal, volume: Decimal)](repeating: (0, 0, 0), count: groups.count)
        for (position, label) in groups[0].labels.enumerated() {
            var row: [Entry] = [.text(upperFirst(groups[0].words(of: label)))]
            for (index, group) in groups.enumerated() {
                let cell = group.cells[position]
                let weight = rules.weight(cell)
                let volume = weight * content.cells.value(cell, basis: rules.basis)
                let headcount = content.cells.headcount[cell.index]
                row += [
                    .figure(Figure.count(headcount)), .figure(Figure.fte(content.cells.fte(cell))),
                    .figure(Figure.weight(weight)), .figure(Figure.volume(volume)),
                ]
                totals[index].headcount += headcount
                totals[index].fte += content.cells.fte(cell)
                totals[index].volume += volume
            }
            rows.append(row)
        }
        rows.append(
            [.text("Total")]
                + totals.flatMap {
                    [
                        .figure(Figure.count($0.headcount)), .figure(Figure.fte($0.fte)), .figure(""),
                        .figure(Figure.volume($0.volume)),
                    ]
                })
        page.table(caption: "\(element.title): cells", head: head, body: rows, footRows: 1, className: "grid")
        let codes = groups.map {
            "\($0.words.lowercased()) \($0.cellName($0.labels[0]))…\($0.cellName($0.labels.last!))"
        }
        page.element(
            "p",
            "Weighted volume on \(basisWords(rules.basis)): "
                + totals.map { Figure.volume($0.volume) }.joined(separator: " + ") + " = "
                + Figure.volume(totals.reduce(Decimal(0)) { $0 + $1.volume }) + ". Codes in cells.csv: "
                + codes.joined(separator: "; ") + ".",
            className: "note")

        let headcounts = groups.map { group in group.cells.map { content.cells.headcount[$0.index] } }
        let scale = Scale(largest: Decimal(headcounts.joined().max() ?? 0), whole: true)
        page.open("div", #"class="charts""#)
        for (group, counts) in zip(groups, headcounts) {
            page.columnChart(
                title: "\(group.words): \(chart.lowercased())",
                bars: zip(group.labels, zip(group.cells, counts)).map { label, placed in
                    // The labels are the cells' own (Q1…Q5), but for the last, which takes every other value.
                    Bar(
                        label: label == group.labels.last ? "Unknown" : label, value: Decimal(placed.1),
                        text: Figure.count(placed.1), words: placed.0.words)
                }, scale: scale)
        }
        page.close("div")
    }

    /// Retention: one row per cell with its weight and weighted volume, and
    /// beside it a chart of each cell's FTE.
    private static func weighted(_ element: Element, chart: String, _ content: Presentation, into page: inout Page) {
        var rows: [[Entry]] = []
        var total: (headcount: Int, fte: Decimal, volume: Decimal) = (0, 0, 0)
        for cell in element.cells {
            let (row, volume) = cellRow(cell, content)
            rows.append(row)
            total.headcount += content.cells.headcount[cell.index]
            total.fte += content.cells.fte(cell)
            total.volume += volume
        }
        rows.append([
            .text("Total (on \(basisWords(content.method[element].basis)))"), .code(""),
            .figure(Figure.count(total.headcount)), .figure(Figure.fte(total.fte)), .figure(""),
            .figure(Figure.volume(total.volume)),
        ])
        page.open("div", #"class="beside""#)
        page.table(
            caption: "\(element.title): cells", head: [cellColumns], body: rows, footRows: 1,
            className: "cells")
        let ftes = element.cells.map { content.cells.fte($0) }
        page.barChart(
            title: chart,
            bars: zip(element.cells, ftes).map {
                Bar(label: $0.name, value: $1, text: Figure.fte($1), words: $0.words)
            },
            scale: Scale(largest: ftes.max() ?? 0, whole: false))
        page.close("div")
    }

    // MARK: What differs, and what looks wrong

    private static func differences(_ content: Presentation, into page: inout Page) {
        page.open("div")
        page.element("h2", "Differences from HEFCE's values")
        let fields = content.differencesByField
        if fields.isEmpty {
            page.element(
                "p",
                content.tally.compared.contains(true)
                    ? "None: every derived field equals HEFCE's value in the file."
                    : "None compared: the file has no derived columns.")
        } else {
            page.element(
                "p",
                "\(Figure.count(content.tally.totalDifferences)) in \(Figure.count(fields.count))"
                    + " field\(fields.count == 1 ? "" : "s"); differences.csv lists each one.",
                className: "note")
            page.table(
                caption: leaders("fields", "differences", shown: min(top, fields.count), of: fields.count),
                head: [Entry.heads(["Field"], ["Differences"])],
                body: fields.prefix(top).map { [.text($0.field), .figure(Figure.count($0.count))] }, className: "counts"
            )
            others(fields.dropFirst(top).map { "\($0.field) \(Figure.count($0.count))" }, into: &page)
        }
        page.close("div")
    }

    private static func findings(_ content: Presentation, into page: inout Page) {
        page.open("div")
        page.element("h2", "Data-quality findings")
        let checks = content.findingsByCheck
        if checks.isEmpty {
            page.element("p", "None.")
        } else {
            page.element(
                "p",
                "\(Figure.count(content.tally.totalFindings)) from \(Figure.count(checks.count))"
                    + " check\(checks.count == 1 ? "" : "s"); credibility.csv lists each one.",
                className: "note")
            page.table(
                caption: leaders("checks", "findings", shown: min(top, checks.count), of: checks.count),
                head: [Entry.heads(["Check", "Severity"], ["Findings"])],
                body: checks.prefix(top).map {
                    [.text($0.check.rawValue), .text($0.check.severity.rawValue), .figure(Figure.count($0.count))]
                }, className: "counts")
            others(
                checks.dropFirst(top).map {
                    "\($0.check.rawValue) (\($0.check.severity.rawValue)) \(Figure.count($0.count))"
                },
                into: &page)
        }
        page.close("div")
    }

    /// "The ten fields with the most differences, of 14", or "The 3 fields with differences".
    private static func leaders(_ things: String, _ what: String, shown: Int, of count: Int) -> String {
        shown < count
            ? "The \(words(shown)) \(things) with the most \(what), of \(Figure.count(count))"
            : count == 1 ? "The one \(things.dropLast()) with \(what)" : "All \(words(count)) \(things) with \(what)"
    }

    private static func words(_ number: Int) -> String {
        let names = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
        return number < names.count ? names[number] : Figure.count(number)
    }

    /// The line naming what a table left out, so that nothing is left out silently.
    private static func others(_ items: [String], into page: inout Page) {
        guard !items.isEmpty else { return }
        page.element("p", "The other \(words(items.count)): \(items.joined(separator: ", ")).", className: "note")
    }

    private static func patterns(_ content: Presentation, into page: inout Page) {
        let patterns = content.hefce.patterns.sorted
        guard !patterns.isEmpty else { return }
        let shown = min(topPatterns, patterns.count)
        page.element(
            "h3",
            shown < patterns.count
                ? "The \(words(shown)) most common differences, by what explains them,"
                    + " of \(Figure.count(patterns.count)) patterns"
                : "The differences, by what explains them")
        page.table(
            caption: "Patterns of differences",
            head: [
                [.head("No."), .head("Count")]
                    + Entry.heads(["Field", "File → ours", "Cause", "HEFCE's value needs"], [])
                    + [.head("First row")]
            ],
            body: patterns.prefix(shown).enumerated().map { index, pattern in
                [
                    .number(String(index + 1)), .figure(Figure.count(pattern.count)), .text(pattern.field),
                    .text(
                        "\(pattern.fileValue.isEmpty ? "(empty)" : pattern.fileValue) → "
                            + (pattern.derivedValue.isEmpty ? "(empty)" : pattern.derivedValue)),
                    .text(pattern.cause), .text(clipped(pattern.needs, to: needsLength), className: "text needs"),
                    .number(String(pattern.firstRow)),
                ]
            }, className: "patterns")
        page.element(
            "p",
            "HEFCE's value needs is cut to one line here; difference-patterns.csv lists every pattern whole,"
                + " and summary.xlsx's Patterns sheet the first"
                + " \(words(Workbook.topPatterns)), numbered as here. To see a pattern's rows, filter the PATTERN"
                + " column of summary.xlsx's Differences sheet by its number.",
            className: "note")
    }

    /// The most of a pattern's needs the report shows, so that each pattern
    /// takes one printed line; the CSV file and the workbook have the whole text.
    static let needsLength = 64

    /// `text`, cut at a word to at most `length` characters, with "…" when cut.
    static func clipped(_ text: String, to length: Int) -> String {
        guard text.count > length else { return text }
        let cut = text.prefix(length - 1)
        return String(cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut) + " …"
    }

    private static func reconciliation(_ content: Presentation, into page: inout Page) {
        page.element("h2", "HEFCE's own columns beside ours")
        page.element(
            "p",
            "HEFCE's cells are counted from the file's own DISPOP, DISALLOC, WAPOP, WAQUIN, EQPOP and EQGRP, by the"
                + " same cells and FTE as ours. reconciliation.csv has every cell both ways; movements.csv has each of"
                + " the \(Figure.count(content.hefce.movements)) records in a different cell, with the cause.",
            className: "note")
        let rows: [[Entry]] = Element.all.map { element in
            let name: [Entry] = [.text(element.title), .code(element.name)]
            if let note = content.hefce.missingNote(element) { return name + [.text(note, span: 4)] }
            let ours = content.allocations.elements[element.index]
            let theirs = content.hefce.allocations!.elements[element.index]
            if let mine = ours.allocation, let their = theirs.allocation {
                return name + [
                    .text("allocation"), .figure(Figure.money(their)), .figure(Figure.money(mine)),
                    .figure(Figure.money(mine - their)),
                ]
            }
            return name + [
                .text("weighted volume on \(basisWords(ours.basis))"), .figure(Figure.volume(theirs.weightedVolume)),
                .figure(Figure.volume(ours.weightedVolume)),
                .figure(Figure.volume(ours.weightedVolume - theirs.weightedVolume)),
            ]
        }
        page.table(
            caption: "HEFCE's side and ours",
            head: [Entry.heads(["Element", "Code", "Figure"], ["HEFCE's columns", "Ours", "Ours less HEFCE's"])],
            body: rows, className: "reconciliation")
    }

    private static func upperFirst(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// "In receipt of DSA" as "in receipt of DSA", within a sentence.
    private static func lowerFirst(_ text: String) -> String { text.prefix(1).lowercased() + text.dropFirst() }

    // MARK: Style

    /// The style sheet: A4 with the provider and the page number in the
    /// margins of every printed page.
    static func style(provider: String) -> String {
        """

        @page { size: A4; margin: 16mm 14mm 14mm;
          @top-left { content: "\(cssString(provider))"; font: 8pt \(font); color: #445; }
          @top-right { content: "2016-17 targeted allocations"; font: 8pt \(font); color: #445; }
          @bottom-left { content: "soalloc \(cssString(SOAlloc.version)), report.html"; font: 8pt \(font); color: #445; }
          @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt \(font); color: #445; }
        }
        body { font: 8.5pt/1.25 \(font); color: #111; max-width: 182mm; margin: 0 auto; }
        h1 { font-size: 14pt; margin: 0 0 3pt; }
        h2 { font-size: 11pt; margin: 9pt 0 3pt; padding-bottom: 1pt; border-bottom: 1px solid #889; break-after: avoid; }
        h3 { font-size: 9pt; margin: 6pt 0 2pt; break-after: avoid; }
        p { margin: 2pt 0; }
        p.note { font-size: 7.5pt; color: #333; }
        table { border-collapse: collapse; margin: 2pt 0; break-inside: avoid; font-variant-numeric: tabular-nums; }
        caption { caption-side: top; text-align: left; font-size: 7.5pt; font-style: italic; color: #333; padding: 0 0 1pt; }
        th, td { border: 1px solid #bbc; padding: 0.8pt 4pt; text-align: right; vertical-align: top; }
        th { background: #dde4ee; font-weight: bold; vertical-align: bottom; }
        th.group { text-align: center; }
        td.text, th.text { text-align: left; }
        td.text:first-child { white-space: nowrap; }
        td.code { text-align: left; font: 6.5pt "DejaVu Sans Mono", monospace; color: #556; vertical-align: middle; }
        tr.total td { font-weight: bold; border-top: 1.5px solid #667; }
        table.facts td { border: none; padding: 0 8pt 0 0; text-align: left; }
        table.facts td:last-child { word-break: break-all; }
        table.money { width: 100%; }
        table.grid { width: 100%; }
        table.grid th, table.grid td { padding: 0.8pt 2.5pt; }
        table.counts { width: 100%; }
        table.patterns { width: 100%; }
        table.patterns td { white-space: nowrap; padding-top: 0; padding-bottom: 0; font-size: 7pt; }
        table.reconciliation { width: 100%; }
        .charts { display: flex; justify-content: space-between; break-inside: avoid; margin-top: 3pt; }
        .beside { display: flex; gap: 4mm; align-items: flex-start; break-inside: avoid; }
        .beside table { flex: 1; }
        .columns { display: flex; gap: 6mm; }
        .columns > div { flex: 1; }
        section.element { break-inside: avoid; }
        svg { flex: none; }
        svg text { font-family: \(font); font-size: 10px; fill: #222; }
        svg text.title { font-size: 10.5px; font-weight: bold; }
        svg .bar { fill: #3a6ea5; }
        svg .axis { stroke: #555; stroke-width: 1; }
        svg .rule { stroke: #ccd; stroke-width: 0.5; }
        @media print { body { max-width: none; } }

        """
    }

    private static let font = #""Liberation Sans", Arial, "DejaVu Sans", sans-serif"#

    /// Text as a CSS string's content: anything but letters, digits, spaces
    /// and plain punctuation as a hexadecimal escape, so that nothing in it
    /// can end the string or the style element, in HTML or in XML.
    static func cssString(_ text: String) -> String {
        var result = ""
        for scalar in Presentation.markupText(text).unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", " ", ".", ",", "-", "_", "(", ")", ":", "/", "+":
                result.unicodeScalars.append(scalar)
            default: result += "\\" + String(scalar.value, radix: 16) + " "
            }
        }
        return result
    }
}

/// The report's figures, each kind written one way, with thousands separators.
enum Figure {
    /// A count: whole, `1,234`.
    static func count(_ value: Int) -> String { Decimal(value).grouped() }

    /// Money: whole pounds, `£1,234`.
    static func money(_ value: Decimal) -> String { Summary.pounds(value) }

    /// A rate: pounds and pence, `£1,234.56`, or more places when the method gives them.
    static func rate(_ value: Decimal) -> String { Decimal.grouped(value.exact(minimumPlaces: 2), prefix: "£") }

    /// An FTE: two places, `1,234.56`.
    static func fte(_ value: Decimal) -> String { Decimal.grouped(value.fixed(2)) }

    /// A weighted volume: two places, `1,234.56`.
    static func volume(_ value: Decimal) -> String { Decimal.grouped(value.fixed(2)) }

    /// A weight: two places, or more when the method gives them.
    static func weight(_ value: Decimal) -> String { Decimal.grouped(value.exact(minimumPlaces: 2)) }

    /// A proportion: four places, `0.0767`.
    static func proportion(_ value: Decimal) -> String { value.fixed(4) }

    /// A figure written exactly, with thousands separators.
    static func exact(_ value: Decimal) -> String { Decimal.grouped(value.exact()) }

}

/// A cell of a report table.
struct Entry {
    var text: String
    var className: String?
    var span = 1
    var header = false

    static func text(_ text: String, className: String? = "text", span: Int = 1) -> Entry {
        Entry(text: text, className: className, span: span)
    }
    static func code(_ text: String) -> Entry { Entry(text: text, className: "code") }
    static func figure(_ text: String) -> Entry { Entry(text: text) }
    /// A number that names something (a pattern, a row), written as it is elsewhere.
    static func number(_ text: String) -> Entry { Entry(text: text, className: "number") }
    static func head(_ text: String, span: Int = 1, className: String? = nil) -> Entry {
        Entry(text: text, className: className, span: span, header: true)
    }
    /// A header row: the columns of text, then the columns of figures.
    static func heads(_ texts: [String], _ figures: [String]) -> [Entry] {
        texts.map { head($0, className: "text") } + figures.map { head($0) }
    }
}

/// A bar of a chart: its label, value, the value's text and the cell's words.
struct Bar {
    var label: String
    var value: Decimal
    var text: String
    var words: String
}

/// A chart's scale: from 0 to `top` in steps of `step`, a round number.
struct Scale {
    let step: Decimal
    let top: Decimal

    /// The smallest scale of at most five steps of 1, 2, 2.5 or 5 times a
    /// power of ten that reaches `largest`; whole steps for counts.
    init(largest: Decimal, whole: Bool) {
        guard largest > 0 else {
            (step, top) = (1, 1)
            return
        }
        var found: (Decimal, Decimal)?
        search: for exponent in -2...30 {
            for significand in [10, 20, 25, 50] {
                let step = Decimal(sign: .plus, exponent: exponent - 1, significand: Decimal(significand))
                if whole && step != step.rounded(0) { continue }
                let steps = (largest / step).rounded(0, .up)
                if steps <= 5 {
                    found = (step, max(steps, 1) * step)
                    break search
                }
            }
        }
        (step, top) = found ?? (largest, largest)
    }

    var ticks: [Decimal] {
        guard step > 0 else { return [0] }
        return stride(from: 0, through: NSDecimalNumber(decimal: top / step).intValue, by: 1).map { Decimal($0) * step }
    }

    /// `value`'s length on an axis of `length` units.
    func length(_ value: Decimal, of length: Int) -> Decimal {
        top > 0 ? (value * Decimal(length) / top).rounded(1) : 0
    }
}

/// Markup built line by line, every element closed.
struct Page {
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

    mutating func element(_ tag: String, _ content: String, className: String? = nil) {
        line("<\(tag)\(className.map { " class=\"\($0)\"" } ?? "")>\(escaped(content))</\(tag)>")
    }

    /// The run's facts: a label and a value a line.
    mutating func facts(_ rows: [(String, String)]) {
        open("table", #"class="facts""#)
        for (label, value) in rows { line("<tr><td>\(escaped(label))</td><td>\(escaped(value))</td></tr>") }
        close("table")
    }

    /// A table with a caption, header rows and body rows; the last
    /// `footRows` rows are totals.
    mutating func table(caption: String, head: [[Entry]], body: [[Entry]], footRows: Int = 0, className: String) {
        open("table", "class=\"\(className)\"")
        line("<caption>\(escaped(caption))</caption>")
        for row in head { line("<tr>" + row.map(cell).joined() + "</tr>") }
        for (index, row) in body.enumerated() {
            line((index >= body.count - footRows ? #"<tr class="total">"# : "<tr>") + row.map(cell).joined() + "</tr>")
        }
        close("table")
    }

    private func cell(_ entry: Entry) -> String {
        let tag = entry.header ? "th" : "td"
        var attributes = ""
        if let name = entry.className { attributes += " class=\"\(name)\"" }
        if entry.span > 1 { attributes += " colspan=\"\(entry.span)\"" }
        return "<\(tag)\(attributes)>\(escaped(entry.text))</\(tag)>"
    }

    /// A chart of upright bars, one per label, on `scale`, with an axis of
    /// ticks on the left and each bar's value above it.
    mutating func columnChart(title: String, bars: [Bar], scale: Scale) {
        let (width, left, right, top, plot, bottom) = (224, 34, 14, 26, 84, 14)
        let pitch = Decimal(width - left - right) / Decimal(max(bars.count, 1))
        let barWidth = (pitch * Decimal(7) / Decimal(10)).rounded(1)
        let height = top + plot + bottom
        open("svg", svgAttributes(title, width: width, height: height))
        line("<title>\(escaped(title))</title>")
        line("<text class=\"title\" x=\"0\" y=\"10\">\(escaped(title))</text>")
        for tick in scale.ticks {
            let y = Decimal(top + plot) - scale.length(tick, of: plot)
            line(
                "<line class=\"rule\" x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - right)\" y2=\"\(y)\"/>"
                    + "<line class=\"axis\" x1=\"\(left - 3)\" y1=\"\(y)\" x2=\"\(left)\" y2=\"\(y)\"/>"
                    + "<text class=\"tick\" x=\"\(left - 5)\" y=\"\(y + 3)\" text-anchor=\"end\">"
                    + "\(Figure.exact(tick))</text>")
        }
        line("<line class=\"axis\" x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plot)\"/>")
        line(
            "<line class=\"axis\" x1=\"\(left)\" y1=\"\(top + plot)\" x2=\"\(width - right)\" y2=\"\(top + plot)\"/>")
        for (index, bar) in bars.enumerated() {
            let middle = (Decimal(left) + pitch * Decimal(index) + pitch / 2).rounded(1)
            let size = scale.length(bar.value, of: plot)
            let y = Decimal(top + plot) - size
            line(
                "<rect class=\"bar\" x=\"\(middle - barWidth / 2)\" y=\"\(y)\" width=\"\(barWidth)\""
                    + " height=\"\(size)\">"
                    + "<title>\(escaped("\(bar.words): \(bar.text)"))</title></rect>"
                    + "<text class=\"value\" x=\"\(middle)\" y=\"\(y - 2)\" text-anchor=\"middle\">"
                    + "\(escaped(bar.text))</text>"
                    + "<text class=\"label\" x=\"\(middle)\" y=\"\(top + plot + 11)\" text-anchor=\"middle\">"
                    + "\(escaped(bar.label))</text>")
        }
        close("svg")
    }

    /// A chart of bars lying down, one per label, on `scale`, with an axis
    /// of ticks below and each bar's value at its end.
    mutating func barChart(title: String, bars: [Bar], scale: Scale) {
        let (width, left, right, top, pitch, bottom) = (200, 38, 36, 20, 14, 16)
        let plot = width - left - right
        let height = top + pitch * bars.count + bottom
        let axis = top + pitch * bars.count
        open("svg", svgAttributes(title, width: width, height: height))
        line("<title>\(escaped(title))</title>")
        line("<text class=\"title\" x=\"0\" y=\"10\">\(escaped(title))</text>")
        for tick in scale.ticks {
            let x = Decimal(left) + scale.length(tick, of: plot)
            line(
                "<line class=\"rule\" x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(axis)\"/>"
                    + "<line class=\"axis\" x1=\"\(x)\" y1=\"\(axis)\" x2=\"\(x)\" y2=\"\(axis + 3)\"/>"
                    + "<text class=\"tick\" x=\"\(x)\" y=\"\(axis + 12)\" text-anchor=\"middle\">"
                    + "\(Figure.exact(tick))</text>")
        }
        line("<line class=\"axis\" x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(axis)\"/>")
        line("<line class=\"axis\" x1=\"\(left)\" y1=\"\(axis)\" x2=\"\(left + plot)\" y2=\"\(axis)\"/>")
        for (index, bar) in bars.enumerated() {
            let y = top + pitch * index
            let size = scale.length(bar.value, of: plot)
            line(
                "<rect class=\"bar\" x=\"\(left)\" y=\"\(y + 2)\" height=\"\(pitch - 4)\" width=\"\(size)\">"
                    + "<title>\(escaped("\(bar.words): \(bar.text)"))</title></rect>"
                    + "<text class=\"value\" x=\"\(Decimal(left) + size + 2)\" y=\"\(y + pitch - 4)\">"
                    + "\(escaped(bar.text))</text>"
                    + "<text class=\"label\" x=\"\(left - 3)\" y=\"\(y + pitch - 4)\" text-anchor=\"end\">"
                    + "\(escaped(bar.label))</text>")
        }
        close("svg")
    }

    private func svgAttributes(_ title: String, width: Int, height: Int) -> String {
        "role=\"img\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\""
            + " aria-label=\"\(escaped(title))\""
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
