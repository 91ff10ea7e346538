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
    @Test("each malformed file exits with its status and one exact line on stderr, leaving nothing", arguments: badFiles)
    func malformed(name: String) throws {
        let stem = name[..<name.lastIndex(of: ".")!]
        let expectedURL = repository.appendingPathComponent("TestData/bad/\(stem).expected")
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        let status = Int32(expected.prefix { $0 != "\n" })
        let message = String(expected.drop { $0 != "\n" }.dropFirst())

        let scratch = Scratch()
        let outcome = try soalloc(
            arguments(for: name) + ["--out", scratch.url.appendingPathComponent("out").path], in: repository)
        #expect(outcome.status == status)
        #expect(outcome.standardError == message)
        #expect(outcome.standardError.filter { $0 == "\n" }.count == 1)
        #expect(outcome.standardOutput == "")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == [])
    }

    @Test("there is a malformed file for each kind of data error")
    func corpus() {
        #expect(badFiles.count >= 21)
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
