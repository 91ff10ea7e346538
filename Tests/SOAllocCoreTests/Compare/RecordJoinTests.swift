import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("Compare: matching records and placing them in cells")
struct RecordJoinTests {
    private func record(_ row: Int, _ learner: String, aim: String = "1", stubid: String, derived: [String]? = nil)
        -> ComparedRecord
    {
        let values = derived ?? Array(repeating: "0", count: Slot.derived.count)
        return ComparedRecord(
            row: row, identifiers: ["10000001", learner, aim, stubid], derived: values, cells: DerivedCells.cells(values),
            fte: nil, raw: nil)
    }

    @Test("a key on both sides once is a pair; a key on one side is added or removed")
    func plain() {
        let old = [record(1, "A", stubid: "1"), record(2, "B", stubid: "2")]
        let new = [record(1, "B", stubid: "2"), record(2, "C", stubid: "3")]
        let join = RecordJoin(old: old, new: new)
        #expect(join.pairs.map { [$0.old, $0.new] } == [[1, 0]])
        #expect(join.removed.map(\.index) == [0])
        #expect(join.added.map(\.index) == [1])
        #expect(join.ambiguousCount == 0)
    }

    @Test("a repeated key: a STUBID found once on each side settles the pair")
    func settledByStubid() {
        let old = [record(1, "A", stubid: "1"), record(2, "A", stubid: "2")]
        let new = [record(1, "A", stubid: "2"), record(2, "A", stubid: "1")]
        let join = RecordJoin(old: old, new: new)
        #expect(join.pairs.map { [$0.old, $0.new] } == [[0, 1], [1, 0]])
        #expect(join.added.isEmpty && join.removed.isEmpty)
    }

    @Test("a repeated key that STUBID cannot settle is ambiguous, never guessed")
    func ambiguous() {
        let old = [record(1, "A", stubid: "1"), record(2, "A", stubid: "1"), record(3, "A", stubid: "9")]
        let new = [record(1, "A", stubid: "1"), record(2, "A", stubid: "1")]
        let join = RecordJoin(old: old, new: new)
        #expect(join.pairs.isEmpty)
        #expect(join.removed.map(\.index) == [0, 1, 2])
        #expect(join.removed.allSatisfy { $0.ambiguous })
        #expect(join.added.map(\.index) == [0, 1])
        #expect(join.ambiguousCount == 5)
    }

    @Test("a repeated key left on one side only after STUBID is plainly removed")
    func leftOnOneSide() {
        let old = [record(1, "A", stubid: "1"), record(2, "A", stubid: "2")]
        let new = [record(1, "A", stubid: "1")]
        let join = RecordJoin(old: old, new: new)
        #expect(join.pairs.map { [$0.old, $0.new] } == [[0, 0]])
        #expect(join.removed.map(\.index) == [1])
        #expect(!join.removed[0].ambiguous)
    }

    @Test("a record's cells from its derived text, by the element table's groups")
    func cells() {
        func derived(_ values: [Slot: String]) -> [String] {
            Slot.derived.map { values[$0] ?? "0" }
        }
        let young = DerivedCells.cells(derived([.dispop: "1", .disalloc: "1", .wapop: "1", .waquin: "3", .eqpop: "1", .eqgrp: "M_O_L"]))
        #expect(young.filter { $0 >= 0 }.map { Cell.all[Int($0)].name } == ["DISPOP", "DISALLOC", "WAPOP1_Q3", "M_O_L"])
        let unknown = DerivedCells.cells(derived([.wapop: "3", .waquin: "", .eqpop: "1", .eqgrp: ""]))
        #expect(unknown.filter { $0 >= 0 }.map { Cell.all[Int($0)].name } == ["WAPOP3_UNKNOWN", "NONE"])
        #expect(DerivedCells.cells(derived([:])).allSatisfy { $0 < 0 })
    }
}
