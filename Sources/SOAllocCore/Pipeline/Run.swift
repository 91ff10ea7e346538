import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    public init(
        input: String, output: String, strict: Bool = false, method: String? = nil, quals: String? = nil,
        postcodes: String? = nil
    ) {
        self.input = input
        self.output = output
        self.strict = strict
        self.method = method
        self.quals = quals
        self.postcodes = postcodes
    }

    /// `./soalloc-out/<file name without extension>/`.
    public static func defaultOutput(for input: String) -> String {
        let name = input.split(separator: "/").last.map(String.init) ?? input
        let stem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
        return "soalloc-out/\(stem.isEmpty ? name : stem)"
    }

    /// Every option by its command-line name, for `run.json`.
    var recorded: [String: String] {
        [
            "out": output, "strict": String(strict), "method": method ?? "default", "quals": quals ?? "none",
            "postcodes": postcodes ?? "none",
        ]
    }
}

/// What a completed run found.
public struct RunReport: Sendable {
    public var options: RunOptions
    public var tally: Tally
    public var cells: CellTable
    public var method: Method
    public var allocations: Allocations
    /// The output files, in the order they are listed.
    public var outputs: [String]

    /// The exit status: 0, or 1 in strict mode when a value differs from
    /// HEFCE's or a finding of severity `error` is made.
    public var exitCode: Int32 {
        options.strict && (tally.totalDifferences > 0 || tally.errorFindings > 0) ? 1 : 0
    }
}

/// Streams one individualised file through the derivations into the output files.
public enum Run {
    /// Every file a run writes, in the order the summary lists them.
    public static let outputNames =
        RecordOutputs.names + AllocationTables.names + ["method-used.yaml", "run.json"]

