import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("Compare: matching records and placing them in cells")
struct RecordJoinTests {
    /// A record of a side: its learner, aim and STUBID, and its derived values as `derived.csv` writes them.
    struct Spec {
        var learner: String
        var aim = "1"
        var stubid: String
        var derived: [Slot: String] = [:]
    }

    private func spec(_ learner: String, aim: String = "1", stubid: String) -> Spec {
        Spec(learner: learner, aim: aim, stubid: stubid)
    }

    /// The side holding `specs`, in row order.
    private func side(_ specs: [Spec]) throws -> SideRecords {
        let records = try SideRecords(knowsInputs: false)
        for spec in specs {
            var facts = Facts()
            for slot in Slot.derived {
                var text = spec.derived[slot] ?? "0"
                facts[slot] = text.withUTF8 { Comparison.normalised($0, as: slot) }
            }
            let texts = ["10000001", spec.learner, spec.aim, spec.stubid].map { Array($0.utf8) }
            let buffers = texts.map { text in
                let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.count)
                _ = buffer.initialize(from: text)
                return UnsafeBufferPointer(buffer)
            }
            defer { buffers.forEach { $0.deallocate() } }
            var identifiers = SideRecords.Identifiers(repeating: UnsafeBufferPointer(start: nil, count: 0))
            for index in identifiers.indices { identifiers[index] = buffers[index] }
            try records.add(identifiers, facts: facts, fte: nil, raw: .none)
        }
        try records.finish()
        return records
    }

    /// The rows of a sorted spill of matches, with each one's other row (pairs) and whether it is ambiguous.
    private func rows(_ sort: SpillSort<RecordJoin.Match>, other: SideRecords? = nil) throws -> [[Int]] {
        var cursor = try sort.sorted()
        var found: [[Int]] = []
        let reader = other.map { RecordSpill.Reader($0.file) }
        while let match = cursor.current {
            let otherRow = try reader.map { try $0.record(at: match.otherOffset, length: match.otherLength).row }
            found.append([Int(match.row)] + (otherRow.map { [$0] } ?? []) + (match.ambiguous ? [-1] : []))
            try cursor.advance()
        }
        return found
    }

    @Test("a key on both sides once is a pair; a key on one side is added or removed")
    func plain() throws {
        let old = try side([spec("A", stubid: "1"), spec("B", stubid: "2")])
        let new = try side([spec("B", stubid: "2"), spec("C", stubid: "3")])
        let join = try RecordJoin(old: old, new: new)
        #expect(try rows(join.pairs, other: new) == [[2, 1]])
        #expect(try rows(join.removed) == [[1]])
        #expect(try rows(join.added) == [[2]])
        #expect(join.ambiguousCount == 0)
    }

    @Test("a key on both sides once is a pair even when its STUBIDs differ")
    func pairedWhateverTheStubid() throws {
        let old = try side([spec("A", stubid: "1")])
        let new = try side([spec("A", stubid: "7")])
        let join = try RecordJoin(old: old, new: new)
        #expect(try rows(join.pairs, other: new) == [[1, 1]])
    }

    @Test("a repeated key: a STUBID found once on each side settles the pair")
    func settledByStubid() throws {
        let old = try side([spec("A", stubid: "1"), spec("A", stubid: "2")])
        let new = try side([spec("A", stubid: "2"), spec("A", stubid: "1")])
        let join = try RecordJoin(old: old, new: new)
        #expect(try rows(join.pairs, other: new) == [[1, 2], [2, 1]])
        #expect(join.added.total == 0 && join.removed.total == 0)
    }

    @Test("a repeated key that STUBID cannot settle is ambiguous, never guessed")
    func ambiguous() throws {
        let old = try side([spec("A", stubid: "1"), spec("A", stubid: "1"), spec("A", stubid: "9")])
        let new = try side([spec("A", stubid: "1"), spec("A", stubid: "1")])
        let join = try RecordJoin(old: old, new: new)
        #expect(join.pairs.total == 0)
        #expect(try rows(join.removed) == [[1, -1], [2, -1], [3, -1]])
        #expect(try rows(join.added) == [[1, -1], [2, -1]])
        #expect(join.ambiguousCount == 5)
    }

    @Test("empty STUBIDs never settle a repeated key")
    func emptyStubids() throws {
        let old = try side([spec("A", stubid: ""), spec("A", stubid: "")])
        let new = try side([spec("A", stubid: ""), spec("A", stubid: "")])
        let join = try RecordJoin(old: old, new: new)
        #expect(join.pairs.total == 0)
        #expect(join.ambiguousCount == 4)
    }

    @Test("a repeated key left on one side only after STUBID is plainly removed")
    func leftOnOneSide() throws {
        let old = try side([spec("A", stubid: "1"), spec("A", stubid: "2")])
        let new = try side([spec("A", stubid: "1")])
        let join = try RecordJoin(old: old, new: new)
        #expect(try rows(join.pairs, other: new) == [[1, 1]])
        #expect(try rows(join.removed) == [[2]])
    }

    @Test("keys differ in any of UKPRN, LEARNREFNUMBER and AIMSEQNUMBER, and not by where one ends")
    func keyBoundaries() throws {
        let old = try side([spec("AB", aim: "1", stubid: "1"), spec("A", aim: "B1", stubid: "2")])
        let new = try side([spec("A", aim: "B1", stubid: "2"), spec("AB", aim: "1", stubid: "1")])
        let join = try RecordJoin(old: old, new: new)
        #expect(try rows(join.pairs, other: new) == [[1, 2], [2, 1]])
    }

    @Test("pairs come in OLD's row order, and added records in NEW's, over many spilled runs")
    func manyRecords() throws {
        let count = 70_000
        let old = try side((0..<count).map { spec("L\($0)", stubid: String($0)) })
        // NEW: every third record removed, the rest in reverse order, and 10 added.
        let kept = (0..<count).filter { $0 % 3 != 0 }.reversed()
        let new = try side(kept.map { spec("L\($0)", stubid: String($0)) } + (0..<10).map { spec("N\($0)", stubid: "") })
        let join = try RecordJoin(old: old, new: new)
        let pairs = try rows(join.pairs, other: new)
        #expect(pairs.count == kept.count)
        #expect(pairs.map { $0[0] } == kept.reversed().map { $0 + 1 })
        let newRow = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1 + 1, $0 + 1) })
        #expect(pairs.allSatisfy { $0[1] == newRow[$0[0]] })
        #expect(try rows(join.removed).map { $0[0] } == (0..<count).filter { $0 % 3 == 0 }.map { $0 + 1 })
        #expect(try rows(join.added).map { $0[0] } == Array(kept.count + 1...kept.count + 10))
    }

    @Test("a record's cells from its derived values, by the element table's groups")
    func cells() throws {
        func names(_ derived: [Slot: String]) throws -> [String] {
            let records = try side([Spec(learner: "A", stubid: "1", derived: derived)])
            let record = try RecordSpill.Reader(records.file).record(at: 0, length: UInt32(records.file.size))
            return CellPlace.all.indices.map(record.cell).filter { $0 >= 0 }.map { Cell.all[$0].name }
        }
        #expect(
            try names([.dispop: "1", .disalloc: "1", .wapop: "1", .waquin: "3", .eqpop: "1", .eqgrp: "M_O_L"])
                == ["DISPOP", "DISALLOC", "WAPOP1_Q3", "M_O_L"])
        #expect(try names([.wapop: "3", .waquin: "", .eqpop: "1", .eqgrp: ""]) == ["WAPOP3_UNKNOWN", "NONE"])
        #expect(try names([:]).isEmpty)
    }
}

@Suite("Sorting on a spill")
struct SpillSortTests {
    @Test("entries come back in order however many runs they spill to", arguments: [0, 1, 7, 8, 1000])
    func sorted(count: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let values = (0..<count).map { _ in UInt32.random(in: 0..<500, using: &generator) }
        let sort = SpillSort<UInt32>(name: "test", capacity: 8)
        for value in values { try sort.append(value) }
        #expect(sort.total == count)
        var cursor = try sort.sorted()
        var found: [UInt32] = []
        while let value = cursor.current {
            found.append(value)
            try cursor.advance()
        }
        #expect(found == values.sorted())
    }
}
