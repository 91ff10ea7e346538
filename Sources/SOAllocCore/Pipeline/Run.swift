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
    /// Write `summary.xlsx`.
    public var xlsx: Bool
    /// Write `report.html`.
    public var html: Bool
    /// How many threads may work at once (recorded in `run.json`; the
    /// outputs are the same whatever it is).
    public var jobs: Int

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
        RecordOutputs.names + AllocationTables.names + (xlsx ? [Workbook.name] : []) + (html ? [HTMLReport.name] : [])
            + ["method-used.yaml", "run.json"]
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

    /// Every option by its command-line name, for `run.json`.
    var recorded: [String: String] {
        [
            "out": output, "strict": String(strict), "method": method ?? "default", "quals": quals ?? "none",
            "postcodes": postcodes ?? "none", "xlsx": String(xlsx), "html": String(html), "jobs": String(jobs),
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

    /// The exit status: 0, or 1 in strict mode when a value differs from
    /// HEFCE's or a finding of severity `error` is made.
    public var exitCode: Int32 {
        options.strict && (tally.totalDifferences > 0 || tally.errorFindings > 0) ? 1 : 0
    }
}

/// Streams one individualised file through the derivations into the output files.
public enum Run {
    /// Runs the whole job for one file. Throws `Failure`; on any failure no
    /// output is left. With `concurrently`, the file is read on a second thread.
    public static func execute(_ options: RunOptions, concurrently: Bool = true, progress: RunProgress? = nil) throws
        -> RunReport
    {
        let method = try loadMethod(options.method)
        let sideFiles = try SideFiles(options, method: method)
        try checkReadable([options.input])
        let directory = try OutputDirectory(options.output, names: options.outputNames, inputs: [options.input] + options.sideInputs)
        do {
            progress?.start(files: [options.input])
            let report = try produce(
                inputs: [options.input], options: options, method: method, sideFiles: sideFiles, into: directory,
                concurrently: concurrently, progress: progress)
            try directory.commit()
            progress?.finish()
            return report.placed(in: directory.finalPath)
        } catch {
            progress?.finish()
            directory.discard()
            throw directory.naming(error)
        }
    }

    /// Fails with "no input" unless every file can be opened and is not a directory.
    static func checkReadable(_ inputs: [String]) throws {
        for input in inputs {
            let descriptor = try openForReading(input)
            defer { close(descriptor) }
            var status = stat()
            if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
                throw Failure.noInput("\(input): cannot read: it is a directory")
            }
        }
    }

    /// Reads `inputs` in order as one provider's records, and writes every
    /// output into `place`: the records' files, the tables, the method used
    /// and `run.json`.
    static func produce(
        inputs: [String], options: RunOptions, method: Method, sideFiles: SideFiles, into place: some OutputPlace,
        concurrently: Bool, progress: RunProgress?
    ) throws -> RunReport {
        let timestamp = Provenance.now()
        var pipeline: RecordPipeline?
        let stage = RecordStage(sideFiles: sideFiles)
        var read: [Provenance.Input] = []
        var sources: [InputSource] = []
        for input in inputs {
            var hasher = SHA256()
            var size = 0
            let source = try InputSource(input)
            let observe: (UnsafeRawBufferPointer) -> Void = { chunk in
                hasher.update(bufferPointer: chunk)
                size += chunk.count
                source.keep(chunk)
                progress?.read(chunk.count)
            }
            try RecordStream.reading(input, observe: observe) { stream in
                stage.start()
                try stream.forEach(
                    concurrently: concurrently, prepare: stage.prepare,
                    layout: { layout, _ in
                        if pipeline == nil {
                            pipeline = try RecordPipeline(file: input, layout: layout, place: place)
                            pipeline!.progress = progress
                        } else {
                            pipeline!.use(layout, file: input)
                        }
                    },
                    record: { record, _, derived in try pipeline!.consume(record, derived!) })
            }
            try source.finish()
            sources.append(source)
            read.append(
                .init(
                    name: String(input.split(separator: "/").last ?? ""), path: input, size: size,
                    sha256: hasher.finalize().hexadecimal))
        }
        guard var pipeline else { preconditionFailure("a run has at least one input") }
        try pipeline.reportDuplicateStubids(sources)
        try pipeline.reportSideFileFindings(stage.deriver!.linked)
        _ = try pipeline.cells.checked(file: pipeline.file)
        let allocations = try Allocations(cells: pipeline.cells, method: method)
        var outputs = try pipeline.outputs.finish()
        outputs += try AllocationTables.write(pipeline.cells, method, allocations, into: place)
        let presentation = Presentation(
            provider: pipeline.provider, inputs: read, tally: pipeline.tally, cells: pipeline.cells, method: method,
            allocations: allocations, options: options.recorded)
        if options.xlsx {
            outputs.append(try Workbook.write(presentation, from: place, to: place.path(of: Workbook.name)))
        }
        if options.html {
            outputs.append(try write(HTMLReport.text(presentation, timestamp: timestamp), to: HTMLReport.name, in: place))
        }
        outputs.append(try write(method.text, to: "method-used.yaml", in: place))
        let provenance = Provenance(
            soalloc: SOAlloc.version, timestamp: timestamp, inputs: read, records: pipeline.tally.records,
            method: .init(name: method.name, origin: method.origin, sha256: method.sha256),
            options: options.recorded, outputs: outputs)
        try write(try provenance.json(), to: "run.json", in: place)
        return RunReport(
            options: options, tally: pipeline.tally, cells: pipeline.cells, method: method, allocations: allocations,
            outputs: options.outputNames, provider: pipeline.provider, inputs: read)
    }

    /// The method file the user named, or the default.
    static func loadMethod(_ path: String?) throws -> Method {
        guard let path else { return .standard() }
        // Read at most one byte past the limit: a larger file (or /dev/zero) is refused unread.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Failure.noInput("\(path): cannot read the method file")
        }
        defer { try? handle.close() }
        var data = Data()
        do {
            while data.count <= Method.maximumSize,
                let chunk = try handle.read(upToCount: Method.maximumSize + 1 - data.count), !chunk.isEmpty
            {
                data.append(chunk)
            }
        } catch {
            throw Failure.noInput("\(path): cannot read the method file")
        }
        guard data.count <= Method.maximumSize else {
            throw Failure.usage("\(path): the method file is larger than 1 MiB; a method file is a few kilobytes of YAML")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure.data(DataError(Location(file: path), "the method file is not UTF-8 text"))
        }
        return try Method(yaml: text, origin: path)
    }

    @discardableResult
    static func write(_ text: String, to name: String, in place: some OutputPlace) throws -> OutputFile {
        let output = try CSVOutput(path: place.path(of: name))
        try output.text(text)
        return try output.finish()
    }
}

