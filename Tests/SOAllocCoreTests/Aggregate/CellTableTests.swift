import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

/// The cell table of some test records.
private func cells(_ records: [TestRecord]) -> CellTable {
    var table = CellTable()
    for record in records { table.count(record.facts) }
    return table
}

private func cell(_ name: String) -> Cell { Cell.named(name)! }

/// A mature full-time entrant (WAPOP 2).
private let mature: [Column: String] = [.dateofbirth: "01/01/1980"]

@Suite("Cell tables")
struct CellTableTests {
    @Test("the cells of cells.csv, in order")
    func order() {
        let names = Cell.all.map(\.name)
        #expect(names.count == 2 + 18 + 17)
        #expect(names.prefix(4) == ["DISPOP", "DISALLOC", "WAPOP1_Q1", "WAPOP1_Q2"])
        #expect(names[7] == "WAPOP1_UNKNOWN")
        #expect(names[8] == "WAPOP2_Q1")
        #expect(names[19] == "WAPOP3_UNKNOWN")
        #expect(Array(names[20...]) == [
            "Y_F_L", "Y_F_M", "Y_F_H", "Y_F_U", "Y_O_L", "Y_O_M", "Y_O_H", "Y_O_U",
            "M_F_L", "M_F_M", "M_F_H", "M_F_U", "M_O_L", "M_O_M", "M_O_H", "M_O_U", "NONE",
        ])
        #expect(Element.all.map(\.name) == ["DISABILITY", "WIDENING_ACCESS", "RETENTION"])
    }

    @Test("each record lands in the cells its derived fields name")
    func placement() {
        let table = cells([
            TestRecord([.hefesfte: "100"]),  // DISPOP, DISALLOC, WAPOP1_Q3, Y_F_U
            TestRecord([.learnfamcodeDLA: "0", .waquin: "5", .hefesfte: "50"]),  // DISPOP, WAPOP1_Q5, Y_F_U
            TestRecord(mature.merging([.waquin: "1", .qualent3: "HUK", .hefesfte: "75"]) { $1 }),  // WAPOP2_Q5 (HIGHQUAL 0), M_F_L
            TestRecord([.hefmode: "PT", .hefesfte: "25", .waquin: ""]),  // WAPOP3_UNKNOWN; not EQPOP
            TestRecord([.hefqaim: "OTHER", .hefesfte: "100"]),  // EQPOP with empty EQGRP: NONE
            TestRecord([.hefcomp: "3"]),  // no cell at all
        ])
        #expect(table.headcount[cell("DISPOP").index] == 5)
        #expect(table.headcount[cell("DISALLOC").index] == 4)
        #expect(table.headcount[cell("WAPOP1_Q3").index] == 2)
        #expect(table.headcount[cell("WAPOP1_Q5").index] == 1)
        #expect(table.headcount[cell("WAPOP2_Q5").index] == 1)
        #expect(table.headcount[cell("WAPOP2_Q1").index] == 0)
        #expect(table.headcount[cell("WAPOP3_UNKNOWN").index] == 1)
        #expect(table.headcount[cell("Y_F_U").index] == 2)
        #expect(table.headcount[cell("M_F_L").index] == 1)
        #expect(table.headcount[cell("NONE").index] == 1)
        let placed = table.headcount.reduce(0, +)
        #expect(placed == 18)
        #expect(table.fte(cell("WAPOP1_Q3")) == Decimal(string: "2")!)
        #expect(table.fte(cell("Y_F_U")) == Decimal(string: "1.5")!)
        #expect(table.fte(cell("WAPOP3_UNKNOWN")) == Decimal(string: "0.25")!)
    }

    @Test("FTE is Σ HEFESFTE / 100, rounded half-up to two places", arguments: [
        (["0.5"], "0.01"), (["0.4999"], "0.00"), (["1.5"], "0.02"), (["12.345"], "0.12"),
        (["33.3", "33.3", "33.4"], "1.00"), (["0.25", "0.25"], "0.01"), (["0.2", "0.2"], "0.00"),
        (["n/a", "50"], "0.50"),
    ])
    func fteRounding(ftes: [String], expected: String) {
        let table = cells(ftes.map { TestRecord([.hefesfte: $0]) })
        #expect(table.fte(cell("DISPOP")).fixed(2) == expected)
    }

    @Test("an HEFESFTE outside 0–100 counts as 0 in every cell (ruling R6)", arguments: [
        "-100", "1000000", "5000000000000", "9999999999999", "-9999999999999",
    ])
    func outOfRangeCountsAsZero(text: String) {
        let table = cells([TestRecord([.hefesfte: text]), TestRecord([.hefesfte: text]), TestRecord([.hefesfte: "50"])])
        #expect(table.fte(cell("DISPOP")).fixed(2) == "0.50")
        #expect(table.fte(cell("Y_F_U")).fixed(2) == "0.50")
        #expect(table.headcount[cell("DISPOP").index] == 3)
        #expect(!table.overflowed)
        #expect(table.fteMillionths.allSatisfy { $0 >= 0 && $0 <= 3 * Value.fteRange.upperBound })
    }

    @Test("a sector adds its providers' cells as cells.csv writes them: FTE rounded to two places each")
    func addedAsWritten() {
        // 0.125 + 0.125 + 0.125 FTE: each provider writes 0.13, so the sector is 0.39, not round(0.375) = 0.38.
        var sector = CellTable()
        let provider = cells([TestRecord([.hefesfte: "12.5"])])
        #expect(provider.fte(cell("DISPOP")).fixed(2) == "0.13")
        for _ in 0..<3 { sector.add(asWritten: provider) }
        #expect(sector.fte(cell("DISPOP")).fixed(2) == "0.39")
        #expect(sector.exactFTE(cell("DISPOP")) == Decimal(string: "0.39")!)
        #expect(sector.headcount[cell("DISPOP").index] == 3)
        #expect(!sector.overflowed)
    }

    @Test("a sum past what a cell holds is refused as a data error, never wrapped")
    func overflowRefused() throws {
        var huge = CellTable()
        let provider = cells([TestRecord([.hefesfte: "100"])])
        var copies = provider
        // Doubling reaches 2^63 millionths in about 40 steps; a wrapped sum would turn negative.
        for _ in 0..<70 {
            huge.add(asWritten: copies)
            let doubled = copies
            copies.add(asWritten: doubled)
        }
        #expect(huge.overflowed)
        #expect(throws: Failure.self) { try huge.checked(file: "f.ind") }
        #expect(throws: Never.self) { try provider.checked(file: "f.ind") }
    }

    @Test("decimals are written with fixed places whatever the locale")
    func formatting() {
        #expect(Decimal(string: "2.005")!.fixed(2) == "2.01")
        #expect(Decimal(string: "2.004")!.fixed(2) == "2.00")
        #expect(Decimal(string: "-2.005")!.fixed(2) == "-2.01")
        #expect(Decimal(7).fixed(2) == "7.00")
        #expect(Decimal(string: "0.076657")!.fixed(4) == "0.0767")
        #expect(Decimal(string: "1234.5")!.exact(minimumPlaces: 2) == "1234.50")
        #expect(Decimal(string: "1234.567")!.exact(minimumPlaces: 2) == "1234.567")
        #expect(Decimal(12).exact() == "12")
    }
}

