import Foundation
import Testing

/// Every malformed file in TestData/bad, each with its `.expected` file:
/// the exit status on the first line, the exact standard error after it.
/// `.ind` files are individualised files; `quals-*.csv`, `postcodes-*.csv`
/// and `method-*.yaml` are side files, given with a good individualised file.
let badFiles: [String] = {
    let path = repository.appendingPathComponent("TestData/bad").path
    return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasSuffix(".expected") }
        .sorted()
}()

/// The command line that reads a malformed file.
func arguments(for name: String) -> [String] {
    let path = "TestData/bad/\(name)"
    for (prefix, option) in [("quals-", "--quals"), ("postcodes-", "--postcodes"), ("method-", "--method")]
    where name.hasPrefix(prefix) {
        return ["TestData/rules/EQGRP.ind", option, path]
    }
    return [path]
}

@Suite("End to end: malformed input")
struct BadInputTests {
    @Test(
        "each file of the corpus exits with its status and exact stderr; failures leave nothing, valid files pass",
        arguments: badFiles)
    func corpusFile(name: String) throws {
        let stem = name[..<name.lastIndex(of: ".")!]
        let expectedURL = repository.appendingPathComponent("TestData/bad/\(stem).expected")
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        let status = Int32(expected.prefix { $0 != "\n" })
        let rest = String(expected.drop { $0 != "\n" }.dropFirst())

        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc(arguments(for: name) + ["--out", out.path], in: repository)
        #expect(outcome.status == status)
        if status == 0 {
            // A valid file, or one with bad values: it runs, and the values are findings.
            #expect(outcome.standardError == "")
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("run.json").path))
            if rest.hasPrefix("findings: ") {
                let credibility = try String(contentsOf: out.appendingPathComponent("credibility.csv"), encoding: .utf8)
                for check in rest.dropFirst("findings: ".count).split(whereSeparator: \.isWhitespace) {
                    #expect(credibility.contains(",\(check),"), "\(check)")
                }
            }
        } else {
            #expect(outcome.standardError == rest)
            #expect(outcome.standardError.filter { $0 == "\n" }.count == 1)
            #expect(outcome.standardOutput == "")
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == [])
        }
    }

    @Test("there is a file for each kind of data error and each kind of bad value")
    func corpus() {
        #expect(badFiles.count >= 27)
        #expect(badFiles.contains { $0.hasPrefix("quals-") } && badFiles.contains { $0.hasPrefix("postcodes-") })
    }

    @Test("a missing input exits 66 and a bad option 64")
    func usage() throws {
        let missing = try soalloc(["TestData/nope.ind", "--out", Scratch().url.path], in: repository)
        #expect(missing.status == 66)
        #expect(missing.standardError == "TestData/nope.ind: cannot open: No such file or directory\n")
        let option = try soalloc(["TestData/SO14_F10000001.ind", "--frobnicate"], in: repository)
        #expect(option.status == 64)
    }

    @Test("--strict exits 1 after writing the outputs when a file has differences")
    func strict() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc(["TestData/rules/UGDSA.ind", "--out", out.path, "--strict"], in: repository)
        #expect(outcome.status == 1)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("derived.csv").path))
    }

    @Test("without --out, outputs go to ./soalloc-out/<file name without extension>/; `run` is the same command")
    func defaultOutput() throws {
        let scratch = Scratch()
        let input = repository.appendingPathComponent("TestData/rules/DISPOP.ind").path
        #expect(try soalloc([input], in: scratch.url).status == 0)
        #expect(try soalloc(["run", input], in: scratch.url).status == 0)
        let written = try FileManager.default.contentsOfDirectory(
            atPath: scratch.url.appendingPathComponent("soalloc-out/DISPOP").path)
        #expect(written.sorted() == outputNames)
    }
}
