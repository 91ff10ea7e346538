import Foundation
import Testing

/// The commands whose help lists options that take a value or a flag.
private let commands = ["run", "compare", "explain", "anonymise"]

/// The long options listed in the OPTIONS section of `help`, read from
/// the text as a person reads it (`--xlsx/--no-xlsx` gives both).
private func longOptions(inHelp help: String) -> [String] {
    let section = help.components(separatedBy: "\nOPTIONS:\n").last?.components(separatedBy: "\n\n").first ?? ""
    return section.split(separator: "\n").filter { $0.hasPrefix("  -") }.flatMap { line in
        String(line.split(separator: " ", omittingEmptySubsequences: true).prefix { $0.hasPrefix("-") }.joined(separator: " "))
            .split(whereSeparator: { " ,/".contains($0) }).filter { $0.hasPrefix("--") }.map { String($0.dropFirst(2)) }
    }
}

@Suite("End to end: the help")
struct HelpTests {
    @Test("the usage shows soalloc <file> ... first, then the other commands")
    func usage() throws {
        let help = try soalloc(["--help"])
        #expect(help.status == 0)
        let usage = help.standardOutput.components(separatedBy: "USAGE: ").last?.components(separatedBy: "\n\n").first ?? ""
        let lines = usage.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first == "soalloc <file> ... [<options>]")
        for command in ["compare", "explain", "anonymise", "method show", "rules"] {
            #expect(lines.contains { $0.hasPrefix("soalloc \(command)") }, "\(command)")
        }
    }

    @Test("the help ends with examples of a run, --method, explain, compare and anonymise")
    func examplesListed() throws {
        let help = try soalloc(["--help"]).standardOutput
        let examples = try #require(help.components(separatedBy: "\nEXAMPLES:\n").last)
        #expect(help.hasSuffix(examples) && !examples.contains("\n\n"))
        let commands = examples.split(separator: "\n").filter { $0.hasPrefix("  soalloc ") }
        #expect(commands.count == 5)
        #expect(commands.contains { $0.contains("--method ") })
        for command in ["explain", "compare", "anonymise"] {
            #expect(commands.contains { $0.hasPrefix("  soalloc \(command) ") }, "\(command)")
        }
        #expect(try soalloc(["help"]).standardOutput == help)
        #expect(try soalloc(["-h"]).standardOutput == help)
        #expect(try !soalloc(["run", "--help"]).standardOutput.contains("EXAMPLES:"))
    }

    @Test("every example works as written, given the files it names")
    func examplesRun() throws {
        let help = try soalloc(["--help"]).standardOutput
        let examples = try #require(help.components(separatedBy: "\nEXAMPLES:\n").last).split(separator: "\n")
            .filter { $0.hasPrefix("  soalloc ") }
        let scratch = Scratch()
        let sample = repository.appendingPathComponent("TestData/SO14_F10000001.ind")
        try FileManager.default.createSymbolicLink(
            at: scratch.url.appendingPathComponent("TestData"),
            withDestinationURL: repository.appendingPathComponent("TestData"))
        for name in ["SO14_F10001234.ind", "R13.ind", "R14.ind"] {
            try FileManager.default.copyItem(at: sample, to: scratch.url.appendingPathComponent(name))
        }
        let method = try soalloc(["method", "show"])
        try Data(method.standardOutput.utf8).write(to: scratch.url.appendingPathComponent("my-method.yaml"))
        for example in examples {
            let arguments = example.split(separator: " ").dropFirst().map(String.init)
            let outcome = try soalloc(arguments, in: scratch.url)
            #expect(outcome.status == 0, "\(example): \(outcome.standardError)")
            #expect(!outcome.standardOutput.isEmpty, "\(example)")
        }
    }

    @Test("each option's value has a name of its own, not the option's", arguments: commands)
    func valueNames(command: String) throws {
        let help = try soalloc([command, "--help"]).standardOutput
        let pattern = try Regex(#"--([a-z-]+) <([^>]+)>"#)
        let named = help.matches(of: pattern).map { (String($0.output[1].substring!), String($0.output[2].substring!)) }
        #expect(!named.isEmpty)
        for (option, value) in named {
            #expect(option != value, "\(command): --\(option) <\(value)>")
        }
    }

    @Test("the names that say what to give", arguments: [
        ("run", "--out <folder>"), ("run", "--method <method.yaml>"), ("run", "--jobs <n>"),
        ("run", "--rate <element=pounds>"), ("run", "--quals <quals.csv>"), ("run", "--postcodes <postcodes.csv>"),
        ("compare", "--method-old <method.yaml>"), ("explain", "--row <number>"), ("anonymise", "--key-file <file>"),
    ])
    func meaningfulNames(command: String, option: String) throws {
        #expect(try soalloc([command, "--help"]).standardOutput.contains(option))
    }

    @Test("a default is told once, and --jobs's is the number of cores, not this machine's", arguments: commands)
    func defaultsOnce(command: String) throws {
        let help = try soalloc([command, "--help"]).standardOutput
        let entries = help.components(separatedBy: "\n  -").dropFirst()
        for entry in entries {
            #expect(entry.components(separatedBy: "default").count <= 2, "\(command): -\(entry)")
        }
        if command == "run" || command == "compare" {
            let jobs = try #require(entries.first { $0.hasPrefix("-jobs ") }).split(whereSeparator: \.isWhitespace)
                .joined(separator: " ")
            #expect(jobs == "-jobs <n> How many threads may work at once (default: the number of cores).")
        }
    }
}

