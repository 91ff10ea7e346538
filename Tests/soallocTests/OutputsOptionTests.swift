import Foundation
import Testing

@Suite("End to end: --outputs chooses what a run writes")
struct OutputsOptionTests {
    let sample = repository.appendingPathComponent("TestData/SO14_F10000001.ind").path

    private func files(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test("only the outputs named are written, each the same bytes as in a run of every output; run.json records the choice")
    func chosen() throws {
        let scratch = Scratch()
        let all = scratch.url.appendingPathComponent("all")
        let some = scratch.url.appendingPathComponent("some")
        #expect(try soalloc([sample, "--out", all.path, "--quiet"]).status == 0)
        let outcome = try soalloc([sample, "--out", some.path, "--outputs", "derived, Differences,cells.csv,summary", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(
            try files(some)
                == ["cells.csv", "derived.csv", "differences.csv", "method-used.yaml", "run.json", "summary.csv"])
        for name in ["cells.csv", "derived.csv", "differences.csv", "summary.csv"] {
            #expect(
                FileManager.default.contents(atPath: some.appendingPathComponent(name).path)
                    == FileManager.default.contents(atPath: all.appendingPathComponent(name).path), "\(name)")
        }
        let run = try JSONSerialization.jsonObject(
            with: Data(contentsOf: some.appendingPathComponent("run.json"))) as! [String: Any]
        #expect((run["options"] as! [String: String])["outputs"] == "derived,differences,cells,summary")
        #expect((run["outputs"] as! [[String: Any]]).map { $0["name"] as! String }.sorted()
            == ["cells.csv", "derived.csv", "differences.csv", "method-used.yaml", "summary.csv"])
        let allRun = try JSONSerialization.jsonObject(
            with: Data(contentsOf: all.appendingPathComponent("run.json"))) as! [String: Any]
        #expect((allRun["options"] as! [String: String])["outputs"] == "all")
    }

    @Test("the workbook alone: the files it reads are not left behind")
    func workbookAlone() throws {
        let scratch = Scratch()
        let outcome = try soalloc([sample, "--out", scratch.url.path + "/out", "--outputs", "workbook", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(try files(scratch.url.appendingPathComponent("out")) == ["method-used.yaml", "run.json", "summary.xlsx"])
    }

    @Test("a name that is not an output is a usage error listing the outputs, and nothing is written")
    func unknown() throws {
        let scratch = Scratch()
        let outcome = try soalloc([sample, "--out", scratch.url.path + "/out", "--outputs", "derived,exclusion"])
        #expect(outcome.status == 64)
        #expect(outcome.standardError.contains("\"exclusion\" is not an output; the outputs are all, derived, differences"))
        #expect(outcome.standardError.contains("workbook, report"))
        #expect(outcome.standardError.filter { $0 == "\n" }.count == 1)
        #expect(try files(scratch.url) == [])
    }
}
