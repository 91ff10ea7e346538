import Glibc
import SOAllocRules

/// The records of one side of a comparison, kept on disk so that memory stays
/// flat however many there are.
///
/// Each record is encoded (`StoredRecord`) and appended to a temporary file;
/// its key entry (`KeyEntry`: a fingerprint of its key and of its STUBID,
/// its row and where its bytes are) goes on a spill sort, from which
/// `RecordJoin` reads both sides in key order. The cells' headcounts and FTE
/// are counted as the records arrive, to be checked against `cells.csv`.
/// Built on one thread, then handed to another to be read: never shared while built.
final class SideRecords: @unchecked Sendable {
    /// Where a record's bytes are in the side's file, and its key.
    struct KeyEntry: Comparable {
        var key: Fingerprint
        /// `StubidLedger.fingerprint` of the STUBID, or 0 when it is empty.
        var stubid: UInt64
        var row: UInt32
        var length: UInt32
        var offset: UInt64

        static func < (lhs: KeyEntry, rhs: KeyEntry) -> Bool {
            if lhs.key != rhs.key { return lhs.key < rhs.key }
            if lhs.stubid != rhs.stubid { return lhs.stubid < rhs.stubid }
            return lhs.row < rhs.row
        }
    }

    /// A 128-bit fingerprint of a record's key (UKPRN, LEARNREFNUMBER and
    /// AIMSEQNUMBER as `derived.csv` writes them): two 64-bit hashes of its
    /// bytes. Two different keys among ten million records share one with a
    /// chance of about one in 10^24; a pair whose keys differ on reading is
    /// reported, never written (`RecordJoin`).
    struct Fingerprint: Comparable {
        var high: UInt64
        var low: UInt64

        static func < (lhs: Fingerprint, rhs: Fingerprint) -> Bool {
            lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
        }
    }

    let keys = SpillSort<KeyEntry>(name: "compare-keys", capacity: 1 << 16)
    let file: RecordSpill
    /// Whether each record's FTE and raw columns are known (the input was read).
    let knowsInputs: Bool
    private(set) var count = 0
    /// Each cell's headcount and FTE (in millionths of a percentage point), counted from the records.
    private(set) var headcount = Array(repeating: 0, count: Cell.all.count)
    private(set) var millionths = Array(repeating: Int64(0), count: Cell.all.count)
    private var encoder = StoredRecord.Encoder()

    init(knowsInputs: Bool) throws {
        self.knowsInputs = knowsInputs
        file = try RecordSpill(name: "compare-records")
    }

    /// Adds the next record: `identifiers` as `derived.csv` writes them,
    /// `facts` holding its derived values, and its FTE and raw columns (the
    /// encoded `raw` section of `StoredRecord.Encoder`) when known.
    func add<Raw: Collection<UInt8>>(
        identifiers: [UnsafeBufferPointer<UInt8>], facts: borrowing Facts, fte: Int64?, raw: Raw?
    ) throws {
        count += 1
        var cells = InlineArray<8, Int16>(repeating: -1)
        for (index, place) in CellPlace.all.enumerated() {
            guard let cell = place.cell(facts) else { continue }
            cells[index] = Int16(cell)
            headcount[cell] += 1
            millionths[cell] += fte ?? 0
        }
        let bytes = encoder.encode(
            row: count, identifiers: identifiers, facts: facts, cells: cells, fte: fte, raw: raw)
        let offset = try file.append(bytes)
        try keys.append(
            KeyEntry(
                key: Self.fingerprint(identifiers), stubid: identifiers[3].isEmpty ? 0 : StubidLedger.fingerprint(identifiers[3]),
                row: UInt32(truncatingIfNeeded: count), length: UInt32(bytes.count), offset: UInt64(offset)))
    }

    /// Writes what is pending: call once the last record is added.
    func finish() throws { try file.flush() }

