import Foundation
import Testing

/// The header and a record of a small valid file, with only the required columns.
private let header = try! String(contentsOf: repository.appendingPathComponent("TestData/bad/valid-no-final-newline.ind"), encoding: .utf8)
    .split(separator: "\n")[0]
private let record = try! String(contentsOf: repository.appendingPathComponent("TestData/bad/valid-no-final-newline.ind"), encoding: .utf8)
    .split(separator: "\n")[1]

/// A small valid individualised file.
private let small = repository.appendingPathComponent("TestData/rules/EQGRP.ind").path

/// Runs soalloc on `text` written to a scratch file; returns the outcome and the scratch directory.
private func run(_ text: String, name: String = "big.ind", extra: [String] = []) throws -> (Outcome, Scratch) {
    let scratch = Scratch()
    let input = scratch.url.appendingPathComponent(name)
    try Data(text.utf8).write(to: input)
    let outcome = try soalloc([input.path, "--out", scratch.url.appendingPathComponent("out").path] + extra)
    return (outcome, scratch)
}

@Suite("End to end: reliability")
struct ReliabilityTests {
    @Test("a field of 1 MiB is read whole and the run completes; a 10 MB field is a data error naming it")
    func hugeField() throws {
        let most = String(repeating: "x", count: 1 << 20)
        let (outcome, scratch) = try run("\(header),NOTE\n\(record),\(most)\n")
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let derived = try String(contentsOf: scratch.url.appendingPathComponent("out/derived.csv"), encoding: .utf8)
        #expect(derived.split(separator: "\n").count == 2)

        let big = String(repeating: "x", count: 10 << 20)
        let (tooBig, other) = try run("\(header),NOTE\n\(record),\(big)\n")
        #expect(tooBig.status == 65)
        #expect(tooBig.standardError.hasSuffix(
            "big.ind: line 2: record 1: field 20 (NOTE): the field is longer than 1 MiB (1,048,576 bytes), the most soalloc reads in one field\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: other.url.path) == ["big.ind"])
    }

    @Test("100,000 blank lines are skipped and the line numbers stay right")
    func blankLines() throws {
        let blanks = String(repeating: "\n", count: 100_000)
        let (outcome, scratch) = try run("\(header)\n\(blanks)\(record.replacingOccurrences(of: "15/09/2014", with: "31/02/2014"))\n")
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let explained = try soalloc(["explain", scratch.url.appendingPathComponent("big.ind").path, "--row", "1"])
        #expect(explained.standardOutput.hasPrefix("Record 1 (line 100002)"))
    }

