import Foundation
import SOAllocRules

/// What `soalloc compare` is asked to do.
public struct CompareOptions: Sendable {
    /// OLD and NEW: each an individualised file or an output folder of an earlier run.
    public var old: String
    public var new: String
    /// The output directory; nil for `./soalloc-out/compare-<old>-<new>/`.
    public var output: String?
    /// Exit 1 when anything changed.
    public var strict = false
    /// The run options for a side that is a file.
    public var method: String?
    public var methodOld: String?
    public var methodNew: String?
    public var quals: String?
    public var postcodes: String?
    public var rates: [String] = []
    public var jobs = 1
    /// Write `summary.xlsx` and `report.html`.
    public var xlsx = true
    public var html = true

    public init(old: String, new: String, output: String? = nil) {
        self.old = old
        self.new = new
        self.output = output
    }

    /// `soalloc-out/compare-<old>-<new>`, each named by its file name without extension or its folder's name.
    public var defaultOutput: String {
        func stem(_ path: String) -> String {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            if Compare.isFolder(path) { return name }
            let stem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
            return stem.isEmpty ? name : stem
        }
        return "soalloc-out/compare-\(stem(old))-\(stem(new))"
    }
}

/// A money figure of each side of `summary-delta.csv`.
public struct MoneyDelta: Sendable, Equatable {
    public var element: String
    public var old: SummaryFigures
    public var new: SummaryFigures
    /// NEW − OLD in pounds, or nil when either allocation is not computed.
    public var delta: Decimal?
    public var note: String
}

/// A movement of records from one cell to another, counted.
public struct CellMovement: Sendable, Equatable {
    public var element: String
    /// Empty when not in the population.
    public var from: String
    public var to: String
    public var records: Int
}

/// What a comparison found.
public struct CompareReport: Sendable {
    /// What the summary and the page say when a side's input is not known.
    static let inputsUnknown =
        "an output folder's input was not found (run.json's path and SHA-256): INPUTS_CHANGED and each record's FTE"
        + " are unknown on that side"

    public var old: String
    public var new: String
    public var oldRecords = 0
    public var newRecords = 0
    public var added = 0
    public var removed = 0
    /// Matched records with a derived value changed.
    public var changed = 0
    public var matched = 0
    /// Records in `added.csv` and `removed.csv` because their key stays ambiguous.
    public var ambiguous = 0
    public var cellsChanged = 0
    /// The most frequent cell movements, most first (at most five).
    public var largestMovements: [CellMovement] = []
    public var money: [MoneyDelta] = []
    /// Every cell both ways, as `cells-delta.csv`.
    public var cells: [CellDelta] = []
    /// Whether both sides' inputs were read, so INPUTS_CHANGED and each record's FTE are known.
    public var inputsKnown = (old: false, new: false)
    public var outputs: [String] = []
    public var strict = false

    /// Whether anything changed: a record, a cell or a pound.
    public var hasChanges: Bool {
        added > 0 || removed > 0 || changed > 0 || cellsChanged > 0
            || money.contains { $0.old.allocation != $0.new.allocation || $0.delta.map { $0 != 0 } ?? false }
    }

    public var failsStrictCheck: Bool { strict && hasChanges }
}

/// `soalloc compare`: what changed between two runs, record by record, and what it is worth.
public enum Compare {
    /// The files a comparison writes, in order.
    public static let names = [
        "changes.csv", "added.csv", "removed.csv", "movements.csv", "cells-delta.csv", "summary-delta.csv",
        CompareWorkbook.name, ComparePage.name,
    ]

    /// The files a comparison with `options` writes, in order.
    static func outputNames(_ options: CompareOptions) -> [String] {
        names.filter { ($0 != CompareWorkbook.name || options.xlsx) && ($0 != ComparePage.name || options.html) }
    }

