import ArgumentParser
import Foundation
import SOAllocCore

@main
struct SOAllocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soalloc",
        abstract: "Re-derive HEFCE's 2016-17 targeted allocation fields from an individualised file.",
        usage: """
            soalloc <file> ... [<options>]
            soalloc compare <old> <new> [<options>]
            soalloc explain <file> --row <number> [<options>]
            soalloc anonymise <file> --out <file> [<options>]
            soalloc method show
            soalloc rules
            """,
        discussion: """
            Reads SO14_F<UKPRN>.ind, re-derives every field of the technical document, \
            reports where HEFCE's values differ, and writes the results to an output directory.
            Exit status: 0 done; 1 --strict and differences or findings; 64 usage; 65 data error; \
            66 no input; 73 cannot create output; 74 cannot write output.
            """,
        version: SOAlloc.version,
        subcommands: [
            RunCommand.self, CompareCommand.self, ExplainCommand.self, AnonymiseCommand.self, MethodCommand.self, RulesCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// Parses the command line and runs the command. A usage error is one
    /// line on standard error and exit status 64, not the usage block that
    /// `--help` prints; `--help` and `--version` print in full.
    static func main() {
        if let slip = slip(in: Array(CommandLine.arguments.dropFirst())) { usageError(slip) }
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            guard exitCode(for: error) == .validationFailure else { printHelp(for: error) }
            let lines = message(for: error).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            var line = lines.first { !$0.isEmpty } ?? "the command line is not valid"
            if line.hasPrefix("Error: ") { line.removeFirst("Error: ".count) }
            usageError(line)
        }
        do {
            var command = command
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            guard exitCode(for: error) != .success else { printHelp(for: error) }
            printLine("soalloc: error: \(error)")
            Foundation.exit(exitCode(for: error).rawValue)
        }
        Foundation.exit(0)
    }

    /// Prints a usage error as one line, with where to find help, and exits 64.
    private static func usageError(_ line: String) -> Never {
        printLine("soalloc: error: \(line) (see \(helpCommand) --help)")
        Foundation.exit(ExitCode.validationFailure.rawValue)
    }

    /// Prints what `--help` or `--version` asked for on standard output,
    /// checked as the summary is (74 when it cannot be written), and exits.
    /// The help of `soalloc` itself ends with examples.
    private static func printHelp(for error: Error) -> Never {
        let code = exitCode(for: error)
        guard code == .success else { exit(withError: error) }
        var text = fullMessage(for: error)
        if text == helpMessage(for: SOAllocCommand.self) { text += "\n\n" + examples }
        do {
            try writeStandardOutput(text + "\n", lost: "the help")
        } catch let failure as Failure {
            printError(failure)
            Foundation.exit(failure.exitCode)
        } catch {}
        Foundation.exit(code.rawValue)
    }

    /// The examples that end `soalloc --help`: each works as written from the
    /// repository's root, given the files it names (a test runs each one).
    static let examples = """
        EXAMPLES:
          soalloc TestData/SO14_F10000001.ind
                                  Run the sample; the outputs go to
                                  ./soalloc-out/SO14_F10000001/.
          soalloc SO14_F10001234.ind --method my-method.yaml
                                  Use your own rates and weights (start from
                                  soalloc method show > my-method.yaml).
          soalloc explain SO14_F10001234.ind --row 17
                                  Why record 17 got each of its values.
          soalloc compare R13.ind R14.ind
                                  What changed between two returns, record by
                                  record, and what it is worth.
          soalloc anonymise SO14_F10001234.ind --out shareable.ind
                                  A copy without personal data, with the same
                                  outcomes.
        """

    /// `soalloc`, or `soalloc <subcommand>` when the command line names one.
    private static var helpCommand: String {
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        let arguments = CommandLine.arguments.dropFirst()
        return arguments.first.flatMap { names.contains($0) ? "soalloc \($0)" : nil } ?? "soalloc"
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Derive, compare and write the outputs for individualised files (the default command).",
        usage: "soalloc [run] <file> ... [<options>]",
        discussion: """
            With one file, the outputs go to --out (default ./soalloc-out/<file name without extension>/). \
            With several, each provider's go to --out/<UKPRN>/ and the sector's totals to --out/sector/ \
            (default --out: ./soalloc-out/providers/).
            """
    )

    @Argument(help: ArgumentHelp("The individualised files, SO14_F<UKPRN>.ind.", valueName: "file"))
    var files: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Output directory.", valueName: "folder"))
    var out: String?

    @Flag(help: "Exit with status 1 when any value differs from HEFCE's or a finding of severity error is made.")
    var strict = false

    @Option(help: jobsHelp)
    var jobs: Int?

    @Flag(help: "Read files with the same UKPRN as one provider (otherwise that is a usage error).")
    var merge = false

    @Flag(help: "Show no progress, even on a terminal.")
    var quiet = false

    @Flag(inversion: .prefixedNo, help: "Write summary.xlsx, the workbook with live formulas.")
    var xlsx = true

    @Flag(inversion: .prefixedNo, help: "Write report.html, the report that prints on two A4 pages.")
    var html = true

    @Option(
        help: ArgumentHelp(
            "Set an element's rate over the method's, for a quick what-if: --rate retention=321.09 (repeatable).",
            valueName: "element=pounds"))
    var rate: [String] = []

    @Option(
        help: ArgumentHelp(
            "Write only these outputs, comma-separated: derived, differences, cells, summary, workbook, report… (default: all).",
            valueName: "list"))
    var outputs: String?

    @Option(
        help: ArgumentHelp(
            "The files' field delimiter (default: found from the header row).", valueName: "separator"))
    var delimiter: Delimiter?

    @Option(
        help: ArgumentHelp(
            "The files' text encoding (default: found from the bytes).", valueName: "charset"))
    var encoding: EncodingChoice?

    @OptionGroup var sideFiles: SideFileOptions

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one individualised file") }
        try validateJobs(jobs)
    }

    func run() throws {
        let jobs = jobs ?? defaultJobs
        let single = files.count == 1 && !merge
        var options = RunOptions(
            input: files.joined(separator: " "),
            output: out ?? (single ? RunOptions.defaultOutput(for: files[0]) : RunOptions.defaultManyOutput), strict: strict,
            method: sideFiles.method, quals: sideFiles.quals, postcodes: sideFiles.postcodes, xlsx: xlsx, html: html, jobs: jobs)
        options.rates = rate
        if let outputs { try reportingFailures { try options.choose(outputs) } }
        options.reading = InputReading(encoding: encoding, delimiter: delimiter)
        let progress = !quiet && isatty(2) != 0 ? RunProgress { FileHandle.standardError.write(Data($0.utf8)) } : nil
        try reportingFailures {
            if single {
                var one = options
                one.input = files[0]
                let report = try Run.execute(one, concurrently: jobs >= 2, progress: progress)
                printNotices(report.inputs)
                try writeStandardOutput(Summary.text(report), lost: "the summary (the outputs are written)")
                if report.failsStrictCheck { throw ExitCode(1) }
            } else {
                let report = try MultiRun.execute(options, inputs: files, jobs: jobs, merge: merge, progress: progress)
                printNotices(report.providers.compactMap(\.report).flatMap(\.inputs))
                for failure in report.providers.compactMap(\.failure) { printError(failure) }
                try writeStandardOutput(Summary.text(report), lost: "the summary (the outputs are written)")
                if let status = exitStatus(report) { throw ExitCode(status) }
            }
        }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "What changed between two runs, record by record, and what it is worth.",
        discussion: """
            OLD and NEW are each an individualised file, run first with the run options, or the output folder of an \
            earlier run. Outputs go to --out (default ./soalloc-out/compare-<old>-<new>/). With --strict the exit \
            status is 1 when a record, a cell or a pound changed.
            """
    )

    @Argument(help: "The earlier side: an individualised file or an output folder.")
    var old: String

    @Argument(help: "The later side: an individualised file or an output folder.")
    var new: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Output directory.", valueName: "folder"))
    var out: String?

    @Flag(help: "Exit with status 1 when anything changed: a record, a cell or a pound.")
    var strict = false

    @Option(
        name: .customLong("method-old"),
        help: ArgumentHelp("The method file for OLD (a file), over --method.", valueName: "method.yaml"))
    var methodOld: String?

    @Option(
        name: .customLong("method-new"),
        help: ArgumentHelp("The method file for NEW (a file), over --method.", valueName: "method.yaml"))
    var methodNew: String?

    @Option(
        help: ArgumentHelp(
            "Set an element's rate over the method's for both sides: --rate retention=321.09 (repeatable).",
            valueName: "element=pounds"))
    var rate: [String] = []

    @Option(help: jobsHelp)
    var jobs: Int?

    @Flag(inversion: .prefixedNo, help: "Write summary.xlsx, the workbook with a \"What changed\" sheet.")
    var xlsx = true

    @Flag(inversion: .prefixedNo, help: "Write report.html, the page of what changed.")
    var html = true

    @OptionGroup var sideFiles: SideFileOptions

    func validate() throws {
        try validateJobs(jobs)
    }

    func run() throws {
        var options = CompareOptions(old: old, new: new, output: out)
        options.xlsx = xlsx
        options.html = html
        options.strict = strict
        options.method = sideFiles.method
        options.methodOld = methodOld
        options.methodNew = methodNew
        options.quals = sideFiles.quals
        options.postcodes = sideFiles.postcodes
        options.rates = rate
        options.jobs = jobs ?? defaultJobs
        try reportingFailures {
            let report = try Compare.execute(options)
            try writeStandardOutput(CompareSummary.text(report), lost: "the summary (the outputs are written)")
            if report.failsStrictCheck { throw ExitCode(1) }
        }
    }
}

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Print every derivation rule, as declared in the code, in Markdown."
    )

    func run() throws {
        try reportingFailures { try writeStandardOutput(RuleReference.markdown(), lost: "the rules") }
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

        func run() throws {
            try reportingFailures { try writeStandardOutput(Method.standard().text, lost: "the method file") }
        }
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain every derived field of some records: the clause that gave each value, and why.",
        usage: """
            soalloc explain <file> --row <number> [<options>]
            soalloc explain <file> --learner <learnrefnumber> [--aim <aimseqnumber>] [<options>]
            """,
        discussion: "Give --learner (with --aim to pick one aim) or --row."
    )

    @Argument(help: ArgumentHelp("The individualised file, SO14_F<UKPRN>.ind.", valueName: "file"))
    var file: String

    @Option(
        help: ArgumentHelp(
            "Explain every record of the learner with this LEARNREFNUMBER (letters in any case).",
            valueName: "learnrefnumber"))
    var learner: String?

    @Option(help: ArgumentHelp("With --learner: only the record with this AIMSEQNUMBER.", valueName: "aimseqnumber"))
    var aim: String?

    @Option(
        help: ArgumentHelp("Explain the data record with this 1-based number (as ROW in the outputs).", valueName: "number"))
    var row: Int?

    @Option(
        help: ArgumentHelp(
            "Show only this derived field (repeat for more), for example --field WAPOP.", valueName: "derived-field"))
    var field: [String] = []

    @Flag(help: "Print JSON for programs instead of text.")
    var json = false

    @OptionGroup var sideFiles: SideFileOptions

    func validate() throws {
        guard (learner == nil) != (row == nil) else {
            throw ValidationError("give either --learner REF (optionally with --aim SEQ) or --row N")
        }
        if aim != nil && learner == nil { throw ValidationError("--aim needs --learner") }
        if let row, row < 1 { throw ValidationError("--row counts from 1") }
    }

    func run() throws {
        let selection: RecordSelection = row.map { .row($0) } ?? .learner(learner!, aim: aim)
        try reportingFailures {
            let records = try ExplainRun.explain(
                .init(
                    input: file, selection: selection, method: sideFiles.method, quals: sideFiles.quals,
                    postcodes: sideFiles.postcodes, fields: try field.map(ExplainRun.field(named:))))
            try writeStandardOutput(
                json ? try ExplanationJSON.render(records) : ExplanationText.render(records, file: file),
                lost: "the explanation")
        }
    }
}