    @Test("a line of too many fields is a data error naming the first unexpected field, or the first beyond 4,096")
    func longLine() throws {
        let some = String(repeating: ",x", count: 2_000)
        let (few, _) = try run("\(header)\n\(record)\(some)\n")
        #expect(few.status == 65)
        #expect(few.standardError.hasSuffix(
            "big.ind: line 2: record 1: field 20: unexpected: the record has 2019 fields, expected 19\n"))

        let fields = String(repeating: ",x", count: 200_000)
        let (outcome, scratch) = try run("\(header)\n\(record)\(fields)\n")
        #expect(outcome.status == 65)
        #expect(outcome.standardError.hasSuffix(
            "big.ind: line 2: record 1: field 4097: the record has more than 4096 fields, the most soalloc reads in one record\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["big.ind"])
    }

    @Test("a file read from a pipe gives the outputs of the file, its duplicate STUBIDs included")
    func pipe() throws {
        let scratch = Scratch()
        // The rule file's records twice over: each second copy's STUBID is a duplicate.
        let lines = try String(contentsOf: repository.appendingPathComponent("TestData/rules/DISPOP.ind"), encoding: .utf8)
            .split(separator: "\n")
        let input = scratch.url.appendingPathComponent("twice.ind")
        try ((lines + lines.dropFirst()).joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let (file, piped) = (scratch.url.appendingPathComponent("file"), scratch.url.appendingPathComponent("piped"))
        #expect(try soalloc([input.path, "--out", file.path, "--no-xlsx", "--no-html"]).status == 0)
        #expect(shell("bash -c \"'\(binary.path)' <(cat '\(input.path)') --out '\(piped.path)' --no-xlsx --no-html\""))
        for name in ["derived.csv", "differences.csv", "credibility.csv", "cells.csv"] {
            #expect(
                try Data(contentsOf: file.appendingPathComponent(name)) == Data(contentsOf: piped.appendingPathComponent(name)),
                "\(name)")
        }
        let credibility = try String(contentsOf: piped.appendingPathComponent("credibility.csv"), encoding: .utf8)
        #expect(credibility.components(separatedBy: "STUBID_DUPLICATE").count - 1 == lines.count - 1)
    }

    @Test(
        "an interrupted run (TERM, or HUP from a dropped SSH session) leaves nothing behind, of one file or of several",
        arguments: [SIGTERM, SIGHUP], [1, 2])
    func interrupted(signal: Int32, files: Int) throws {
        let scratch = Scratch()
        let sample = try String(contentsOf: repository.appendingPathComponent("TestData/SO14_F10000001.ind"), encoding: .utf8)
        let lines = sample.split(separator: "\n")
        var text = String(lines[0]) + "\n"
        for _ in 0..<40 { text += lines.dropFirst().joined(separator: "\n") + "\n" }
        var inputs: [String] = []
        for number in 1...files {
            let input = scratch.url.appendingPathComponent("big\(number).ind")
            try Data(text.replacingOccurrences(of: "10000001,", with: "1000000\(number),").utf8).write(to: input)
            inputs.append(input.path)
        }

        let process = Process()
        process.executableURL = binary
        process.arguments = inputs + ["--out", scratch.url.appendingPathComponent("out").path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until the run is writing into its hidden working directory (and, with several files, into a
        // provider's folder there), then stop it.
        func writing() throws -> Bool {
            guard let working = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path)
                .first(where: { $0.hasPrefix(".soalloc-new-\(process.processIdentifier)-out") })
            else { return false }
            if files == 1 { return true }
            return !(try FileManager.default.contentsOfDirectory(atPath: scratch.url.appendingPathComponent(working).path))
                .isEmpty
        }
        for _ in 0..<500 where !(try writing()) { Thread.sleep(forTimeInterval: 0.01) }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == signal)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
            == (1...files).map { "big\($0).ind" })
    }

    @Test("a run stopped at any moment leaves either nothing or its whole output folder: the handler is in place first")
    func stoppedAnyMoment() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        for step in 0..<40 {
            let process = Process()
            process.executableURL = binary
            process.arguments = [small, "--out", out.path, "--no-xlsx", "--no-html"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: Double(step % 20) * 0.002)
            kill(process.processIdentifier, step.isMultiple(of: 2) ? SIGTERM : SIGHUP)
            process.waitUntilExit()
            let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path)
            #expect(left.allSatisfy { $0 == "out" }, "step \(step): \(left)")
            if left == ["out"] {
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("run.json").path))
                try FileManager.default.removeItem(at: out)
            }
        }
    }

    @Test("an output directory that cannot be created exits 73 and leaves nothing")
    func cannotCreate() throws {
        let scratch = Scratch()
        let file = scratch.url.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        let outcome = try soalloc(
            ["TestData/rules/EQGRP.ind", "--out", file.appendingPathComponent("out").path], in: repository)
        #expect(outcome.status == 73)
        #expect(outcome.standardError.filter { $0 == "\n" }.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["file"])

        let existing = try soalloc(["TestData/rules/EQGRP.ind", "--out", file.path], in: repository)
        #expect(existing.status == 73)
    }

    @Test("a full disk exits 74 and leaves nothing", .enabled(if: canMount, "needs permission to mount a tmpfs"))
    func diskFull() throws {
        let scratch = Scratch()
        let point = scratch.url.appendingPathComponent("small").path
        #expect(mountTmpfs(at: point, options: "size=128k"))
        defer { shell("umount '\(point)'") }
        let outcome = try soalloc(["TestData/SO14_F10000001.ind", "--out", "\(point)/out"], in: repository)
        #expect(outcome.status == 74)
        #expect(outcome.standardError.contains("No space left on device"))
        #expect(outcome.standardError.hasPrefix("\(point)/out/"), "names the output, not the working folder")
        #expect(outcome.standardError.filter { $0 == "\n" }.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: point) == [])
    }

    @Test("a read-only place for the outputs exits 73", .enabled(if: canMount, "needs permission to mount a tmpfs"))
    func readOnly() throws {
        let scratch = Scratch()
        let point = scratch.url.appendingPathComponent("readonly").path
        #expect(mountTmpfs(at: point, options: "ro,size=64k"))
        defer { shell("umount '\(point)'") }
        let outcome = try soalloc(["TestData/rules/EQGRP.ind", "--out", "\(point)/out"], in: repository)
        #expect(outcome.status == 73)
        #expect(try FileManager.default.contentsOfDirectory(atPath: point) == [])
    }

    @Test("outputs do not depend on the locale", arguments: ["C", "de_DE.UTF-8", "fr_FR.UTF-8"])
    func locale(name: String) throws {
        // A missing locale falls back to C, and the test would compare C with C: fail instead.
        let stem = name.replacingOccurrences(of: ".UTF-8", with: "")
        try #require(
            name == "C" || shell("locale -a | grep -qi '^\(stem).utf8$'"),
            "\(name) is not installed, so this run would use C: scripts/test generates it when run as root")
        let scratch = Scratch()
        func outputs(_ locale: String, _ folder: String) throws -> [String: Data] {
            let out = scratch.url.appendingPathComponent(folder)
            let outcome = try soalloc(
                ["TestData/SO14_F10000001.ind", "--out", out.path, "--method", "TestData/methods/example.yaml"],
                in: repository, environment: ["LANG": locale, "LC_ALL": locale])
            #expect(outcome.status == 0)
            var files: [String: Data] = [:]
            for name in outputNames { files[name] = try normalisedOutput(out.appendingPathComponent(name), out: out) }
            return files
        }
        let reference = try outputs("C", "reference")
        let other = try outputs(name, "other")
        for file in outputNames { #expect(reference[file] == other[file], "\(file) under \(name)") }
    }
}
