import Glibc

/// The identifiers of a provider's records with a STUBID, in row order, in
/// an anonymous temporary file: the row, the number of fields, then each
/// field's length and bytes. A duplicate STUBID's finding is written from
/// here, in one sequential reading, whatever the number of duplicates.
///
/// The log keeps its own buffer and writes with `write(2)`, not through a
/// C `FILE`: a `FILE` is on the C library's list of open streams, which any
/// thread's `fflush(NULL)` walks while another thread writes to it.
final class IdentityLog {
    private static let capacity = 1 << 16
    private var descriptor: Int32 = -1
    private var buffer: [UInt8] = []

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends a record's row and the fields at `positions`.
    @inline(__always)
    func append(row: Int, _ record: RawRecord, _ positions: [Int]) throws {
        append(UInt32(truncatingIfNeeded: row))
        append(UInt32(positions.count))
        for position in positions {
            let field = record[position]
            append(UInt32(field.count))
            buffer.append(contentsOf: field)
        }
        if buffer.count >= Self.capacity { try flush() }
    }

    @inline(__always)
    private func append(_ number: UInt32) {
        withUnsafeBytes(of: number.littleEndian) { buffer.append(contentsOf: $0) }
    }

    /// Writes the buffer to the file.
    private func flush() throws {
        if descriptor < 0 { descriptor = try TemporaryFiles.anonymous("identities") }
        var done = 0
        while done < buffer.count {
            let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, $0.count - done) }
            if written < 0 {
                if errno == EINTR { continue }
                throw TemporaryFiles.failure("cannot write a temporary file: \(String(cString: strerror(errno)))")
            }
            done += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with the identifiers of each row of `rows` (ascending), read in one pass.
    func forEach<Rows: RandomAccessCollection<Int>>(
        rows: Rows, _ body: (Int, [UnsafeBufferPointer<UInt8>]) throws -> Void
    ) throws where Rows.Index == Int {
        guard !rows.isEmpty else { return }
        try flush()
        var reader = Reader(descriptor: descriptor)
        var fields: [UnsafeBufferPointer<UInt8>] = []
        var next = 0
        while next < rows.count {
            reader.startEntry()
            let row = Int(try reader.number())
            let count = Int(try reader.number())
            var ranges: [Range<Int>] = []
            for _ in 0..<count {
                let length = Int(try reader.number())
                ranges.append(try reader.skip(length))
            }
            guard row == rows[next] else { continue }
            try reader.bytes.withUnsafeBufferPointer { bytes in
                fields = ranges.map { UnsafeBufferPointer(rebasing: bytes[$0]) }
                try body(row, fields)
            }
            next += 1
        }
    }

    /// Reads the log from its start, one entry held whole in `bytes` at a time.
    private struct Reader {
        let descriptor: Int32
        var offset: off_t = 0
        var bytes: [UInt8] = []
        var position = 0

        init(descriptor: Int32) {
            self.descriptor = descriptor
        }

        /// Drops the entries already read; called between entries, so that
        /// the ranges `skip` returned stay good for the whole of one entry.
        mutating func startEntry() {
            guard position > IdentityLog.capacity else { return }
            bytes.removeSubrange(0..<position)
            position = 0
        }

        /// Makes `count` bytes from `position` on available.
        private mutating func fill(_ count: Int) throws {
            while position + count > bytes.count {
                let old = bytes.count
                let wanted = max(IdentityLog.capacity, position + count - old)
                bytes.append(contentsOf: repeatElement(0, count: wanted))
                let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + old, wanted, offset) }
                let error = errno
                bytes.removeSubrange((old + max(got, 0))...)
                if got < 0 && error == EINTR { continue }
                guard got >= 0 else {
                    throw TemporaryFiles.failure("cannot read a temporary file: \(String(cString: strerror(error)))")
                }
                guard got > 0 else { throw TemporaryFiles.failure("cannot read a temporary file: it ends early") }
                offset += off_t(got)
            }
        }

        mutating func number() throws -> UInt32 {
            try fill(4)
            var value: UInt32 = 0
            withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[position..<(position + 4)]) }
            position += 4
            return UInt32(littleEndian: value)
        }

        /// Skips `count` bytes, returning where they are in `bytes`.
        mutating func skip(_ count: Int) throws -> Range<Int> {
            try fill(count)
            position += count
            return (position - count)..<position
        }
    }
}