/// The placement of `Element.all`, on derived values set directly: each
/// group's choice of cell at its edges.
@Suite("The element table's placement of records")
struct ElementPlacementTests {
    /// The cells a record with these derived values counts in.
    private func placed(_ values: [Slot: Int64]) -> [String] {
        var facts = Facts()
        for (slot, value) in values { facts[slot] = value }
        facts[.hefesfte] = 0
        var table = CellTable()
        table.count(facts)
        return Cell.all.filter { table.headcount[$0.index] == 1 }.map(\.name)
    }

    @Test("a widening access quintile 1–5 is its column; 0, 6, missing or other is UNKNOWN", arguments: [
        (Int64(1), "Q1"), (5, "Q5"), (0, "UNKNOWN"), (6, "UNKNOWN"), (Value.missing, "UNKNOWN"), (Value.other, "UNKNOWN"),
    ])
    func quintile(waquin: Int64, column: String) {
        for population in Int64(1)...3 {
            #expect(placed([.wapop: population, .waquin: waquin]) == ["WAPOP\(population)_\(column)"])
        }
        #expect(placed([.wapop: 0, .waquin: waquin]).isEmpty, "WAPOP 0 is in no group")
        #expect(placed([.wapop: 4, .waquin: waquin]).isEmpty, "WAPOP 4 is in no group")
    }

    @Test("every EQGRP is its own retention cell; an empty or unknown EQGRP is NONE")
    func riskGroup() {
        for (index, group) in Vocabulary.eqgrp.names.enumerated() {
            #expect(placed([.eqpop: 1, .eqgrp: Int64(index)]) == [group])
            #expect(placed([.eqpop: 0, .eqgrp: Int64(index)]).isEmpty)
        }
        #expect(placed([.eqpop: 1, .eqgrp: Value.missing]) == ["NONE"])
        #expect(placed([.eqpop: 1, .eqgrp: Value.other]) == ["NONE"])
    }

    @Test("DISPOP and DISALLOC are each their own cell, and a record may be in both")
    func disability() {
        #expect(placed([.dispop: 1, .disalloc: 1]) == ["DISPOP", "DISALLOC"])
        #expect(placed([.dispop: 1, .disalloc: 0]) == ["DISPOP"])
        #expect(placed([.dispop: 0, .disalloc: 0]).isEmpty)
    }

    @Test("the element table is the one place that names an element")
    func declaredOnce() throws {
        let sources = repository.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        for element in Element.all {
            let naming = try files.filter { file in
                try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8).contains("\"\(element.name)\"")
            }
            #expect(naming == ["SOAllocCore/Aggregate/Elements.swift"], "\(element.name)")
        }
    }
}
