import Glibc

/// Sorts any number of fixed-size entries in bounded memory.
///
/// Entries collect in a buffer; a full buffer is sorted and written to an
/// anonymous temporary file as a run. Reading merges the runs (a heap over
/// one block of each), so memory stays at one buffer plus one block per run
/// however many entries there are. The duplicate-STUBID check and the join of
/// `soalloc compare` both sort this way.
final class SpillSort<Entry: BitwiseCopyable & Comparable> {
    private let name: String
    private let capacity: Int
    private let buffer: UnsafeMutablePointer<Entry>
    private var count = 0
    /// The runs written so far: where each starts in the spill file, and its length, in entries.
    private var runs: [(start: Int, count: Int)] = []
    private var spill: Int32 = -1
    private var spilled = 0

    /// `name` names the temporary file; `capacity` is the buffer's size in entries.
    init(name: String, capacity: Int = 1 << 17) {
        self.name = name
        self.capacity = capacity
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        if spill >= 0 { close(spill) }
    }

    /// How many entries were added.
    var total: Int { spilled + count }

    @inline(__always)
    func append(_ entry: Entry) throws {
        buffer[count] = entry
        count &+= 1
        if count == capacity { try writeRun() }
    }

    /// Sorts the buffer and appends it to the spill file as a run.
    private func writeRun() throws {
        var entries = UnsafeMutableBufferPointer(start: buffer, count: count)
        entries.sort()
        if spill < 0 { spill = try TemporaryFiles.anonymous(name) }
        try TemporaryFiles.write(
            spill, UnsafeRawPointer(buffer), count: count * MemoryLayout<Entry>.stride,
            at: spilled * MemoryLayout<Entry>.stride)
        runs.append((spilled, count))
        spilled += count
        count = 0
    }

    /// Every entry added, in order. Call once, after the last `append`.
    func sorted() throws -> Cursor {
        if runs.isEmpty {
            var entries = UnsafeMutableBufferPointer(start: buffer, count: count)
            entries.sort()
            return Cursor(memory: UnsafeBufferPointer(entries), owner: self)
        }
        if count > 0 { try writeRun() }
        return try Cursor(runs: runs.map { try RunCursor(descriptor: spill, run: $0) }, owner: self)
    }

    /// The entries in order, one at a time: `current` until it is nil.
    struct Cursor {
        private let memory: UnsafeBufferPointer<Entry>
        private var position = 0
        private let runs: [RunCursor]
        private var heap: Heap
        /// Keeps the buffer (and the spill file) alive while it is read.
        private let owner: SpillSort

        fileprivate init(memory: UnsafeBufferPointer<Entry>, owner: SpillSort) {
            self.memory = memory
            runs = []
            heap = Heap([]) { _, _ in false }
            self.owner = owner
        }

        fileprivate init(runs: [RunCursor], owner: SpillSort) {
            memory = UnsafeBufferPointer(start: nil, count: 0)
            self.runs = runs
            heap = Heap(runs.indices.filter { runs[$0].current != nil }) { runs[$0].current! < runs[$1].current! }
            self.owner = owner
        }

        var current: Entry? {
            if runs.isEmpty { return position < memory.count ? memory[position] : nil }
            return heap.first.map { runs[$0].current! }
        }

        mutating func advance() throws {
            if runs.isEmpty {
                position += 1
                return
            }
            guard let index = heap.first else { return }
            try runs[index].advance()
            if runs[index].current == nil { heap.removeFirst() } else { heap.siftDownFirst() }
        }
    }

