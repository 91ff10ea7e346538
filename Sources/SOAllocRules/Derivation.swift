/// The derivation stages of the technical document, in order.
///
/// Each stage is a `Rule`: a function of the record's inputs and of the
/// stages before it only (`DerivationTests` checks the order). `derive`
/// evaluates the rules' declared clauses, compiled once into a flat array so
/// that a record costs no allocation and no reference counting.
public struct Derivation: Sendable {
    /// UGDSA, PGDSA, DISPOP, DISALLOC, SOENTRANT, SOENTRYAGE, HIGHQUAL, WAPOP,
    /// WAQUIN, SOLINKAGE, SOTARIFF, SOGRADECOMB, SOENTQUAL, EQPOP, UGLEVEL, EQGRP.
    public static let rules: [Rule] = [
        .ugdsa, .pgdsa, .dispop, .disalloc,
        .soentrant, .soentryage, .highqual, .wapop, .waquin,
        .solinkage, .sotariff, .sogradecomb, .soentqual, .eqpop, .uglevel, .eqgrp,
    ]

    public static let standard = Derivation(rules: rules)

    public let rules: [Rule]
    private let program: Program

    public init(rules: [Rule]) {
        precondition(rules.map(\.field) == Slot.derived, "one rule per derived field, in order")
        self.rules = rules
        self.program = Program(rules)
    }

    /// Derives every field of `facts` from its inputs, recording which clause
    /// of each rule gave the value.
    @inline(__always)
    public func derive(_ facts: inout Facts) {
        program.run(&facts)
    }

    /// Evaluates one rule over `facts` as they stand, without setting its
    /// field: the clause that holds first, and the value it gives.
    public func evaluate(rule ruleIndex: Int, _ facts: borrowing Facts) -> (clause: Int, value: Int64) {
        program.evaluate(rule: ruleIndex, facts.values.span)
    }

    /// The parts of a clause's condition (as `Condition.parts` lists them)
    /// that fail for `facts`: bit `i` for part `i`. Zero when the clause holds.
    public func failingParts(rule ruleIndex: Int, clause: Int, in facts: borrowing Facts) -> UInt64 {
        program.failingParts(rule: ruleIndex, clause: clause, facts.values.span)
    }

    /// The position of the first part of a clause's condition that fails for
    /// `facts` (its parts are those of its top "all of"; a condition that is
    /// not one is a single part), or nil when the clause holds.
    public func firstFailingPart(rule ruleIndex: Int, clause: Int, in facts: borrowing Facts) -> Int? {
        program.firstFailingPart(rule: ruleIndex, clause: clause, facts.values.span)
    }

    /// The clause that gave `rule`'s value in `facts`.
    public func decidingClause(of ruleIndex: Int, in facts: borrowing Facts) -> Clause {
        rules[ruleIndex].clauses[Int(facts.decidedBy[ruleIndex])]
    }
}

/// The rules' conditions compiled into jump code: each instruction tests one
/// atom and names the instruction to go to next when it holds and when it
/// does not. A negative target ends the walk: `-(k + 1)` means that clause
/// `k` of the rule holds. "All of" and "one of" become chains of jumps, so a
/// rule is decided by a short loop, with no recursion and no allocation.
struct Program: Sendable {
    struct Instruction {
        var atom: Atom
        var onTrue: Int32
        var onFalse: Int32
    }

    struct CompiledRule {
        var field: Slot
        /// The first instruction of the rule's walk, or the clause it decides at once.
        var entry: Int32
        /// Where the rule's clauses' yields start in `yields`.
        var firstYield: Int32
    }

    private var code: [Instruction] = []
    private var compiledRules: [CompiledRule] = []
    private var yields: [Yield] = []
    /// For each clause (indexed as `yields`), the range in `partEntries` of
    /// the entries of the parts of its top "all of".
    private var partRanges: [Range<Int32>] = []
    /// Entries of parts: each walk ends at -1 when the part holds and -2 when it fails.
    private var partEntries: [Int32] = []

