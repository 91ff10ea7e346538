import Foundation
import Testing

@Suite("End to end: method files")
struct MethodCommandTests {
    @Test("`method show` prints the default, which can be saved, edited and passed back")
    func roundTrip() throws {
        let scratch = Scratch()
        let shown = try soalloc(["method", "show"])
        #expect(shown.status == 0)
        #expect(shown.standardOutput.hasPrefix("# soalloc method file"))
        let file = scratch.url.appendingPathComponent("method.yaml")
        try Data(shown.standardOutput.utf8).write(to: file)

        let input = repository.appendingPathComponent("TestData/SO14_F10000002.ind").path
        let viaDefault = scratch.url.appendingPathComponent("default")
        let viaFile = scratch.url.appendingPathComponent("file")
        #expect(try soalloc([input, "--out", viaDefault.path]).status == 0)
        #expect(try soalloc([input, "--out", viaFile.path, "--method", file.path]).status == 0)
        for name in ["summary.csv", "cells.csv", "retention.csv", "method-used.yaml"] {
            #expect(
                try Data(contentsOf: viaDefault.appendingPathComponent(name))
                    == Data(contentsOf: viaFile.appendingPathComponent(name)), "\(name)")
        }
        #expect(try Data(contentsOf: viaFile.appendingPathComponent("method-used.yaml")) == Data(shown.standardOutput.utf8))
    }

    @Test(
        "a bad method file stops the run before anything is written",
        arguments: [
            ("weights: { DISALLOC: 1 }", "weights: { DISALLOC: 1, Y_F_L: 2 }", 64,
                "line 5: elements.disability.weights.Y_F_L: not a cell of DISABILITY (its cells: DISPOP, DISALLOC)"),
            ("basis: fte", "basis: pounds", 64, "line 4: elements.retention.basis: 'pounds' is not a basis (headcount or fte)"),
            ("weights: { DISALLOC: 1 }", "weights: { DISALLOC: -1 }", 64,
                "line 5: elements.disability.weights.DISALLOC: a weight cannot be negative"),
            ("weights: { DISALLOC: 1 }", "weights: { DISALLOC: 1", 65, "line 6: not a YAML method file: did not find expected ',' or '}' (while parsing a flow mapping that starts on line 5)"),
        ])
    func badMethod(original: String, replacement: String, status: Int32, message: String) throws {
        let scratch = Scratch()
        let text = """
            name: "bad"
            elements:
              widening_access: { basis: headcount, rate: null, weights: { WAPOP1_Q1: 1 } }
              retention: { basis: fte, rate: null, weights: { Y_F_L: 1 } }
              disability: { basis: headcount, rate: 10, weights: { DISALLOC: 1 } }

            """.replacingOccurrences(of: original, with: replacement)
        let file = scratch.url.appendingPathComponent("bad.yaml")
        try Data(text.utf8).write(to: file)
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc(
            [repository.appendingPathComponent("TestData/SO14_F10000002.ind").path, "--out", out.path, "--method", file.path])
        #expect(outcome.status == status)
        #expect(outcome.standardError.hasPrefix("\(file.path): \(message)"), "\(outcome.standardError)")
        #expect(outcome.standardError.filter { $0 == "\n" }.count == 1)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("a missing method file exits 66")
    func missing() throws {
        let outcome = try soalloc(["TestData/SO14_F10000002.ind", "--method", "nope.yaml", "--out", Scratch().url.path], in: repository)
        #expect(outcome.status == 66)
        #expect(outcome.standardError == "nope.yaml: cannot read the method file\n")
    }

    @Test("`method show` ends with a newline")
    func showEndsWithNewline() throws {
        let outcome = try soalloc(["method", "show"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.hasSuffix("}\n"))
    }

    @Test("--rate gives money at once, is recorded in run.json, and a bad one is a usage error")
    func rate() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc(
            ["TestData/SO14_F10000002.ind", "--out", out.path, "--rate", "retention=321.09", "--no-xlsx", "--no-html"],
            in: repository)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let summary = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)
        #expect(summary.contains("\nRETENTION,fte,115.80,321.09,37182,"))
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json")))
        #expect(((run as? [String: Any])?["options"] as? [String: String])?["rate"] == "retention=321.09")
        let bad = try soalloc(["TestData/SO14_F10000002.ind", "--out", out.path, "--rate", "retention=£321"], in: repository)
        #expect(bad.status == 64)
        #expect(bad.standardError == "--rate retention=£321: '£321' is not a plain number: write 321, without a currency sign or commas\n")
    }

    @Test("a default run ends its allocations with the commands that get money")
    func nextSteps() throws {
        let outcome = try soalloc(
            ["TestData/SO14_F10000002.ind", "--out", Scratch().url.appendingPathComponent("out").path, "--no-xlsx"],
            in: repository)
        #expect(outcome.standardOutput.contains("    soalloc method show > my-method.yaml\n"))
        #expect(outcome.standardOutput.contains("    soalloc TestData/SO14_F10000002.ind --method my-method.yaml\n"))
        #expect(outcome.standardOutput.contains("--rate retention=POUNDS"))
    }

    @Test("a method that leaves cells without a weight is warned about in the summary and run.json; --strict exits 1")
    func unweightedWarning() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let arguments = ["TestData/rules/DISPOP.ind", "--out", out.path, "--method", "TestData/methods/bands.yaml"]
        let outcome = try soalloc(arguments, in: repository)
        #expect(outcome.status == 0)
        let warning = "the method sets retention's rate but gives no weight to Y_F_U, Y_O_U, M_F_L, M_F_M, M_F_H, "
            + "M_F_U, M_O_L, M_O_M, M_O_H, M_O_U, NONE, which therefore weigh 0"
        #expect(outcome.standardOutput.contains("  warning: " + warning + "\n"))
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json")))
        #expect((run as? [String: Any])?["warnings"] as? [String] == [warning])
        #expect(try soalloc(arguments + ["--strict"], in: repository).status == 1)
        let report = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(report.contains("Warning: the method sets retention&#39;s rate but gives no weight to Y_F_U, Y_O_U,"))
    }
}
