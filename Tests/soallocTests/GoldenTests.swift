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

/// Every file a run writes.
let outputNames = [
    "cells.csv", "credibility.csv", "derived.csv", "difference-patterns.csv", "differences.csv", "disability.csv",
    "exclusions.csv", "method-used.yaml", "movements.csv", "reconciliation.csv", "report.html", "retention.csv",
    "run.json", "summary.csv", "summary.xlsx", "widening_access.csv",
]

/// An output's bytes, with the run's paths and time normalised in the files that have them.
func normalisedOutput(_ url: URL, out: URL) throws -> Data {
    let data = try Data(contentsOf: url)
    guard ["run.json", "report.html"].contains(url.lastPathComponent) else { return data }
    return Data(normalised(String(decoding: data, as: UTF8.self), out: out).utf8)
}

/// An output as it is compared with its golden file: the workbook as the text
/// `scripts/xlsx-dump` makes of it with an independent reader, and the rest
/// normalised.
func comparable(_ name: String, in out: URL) throws -> (name: String, data: Data) {
    let url = out.appendingPathComponent(name)
    if name == "summary.xlsx" { return ("summary.xlsx.txt", Data(try xlsxDump(url).utf8)) }
    return (name, try normalisedOutput(url, out: out))
}

/// What a rule's own golden folder keeps (`TestData/rules/expected/<FIELD>/`):
/// only what the rule decides, so that a change to another output's layout
/// touches the end-to-end golden folders alone.
let ruleOutputNames = ["derived.csv", "differences.csv", "exclusions.csv"]

/// Runs soalloc on `sample` with `options` and compares every output, and the
/// summary it prints, with the golden files in `expected`; for a rule's sample,
/// only the outputs the rule decides.
func checkGolden(_ sample: String, options: [String] = [], expected: URL) throws {
    let isRuleSample = sample.hasPrefix("TestData/rules/")
    let scratch = Scratch()
    let out = scratch.url.appendingPathComponent("out")
    let outcome = try soalloc([sample, "--out", out.path] + options, in: repository)
    #expect(outcome.status == 0, "\(outcome.standardError)")
    #expect(outcome.standardError == "")

    let written = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
    #expect(written == outputNames)
    let kept = isRuleSample ? ruleOutputNames : written
    for name in kept {
        let output = try comparable(name, in: out)
        expectGolden(output.data, at: expected.appendingPathComponent(output.name))
    }
    if isRuleSample {
        let goldens = try FileManager.default.contentsOfDirectory(atPath: expected.path).sorted()
        #expect(goldens == ruleOutputNames, "\(expected.path) holds only what the rule decides")
    } else {
        expectGolden(
            Data(normalised(outcome.standardOutput, out: out).utf8), at: expected.appendingPathComponent("summary.txt"))
    }
}

/// Text with the run's own paths and time replaced, so that it can be compared:
/// the time in `run.json` and `report.html`, and so the SHA-256 of `report.html`;
/// and the number of jobs in `run.json`, which depends on the machine's cores.
func normalised(_ text: String, out: URL) -> String {
    text.replacingOccurrences(of: out.path, with: "<out>")
        .replacingOccurrences(of: #""jobs" : "[0-9]+""#, with: #""jobs" : "<jobs>""#, options: .regularExpression)
        .replacingOccurrences(of: repository.path + "/", with: "")
        .replacingOccurrences(of: #""timestamp" : "[0-9T:Z-]+""#, with: #""timestamp" : "<timestamp>""#, options: .regularExpression)
        .replacingOccurrences(of: #"<td>Run</td><td>[0-9T:Z-]+</td>"#, with: "<td>Run</td><td><timestamp></td>", options: .regularExpression)
        .replacingOccurrences(
            of: #"("name" : "report.html",\s*"sha256" : ")[0-9a-f]{64}"#, with: "$1<sha256: the report has the time>",
            options: .regularExpression)
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
        try checkGolden(sample, expected: goldenFolder(for: sample))
    }

    @Test("a method with weights and rates gives the money of its golden files")
    func method() throws {
        try checkGolden(
            "TestData/SO14_F10000001.ind", options: ["--method", "TestData/methods/example.yaml"],
            expected: repository.appendingPathComponent("TestData/methods/expected/example"))
    }

    @Test("qualifications on entry and a postcode lookup give the golden files of the linked sample")
    func linked() throws {
        try checkGolden(
            "TestData/SO14_F10000001.ind",
            options: [
                "--quals", "TestData/linked/SO14_F10000001.quals.csv",
                "--postcodes", "TestData/linked/SO14_F10000001.postcodes.csv",
            ],
            expected: repository.appendingPathComponent("TestData/linked/expected/SO14_F10000001"))
    }

    @Test("the same input gives the same bytes on a second run, but for the time in run.json and report.html")
    func deterministic() throws {
        let scratch = Scratch()
        let input = repository.appendingPathComponent("TestData/SO14_F10000003.ind").path
        for name in ["a", "b"] {
            _ = try soalloc([input, "--out", scratch.url.appendingPathComponent(name).path])
        }
        for file in outputNames {
            func read(_ run: String) throws -> Data {
                let out = scratch.url.appendingPathComponent(run)
                return try normalisedOutput(out.appendingPathComponent(file), out: out)
            }
            #expect(try read("a") == read("b"), "\(file)")
        }
    }

    @Test("run.json lists each output with its SHA-256, and the input's")
    func provenance() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        _ = try soalloc(["TestData/SO14_F10000002.ind", "--out", out.path], in: repository)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json")))
        let run = try #require(json as? [String: Any])
        let outputs = try #require(run["outputs"] as? [[String: Any]])
        #expect(outputs.map { $0["name"] as? String } == [
            "derived.csv", "differences.csv", "credibility.csv", "exclusions.csv", "movements.csv", "cells.csv",
            "disability.csv", "widening_access.csv", "retention.csv", "summary.csv", "reconciliation.csv",
            "difference-patterns.csv", "summary.xlsx", "report.html", "method-used.yaml",
        ])
        for output in outputs {
            let name = try #require(output["name"] as? String)
            let data = try Data(contentsOf: out.appendingPathComponent(name))
            #expect(output["sha256"] as? String == sha256(data), "\(name)")
            #expect(output["size"] as? Int == data.count, "\(name)")
        }
        let inputs = try #require(run["inputs"] as? [[String: Any]])
        #expect(inputs.count == 1)
        let input = inputs[0]
        let data = try Data(contentsOf: repository.appendingPathComponent("TestData/SO14_F10000002.ind"))
        #expect(input["sha256"] as? String == sha256(data))
        #expect(input["size"] as? Int == data.count)
        #expect(run["records"] as? Int == 600)
    }
}

/// SHA-256 by the system's `sha256sum`, independent of the code under test.
func sha256(_ data: Data) -> String {
    let scratch = Scratch()
    let file = scratch.url.appendingPathComponent("data")
    try! data.write(to: file)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [file.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try! process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: output, as: UTF8.self).prefix(64))
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
            var ours = try String(contentsOf: out.appendingPathComponent(output), encoding: .utf8)
            if output == "differences.csv" {
                // The oracle has ruling R15's columns; the reasons after them are soalloc's own.
                ours = try python(
                    ["-", out.appendingPathComponent(output).path],
                    input: """
                        import csv, io, sys
                        out = io.StringIO()
                        writer = csv.writer(out, lineterminator="\\n")
                        for row in csv.reader(open(sys.argv[1], newline="", encoding="utf-8")):
                            writer.writerow(row[:8])
                        sys.stdout.write(out.getvalue())
                        """)
            }
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