    init(_ rules: [Rule]) {
        for rule in rules {
            var entry = Self.target(clause: rule.clauses.count - 1)  // the Otherwise row
            for (index, clause) in rule.clauses.enumerated().reversed().dropFirst() {
                entry = emit(clause.condition, onTrue: Self.target(clause: index), onFalse: entry)
            }
            for clause in rule.clauses {
                let first = Int32(partEntries.count)
                for condition in clause.condition.parts { partEntries.append(emit(condition, onTrue: -1, onFalse: -2)) }
                partRanges.append(first..<Int32(partEntries.count))
            }
            compiledRules.append(CompiledRule(field: rule.field, entry: entry, firstYield: Int32(yields.count)))
            yields += rule.clauses.map(\.yield)
        }
    }

    private static func target(clause: Int) -> Int32 { -Int32(clause) - 1 }

    /// Emits the jumps of `condition`, and returns where its walk starts.
    private mutating func emit(_ condition: Condition, onTrue: Int32, onFalse: Int32) -> Int32 {
        switch condition {
        case .test(let atom, _):
            code.append(Instruction(atom: atom, onTrue: onTrue, onFalse: onFalse))
            return Int32(code.count - 1)
        case .all(let parts):
            var next = onTrue
            for part in parts.reversed() { next = emit(part, onTrue: next, onFalse: onFalse) }
            return next
        case .any(let parts):
            var next = onFalse
            for part in parts.reversed() { next = emit(part, onTrue: onTrue, onFalse: next) }
            return next
        case .not(let inner):
            return emit(inner, onTrue: onFalse, onFalse: onTrue)
        }
    }

    /// Walks the jump code from `entry` to its end: the negative target reached.
    @inline(__always)
    private static func walk(_ code: UnsafeBufferPointer<Instruction>, from entry: Int32, _ values: UnsafePointer<Int64>)
        -> Int32
    {
        var next = entry
        while next >= 0 {
            let instruction = code[Int(next)]
            next = instruction.atom.holds(values) ? instruction.onTrue : instruction.onFalse
        }
        return next
    }

    func run(_ facts: inout Facts) {
        code.withUnsafeBufferPointer { code in
            compiledRules.withUnsafeBufferPointer { rules in
                yields.withUnsafeBufferPointer { yields in
                    for ruleIndex in 0..<rules.count {
                        let (clause, value) = facts.values.span.withUnsafeBufferPointer { values in
                            Self.evaluate(rules[ruleIndex], code, yields, values.baseAddress!)
                        }
                        facts.values[rules[ruleIndex].field.rawValue] = value
                        facts.decidedBy[ruleIndex] = UInt8(truncatingIfNeeded: clause)
                    }
                }
            }
        }
    }

    /// The clause of `rule` that holds first over `values`, and its value.
    @inline(__always)
    private static func evaluate(
        _ rule: CompiledRule, _ code: UnsafeBufferPointer<Instruction>, _ yields: UnsafeBufferPointer<Yield>,
        _ values: UnsafePointer<Int64>
    ) -> (clause: Int, value: Int64) {
        let clause = Int(-walk(code, from: rule.entry, values) - 1)
        return (clause, yields[Int(rule.firstYield) + clause].value(values))
    }

    func evaluate(rule ruleIndex: Int, _ values: Span<Int64>) -> (clause: Int, value: Int64) {
        code.withUnsafeBufferPointer { code in
            yields.withUnsafeBufferPointer { yields in
                values.withUnsafeBufferPointer { values in
                    Self.evaluate(compiledRules[ruleIndex], code, yields, values.baseAddress!)
                }
            }
        }
    }

    func firstFailingPart(rule ruleIndex: Int, clause: Int, _ values: Span<Int64>) -> Int? {
        let failing = failingParts(rule: ruleIndex, clause: clause, values, first: true)
        return failing == 0 ? nil : failing.trailingZeroBitCount
    }

    /// The clause's failing parts as bits; with `first`, only the first of them.
    func failingParts(rule ruleIndex: Int, clause: Int, _ values: Span<Int64>, first: Bool = false) -> UInt64 {
        code.withUnsafeBufferPointer { code in
            partEntries.withUnsafeBufferPointer { entries in
                values.withUnsafeBufferPointer { values in
                    let range = partRanges[Int(compiledRules[ruleIndex].firstYield) + clause]
                    var failing: UInt64 = 0
                    for index in range where Self.walk(code, from: entries[Int(index)], values.baseAddress!) == -2 {
                        failing |= 1 << UInt64(index - range.lowerBound)
                        if first { break }
                    }
                    return failing
                }
            }
        }
    }
}
