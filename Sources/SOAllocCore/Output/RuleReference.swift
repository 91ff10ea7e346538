import SOAllocRules

/// The rule reference, generated from the rule declarations themselves, so
/// that the documentation cannot drift from the code: `soalloc rules` prints
/// it, and `docs/rules.md` holds it after a marker line (a test keeps the page
/// equal to this output).
public enum RuleReference {
    public static func markdown(_ rules: [Rule] = Derivation.rules) -> String {
        var lines: [String] = []
        for rule in rules {
            let rulings = rule.rulings.isEmpty ? "" : " · rulings " + rule.rulings.joined(separator: ", ")
            lines.append("#### \(rule.field.name): \(rule.title)")
            lines.append("")
            lines.append("Paragraph \(rule.paragraph)\(rulings). The first row that holds gives the value.")
            lines.append("")
            lines.append("| \(rule.field.name) | meaning | when |")
            lines.append("| --- | --- | --- |")
            for clause in rule.clauses {
                let value = clause.valueText.isEmpty ? "(empty)" : clause.valueText
                let check = clause.check.map { " Reported as \($0.rawValue)." } ?? ""
                lines.append("| \(value) | \(clause.description)\(check) | \(clause.condition.text) |")
            }
            lines.append("")
        }
        lines.append("#### Parameters")
        lines.append("")
        lines.append("The dates and thresholds the rules above use, each named once.")
        lines.append("")
        lines.append("| parameter | value | paragraph | meaning |")
        lines.append("| --- | --- | --- | --- |")
        for parameter in Parameter.all {
            lines.append("| \(parameter.name) | \(parameter.text) | \(parameter.paragraph) | \(parameter.meaning) |")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
