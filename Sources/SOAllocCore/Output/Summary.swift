import Foundation
import SOAllocRules

/// The one-screen summary a run prints on standard output. Each line is
/// escaped for the terminal (`TerminalText`): it names files the user gave.
public enum Summary {
    public static func text(_ report: RunReport) -> String {
        let tally = report.tally
        let cells = report.cells
        var lines: [String] = []
        func line(_ label: String, _ value: Int, indent: Int = 2) {
            let padded = String(repeating: " ", count: indent) + label
            let number = String(value)
            let width = max(1, 44 - padded.count - number.count)
            lines.append(padded + String(repeating: " ", count: width) + number)
        }

        lines.append("soalloc \(SOAlloc.version): \(report.options.input)")
        line("records", tally.records, indent: 0)
        lines.append("populations")
        for group in Element.all.flatMap(\.groups) { line(group.label, cells.headcount(group.cells)) }

        let compared = Slot.derived.indices.filter { tally.compared[$0] }
        if compared.isEmpty {
            lines.append("differences from HEFCE's values: none compared (the file has no derived columns)")
        } else {
            line("differences from HEFCE's values", tally.totalDifferences, indent: 0)
            for index in compared where tally.differences[index] > 0 {
                line(Slot.derived[index].name, tally.differences[index])
            }
        }

        let patterns = report.hefce.patterns.sorted
        if !patterns.isEmpty {
            lines.append("most common differences (of \(patterns.count) patterns in difference-patterns.csv)")
            for pattern in patterns.prefix(5) {
                let text = "  " + String(repeating: " ", count: max(0, 5 - String(pattern.count).count)) + String(pattern.count) + "  " + pattern.headline
                lines.append(text.count > 100 ? String(text.prefix(99)) + "…" : text)
            }
        }

        line("data-quality findings", tally.totalFindings, indent: 0)
        for check in Check.allCases where tally.findings[check.index] > 0 {
            line("\(check.rawValue) (\(check.severity.rawValue))", tally.findings[check.index])
        }

        lines.append("allocations (method: \(report.method.origin))")
        for element in report.allocations.elements {
            let volume =
                "weighted volume \(element.weightedVolume.exact(minimumPlaces: element.basis.places)) (\(element.basis.rawValue))"
            let name = "  " + element.element.name.padding(toLength: 17, withPad: " ", startingAt: 0)
            let indent = String(repeating: " ", count: 19)
            var money = ""
            if let allocation = element.allocation, let rate = element.rate { money = " × £\(rate) = \(pounds(allocation))" }
            lines.append(name + volume + money)
            if let proportion = element.proportion { lines.append(indent + proportion.note) }
            if money.isEmpty {
                lines.append(indent + "not computed: " + ElementAllocation.rateNotSet)
            } else if let minimum = element.minimumNote {
                lines.append(indent + minimum)
            }
        }
        lines.append("  TOTAL            " + (report.allocations.total.map(pounds) ?? "not computed"))
        lines += report.method.warnings.map { "  warning: " + $0 }
        if report.allocations.total == nil { lines += nextSteps(report.options.input) }
        lines += reconciliation(report)

        lines.append("outputs")
        lines += report.outputs.map { "  " + $0 }
        if report.failsStrictCheck {
            lines.append("strict: exit status 1 (differences, or findings of severity error, above)")
        }
        return TerminalText.lines(lines) + "\n"
    }

    /// The summary of a run over many files: a line per provider, then the sector.
    public static func text(_ report: MultiRunReport) -> String {
        var lines = ["soalloc \(SOAlloc.version): \(report.providers.count) providers into \(report.output)"]
        let width = max(8, report.providers.map(\.folder.count).max() ?? 8)
        for provider in report.providers {
            let name = provider.folder.padding(toLength: width, withPad: " ", startingAt: 0)
            if let tally = provider.report?.tally {
                lines.append(
                    "  \(name)  \(tally.records) records, \(tally.totalDifferences) differences, "
                        + "\(tally.totalFindings) findings")
            } else {
                lines.append("  \(name)  failed: see the message above")
            }
        }
        lines.append("sector (\(report.providers.filter { $0.report != nil }.count) providers)")
        for element in report.allocations.elements {
            let volume = element.weightedVolume.exact(minimumPlaces: element.basis.places)
            let name = "  " + element.element.name.padding(toLength: 17, withPad: " ", startingAt: 0)
            lines.append(
                name + "weighted volume \(volume) (\(element.basis.rawValue))"
                    + (element.allocation.map { ", allocations \(pounds($0))" } ?? ", not computed"))
        }
        lines.append("outputs")
        lines += report.providers.filter { $0.report != nil }.map { "  \(report.output)/\($0.folder)/" }
        lines.append("  \(report.output)/sector/")
        return TerminalText.lines(lines) + "\n"
    }

    /// What to do when a rate is not set: the commands to copy.
    static func nextSteps(_ input: String) -> [String] {
        [
            "  to get money, copy the method, fill in the rates and weights from your SO14 workbook, and run again:",
            "    soalloc method show > my-method.yaml",
            "    soalloc \(input) --method my-method.yaml",
            "  or try a rate at once: soalloc \(input) --rate retention=POUNDS (disability, widening_access, retention)",
        ]
    }

    /// HEFCE's side beside ours, element by element: the weighted volumes
    /// and, with a rate, the money both ways.
    static func reconciliation(_ report: RunReport) -> [String] {
        var lines = ["HEFCE's own columns beside ours (reconciliation.csv, \(report.hefce.movements) movements.csv rows)"]
        for element in Element.all {
            let name = "  " + element.name.padding(toLength: 17, withPad: " ", startingAt: 0)
            lines.append(name + ReconciliationTables.statement(element, hefce: report.hefce, ours: report.allocations))
        }
        return lines
    }

    /// Whole pounds as `£1,234,567`, whatever the locale.
    static func pounds(_ amount: Decimal) -> String {
        amount.grouped(prefix: "£")
    }
}