@Suite("End to end: slips on the command line")
struct SlipTests {
    private let small = repository.appendingPathComponent("TestData/rules/EQGRP.ind").path

    @Test("a mistyped command is named, before its options are read", arguments: [
        (["expalin", "TestData/rules/EQGRP.ind", "--row", "1"], "expalin", "soalloc explain", "soalloc"),
        (["rule"], "rule", "soalloc rules", "soalloc"),
        (["anonymize", "TestData/rules/EQGRP.ind", "--out", "x.ind"], "anonymize", "soalloc anonymise", "soalloc"),
        (["compre", "a.ind", "b.ind"], "compre", "soalloc compare", "soalloc"),
        (["method", "shwo"], "shwo", "soalloc method show", "soalloc method"),
    ])
    func mistypedCommand(arguments: [String], word: String, meant: String, help: String) throws {
        let outcome = try soalloc(arguments, in: repository)
        #expect(outcome.status == 64)
        let what = help == "soalloc" ? "is neither a file nor a command" : "is not a command of `\(help)`"
        #expect(outcome.standardError == "soalloc: error: `\(word)` \(what): did you mean `\(meant)`? (see \(help) --help)\n")
        #expect(outcome.standardOutput.isEmpty)
    }

    @Test("a file named as a mistyped command is read as a file")
    func fileNamedAsCommand() throws {
        let scratch = Scratch()
        try FileManager.default.copyItem(atPath: small, toPath: scratch.url.appendingPathComponent("rule").path)
        let outcome = try soalloc(["rule", "--out", "out", "--quiet"], in: scratch.url)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("out/derived.csv").path))
    }

    @Test("a word far from every command is still a file that cannot be opened")
    func farWord() throws {
        let outcome = try soalloc(["no-such-file.ind"])
        #expect(outcome.status == 66)
        #expect(!outcome.standardError.contains("did you mean"))
    }

    @Test("every long option given with one dash is told to take two", arguments: commands)
    func singleDash(command: String) throws {
        let options = longOptions(inHelp: try soalloc([command, "--help"]).standardOutput)
        #expect(options.contains("help") && options.count >= 4, "\(options)")
        for option in options {
            let arguments = command == "run" ? [small, "-\(option)"] : [command, small, "-\(option)"]
            let outcome = try soalloc(arguments)
            #expect(outcome.status == 64, "\(arguments)")
            let help = command == "run" ? "soalloc" : "soalloc \(command)"
            #expect(
                outcome.standardError == "soalloc: error: options take two dashes: --\(option) (see \(help) --help)\n",
                "\(arguments)")
        }
    }

    @Test("one dash before the file, or with a value after =, is the same slip")
    func singleDashElsewhere() throws {
        for arguments in [["-out", "x", small], [small, "-out=x"]] {
            let outcome = try soalloc(arguments)
            #expect(outcome.status == 64)
            #expect(outcome.standardError == "soalloc: error: options take two dashes: --out (see soalloc --help)\n")
        }
    }
}
