import Foundation
import Glibc
import SOAllocRules

/// One provider of a run over many files: its folder, its files, and how it went.
public struct ProviderResult: Sendable {
    /// The provider's folder in the output directory: its UKPRN, or its
    /// (first) file's name when the UKPRN is not one and the same.
    public var folder: String
    /// The folder's name should the records turn out to name more than one
    /// UKPRN: the first file's name, unique in the run.
    var fallback: String
    public var inputs: [String]
    public var report: RunReport?
    public var failure: Failure?
}

/// What a run over many files found: each provider, and the sector's totals.
public struct MultiRunReport: Sendable {
    public var options: RunOptions
    public var providers: [ProviderResult]
    public var cells: CellTable
    /// The sector's money: each element's weighted volumes and allocations summed.
    public var allocations: Allocations
    /// The output directory.
    public var output: String

    /// Whether strict mode fails the run: a provider has differences or errors.
    public var failsStrictCheck: Bool { providers.compactMap(\.report).contains(where: \.failsStrictCheck) }
}

/// Runs many individualised files at once, one provider each, `jobs` at a
/// time, and sums them into the sector's tables.
///
/// Each provider's outputs go to `DIR/<UKPRN>/`, exactly as a run of that
/// file alone would write them; `DIR/sector/` holds the summed `cells.csv`
/// and `summary.csv`, `providers.csv`, and `run.json`. A bad file fails only
/// its own provider. The outputs are the same bytes whatever `jobs` is.
public enum MultiRun {
    public static let sectorNames = ["cells.csv", "summary.csv", "providers.csv", "run.json"]

    public static func execute(_ options: RunOptions, inputs: [String], jobs: Int, merge: Bool, progress: RunProgress? = nil)
        throws -> MultiRunReport
    {
        let method = try options.loadMethod()
        let sideFiles = try SideFiles(quals: options.quals, postcodes: options.postcodes, method: method)
        var providers = try group(inputs, merge: merge, reading: options.reading)

        let directory = try OutputDirectory(
            options.output, names: Array(Set(options.workingNames + sectorNames)).sorted(),
            folders: Array(Set(providers.flatMap { [$0.folder, $0.fallback] })).sorted() + ["sector"], inputs: inputs + options.sideInputs)
        do {
            progress?.start(files: inputs)
            let workers = max(1, min(jobs, providers.count))
            let readingThreads = jobs >= 2 * workers
            let queue = WorkQueue(count: providers.count)
            let results = ResultBox(count: providers.count)
            let threads = (0..<workers).map { _ in
                Thread { [providers] in
                    while let index = queue.next() {
                        results.set(
                            index,
                            run(
                                providers[index], options: options, method: method, sideFiles: sideFiles,
                                directory: directory, concurrently: readingThreads, progress: progress))
                    }
                    queue.done()
                }
            }
            threads.forEach { $0.stackSize = 1 << 21 }
            threads.forEach { $0.start() }
            queue.waitUntilDone(workers: workers)
            providers = results.values
            // A provider that could not write its outputs fails the whole run: the disk is full, or the like.
            if let failure = providers.compactMap(\.failure).first(where: \.isAboutOutputs) {
                throw failure
            }

            // A provider whose records name more than one UKPRN takes its file's name.
            for index in providers.indices where providers[index].report != nil && providers[index].report!.provider == nil {
                try rename(providers[index].folder, to: providers[index].fallback, in: directory)
                providers[index].folder = providers[index].fallback
            }
            for index in providers.indices {
                providers[index].report = providers[index].report?.placed(
                    in: "\(directory.finalPath)/\(providers[index].folder)")
            }

            // The sector's figures are the sums of the providers' as their files write them
            // (FTE rounded to two places per provider), so that an auditor adding up the
            // providers' cells.csv and summary.csv gets the sector's.
            var cells = CellTable()
            for report in providers.compactMap(\.report) { cells.add(asWritten: report.cells) }
            _ = try cells.checked(file: "\(directory.finalPath)/sector/cells.csv")
            let allocations = try Allocations(summing: providers.compactMap(\.report?.allocations), method: method)
            let sector = try directory.folder("sector", names: sectorNames)
            try writeSector(
                providers, cells: cells, allocations: allocations, method: method, options: options, into: sector)
            try directory.commit()
            progress?.finish()
            return MultiRunReport(
                options: options, providers: providers, cells: cells, allocations: allocations,
                output: directory.finalPath)
        } catch {
            progress?.finish()
            directory.discard()
            throw directory.naming(error)
        }
    }

    /// The providers of the inputs, in the order of their first file: files
    /// are grouped by the UKPRN of their first record. Two files with the same
    /// UKPRN are a usage error, unless `merge`: then they are one provider.
    /// A file whose first record has no UKPRN of eight digits is a provider of
    /// its own, named after the file.
    static func group(_ inputs: [String], merge: Bool, reading: InputReading = .found) throws -> [ProviderResult] {
        var providers: [ProviderResult] = []
        for input in inputs {
            let ukprn = firstUKPRN(of: input, reading: reading)
            if let ukprn, let index = providers.firstIndex(where: { $0.folder == ukprn }) {
                guard merge else {
                    throw Failure.usage(
                        "\(providers[index].inputs[0]) and \(input) are both for \(ukprn); "
                            + "give --merge to read them as one provider")
                }
                providers[index].inputs.append(input)
            } else {
                providers.append(ProviderResult(folder: ukprn ?? "", fallback: "", inputs: [input]))
            }
        }
        // Each provider's name from its file, unique, and never a UKPRN or the sector's folder.
        var taken = Set(providers.map(\.folder) + ["sector"])
        for index in providers.indices {
            let stem = folderName(providers[index].inputs[0])
            var name = stem
            var number = 1
            while taken.contains(name) {
                number += 1
                name = "\(stem)-\(number)"
            }
            taken.insert(name)
            providers[index].fallback = name
            if providers[index].folder.isEmpty { providers[index].folder = name }
        }
        return providers
    }

