import SOAllocRules

/// Where each column is in the records of one file (ruling R1).
public struct Layout: Sendable, Equatable {
    /// True when the file starts with a header row.
    public let hasHeader: Bool
    /// The number of fields every data record must have.
    public let fieldCount: Int
    /// The field position of each `Column`, indexed by its raw value; -1 when absent.
    public let positions: [Int]
    /// The name of each field position, for messages.
    public let fieldNames: [String]

    /// The layout of a file without a header row: the 37 columns in letter order.
    public static let positional = Layout(
        hasHeader: false,
        fieldCount: Column.positionalCount,
        positions: Column.allCases.map { $0.rawValue < Column.positionalCount ? $0.rawValue : -1 },
        fieldNames: Column.allCases.prefix(Column.positionalCount).map(\.name))

    init(hasHeader: Bool, fieldCount: Int, positions: [Int], fieldNames: [String]) {
        self.hasHeader = hasHeader
        self.fieldCount = fieldCount
        self.positions = positions
        self.fieldNames = fieldNames
    }

    /// The field position of `column`, or nil when the file does not have it.
    public func position(of column: Column) -> Int? {
        let position = positions[column.rawValue]
        return position < 0 ? nil : position
    }

    /// Works out the layout from the first non-blank record of a file.
    ///
    /// Ruling R1: a first field of `UKPRN` (trimmed, any case) marks a header
    /// row, whose columns are found by name in any order, extra columns
    /// allowed. Otherwise the record must have exactly 37 fields. Ruling R2:
    /// missing required columns are one error that lists them all.
    public static func detect(from first: RawRecord, file: String) throws -> Layout {
        guard first.count > 0, Column(headerName: first[0]) == .ukprn else {
            guard first.count == Column.positionalCount else {
                throw DataError(
                    Location(file: file, line: first.line, record: 1),
                    "expected a header row starting with UKPRN, or \(Column.positionalCount) fields "
                        + "in the column order of the technical document; found \(first.count) "
                        + (first.count == 1 ? "field" : "fields") + " starting with '\(TerminalText.escape(first[0].prefix(40)))'"
                        + hint(first))
            }
            return .positional
        }

        var positions = [Int](repeating: -1, count: Column.allCases.count)
        var names: [String] = []
        for index in 0..<first.count {
            let name = TerminalText.escape(first[index])
            names.append(name.isEmpty ? "unnamed" : name)
            guard let column = Column(headerName: first[index]) else { continue }
            if positions[column.rawValue] >= 0 {
                throw DataError(
                    Location(file: file, line: first.line, record: 0, field: index + 1, fieldName: name),
                    "column \(column.name) appears twice in the header row (fields \(positions[column.rawValue] + 1) and \(index + 1))"
                )
            }
            positions[column.rawValue] = index
        }
        let missing = Column.allCases.filter { $0.isRequired && positions[$0.rawValue] < 0 }
        if !missing.isEmpty {
            throw DataError(
                Location(file: file, line: first.line, record: 0),
                "the header row lacks required "
                    + (missing.count == 1 ? "column " : "columns ")
                    + missing.map(\.name).joined(separator: ", "))
        }
        return Layout(hasHeader: true, fieldCount: first.count, positions: positions, fieldNames: names)
    }

    /// For a single field holding semicolons or tabs (a file without a header
    /// row, which is read with commas: ruling R1), the option that reads it.
    private static func hint(_ first: RawRecord) -> String {
        guard first.count == 1 else { return "" }
        if first[0].contains(Delimiter.semicolon.byte) { return "; if its fields are separated by semicolons, give --delimiter semicolon" }
        if first[0].contains(Delimiter.tab.byte) { return "; if its fields are separated by tabs, give --delimiter tab" }
        return ""
    }

    /// The data error for a record with the wrong number of fields.
    public func fieldCountError(_ record: RawRecord, number: Int, file: String) -> DataError {
        .fieldCount(record, number: number, file: file, names: fieldNames)
    }
}

extension DataError {
    /// A record whose number of fields is not the header's (`names.count`):
    /// names the first missing field, or the first unexpected one.
    static func fieldCount(_ record: RawRecord, number: Int, file: String, names: [String]) -> DataError {
        let found = record.count
        if found < names.count {
            return DataError(
                Location(file: file, line: record.line, record: number, field: found + 1, fieldName: names[found]),
                "missing: the record has \(found) fields, expected \(names.count)")
        }
        return DataError(
            Location(file: file, line: record.line, record: number, field: names.count + 1),
            "unexpected: the record has \(found) fields, expected \(names.count)")
    }
}
