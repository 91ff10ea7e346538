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

/// The rules' conditions flattened into one array of nodes in pre-order: a
/// composite node is followed by its children, and `size` skips a subtree.
struct Program: Sendable {
    enum Operation: UInt8 { case test, all, any, not }

    struct Node {
        var operation: Operation
        var childCount: Int32
        var size: Int32
        var atom: Atom
    }

    struct CompiledClause {
        var root: Int32
        var yield: Yield
    }

    struct CompiledRule {
        var field: Slot
        var firstClause: Int32
        var clauseCount: Int32
    }

    private var nodes: [Node] = []
    private var clauses: [CompiledClause] = []
    private var compiledRules: [CompiledRule] = []

    init(_ rules: [Rule]) {
        for rule in rules {
            compiledRules.append(
                CompiledRule(field: rule.field, firstClause: Int32(clauses.count), clauseCount: Int32(rule.clauses.count)))
            for clause in rule.clauses {
                clauses.append(CompiledClause(root: Int32(nodes.count), yield: clause.yield))
                append(clause.condition)
            }
        }
    }

    private mutating func append(_ condition: Condition) {
        let placeholder = Atom(slot: .hefexcl, kind: .member)
        let index = nodes.count
        switch condition {
        case .test(let atom, _):
            nodes.append(Node(operation: .test, childCount: 0, size: 1, atom: atom))
            return
        case .all(let parts):
            nodes.append(Node(operation: .all, childCount: Int32(parts.count), size: 0, atom: placeholder))
            parts.forEach { append($0) }
        case .any(let parts):
            nodes.append(Node(operation: .any, childCount: Int32(parts.count), size: 0, atom: placeholder))
            parts.forEach { append($0) }
        case .not(let inner):
            nodes.append(Node(operation: .not, childCount: 1, size: 0, atom: placeholder))
            append(inner)
        }
        nodes[index].size = Int32(nodes.count - index)
    }

    func run(_ facts: inout Facts) {
        nodes.withUnsafeBufferPointer { nodes in
            clauses.withUnsafeBufferPointer { clauses in
                for (ruleIndex, rule) in compiledRules.enumerated() {
                    let (offset, value) = Self.decide(rule, nodes, clauses, facts.values.span)
                    facts.values[rule.field.rawValue] = value
                    facts.decidedBy[ruleIndex] = offset
                }
            }
        }
    }

    /// The first clause of `rule` that holds, and the value it gives.
    @inline(__always)
    private static func decide(
        _ rule: CompiledRule, _ nodes: UnsafeBufferPointer<Node>, _ clauses: UnsafeBufferPointer<CompiledClause>,
        _ values: Span<Int64>
    ) -> (UInt8, Int64) {
        let first = Int(rule.firstClause)
        for offset in 0..<Int(rule.clauseCount) {
            let clause = clauses[first &+ offset]
            if evaluate(nodes, Int(clause.root), values) {
                return (UInt8(truncatingIfNeeded: offset), clause.yield.value(values))
            }
        }
        preconditionFailure("every rule ends with its Otherwise row")
    }

    func firstFailingPart(rule ruleIndex: Int, clause: Int, _ values: Span<Int64>) -> Int? {
        nodes.withUnsafeBufferPointer { nodes in
            let root = Int(clauses[Int(compiledRules[ruleIndex].firstClause) + clause].root)
            guard nodes[root].operation == .all else { return Self.evaluate(nodes, root, values) ? nil : 0 }
            var child = root &+ 1
            for part in 0..<Int(nodes[root].childCount) {
                if !Self.evaluate(nodes, child, values) { return part }
                child &+= Int(nodes[child].size)
            }
            return nil
        }
    }

    private static func evaluate(_ nodes: UnsafeBufferPointer<Node>, _ index: Int, _ values: Span<Int64>) -> Bool {
        let node = nodes[index]
        switch node.operation {
        case .test:
            return node.atom.holds(values)
        case .all:
            var child = index &+ 1
            for _ in 0..<node.childCount {
                if !evaluate(nodes, child, values) { return false }
                child &+= Int(nodes[child].size)
            }
            return true
        case .any:
            var child = index &+ 1
            for _ in 0..<node.childCount {
                if evaluate(nodes, child, values) { return true }
                child &+= Int(nodes[child].size)
            }
            return false
        case .not:
            return !evaluate(nodes, index &+ 1, values)
        }
    }
}
