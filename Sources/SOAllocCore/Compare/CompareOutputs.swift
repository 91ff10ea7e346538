import Foundation
import SOAllocRules

/// A cell's figures both ways, as `cells-delta.csv` writes them.
public struct CellDelta: Sendable, Equatable {
    public var element: String
    public var cell: String
    public var oldHeadcount: Int
    public var newHeadcount: Int
    public var oldFTE: Decimal
    public var newFTE: Decimal

    public var changed: Bool { oldHeadcount != newHeadcount || oldFTE != newFTE }

    /// The header of `cells-delta.csv` and of the workbook's "Cells delta" sheet.
    static let header = [
        "ELEMENT", "CELL", "OLD_HEADCOUNT", "NEW_HEADCOUNT", "DELTA_HEADCOUNT", "OLD_FTE", "NEW_FTE", "DELTA_FTE",
    ]
}

/// `report.html` of a comparison: what was compared, the records added,
/// removed and changed, the money each way and the cells that moved, in the
/// style of a run's report (`HTMLReport`). No scripts, no links, every
/// element closed, and no time: the same comparison gives the same bytes.
enum ComparePage {
    static let name = HTMLReport.name

    static func text(_ report: CompareReport) -> String {
        var page = Page()
        page.open("head")
        page.line(#"<meta charset="utf-8"/>"#)
        page.element("title", "soalloc compare: what changed")
        page.line("<style>\(HTMLReport.style(provider: "soalloc compare: what changed"))</style>")
        page.close("head")
        page.open("body")

        page.element("h1", "What changed")
        page.facts([
            ("OLD", "\(report.old), \(Figure.count(report.oldRecords)) records"),
            ("NEW", "\(report.new), \(Figure.count(report.newRecords)) records"),
            ("soalloc", SOAlloc.version),
        ])
        page.element("p", report.hasChanges ? "Something changed." : "Nothing changed.")

        page.element("h2", "Records")
        page.table(
            caption: "Records matched by UKPRN, LEARNREFNUMBER and AIMSEQNUMBER",
            head: [Entry.heads(["Records"], ["Count"])],
            body: CompareFigures.records(report).map { [.text($0.0), .figure(Figure.count($0.1))] },
            className: "counts")
        var notes: [String] = []
        if report.ambiguous > 0 {
            notes.append(
                "\(Figure.count(report.ambiguous)) records are ambiguous: their key repeats and no STUBID settles the pair; they are counted as added and removed.")
        }
        if !report.inputsKnown.old || !report.inputsKnown.new {
            notes.append("A" + CompareReport.inputsUnknown.dropFirst() + ".")
        }
        if !notes.isEmpty { page.element("p", notes.joined(separator: " "), className: "note") }

        page.element("h2", "Money")
        let moneyHead: [Entry] = [
            .head("Element", className: "text"), .head("Code", className: "text"), .head("OLD allocation"),
            .head("NEW allocation"), .head("Change"), .head("Note", className: "text"),
        ]
        page.table(
            caption: "Each element's allocation both ways, as summary-delta.csv",
            head: [moneyHead],
            body: report.money.map { money in
                [
                    .text(CompareFigures.title(money.element)), .code(money.element),
                    .figure(pounds(money.old.allocation)), .figure(pounds(money.new.allocation)),
                    .figure(money.delta.map(signedPounds) ?? "—"), .text(money.note),
                ]
            },
            footRows: 1, className: "money")

        page.element("h2", "Largest cell movements")
        if report.largestMovements.isEmpty {
            page.element("p", "No record moved from one cell to another.")
        } else {
            page.table(
                caption: "The most frequent movements of matched records between cells (movements.csv has them all)",
                head: [Entry.heads(["Element", "From", "To"], ["Records"])],
                body: report.largestMovements.map {
                    [
                        .text($0.element), .code($0.from.isEmpty ? "(none)" : $0.from),
                        .code($0.to.isEmpty ? "(none)" : $0.to), .figure(Figure.count($0.records)),
                    ]
                },
                className: "counts")
        }

        page.element("h2", "Cells that changed")
        let changed = report.cells.filter(\.changed)
        if changed.isEmpty {
            page.element("p", "No cell's headcount or FTE changed.")
        } else {
            page.table(
                caption: "Cells whose headcount or FTE changed (cells-delta.csv has every cell)",
                head: [
                    Entry.heads(
                        ["Element", "Cell"],
                        ["OLD headcount", "NEW headcount", "Change", "OLD FTE", "NEW FTE", "Change"])
                ],
                body: changed.map {
                    [
                        .text($0.element), .code($0.cell), .figure(Figure.count($0.oldHeadcount)),
                        .figure(Figure.count($0.newHeadcount)), .figure(signed(Figure.count($0.newHeadcount - $0.oldHeadcount))),
                        .figure(Figure.fte($0.oldFTE)), .figure(Figure.fte($0.newFTE)),
                        .figure(signed(Figure.fte($0.newFTE - $0.oldFTE))),
                    ]
                },
                className: "counts")
        }

        page.close("body")
        return "<!DOCTYPE html>\n<html lang=\"en\">\n" + page.text + "</html>\n"
    }

    /// An allocation as `summary.csv` writes it, in whole pounds; "—" when empty.
    private static func pounds(_ text: String) -> String {
        (try? Method.decimal(text)).map(Figure.money) ?? "—"
    }

    private static func signedPounds(_ value: Decimal) -> String { signed(Figure.money(value)) }

    /// A change with its sign: `+£12`, `-3`, `0`.
    private static func signed(_ text: String) -> String {
        text.hasPrefix("-") || Decimal(string: text.filter { $0.isNumber || $0 == "." }) == 0 ? text : "+" + text
    }
}

/// The figures the page and the workbook both show.
enum CompareFigures {
    static func records(_ report: CompareReport) -> [(String, Int)] {
        [
            ("Records in OLD", report.oldRecords), ("Records in NEW", report.newRecords), ("Matched", report.matched),
            ("Changed", report.changed), ("Added", report.added), ("Removed", report.removed),
            ("Ambiguous", report.ambiguous),
        ]
    }