struct AnonymiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anonymise",
        abstract: "Write a copy of an individualised file without personal data, with every outcome unchanged.",
        discussion: """
            LEARNREFNUMBER, ULN, NUMHUS and STUBID become keyed pseudonyms, POSTCODEPRIOR is emptied, and \
            DATEOFBIRTH moves to another date with the same ages. The copy is then derived and compared with \
            the original: if any derived field, cell or allocation differs, nothing is written and the exit \
            status is 1. --quals and --postcodes files are pseudonymised with the same key, into \
            OUT.quals.csv and OUT.postcodes.csv beside OUT.ind.
            """
    )

    @Argument(help: ArgumentHelp("The individualised file, SO14_F<UKPRN>.ind.", valueName: "file"))
    var file: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The anonymised file to write.", valueName: "file"))
    var out: String

    @Option(
        help: ArgumentHelp(
            """
            A file holding the key (64 hexadecimal digits); created with a new key when it does not exist. \
            Without it, the key is random and not kept.
            """, valueName: "file"))
    var keyFile: String?

    @OptionGroup var sideFiles: SideFileOptions

    func run() throws {
        try reportingFailures {
            let report = try Anonymise.execute(
                AnonymiseOptions(
                    input: file, output: out, keyFile: keyFile, method: sideFiles.method, quals: sideFiles.quals,
                    postcodes: sideFiles.postcodes))
            try writeStandardOutput(AnonymiseSummary.text(report), lost: "the summary (the files are written)")
            if !report.isPreserved { throw ExitCode(1) }
        }
    }
}

