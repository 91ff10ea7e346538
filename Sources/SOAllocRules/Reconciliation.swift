/// Why HEFCE's value of a derived field differs from ours: the reason
/// columns of `differences.csv` and of `soalloc explain`.
public struct DifferenceReason: Sendable, Equatable {
    /// The upstream derived fields whose HEFCE values explain the difference,
    /// in rule order; empty when the difference starts in this field (ROOT).
    public var cause: [Slot]
    /// The label of the clause that gave our value.
    public var ourClause: String
    /// What this record lacks for HEFCE's value.
    public var hefceNeeds: HEFCENeeds

    /// `ROOT`, or the upstream fields joined by `+`.
    public var causeText: String { cause.isEmpty ? "ROOT" : cause.map(\.name).joined(separator: "+") }
}

/// What the table needs, on this record, to give HEFCE's value.
public enum HEFCENeeds: Sendable, Equatable {
    /// The clause that gives HEFCE's value and comes nearest to holding, with
    /// what stands in its way: each of its conditions that fails, then each
    /// clause above it that holds (the first clause that holds decides).
    case clause(label: String, obstacles: [ConditionOutcome])
    /// A computed value (an age) that no clause gives: how ours is computed,
    /// with its inputs and result (nil when an input is missing), and HEFCE's
    /// value. `obstacles` are as for `clause`, when the computing clause does
    /// not decide ours.
    case computation(obstacles: [ConditionOutcome], working: Working, result: String?, hefce: String)
    /// No clause of the table can give HEFCE's value.
    case notAValue

    public static let notAValueText = "not a value of the table"

    /// The column's text: `WAPOP = 1: Included …; HEFCOMP = 4 failed: HEFCOMP is 2`.
    public var text: String {
        switch self {
        case .clause(let label, let obstacles):
            return ([label] + obstacles.map(\.reason)).joined(separator: "; ")
        case .computation(let obstacles, let working, let result, let hefce):
            let outcome = result.map { " = \($0)" } ?? " cannot be worked out"
            let working = "\(working.text)\(outcome); the file has \(hefce)"
            return (obstacles.map(\.reason) + [working]).joined(separator: "; ")
        case .notAValue:
            return Self.notAValueText
        }
    }

    /// The conditions without the values found, as `difference-patterns.csv`
    /// groups them: `HEFCOMP = 4 failed`.
    public var pattern: String {
        switch self {
        case .clause(_, let obstacles): obstacles.map(\.verdict).joined(separator: "; ")
        case .computation(let obstacles, let working, _, _):
            (obstacles.map(\.verdict) + [working.words]).joined(separator: "; ")
        case .notAValue: Self.notAValueText
        }
    }
}

/// How a computed value is worked out on a record.
public struct Working: Sendable, Equatable {
    /// With the values found: `full years from DATEOFBIRTH 20/08/1996 to LEARNSTARTDATE 01/09/2014`.
    public var text: String
    /// Without them: `full years from DATEOFBIRTH to LEARNSTARTDATE`.
    public var words: String
}

/// Finds the reasons for differences from the rules' declarations, the same
/// ones the fast path compiles: nothing here is written per field.
///
/// `ours` holds a record's inputs and our derived values; `theirs` is the
/// same record with HEFCE's value, read from the file, in place of ours for
/// each derived field the file has (ruling R15's comparison).
public struct Reconciler: Sendable {
    public let derivation: Derivation
    private let explainer: Explainer
    /// Per rule: the derived fields it reads, in rule order.
    private let upstream: [[Slot]]

    public init(derivation: Derivation = .standard) {
        self.derivation = derivation
        explainer = Explainer(rules: derivation.rules)
        upstream = derivation.rules.map { rule in
            let reads = Set(rule.reads)
            return Slot.derived.filter { reads.contains($0) && $0 != rule.field }
        }
    }

    /// Why `theirs` and `ours` differ in the field of rule `ruleIndex`.
    /// `fileText` gives a column's text as the record has it, made safe to print.
    public func reason(
        rule ruleIndex: Int, ours: Facts, theirs: Facts, fileText: (Column) -> String?
    ) -> DifferenceReason {
        let rule = derivation.rules[ruleIndex]
        return DifferenceReason(
            cause: cause(ruleIndex, ours, theirs),
            ourClause: rule.label(of: derivation.decidingClause(of: ruleIndex, in: ours)),
            hefceNeeds: needs(ruleIndex, theirs[rule.field], ours, fileText: fileText))
    }

