/// `exclusions.csv`: for every record, why it is in or out of each
/// population — DISPOP, WAPOP and EQPOP. HEFCE's "details of why they were
/// excluded", made complete.
///
/// A reason is `IN`, or the first condition that failed, in the document's
/// words with the values found: `HEFCOMP = 4 failed: HEFCOMP is 3`. Where a
/// field has several inclusion rows (WAPOP 1, 2 and 3), the reason is taken
/// from the row that came nearest to holding: the one whose first failure
/// comes latest in its list of conditions. It is found with the compiled
/// rules of the fast path, and only the reason's text is built here.
struct Exclusions {
    static let header =
        ["ROW"] + RecordOutputs.identifierColumns.map(\.name) + ["DISPOP_REASON", "WAPOP_REASON", "EQPOP_REASON"]

    /// For each population rule: its index, and for each clause that includes
    /// (a value other than 0), the clause index and its parts.
    private let populations: [(rule: Int, clauses: [(index: Int, parts: [Part])])]
    private let derivation: Derivation
    private let layout: Layout

    /// One condition of a clause's top "all of": its words and what it reads.
    struct Part {
        var prefix: [UInt8]
        var reads: [Slot]
    }

    init(derivation: Derivation, layout: Layout) {
        self.derivation = derivation
        self.layout = layout
        populations = [Slot.dispop, .wapop, .eqpop].map { field in
            let ruleIndex = derivation.rules.firstIndex { $0.field == field }!
            let clauses = derivation.rules[ruleIndex].clauses.enumerated().compactMap { index, clause in
                guard case .constant(let value) = clause.yield, value != 0 else { return nil as (Int, [Part])? }
                let parts: [Condition] = if case .all(let parts) = clause.condition { parts } else { [clause.condition] }
                return (index, parts.map { part in
                    var seen: Set<String> = []
                    let reads = part.atoms.flatMap(\.reads).filter { seen.insert(Self.name(of: $0)).inserted }
                    return Part(prefix: Array("\(part.text) failed: ".utf8), reads: reads)
                })
            }
            return (ruleIndex, clauses)
        }
    }

    private static func name(of slot: Slot) -> String {
        !slot.isDerived && !slot.isLinked ? (slot.column?.name ?? slot.name) : slot.name
    }

    /// Writes the record's three reasons as fields of `output`.
    func write(_ record: RawRecord, _ facts: borrowing Facts, to output: CSVOutput, scratch: inout [UInt8]) throws {
        for population in populations {
            if facts.values[derivation.rules[population.rule].field.rawValue] != 0 {
                try Self.inText.withUnsafeBufferPointer { try output.field($0) }
                continue
            }
            var best: (clause: Int, part: Int) = (0, -1)
            for (position, clause) in population.clauses.enumerated() {
                let part = derivation.firstFailingPart(rule: population.rule, clause: clause.index, in: facts) ?? 0
                if part > best.part { best = (position, part) }
            }
            let part = population.clauses[best.clause].parts[best.part]
            scratch.removeAll(keepingCapacity: true)
            scratch += part.prefix
            for (index, slot) in part.reads.enumerated() {
                if index > 0 { scratch += Self.comma }
                scratch += Self.name(of: slot).utf8
                scratch += Self.isWord
                appendValue(slot, record, facts, to: &scratch)
            }
            try scratch.withUnsafeBufferPointer { try output.field($0) }
        }
    }

    private static let inText = Array("IN".utf8)
    private static let comma = Array(", ".utf8)
    private static let isWord = Array(" is ".utf8)
    private static let empty = Array("empty".utf8)

    /// The value as an explanation shows it: an input as the file writes it,
    /// a derived or linked value as `derived.csv` would.
    private func appendValue(_ slot: Slot, _ record: RawRecord, _ facts: borrowing Facts, to scratch: inout [UInt8]) {
        if !slot.isDerived && !slot.isLinked, let column = slot.column, let position = layout.position(of: column) {
            let text = record[position]
            if text.isEmpty {
                scratch += Self.empty
            } else if FieldParsing.quality(of: text) == .plain {
                scratch += text
            } else {
                scratch += FieldParsing.displayText(text).utf8
            }
            return
        }
        let text = slot.domain.format(facts.values[slot.rawValue])
        scratch += text.isEmpty ? Self.empty : Array(text.utf8)
    }
}
