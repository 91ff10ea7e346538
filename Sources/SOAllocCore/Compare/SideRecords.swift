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
    /// refused, never written (`Compare.write`).
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

    init(knowsInputs: Bool) throws {
        precondition(CellPlace.all.count <= 8, "a stored record has room for 8 cell places")
        self.knowsInputs = knowsInputs
        file = try RecordSpill(name: "compare-records")
    }

    /// UKPRN, LEARNREFNUMBER, AIMSEQNUMBER and STUBID, as `derived.csv` writes them.
    typealias Identifiers = InlineArray<4, UnsafeBufferPointer<UInt8>>

    /// A record's raw columns: none, a record read by a layout, or a section `RawColumns` encoded.
    enum Raw {
        case none
        case record(RawRecord, RawColumns)
        case encoded(UnsafeRawBufferPointer)
    }

    /// Adds the next record: its identifiers, `facts` holding its derived
    /// values, and its FTE and raw columns when known.
    func add(_ identifiers: Identifiers, facts: borrowing Facts, fte: Int64?, raw: Raw) throws {
        count += 1
        var cells = InlineArray<8, Int16>(repeating: -1)
        for index in CellPlace.all.indices {
            guard let cell = CellPlace.all[index].cell(facts) else { continue }
            cells[index] = Int16(cell)
            headcount[cell] += 1
            millionths[cell] += fte ?? 0
        }
        var length = StoredRecord.identifiersAt
        for index in identifiers.indices { length += 4 + identifiers[index].count }
        switch raw {
        case .none: break
        case .record(let record, let columns): length += columns.sectionSize(record)
        case .encoded(let bytes): length += bytes.count
        }
        var (offset, writer) = try file.reserve(length)
        writer.put(UInt32(truncatingIfNeeded: count))
        writer.put(UInt8(fte == nil ? 0 : 1))
        writer.put(fte ?? 0)
        for index in CellPlace.all.indices { writer.put(cells[index]) }
        for index in 0..<Facts.ruleCount { writer.put(facts.values[Slot.firstDerived &+ index]) }
        for index in identifiers.indices { writer.text(UnsafeRawBufferPointer(identifiers[index])) }
        switch raw {
        case .none: break
        case .record(let record, let columns): columns.writeSection(record, to: &writer)
        case .encoded(let bytes): writer.bytes(bytes)
        }
        try keys.append(
            KeyEntry(
                key: Self.fingerprint(identifiers), stubid: identifiers[3].isEmpty ? 0 : StubidLedger.fingerprint(identifiers[3]),
                row: UInt32(truncatingIfNeeded: count), length: UInt32(length), offset: UInt64(offset)))
    }

    /// Writes what is pending: call once the last record is added.
    func finish() throws { try file.flush() }

    static func fingerprint(_ identifiers: Identifiers) -> Fingerprint {
        var high: UInt64 = 0x6a09_e667_f3bc_c908
        var low: UInt64 = 0xbb67_ae85_84ca_a73b
        for index in 0..<3 {
            let identifier = identifiers[index]
            high = StubidLedger.hash(identifier, seed: high ^ UInt64(identifier.count))
            low = StubidLedger.hash(identifier, seed: low &+ UInt64(identifier.count) &* 0x9e37_79b9_7f4a_7c15)
        }
        return Fingerprint(high: high, low: low)
    }
}

/// A record of one side as stored: its row, FTE, cells, derived values,
/// identifiers and raw columns, read in place from the bytes `SideRecords` wrote.
///
/// Layout: row (UInt32), whether the FTE and raw columns are known (UInt8),
/// FTE (Int64), each place's cell (Int16, -1 for none), each derived value
/// (Int64), then the four identifiers and, when known, each input column,
/// each as a length (UInt32) and its bytes.
struct StoredRecord {
    let bytes: UnsafeRawBufferPointer
    /// What holds the bytes (the reader that read them), kept alive while the record is.
    private let owner: AnyObject
    /// Where the key's texts end, where STUBID's ends (the raw columns start).
    private let keyEnd: Int
    private let identifiersEnd: Int

    private static let cellsAt = 4 + 1 + 8
    private static let valuesAt = cellsAt + 2 * CellPlace.all.count
    static let identifiersAt = valuesAt + 8 * Facts.ruleCount

    init(bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        self.bytes = bytes
        self.owner = owner
        var at = Self.identifiersAt
        for _ in 0..<3 { at += 4 + Int(bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        keyEnd = at
        identifiersEnd = at + 4 + Int(bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

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

    /// Whether the key (the first three identifiers, each with its length) is that of `other`.
    func sameKey(_ other: StoredRecord) -> Bool {
        bytes[Self.identifiersAt..<keyEnd].elementsEqual(other.bytes[Self.identifiersAt..<other.keyEnd])
    }

    /// The texts of `bytes[from..<to]`, each a length (UInt32) and its bytes.
    private func texts(from start: Int, to end: Int) -> [String] {
        var texts: [String] = []
        var at = start
        while at < end {
            let length = Int(bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
            texts.append(String(decoding: bytes[at + 4..<at + 4 + length], as: UTF8.self))
            at += 4 + length
        }
        return texts
    }

    /// UKPRN, LEARNREFNUMBER, AIMSEQNUMBER and STUBID, as `derived.csv` writes them.
    var identifiers: [String] { texts(from: Self.identifiersAt, to: identifiersEnd) }

    /// The raw columns' bytes, or nil when not known.
    var rawBytes: UnsafeRawBufferPointer? {
        knowsInputs ? UnsafeRawBufferPointer(rebasing: bytes[identifiersEnd...]) : nil
    }

    /// Each input column's raw text, in `Column` order, or nil when not known.
    var raw: [String]? { knowsInputs ? texts(from: identifiersEnd, to: bytes.count) : nil }
}

/// Keeps each record of a run as it is derived, for one side of a comparison
/// whose input is a file: the run's records are never read back.
final class SideCollector: RecordObserver {
    let records: SideRecords
    private var identifierPositions: [Int] = []
    private var columns = RawColumns()

    init() throws { records = try SideRecords(knowsInputs: true) }

    func use(_ layout: Layout) {
        identifierPositions = Column.identifiers.map { layout.position(of: $0)! }
        columns = RawColumns(layout)
    }

    func observe(_ record: RawRecord, _ facts: borrowing Facts) throws {
        var identifiers = SideRecords.Identifiers(repeating: UnsafeBufferPointer(start: nil, count: 0))
        var rewrites = InlineArray<4, String?>(repeating: nil)
        var rewritten = false
        for index in identifiers.indices {
            identifiers[index] = record[identifierPositions[index]]
            rewrites[index] = CSVOutput.rewritten(identifiers[index])
            rewritten = rewritten || rewrites[index] != nil
        }
        guard rewritten else {
            try records.add(identifiers, facts: facts, fte: columns.fte(record), raw: .record(record, columns))
            return
        }
        // The identifiers as derived.csv writes them, as an output folder's side reads them.
        var size = 0
        for index in identifiers.indices { size += rewrites[index]?.utf8.count ?? identifiers[index].count }
        let all = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: size)
        defer { all.deallocate() }
        var at = 0
        for index in identifiers.indices {
            let part = UnsafeMutableBufferPointer(rebasing: all[at...])
            let count =
                if let text = rewrites[index] { part.initialize(from: text.utf8).index } else {
                    part.initialize(from: identifiers[index]).index
                }
            identifiers[index] = UnsafeBufferPointer(rebasing: all[at..<at + count])
            at += count
        }
        try records.add(identifiers, facts: facts, fte: columns.fte(record), raw: .record(record, columns))
    }
}