    /// The upstream fields whose HEFCE values, put in place of ours, make our
    /// rule give HEFCE's value: each that does so alone, or failing that all
    /// of those that differ together; none when neither does.
    private func cause(_ ruleIndex: Int, _ ours: Facts, _ theirs: Facts) -> [Slot] {
        let wanted = theirs[derivation.rules[ruleIndex].field]
        let differing = upstream[ruleIndex].filter { ours[$0] != theirs[$0] }
        guard !differing.isEmpty else { return [] }
        func gives(_ slots: [Slot]) -> Bool {
            var facts = ours
            for slot in slots { facts[slot] = theirs[slot] }
            return derivation.evaluate(rule: ruleIndex, facts).value == wanted
        }
        let alone = differing.filter { gives([$0]) }
        if !alone.isEmpty { return alone }
        return differing.count > 1 && gives(differing) ? differing : []
    }

    /// The clause nearest to giving `value` on this record, or the working of
    /// a computed value when no clause can give it.
    private func needs(_ ruleIndex: Int, _ value: Int64, _ ours: Facts, fileText: (Column) -> String?)
        -> HEFCENeeds
    {
        let rule = derivation.rules[ruleIndex]
        let failing = rule.clauses.indices.map { derivation.failingParts(rule: ruleIndex, clause: $0, in: ours) }
        let holding = failing.indices.filter { failing[$0] == 0 }
        /// What stands in the way of clause `index`: its failing parts, then the holding clauses above it.
        func obstacles(_ index: Int) -> [ConditionOutcome] {
            let parts = rule.clauses[index].condition.parts
            let failed = parts.indices.filter { failing[index] & (1 << UInt64($0)) != 0 }.map {
                explainer.trace(parts[$0], ours, fileText: fileText)
            }
            // Of a clause above that holds by one of several alternatives, the alternatives that hold.
            let above = holding.filter { $0 < index }.flatMap { clause in
                let outcome = explainer.trace(rule.clauses[clause].condition, ours, fileText: fileText)
                return outcome.kind == .any ? outcome.parts.filter(\.holds) : [outcome]
            }
            return failed + above
        }
        func cost(_ index: Int) -> Int {
            failing[index].nonzeroBitCount + holding.filter { $0 < index }.count
        }
        let candidates = rule.clauses.indices.filter { rule.clauses[$0].yield.value(ours.values.span) == value }
        if let nearest = candidates.min(by: { cost($0) < cost($1) }) {
            return .clause(label: rule.label(of: rule.clauses[nearest]), obstacles: obstacles(nearest))
        }
        let decided = Int(ours.decidedBy[ruleIndex])
        let computing = rule.clauses.indices.filter { rule.clauses[$0].yield.isCalculation }
        guard Value.isKnown(value), let chosen = computing.contains(decided) ? decided : computing.first else {
            return .notAValue
        }
        let yield = rule.clauses[chosen].yield
        let workable = yield.reads.allSatisfy { Value.isKnown(ours[$0]) }
        return .computation(
            obstacles: obstacles(chosen), working: working(yield, ours, fileText: fileText),
            result: workable ? rule.field.domain.format(yield.value(ours.values.span)) : nil,
            hefce: rule.field.domain.format(value))
    }

    private func working(_ yield: Yield, _ facts: Facts, fileText: (Column) -> String?) -> Working {
        func shown(_ slot: Slot, values: Bool) -> String {
            let input = explainer.input(slot, facts, fileText: fileText)
            return values ? "\(input.name) \(input.value.isEmpty ? "empty" : input.value)" : input.name
        }
        func text(values: Bool) -> String {
            switch yield {
            case .age(let from, let to):
                "full years from \(shown(from, values: values)) to \(shown(to, values: values))"
            case .ageOn(let from, let date): "full years from \(shown(from, values: values)) to \(Dates.format(date))"
            default: preconditionFailure("only an age is worked out")
            }
        }
        return Working(text: text(values: true), words: text(values: false))
    }
}