/// Runs `body`; a `Failure` it throws is printed on standard error as one
/// line and becomes the exit status.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let failure as Failure {
        printError(failure)
        throw ExitCode(failure.exitCode)
    }
}

extension Failure {
    /// The `sysexits.h` status of each kind of failure.
    var exitCode: Int32 {
        switch self {
        case .usage: 64  // EX_USAGE
        case .data: 65  // EX_DATAERR
        case .noInput: 66  // EX_NOINPUT
        case .cannotCreate: 73  // EX_CANTCREAT
        case .output: 74  // EX_IOERR
        }
    }
}

/// The exit status of a run of many files, when not 0: 65 when a provider's
/// file is bad (66 when one is missing), else 1 in strict mode when a
/// provider has differences or errors.
func exitStatus(_ report: MultiRunReport) -> Int32? {
    let failures = report.providers.compactMap(\.failure)
    if !failures.isEmpty {
        return failures.contains { if case .data = $0 { true } else { false } } ? 65 : failures[0].exitCode
    }
    return report.failsStrictCheck ? 1 : nil
}

/// Prints a failure's one-line message on standard error.
func printError(_ failure: Failure) {
    printLine(failure.description)
}

/// Prints `text` on standard error as one line: a control character in it
/// (a newline, an escape sequence from a file) is shown escaped.
func printLine(_ text: String) {
    FileHandle.standardError.write(Data((TerminalText.escape(text) + "\n").utf8))
}