    static let identifierNames = Column.identifiers.map(\.name)

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Runs the comparison. Throws `Failure`; on any failure nothing is left behind.
    public static func execute(_ options: CompareOptions) throws -> CompareReport {
        let sides = [(options.old, options.methodOld, "OLD", "old"), (options.new, options.methodNew, "NEW", "new")]
        let isFolderSide = sides.map { isFolder($0.0) }
        var fileSides: [String] = []
        for ((path, method, name, folder), isFolder) in zip(sides, isFolderSide) {
            if isFolder {
                if method != nil {
                    throw Failure.usage("--method-\(folder) applies to a file, and \(name) (\(path)) is an output folder")
                }
                try ComparedRun.checkFolder(path)
            } else {
                fileSides.append(folder)
            }
        }
        let sideInputs = [options.method, options.methodOld, options.methodNew, options.quals, options.postcodes]
            .compactMap { $0 }
        let inputs = zip(sides, isFolderSide).map { $1 ? "\($0.0)/derived.csv" : $0.0 }
        try InputFiles.checkReadable(zip(sides, isFolderSide).filter { !$1 }.map(\.0.0) + sideInputs)
        let directory = try OutputDirectory(
            options.output ?? options.defaultOutput, names: names + RunOptions.everyOutputName.filter { !names.contains($0) }, folders: fileSides,
            inputs: inputs + sideInputs)
        do {
            // With --jobs 2 or more, the two sides are run or read at once, each on a thread of its own.
            let workers = options.jobs >= 2 ? 2 : 1
            let queue = WorkQueue(count: sides.count)
            let results = SideResults(count: sides.count)
            let threads = (0..<workers).map { _ in
                Thread {
                    while let index = queue.next() {
                        let (path, method, name, folder) = sides[index]
                        results.set(
                            index,
                            Result {
                                try side(
                                    path, isFolder: isFolderSide[index], method: method ?? options.method, name: name,
                                    folder: folder, options,
                                    concurrently: options.jobs >= 2 * workers, in: directory)
                            })
                    }
                    queue.done()
                }
            }
            threads.forEach { $0.stackSize = 1 << 21 }
            threads.forEach { $0.start() }
            queue.waitUntilDone(workers: workers)
            let runs = try results.values.map { try $0.get() }
            var report = try write(old: runs[0], new: runs[1], into: directory)
            report.old = options.old
            report.new = options.new
            if options.xlsx { _ = try CompareWorkbook.write(report, to: directory.path(of: CompareWorkbook.name)) }
            if options.html { try Run.write(ComparePage.text(report), to: ComparePage.name, in: directory) }
            for folder in fileSides { try? FileManager.default.removeItem(atPath: "\(directory.workingPath)/\(folder)") }
            try directory.commit()
            report.strict = options.strict
            report.outputs = outputNames(options).map { "\(directory.finalPath)/\($0)" }
            return report
        } catch {
            directory.discard()
            throw directory.naming(error)
        }
    }

    /// One side read back: a folder's outputs (already checked), or a file
    /// run first into a folder of the working directory (removed before the
    /// outputs appear).
    static func side(
        _ path: String, isFolder: Bool, method: String?, name: String, folder: String, _ options: CompareOptions,
        concurrently: Bool, in directory: OutputDirectory
    ) throws -> ComparedRun {
        if isFolder {
            return try ComparedRun.read(folder: path, label: path, inputs: ComparedRun.recordedInputs(folder: path))
        }
        var run = RunOptions(
            input: path, output: directory.finalPath, method: method, quals: options.quals, postcodes: options.postcodes,
            xlsx: false, html: false, jobs: options.jobs)
        run.rates = options.rates
        // The records come from the run as it derives them: of its files, only the cells and the money are read.
        try run.choose("cells,summary")
        let loaded = try run.loadMethod()
        let sideFiles = try SideFiles(quals: options.quals, postcodes: options.postcodes, method: loaded)
        let place = try directory.folder(folder, names: run.workingNames)
        let collector = try SideCollector()
        _ = try Run.writeProvider(
            inputs: [path], options: run, method: loaded, sideFiles: sideFiles, into: place,
            concurrently: concurrently, progress: nil, observer: collector)
        try collector.records.finish()
        return try ComparedRun(label: path, records: collector.records, folder: place.path)
    }

