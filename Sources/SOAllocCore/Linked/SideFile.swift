import Glibc
import SOAllocRules

/// A small CSV file given beside the individualised file (`--quals`,
/// `--postcodes`): read whole with the same strict libcsv reader, found by
/// its header's column names. Bad rows are data errors naming the file and line.
struct SideFile {
    let path: String
    /// The header's names, upper-cased, by field position.
    private(set) var names: [String] = []
    /// The position of each wanted column, or nil when the file lacks it.
    private(set) var positions: [String: Int] = [:]

    init(path: String) {
        self.path = path
    }

    /// Reads every data record of the file, calling `header` (when given) with
    /// the header row and the column positions, then `row` with each record,
    /// its 1-based number and the column positions. Throws `Failure` for a file that
    /// cannot be read, malformed CSV, a missing required column, or what `row` throws.
    mutating func read(
        required: [String], optional: [String], header headerRow: ((RawRecord, SideFile) throws -> Void)? = nil,
        row: (RawRecord, Int, SideFile) throws -> Void
    ) throws {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        var header = true
        var number = 0
        do {
            try CSVReader(descriptor: descriptor).forEachRecord { record in
                if header {
                    header = false
                    try readHeader(record, required: required, optional: optional)
                    try headerRow?(record, self)
                    return
                }
                number += 1
                guard record.count == names.count else {
                    throw DataError.fieldCount(record, number: number, file: path, names: names)
                }
                try row(record, number, self)
            }
        } catch let error as CSVSyntaxError {
            throw Failure.data(
                DataError(error.location(file: path, record: header ? 0 : number + 1, names: names), error.message))
        } catch let error as DataError {
            throw Failure.data(error)
        } catch let error as ReadError {
            throw Failure.noInput("\(path): cannot read: \(error.message)")
        }
        if header { throw Failure.data(DataError(Location(file: path, line: 1), "the file is empty")) }
    }

    private mutating func readHeader(_ record: RawRecord, required: [String], optional: [String]) throws {
        names = (0..<record.count).map { record.text($0).uppercased() }
        for (index, name) in names.enumerated() where required.contains(name) || optional.contains(name) {
            if let earlier = positions[name] {
                throw DataError(
                    Location(file: path, line: record.line, record: 0, field: index + 1, fieldName: name),
                    "column \(name) appears twice in the header row (fields \(earlier + 1) and \(index + 1))")
            }
            positions[name] = index
        }
        let missing = required.filter { positions[$0] == nil }
        if !missing.isEmpty {
            throw DataError(
                Location(file: path, line: record.line, record: 0),
                "the header row lacks required " + (missing.count == 1 ? "column " : "columns ")
                    + missing.joined(separator: ", "))
        }
    }

    /// The data error for a bad value in a row.
    func error(_ record: RawRecord, _ number: Int, column: String, _ message: String) -> DataError {
        let position = positions[column]
        return DataError(
            Location(
                file: path, line: record.line, record: number, field: position.map { $0 + 1 }, fieldName: column),
            message)
    }

    /// The bytes of a column in a row; empty when the file lacks the column.
    func field(_ record: RawRecord, _ column: String) -> UnsafeBufferPointer<UInt8> {
        positions[column].map { record[$0] } ?? UnsafeBufferPointer(start: nil, count: 0)
    }
}
