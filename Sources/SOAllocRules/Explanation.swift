/// How one condition of a rule turned out for a record, with the values it read.
public struct ConditionOutcome: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case test, all, any, not }

    public var kind: Kind
    /// The condition in the document's notation.
    public var text: String
    public var holds: Bool
    /// The values the condition read: name and value, in order.
    public var inputs: [Input]
    /// The outcomes of a composite condition's parts.
    public var parts: [ConditionOutcome]

    public struct Input: Sendable, Equatable {
        public var name: String
        /// As in the file for an input, made safe to print; as in
        /// `derived.csv` for a derived field.
        public var value: String
    }

    /// The first part whose failure made this condition fail: the condition
    /// itself, or for "all of", the first failing part (looked into when it is
    /// itself an "all of").
    public var firstFailure: ConditionOutcome? {
        guard !holds else { return nil }
        if kind == .all, let part = parts.first(where: { !$0.holds }) { return part.firstFailure }
        return self
    }

    /// "HEFCOMP = 4 failed", or "WAPOP = 0 held": the document's words and the outcome.
    public var verdict: String { "\(text) \(holds ? "held" : "failed")" }

    /// "HEFCOMP = 4 failed: HEFCOMP is 3", the verdict and the values found,
    /// in the words of `exclusions.csv`.
    public var reason: String {
        "\(verdict): " + inputs.map { "\($0.name) is \($0.value.isEmpty ? "empty" : $0.value)" }.joined(separator: ", ")
    }
}

/// How a derived field got its value.
public struct FieldExplanation: Sendable, Equatable {
    public var field: Slot
    /// As in `derived.csv`.
    public var value: String
    /// The label of the clause that gave the value.
    public var clause: String
    /// The deciding clause's condition, every part evaluated.
    public var because: ConditionOutcome
    /// Each clause above the deciding one, with the first condition that failed in it.
    public var rejected: [(clause: String, failure: ConditionOutcome)]
    /// HEFCE's value as the file has it, made safe to print; nil when the file has no such column.
    public var hefce: String?
    /// Why HEFCE's value differs from ours; nil when they agree or the file has no such column.
    public var reason: DifferenceReason?

    public static func == (lhs: FieldExplanation, rhs: FieldExplanation) -> Bool {
        lhs.field == rhs.field && lhs.value == rhs.value && lhs.clause == rhs.clause && lhs.because == rhs.because
            && lhs.rejected.map(\.clause) == rhs.rejected.map(\.clause)
            && lhs.rejected.map(\.failure) == rhs.rejected.map(\.failure) && lhs.hefce == rhs.hefce
            && lhs.reason == rhs.reason
    }
}

/// Explains a record's derived fields by walking the rules' declared clauses,
/// the same declarations the fast path compiles, and recording every
/// condition with the values it read. It derives the fields itself, so an
/// explanation can be checked against `derived.csv`.
public struct Explainer: Sendable {
    public let rules: [Rule]

    public init(rules: [Rule] = Derivation.rules) {
        self.rules = rules
    }

    /// Explains every derived field of a record whose inputs (and linked
    /// data) are loaded in `facts`; the derived slots of `facts` are set as the
    /// explanation derives them. `fileText` gives a column's text as the
    /// record has it, made safe to print, or nil when the file has no such column.
    public func explain(_ facts: inout Facts, fileText: (Column) -> String?) -> [FieldExplanation] {
        rules.map { rule in
            var rejected: [(String, ConditionOutcome)] = []
            for clause in rule.clauses {
                let outcome = trace(clause.condition, facts, fileText: fileText)
                if outcome.holds {
                    let value = clause.yield.value(facts.values.span)
                    facts[rule.field] = value
                    return FieldExplanation(
                        field: rule.field, value: rule.field.domain.format(value), clause: rule.label(of: clause),
                        because: outcome, rejected: rejected)
                }
                rejected.append((rule.label(of: clause), outcome.firstFailure!))
            }
            preconditionFailure("\(rule.field.name) has no Otherwise row")
        }
    }

    /// Evaluates every part of a condition, recording what each read.
    public func trace(_ condition: Condition, _ facts: Facts, fileText: (Column) -> String?) -> ConditionOutcome {
        switch condition {
        case .test(let atom, let text):
            return ConditionOutcome(
                kind: .test, text: text, holds: atom.holds(in: facts),
                inputs: atom.reads.map { input($0, facts, fileText: fileText) }, parts: [])
        case .all(let parts), .any(let parts):
            let outcomes = parts.map { trace($0, facts, fileText: fileText) }
            let isAll = if case .all = condition { true } else { false }
            return ConditionOutcome(
                kind: isAll ? .all : .any, text: condition.text,
                holds: isAll ? outcomes.allSatisfy(\.holds) : outcomes.contains(where: \.holds),
                inputs: Self.merged(outcomes.map(\.inputs)), parts: outcomes)
        case .not(let inner):
            let outcome = trace(inner, facts, fileText: fileText)
            return ConditionOutcome(
                kind: .not, text: condition.text, holds: !outcome.holds, inputs: outcome.inputs, parts: [outcome])
        }
    }

    /// A slot's value for an explanation: an input as the file writes it, a
    /// derived or linked value as `derived.csv` would.
    public func input(_ slot: Slot, _ facts: Facts, fileText: (Column) -> String?) -> ConditionOutcome.Input {
        if !slot.isDerived && !slot.isLinked, let column = slot.column, let text = fileText(column) {
            if slot == .hefesfte && facts.isInvalid(.hefesfte) && !text.isEmpty {
                // Not a number, or outside 0–100: the rules read 0 (ruling R6).
                return .init(name: column.name, value: "\(text), counted as 0 by ruling R6")
            }
            return .init(name: column.name, value: text)
        }
        if slot == .postcodeLookup { return .init(name: slot.name, value: facts[slot] == 1 ? "yes" : "no") }
        return .init(name: slot.name, value: slot.domain.format(facts[slot]))
    }

    private static func merged(_ lists: [[ConditionOutcome.Input]]) -> [ConditionOutcome.Input] {
        var seen: Set<String> = []
        return lists.flatMap { $0 }.filter { seen.insert($0.name).inserted }
    }
}
