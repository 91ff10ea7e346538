import Glibc
import SOAllocRules

/// The STUBIDs of a provider's records, for the duplicate check, kept so that
/// memory stays flat however many records there are.
///
/// Each record adds its STUBID's fingerprint and its row, and its identifiers
/// to a log (`IdentityLog`) from which a duplicate's finding is written, so
/// that no file is read twice. The entries are sorted on a spill
/// (`SpillSort`), and every record after the first with a fingerprint is a
/// duplicate. A STUBID of up to 18 digits is its own
/// fingerprint (its number), so the usual numeric STUBIDs are compared
/// exactly; any other is a 64-bit hash of its bytes, for which a false match
/// among ten million STUBIDs has a chance of about one in 300,000.
final class StubidLedger {
    struct Entry: Comparable {
        var fingerprint: UInt64
        var row: UInt32

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            lhs.fingerprint != rhs.fingerprint ? lhs.fingerprint < rhs.fingerprint : lhs.row < rhs.row
        }
    }

    /// A record whose STUBID an earlier record has.
    struct Duplicate: Equatable {
        var row: Int
        var firstRow: Int
    }

    /// The identifiers of every record with a STUBID, in row order.
    let identities = IdentityLog()

    static let bufferEntries = 1 << 17
    private let entries = SpillSort<Entry>(name: "stubids", capacity: bufferEntries)

    /// The fingerprint of a STUBID; never 0.
    @inline(__always)
    static func fingerprint(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let number = FieldParsing.numericCode(bytes)
        if Value.isKnown(number) { return UInt64(number) | (1 << 63) }
        return (hash(bytes, seed: 0xcbf2_9ce4_8422_2325) & ~(1 << 63)) | 1
    }

    /// A 64-bit hash of `bytes` (FNV-1a, then mixed), from `seed`.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }

    /// Notes a record's STUBID, and its `identifiers` (the fields of `Column.identifiers`).
    @inline(__always)
    func add(
        _ stubid: UnsafeBufferPointer<UInt8>, row: Int, identifiers record: RawRecord, at positions: [Int]
    ) throws {
        try identities.append(row: row, record, positions)
        try entries.append(Entry(fingerprint: Self.fingerprint(stubid), row: UInt32(truncatingIfNeeded: row)))
    }

    /// Every record whose STUBID an earlier record has, in row order. The
    /// first record with a STUBID is the one with the lowest row.
    func duplicates() throws -> [Duplicate] {
        var found: [Duplicate] = []
        var previous: Entry?
        var cursor = try entries.sorted()
        while let entry = cursor.current {
            if let first = previous, first.fingerprint == entry.fingerprint {
                found.append(Duplicate(row: Int(entry.row), firstRow: Int(first.row)))
            } else {
                previous = entry
            }
            try cursor.advance()
        }
        found.sort { $0.row < $1.row }
        return found
    }
}
