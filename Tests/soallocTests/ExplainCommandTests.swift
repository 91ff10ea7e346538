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
}