    static func fingerprint(_ identifiers: [UnsafeBufferPointer<UInt8>]) -> Fingerprint {
        var high: UInt64 = 0x6a09_e667_f3bc_c908
        var low: UInt64 = 0xbb67_ae85_84ca_a73b
        for identifier in identifiers.prefix(3) {
            high = StubidLedger.hash(identifier, seed: high ^ UInt64(identifier.count))
            low = StubidLedger.hash(identifier, seed: low &+ UInt64(identifier.count) &* 0x9e37_79b9_7f4a_7c15)
        }
        return Fingerprint(high: high, low: low)
    }
}

/// A record of one side as stored: its row, FTE, cells, derived values,
/// identifiers and raw columns, read in place from the bytes `Encoder` wrote.
///
/// Layout: row (UInt32), whether the FTE and raw columns are known (UInt8),
/// FTE (Int64), each place's cell (Int16, -1 for none), each derived value
/// (Int64), then the four identifiers and, when known, each input column,
/// each as a length (UInt32) and its bytes.
struct StoredRecord {
    let bytes: UnsafeRawBufferPointer

    private static let cellsAt = 4 + 1 + 8
    private static let valuesAt = cellsAt + 2 * CellPlace.all.count
    private static let identifiersAt = valuesAt + 8 * Facts.ruleCount

    var row: Int { Int(bytes.loadUnaligned(as: UInt32.self)) }
    var knowsInputs: Bool { bytes[4] != 0 }
    var fte: Int64? { knowsInputs ? bytes.loadUnaligned(fromByteOffset: 5, as: Int64.self) : nil }

    /// The cell (its index in `Cell.all`) of place `index` of `CellPlace.all`, or -1.
    func cell(_ index: Int) -> Int { Int(bytes.loadUnaligned(fromByteOffset: Self.cellsAt + 2 * index, as: Int16.self)) }

    /// Derived value `index` of `Slot.derived`.
    func value(_ index: Int) -> Int64 { bytes.loadUnaligned(fromByteOffset: Self.valuesAt + 8 * index, as: Int64.self) }

    /// Whether the derived values are those of `other`.
    func sameValues(_ other: StoredRecord) -> Bool {
        memcmp(bytes.baseAddress! + Self.valuesAt, other.bytes.baseAddress! + Self.valuesAt, 8 * Facts.ruleCount) == 0
    }

