/// The STUBIDs seen so far, for the duplicate check: each kept as an 8-byte
/// fingerprint with the first record that had it, in an open-addressing table.
///
/// A STUBID of up to 18 digits is its own fingerprint (its number), so the
/// usual numeric STUBIDs are compared exactly; any other is a 64-bit hash of
/// its bytes, for which a false match among ten million STUBIDs has a chance
/// of about one in 300,000.
final class FingerprintTable {
    private var keys: UnsafeMutablePointer<UInt64>
    private var rows: UnsafeMutablePointer<Int32>
    private var mask: Int
    private var count = 0

    init() {
        mask = (1 << 16) - 1
        keys = .allocate(capacity: mask + 1)
        keys.initialize(repeating: 0, count: mask + 1)
        rows = .allocate(capacity: mask + 1)
    }

    deinit {
        keys.deallocate()
        rows.deallocate()
    }

    /// The fingerprint of a STUBID; never 0, which marks an empty slot.
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

    /// Records `row` for the STUBID; returns the earlier row that had it, if any.
    @inline(__always)
    func insert(_ bytes: UnsafeBufferPointer<UInt8>, row: Int) -> Int? {
        let key = Self.fingerprint(bytes)
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
        while keys[slot] != 0 {
            if keys[slot] == key { return Int(rows[slot]) }
            slot = (slot &+ 1) & mask
        }
        keys[slot] = key
        rows[slot] = Int32(truncatingIfNeeded: row)
        count += 1
        if count * 4 > (mask + 1) * 3 { grow() }
        return nil
    }

    private func grow() {
        let oldKeys = keys
        let oldRows = rows
        let oldCapacity = mask + 1
        mask = oldCapacity * 2 - 1
        keys = .allocate(capacity: mask + 1)
        keys.initialize(repeating: 0, count: mask + 1)
        rows = .allocate(capacity: mask + 1)
        for index in 0..<oldCapacity where oldKeys[index] != 0 {
            var slot = Int(truncatingIfNeeded: (oldKeys[index] &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
            while keys[slot] != 0 { slot = (slot &+ 1) & mask }
            keys[slot] = oldKeys[index]
            rows[slot] = oldRows[index]
        }
        oldKeys.deallocate()
        oldRows.deallocate()
    }
}
