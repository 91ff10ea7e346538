import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

/// Each sample with its side files and its golden derived.csv.
private let samples: [(input: String, sideFiles: SideFiles, golden: String)] = {
    let method = Method.standard()
    var list: [(String, SideFiles, String)] = ["SO14_F10000001", "SO14_F10000002", "SO14_F10000003"].map {
        ("TestData/\($0).ind", SideFiles(), "TestData/expected/\($0)/derived.csv")
    }
    let linked = try! SideFiles(
        quals: repository.appendingPathComponent("TestData/linked/SO14_F10000001.quals.csv").path,
        postcodes: repository.appendingPathComponent("TestData/linked/SO14_F10000001.postcodes.csv").path,
        method: method)
    list.append(("TestData/SO14_F10000001.ind", linked, "TestData/linked/expected/SO14_F10000001/derived.csv"))
    return list
}()

/// The explanation of every field of a test record.
private func explained(_ record: TestRecord) -> [FieldExplanation] {
    var facts = Facts()
    var deriver = RecordDeriver(layout: TestRecord.layout, sideFiles: SideFiles())
    return record.withRawRecord { raw in
        deriver.load(raw, into: &facts)
        return Explainer().explain(raw, TestRecord.layout, &facts)
    }
}

@Suite("Explanations")
struct ExplainTests {
    @Test(
        "the explanation of every field of every record agrees with the fast path and with derived.csv",
        arguments: samples.indices)
    func agreement(sample: Int) throws {
        let (input, sideFiles, golden) = samples[sample]
        let derived = try String(contentsOf: repository.appendingPathComponent(golden), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let descriptor = open(repository.appendingPathComponent(input).path, O_RDONLY)
        defer { close(descriptor) }

        var state: (layout: Layout, deriver: RecordDeriver, explainer: Explainer)?
        var row = 0
        var disagreements = 0
        try CSVReader(descriptor: descriptor).forEachRecord { record in
            if state == nil {
                let layout = try Layout.detect(from: record, file: input)
                state = (layout, RecordDeriver(layout: layout, sideFiles: sideFiles), Explainer())
                if layout.hasHeader { return }
            }
            var fast = Facts()
            state!.deriver.derive(record, into: &fast)
            var explained = Facts()
            state!.deriver.load(record, into: &explained)
            let fields = state!.explainer.explain(record, state!.layout, &explained)
            let goldenRow = derived[row]
            row += 1
            for (index, field) in fields.enumerated() {
                let fastValue = field.field.domain.format(fast[field.field])
                let clauseIndex = Int(fast.decidedBy[index])
                let fastClause = Derivation.rules[index].label(of: Derivation.rules[index].clauses[clauseIndex])
                if field.value != fastValue || field.value != goldenRow[4 + index] || field.clause != fastClause {
                    disagreements += 1
                    if disagreements <= 5 {
                        Issue.record("\(input) record \(row) \(field.field.name): explained \(field.value) (\(field.clause)); fast \(fastValue) (\(fastClause)); derived.csv \(goldenRow[4 + index])")
                    }
                }
            }
        }
        #expect(row == derived.count)
        #expect(disagreements == 0)
    }

    @Test("a condition's first failure, and its reason in the document's words")
    func failureReason() throws {
        let fields = explained(TestRecord([.hefcomp: "3"]))
        let dispop = try #require(fields.first { $0.field == .dispop })
        #expect(dispop.value == "0")
        #expect(dispop.clause == "DISPOP = 0: Otherwise")
        #expect(dispop.rejected.count == 1)
        #expect(dispop.rejected[0].failure.reason == "HEFCOMP = 4 failed: HEFCOMP is 3")
        let wapop = try #require(fields.first { $0.field == .wapop })
        #expect(wapop.rejected.map(\.failure.text) == ["HEFCOMP = 4", "HEFCOMP = 4", "HEFCOMP = 4"])
    }

    @Test("the deciding clause's every condition is recorded, with the values read as the file writes them")
    func deciding() throws {
        let fields = explained(TestRecord([.hefcomp: "04", .domicile: "xf"]))
        let wapop = try #require(fields.first { $0.field == .wapop })
        #expect(wapop.value == "1")
        #expect(wapop.because.holds)
        let leaves = ExplanationJSON.leaves(wapop.because)
        #expect(leaves.map(\.text) == [
            "EXCLPC = N", "DOMICILE = XF, XG, XH, XI, XK", "HEFTYPE = HOMEF", "HEFCOMP = 4", "HEFEXCL = 0",
            "SOENTRYAGE < 21", "SOENTRANT = 1", "HEFLEVEL = UG", "HEFMODE = FTS",
        ])
        #expect(leaves.allSatisfy { $0.holds })
        #expect(leaves[1].inputs == [.init(name: "DOMICILE", value: "xf")])
        #expect(leaves[3].inputs == [.init(name: "HEFCOMP", value: "04")])
        #expect(leaves[5].inputs == [.init(name: "SOENTRYAGE", value: "18")])
        #expect(ExplanationText.line(leaves[3]) == "HEFCOMP = 4 ✔ (04)")
    }

    @Test("exclusion reasons take the inclusion row that came nearest to holding")
    func exclusionReasons() throws {
        func reasons(_ changes: [Column: String]) -> String {
            let directory = TemporaryDirectory()
            let input = directory.file("f.ind", TestFile.text([TestRecord(changes)]))
            _ = try! Run.execute(RunOptions(input: input, output: "\(directory.path)/out"))
            let text = try! String(contentsOfFile: "\(directory.path)/out/exclusions.csv", encoding: .utf8)
            return String(text.split(separator: "\n")[1].split(separator: ",", maxSplits: 5)[5])
        }
        #expect(reasons([:]) == "IN,IN,IN")
        #expect(reasons([.hefcomp: "3"]) == "HEFCOMP = 4 failed: HEFCOMP is 3,HEFCOMP = 4 failed: HEFCOMP is 3,HEFCOMP = 4 failed: HEFCOMP is 3")
        // A mature sandwich student: WAPOP 2 gets furthest, failing on the mode.
        #expect(reasons([.hefmode: "SWOUT", .dateofbirth: "01/01/1980"]).hasPrefix(
            "\"UGDSA = 1 or PGDSA = 1 failed: UGDSA is 0, PGDSA is 0\",HEFMODE = FTS failed: HEFMODE is SWOUT,"))
        // Excluded from EQPOP at 30 or over with Level 3 qualifications expected to attract tariff.
        #expect(reasons([.dateofbirth: "01/01/1980"]).hasSuffix(
            "\"not (SOLINKAGE ≥ 30 and SOENTQUAL = OTH3_TAR, OTH3_POSSTAR) failed: SOLINKAGE is 34, SOENTQUAL is OTH3_TAR\""))
        #expect(reasons([.exclpc: ""]) == "IN,EXCLPC = N failed: EXCLPC is empty,IN")
    }

    @Test("JSON explanations are an array of records with the keys programs rely on")
    func json() throws {
        let directory = TemporaryDirectory()
        let input = directory.file("f.ind", TestFile.text([TestRecord(), TestRecord([.learnrefnumber: "L2"])]))
        let records = try ExplainRun.explain(.init(input: input, selection: .learner("L1", aim: "01")))
        #expect(records.count == 1)
        let data = Data(try ExplanationJSON.render(records).utf8)
        let array = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(array.count == 1)
        #expect(Set(array[0].keys) == ["row", "ukprn", "learnrefnumber", "aimseqnumber", "stubid", "fields"])
        #expect(array[0]["row"] as? Int == 1)
        let fields = try #require(array[0]["fields"] as? [String: [String: Any]])
        #expect(Set(fields.keys) == Set(Slot.derived.map(\.name)))
        let eqgrp = try #require(fields["EQGRP"])
        #expect(eqgrp["value"] as? String == "Y_F_U")
        #expect(eqgrp["clause"] as? String == "EQGRP = Y_F_U: Young, first degree, unknown")
        let because = try #require(eqgrp["because"] as? [[String: Any]])
        #expect(because.allSatisfy { Set($0.keys) == ["condition", "holds", "inputs"] })
        #expect((because.first?["condition"] as? String)?.hasPrefix("EQGRP = Y_F_L: Young, first degree, low risk needs") == true)
    }

    @Test("a selection that matches nothing is a usage error")
    func nothing() {
        let directory = TemporaryDirectory()
        let input = directory.file("f.ind", TestFile.text([TestRecord()]))
        #expect(throws: Failure.self) { try ExplainRun.explain(.init(input: input, selection: .row(2))) }
        #expect(throws: Failure.self) { try ExplainRun.explain(.init(input: input, selection: .learner("L9", aim: nil))) }
        #expect(throws: Failure.self) { try ExplainRun.explain(.init(input: input, selection: .learner("L1", aim: "2"))) }
    }

    @Test("text lines fit in 80 columns")
    func width() throws {
        let records = try ExplainRun.explain(
            .init(input: repository.appendingPathComponent("TestData/SO14_F10000003.ind").path, selection: .row(5)))
        for line in ExplanationText.render(records, file: "f.ind").split(separator: "\n") {
            #expect(line.count <= 80, "\(line)")
        }
    }
}
