@testable import SOAllocCore
@testable import SOAllocRules

/// An individualised file made of test records, with a header row of the
/// columns the records give a value (always the required ones).
enum TestFile {
    static let header = Column.allCases.filter(\.isRequired).map(\.name).joined(separator: ",")

    static func text(_ records: [TestRecord]) -> String {
        let columns = Column.allCases.filter { column in
            column.isRequired || records.contains { $0.values[column] != nil }
        }
        let rows = records.map { record in columns.map { quoted(record.values[$0] ?? "") }.joined(separator: ",") }
        return ([columns.map(\.name).joined(separator: ",")] + rows).joined(separator: "\n") + "\n"
    }

    private static func quoted(_ field: String) -> String {
        field.contains(where: { ",\"\r\n".contains($0) })
            ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
