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

    public init(input: String, output: String, strict: Bool = false) {
        self.input = input
        self.output = output
        self.strict = strict
    }

    /// `./soalloc-out/<file name without extension>/`.
    public static func defaultOutput(for input: String) -> String {
        let name = input.split(separator: "/").last.map(String.init) ?? input
        let stem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
        return "soalloc-out/\(stem.isEmpty ? name : stem)"
    }
}

/// What a completed run found.
public struct RunReport: Sendable {
    public var options: RunOptions
    public var tally: Tally
    /// The output files, in the order they are listed.
    public var outputs: [String]

    /// The exit status: 0, or 1 in strict mode when anything differs or is wrong.
    public var exitCode: Int32 {
        options.strict && (tally.totalDifferences > 0 || tally.totalFindings > 0) ? 1 : 0
    }
}

/// Streams one individualised file through the derivations into the output files.
public enum Run {
    /// Runs the whole job. Throws `Failure`; on any failure no output is left.
    public static func execute(_ options: RunOptions) throws -> RunReport {
        let descriptor = open(options.input, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw Failure.noInput("\(options.input): cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            throw Failure.noInput("\(options.input): cannot read: it is a directory")
        }

        let directory = try OutputDirectory(options.output, names: RecordOutputs.names)
        var tally = Tally()
        do {
            try process(descriptor: descriptor, file: options.input, into: directory, tally: &tally)
            try directory.commit()
        } catch {
            directory.discard()
            throw error
        }
        return RunReport(
            options: options, tally: tally, outputs: directory.names.map { "\(directory.finalPath)/\($0)" })
    }

    /// Reads, derives, compares and writes every record.
    static func process(descriptor: Int32, file: String, into directory: OutputDirectory, tally: inout Tally) throws {
        let derivation = Derivation.standard
        var state: (layout: Layout, loader: RecordLoader, comparison: Comparison, outputs: RecordOutputs)?
        var facts = Facts()
        var sawHeader = false

        do {
            try CSVReader(descriptor: descriptor).forEachRecord { record in
                guard let current = state else {
                    let layout = try Layout.detect(from: record, file: file)
                    let outputs = try RecordOutputs(directory: directory, layout: layout)
                    let comparison = Comparison(layout: layout)
                    state = (layout, RecordLoader(layout: layout), comparison, outputs)
                    for (index, slot) in Slot.derived.enumerated() { tally.compared[index] = comparison.compares(slot) }
                    if layout.hasHeader {
                        sawHeader = true
                        return
                    }
                    try process(record, state!, derivation, &facts, &tally, file: file)
                    return
                }
                try process(record, current, derivation, &facts, &tally, file: file)
            }
        } catch let error as CSVSyntaxError {
            let names = state?.layout.fieldNames ?? []
            throw Failure.data(
                DataError(
                    Location(
                        file: file, line: error.line, record: state == nil ? nil : tally.records + 1,
                        field: error.field, fieldName: error.field <= names.count ? names[error.field - 1] : nil),
                    error.message))
        } catch let error as DataError {
            throw Failure.data(error)
        } catch let error as ReadError {
            throw Failure.noInput("\(file): cannot read: \(error.message)")
        }

        guard let state else { throw Failure.data(DataError(Location(file: file, line: 1), "the file is empty")) }
        if tally.records == 0 && sawHeader {
            throw Failure.data(DataError(Location(file: file, line: 2), "the file has a header row but no records"))
        }
        try state.outputs.finish()
    }

    @inline(__always)
    private static func process(
        _ record: RawRecord,
        _ state: (layout: Layout, loader: RecordLoader, comparison: Comparison, outputs: RecordOutputs),
        _ derivation: Derivation, _ facts: inout Facts, _ tally: inout Tally, file: String
    ) throws {
        let row = tally.records + 1
        guard record.count == state.layout.fieldCount else {
            throw state.layout.fieldCountError(record, number: row, file: file)
        }
        state.loader.load(record, into: &facts)
        derivation.derive(&facts)
        tally.count(facts)
        try state.outputs.writeDerived(record, facts)
        try state.comparison.compare(record, facts) { slot, index, fileValue in
            tally.differences[index] += 1
            try state.outputs.writeDifference(row: row, record, field: slot, fileValue: fileValue, facts)
        }
        try Findings.report(record, facts, derivation, layout: state.layout) { check, column in
            tally.findings[check.index] += 1
            let position = state.layout.position(of: column)
            let value = position.map { record[$0] } ?? UnsafeBufferPointer(start: nil, count: 0)
            try state.outputs.writeFinding(row: row, record, check: check, field: column.name, value: value)
        }
    }
}