/// An input file that can be read again, at the offset of a record, for the
/// duplicate-STUBID findings: the file itself when it is a regular file, or a
/// temporary copy made as it is read when it is not (a pipe, `<(…)`).
final class InputSource {
    let path: String
    /// The copy's descriptor, or -1 for a regular file.
    private var copy: Int32 = -1
    private var copyError: Int32 = 0

    init(_ path: String) throws {
        self.path = path
        var status = stat()
        guard stat(path, &status) != 0 || (status.st_mode & S_IFMT) != S_IFREG else { return }
        var template = Array((NSTemporaryDirectory() + "/soalloc-input-XXXXXX").utf8CString)
        copy = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard copy >= 0 else {
            throw Failure.output("\(path): cannot make a temporary copy to read again: \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    }

    deinit {
        if copy >= 0 { close(copy) }
    }

    /// Appends a chunk just read to the copy, if there is one.
    func keep(_ chunk: UnsafeRawBufferPointer) {
        guard copy >= 0, copyError == 0, var start = chunk.baseAddress else { return }
        var left = chunk.count
        while left > 0 {
            let written = write(copy, start, left)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                copyError = errno
                return
            }
            start += written
            left -= written
        }
    }

    /// Fails if the copy could not be written.
    func finish() throws {
        if copyError != 0 {
            throw Failure.output("\(path): cannot make a temporary copy to read again: \(String(cString: strerror(copyError)))")
        }
    }

    /// A new descriptor of the file, or of its copy, to read from.
    func reopen() throws -> Int32 {
        guard copy >= 0 else { return try openForReading(path) }
        // A duplicate descriptor shares the copy's offset, which the writes
        // left at its end: each reading starts again from the beginning.
        let descriptor = dup(copy)
        guard descriptor >= 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw Failure.noInput("\(path): cannot read again: \(String(cString: strerror(errno)))")
        }
        return descriptor
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

/// The derivation of a provider's records, done as they are read: the
/// `prepare` step of the record stream, on the reading thread when the run
/// reads on one. The stream gives it each data record with the right number
/// of fields; the consumer reports anything else.
final class RecordStage: @unchecked Sendable {
    private let sideFiles: SideFiles
    private var layout: Layout?
    /// The provider's deriver, carried from file to file (its linked data
    /// notes which learners were matched).
    private(set) var deriver: RecordDeriver?

    init(sideFiles: SideFiles) {
        self.sideFiles = sideFiles
    }

    /// Begins the next file.
    func start() {
        layout = nil
    }

    /// Derives one data record of the file into `facts`: the first of each
    /// file sets the deriver to the file's layout.
    func prepare(_ record: RawRecord, _ layout: Layout, _ facts: inout Facts) {
        if self.layout == nil {
            self.layout = layout
            if deriver == nil {
                deriver = RecordDeriver(layout: layout, sideFiles: sideFiles)
            } else {
                deriver!.use(layout)
            }
        }
        deriver!.derive(record, into: &facts)
    }
}

/// Turns a raw record into its facts: reads its fields, adds its linked
/// data, and derives every field. The same steps serve the run and the tests.
struct RecordDeriver {
    var loader: RecordLoader
    var linked: LinkedData
    let derivation = Derivation.standard

    init(layout: Layout, sideFiles: SideFiles) {
        loader = RecordLoader(layout: layout)
        linked = LinkedData(
            quals: sideFiles.quals, postcodes: sideFiles.postcodes, table: sideFiles.tariff, layout: layout)
    }

    /// Reads the next records by another file's layout, keeping the linked data's state.
    mutating func use(_ layout: Layout) {
        loader = RecordLoader(layout: layout)
        linked.use(layout)
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

/// Everything that handles the data records of one provider, once the layout
/// of its (first) file is known.
struct RecordPipeline {
    var file: String
    var layout: Layout
    var comparison: Comparison
    var outputs: RecordOutputs
    var facts = Facts()
    var tally = Tally()
    var cells = CellTable()
    var findings: Findings
    var progress: RunProgress?
    /// The layout of each file read, in order.
    private var layouts: [Layout]
    /// The UKPRN of the first record, and whether every record has it.
    private var firstUKPRN: [UInt8]?
    private var firstUKPRNNumber = Value.missing
    private var oneUKPRN = true

    init(file: String, layout: Layout, place: some OutputPlace) throws {
        self.file = file
        self.layout = layout
        layouts = [layout]
        findings = Findings(layout: layout)
        comparison = Comparison(layout: layout)
        outputs = try RecordOutputs(place: place, layout: layout, derivation: .standard)
        for (index, slot) in Slot.derived.enumerated() { tally.compared[index] = comparison.compares(slot) }
    }

    /// Reads the next file, merged into the same provider, by its own layout.
    mutating func use(_ layout: Layout, file: String) {
        self.file = file
        self.layout = layout
        layouts.append(layout)
        findings.use(layout)
        comparison = Comparison(layout: layout)
        outputs.use(layout, derivation: .standard)
        for (index, slot) in Slot.derived.enumerated() where comparison.compares(slot) { tally.compared[index] = true }
    }

    /// The provider: the records' UKPRN, or nil when they have more than one.
    var provider: String? {
        oneUKPRN ? firstUKPRN.map { String(decoding: $0, as: UTF8.self) } : nil
    }

    /// Writes a STUBID_DUPLICATE finding for each record whose STUBID an
    /// earlier record has, in row order, after the records' other findings.
    /// The records are found again in one sequential pass over each file that
    /// has any, by the offsets noted for them: the cost is one more reading of
    /// the file, whatever the number of duplicates.
    mutating func reportDuplicateStubids(_ sources: [InputSource]) throws {
        let duplicates = try findings.stubids.duplicates()
        var next = 0
        while next < duplicates.count {
            let file = duplicates[next].file
            let layout = layouts[file]
            let stubid = layout.position(of: .stubid)!
            outputs.use(layout, derivation: .standard)
            let descriptor = try sources[file].reopen()
            defer { close(descriptor) }
            struct Done: Error {}
            do {
                try CSVReader(descriptor: descriptor).forEachRecord(concurrently: true) { record in
                    let duplicate = duplicates[next]
                    guard record.offset == duplicate.offset else { return }
                    tally.findings[Check.stubidDuplicate.index] += 1
                    try outputs.writeFinding(
                        row: duplicate.row, record, check: .stubidDuplicate, field: Column.stubid.name,
                        value: record[stubid], detail: String(duplicate.firstRow))
                    next += 1
                    if next == duplicates.count || duplicates[next].file != file { throw Done() }
                }
                throw Failure.noInput("\(sources[file].path): cannot read again: the file changed while soalloc read it")
            } catch is Done {
            } catch is CSVSyntaxError {
                throw Failure.noInput("\(sources[file].path): cannot read again: the file changed while soalloc read it")
            } catch let error as ReadError {
                throw Failure.noInput("\(sources[file].path): cannot read again: \(error.message)")
            }
        }
    }

    /// Writes the findings about the side files' own rows, after the records':
    /// unusable qualifications, and learners no record matched.
    mutating func reportSideFileFindings(_ linked: LinkedData) throws {
        guard let quals = linked.quals else { return }
        var findings = quals.findings
        for index in linked.unmatchedLearners {
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

    /// Writes one data record's rows to every output, from the facts its
    /// `RecordStage` derived.
    @inline(__always)
    mutating func consume(_ record: RawRecord, _ derived: UnsafePointer<Facts>) throws {
        let row = tally.records + 1
        let ukprn = record[layout.position(of: .ukprn)!]
        var mixed = false
        if let firstUKPRN {
            if oneUKPRN && !Self.sameUKPRN(ukprn, firstUKPRN, firstNumber: firstUKPRNNumber) {
                oneUKPRN = false
                mixed = true
            }
        } else {
            firstUKPRN = Array(ukprn)
            firstUKPRNNumber = FieldParsing.numericCode(ukprn)
        }
        facts = derived.pointee
        tally.records += 1
        if tally.records & 8191 == 0 { progress?.recorded(8192) }
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
        if mixed {
            // One file is one provider's: the first record that names another UKPRN is reported.
            tally.findings[Check.ukprnMixed.index] += 1
            try outputs.writeFinding(
                row: row, record, check: .ukprnMixed, field: Column.ukprn.name, value: ukprn,
                detail: String(decoding: firstUKPRN!, as: UTF8.self))
        }
    }

    /// Whether two UKPRNs are the same: as numbers when both are all digits
    /// (ruling R3: `010000001` is `10000001`), else byte for byte.
    @inline(__always)
    static func sameUKPRN(_ ukprn: UnsafeBufferPointer<UInt8>, _ first: [UInt8], firstNumber: Int64) -> Bool {
        let number = FieldParsing.numericCode(ukprn)
        if Value.isKnown(number) && Value.isKnown(firstNumber) { return number == firstNumber }
        return ukprn.elementsEqual(first)
    }
}
