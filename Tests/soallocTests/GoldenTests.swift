import Foundation
import Testing

/// Every individualised file in TestData and TestData/rules.
let sampleFiles: [String] = {
    let fileManager = FileManager.default
    func files(in folder: String) -> [String] {
        let path = repository.appendingPathComponent(folder).path
        return ((try? fileManager.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".ind") }.sorted()
            .map { "\(folder)/\($0)" }
    }
    return files(in: "TestData") + files(in: "TestData/rules")
}()

/// The folder of golden files for a sample: `expected/<name without .ind>` beside it.
func goldenFolder(for sample: String) -> URL {
    let url = repository.appendingPathComponent(sample)
    return url.deletingLastPathComponent().appendingPathComponent("expected")
        .appendingPathComponent(url.deletingPathExtension().lastPathComponent)
}

@Suite("End to end: the built binary on TestData")
struct GoldenTests {
    @Test("there are samples to run")
    func samplesExist() {
        #expect(sampleFiles.contains("TestData/SO14_F10000001.ind"))
        #expect(sampleFiles.count >= 19)
    }

    @Test("every output equals its reviewed golden file, byte for byte", arguments: sampleFiles)
    func golden(sample: String) throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc([repository.appendingPathComponent(sample).path, "--out", out.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError == "")

        let expected = goldenFolder(for: sample)
        let written = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(written == ["credibility.csv", "derived.csv", "differences.csv"])
        for name in written {
            expectGolden(try Data(contentsOf: out.appendingPathComponent(name)), at: expected.appendingPathComponent(name))
        }
        let summary = outcome.standardOutput
            .replacingOccurrences(of: out.path, with: "<out>")
            .replacingOccurrences(of: repository.path + "/", with: "")
        expectGolden(Data(summary.utf8), at: expected.appendingPathComponent("summary.txt"))
    }

    @Test("the same input gives the same bytes on a second run")
    func deterministic() throws {
        let scratch = Scratch()
        let input = repository.appendingPathComponent("TestData/SO14_F10000003.ind").path
        for name in ["a", "b"] {
            _ = try soalloc([input, "--out", scratch.url.appendingPathComponent(name).path])
        }
        for file in ["derived.csv", "differences.csv", "credibility.csv"] {
            let first = try Data(contentsOf: scratch.url.appendingPathComponent("a/\(file)"))
            let second = try Data(contentsOf: scratch.url.appendingPathComponent("b/\(file)"))
            #expect(first == second, "\(file)")
        }
    }
}

@Suite("End to end: agreement with the independent oracle")
struct OracleTests {
    @Test(
        "derived.csv and differences.csv equal the oracle's",
        arguments: ["SO14_F10000001", "SO14_F10000002", "SO14_F10000003"])
    func oracle(name: String) throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc([repository.appendingPathComponent("TestData/\(name).ind").path, "--out", out.path])
        #expect(outcome.status == 0)
        for (output, oracle) in [("derived.csv", "derived.csv"), ("differences.csv", "differences.csv")] {
            let ours = try String(contentsOf: out.appendingPathComponent(output), encoding: .utf8)
            let theirs = try String(
                contentsOf: repository.appendingPathComponent("TestData/oracle/\(name).\(oracle)"), encoding: .utf8)
            let ourLines = ours.split(separator: "\n")
            let theirLines = theirs.split(separator: "\n")
            #expect(ourLines.count == theirLines.count, "\(name) \(output)")
            for (index, pair) in zip(ourLines, theirLines).enumerated() where pair.0 != pair.1 {
                Issue.record("\(name) \(output) line \(index + 1): ours '\(pair.0)', oracle '\(pair.1)'")
                break
            }
        }
    }
}