    /// Runs the whole job. Throws `Failure`; on any failure no output is left.
    public static func execute(_ options: RunOptions) throws -> RunReport {
        let method = try loadMethod(options.method)
        let sideFiles = try SideFiles(options, method: method)
        let descriptor = open(options.input, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw Failure.noInput("\(options.input): cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            throw Failure.noInput("\(options.input): cannot read: it is a directory")
        }
        let timestamp = Provenance.now()

        let directory = try OutputDirectory(options.output, names: outputNames)
        directory.removeOnInterrupt()
        do {
            var hasher = SHA256()
            var size = 0
            var pipeline = try process(descriptor: descriptor, file: options.input, sideFiles: sideFiles, into: directory) {
                chunk in
                hasher.update(bufferPointer: chunk)
                size += chunk.count
            }
            try pipeline.reportSideFileFindings()
            let allocations = Allocations(cells: pipeline.cells, method: method)
            var outputs = try pipeline.outputs.finish()
            outputs += try AllocationTables.write(pipeline.cells, method, allocations, into: directory)
            outputs.append(try write(method.text, to: "method-used.yaml", in: directory))
            let provenance = Provenance(
                soalloc: SOAlloc.version, timestamp: timestamp,
                input: .init(
                    name: String(options.input.split(separator: "/").last ?? ""), path: options.input, size: size,
                    sha256: hasher.finalize().hexadecimal),
                records: pipeline.tally.records,
                method: .init(name: method.name, origin: method.origin, sha256: method.sha256),
                options: options.recorded, outputs: outputs)
            try write(try provenance.json(), to: "run.json", in: directory)
            try directory.commit()
            return RunReport(
                options: options, tally: pipeline.tally, cells: pipeline.cells, method: method,
                allocations: allocations, outputs: directory.names.map { "\(directory.finalPath)/\($0)" })
        } catch {
            directory.discard()
            throw error
        }
    }

    /// The method file the user named, or the default.
    static func loadMethod(_ path: String?) throws -> Method {
        guard let path else { return .standard() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure.noInput("\(path): cannot read the method file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure.data(DataError(Location(file: path), "the method file is not UTF-8 text"))
        }
        return try Method(yaml: text, origin: path)
    }

    @discardableResult
    private static func write(_ text: String, to name: String, in directory: OutputDirectory) throws -> OutputFile {
        let output = try CSVOutput(path: directory.path(of: name))
        try output.text(text)
        return try output.finish()
    }

    /// Reads, derives, compares and writes every record.
    static func process(
        descriptor: Int32, file: String, sideFiles: SideFiles, into directory: OutputDirectory,
        observe: @escaping (UnsafeRawBufferPointer) -> Void
    ) throws -> RecordPipeline {
        var pipeline: RecordPipeline?
        do {
            try CSVReader(descriptor: descriptor, observe: observe).forEachRecord(concurrently: true) { record in
                if pipeline == nil {
                    let layout = try Layout.detect(from: record, file: file)
                    pipeline = try RecordPipeline(file: file, layout: layout, sideFiles: sideFiles, directory: directory)
                    if layout.hasHeader { return }
                }
                try pipeline!.consume(record)
            }
        } catch let error as CSVSyntaxError {
            let names = pipeline?.layout.fieldNames ?? []
            throw Failure.data(
                DataError(
                    Location(
                        file: file, line: error.line, record: pipeline.map { $0.tally.records + 1 },
                        field: error.field, fieldName: error.field <= names.count ? names[error.field - 1] : nil),
                    error.message))
        } catch let error as DataError {
            throw Failure.data(error)
        } catch let error as ReadError {
            throw Failure.noInput("\(file): cannot read: \(error.message)")
        }

        guard let pipeline else { throw Failure.data(DataError(Location(file: file, line: 1), "the file is empty")) }
        if pipeline.tally.records == 0 {
            throw Failure.data(DataError(Location(file: file, line: 2), "the file has a header row but no records"))
        }
        return pipeline
    }
}

/// The side files of a run, read before the individualised file.
struct SideFiles {
    var quals: QualsFile?
    var postcodes: PostcodeLookup?
    var tariff: TariffTable

    init(quals: QualsFile? = nil, postcodes: PostcodeLookup? = nil, tariff: TariffTable = TariffTable(points: [:])) {
        self.quals = quals
        self.postcodes = postcodes
        self.tariff = tariff
    }

    init(_ options: RunOptions, method: Method) throws {
        tariff = method.tariff ?? TariffTable(points: [:])
        if let path = options.quals {
            guard method.tariff != nil else {
                throw Failure.usage("\(method.origin): tariff: missing, and --quals needs it to score qualifications")
            }
            quals = try QualsFile(path: path, table: tariff)
        }
        postcodes = try options.postcodes.map { try PostcodeLookup(path: $0) }
    }
}

/// Turns a raw record into its facts: reads its fields, adds its linked
/// data, and derives every field. The same steps serve the run and the tests.
struct RecordDeriver {
    let loader: RecordLoader
    var linked: LinkedData
    let derivation = Derivation.standard

    init(layout: Layout, sideFiles: SideFiles) {
        loader = RecordLoader(layout: layout)
        linked = LinkedData(
            quals: sideFiles.quals, postcodes: sideFiles.postcodes, table: sideFiles.tariff, layout: layout)
    }

    @inline(__always)
    mutating func derive(_ record: RawRecord, into facts: inout Facts) {
        load(record, into: &facts)
        derivation.derive(&facts)
    }

    /// Reads the record's fields and linked data, without deriving.
    @inline(__always)
    mutating func load(_ record: RawRecord, into facts: inout Facts) {
        loader.load(record, into: &facts)
        linked.apply(record, to: &facts)
    }
}

/// Everything that handles the data records of one file, once its layout is known.
struct RecordPipeline {
    let file: String
    let layout: Layout
    var deriver: RecordDeriver
    let comparison: Comparison
    var outputs: RecordOutputs
    var facts = Facts()
    var tally = Tally()
    var cells = CellTable()
    var findings: Findings

    init(file: String, layout: Layout, sideFiles: SideFiles, directory: OutputDirectory) throws {
        self.file = file
        self.layout = layout
        findings = Findings(layout: layout)
        deriver = RecordDeriver(layout: layout, sideFiles: sideFiles)
        comparison = Comparison(layout: layout)
        outputs = try RecordOutputs(directory: directory, layout: layout, derivation: deriver.derivation)
        for (index, slot) in Slot.derived.enumerated() { tally.compared[index] = comparison.compares(slot) }
    }

    /// Writes the findings about the side files' own rows, after the records':
    /// unusable qualifications, and learners no record matched.
    mutating func reportSideFileFindings() throws {
        guard let quals = deriver.linked.quals else { return }
        var findings = quals.findings
        for index in deriver.linked.unmatchedLearners {
            let first = quals.learners.values[index][0]
            findings.append(
                SideFileFinding(
                    file: quals.path, line: first.line, ukprn: first.ukprn.map(String.init) ?? "",
                    learner: quals.learners.key(at: index), check: .qualsLearnerNotInFile, field: "LEARNREFNUMBER",
                    value: quals.learners.key(at: index)))
        }
        for finding in findings.sorted(by: { $0.line < $1.line }) {
            tally.findings[finding.check.index] += 1
            try outputs.writeSideFileFinding(finding)
        }
    }

    /// Derives one data record and writes its rows to every output.
    @inline(__always)
    mutating func consume(_ record: RawRecord) throws {
        let row = tally.records + 1
        guard record.count == layout.fieldCount else {
            throw layout.fieldCountError(record, number: row, file: file)
        }
        deriver.derive(record, into: &facts)
        tally.records += 1
        cells.count(facts)
        try outputs.writeDerived(record, facts)
        try outputs.writeExclusions(row: row, record, facts)
        try comparison.compare(record, facts) { slot, index, fileValue in
            tally.differences[index] += 1
            try outputs.writeDifference(row: row, record, field: slot, fileValue: fileValue, facts)
        }
        try findings.report(record, row: row, facts) { check, field, detail in
            tally.findings[check.index] += 1
            let (name, position): (String, Int?) =
                switch field {
                case .column(let column): (column.name, layout.position(of: column))
                case .position(let position): (layout.fieldNames[position], position)
                }
            let value = position.map { record[$0] } ?? UnsafeBufferPointer(start: nil, count: 0)
            try outputs.writeFinding(row: row, record, check: check, field: name, value: value, detail: detail)
        }
    }
}
