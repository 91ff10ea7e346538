import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("Money")
struct AllocationTests {
    /// Three DSA recipients, two young full-time entrants in Q1 and one in Q3,
    /// and their retention groups, each with a known FTE.
    let cells: CellTable = {
        var table = CellTable()
        for changes: [Column: String] in [
            [.hefesfte: "100", .waquin: "1", .sotariff: "300"],  // Y_F_L
            [.hefesfte: "50", .waquin: "1", .sotariff: "300"],  // Y_F_L
            [
                .hefesfte: "33.33", .waquin: "3", .sotariff: "0", .hefqaim: "HND", .dateofbirth: "01/01/1980",
                .qualent3: "P51", .solink: "0",
            ],  // M_O_H, WAPOP2_Q3
        ] {
            table.count(TestRecord(changes).facts)
        }
        return table
    }()

    let method = try! Method(
        yaml: """
            name: "non-trivial"
            elements:
              disability: { basis: headcount, rate: 123.45, weights: { DISALLOC: 1.5 } }
              widening_access: { basis: fte, rate: 1000.10, weights: { WAPOP1_Q1: 2.5, WAPOP2_Q3: 1.25 } }
              retention: { basis: fte, rate: 2000, weights: { Y_F_L: 1.5, M_O_H: 0.75, NONE: 1 } }
            """, origin: "test")

    @Test("weighted volume is Σ weight × basis; allocation is volume × rate rounded half-up to pounds")
    func handComputed() throws {
        let allocations = try Allocations(cells: cells, method: method)
        // Disability: 3 recipients × 1.5 = 4.5; × £123.45 = £555.525 → £556.
        #expect(allocations.elements[0].weightedVolume == Decimal(string: "4.5"))
        #expect(allocations.elements[0].allocation == 556)
        // Widening access: WAPOP1_Q1 FTE 1.50 × 2.5 = 3.75; WAPOP2_Q3 FTE 0.33 × 1.25 = 0.4125;
        // 4.1625 × £1000.10 = £4162.91625 → £4163.
        #expect(allocations.elements[1].weightedVolume == Decimal(string: "4.1625"))
        #expect(allocations.elements[1].allocation == 4163)
        // Retention: Y_F_L FTE 1.50 × 1.5 = 2.25; M_O_H FTE 0.33 × 0.75 = 0.2475; 2.4975 × £2000 = £4995.
        #expect(allocations.elements[2].weightedVolume == Decimal(string: "2.4975"))
        #expect(allocations.elements[2].allocation == 4995)
        #expect(allocations.total == Decimal(556 + 4163 + 4995))
    }

    @Test("an allocation exactly at the half pound rounds up")
    func halfPound() throws {
        let half = try Method(
            yaml: """
                name: "half"
                elements:
                  disability: { basis: headcount, rate: 0.5, weights: { DISALLOC: 1 } }
                  widening_access: { basis: headcount, rate: 0.25, weights: { WAPOP1_Q1: 1 } }
                  retention: { basis: headcount, rate: 0.1666, weights: { Y_F_L: 1 } }
                """, origin: "test")
        let allocations = try Allocations(cells: cells, method: half)
        #expect(allocations.elements[0].allocation == 2)  // 3 × 0.5 = 1.5 → 2
        #expect(allocations.elements[1].allocation == 1)  // 2 × 0.25 = 0.5 → 1
        #expect(allocations.elements[2].allocation == 0)  // 2 × 0.1666 = 0.3332 → 0
    }

    @Test("a null rate is not computed, never 0, and leaves the total uncomputed")
    func nullRate() throws {
        let allocations = try Allocations(cells: cells, method: Method.standard())
        #expect(allocations.elements.allSatisfy { $0.allocation == nil })
        #expect(allocations.elements.allSatisfy { $0.note == "rate not set in method; take it from your SO14 workbook" })
        #expect(allocations.total == nil)
        // With the default weights of 1, the weighted volume is the plain count or FTE.
        #expect(allocations.elements[0].weightedVolume == 3)
        #expect(allocations.elements[1].weightedVolume == 3)
        #expect(allocations.elements[2].weightedVolume == Decimal(string: "1.83"))
        let rows = AllocationTables.summaryRows(allocations)
        #expect(rows[1] == ["DISABILITY", "headcount", "3", "", "", "rate not set in method; take it from your SO14 workbook"])
        #expect(rows[4] == ["TOTAL", "", "", "", "", "not computed: an element's rate is not set in the method"])
    }