    /// The texts after the fixed part: the identifiers, then the raw columns.
    private func texts() -> [UnsafeRawBufferPointer] {
        var texts: [UnsafeRawBufferPointer] = []
        var at = Self.identifiersAt
        while at < bytes.count {
            let length = Int(bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
            texts.append(UnsafeRawBufferPointer(rebasing: bytes[at + 4..<at + 4 + length]))
            at += 4 + length
        }
        return texts
    }

    /// UKPRN, LEARNREFNUMBER, AIMSEQNUMBER and STUBID, as `derived.csv` writes them.
    var identifiers: [String] { texts().prefix(4).map { String(decoding: $0, as: UTF8.self) } }

    /// Whether the key (the first three identifiers) is that of `other`.
    func sameKey(_ other: StoredRecord) -> Bool {
        zip(texts().prefix(3), other.texts().prefix(3)).allSatisfy { $0.elementsEqual($1) }
    }

    /// The raw columns' bytes, from the end of the identifiers, or nil when not known.
    var rawBytes: UnsafeRawBufferPointer? {
        guard knowsInputs else { return nil }
        var at = Self.identifiersAt
        for _ in 0..<4 { at += 4 + Int(bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        return UnsafeRawBufferPointer(rebasing: bytes[at...])
    }

    /// Each input column's raw text, in `Column` order, or nil when not known.
    var raw: [String]? { knowsInputs ? texts().dropFirst(4).map { String(decoding: $0, as: UTF8.self) } : nil }

    /// Encodes records into one reused buffer.
    struct Encoder {
        private var buffer: [UInt8] = []

        mutating func encode<Raw: Collection<UInt8>>(
            row: Int, identifiers: [UnsafeBufferPointer<UInt8>], facts: borrowing Facts, cells: InlineArray<8, Int16>,
            fte: Int64?, raw: Raw?
        ) -> [UInt8] {
            buffer.removeAll(keepingCapacity: true)
            Self.put(UInt32(truncatingIfNeeded: row), into: &buffer)
            buffer.append(fte == nil ? 0 : 1)
            Self.put(fte ?? 0, into: &buffer)
            for index in CellPlace.all.indices { Self.put(cells[index], into: &buffer) }
            for index in 0..<Facts.ruleCount { Self.put(facts.values[Slot.firstDerived + index], into: &buffer) }
            for identifier in identifiers { Self.text(UnsafeRawBufferPointer(identifier), into: &buffer) }
            if let raw { buffer.append(contentsOf: raw) }
            return buffer
        }

        /// Appends one text: its length, then its bytes.
        static func text(_ bytes: UnsafeRawBufferPointer, into buffer: inout [UInt8]) {
            put(UInt32(truncatingIfNeeded: bytes.count), into: &buffer)
            buffer.append(contentsOf: bytes)
        }

        static func put<T: FixedWidthInteger>(_ value: T, into buffer: inout [UInt8]) {
            withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
        }
    }
}

/// An append-only temporary file of records, read back by where each starts.
final class RecordSpill {
    private let descriptor: Int32
    private var pending: [UInt8] = []
    /// The bytes appended so far.
    private(set) var size = 0

    init(name: String) throws {
        descriptor = try TemporaryFiles.anonymous(name)
        pending.reserveCapacity(1 << 20)
    }

    deinit { close(descriptor) }

    /// Appends `bytes`, and returns where they start.
    func append(_ bytes: [UInt8]) throws -> Int {
        let offset = size
        pending += bytes
        size += bytes.count
        if pending.count >= 1 << 20 { try flush() }
        return offset
    }

    /// Writes what is pending: call once the last record is appended.
    func flush() throws {
        try pending.withUnsafeBytes {
            try TemporaryFiles.write(descriptor, $0.baseAddress!, count: $0.count, at: size - $0.count)
        }
        pending.removeAll(keepingCapacity: true)
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

        /// The record of `length` bytes at `offset`.
        func record(at offset: UInt64, length: UInt32) throws -> StoredRecord {
            StoredRecord(bytes: try read(at: Int(offset), count: Int(length)))
        }
    }
}

/// Keeps each record of a run as it is derived, for one side of a comparison
/// whose input is a file: the run's records are never read back.
final class SideCollector: RecordObserver {
    let records: SideRecords
    private var identifierPositions: [Int] = []
    private var columns = RawColumns()
    private var section: [UInt8] = []

    init() throws { records = try SideRecords(knowsInputs: true) }

    func use(_ layout: Layout) {
        identifierPositions = Column.identifiers.map { layout.position(of: $0)! }
        columns = RawColumns(layout)
    }

    func observe(_ record: RawRecord, _ facts: borrowing Facts) throws {
        columns.encode(record, into: &section)
        let identifiers = identifierPositions.map { record[$0] }
        let rewritten = identifiers.map(CSVOutput.rewritten)
        guard rewritten.contains(where: { $0 != nil }) else {
            try add(identifiers, facts)
            return
        }
        // The identifiers as derived.csv writes them, as an output folder's side reads them.
        var texts: [UInt8] = []
        var ends: [Int] = []
        for (bytes, text) in zip(identifiers, rewritten) {
            if let text { texts += text.utf8 } else { texts += bytes }
            ends.append(texts.count)
        }
        let all = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: texts.count)
        defer { all.deallocate() }
        _ = all.initialize(from: texts)
        try add(ends.indices.map { UnsafeBufferPointer(rebasing: all[($0 == 0 ? 0 : ends[$0 - 1])..<ends[$0]]) }, facts)
    }

    private func add(_ identifiers: [UnsafeBufferPointer<UInt8>], _ facts: borrowing Facts) throws {
        let fte = section.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: Int64.self) }
        try records.add(identifiers: identifiers, facts: facts, fte: fte, raw: section[12...])
    }
}
