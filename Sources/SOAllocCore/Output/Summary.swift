/// The one-screen summary a run prints on standard output.
public enum Summary {
    public static func text(_ report: RunReport) -> String {
        let tally = report.tally
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
        line("disability denominator (DISPOP = 1)", tally.dispop)
        line("disability numerator (DISALLOC = 1)", tally.disalloc)
        line("young full-time WA (WAPOP = 1)", tally.wapop[0])
        line("mature full-time WA (WAPOP = 2)", tally.wapop[1])
        line("part-time WA (WAPOP = 3)", tally.wapop[2])
        line("retention population (EQPOP = 1)", tally.eqpop)

        let compared = Slot.derived.indices.filter { tally.compared[$0] }
        if compared.isEmpty {
            lines.append("differences from HEFCE's values: none compared (the file has no derived columns)")
        } else {
            line("differences from HEFCE's values", tally.totalDifferences, indent: 0)
            for index in compared where tally.differences[index] > 0 {
                line(Slot.derived[index].name, tally.differences[index])
            }
        }

        line("data-quality findings", tally.totalFindings, indent: 0)
        for check in Check.allCases where tally.findings[check.index] > 0 {
            line("\(check.rawValue) (\(check.severity.rawValue))", tally.findings[check.index])
        }

        lines.append("outputs")
        lines += report.outputs.map { "  " + $0 }
        if report.exitCode != 0 {
            lines.append("strict: exit status 1 (differences or findings above)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
