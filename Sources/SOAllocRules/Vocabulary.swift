/// The codes a rule can name for one field, interned to small integers.
///
/// A code's value is its position in `names`. Matching is case-insensitive
/// (ruling R3) and allocation-free: up to 16 bytes are packed, upper-cased,
/// into a `UInt128` and found by binary search.
public struct Vocabulary: Sendable {
    public let names: [String]
    private let table: Table

    /// Open addressing over 256 slots, keyed by the code packed into two
    /// words; held in a class so that a lookup reads plain memory.
    private final class Table: @unchecked Sendable {
        let low: UnsafeMutablePointer<UInt64>
        let high: UnsafeMutablePointer<UInt64>
        /// Per slot: the code's index + 1, or 0 when empty.
        let slots: UnsafeMutablePointer<Int8>

        init(_ names: [String]) {
            low = .allocate(capacity: names.count)
            high = .allocate(capacity: names.count)
            slots = .allocate(capacity: 256)
            slots.initialize(repeating: 0, count: 256)
            for (index, name) in names.enumerated() {
                let bytes = Array(name.utf8)
                let key = bytes.withUnsafeBufferPointer { Vocabulary.key($0)! }
                low[index] = key.low
                high[index] = key.high
                var slot = Vocabulary.slot(key.low)
                while slots[slot] != 0 {
                    precondition(low[Int(slots[slot]) - 1] != key.low || high[Int(slots[slot]) - 1] != key.high,
                        "duplicate code \(name)")
                    slot = (slot + 1) & 255
                }
                slots[slot] = Int8(index + 1)
            }
        }

        deinit {
            low.deallocate()
            high.deallocate()
            slots.deallocate()
        }
    }

    public init(_ names: [String]) {
        precondition(names.count <= 64, "a code set is a 64-bit mask")
        self.names = names
        table = Table(names)
    }

    /// Up to 16 bytes, upper-cased, packed little-endian into two words.
    @inline(__always)
    package static func key(_ bytes: UnsafeBufferPointer<UInt8>) -> (low: UInt64, high: UInt64)? {
        guard bytes.count <= 16 else { return nil }
        var low: UInt64 = 0
        var high: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            let upper = UInt64(byte &- 0x61 < 26 ? byte &- 0x20 : byte)
            if index < 8 { low |= upper << UInt64(index &* 8) } else { high |= upper << UInt64((index &- 8) &* 8) }
        }
        return (low, high)
    }

    @inline(__always)
    static func slot(_ low: UInt64) -> Int { Int(truncatingIfNeeded: (low &* 0x9E37_79B9_7F4A_7C15) >> 56) }

    /// The value of a field's bytes: a code's index, `Value.missing` when
    /// empty, `Value.other` when not listed.
    @inline(__always)
    public func value(of bytes: UnsafeBufferPointer<UInt8>) -> Int64 {
        if bytes.isEmpty { return Value.missing }
        guard let key = Self.key(bytes) else { return Value.other }
        let table = self.table
        var slot = Self.slot(key.low)
        while true {
            let entry = Int(table.slots[slot])
            if entry == 0 { return Value.other }
            if table.low[entry &- 1] == key.low && table.high[entry &- 1] == key.high { return Int64(entry &- 1) }
            slot = (slot &+ 1) & 255
        }
    }

    /// The index of a listed code; traps on a code the vocabulary lacks, so a
    /// rule cannot name a code that would never match.
    public func index(of name: String) -> Int64 {
        guard let index = names.firstIndex(of: name) else {
            preconditionFailure("\(name) is not one of \(names)")
        }
        return Int64(index)
    }
}

extension Vocabulary {
    /// DOMICILE codes the rules name (UK countries: ruling R8).
    public static let domicile = Vocabulary(["XF", "XG", "XH", "XI", "XK"])
    /// HEFLEVEL, level of study (paragraph 21 of the re-creation document).
    public static let heflevel = Vocabulary(["UG", "PGT", "PGT_UGF"])
    /// HEFMODE, mode of study.
    public static let hefmode = Vocabulary(["FTS", "PT", "SWOUT"])
    /// HEFTYPE, fundability status.
    public static let heftype = Vocabulary(["HOMEF"])
    /// HEFQAIM, recognised HE qualification aim.
    public static let hefqaim = Vocabulary([
        "FIRST", "DIPHE", "CERTED", "FOUDEG", "FDBC", "DET", "DTLLS", "HNC", "HND", "UGOTHER", "PGCE", "OTHER",
    ])
    /// EXCLPC, postcode excluded from mapping to census data.
    public static let exclpc = Vocabulary(["Y", "N"])
    /// QUALENT3 codes named by HIGHQUAL and SOENTQUAL.
    public static let qualent3 = Vocabulary([
        "C20", "C30", "C44", "C80", "C90", "D80", "DUK", "DZZ", "H11", "H71", "H80", "HUK", "HZZ",
        "J10", "J20", "J30", "J48", "J49", "J80", "JUK", "M2X", "M41", "M44", "M71", "M80", "M90", "MUK", "MZZ",
        "P41", "P42", "P46", "P47", "P50", "P51", "P53", "P54", "P62", "P63", "P64", "P65", "P68", "P69", "P70",
        "P80", "P91", "P92", "P93", "P94", "X00", "X01", "X02", "X03", "X04", "X05", "X06",
    ])
    /// The first character of QUALENT3 (`QUALENT3*` in the document).
    public static let letters = Vocabulary((0..<26).map { String(UnicodeScalar(UInt8(0x41 + $0))) })
    /// SOGRADECOMB values (paragraphs 26–29).
    public static let sogradecomb = Vocabulary(["ACC_BBC+", "BCC_CCC", "OTHER"])
    /// SOENTQUAL values (paragraph 30), in the table's order.
    public static let soentqual = Vocabulary([
        "HEPG", "HEFD", "HEOUG", "FOU", "L3_COMB", "BACC", "BTEC", "ACCESS", "OTH3_TAR", "OTH3_POSSTAR",
        "OTH3_NOTAR", "NONE", "OTHER", "UNKNOWN",
    ])
    /// UGLEVEL values (paragraph 32).
    public static let uglevel = Vocabulary(["OUG", "FIRST", "OTHER"])
    /// EQGRP risk groups (paragraphs 33–35); names have no spaces (ruling R12).
    public static let eqgrp = Vocabulary([
        "Y_F_L", "Y_F_M", "Y_F_H", "Y_F_U", "M_F_L", "M_F_M", "M_F_H", "M_F_U",
        "Y_O_L", "Y_O_M", "Y_O_H", "Y_O_U", "M_O_L", "M_O_M", "M_O_H", "M_O_U",
    ])
}