/// Writes `text` to standard output, unbuffered; when it cannot be
/// written (a full disk, `/dev/full`), fails with 74 naming what was `lost`.
func writeStandardOutput(_ text: String, lost: String) throws {
    var text = text
    let failure: Int32? = text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(1, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return written < 0 ? errno : EIO }
            offset += written
        }
        return nil
    }
    if let failure {
        throw Failure.output("standard output: cannot write \(lost): \(String(cString: strerror(failure)))")
    }
}

/// The files besides the individualised file that a run or an explanation reads.
struct SideFileOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A method file (YAML) of rates and weights replacing the default; see `soalloc method show`.",
            valueName: "method.yaml"))
    var method: String?

    @Option(
        help: ArgumentHelp(
            "A CSV of the learners' qualifications on entry, for SOTARIFF, SOGRADECOMB and SOENTQUAL.",
            valueName: "quals.csv"))
    var quals: String?

    @Option(
        help: ArgumentHelp(
            "A CSV of postcodes' quintiles (POSTCODE,POLAR3,ATTAINMENT), for WAQUIN.", valueName: "postcodes.csv"))
    var postcodes: String?
}

/// The help of `--jobs`, whose default, the number of cores, is told once.
let jobsHelp = ArgumentHelp("How many threads may work at once (default: the number of cores).", valueName: "n")

/// The number of threads when `--jobs` is not given: the number of cores.
var defaultJobs: Int { ProcessInfo.processInfo.activeProcessorCount }

/// Checks a `--jobs` that was given.
func validateJobs(_ jobs: Int?) throws {
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
}
