import Glibc

/// The identifiers of a provider's records with a STUBID, in row order, in
/// a temporary file (`RecordSpill`): each entry its length, the row, the
/// number of fields, then each field's length and bytes. A duplicate STUBID's
/// finding is written from here, in one sequential reading, whatever the
/// number of duplicates.
///
/// The spill keeps its own buffer and writes with `pwrite(2)`, not through a
/// C `FILE`: a `FILE` is on the C library's list of open streams, which any
/// thread's `fflush(NULL)` walks while another thread writes to it.
final class IdentityLog {
    /// Made with the first entry.
    private var spill: RecordSpill?

    /// Appends a record's row and the fields at `positions`.
    @inline(__always)
    func append(row: Int, _ record: RawRecord, _ positions: [Int]) throws {
        var size = 8
        for position in positions { size += 4 + record[position].count }
        if spill == nil { spill = try RecordSpill(name: "identities") }
        var (_, writer) = try spill!.reserve(4 + size)
        writer.put(UInt32(truncatingIfNeeded: size))
        writer.put(UInt32(truncatingIfNeeded: row))
        writer.put(UInt32(positions.count))
        for position in positions { writer.text(UnsafeRawBufferPointer(record[position])) }
    }

    /// Calls `body` with the identifiers of each row of `rows` (ascending), read in one pass.
    func forEach<Rows: RandomAccessCollection<Int>>(
        rows: Rows, _ body: (Int, [UnsafeBufferPointer<UInt8>]) throws -> Void
    ) throws where Rows.Index == Int {
        guard !rows.isEmpty else { return }
        guard let spill else { throw Self.endsEarly }
        try spill.flush()
        let reader = RecordSpill.Reader(spill)
        var fields: [UnsafeBufferPointer<UInt8>] = []
        var at = 0
        var next = 0
        while next < rows.count {
            guard at < reader.size else { throw Self.endsEarly }
            let length = Int(try reader.read(at: at, count: 4).loadUnaligned(as: UInt32.self))
            let entry = try reader.read(at: at + 4, count: length)
            at += 4 + length
            let row = Int(entry.loadUnaligned(as: UInt32.self))
            guard row == rows[next] else { continue }
            fields.removeAll(keepingCapacity: true)
            var field = 8
            for _ in 0..<entry.loadUnaligned(fromByteOffset: 4, as: UInt32.self) {
                let count = Int(entry.loadUnaligned(fromByteOffset: field, as: UInt32.self))
                let bytes = UnsafeRawBufferPointer(rebasing: entry[(field + 4)..<(field + 4 + count)])
                fields.append(bytes.assumingMemoryBound(to: UInt8.self))
                field += 4 + count
            }
            try body(row, fields)
            next += 1
        }
    }

    private static var endsEarly: Failure { TemporaryFiles.failure("cannot read a temporary file: it ends early") }
}