    /// An element's title, or "Total".
    static func title(_ name: String) -> String {
        Element.all.first { $0.name == name }?.title ?? "Total"
    }
}

/// `summary.xlsx` of a comparison: a "What changed" sheet with the page's
/// figures, numbers as numbers and money as £#,##0, and a "Cells delta"
/// sheet with `cells-delta.csv`'s rows. Written as a run's workbook is
/// (`Workbook.writing`), with its fixed creation date: the same bytes each time.
enum CompareWorkbook {
    static let name = Workbook.name

    static func write(_ report: CompareReport, to path: String) throws -> OutputFile {
        try QuietStandardError.during {
            try Workbook.writing(to: path, title: "soalloc compare: what changed") { book in
                whatChanged(book, report)
                cellsDelta(book, report)
            }
        }
    }

    private static func whatChanged(_ book: Book, _ report: CompareReport) {
        let sheet = book.sheet("What changed")
        sheet.text(0, 0, "OLD", book.bold)
        sheet.text(0, 1, report.old)
        sheet.text(1, 0, "NEW", book.bold)
        sheet.text(1, 1, report.new)
        sheet.text(2, 0, report.hasChanges ? "Something changed." : "Nothing changed.")

        var line = 4
        sheet.header(at: line, ["Records", "Count"])
        for (label, count) in CompareFigures.records(report) {
            line += 1
            sheet.text(line, 0, label)
            sheet.number(line, 1, Decimal(count), book.count)
        }

        line += 2
        sheet.header(at: line, ["Element", "Title", "OLD allocation (£)", "NEW allocation (£)", "Change (£)", "Note"])
        for money in report.money {
            line += 1
            let total = money.element == "TOTAL"
            sheet.text(line, 0, money.element, total ? book.bold : nil)
            sheet.text(line, 1, CompareFigures.title(money.element))
            let figures = [
                try? Method.decimal(money.old.allocation), try? Method.decimal(money.new.allocation), money.delta,
            ]
            for (offset, figure) in figures.enumerated() {
                if let figure { sheet.number(line, 2 + offset, figure, total ? book.moneyBold : book.money) }
            }
            sheet.text(line, 5, money.note)
        }

        line += 2
        sheet.header(at: line, ["Largest cell movements", "From", "To", "Records"])
        if report.largestMovements.isEmpty {
            line += 1
            sheet.text(line, 0, "none")
        }
        for movement in report.largestMovements {
            line += 1
            sheet.text(line, 0, movement.element)
            sheet.text(line, 1, movement.from.isEmpty ? "(none)" : movement.from)
            sheet.text(line, 2, movement.to.isEmpty ? "(none)" : movement.to)
            sheet.number(line, 3, Decimal(movement.records), book.count)
        }
        sheet.widths([24, 40, 20, 20, 16, 60])
    }

    private static func cellsDelta(_ book: Book, _ report: CompareReport) {
        let sheet = book.sheet("Cells delta")
        sheet.header(CellDelta.header)
        for (index, cell) in report.cells.enumerated() {
            let line = index + 1
            sheet.text(line, 0, cell.element)
            sheet.text(line, 1, cell.cell)
            sheet.number(line, 2, Decimal(cell.oldHeadcount), book.count)
            sheet.number(line, 3, Decimal(cell.newHeadcount), book.count)
            sheet.number(line, 4, Decimal(cell.newHeadcount - cell.oldHeadcount), book.count)
            sheet.number(line, 5, cell.oldFTE, book.volume)
            sheet.number(line, 6, cell.newFTE, book.volume)
            sheet.number(line, 7, cell.newFTE - cell.oldFTE, book.volume)
        }
        sheet.widths([18, 14, 15, 15, 16, 12, 12, 12])
        sheet.freeze(rows: 1)
    }
}
