import Foundation
import Testing

/// `soalloc explain` command lines, each with its golden output in TestData/explain/.
let explainCases: [(name: String, arguments: [String])] = [
    ("dsa-not-entrant", ["TestData/SO14_F10000001.ind", "--row", "13"]),
    ("learner-three-aims", ["TestData/SO14_F10000001.ind", "--learner", "40000004"]),
    ("hidden-columns", ["TestData/SO14_F10000003.ind", "--row", "12"]),
    (
        "quals-and-postcodes",
        [
            "TestData/SO14_F10000001.ind", "--learner", "1000314", "--aim", "3",
            "--quals", "TestData/linked/SO14_F10000001.quals.csv",
            "--postcodes", "TestData/linked/SO14_F10000001.postcodes.csv",
        ]
    ),
    ("waquin-five", ["TestData/rules/WAQUIN.ind", "--row", "5"]),
    ("eqpop-excluded-at-30", ["TestData/rules/EQPOP.ind", "--learner", "AGE30_TARIFF"]),
    ("eqgrp-json", ["TestData/rules/EQGRP.ind", "--row", "1", "--json"]),
    // A learner in lower case, two fields in any case, and HEFCE's values beside ours.
    ("fields-beside-hefce", ["TestData/SO14_F10000001.ind", "--learner", "kg0000100", "--field", "WAPOP", "--field", "waquin"]),
    ("fields-beside-hefce-json", ["TestData/SO14_F10000001.ind", "--row", "124", "--field", "WAPOP", "--json"]),
]

@Suite("End to end: soalloc explain")
struct ExplainCommandTests {
    @Test("explanations equal their reviewed golden files", arguments: explainCases.map(\.name))
    func golden(name: String) throws {
        let arguments = explainCases.first { $0.name == name }!.arguments
        let outcome = try soalloc(["explain"] + arguments, in: repository)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let suffix = arguments.contains("--json") ? "json" : "txt"
        expectGolden(
            Data(outcome.standardOutput.utf8),
            at: repository.appendingPathComponent("TestData/explain/\(name).\(suffix)"))
        if suffix == "json" {
            #expect(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) is [Any])
        }
    }

    @Test("--learner and --row are exclusive, one is needed, and a miss is a usage error")
    func usage() throws {
        #expect(try soalloc(["explain", "TestData/rules/EQPOP.ind"], in: repository).status == 64)
        #expect(try soalloc(["explain", "TestData/rules/EQPOP.ind", "--row", "1", "--learner", "X"], in: repository).status == 64)
        #expect(try soalloc(["explain", "TestData/rules/EQPOP.ind", "--aim", "1", "--row", "1"], in: repository).status == 64)
        let miss = try soalloc(["explain", "TestData/rules/EQPOP.ind", "--row", "99"], in: repository)
        #expect(miss.status == 64)
        #expect(miss.standardError == "TestData/rules/EQPOP.ind has 15 records; there is no record 99\n")
    }

    @Test("--field takes derived fields only, and names them when it is given another")
    func unknownField() throws {
        let outcome = try soalloc(["explain", "TestData/rules/EQPOP.ind", "--row", "1", "--field", "HEFCOMP"], in: repository)
        #expect(outcome.status == 64)
        #expect(outcome.standardOutput == "")
        #expect(
            outcome.standardError
                == "--field HEFCOMP: not a derived field; the derived fields are UGDSA, PGDSA, DISPOP, DISALLOC, SOENTRANT, "
                + "SOENTRYAGE, HIGHQUAL, WAPOP, WAQUIN, SOLINKAGE, SOTARIFF, SOGRADECOMB, SOENTQUAL, EQPOP, UGLEVEL, EQGRP\n")
    }

    @Test("every field's HEFCE value and reason in explain equal differences.csv's, on every record that differs")
    func agreesWithDifferences() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        #expect(try soalloc(["TestData/SO14_F10000002.ind", "--out", out.path], in: repository).status == 0)
        let rows = try python(
            ["-", out.appendingPathComponent("differences.csv").path],
            input: """
                import csv, sys
                for row in list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))):
                    print("\\t".join([row["ROW"], row["FIELD"], row["FILE_VALUE"], row["CAUSE"], row["HEFCE_NEEDS"]]))
                """
        ).split(separator: "\n")
        #expect(rows.count == 14)
        for row in rows {
            let columns = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let outcome = try soalloc(
                ["explain", "TestData/SO14_F10000002.ind", "--row", columns[0], "--field", columns[1], "--json"], in: repository)
            let json = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [[String: Any]]
            let field = try #require((json?.first?["fields"] as? [String: Any])?[columns[1]] as? [String: Any])
            #expect(field["hefce"] as? String == columns[2], "\(row)")
            #expect(field["differs"] as? Bool == true, "\(row)")
            #expect(field["cause"] as? String == columns[3], "\(row)")
            #expect(field["hefce_needs"] as? String == columns[4], "\(row)")
        }
    }
}
