import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

/// A clean record (no findings but those a test plants) with some columns changed.
private func record(_ changes: [Column: String]) -> TestRecord {
    TestRecord([.learnplanenddate: "30/06/2015", .learnfamcodeDLA: "1"].merging(changes) { $1 })
}

/// The rows of a run's `credibility.csv`, without its header.
private func credibility(_ out: String) throws -> [String] {
    try String(contentsOfFile: "\(out)/credibility.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        .map(String.init)
}

@Suite("A provider's records: duplicate STUBIDs and one UKPRN per file")
struct ProviderRecordsTests {
    @Test("every later record of a repeated STUBID is reported once, naming the first, in row order")
    func everyStubidRepeats() throws {
        let directory = TemporaryDirectory()
        // Rows 1–3 have STUBIDs 1, 2, 3; rows 4–12 repeat them, so each of rows 4–12 is a duplicate.
        let records = (1...12).map { row in
            record([.stubid: String((row - 1) % 3 + 1), .learnrefnumber: "L\(row)", .aimseqnumber: String(row)])
        }
        let input = directory.file("f.ind", TestFile.text(records))
        let report = try Run.execute(RunOptions(input: input, output: "\(directory.path)/out"))
        #expect(report.tally.findings[Check.stubidDuplicate.index] == 9)
        let rows = try credibility("\(directory.path)/out").filter { $0.contains("STUBID_DUPLICATE") }
        #expect(rows.count == 9)
        for (index, row) in rows.enumerated() {
            let number = index + 4
            let stubid = (number - 1) % 3 + 1
            #expect(
                row == "\(number),10000001,L\(number),\(number),\(stubid),STUBID,\(stubid),error,STUBID_DUPLICATE,"
                    + "STUBID '\(stubid)' is also on record \(stubid)")
        }
    }

    @Test("duplicates in a headerless file and across merged files are found in their own files")
    func acrossFiles() throws {
        let directory = TemporaryDirectory()
        let first = directory.file(
            "a.ind", TestFile.text([record([.stubid: "7", .learnrefnumber: "A1"]), record([.stubid: "8", .learnrefnumber: "A2"])]))
        // The second file has its columns in another order (the second moved last), and repeats both
        // STUBIDs of the first.
        let second = directory.file(
            "b.ind",
            TestFile.text([
                record([.stubid: "9", .learnrefnumber: "B1"]), record([.stubid: "08", .learnrefnumber: "B2"]),
                record([.stubid: "7", .learnrefnumber: "B3"]),
            ]).split(separator: "\n").map { line in
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                return ([fields[0]] + fields.dropFirst(2) + [fields[1]]).joined(separator: ",")
            }.joined(separator: "\n") + "\n")
        let options = RunOptions(input: "\(first) \(second)", output: "\(directory.path)/out")
        let out = try OutputDirectory(options.output, names: options.outputNames)
        let report = try Run.writeProvider(
            inputs: [first, second], options: options, method: .standard(), sideFiles: SideFiles(), into: out,
            concurrently: false, progress: nil)
        try out.commit()
        #expect(report.tally.findings[Check.stubidDuplicate.index] == 2)
        let rows = try credibility("\(directory.path)/out").filter { $0.contains("STUBID_DUPLICATE") }
        #expect(rows.map { $0.split(separator: ",").prefix(3).joined(separator: ",") } == ["4,10000001,B2", "5,10000001,B3"])
        #expect(rows.map { String($0.split(separator: " ").last!) } == ["2", "1"])
    }

    @Test("a file whose STUBIDs are all different has no STUBID_DUPLICATE")
    func noDuplicates() throws {
        let directory = TemporaryDirectory()
        let input = directory.file("f.ind", TestFile.text((1...5).map { record([.stubid: String($0)]) }))
        let report = try Run.execute(RunOptions(input: input, output: "\(directory.path)/out"))
        #expect(report.tally.findings[Check.stubidDuplicate.index] == 0)
    }

    @Test("UKPRN_MIXED names the first record of another UKPRN, once; the provider is then unnamed")
    func mixedUKPRN() throws {
        let directory = TemporaryDirectory()
        let records = [
            record([.stubid: "1", .ukprn: "10000001"]), record([.stubid: "2", .ukprn: "010000001"]),
            record([.stubid: "3", .ukprn: "10000002", .learnrefnumber: "OTHER"]),
            record([.stubid: "4", .ukprn: "10000003"]),
        ]
        let input = directory.file("f.ind", TestFile.text(records))
        let report = try Run.execute(RunOptions(input: input, output: "\(directory.path)/out"))
        #expect(report.tally.findings[Check.ukprnMixed.index] == 1)
        #expect(Check.ukprnMixed.severity == .error)
        #expect(report.provider == nil)
        let rows = try credibility("\(directory.path)/out").filter { $0.contains("UKPRN_MIXED") }
        #expect(rows.count == 1)
        #expect(rows.first?.hasPrefix("3,10000002,OTHER,1,3,UKPRN,10000002,error,UKPRN_MIXED,UKPRN '10000002' differs") == true, "\(rows)")
    }

    @Test("one UKPRN, written with or without leading zeros (ruling R3), is one provider without UKPRN_MIXED")
    func oneUKPRN() throws {
        let directory = TemporaryDirectory()
        let records = [record([.stubid: "1", .ukprn: "10000001"]), record([.stubid: "2", .ukprn: "010000001"])]
        let input = directory.file("f.ind", TestFile.text(records))
        let report = try Run.execute(RunOptions(input: input, output: "\(directory.path)/out"))
        #expect(report.tally.findings[Check.ukprnMixed.index] == 0)
        #expect(report.provider == "10000001")
    }

    @Test("run.json records the number of jobs")
    func jobsRecorded() throws {
        let directory = TemporaryDirectory()
        let input = directory.file("f.ind", TestFile.text([record([.stubid: "1"])]))
        _ = try Run.execute(RunOptions(input: input, output: "\(directory.path)/out", jobs: 3))
        let json = try String(contentsOfFile: "\(directory.path)/out/run.json", encoding: .utf8)
        #expect(json.contains(#""jobs" : "3""#))
    }
}
