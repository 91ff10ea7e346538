import Crypto
import Foundation
import Glibc
import SOAllocRules

/// One row of a run's `summary.csv`, as written.
public struct SummaryFigures: Sendable, Equatable {
    public var weightedVolume: String
    public var rate: String
    public var allocation: String
}

/// One side of a comparison: its records (`SideRecords`), and its run's
/// cells and money as `cells.csv` and `summary.csv` give them.
struct ComparedRun: Sendable {
    /// How the side is named in messages and in the default output folder.
    let label: String
    let records: SideRecords
    /// `cells.csv`: each cell's headcount and FTE as written, by `Cell.index`.
    let cellHeadcount: [Int]
    let cellFTE: [Decimal]
    /// `summary.csv`'s rows by ELEMENT (each element and TOTAL).
    let summary: [String: SummaryFigures]

    /// Whether each record's FTE and raw columns are known (the input was read).
    var knowsInputs: Bool { records.knowsInputs }

    /// The files of an output folder a comparison reads.
    static let folderFiles = ["derived.csv", "cells.csv", "summary.csv", "run.json"]

    /// The side of a run's `records`, kept as the run derived them, with the
    /// run's `cells.csv` and `summary.csv` from `folder`.
    init(label: String, records: SideRecords, folder: String) throws {
        self.label = label
        self.records = records
        (cellHeadcount, cellFTE) = try Self.readCells("\(folder)/cells.csv")
        summary = try Self.readSummary("\(folder)/summary.csv")
    }

    /// Reads the outputs in `folder` (which `checkFolder` accepted). `inputs` are the individualised files
    /// the run read, in order, with the encoding and delimiter it read them
    /// in, when they are known: each record's HEFESFTE and raw columns are
    /// read from them.
    static func read(folder: String, label: String, inputs: [(path: String, reading: InputReading)]?) throws -> ComparedRun {
        var raw: RecordSpill?
        var inputRecords = 0
        if let inputs {
            let spill = try RecordSpill(name: "compare-raw")
            for input in inputs { inputRecords += try RawInput.read(input.path, reading: input.reading, into: spill) }
            try spill.flush()
            raw = spill
        }
        let records = try SideRecords(knowsInputs: raw != nil)
        try readDerived("\(folder)/derived.csv", into: records, raw: raw.map { RecordSpill.Reader($0) })
        try records.finish()
        if raw != nil && inputRecords != records.count {
            throw Failure.data(
                DataError(
                    Location(file: "\(folder)/derived.csv"), "has \(records.count) records, its input \(inputRecords)"))
        }
        return try ComparedRun(label: label, records: records, folder: folder)
    }

    /// Fails with `noInput` unless `folder` holds the files a comparison reads.
    static func checkFolder(_ folder: String) throws {
        for name in folderFiles where access("\(folder)/\(name)", R_OK) != 0 {
            throw Failure.noInput("\(folder): not an output folder of soalloc: \(name) is missing or unreadable")
        }
    }