    /// Reads one sorted run of the spill file, a block at a time.
    fileprivate final class RunCursor {
        static var block: Int { 4096 }
        let descriptor: Int32
        var next: Int
        let end: Int
        let entries: UnsafeMutablePointer<Entry>
        var filled = 0
        var position = 0

        init(descriptor: Int32, run: (start: Int, count: Int)) throws {
            self.descriptor = descriptor
            next = run.start
            end = run.start + run.count
            entries = .allocate(capacity: Self.block)
            try load()
        }

        deinit { entries.deallocate() }

        var current: Entry? { position < filled ? entries[position] : nil }

        func advance() throws {
            position += 1
            if position == filled { try load() }
        }

        private func load() throws {
            filled = min(Self.block, end - next)
            position = 0
            guard filled > 0 else { return }
            try TemporaryFiles.read(
                descriptor, UnsafeMutableRawPointer(entries), count: filled * MemoryLayout<Entry>.stride,
                at: next * MemoryLayout<Entry>.stride)
            next += filled
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
        guard descriptor >= 0 else { throw failure("cannot create a temporary file") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return descriptor
    }

    static func failure(_ message: String) -> Failure {
        .output("\(directory): \(message)")
    }

    /// Writes `count` bytes at `offset` of a temporary file.
    static func write(_ descriptor: Int32, _ bytes: UnsafeRawPointer, count: Int, at offset: Int) throws {
        var done = 0
        while done < count {
            let written = pwrite(descriptor, bytes + done, count - done, off_t(offset + done))
            if written < 0 {
                if errno == EINTR { continue }
                throw TemporaryFiles.failure("cannot write a temporary file: \(String(cString: strerror(errno)))")
            }
            done += written
        }
    }

    /// Reads `count` bytes at `offset` of a temporary file.
    static func read(_ descriptor: Int32, _ bytes: UnsafeMutableRawPointer, count: Int, at offset: Int) throws {
        var done = 0
        while done < count {
            let got = pread(descriptor, bytes + done, count - done, off_t(offset + done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw TemporaryFiles.failure("cannot read a temporary file") }
            done += got
        }
    }
}

/// Writes bytes in place, little-endian, from where it starts.
struct ByteWriter {
    private(set) var at: UnsafeMutableRawPointer

    @inline(__always)
    mutating func put<T: FixedWidthInteger>(_ value: T) {
        at.storeBytes(of: value.littleEndian, as: T.self)
        at += MemoryLayout<T>.size
    }

    /// One text: its length (UInt32), then its bytes.
    @inline(__always)
    mutating func text(_ bytes: UnsafeRawBufferPointer) {
        put(UInt32(truncatingIfNeeded: bytes.count))
        self.bytes(bytes)
    }

    @inline(__always)
    mutating func bytes(_ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress { at.copyMemory(from: base, byteCount: bytes.count) }
        at += bytes.count
    }
}

/// An append-only temporary file of records, read back by where each starts.
final class RecordSpill {
    private let descriptor: Int32
    private var pending: UnsafeMutableRawPointer
    private var capacity = 1 << 20
    private var pendingCount = 0
    /// The bytes appended so far.
    private(set) var size = 0

    init(name: String) throws {
        descriptor = try TemporaryFiles.anonymous(name)
        pending = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        pending.deallocate()
        close(descriptor)
    }

    /// Makes room for a record of `count` bytes, and returns where it starts
    /// and a writer into it, which must write exactly `count` bytes.
    func reserve(_ count: Int) throws -> (offset: Int, writer: ByteWriter) {
        if pendingCount + count > capacity {
            try flush()
            if count > capacity {
                pending.deallocate()
                capacity = count
                pending = .allocate(byteCount: capacity, alignment: 16)
            }
        }
        let offset = size
        let writer = ByteWriter(at: pending + pendingCount)
        pendingCount += count
        size += count
        return (offset, writer)
    }

    /// Writes what is pending: call once the last record is appended.
    func flush() throws {
        try TemporaryFiles.write(descriptor, pending, count: pendingCount, at: size - pendingCount)
        pendingCount = 0
    }

    /// Reads records back, through a window that moves on as reads go forward.
    final class Reader {
        private let spill: RecordSpill
        private let window: UnsafeMutableRawBufferPointer
        private var windowStart = 0
        private var windowCount = 0
        /// A record read on its own, away from the window.
        private var single = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 12, alignment: 16)

        init(_ spill: RecordSpill, window: Int = 1 << 20) {
            self.spill = spill
            self.window = .allocate(byteCount: window, alignment: 16)
        }

        /// The bytes of the spill.
        var size: Int { spill.size }

        deinit {
            window.deallocate()
            single.deallocate()
        }

        /// The `count` bytes at `offset`, valid until the next read.
        func read(at offset: Int, count: Int) throws -> UnsafeRawBufferPointer {
            if offset >= windowStart && offset + count <= windowStart + windowCount {
                return UnsafeRawBufferPointer(rebasing: window[(offset - windowStart)..<(offset - windowStart + count)])
            }
            let ahead = offset >= windowStart && offset < windowStart + 2 * window.count
            if ahead && count <= window.count {
                // Reading on: the next window starts here.
                windowStart = offset
                windowCount = min(window.count, spill.size - offset)
                try TemporaryFiles.read(spill.descriptor, window.baseAddress!, count: windowCount, at: offset)
                return UnsafeRawBufferPointer(rebasing: window[0..<count])
            }
            if single.count < count {
                single.deallocate()
                single = .allocate(byteCount: count, alignment: 16)
            }
            try TemporaryFiles.read(spill.descriptor, single.baseAddress!, count: count, at: offset)
            return UnsafeRawBufferPointer(rebasing: single[0..<count])
        }

        /// The record of `length` bytes at `offset`, valid until the next read.
        func record(at offset: UInt64, length: UInt32) throws -> StoredRecord {
            StoredRecord(bytes: try read(at: Int(offset), count: Int(length)), owner: self)
        }
    }
}
