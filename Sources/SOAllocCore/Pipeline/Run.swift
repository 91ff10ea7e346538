import Crypto
import Foundation
import Glibc
import SOAllocRules

/// Streams one individualised file through the derivations into the output files.
public enum Run {
    /// Runs the whole job for one file. Throws `Failure`; on any failure no
    /// output is left. With `concurrently`, the file is read on a second thread.
    public static func execute(_ options: RunOptions, concurrently: Bool = true, progress: RunProgress? = nil) throws
        -> RunReport
    {
        let method = try options.loadMethod()
        let sideFiles = try SideFiles(quals: options.quals, postcodes: options.postcodes, method: method)
        try InputFiles.checkReadable([options.input])
        let directory = try OutputDirectory(options.output, names: options.workingNames, inputs: [options.input] + options.sideInputs)
        do {
            progress?.start(files: [options.input])
            let report = try writeProvider(
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

    /// Reads `inputs` in order as one provider's records, and writes every
    /// output into `place`: the records' files, the tables, the method used
    /// and `run.json`.
    static func writeProvider(
        inputs: [String], options: RunOptions, method: Method, sideFiles: SideFiles, into place: some OutputPlace,
        concurrently: Bool, progress: RunProgress?, observer: (any RecordObserver)? = nil
    ) throws -> RunReport {
        let timestamp = Provenance.now()
        var pipeline: ProviderRecords?
        let stage = DerivationStep(sideFiles: sideFiles)
        var read: [Provenance.Input] = []
        for input in inputs {
            var hasher = SHA256()
            var size = 0
            let observe: (UnsafeRawBufferPointer) -> Void = { chunk in
                hasher.update(bufferPointer: chunk)
                size += chunk.count
                progress?.read(chunk.count)
            }
            var form = InputForm()
            try RecordStream.reading(input, observe: observe, reading: options.reading) { stream in
                defer { form = stream.form }
                stage.start()
                try stream.forEach(
                    concurrently: concurrently, prepare: stage.prepare,
                    layout: { layout, _ in
                        if pipeline == nil {
                            pipeline = try ProviderRecords(
                                file: input, layout: layout, place: place, names: Set(options.workingNames),
                                observer: observer)
                            pipeline!.progress = progress
                        } else {
                            pipeline!.use(layout, file: input)
                        }
                    },
                    record: { record, _, derived in try pipeline!.consume(record, derived!) })
            }
            read.append(
                .init(
                    name: String(input.split(separator: "/").last ?? ""), path: input, size: size,
                    sha256: hasher.finalize().hexadecimal, form: form))
        }
        guard var pipeline else { preconditionFailure("a run has at least one input") }
        try pipeline.reportDuplicateStubids()
        try pipeline.reportSideFileFindings(stage.deriver!.linked)
        _ = try pipeline.cells.checked(file: pipeline.file)
        try pipeline.hefce.finish(ours: pipeline.cells, method: method, file: pipeline.file)
        let allocations = try Allocations(cells: pipeline.cells, method: method)
        let names = Set(options.workingNames)
        var outputs = try pipeline.outputs.finish()
        outputs += try AllocationTables.write(pipeline.cells, method, allocations, into: place, names: names)
        outputs += try ReconciliationTables.write(pipeline.hefce, ours: pipeline.cells, method, into: place, names: names)
        let presentation = Presentation(
            provider: pipeline.provider, inputs: read, tally: pipeline.tally, cells: pipeline.cells, method: method,
            allocations: allocations, hefce: pipeline.hefce, options: options.recorded)
        if options.xlsx {
            outputs.append(try Workbook.write(presentation, from: place, to: place.path(of: Workbook.name)))
        }
        // The files only the workbook asked for go.
        for file in outputs where !options.outputNames.contains(file.name) { unlink(place.path(of: file.name)) }
        outputs.removeAll { !options.outputNames.contains($0.name) }
        if options.html {
            outputs.append(try write(HTMLReport.text(presentation, timestamp: timestamp), to: HTMLReport.name, in: place))
        }
        outputs.append(try write(method.text, to: "method-used.yaml", in: place))
        let provenance = Provenance(
            soalloc: SOAlloc.version, timestamp: timestamp, inputs: read, records: pipeline.tally.records,
            method: .init(name: method.name, origin: method.origin, sha256: method.sha256),
            options: options.recorded, outputs: outputs, warnings: method.warnings)
        try write(try provenance.json(), to: "run.json", in: place)
        return RunReport(
            options: options, tally: pipeline.tally, cells: pipeline.cells, method: method, allocations: allocations,
            hefce: pipeline.hefce, outputs: options.outputNames, provider: pipeline.provider, inputs: read)
    }

    @discardableResult
    static func write(_ text: String, to name: String, in place: some OutputPlace) throws -> OutputFile {
        let output = try CSVOutput(path: place.path(of: name))
        try output.text(text)
        return try output.finish()
    }
}