    @Test("summary.csv gives plain whole pounds and the rates as written")
    func summaryRows() throws {
        let rows = AllocationTables.summaryRows(try Allocations(cells: cells, method: method))
        #expect(rows == [
            ["ELEMENT", "BASIS", "WEIGHTED_VOLUME", "RATE", "ALLOCATION", "NOTE"],
            ["DISABILITY", "headcount", "4.5", "123.45", "556", "weighted volume × rate, rounded half-up to whole pounds"],
            ["WIDENING_ACCESS", "fte", "4.1625", "1000.1", "4163", "weighted volume × rate, rounded half-up to whole pounds"],
            ["RETENTION", "fte", "2.4975", "2000", "4995", "weighted volume × rate, rounded half-up to whole pounds"],
            ["TOTAL", "", "", "", "9714", "sum of the elements"],
        ])
    }

    @Test("the human tables: disability proportion and widening access totals")
    func tables() {
        #expect(AllocationTables.table(.disability, cells, method).text == [
            ["MEASURE", "DISPOP", "DISALLOC", "PROPORTION"],
            ["Headcount", "3", "3", "1.0000"],
            ["FTE", "1.83", "1.83", "1.0000"],
        ])
        let wideningAccess = AllocationTables.table(.wideningAccess, cells, method).text
        #expect(wideningAccess[1] == ["Young full-time (WAPOP 1)", "Headcount", "2", "0", "0", "0", "0", "0", "2"])
        #expect(wideningAccess[2] == ["Young full-time (WAPOP 1)", "FTE", "1.50", "0.00", "0.00", "0.00", "0.00", "0.00", "1.50"])
        #expect(wideningAccess[3] == ["Mature full-time (WAPOP 2)", "Headcount", "0", "0", "1", "0", "0", "0", "1"])
        #expect(AllocationTables.table(.disability, CellTable(), method).text[1] == ["Headcount", "0", "0", ""])
        // The workbook writes the same table as numbers, each with its format.
        #expect(AllocationTables.table(.disability, cells, method).rows[1] == [
            .text("FTE"), .exact(Decimal(string: "1.83")!, places: 2), .exact(Decimal(string: "1.83")!, places: 2),
            .proportion(1),
        ])
    }

    @Test("money is written as whole pounds with thousands separators in the summary")
    func pounds() {
        #expect(Summary.pounds(Decimal(1_234_567)) == "£1,234,567")
        #expect(Summary.pounds(Decimal(999)) == "£999")
        #expect(Summary.pounds(Decimal(string: "1000.5")!) == "£1,001")
    }

    @Test("a product or sum of money is exact, or nothing")
    func exactArithmetic() {
        let big = Decimal(string: "12345678901234567890123456789012345678")!
        #expect(Exact.product(Decimal(string: "1.5")!, Decimal(string: "0.25")!) == Decimal(string: "0.375")!)
        #expect(Exact.product(big, 1) == big)
        #expect(Exact.product(big, 10) == Decimal(string: "123456789012345678901234567890123456780")!)
        #expect(Exact.product(Decimal(string: "-2.5")!, 4) == -10)
        // 38 digits × 3.3 has 39 significant digits: Foundation would round it silently.
        #expect(Exact.product(big, Decimal(string: "3.3")!) == nil)
        #expect(Exact.product(Decimal(string: "1e100")!, Decimal(string: "1e100")!) == nil)
        #expect(Exact.sum(big, Decimal(string: "0.01")!) == nil)
        #expect(Exact.sum(Decimal(string: "0.01")!, Decimal(string: "0.02")!) == Decimal(string: "0.03")!)
    }

    @Test("a weighted volume or allocation that cannot be held exactly is a usage error of the method, never a rounded figure")
    func inexactMoney() throws {
        let digits = "12345678901234567890123456789012345678"
        let method = try Method(
            yaml: """
                name: "huge"
                elements:
                  disability: { basis: headcount, rate: 1, weights: { DISALLOC: 1 } }
                  widening_access: { basis: fte, rate: null, weights: { WAPOP1_Q1: 1 } }
                  retention: { basis: fte, rate: \(digits), weights: { Y_F_L: 1.5 } }
                """, origin: "huge.yaml")
        #expect {
            try Allocations(cells: cells, method: method)
        } throws: { error in
            guard let failure = error as? Failure, failure.isUsage else { return false }
            return failure.description
                == "huge.yaml: the retention element's weighted volume or allocation needs more than 38 significant digits to be exact; write the method's weights and rates with fewer digits; nothing was written"
        }
    }
}
