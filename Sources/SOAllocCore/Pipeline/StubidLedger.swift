import Glibc
import SOAllocRules

/// The STUBIDs of a provider's records, for the duplicate check, kept so that
/// memory stays flat however many records there are.
///
/// Each record adds its STUBID's fingerprint and its row, and its identifiers
/// to a log (`IdentityLog`) from which a duplicate's finding is written, so
/// that no file is read twice. Entries collect in a buffer; a full buffer is
/// sorted and written to an anonymous temporary file as a run. At the end the
/// runs are merged in fingerprint order, and every record after the first
/// with a fingerprint is a duplicate. A STUBID of up to 18 digits is its own
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
    private let buffer = UnsafeMutablePointer<Entry>.allocate(capacity: bufferEntries)
    private var count = 0
    /// The runs written so far: where each starts in the spill file, and its length, in entries.
    private var runs: [(start: Int, count: Int)] = []
    private var spill: Int32 = -1
    private var spilled = 0

    deinit {
        buffer.deallocate()
        if spill >= 0 { close(spill) }
    }

    /// The fingerprint of a STUBID; never 0.
    @inline(__always)
    static func fingerprint(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let number = FieldParsing.numericCode(bytes)
        if Value.isKnown(number) { return UInt64(number) | (1 << 63) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return (hash & ~(1 << 63)) | 1
    }

    /// Notes a record's STUBID, and its `identifiers` (the fields of `Column.identifiers`).
    @inline(__always)
    func add(
        _ stubid: UnsafeBufferPointer<UInt8>, row: Int, identifiers record: RawRecord, at positions: [Int]
    ) throws {
        try identities.append(row: row, record, positions)
        buffer[count] = Entry(fingerprint: Self.fingerprint(stubid), row: UInt32(truncatingIfNeeded: row))
        count &+= 1
        if count == Self.bufferEntries { try writeRun() }
    }

    /// Sorts the buffer and appends it to the spill file as a run.
    private func writeRun() throws {
        var entries = UnsafeMutableBufferPointer(start: buffer, count: count)
        entries.sort()
        if spill < 0 { spill = try TemporaryFiles.anonymous("stubids") }
        let bytes = count * MemoryLayout<Entry>.stride
        var done = 0
        while done < bytes {
            let written = pwrite(
                spill, UnsafeRawPointer(buffer) + done, bytes - done, off_t(spilled * MemoryLayout<Entry>.stride + done))
            if written < 0 {
                if errno == EINTR { continue }
                throw Self.failure("cannot write a temporary file: \(String(cString: strerror(errno)))")
            }
            done += written
        }
        runs.append((spilled, count))
        spilled += count
        count = 0
    }

    static func failure(_ message: String) -> Failure {
        .output("\(TemporaryFiles.directory): \(message)")
    }

    /// Every record whose STUBID an earlier record has, in row order. The
    /// first record with a STUBID is the one with the lowest row.
    func duplicates() throws -> [Duplicate] {
        if !runs.isEmpty && count > 0 { try writeRun() }
        var found: [Duplicate] = []
        var previous: Entry?
        func see(_ entry: Entry) {
            if let first = previous, first.fingerprint == entry.fingerprint {
                found.append(Duplicate(row: Int(entry.row), firstRow: Int(first.row)))
            } else {
                previous = entry
            }
        }
        if runs.isEmpty {
            var entries = UnsafeMutableBufferPointer(start: buffer, count: count)
            entries.sort()
            for index in 0..<count { see(buffer[index]) }
        } else {
            var cursors = try runs.map { try RunCursor(descriptor: spill, run: $0) }
            var heap = Heap(cursors.indices.filter { cursors[$0].current != nil }) { cursors[$0].current! < cursors[$1].current! }
            while let index = heap.first {
                see(cursors[index].current!)
                try cursors[index].advance()
                if cursors[index].current == nil { heap.removeFirst() } else { heap.siftDownFirst() }
            }
        }
        found.sort { $0.row < $1.row }
        return found
    }

    /// Reads one sorted run of the spill file, a block at a time.
    private struct RunCursor {
        static let block = 4096
        let descriptor: Int32
        var next: Int
        var end: Int
        var entries: [Entry] = []
        var position = 0

        init(descriptor: Int32, run: (start: Int, count: Int)) throws {
            self.descriptor = descriptor
            next = run.start
            end = run.start + run.count
            try load()
        }

        var current: Entry? { position < entries.count ? entries[position] : nil }

        mutating func advance() throws {
            position += 1
            if position == entries.count { try load() }
        }

        private mutating func load() throws {
            let count = min(Self.block, end - next)
            entries = Array(repeating: Entry(fingerprint: 0, row: 0), count: count)
            position = 0
            guard count > 0 else { return }
            let bytes = count * MemoryLayout<Entry>.stride
            let got = entries.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress!, bytes, off_t(next * MemoryLayout<Entry>.stride))
            }
            guard got == bytes else { throw StubidLedger.failure("cannot read a temporary file") }
            next += count
        }
    }
}

/// A binary min-heap of indices, ordered by a comparison that may change as
/// the item at the top changes (then `siftDownFirst`).
struct Heap {
    private var items: [Int]
    private let less: (Int, Int) -> Bool

    init(_ items: [Int], less: @escaping (Int, Int) -> Bool) {
        self.items = []
        self.less = less
        for item in items { push(item) }
    }

    var first: Int? { items.first }

    mutating func push(_ item: Int) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeFirst() {
        items.swapAt(0, items.count - 1)
        items.removeLast()
        siftDownFirst()
    }

    mutating func siftDownFirst() {
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count && less(items[left], items[smallest]) { smallest = left }
            if right < items.count && less(items[right], items[smallest]) { smallest = right }
            if smallest == parent { return }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

enum TemporaryFiles {
    /// The directory for temporary files: `TMPDIR`, or /tmp.
    static var directory: String {
        guard let value = getenv("TMPDIR"), value.pointee != 0 else { return "/tmp" }
        return String(cString: value)
    }

    /// A new file in `directory`, already unlinked, open for reading and
    /// writing: it goes when its descriptor is closed, however the run ends.
    static func anonymous(_ name: String) throws -> Int32 {
        var template = Array("\(directory)/soalloc-\(name)-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw StubidLedger.failure("cannot create a temporary file") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return descriptor
    }
}