    /// A file's name without its extension, as a folder name: a leading dot
    /// is replaced, so that the folder is neither hidden nor `.` or `..`.
    static func folderName(_ input: String) -> String {
        let stem = String(RunOptions.defaultOutput(for: input).dropFirst("soalloc-out/".count))
        return stem.hasPrefix(".") || stem.isEmpty ? "file" + stem : stem
    }

    /// The UKPRN of a file's first data record, or nil when it cannot be read.
    static func firstUKPRN(of input: String, reading: InputReading = .found) -> String? {
        struct Found: Error { var ukprn: String }
        var layout: Layout?
        do {
            try RecordStream.reading(input, reading: reading) { stream in
                try stream.forEach(
                    layout: { found, _ in layout = found },
                    record: { record, _, _ in
                        throw Found(ukprn: record.text(layout!.position(of: .ukprn)!))
                    })
            }
        } catch let found as Found {
            return found.ukprn.utf8.count == 8 && found.ukprn.utf8.allSatisfy { (0x30...0x39).contains($0) }
                ? found.ukprn : nil
        } catch {}
        return nil
    }

    private static func run(
        _ provider: ProviderResult, options: RunOptions, method: Method, sideFiles: SideFiles,
        directory: OutputDirectory, concurrently: Bool, progress: RunProgress?
    ) -> ProviderResult {
        var result = provider
        var providerOptions = options
        providerOptions.input = provider.inputs.joined(separator: " ")
        do {
            try InputFiles.checkReadable(provider.inputs)
            let folder = try directory.folder(provider.folder, names: options.workingNames)
            do {
                let report = try Run.writeProvider(
                    inputs: provider.inputs, options: providerOptions, method: method, sideFiles: sideFiles,
                    into: folder, concurrently: concurrently, progress: progress)
                result.report = report
            } catch {
                try? FileManager.default.removeItem(atPath: folder.path)
                throw error
            }
        } catch let failure as Failure {
            result.failure = failure
        } catch {
            result.failure = .output("\(provider.folder): \(error)")
        }
        return result
    }

    private static func rename(_ folder: String, to name: String, in directory: OutputDirectory) throws {
        guard folder != name else { return }
        let from = "\(directory.workingPath)/\(folder)"
        let to = "\(directory.workingPath)/\(name)"
        guard Glibc.rename(from, to) == 0 else {
            throw Failure.output("\(directory.finalPath)/\(name): cannot create: \(String(cString: strerror(errno)))")
        }
    }

    /// `sector/`: the summed cells and money, one row per provider, and the run's provenance.
    private static func writeSector(
        _ providers: [ProviderResult], cells: CellTable, allocations: Allocations, method: Method,
        options: RunOptions, into sector: OutputFolder
    ) throws {
        var outputs: [OutputFile] = []
        func write(_ name: String, _ rows: [[String]]) throws {
            let output = try CSVOutput(path: sector.path(of: name))
            for row in rows { try output.row(row) }
            outputs.append(try output.finish())
        }
        try write("cells.csv", AllocationTables.cellRows(cells))
        try write("summary.csv", AllocationTables.summaryRows(allocations))
        try write("providers.csv", providerRows(providers))
        let provenance = Provenance(
            soalloc: SOAlloc.version, timestamp: Provenance.now(),
            inputs: providers.compactMap(\.report).flatMap(\.inputs),
            records: providers.compactMap(\.report).reduce(0) { $0 + $1.tally.records },
            method: .init(name: method.name, origin: method.origin, sha256: method.sha256),
            options: options.recorded, outputs: outputs, warnings: method.warnings)
        try Run.write(try provenance.json(), to: "run.json", in: sector)
    }

    static func providerRows(_ providers: [ProviderResult]) -> [[String]] {
        let groups = Element.all.flatMap(\.groups)
        var header = ["PROVIDER", "FILES", "STATUS", "RECORDS"] + groups.map(\.column)
        for element in Element.all { header += ["\(element.name)_VOLUME", "\(element.name)_ALLOCATION"] }
        header.append("MESSAGE")
        var rows = [header]
        for provider in providers {
            let files = provider.inputs.map { String($0.split(separator: "/").last ?? "") }.joined(separator: " ")
            guard let report = provider.report else {
                rows.append(
                    [provider.folder, files, "failed"] + Array(repeating: "", count: header.count - 4)
                        + [provider.failure?.description ?? ""])
                continue
            }
            let cells = report.cells
            var row = [provider.folder, files, "ok", String(report.tally.records)]
            row += groups.map { String(cells.headcount($0.cells)) }
            for element in report.allocations.elements {
                row += [
                    element.weightedVolume.exact(minimumPlaces: element.basis.places),
                    element.allocation?.description ?? "",
                ]
            }
            row.append("")
            rows.append(row)
        }
        return rows
    }
}

/// Hands out provider indices to the worker threads, and counts them done.
final class WorkQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var nextIndex = 0
    private let count: Int
    private var finished = 0

    init(count: Int) { self.count = count }

    func next() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func done() {
        condition.lock()
        finished += 1
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilDone(workers: Int) {
        condition.lock()
        while finished < workers { condition.wait() }
        condition.unlock()
    }
}

/// The providers' results, each set by the worker that ran it.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [ProviderResult?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: ProviderResult) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }

    var values: [ProviderResult] {
        lock.lock()
        defer { lock.unlock() }
        return results.map { $0! }
    }
}
