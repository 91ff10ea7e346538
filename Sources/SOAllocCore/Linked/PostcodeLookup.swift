import SOAllocRules

/// The quintiles of each postcode (`--postcodes FILE`), for WAQUIN (ruling R9).
///
/// The file has the header `POSTCODE,POLAR3,ATTAINMENT`: POLAR3 is the young
/// participation quintile (for WAPOP 1), ATTAINMENT the educational
/// attainment quintile (for WAPOP 2 and 3); either may be empty. Postcodes are
/// compared upper-cased and without spaces.
public struct PostcodeLookup: Sendable {
    public struct Quintiles: Sendable, Equatable {
        /// 1–5, or `Value.missing`.
        public var polar3: Int64
        public var attainment: Int64
    }

    public let path: String
    private var table = ByteKeyedTable<Quintiles>()

    /// The columns read, by name.
    static let columns = (required: ["POSTCODE", "POLAR3", "ATTAINMENT"], optional: [String]())

    public var count: Int { table.count }

    /// Reads the lookup file. A quintile that is not 1–5 or empty, or a
    /// postcode given twice, is a data error naming the line.
    public init(path: String) throws {
        self.path = path
        var file = SideFile(path: path)
        var table = ByteKeyedTable<Quintiles>()
        try file.read(required: Self.columns.required, optional: Self.columns.optional) { record, number, file in
            func quintile(_ column: String) throws -> Int64 {
                let parsed = FieldParsing.integer(file.field(record, column))
                guard parsed.isValid, parsed.value == Value.missing || (1...5).contains(parsed.value) else {
                    throw file.error(
                        record, number, column: column,
                        "'\(TerminalText.escape(file.field(record, column)))' is not a quintile from 1 to 5")
                }
                return parsed.value
            }
            let quintiles = Quintiles(polar3: try quintile("POLAR3"), attainment: try quintile("ATTAINMENT"))
            try Self.normalised(file.field(record, "POSTCODE")) { postcode in
                guard !postcode.isEmpty else { throw file.error(record, number, column: "POSTCODE", "the postcode is empty") }
                let (index, inserted) = table.insert(postcode, quintiles)
                if !inserted && table.values[index] != quintiles {
                    throw file.error(
                        record, number, column: "POSTCODE",
                        "postcode \(table.key(at: index)) is given twice with different quintiles")
                }
            }
        }
        self.table = table
    }

    /// The quintiles of a record's POSTCODEPRIOR, or nil when the lookup does not have it.
    @inline(__always)
    public func quintiles(of postcode: UnsafeBufferPointer<UInt8>) -> Quintiles? {
        Self.normalised(postcode) { table[$0] }
    }

    /// Calls `body` with the postcode upper-cased and without spaces.
    @inline(__always)
    static func normalised<T>(_ postcode: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> T)
        rethrows -> T
    {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(postcode.count, 1)) { buffer in
            var count = 0
            for byte in postcode where byte != 0x20 && byte != 0x09 {
                buffer[count] = byte &- 0x61 < 26 ? byte &- 0x20 : byte
                count += 1
            }
            return try body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}
