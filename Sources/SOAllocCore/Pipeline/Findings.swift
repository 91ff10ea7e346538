/// The data-quality findings of one record: input text that could not be
/// read (rulings R4, R6, R9–R11), and rule clauses that report a check.
enum Findings {
    /// The checks each rule's clauses report, by rule and clause.
    private static let clauseChecks: [[Check?]] = Derivation.rules.map { $0.clauses.map(\.check) }

    /// The input slots whose invalid text is a finding, with their check.
    private static let textChecks: [(slot: Slot, check: Check)] = Slot.allCases.compactMap { slot in
        Check.invalidText(in: slot).map { (slot, $0) }
    }

    /// Calls `finding` with each check the record fails and the column it concerns.
    @inline(__always)
    static func report(_ facts: borrowing Facts, finding: (Check, Column) throws -> Void) rethrows {
        if facts.invalid != 0 {
            for (slot, check) in textChecks where facts.isInvalid(slot) { try finding(check, slot.column!) }
        }
        for (ruleIndex, checks) in clauseChecks.enumerated() {
            if let check = checks[Int(facts.decidedBy[ruleIndex])] { try finding(check, check.clauseColumn!) }
        }
    }
}
