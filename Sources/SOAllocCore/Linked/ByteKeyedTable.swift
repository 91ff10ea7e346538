import SOAllocRules

/// A hash map from byte strings to values, looked up with borrowed bytes.
///
/// The side files are held in memory, and every record of the main file looks
/// itself up in them. Keys are stored once, back to back, in one byte array,
/// so that a lookup hashes the record's bytes in place and allocates nothing.
public struct ByteKeyedTable<Value> {
    private var keyBytes: [UInt8] = []
    /// For each entry: where its key starts and ends in `keyBytes`.
    private var keyBounds: [(start: Int, end: Int)] = []
    public private(set) var values: [Value] = []
    /// Open addressing: entry index + 1, or 0 for an empty slot.
    private var slots: [Int32]
    private var mask: Int

    public init() {
        slots = Array(repeating: 0, count: 16)
        mask = 15
    }

    public var count: Int { values.count }

    /// FNV-1a over the bytes.
    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }

    @inline(__always)
    private func key(_ entry: Int, equals bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let bounds = keyBounds[entry]
        guard bounds.end - bounds.start == bytes.count else { return false }
        return keyBytes.withUnsafeBufferPointer { stored in
            var index = 0
            while index < bytes.count {
                if stored[bounds.start + index] != bytes[index] { return false }
                index += 1
            }
            return true
        }
    }

    /// The slot holding `bytes`, or the empty slot where it would go.
    @inline(__always)
    private func slot(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var slot = Self.hash(bytes) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 || key(entry - 1, equals: bytes) { return slot }
            slot = (slot + 1) & mask
        }
    }

    /// The index of the entry for `bytes`, if there is one.
    @inline(__always)
    public func index(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let entry = Int(slots[slot(of: bytes)])
        return entry == 0 ? nil : entry - 1
    }

    /// The value for `bytes`, if there is one.
    @inline(__always)
    public subscript(bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        index(of: bytes).map { values[$0] }
    }

    /// The key of entry `index`, as text (for messages).
    public func key(at index: Int) -> String {
        let bounds = keyBounds[index]
        return String(decoding: keyBytes[bounds.start..<bounds.end], as: UTF8.self)
    }

    /// Stores `value` for `bytes`; returns the existing entry's index instead
    /// when the key is already present.
    @discardableResult
    public mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, _ value: Value) -> (index: Int, inserted: Bool) {
        if let existing = index(of: bytes) { return (existing, false) }
        if (values.count + 1) * 4 > slots.count * 3 { grow() }
        let start = keyBytes.count
        keyBytes.append(contentsOf: bytes)
        keyBounds.append((start, keyBytes.count))
        values.append(value)
        slots[slot(of: bytes)] = Int32(values.count)
        return (values.count - 1, true)
    }

    /// Changes the value of entry `index`.
    public mutating func update(at index: Int, _ change: (inout Value) -> Void) {
        change(&values[index])
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for entry in 0..<values.count {
            let bounds = keyBounds[entry]
            let slot = keyBytes.withUnsafeBufferPointer { stored in
                self.slot(of: UnsafeBufferPointer(rebasing: stored[bounds.start..<bounds.end]))
            }
            slots[slot] = Int32(entry + 1)
        }
    }
}

extension ByteKeyedTable: Sendable where Value: Sendable {}

extension ByteKeyedTable {
    /// Looks up text (for tests and side-file loading, not the hot path).
    public subscript(text: String) -> Value? {
        var text = text
        return text.withUTF8 { self[$0] }
    }
}
