import Foundation

/// The summary `soalloc compare` prints on standard output.
public enum CompareSummary {
    public static func text(_ report: CompareReport) -> String {
        var lines: [String] = []
        lines.append("soalloc compare")
        lines.append("  OLD: \(report.old) (\(report.oldRecords) records)")
        lines.append("  NEW: \(report.new) (\(report.newRecords) records)")
        lines.append("")
        lines.append("Records")
        lines.append("  matched  \(report.matched)")
        lines.append("  changed  \(report.changed)")
        lines.append("  added    \(report.added)")
        lines.append("  removed  \(report.removed)")
        if report.ambiguous > 0 {
            lines.append(
                "  ambiguous \(report.ambiguous): their key repeats and no STUBID settles the pair; counted as added and removed")
        }
        if !report.inputsKnown.old || !report.inputsKnown.new {
            lines.append("  " + CompareReport.inputsUnknown)
        }
        lines.append("")
        lines.append("Largest cell movements")
        if report.largestMovements.isEmpty { lines.append("  none") }
        for movement in report.largestMovements {
            let from = movement.from.isEmpty ? "(none)" : movement.from
            let to = movement.to.isEmpty ? "(none)" : movement.to
            lines.append("  \(movement.records)  \(movement.element) \(from) → \(to)")
        }
        lines.append("")
        lines.append("Money (OLD → NEW, £)")
        for money in report.money {
            let old = money.old.allocation.isEmpty ? "—" : money.old.allocation
            let new = money.new.allocation.isEmpty ? "—" : money.new.allocation
            let delta = money.delta.map { ($0 > 0 ? "+" : "") + $0.exact() } ?? money.note
            lines.append("  \(money.element.padding(toLength: 16, withPad: " ", startingAt: 0)) \(old) → \(new)   \(delta)")
        }
        lines.append("")
        lines.append(report.hasChanges ? "Something changed." : "Nothing changed.")
        lines.append("")
        lines.append("Outputs")
        for output in report.outputs { lines.append("  \(output)") }
        return lines.map(TerminalText.escape).joined(separator: "\n") + "\n"
    }
}
