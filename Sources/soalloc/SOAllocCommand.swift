import ArgumentParser
import Foundation
import SOAllocCore

@main
struct SOAllocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soalloc",
        abstract: "Re-derive HEFCE's 2016-17 targeted allocation fields from an individualised file.",
        discussion: """
            Reads SO14_F<UKPRN>.ind, re-derives every field of the technical document, \
            reports where HEFCE's values differ, and writes the results to an output directory.
            Exit status: 0 done; 1 --strict and differences or findings; 64 usage; 65 data error; \
            66 no input; 73 cannot create output; 74 cannot write output.
            """,
        version: SOAlloc.version,
        subcommands: [RunCommand.self, MethodCommand.self, RulesCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Derive, compare and write the outputs for one individualised file (the default)."
    )

    @Argument(help: "The individualised file, SO14_F<UKPRN>.ind.")
    var file: String

    @Option(name: .shortAndLong, help: "Output directory (default: ./soalloc-out/<file name without extension>/).")
    var out: String?

    @Flag(help: "Exit with status 1 when any value differs from HEFCE's or any data-quality finding is made.")
    var strict = false

    @Option(help: "A method file (YAML) of rates and weights replacing the default; see `soalloc method show`.")
    var method: String?

    @Option(help: "A CSV of the learners' qualifications on entry, for SOTARIFF, SOGRADECOMB and SOENTQUAL.")
    var quals: String?

    @Option(help: "A CSV of postcodes' quintiles (POSTCODE,POLAR3,ATTAINMENT), for WAQUIN.")
    var postcodes: String?

    func run() throws {
        let options = RunOptions(
            input: file, output: out ?? RunOptions.defaultOutput(for: file), strict: strict, method: method,
            quals: quals, postcodes: postcodes)
        do {
            let report = try Run.execute(options)
            print(Summary.text(report), terminator: "")
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        } catch let failure as Failure {
            FileHandle.standardError.write(Data((failure.description + "\n").utf8))
            throw ExitCode(failure.exitCode)
        }
    }
}

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Print every derivation rule, as declared in the code, in Markdown."
    )

    func run() {
        print(RuleReference.markdown(), terminator: "")
    }
}

struct MethodCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "method",
        abstract: "Work with method files: the rates and weights that turn cells into money.",
        subcommands: [Show.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the default method file, to save, edit and pass back with --method."
        )

        func run() {
            print(Method.standard().text, terminator: "")
        }
    }
}
