import SOAllocRules

/// An ILR code list with each code's validity (`Codes/*.csv`, the 2018-19
/// lists, copied from the specification and compiled in).
public struct CodeList: Sendable {
    public let field: Column
    /// Each code (normalised as `withKey` does) with its last valid day as
    /// `yyyymmdd`, or `Value.missing` when it is still valid.
    private var validTo = ByteKeyedTable<Int64>()

    /// The first day of the 2014-15 year: a code that stopped being valid
    /// before it cannot be used in a 2014-15 return.
    public static let yearStart: Int64 = 2014_08_01

    public static let qualent3 = CodeList(.qualent3, PackageResources.qualent3_csv)
    public static let domicile = CodeList(.domicile, PackageResources.domicile_csv)
    public static let mstufee = CodeList(.mstufee, PackageResources.mstufee_csv)

    /// The lists a record's codes are checked against.
    public static let checked: [CodeList] = [.qualent3, .domicile, .mstufee]

    init(_ field: Column, _ bytes: [UInt8]) {
        self.field = field
        var validTo = ByteKeyedTable<Int64>()
        var header = true
        try! CSVReader(bytes: bytes).forEachRecord { record in
            defer { header = false }
            guard !header else { return }
            let date = FieldParsing.date(record[2])
            precondition(date.isValid, "\(field.name) code list: bad VALID_TO on line \(record.line)")
            Self.withKey(record[0]) { _ = validTo.insert($0, date.value) }
        }
        self.validTo = validTo
    }

    /// Calls `body` with a code as the lists hold it: upper case, and an
    /// all-digit code without leading zeros (ruling R3: `04` = `4`).
    @inline(__always)
    static func withKey<T>(_ code: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        if !code.isEmpty && code.allSatisfy(FieldParsing.isDigit) {
            let start = code.firstIndex { $0 != 0x30 } ?? code.count - 1
            return body(UnsafeBufferPointer(rebasing: code[start...]))
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(code.count, 1)) { buffer in
            for (index, byte) in code.enumerated() { buffer[index] = byte &- 0x61 < 26 ? byte &- 0x20 : byte }
            return body(UnsafeBufferPointer(rebasing: buffer[0..<code.count]))
        }
    }

    public enum Status: Sendable, Equatable {
        /// No code: the required-value check reports it, not the code check.
        case empty
        case valid
        case unknown
        /// In the list, but its last valid day (`yyyymmdd`) is before 2014-15.
        case expired(Int64)
    }

    /// Whether a code may be used in a 2014-15 return.
    @inline(__always)
    public func status(of code: UnsafeBufferPointer<UInt8>) -> Status {
        if code.isEmpty { return .empty }
        guard let last = Self.withKey(code, { validTo[$0] }) else { return .unknown }
        return last != Value.missing && last < Self.yearStart ? .expired(last) : .valid
    }

    public func status(of code: String) -> Status {
        var code = code
        return code.withUTF8 { status(of: $0) }
    }
}