    /// The inputs an output folder's `run.json` names, when each still exists
    /// with the size and SHA-256 it had, with the reading the run gave it; nil otherwise.
    static func recordedInputs(folder: String) throws -> [(path: String, reading: InputReading)]? {
        let path = "\(folder)/run.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure.noInput("\(path): cannot read")
        }
        guard let provenance = try? JSONDecoder().decode(Provenance.self, from: data) else {
            throw Failure.data(DataError(Location(file: path), "is not the run.json of a soalloc run"))
        }
        var paths: [(path: String, reading: InputReading)] = []
        for input in provenance.inputs {
            let candidates = [input.path, "\(folder)/\(input.path)"]
            guard let found = candidates.first(where: { FileDigest.matches($0, size: input.size, sha256: input.sha256) })
            else { return nil }
            paths.append((found, input.reading))
        }
        return paths.isEmpty ? nil : paths
    }

    // MARK: - Reading the folder's files

    private static func table(_ path: String, header expected: [String], _ body: (RawRecord, Int) throws -> Void) throws {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        var number = 0
        do {
            try CSVReader(descriptor: descriptor, limits: .output).forEachRecord { record in
                if number == 0 {
                    let header = (0..<record.count).map(record.text)
                    guard header == expected else {
                        throw Failure.data(
                            DataError(Location(file: path), "has header \(header.joined(separator: ",")), not \(expected.joined(separator: ","))"))
                    }
                } else {
                    guard record.count == expected.count else {
                        throw Failure.data(
                            DataError(Location(file: path, line: record.line), "has \(record.count) fields, not \(expected.count)"))
                    }
                    try body(record, number)
                }
                number += 1
            }
        } catch let failure as Failure {
            throw failure
        } catch let error as CSVSyntaxError {
            throw Failure.data(DataError(error.location(file: path, record: nil, names: expected), error.message))
        } catch {
            throw Failure.data(DataError(Location(file: path), "cannot be read: \(error)"))
        }
        guard number > 0 else { throw Failure.data(DataError(Location(file: path), "is empty")) }
    }

    /// Reads `derived.csv` into `records`, each record with its input's
    /// FTE and raw columns from `raw` (as `RawInput` wrote them) when known.
    static func readDerived(_ path: String, into records: SideRecords, raw: RecordSpill.Reader?) throws {
        let header = RecordOutputs.derivedHeader
        let identifierCount = Column.identifiers.count
        var facts = Facts()
        var rawAt = 0
        try table(path, header: header) { record, _ in
            for (index, slot) in Slot.derived.enumerated() {
                facts[slot] = Comparison.normalised(record[identifierCount + index], as: slot)
            }
            var identifiers = SideRecords.Identifiers(repeating: UnsafeBufferPointer(start: nil, count: 0))
            for index in identifiers.indices { identifiers[index] = record[index] }
            guard let raw else {
                try records.add(identifiers, facts: facts, fte: nil, raw: .none)
                return
            }
            guard rawAt < raw.size else {
                throw Failure.data(DataError(Location(file: path), "has more records than its input"))
            }
            let length = Int(try raw.read(at: rawAt, count: 4).loadUnaligned(as: UInt32.self))
            let bytes = try raw.read(at: rawAt + 4, count: length)
            rawAt += 4 + length
            try records.add(
                identifiers, facts: facts, fte: bytes.loadUnaligned(as: Int64.self),
                raw: .encoded(UnsafeRawBufferPointer(rebasing: bytes[8...])))
        }
    }

    static func readCells(_ path: String) throws -> ([Int], [Decimal]) {
        var headcount = Array(repeating: 0, count: Cell.all.count)
        var fte = Array(repeating: Decimal(0), count: Cell.all.count)
        var seen = Set<Int>()
        try table(path, header: ["ELEMENT", "CELL", "HEADCOUNT", "FTE"]) { record, _ in
            guard let cell = Cell.named(record.text(1)), cell.element.name == record.text(0),
                let count = Int(record.text(2)), let value = try? Method.decimal(record.text(3))
            else {
                throw Failure.data(DataError(Location(file: path, line: record.line), "is not a row of cells.csv"))
            }
            headcount[cell.index] = count
            fte[cell.index] = value
            seen.insert(cell.index)
        }
        guard seen.count == Cell.all.count else {
            throw Failure.data(DataError(Location(file: path), "does not list every cell"))
        }
        return (headcount, fte)
    }

    static func readSummary(_ path: String) throws -> [String: SummaryFigures] {
        var rows: [String: SummaryFigures] = [:]
        try table(path, header: ["ELEMENT", "BASIS", "WEIGHTED_VOLUME", "RATE", "ALLOCATION", "NOTE"]) { record, _ in
            rows[record.text(0)] = SummaryFigures(weightedVolume: record.text(2), rate: record.text(3), allocation: record.text(4))
        }
        for name in Element.all.map(\.name) + ["TOTAL"] where rows[name] == nil {
            throw Failure.data(DataError(Location(file: path), "has no \(name) row"))
        }
        return rows
    }
}

/// The raw records of an individualised file, each one's HEFESFTE and its
/// input columns' text: a length (UInt32), the FTE (Int64) and the raw
/// section of `StoredRecord`, appended to a spill.
enum RawInput {
    /// Appends each record of `path` to `spill`, and returns how many there are.
    static func read(_ path: String, reading: InputReading, into spill: RecordSpill) throws -> Int {
        var count = 0
        try RecordStream.reading(path, reading: reading) { stream in
            var columns = RawColumns()
            try stream.forEach(
                layout: { layout, _ in columns = RawColumns(layout) },
                record: { record, _, _ in
                    let size = columns.sectionSize(record)
                    var (_, writer) = try spill.reserve(4 + 8 + size)
                    writer.put(UInt32(8 + size))
                    writer.put(columns.fte(record))
                    columns.writeSection(record, to: &writer)
                    count += 1
                })
        }
        return count
    }
}

/// Where a layout has the input columns a comparison keeps: each column's
/// text, in `Column` order (empty when the file has none), as the raw section
/// of `StoredRecord`; and HEFESFTE.
struct RawColumns {
    private var positions: [Int?] = []
    private var ftePosition: Int?

    init() {}

    init(_ layout: Layout) {
        positions = Column.allCases.map { layout.position(of: $0) }
        ftePosition = layout.position(of: .hefesfte)
    }

    /// HEFESFTE in millionths of a percentage point, 0 when invalid (R6) or absent.
    func fte(_ record: RawRecord) -> Int64 {
        ftePosition.map { FieldParsing.fte(record[$0]).value } ?? 0
    }

    /// The bytes of the record's raw section.
    func sectionSize(_ record: RawRecord) -> Int {
        var size = 0
        for position in positions { size += 4 + (position.map { record[$0].count } ?? 0) }
        return size
    }

    func writeSection(_ record: RawRecord, to writer: inout ByteWriter) {
        for position in positions {
            writer.text(UnsafeRawBufferPointer(position.map { record[$0] } ?? UnsafeBufferPointer(start: nil, count: 0)))
        }
    }
}

/// Whether a file is still the one a run read.
enum FileDigest {
    static func matches(_ path: String, size: Int, sha256: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            (attributes[.size] as? NSNumber)?.intValue == size,
            let descriptor = try? openForReading(path)
        else { return false }
        defer { close(descriptor) }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = Glibc.read(descriptor, buffer, 1 << 20)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return false }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(start: buffer, count: count))
        }
        return hasher.finalize().hexadecimal == sha256
    }
}
