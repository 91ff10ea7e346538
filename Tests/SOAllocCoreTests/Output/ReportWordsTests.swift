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

    @Test("each kind of figure has its places, and every figure its thousands separators")
    func figures() {
        #expect(Figure.count(1_234_567) == "1,234,567")
        #expect(Figure.count(999) == "999")
        #expect(Figure.money(Decimal(string: "1234567.5")!) == "£1,234,568")
        #expect(Figure.money(Decimal(-4938)) == "-£4,938")
        #expect(Figure.rate(Decimal(string: "1234.5")!) == "£1,234.50")
        #expect(Figure.rate(Decimal(string: "0.125")!) == "£0.125")
        #expect(Figure.fte(Decimal(string: "1060.005")!) == "1,060.01")
        #expect(Figure.volume(Decimal(string: "272.5975")!) == "272.60")
        #expect(Figure.volume(Decimal(111)) == "111.00")
        #expect(Figure.volume(Decimal(string: "-1234.5")!) == "-1,234.50")
        #expect(Figure.weight(Decimal(string: "1.5")!) == "1.50")
        #expect(Figure.proportion(Decimal(111) / Decimal(1448)) == "0.0767")
        #expect(Figure.exact(Decimal(string: "12345.6789")!) == "12,345.6789")
    }

    @Test("the provider in the page margins is a CSS string that nothing can end")
    func marginText() {
        #expect(HTMLReport.cssString("UKPRN 10000001") == "UKPRN 10000001")
        #expect(HTMLReport.cssString("a\"b</style>\\") == #"a\22 b\3c /style\3e \5c "#)
    }
}
