import Testing

@testable import SOAllocCore

@Suite("Slips on the command line")
struct CommandLineSlipsTests {
    /// A command line shaped as soalloc's: a default subcommand that takes
    /// files, others with their own options, and one with subcommands only.
    let tree = CommandTree(
        name: "tool", longOptions: ["help", "version"],
        subcommands: [
            CommandTree(name: "run", longOptions: ["out", "jobs", "help"]),
            CommandTree(name: "explain", longOptions: ["row", "learner", "help"]),
            CommandTree(name: "rules", longOptions: ["help"]),
            CommandTree(name: "anonymise", longOptions: ["out", "key-file"]),
            CommandTree(name: "method", subcommands: [CommandTree(name: "show")]),
            CommandTree(name: "help", longOptions: ["help"], singleDashOptions: ["help"]),
        ],
        defaultSubcommand: "run")

    func slip(_ arguments: [String], paths: Set<String> = []) -> String? {
        CommandLineSlips.slip(in: arguments, of: tree) { paths.contains($0) }
    }

    @Test(
        "edits: insertions, deletions, substitutions and a swap of neighbours count one each",
        arguments: [
            ("explain", "explain", 0), ("expalin", "explain", 1), ("rule", "rules", 1), ("anonymize", "anonymise", 1),
            ("compre", "compare", 1), ("epxlian", "explain", 2), ("", "run", 3), ("abc", "", 3), ("ca", "abc", 3),
            ("kitten", "sitting", 3),
        ])
    func edits(a: String, b: String, expected: Int) {
        #expect(CommandLineSlips.edits(a, b) == expected)
        #expect(CommandLineSlips.edits(b, a) == expected)
    }

    @Test("a word within two edits of a subcommand, and no file, is taken for it")
    func mistypedSubcommand() {
        #expect(slip(["expalin", "a.ind", "--row", "1"]) == "`expalin` is neither a file nor a command: did you mean `tool explain`?")
        #expect(slip(["rule"]) == "`rule` is neither a file nor a command: did you mean `tool rules`?")
        #expect(slip(["anonymize", "a.ind"]) == "`anonymize` is neither a file nor a command: did you mean `tool anonymise`?")
        #expect(slip(["EXPLAIN"])?.hasSuffix("did you mean `tool explain`?") == true)
        #expect(slip(["method", "shwo"]) == "`shwo` is not a command of `tool method`: did you mean `tool method show`?")
    }

    @Test("an existing file, a word three edits away, and a word of one letter are files")
    func files() {
        #expect(slip(["rule"], paths: ["rule"]) == nil)
        #expect(slip(["rxlxz"]) == nil)
        #expect(slip(["SO14_F10000001.ind"]) == nil)
        #expect(slip(["r"]) == nil)
        #expect(slip(["explain", "rule"]) == nil)
        #expect(slip(["rules"]) == nil)
    }

    @Test("the nearest subcommand wins, the first on a tie")
    func nearest() {
        #expect(CommandLineSlips.nearest("rus", among: ["run", "rules"]) == "run")
        #expect(CommandLineSlips.nearest("rulx", among: ["rules", "run"]) == "rules")
        #expect(CommandLineSlips.nearest("ab", among: ["ax", "xb"]) == "ax")
        #expect(CommandLineSlips.nearest("zzzz", among: ["run", "rules"]) == nil)
    }

    @Test("a long option with one dash, of the command in use, is told to take two")
    func singleDash() {
        #expect(slip(["a.ind", "-out", "x"]) == "options take two dashes: --out")
        #expect(slip(["-jobs=2", "a.ind"]) == "options take two dashes: --jobs")
        #expect(slip(["-version"]) == "options take two dashes: --version")
        #expect(slip(["explain", "a.ind", "-row", "1"]) == "options take two dashes: --row")
        #expect(slip(["anonymise", "a.ind", "-key-file", "k"]) == "options take two dashes: --key-file")
    }

    @Test("what is not a long option of the command in use is left to the parser")
    func notSingleDash() {
        #expect(slip(["explain", "a.ind", "-out", "x"]) == nil)
        #expect(slip(["a.ind", "-o", "x"]) == nil)
        #expect(slip(["a.ind", "--out", "x"]) == nil)
        #expect(slip(["a.ind", "--jobs", "-1"]) == nil)
        #expect(slip(["a.ind", "--", "-out"]) == nil)
        #expect(slip(["help", "-help"]) == nil)
        #expect(slip(["a.ind", "-outx"]) == nil)
    }
}