    /// Compares the two sides and writes every output into `place`.
    static func write(old: ComparedRun, new: ComparedRun, into place: some OutputPlace) throws -> CompareReport {
        let join = try RecordJoin(old: old.records, new: new.records)
        var report = CompareReport(old: old.label, new: new.label)
        report.oldRecords = old.records.count
        report.newRecords = new.records.count
        report.matched = join.pairs.total
        report.added = join.added.total
        report.removed = join.removed.total
        report.ambiguous = join.ambiguousCount
        report.inputsKnown = (old.knowsInputs, new.knowsInputs)

        let ids = identifierNames
        let changes = try CSVOutput(path: place.path(of: "changes.csv"))
        try changes.row(["ROW_OLD", "ROW_NEW"] + ids + ["FIELD", "OLD_VALUE", "NEW_VALUE", "INPUTS_CHANGED"])
        let movements = try CSVOutput(path: place.path(of: "movements.csv"))
        try movements.row(["ROW_OLD", "ROW_NEW"] + ids + ["ELEMENT", "OLD_CELL", "NEW_CELL", "OLD_FTE", "NEW_FTE"])
        // Each movement between two cells, counted, in the order first seen.
        var moved: [CellMovement] = []
        var movedIndex: [[Int]: Int] = [:]
        let oldReader = RecordSpill.Reader(old.records.file)
        let newReader = RecordSpill.Reader(new.records.file)
        var pairs = try join.pairs.sorted()
        while let pair = pairs.current {
            try pairs.advance()
            let before = try oldReader.record(at: pair.offset, length: pair.length)
            let after = try newReader.record(at: pair.otherOffset, length: pair.otherLength)
            guard before.sameKey(after) else {
                throw Failure.data(
                    DataError(
                        Location(file: new.label),
                        "record \(after.row) and OLD's record \(before.row) share a key's fingerprint with different keys; they cannot be compared"))
            }
            let sameValues = before.sameValues(after)
            let fteMoved = before.fte != nil && after.fte != nil && before.fte != after.fte
            guard !sameValues || fteMoved else { continue }
            let rows = [String(before.row), String(after.row)] + after.identifiers
            if !sameValues {
                report.changed += 1
                let inputs = inputsChanged(before, after)
                for field in 0..<Facts.ruleCount where before.value(field) != after.value(field) {
                    let slot = Slot.derived[field]
                    try changes.row(
                        rows + [slot.name, slot.domain.format(before.value(field)), slot.domain.format(after.value(field)), inputs])
                }
            }
            for (placeIndex, cellPlace) in CellPlace.all.enumerated() {
                let from = before.cell(placeIndex)
                let to = after.cell(placeIndex)
                guard from != to || (from >= 0 && fteMoved) else { continue }
                let fromName = from >= 0 ? Cell.all[from].name : ""
                let toName = to >= 0 ? Cell.all[to].name : ""
                try movements.row(
                    rows + [cellPlace.element.name, fromName, toName, fteText(before.fte, in: from), fteText(after.fte, in: to)])
                guard from != to else { continue }
                let key = [placeIndex, from, to]
                if let index = movedIndex[key] {
                    moved[index].records += 1
                } else {
                    movedIndex[key] = moved.count
                    moved.append(CellMovement(element: cellPlace.element.name, from: fromName, to: toName, records: 1))
                }
            }
        }
        try changes.finish()
        try movements.finish()
        report.largestMovements = Array(
            moved.enumerated().sorted {
                $0.element.records != $1.element.records ? $0.element.records > $1.element.records : $0.offset < $1.offset
            }.prefix(5).map(\.element))

        for (name, side, entries, onlyIn) in [
            ("added.csv", new, join.added, "NEW"), ("removed.csv", old, join.removed, "OLD"),
        ] {
            let file = try CSVOutput(path: place.path(of: name))
            try file.row(["ROW"] + ids + ["CELLS", "FTE", "NOTE"])
            let reader = RecordSpill.Reader(side.records.file)
            var cursor = try entries.sorted()
            while let entry = cursor.current {
                try cursor.advance()
                let record = try reader.record(at: entry.offset, length: entry.length)
                let cells = CellPlace.all.indices.map(record.cell).filter { $0 >= 0 }.map { Cell.all[$0].name }
                try file.row(
                    [String(record.row)] + record.identifiers
                        + [
                            cells.joined(separator: " "), record.fte.map(recordFTE) ?? "",
                            entry.ambiguous
                                ? "ambiguous: the key repeats and no STUBID settles the pair; not matched" : "only in \(onlyIn)",
                        ])
            }
            try file.finish()
        }

        let oldTable = try CellFigures(old)
        let newTable = try CellFigures(new)
        let cells = try CSVOutput(path: place.path(of: "cells-delta.csv"))
        try cells.row(CellDelta.header)
        for cell in Cell.all {
            let (oldCount, newCount) = (oldTable.headcount[cell.index], newTable.headcount[cell.index])
            let (oldFTE, newFTE) = (oldTable.fte[cell.index], newTable.fte[cell.index])
            let delta = CellDelta(
                element: cell.element.name, cell: cell.name, oldHeadcount: oldCount, newHeadcount: newCount, oldFTE: oldFTE,
                newFTE: newFTE)
            if delta.changed { report.cellsChanged += 1 }
            report.cells.append(delta)
            try cells.row([
                cell.element.name, cell.name, String(oldCount), String(newCount), String(newCount - oldCount),
                oldFTE.exact(minimumPlaces: 2), newFTE.exact(minimumPlaces: 2), (newFTE - oldFTE).exact(minimumPlaces: 2),
            ])
        }
        try cells.finish()

        let summary = try CSVOutput(path: place.path(of: "summary-delta.csv"))
        try summary.row([
            "ELEMENT", "OLD_WEIGHTED_VOLUME", "NEW_WEIGHTED_VOLUME", "OLD_RATE", "NEW_RATE", "OLD_ALLOCATION",
            "NEW_ALLOCATION", "DELTA_ALLOCATION", "NOTE",
        ])
        for name in Element.all.map(\.name) + ["TOTAL"] {
            let delta = money(name, old.summary[name]!, new.summary[name]!)
            report.money.append(delta)
            try summary.row([
                name, delta.old.weightedVolume, delta.new.weightedVolume, delta.old.rate, delta.new.rate,
                delta.old.allocation, delta.new.allocation, delta.delta.map { $0.exact() } ?? "", delta.note,
            ])
        }
        try summary.finish()
        return report
    }

