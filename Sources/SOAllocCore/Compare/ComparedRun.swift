import Crypto
import Foundation
import Glibc
import SOAllocRules

/// One record of one side of a comparison, as its run's `derived.csv` gives it.
struct ComparedRecord: Sendable {
    /// The record's number in its file (ROW), from 1.
    let row: Int
    /// UKPRN, LEARNREFNUMBER, AIMSEQNUMBER and STUBID, as `derived.csv` writes them.
    let identifiers: [String]
    /// Every derived field's text, in `Slot.derived` order.
    let derived: [String]
    /// The record's cell (its index in `Cell.all`) in each place of `CellPlace.all`, or -1 when in none.
    let cells: [Int16]
    /// HEFESFTE in millionths of a percentage point (0 when invalid, R6), or nil when the input is not known.
    var fte: Int64?
    /// The input columns' raw text, in `Column` order joined by `ComparedRecord.separator`, or nil when not known.
    var raw: String?

    static let separator: Character = "\u{1F}"

    /// The key records are matched by: UKPRN, LEARNREFNUMBER, AIMSEQNUMBER.
    var key: String { identifiers[0] + "\u{1F}" + identifiers[1] + "\u{1F}" + identifiers[2] }
    var stubid: String { identifiers[3] }
}

/// One row of a run's `summary.csv`, as written.
public struct SummaryFigures: Sendable, Equatable {
    public var weightedVolume: String
    public var rate: String
    public var allocation: String
}

/// One side of a comparison: the outputs of a run, read back from its folder,
/// with its input's raw records when the input is known.
struct ComparedRun: Sendable {
    /// How the side is named in messages and in the default output folder.
    let label: String
    let records: [ComparedRecord]
    /// `cells.csv`: each cell's headcount and FTE as written, by `Cell.index`.
    let cellHeadcount: [Int]
    let cellFTE: [Decimal]
    /// `summary.csv`'s rows by ELEMENT (each element and TOTAL).
    let summary: [String: SummaryRow]
    /// Whether each record's FTE and raw columns are known (the input was read).
    let knowsInputs: Bool

    typealias SummaryRow = SummaryFigures

    /// The files of an output folder a comparison reads.
    static let folderFiles = ["derived.csv", "cells.csv", "summary.csv", "run.json"]

    /// Reads the outputs in `folder`. `inputs` are the individualised files
    /// the run read, in order, when they are known: each record's HEFESFTE
    /// and raw columns are read from them.
    static func read(folder: String, label: String, inputs: [String]?) throws -> ComparedRun {
        try checkFolder(folder)
        var records = try readDerived("\(folder)/derived.csv")
        let (headcount, fte) = try readCells("\(folder)/cells.csv")
        let summary = try readSummary("\(folder)/summary.csv")
        var knows = false
        if let inputs {
            var index = 0
            for input in inputs {
                try RawInput.read(input) { fte, raw in
                    guard index < records.count else {
                        throw Failure.data(DataError(Location(file: input), "has more records than \(folder)/derived.csv"))
                    }
                    records[index].fte = fte
                    records[index].raw = raw
                    index += 1
                }
            }
            guard index == records.count else {
                throw Failure.data(
                    DataError(Location(file: "\(folder)/derived.csv"), "has \(records.count) records, its input \(index)"))
            }
            knows = true
        }
        return ComparedRun(
            label: label, records: records, cellHeadcount: headcount, cellFTE: fte, summary: summary, knowsInputs: knows)
    }

    /// Fails with `noInput` unless `folder` holds the files a comparison reads.
    static func checkFolder(_ folder: String) throws {
        for name in folderFiles where access("\(folder)/\(name)", R_OK) != 0 {
            throw Failure.noInput("\(folder): not an output folder of soalloc: \(name) is missing or unreadable")
        }
    }

    /// The inputs an output folder's `run.json` names, when each still exists
    /// with the size and SHA-256 it had; nil otherwise.
    static func recordedInputs(folder: String) throws -> [String]? {
        let path = "\(folder)/run.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure.noInput("\(path): cannot read")
        }
        guard let provenance = try? JSONDecoder().decode(Provenance.self, from: data) else {
            throw Failure.data(DataError(Location(file: path), "is not the run.json of a soalloc run"))
        }
        var paths: [String] = []
        for input in provenance.inputs {
            let candidates = [input.path, "\(folder)/\(input.path)"]
            guard let found = candidates.first(where: { FileDigest.matches($0, size: input.size, sha256: input.sha256) })
            else { return nil }
            paths.append(found)
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

    static func readDerived(_ path: String) throws -> [ComparedRecord] {
        let header = RecordOutputs.derivedHeader
        let identifierCount = Column.identifiers.count
        var records: [ComparedRecord] = []
        try table(path, header: header) { record, number in
            let identifiers = (0..<identifierCount).map(record.text)
            let derived = (identifierCount..<header.count).map(record.text)
            records.append(
                ComparedRecord(
                    row: number, identifiers: identifiers, derived: derived, cells: DerivedCells.cells(derived),
                    fte: nil, raw: nil))
        }
        return records
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

    static func readSummary(_ path: String) throws -> [String: SummaryRow] {
        var rows: [String: SummaryRow] = [:]
        try table(path, header: ["ELEMENT", "BASIS", "WEIGHTED_VOLUME", "RATE", "ALLOCATION", "NOTE"]) { record, _ in
            rows[record.text(0)] = SummaryRow(weightedVolume: record.text(2), rate: record.text(3), allocation: record.text(4))
        }
        for name in Element.all.map(\.name) + ["TOTAL"] where rows[name] == nil {
            throw Failure.data(DataError(Location(file: path), "has no \(name) row"))
        }
        return rows
    }
}

/// A record's cells from its derived values as `derived.csv` writes them:
/// each value read back in its field's domain, as the comparison reads the
/// file's, and placed by `CellPlace`, as `CellTable.count` places a record.
enum DerivedCells {
    /// The record's cell in each place of `CellPlace.all`, or -1.
    static func cells(_ derived: [String]) -> [Int16] {
        var facts = Facts()
        for (index, slot) in Slot.derived.enumerated() {
            var text = derived[index]
            facts[slot] = text.withUTF8 { Comparison.normalised($0, as: slot) }
        }
        return CellPlace.all.map { Int16($0.cell(facts) ?? -1) }
    }
}

/// The raw records of an individualised file: each one's HEFESFTE and its input columns' text.
enum RawInput {
    static func read(_ path: String, _ body: (Int64, String) throws -> Void) throws {
        try RecordStream.reading(path) { stream in
            var positions: [Int?] = []
            var ftePosition: Int?
            try stream.forEach(
                layout: { layout, _ in
                    positions = Column.allCases.map { layout.position(of: $0) }
                    ftePosition = layout.position(of: .hefesfte)
                },
                record: { record, _, _ in
                    let fte = ftePosition.map { FieldParsing.fte(record[$0]).value } ?? 0
                    let raw = positions.map { $0.map(record.text) ?? "" }.joined(separator: String(ComparedRecord.separator))
                    try body(fte, raw)
                })
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
