import Foundation
import Testing

/// A small valid individualised file.
private let small = repository.appendingPathComponent("TestData/rules/EQGRP.ind").path
private let samples = ["TestData/SO14_F10000001.ind", "TestData/SO14_F10000002.ind"]

/// The number of lines in `text`.
private func lineCount(_ text: String) -> Int { text.filter { $0 == "\n" }.count }

/// The entries of `folder`, sorted.
private func entries(_ folder: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
}

/// A process id that has ended: a finished child's.
private func endedProcess() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
}

@Suite("End to end: the user's folders")
struct OutputFolderTests {
    @Test("--out \"\" is a usage error, and the current directory is untouched")
    func emptyOut() throws {
        let scratch = Scratch()
        let outcome = try soalloc([small, "--out", ""], in: scratch.url)
        #expect(outcome.status == 64)
        #expect(outcome.standardError == "--out is empty: give the folder for the outputs\n")
        #expect(try entries(scratch.url) == [])
        #expect(FileManager.default.fileExists(atPath: scratch.url.path))

        let anonymise = try soalloc(["anonymise", small, "--out", ""], in: scratch.url)
        #expect(anonymise.status == 64)
        #expect(lineCount(anonymise.standardError) == 1)
    }

    @Test("the current directory, a folder holding it, the home directory and / are never replaced, however named")
    func protectedPlaces() throws {
        let scratch = Scratch()
        let empty = scratch.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: scratch.url.appendingPathComponent("link"), withDestinationURL: empty)
        let cases: [(out: String, reason: String)] = [
            (".", "is the current directory"),
            ("../empty", "is the current directory"),
            ("\(scratch.url.path)/link", "is the current directory"),
            ("\(scratch.url.path)/link/../empty/", "is the current directory"),
            ("..", "holds the current directory"),
            ("/", "is the root directory"),
        ]
        for (out, reason) in cases {
            let outcome = try soalloc([small, "--out", out], in: empty)
            #expect(outcome.status == 73, "\(out)")
            #expect(outcome.standardError.hasPrefix("\(out): \(reason), and soalloc replaces its output folder whole"), "\(out)")
            #expect(lineCount(outcome.standardError) == 1)
        }
        let home = try soalloc([small, "--out", empty.path], in: scratch.url, environment: ["HOME": empty.path])
        #expect(home.status == 73)
        #expect(home.standardError.hasPrefix("\(empty.path): is your home directory"))
        #expect(try entries(empty) == [])
        #expect(try entries(scratch.url) == ["empty", "link"])
    }

    @Test("a folder holding an input is never replaced, even when the input's name is one of soalloc's")
    func inputFolder() throws {
        let scratch = Scratch()
        let folder = scratch.url.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let input = folder.appendingPathComponent("derived.csv")
        try FileManager.default.copyItem(atPath: small, toPath: input.path)
        let outcome = try soalloc([input.path, "--out", folder.path], in: scratch.url)
        #expect(outcome.status == 73)
        #expect(outcome.standardError
            == "\(folder.path): holds the input \(input.path), and soalloc replaces its output folder whole; give a folder for the outputs alone, such as soalloc-out\n")
        #expect(try entries(folder) == ["derived.csv"])

        // A method file is an input too.
        let method = folder.appendingPathComponent("run.json")
        try FileManager.default.removeItem(at: input)
        try FileManager.default.copyItem(
            at: repository.appendingPathComponent("TestData/methods/example.yaml"), to: method)
        let side = try soalloc([small, "--method", method.path, "--out", folder.path], in: scratch.url)
        #expect(side.status == 73)
        #expect(side.standardError.hasPrefix("\(folder.path): holds the input \(method.path), and"))
        #expect(try entries(folder) == ["run.json"])
    }

    @Test("a run with fewer outputs replaces an earlier run's folder, its workbook and report included")
    func fewerOutputs() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        #expect(try soalloc([small, "--out", out.path]).status == 0)
        #expect(try entries(out).contains("summary.xlsx"))
        let again = try soalloc([small, "--out", out.path, "--no-xlsx", "--no-html"])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(try !entries(out).contains("summary.xlsx") && !entries(out).contains("report.html"))

        // Several files, then one: the providers' and the sector's folders are soalloc's too.
        let many = scratch.url.appendingPathComponent("many")
        #expect(try soalloc(samples + ["--out", many.path], in: repository).status == 0)
        let one = try soalloc([small, "--out", many.path, "--no-html"], in: repository)
        #expect(one.status == 0, "\(one.standardError)")
        #expect(try !entries(many).contains("sector"))
    }

    @Test("a folder soalloc would never write, even an empty one, is the user's: the run refuses", arguments: [1, 2])
    func userFolder(files: Int) throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let inputs = Array(samples.prefix(files))
        #expect(try soalloc(inputs + ["--out", out.path, "--no-xlsx"], in: repository).status == 0)
        let place = files == 1 ? out : out.appendingPathComponent("sector")
        try FileManager.default.createDirectory(
            at: place.appendingPathComponent("mine"), withIntermediateDirectories: false)
        let outcome = try soalloc(inputs + ["--out", out.path, "--no-xlsx"], in: repository)
        #expect(outcome.status == 73)
        let shown = files == 1 ? "mine/" : "sector/"
        #expect(outcome.standardError
            == "\(out.path): will not replace a directory holding files soalloc did not write (\(shown)); choose another --out\n")
        #expect(FileManager.default.fileExists(atPath: place.appendingPathComponent("mine").path))
        #expect(try entries(scratch.url) == ["out"])
    }

    @Test("working folders that killed runs left behind are removed by the next run, and only those")
    func leftovers() throws {
        let scratch = Scratch()
        let ended = try endedProcess()
        let mine = getpid()  // this test's process: alive
        let manager = FileManager.default
        func folder(_ name: String, holding file: String = "derived.csv") throws {
            let url = scratch.url.appendingPathComponent(name)
            try manager.createDirectory(at: url, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: url.appendingPathComponent(file))
        }
        try folder(".soalloc-new-\(ended)-out")
        try folder(".soalloc-new-\(ended)-files-123", holding: "0")
        try folder(".soalloc-old-\(ended)-earlier", holding: "cells.csv")
        try folder(".soalloc-new-\(mine)-out")  // a run still going
        try folder(".soalloc-new-x\(ended)-out")  // not soalloc's pattern
        try folder(".out.soalloc-\(ended)")  // the user's, whatever it looks like
        try folder(".soalloc-new-\(ended)-deep/a/b")  // deeper than soalloc ever writes

        let outcome = try soalloc([small, "--out", scratch.url.appendingPathComponent("out").path])
        #expect(outcome.status == 0)
        #expect(outcome.standardError
            == "soalloc: \(scratch.url.path): removed 2 working folders that killed soalloc runs left behind (.soalloc-new-\(ended)-files-123, .soalloc-new-\(ended)-out); put back the earlier outputs that a killed run was replacing (earlier)\n")
        #expect(try entries(scratch.url) == [
            ".out.soalloc-\(ended)", ".soalloc-new-\(ended)-deep", ".soalloc-new-\(mine)-out", ".soalloc-new-x\(ended)-out",
            "earlier", "out",
        ].sorted())
        #expect(try entries(scratch.url.appendingPathComponent("earlier")) == ["cells.csv"])
    }

    @Test("a run killed with SIGKILL leaves its working folder; the next run into the same folder removes it")
    func killed() throws {
        let scratch = Scratch()
        let sample = try String(contentsOf: repository.appendingPathComponent(samples[0]), encoding: .utf8)
        let lines = sample.split(separator: "\n")
        let input = scratch.url.appendingPathComponent("big.ind")
        try Data(([String(lines[0])] + Array(repeating: lines.dropFirst().joined(separator: "\n"), count: 20))
            .joined(separator: "\n").utf8).write(to: input)
        let process = Process()
        process.executableURL = binary
        process.arguments = [input.path, "--out", scratch.url.appendingPathComponent("out").path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let working = ".soalloc-new-\(process.processIdentifier)-out"
        for _ in 0..<500 where !(try entries(scratch.url).contains(working)) { Thread.sleep(forTimeInterval: 0.01) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(try entries(scratch.url).contains(working), "the run ended before it was killed")

        let next = try soalloc([small, "--out", scratch.url.appendingPathComponent("other").path])
        #expect(next.status == 0)
        #expect(next.standardError.hasSuffix("removed a working folder that killed soalloc runs left behind (\(working))\n"))
        #expect(try entries(scratch.url) == ["big.ind", "other"])
    }

    @Test("a mount point as --out is refused up front with 73", .enabled(if: canMount, "needs permission to mount a tmpfs"))
    func mountPoint() throws {
        let scratch = Scratch()
        let point = scratch.url.appendingPathComponent("mounted").path
        #expect(mountTmpfs(at: point, options: "size=1m"))
        defer { shell("umount '\(point)'") }
        let outcome = try soalloc([small, "--out", point])
        #expect(outcome.status == 73)
        #expect(outcome.standardError
            == "\(point): is a mount point, which soalloc cannot replace (it moves a finished output folder into place whole); give a folder inside it, such as \(point)/soalloc-out\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: point) == [])
        #expect(try soalloc([small, "--out", "\(point)/soalloc-out"]).status == 0)
    }

    @Test("when the workbook cannot be written the failure is one line: libxlsxwriter's own messages are not shown",
        .enabled(if: canMount, "needs permission to mount a tmpfs"))
    func workbookFailure() throws {
        let scratch = Scratch()
        let point = scratch.url.appendingPathComponent("small").path
        // A disk just too small for the workbook: the CSV files fit, summary.xlsx does not.
        var found = false
        for size in stride(from: 640, through: 760, by: 4) where !found {
            #expect(mountTmpfs(at: point, options: "size=\(size)k"))
            defer { shell("umount '\(point)'") }
            let outcome = try soalloc([samples[0], "--out", "\(point)/out"], in: repository)
            guard outcome.standardError.contains("summary.xlsx") else { continue }
            found = true
            #expect(outcome.status == 74)
            #expect(lineCount(outcome.standardError) == 1, "\(outcome.standardError)")
            #expect(!outcome.standardError.contains("[ERROR]"))
            // The message names the output's own path, not the hidden working folder's.
            #expect(outcome.standardError.hasPrefix("\(point)/out/summary.xlsx: cannot write the workbook: "))
        }
        #expect(found, "no disk size made the workbook fail")
    }

    @Test("several files of different UKPRNs stay apart with --merge: only one UKPRN's files are pooled")
    func mergeKeepsProvidersApart() throws {
        let scratch = Scratch()
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc(samples + ["--merge", "--out", out.path, "--no-xlsx", "--no-html"], in: repository)
        #expect(outcome.status == 0)
        #expect(try entries(out) == ["10000001", "10000002", "sector"])
    }
}

@Suite("End to end: the user's terminal")
struct TerminalTests {
    @Test("a summary that cannot be written to standard output exits 74 with one line")
    func standardOutputFull() throws {
        let scratch = Scratch()
        for arguments in [
            [small, "--out", scratch.url.appendingPathComponent("out").path], ["rules"], ["method", "show"], ["--help"],
            ["--version"], ["help", "run"], ["anonymise", "-h"],
        ] {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
            let error = Pipe()
            process.standardError = error
            try process.run()
            let text = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 74, "\(arguments)")
            #expect(text.hasPrefix("standard output: cannot write "), "\(arguments)")
            #expect(text.hasSuffix(": No space left on device\n"))
            #expect(lineCount(text) == 1)
        }
    }

    @Test("a usage error is one line with a hint, not the usage block", arguments: [
        ([small, "--frobnicate"], "soalloc: error: Unknown option '--frobnicate' (see soalloc --help)\n"),
        ([String](), "soalloc: error: Missing expected argument '<file> ...' (see soalloc --help)\n"),
        ([small, "--jobs", "0"], "soalloc: error: --jobs must be at least 1 (see soalloc --help)\n"),
        (["explain", small], "soalloc: error: give either --learner REF (optionally with --aim SEQ) or --row N (see soalloc explain --help)\n"),
        (["anonymise", small], "soalloc: error: Missing expected argument '--out <file>' (see soalloc anonymise --help)\n"),
    ])
    func usageError(arguments: [String], expected: String) throws {
        let outcome = try soalloc(arguments)
        #expect(outcome.status == 64)
        #expect(outcome.standardError == expected)
        #expect(outcome.standardOutput == "")
    }

    @Test("--help and --version still print in full")
    func help() throws {
        let help = try soalloc(["--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("USAGE:") && lineCount(help.standardOutput) > 10)
        let version = try soalloc(["--version"])
        #expect(version.status == 0 && !version.standardOutput.isEmpty)
    }
}