    /// The money of one element (or TOTAL) both ways.
    static func money(_ name: String, _ old: SummaryFigures, _ new: SummaryFigures) -> MoneyDelta {
        let before = try? Method.decimal(old.allocation)
        let after = try? Method.decimal(new.allocation)
        var note = ""
        switch (before, after) {
        case (nil, nil): note = "not computed on either side: the allocation is empty in OLD and in NEW"
        case (nil, _): note = "not computed: the allocation is empty in OLD (rate not set in its method)"
        case (_, nil): note = "not computed: the allocation is empty in NEW (rate not set in its method)"
        default: break
        }
        if name == "TOTAL" && !note.isEmpty { note = "not computed: an element's allocation is empty on a side" }
        let delta: Decimal? = if let before, let after { after - before } else { nil }
        return MoneyDelta(element: name, old: old, new: new, delta: delta, note: note)
    }

    /// The raw columns that differ between two matched records.
    static func inputsChanged(_ old: StoredRecord, _ new: StoredRecord) -> String {
        guard let before = old.rawBytes, let after = new.rawBytes else {
            let side = !old.knowsInputs ? (!new.knowsInputs ? "OLD and NEW are" : "OLD is") : "NEW is"
            return "unknown: \(side) an output folder whose input cannot be found"
        }
        guard !before.elementsEqual(after) else { return "none: the method or the linked data changed" }
        let oldFields = old.raw!
        let newFields = new.raw!
        return Column.allCases.indices.compactMap { index in
            oldFields[index] == newFields[index]
                ? nil : "\(Column.allCases[index].name) \(oldFields[index])→\(newFields[index])"
        }.joined(separator: "; ")
    }

    /// A record's FTE, HEFESFTE / 100, written exactly.
    static func recordFTE(_ millionths: Int64) -> String {
        CellTable.fte(millionths: millionths).exact(minimumPlaces: 2)
    }

    private static func fteText(_ millionths: Int64?, in cell: Int) -> String {
        guard cell >= 0, let millionths else { return "" }
        return recordFTE(millionths)
    }
}

/// The two sides' results, each set by the thread that ran or read it.
final class SideResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<ComparedRun, any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<ComparedRun, any Error>) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }

    /// Every result, in side order: OLD's failure is reported before NEW's.
    var values: [Result<ComparedRun, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return results.map { $0! }
    }
}

/// A side's cell figures: headcounts counted from its records, and FTE summed
/// exactly from its records when its inputs are known, else as `cells.csv`
/// writes it. Both are checked against `cells.csv`.
struct CellFigures {
    var headcount: [Int]
    var fte: [Decimal]

    init(_ run: ComparedRun) throws {
        headcount = run.records.headcount
        fte = run.knowsInputs ? run.records.millionths.map(CellTable.fte(millionths:)) : run.cellFTE
        for cell in Cell.all {
            let written = run.cellFTE[cell.index]
            guard headcount[cell.index] == run.cellHeadcount[cell.index], fte[cell.index].rounded(2) == written else {
                throw Failure.data(
                    DataError(
                        Location(file: run.label),
                        "derived.csv and cells.csv disagree on \(cell.element.name) \(cell.name); the folder is not one run's outputs"))
            }
        }
    }
}
