import Foundation
import SOAllocRules

/// Where a problem was found: a file, and as much of a position in it as is known.
///
/// Every message soalloc prints about input names its place the same way:
/// `FILE: line L: record N: field F (NAME): what was expected, what was found`.
public struct Location: Sendable, Equatable {
    /// The file as the user named it.
    public var file: String
    /// The physical line where the record starts (1-based), when known.
    public var line: Int?
    /// The 1-based data record number (the header is not counted), when known.
    public var record: Int?
    /// The 1-based field position, when known.
    public var field: Int?
    /// The column name of that field, when known.
    public var fieldName: String?
    /// What `line` counts: `line` of text, or `row` of a worksheet.
    public var lineWord = "line"

    public init(file: String, line: Int? = nil, record: Int? = nil, field: Int? = nil, fieldName: String? = nil) {
        self.file = file
        self.line = line
        self.record = record
        self.field = field
        self.fieldName = fieldName
    }

    /// `FILE: line L: record N: field F (NAME)`, leaving out what is unknown.
    public var description: String {
        var parts = [file]
        if let line { parts.append("\(lineWord) \(line)") }
        if let record { parts.append(record == 0 ? "header" : "record \(record)") }
        if let field {
            parts.append(fieldName.map { "field \(field) (\($0))" } ?? "field \(field)")
        } else if let fieldName {
            parts.append("field \(fieldName)")
        }
        return parts.joined(separator: ": ")
    }
}

/// A problem that stops the run: the input cannot be read as an individualised file.
///
/// A run stopped by a data error leaves no outputs.
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: Location
    public var message: String

    public init(_ location: Location, _ message: String) {
        self.location = location
        self.message = message
    }

    /// The one-line message, every control byte escaped (`TerminalText`).
    public var description: String { TerminalText.escape("\(location.description): \(message)") }
}

/// Why a run could not complete. The command line gives each kind its
/// `sysexits.h` status.
public enum Failure: Error, Sendable, CustomStringConvertible {
    /// The command line, or a method file, is wrong.
    case usage(String)
    /// The input is not a readable individualised file.
    case data(DataError)
    /// An input file is missing or unreadable.
    case noInput(String)
    /// An output directory cannot be created.
    case cannotCreate(String)
    /// An output cannot be written.
    case output(String)

    /// Whether the outputs could not be created or written, rather than an input read.
    public var isAboutOutputs: Bool {
        switch self {
        case .cannotCreate, .output: true
        case .usage, .data, .noInput: false
        }
    }

    /// The one-line message, every control byte escaped (`TerminalText`):
    /// a file name or a value from a file cannot act on the terminal, and a
    /// line break inside a message cannot make it two lines.
    public var description: String {
        switch self {
        case .usage(let text), .noInput(let text), .cannotCreate(let text), .output(let text): TerminalText.escape(text)
        case .data(let error): error.description
        }
    }
}

extension Decimal {
    /// A whole number with thousands separators, `prefix` after any minus sign.
    public func grouped(prefix: String = "") -> String { Self.grouped(rounded(0).description, prefix: prefix) }

    /// Decimal text (`-1234.5`) with thousands separators, `prefix` after any minus sign.
    static func grouped(_ text: String, prefix: String = "") -> String {
        let negative = text.hasPrefix("-")
        let unsigned = negative ? text.dropFirst() : Substring(text)
        let parts = unsigned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var whole = Array(parts[0])
        var result = ""
        while whole.count > 3 {
            result = "," + String(whole.suffix(3)) + result
            whole.removeLast(3)
        }
        result = String(whole) + result
        if parts.count > 1 { result += "." + parts[1] }
        return (negative ? "-" : "") + prefix + result
    }
}
