import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

/// A method whose disability element has `disability` as its body, the others plain.
private func makeMethod(disability: String, widening: String = "{ basis: headcount, rate: null, weights: { WAPOP1_Q1: 1 } }")
    throws -> Method
{
    try Method(
        yaml: """
            name: "bands"
            elements:
              disability: \(disability)
              widening_access: \(widening)
              retention: { basis: fte, rate: null, weights: { Y_F_L: 1 } }
            """, origin: "m.yaml")
}

/// The usage error's message of reading `disability`, or nil.
private func problem(disability: String) -> String? {
    do {
        _ = try makeMethod(disability: disability)
        return nil
    } catch let failure as Failure {
        return failure.description
    } catch {
        return "\(error)"
    }
}

/// A cell table with `dispop` records in DISPOP and `disalloc` of them in DISALLOC, each of FTE 1.
private func cells(dispop: Int, disalloc: Int) -> CellTable {
    var table = CellTable()
    for index in 0..<dispop {
        table.count(TestRecord([.hefesfte: "100", .learnfamcodeDLA: index < disalloc ? "1" : "0"]).facts)
    }
    return table
}

private let bands = """
    [{ from: 0, to: 0.05, weight: 1 }, { from: 0.05, to: 0.1, weight: 1.5 }, { from: 0.1, to: null, weight: 2 }]
    """

@Suite("Methods: minimums, proportion bands, --rate and unweighted cells")
struct MethodExtensionsTests {
    @Test("a proportion falls in the band with from ≤ proportion < to, exactly at the edges", arguments: [
        (100, 4, "1", 4), (100, 5, "1.5", 7.5), (100, 9, "1.5", 13.5), (100, 10, "2", 20), (3, 1, "2", 2),
    ] as [(Int, Int, String, Decimal)])
    func band(dispop: Int, disalloc: Int, weight: String, volume: Decimal) throws {
        let method = try makeMethod(disability: "{ basis: headcount, rate: 10, proportion_bands: \(bands), weights: { DISALLOC: 1 } }")
        let allocation = try Allocations(cells: cells(dispop: dispop, disalloc: disalloc), method: method).elements[0]
        #expect(allocation.proportion?.weight == Decimal(string: weight))
        #expect(allocation.cellVolume == Decimal(disalloc))
        #expect(allocation.weightedVolume == volume)
        #expect(allocation.allocation == (volume * 10).rounded(0))
    }

    @Test("with DISPOP 0 no band applies: the weighted volume is 0, and the note says why")
    func emptyDenominator() throws {
        let method = try makeMethod(disability: "{ basis: headcount, rate: 10, proportion_bands: \(bands), weights: { DISALLOC: 1 } }")
        let allocation = try Allocations(cells: CellTable(), method: method).elements[0]
        #expect(allocation.proportion?.band == nil)
        #expect(allocation.weightedVolume == 0)
        #expect(allocation.note.hasPrefix("no proportion band applies: the denominator is 0"))
    }

    @Test("the proportion is in FTE when the basis is fte")
    func fteBasis() throws {
        var table = CellTable()
        for (fte, dla) in [("100", "1"), ("10", "0"), ("10", "0")] {
            table.count(TestRecord([.hefesfte: fte, .learnfamcodeDLA: dla]).facts)
        }
        // Headcount 1 of 3 (0.33); FTE 1 of 1.2 (0.83).
        let method = try makeMethod(
            disability: "{ basis: fte, rate: 1, proportion_bands: [{ from: 0, to: 0.5, weight: 1 }, { from: 0.5, weight: 3 }], weights: { DISALLOC: 1 } }")
        let allocation = try Allocations(cells: table, method: method).elements[0]
        #expect(allocation.proportion?.band == 1)
        #expect(allocation.weightedVolume == 3)
    }

    @Test("bands that overlap, leave a gap, run backwards or end twice are usage errors naming them", arguments: [
        ("[{ from: 0, to: 0.1, weight: 1 }, { from: 0.05, weight: 2 }]", "the bands 0–0.1 and 0.05 and above overlap"),
        ("[{ from: 0, to: 0.05, weight: 1 }, { from: 0.06, weight: 2 }]", "the bands 0–0.05 and 0.06 and above leave a gap"),
        ("[{ from: 0, weight: 1 }, { from: 0.5, weight: 2 }]", "the band 0 and above has no upper bound but is not the last"),
        ("[{ from: 0.5, to: 0.1, weight: 1 }]", "'to' (0.1) must be above 'from' (0.5)"),
        ("[{ from: 0, to: 0.5 }]", "weight: missing"),
    ])
    func badBands(bands: String, message: String) {
        let text = problem(disability: "{ basis: headcount, rate: 1, proportion_bands: \(bands), weights: { DISALLOC: 1 } }")
        #expect(text?.contains(message) == true, "\(text ?? "no error")")
        #expect(text?.hasPrefix("m.yaml: line 3: elements.disability.proportion_bands") == true, "\(text ?? "")")
    }

