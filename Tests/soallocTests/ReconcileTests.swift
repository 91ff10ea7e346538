import Foundation
import Testing

/// The hand-made files of TestData/reconcile, one per kind of cause: a chain
/// of derived fields, disagreements on the record's own inputs, values outside
/// the tables, and ages a year off.
private let reconcileSamples = ["chain", "raw-input", "outside-table", "age"]

/// What a run writes of its reconciliation with HEFCE's values.
private let reconciliationOutputs = [
    "differences.csv", "movements.csv", "difference-patterns.csv", "reconciliation.csv",
]

/// Runs soalloc on `sample` into a scratch folder, expecting success; returns the output folder.
private func run(_ sample: String, in scratch: Scratch) throws -> URL {
    let out = scratch.url.appendingPathComponent("out")
    let outcome = try soalloc([sample, "--out", out.path], in: repository)
    #expect(outcome.status == 0, "\(outcome.standardError)")
    #expect(outcome.standardError == "")
    return out
}

/// The rows of a CSV output without quoted fields, by column name.
private func rows(_ url: URL) throws -> [[String: String]] {
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
        $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    let header = lines[0]
    return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

@Suite("Reconciliation with HEFCE's values, end to end")
struct ReconcileTests {
    @Test(
        "differences, movements, patterns and the cells both ways match their golden files",
        arguments: reconcileSamples)
    func golden(sample: String) throws {
        let scratch = Scratch()
        let out = try run("TestData/reconcile/\(sample).ind", in: scratch)
        let expected = repository.appendingPathComponent("TestData/reconcile/expected/\(sample)")
        for name in reconciliationOutputs {
            let actual = try Data(contentsOf: out.appendingPathComponent(name))
            expectGolden(actual, at: expected.appendingPathComponent(name))
        }
    }

    @Test(
        "each cell's delta is the sum of the movements into and out of it, in headcount and exact FTE",
        arguments: reconcileSamples.map { "TestData/reconcile/\($0).ind" }
            + ["TestData/SO14_F10000001.ind", "TestData/SO14_F10000002.ind", "TestData/SO14_F10000003.ind"])
    func movementsAddUp(sample: String) throws {
        let scratch = Scratch()
        let out = try run(sample, in: scratch)
        var headcount: [String: Int] = [:]
        var fte: [String: Decimal] = [:]
        for movement in try rows(out.appendingPathComponent("movements.csv")) {
            let moved = try #require(Decimal(string: movement["FTE"]!))
            for (column, sign) in [("OUR_CELL", 1), ("HEFCE_CELL", -1)] where !movement[column]!.isEmpty {
                headcount[movement[column]!, default: 0] += sign
                fte[movement[column]!, default: 0] += Decimal(sign) * moved
            }
        }
        var sides = 0
        for cell in try rows(out.appendingPathComponent("reconciliation.csv")) where !cell["DELTA_HEADCOUNT"]!.isEmpty {
            sides += 1
            let name = cell["CELL"]!
            #expect(Int(cell["DELTA_HEADCOUNT"]!) == headcount[name, default: 0], "\(name)")
            #expect(Decimal(string: cell["DELTA_FTE"]!) == fte[name, default: 0], "\(name)")
        }
        #expect(sides > 0, "the file has a HEFCE side for at least one element")
    }
}
