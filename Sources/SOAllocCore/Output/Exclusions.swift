import SOAllocRules

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
        ["ROW"] + Column.identifiers.map(\.name) + Element.all.map { "\($0.population.name)_REASON" }

    /// The tables are flat arrays of plain values, built once, so that writing
    /// a reason copies bytes and nothing else.
    private let tables: Tables
    private let derivation: Derivation
    private let layout: Layout

    final class Tables: @unchecked Sendable {
        /// Per population: its rule index, field, and its inclusion clauses' range in `clauses`.
        let populations: UnsafeBufferPointer<(rule: Int32, field: Slot, clauses: Range<Int32>)>
        /// Per inclusion clause: its index in the rule, and its parts' range in `parts`.
        let clauses: UnsafeBufferPointer<(index: Int32, parts: Range<Int32>)>
        /// Per part: its "… failed: " text's range in `text`, and its inputs' range in `reads`.
        let parts: UnsafeBufferPointer<(text: Range<Int32>, reads: Range<Int32>)>
        /// Per input a part reads: the slot, and its name's range in `text`.
        let reads: UnsafeBufferPointer<(slot: Slot, name: Range<Int32>)>
        let text: UnsafeBufferPointer<UInt8>

        init(derivation: Derivation) {
            var populations: [(Int32, Slot, Range<Int32>)] = []
            var clauses: [(Int32, Range<Int32>)] = []
            var parts: [(Range<Int32>, Range<Int32>)] = []
            var reads: [(Slot, Range<Int32>)] = []
            var text: [UInt8] = []
            func add(_ string: String) -> Range<Int32> {
                let start = Int32(text.count)
                text += Array(string.utf8)
                return start..<Int32(text.count)
            }
            for field in Element.all.map(\.population) {
                let ruleIndex = derivation.rules.firstIndex { $0.field == field }!
                let firstClause = Int32(clauses.count)
                for (index, clause) in derivation.rules[ruleIndex].clauses.enumerated() {
                    guard case .constant(let value) = clause.yield, value != 0 else { continue }
                    let firstPart = Int32(parts.count)
                    for part in clause.condition.parts {
                        var seen: Set<String> = []
                        let firstRead = Int32(reads.count)
                        for slot in part.atoms.flatMap(\.reads) where seen.insert(Exclusions.name(of: slot)).inserted {
                            reads.append((slot, add(Exclusions.name(of: slot))))
                        }
                        parts.append((add("\(part.text) failed: "), firstRead..<Int32(reads.count)))
                    }
                    clauses.append((Int32(index), firstPart..<Int32(parts.count)))
                }
                populations.append((Int32(ruleIndex), field, firstClause..<Int32(clauses.count)))
            }
            func buffer<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
                let pointer = UnsafeMutableBufferPointer<T>.allocate(capacity: array.count)
                _ = pointer.initialize(from: array)
                return UnsafeBufferPointer(pointer)
            }
            self.populations = buffer(populations.map { (rule: $0.0, field: $0.1, clauses: $0.2) })
            self.clauses = buffer(clauses.map { (index: $0.0, parts: $0.1) })
            self.parts = buffer(parts.map { (text: $0.0, reads: $0.1) })
            self.reads = buffer(reads.map { (slot: $0.0, name: $0.1) })
            self.text = buffer(text)
        }

        deinit {
            populations.deallocate()
            clauses.deallocate()
            parts.deallocate()
            reads.deallocate()
            text.deallocate()
        }

        func text(_ range: Range<Int32>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: text[Int(range.lowerBound)..<Int(range.upperBound)])
        }
    }

    init(derivation: Derivation, layout: Layout) {
        self.derivation = derivation
        self.layout = layout
        tables = Tables(derivation: derivation)
    }

    fileprivate static func name(of slot: Slot) -> String {
        !slot.isDerived && !slot.isLinked ? (slot.column?.name ?? slot.name) : slot.name
    }

    /// Writes the record's three reasons as fields of `output`.
    func write(_ record: RawRecord, _ facts: borrowing Facts, to output: CSVOutput, scratch: inout [UInt8]) throws {
        let tables = self.tables
        for population in tables.populations {
            if facts.values[population.field.rawValue] != 0 {
                try output.field(Self.inText)
                continue
            }
            var best: (clause: Int32, part: Int) = (population.clauses.lowerBound, -1)
            for clause in population.clauses {
                let part =
                    derivation.firstFailingPart(rule: Int(population.rule), clause: Int(tables.clauses[Int(clause)].index), in: facts)
                    ?? 0
                if part > best.part { best = (clause, part) }
            }
            let part = tables.parts[Int(tables.clauses[Int(best.clause)].parts.lowerBound) + best.part]
            scratch.removeAll(keepingCapacity: true)
            scratch += tables.text(part.text)
            for index in part.reads {
                let read = tables.reads[Int(index)]
                if index > part.reads.lowerBound { scratch += Self.bytes(Self.comma) }
                scratch += tables.text(read.name)
                scratch += Self.bytes(Self.isWord)
                appendValue(read.slot, record, facts, to: &scratch)
            }
            try scratch.withUnsafeBufferPointer { try output.field($0) }
        }
    }

    @inline(__always)
    private static func bytes(_ text: StaticString) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }

    private static let inText: StaticString = "IN"
    private static let comma: StaticString = ", "
    private static let isWord: StaticString = " is "
    private static let empty: StaticString = "empty"

    /// The value as an explanation shows it: an input as the file writes it,
    /// a derived or linked value as `derived.csv` would.
    private func appendValue(_ slot: Slot, _ record: RawRecord, _ facts: borrowing Facts, to scratch: inout [UInt8]) {
        if !slot.isDerived && !slot.isLinked, let column = slot.column, let position = layout.position(of: column) {
            let text = record[position]
            if text.isEmpty {
                scratch += Self.bytes(Self.empty)
            } else if FieldParsing.quality(of: text) == .plain {
                scratch += text
            } else {
                scratch += FieldParsing.displayText(text).utf8
            }
            return
        }
        let text = slot.domain.format(facts.values[slot.rawValue])
        if text.isEmpty { scratch += Self.bytes(Self.empty) } else { scratch += text.utf8 }
    }
}
