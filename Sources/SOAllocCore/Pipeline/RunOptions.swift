import Foundation
import SOAllocRules

/// What one run of soalloc over one individualised file is asked to do.
public struct RunOptions: Sendable {
    /// The individualised file, as the user named it.
    public var input: String
    /// The output directory.
    public var output: String
    /// Exit 1 when the file has any difference or data-quality finding.
    public var strict: Bool
    /// A method file replacing the default, as the user named it.
    public var method: String?
    /// A file of the learners' qualifications on entry.
    public var quals: String?
    /// A file of postcodes' quintiles.
    public var postcodes: String?
    /// Write `summary.xlsx`.
    public var xlsx: Bool
    /// Write `report.html`.
    public var html: Bool
    /// How many threads may work at once (recorded in `run.json`; the
    /// outputs are the same whatever it is).
    public var jobs: Int
    /// Rates given as `ELEMENT=POUNDS` over the method's own (`--rate`).
    public var rates: [String] = []
    /// The files asked for with `--outputs`, or nil for every one. What is
    /// not asked for is not written, and not computed where that saves work.
    public private(set) var chosen: Set<String>?
    /// The encoding and the delimiter forced on the individualised files (`--encoding`, `--delimiter`).
    public var reading = InputReading.found

    public init(
        input: String, output: String, strict: Bool = false, method: String? = nil, quals: String? = nil,
        postcodes: String? = nil, xlsx: Bool = true, html: Bool = true, jobs: Int = 1
    ) {
        self.input = input
        self.output = output
        self.strict = strict
        self.method = method
        self.quals = quals
        self.postcodes = postcodes
        self.xlsx = xlsx
        self.html = html
        self.jobs = jobs
    }

    /// Every file a run writes, in the order `run.json` lists them.
    public var outputNames: [String] {
        (RecordOutputs.names + AllocationTables.names + ReconciliationTables.names).filter { chosen?.contains($0) ?? true }
            + (xlsx ? [Workbook.name] : []) + (html ? [HTMLReport.name] : []) + ["method-used.yaml", "run.json"]
    }

    /// The files written while the run works: those asked for, and those the
    /// workbook reads when it is asked for (removed before the outputs appear
    /// unless asked for too).
    var workingNames: [String] {
        outputNames + (xlsx ? Workbook.reads.filter { !outputNames.contains($0) } : [])
    }

    /// Each output `--outputs` can name: its file name without `.csv`, or
    /// `workbook` and `report`, with its file name.
    public static let choosable: [(name: String, file: String)] =
        (RecordOutputs.names + AllocationTables.names + ReconciliationTables.names).map { (String($0.dropLast(4)), $0) }
        + [("workbook", Workbook.name), ("report", HTMLReport.name)]

    /// Asks for only the outputs a comma-separated `list` names (`--outputs`);
    /// `all` asks for every one. The workbook and the report are written when
    /// named and the other options allow them.
    public mutating func choose(_ list: String) throws {
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if names == ["all"] {
            chosen = nil
            return
        }
        var files = Set<String>()
        for name in names {
            guard let file = Self.choosable.first(where: { $0.name == name || $0.file == name })?.file else {
                throw Failure.usage(
                    "--outputs: \(name.isEmpty ? "an empty name" : "\"\(name)\"") is not an output; the outputs are all, "
                        + Self.choosable.map(\.name).joined(separator: ", "))
            }
            files.insert(file)
        }
        chosen = files
        xlsx = xlsx && files.contains(Workbook.name)
        html = html && files.contains(HTMLReport.name)
    }

    /// The method the run applies: the method file, or the default, with the `--rate`s over it.
    func loadMethod() throws -> Method {
        try Method.load(method).applying(rates: rates)
    }

    /// The side files given: the method, qualifications and postcodes files.
    var sideInputs: [String] { [method, quals, postcodes].compactMap { $0 } }

    /// Every name of a file a run writes under any option.
    static var everyOutputName: [String] { RunOptions(input: "", output: "", xlsx: true, html: true).outputNames }

    /// With many files: `./soalloc-out/providers/`, apart from the folders of single runs.
    public static let defaultManyOutput = "soalloc-out/providers"

    /// `./soalloc-out/<file name without extension>/`.
    public static func defaultOutput(for input: String) -> String {
        let name = input.split(separator: "/").last.map(String.init) ?? input
        let stem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
        return "soalloc-out/\(stem.isEmpty ? name : stem)"
    }

    /// Every option by its command-line name, for `run.json`; `encoding`
    /// and `delimiter` when they are given (each input's own are in `inputs`).
    var recorded: [String: String] {
        var options = [
            "out": output, "strict": String(strict), "method": method ?? "default", "quals": quals ?? "none",
            "postcodes": postcodes ?? "none", "xlsx": String(xlsx), "html": String(html), "jobs": String(jobs),
            "rate": rates.isEmpty ? "none" : rates.joined(separator: " "),
            "outputs": chosen.map { chosen in Self.choosable.filter { chosen.contains($0.file) }.map(\.name).joined(separator: ",") }
                ?? "all",
        ]
        if let encoding = reading.encoding { options["encoding"] = encoding.rawValue }
        if let delimiter = reading.delimiter { options["delimiter"] = delimiter.rawValue }
        return options
    }
}

/// What a completed run found.
public struct RunReport: Sendable {
    public var options: RunOptions
    public var tally: Tally
    public var cells: CellTable
    public var method: Method
    public var allocations: Allocations
    /// HEFCE's side: its cells and money from the file's own columns, and the differences' patterns.
    var hefce: HEFCESide
    /// The output files, in the order they are listed.
    public var outputs: [String]
    /// The provider the records are for: their UKPRN, or nil when they have
    /// more than one.
    public var provider: String?
    /// The files read, with their sizes and SHA-256.
    public var inputs: [Provenance.Input] = []

    /// The report with its outputs' full paths in `folder`.
    func placed(in folder: String) -> RunReport {
        var report = self
        report.outputs = outputs.map { "\(folder)/\($0)" }
        return report
    }

    /// Whether strict mode fails the run: a value differs from HEFCE's, a
    /// finding of severity `error` is made, or the method earns a warning.
    public var failsStrictCheck: Bool {
        options.strict && (tally.totalDifferences > 0 || tally.errorFindings > 0 || !method.warnings.isEmpty)
    }
}
