import Foundation
import Testing

/// `TestData/SO14_F10000002.ind` with its first record's HEFESFTE replaced by `fte`.
private func withFTE(_ fte: String, in scratch: Scratch) throws -> String {
    let text = try String(contentsOf: repository.appendingPathComponent("TestData/SO14_F10000002.ind"), encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // The file has no header: HEFESFTE is the 25th field of HEFCE's layout.
    var fields = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    fields[24] = fte
    lines[0] = fields.joined(separator: ",")
    let path = scratch.url.appendingPathComponent("fte-\(fte.count)-\(fte.hasPrefix("-")).ind").path
    try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@Suite("End to end: numbers and money")
struct NumbersTests {
    @Test("an HEFESFTE too large to hold is a finding in run, explain and anonymise, never a crash")
    func hugeFTE() throws {
        let scratch = Scratch()
        let file = "TestData/bad/value-fte-13-digits.ind"
        let run = try soalloc([file, "--out", scratch.url.appendingPathComponent("out").path], in: repository)
        #expect(run.status == 0)
        #expect(run.standardError == "")
        #expect(run.standardOutput.contains("HEFESFTE_OUT_OF_RANGE (error)            3"))

        let explain = try soalloc(["explain", file, "--row", "1"], in: repository)
        #expect(explain.status == 0)
        #expect(explain.standardError == "")
        #expect(explain.standardOutput.contains("9999999999999, counted as 0 by ruling R6"))

        let key = scratch.url.appendingPathComponent("key").path
        try Data((String(repeating: "ab", count: 32) + "\n").utf8).write(to: URL(fileURLWithPath: key))
        let anonymise = try soalloc(
            ["anonymise", file, "--out", scratch.url.appendingPathComponent("anon.ind").path, "--key-file", key],
            in: repository)
        #expect(anonymise.status == 0, "\(anonymise.standardError)")
    }

    @Test("an HEFESFTE outside 0–100 moves no cell and no money: it counts as 0", arguments: [
        "-100", "1000000", "100.01", "5000000000000", "9999999999999", "-9223372036855",
    ])
    func outOfRangeCountsAsZero(fte: String) throws {
        let scratch = Scratch()
        func run(_ value: String) throws -> URL {
            let out = scratch.url.appendingPathComponent("out\(value.count)\(value.hasPrefix("-"))")
            let outcome = try soalloc(
                [try withFTE(value, in: scratch), "--out", out.path, "--method", "TestData/methods/example.yaml"],
                in: repository)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            return out
        }
        let bad = try run(fte)
        let zero = try run("0")
        for name in ["cells.csv", "disability.csv", "widening_access.csv", "retention.csv", "summary.csv"] {
            #expect(
                try Data(contentsOf: bad.appendingPathComponent(name)) == Data(contentsOf: zero.appendingPathComponent(name)),
                "\(name)")
        }
        let credibility = try String(contentsOf: bad.appendingPathComponent("credibility.csv"), encoding: .utf8)
        #expect(credibility.contains("HEFESFTE_OUT_OF_RANGE,HEFESFTE '\(fte)' is outside 0–100; counted as 0 (ruling R6)"))
    }

    @Test("a method file over 1 MiB is refused before it is read: one line, exit 64")
    func largeMethod() throws {
        let scratch = Scratch()
        let method = scratch.url.appendingPathComponent("big.yaml")
        let line = "# " + String(repeating: "x", count: 1021) + "\n"
        try Data(String(repeating: line, count: 1024).utf8 + [0x0A]).write(to: method)
        for path in [method.path, "/dev/zero"] {
            let out = scratch.url.appendingPathComponent("out")
            let started = Date()
            let outcome = try soalloc(["TestData/SO14_F10000002.ind", "--method", path, "--out", out.path], in: repository)
            #expect(outcome.status == 64)
            #expect(
                outcome.standardError
                    == "\(path): the method file is larger than 1 MiB; a method file is a few kilobytes of YAML\n")
            #expect(!FileManager.default.fileExists(atPath: out.path))
            #expect(Date().timeIntervalSince(started) < 10)
        }
        // 1 MiB exactly is read.
        let text = try String(contentsOf: repository.appendingPathComponent("TestData/methods/example.yaml"), encoding: .utf8)
        let padding = 1 << 20 - text.utf8.count
        let fits = scratch.url.appendingPathComponent("fits.yaml")
        try Data((text + "#" + String(repeating: "x", count: padding - 2) + "\n").utf8).write(to: fits)
        #expect(try Data(contentsOf: fits).count == 1 << 20)
        let outcome = try soalloc(
            ["TestData/SO14_F10000002.ind", "--method", fits.path, "--out", scratch.url.appendingPathComponent("ok").path],
            in: repository)
        #expect(outcome.status == 0, "\(outcome.standardError)")
    }

    @Test("a duplicate key in a large method file is one line naming the line and the key")
    func duplicateKeyLarge() throws {
        let scratch = Scratch()
        let text = try String(contentsOf: repository.appendingPathComponent("TestData/methods/example.yaml"), encoding: .utf8)
        let padding = (0..<10_000).map { "# note \($0)" }.joined(separator: "\n")
        let method = scratch.url.appendingPathComponent("dup.yaml")
        try Data((text + "\n" + padding + "\nname: \"again\"\n").utf8).write(to: method)
        let lines = (text + "\n" + padding).split(separator: "\n", omittingEmptySubsequences: false).count + 1
        let outcome = try soalloc(
            ["TestData/SO14_F10000002.ind", "--method", method.path, "--out", scratch.url.appendingPathComponent("out").path],
            in: repository)
        #expect(outcome.status == 64)
        #expect(outcome.standardError == "\(method.path): line \(lines): duplicate key name\n")
    }
}