    @Test("only a proportion's element takes bands")
    func bandsElsewhere() {
        #expect(throws: Failure.self) {
            try makeMethod(
                disability: "{ basis: headcount, rate: 1, weights: { DISALLOC: 1 } }",
                widening: "{ basis: headcount, rate: 1, proportion_bands: null, weights: {} }")
        }
    }

    @Test("a minimum is the least allocation, only when the rate is set, and the note says it bound")
    func minimum() throws {
        let method = try makeMethod(disability: "{ basis: headcount, rate: 10, minimum: 500, weights: { DISALLOC: 1 } }")
        let low = try Allocations(cells: cells(dispop: 10, disalloc: 3), method: method).elements[0]
        #expect(low.allocation == 500)
        #expect(low.raisedToMinimum)
        #expect(low.note.hasSuffix("raised to the minimum of £500"))
        let high = try Allocations(cells: cells(dispop: 100, disalloc: 60), method: method).elements[0]
        #expect(high.allocation == 600)
        #expect(!high.raisedToMinimum)
        let unset = try makeMethod(disability: "{ basis: headcount, rate: null, minimum: 500, weights: { DISALLOC: 1 } }")
        #expect(try Allocations(cells: cells(dispop: 10, disalloc: 3), method: unset).elements[0].allocation == nil)
        #expect(problem(disability: "{ basis: headcount, rate: 1, minimum: -1, weights: {} }")?.contains("cannot be negative") == true)
    }

    @Test("basis is read in any case")
    func basisCase() throws {
        #expect(try makeMethod(disability: "{ basis: HeadCount, rate: 1, weights: { DISALLOC: 1 } }")[.disability].basis == .headcount)
        #expect(try makeMethod(disability: "{ basis: FTE, rate: 1, weights: { DISALLOC: 1 } }")[.disability].basis == .fte)
    }

    @Test("a rate written as a spreadsheet shows it is told how to write it", arguments: [
        ("\"£1,234.56\"", "write 1234.56"), ("\"1,234.56\"", "write 1234.56"), ("\"£12\"", "write 12"),
    ])
    func spreadsheetRate(rate: String, advice: String) {
        let text = problem(disability: "{ basis: headcount, rate: \(rate), weights: { DISALLOC: 1 } }")
        #expect(text?.contains("is not a plain number: \(advice), without a currency sign or commas") == true, "\(text ?? "")")
    }

    @Test("--rate sets an element's rate over the method's, by key or name in any case; a bad one is a usage error")
    func rates() throws {
        let method = try Method.standard().applying(rates: ["retention=321.09", "DISABILITY = 10", "Widening_Access=0"])
        #expect(method[.retention].rate.value == Decimal(string: "321.09"))
        #expect(method[.retention].rate.source == "--rate retention=321.09")
        #expect(method[.disability].rate.value == 10)
        #expect(method[.wideningAccess].rate.value == 0)
        for (given, message) in [
            ("retention", "write ELEMENT=POUNDS"), ("money=1", "write ELEMENT=POUNDS"),
            ("retention=£1,000", "write 1000"), ("retention=-1", "cannot be negative"),
        ] {
            #expect(throws: Failure.self) { try Method.standard().applying(rates: [given]) }
            do {
                _ = try Method.standard().applying(rates: [given])
            } catch let failure as Failure {
                #expect(failure.isUsage && failure.description.contains(message), "\(failure.description)")
            }
        }
    }

    @Test("a rate set with cells left without a weight is warned about, naming them; an explicit 0 is not")
    func unweighted() throws {
        let partial = try makeMethod(
            disability: "{ basis: headcount, rate: 1, weights: { DISALLOC: 1 } }",
            widening: "{ basis: headcount, rate: 2, weights: { WAPOP1_Q1: 1, WAPOP1_Q2: 0 } }")
        let warnings = partial.warnings
        #expect(warnings.count == 1)
        #expect(warnings[0].hasPrefix("the method sets widening_access's rate but gives no weight to WAPOP1_Q3, WAPOP1_Q4,"))
        #expect(!warnings[0].contains("WAPOP1_Q2"), "an explicit 0 is not warned about")
        // Disability's DISPOP is only the denominator: it is never warned about.
        #expect(!warnings[0].contains("DISPOP"))
        // Without a rate, nothing is warned about.
        #expect(Method.standard().warnings.isEmpty)
        // The default method weighs every cell: a rate given over it is not warned about.
        let rated = try Method.standard().applying(rates: ["retention=1", "disability=1", "widening_access=1"])
        #expect(rated.warnings.isEmpty)
    }
}
