import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("The report's words and figures")
struct ReportWordsTests {
    @Test("the elements are named in words")
    func elements() {
        #expect(Element.all.map(\.title) == ["Disabled students", "Widening access", "Improving retention"])
    }

    @Test("a retention cell's words are the EQGRP rule's description of its value; NONE's the empty value's")
    func retention() throws {
        let rule = try #require(Derivation.rules.first { $0.field == .eqgrp })
        for cell in Element.retention.cells {
            let clause = try #require(
                rule.clauses.first { $0.valueText == (cell.name == "NONE" ? "" : cell.name) }, "\(cell.name)")
            #expect(cell.words == clause.description)
        }
        #expect(Cell.named("Y_F_L")!.words == "Young, first degree, low risk")
        #expect(Cell.named("M_O_U")!.words == "Mature, other undergraduate, unknown")
    }

    @Test("a widening access cell's words are its group's title and its quintile")
    func wideningAccess() {
        #expect(Cell.named("WAPOP1_Q1")!.words == "Young full-time, quintile 1")
        #expect(Cell.named("WAPOP2_Q5")!.words == "Mature full-time, quintile 5")
        #expect(Cell.named("WAPOP3_UNKNOWN")!.words == "Part-time, quintile unknown")
        #expect(Element.wideningAccess.groups.map(\.words) == ["Young full-time", "Mature full-time", "Part-time"])
    }

    @Test("a disability cell's words say who its students are")
    func disability() {
        #expect(Cell.named("DISPOP")!.words == "Eligible for DSA")
        #expect(Cell.named("DISALLOC")!.words == "In receipt of DSA")
    }

    @Test("every cell has words of its own")
    func distinct() {
        let words = Cell.all.map(\.words)
        #expect(Set(words).count == words.count)
        #expect(!words.contains { $0.isEmpty || $0.contains("_") })
    }
}
