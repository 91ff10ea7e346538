/// The values of one record: its inputs, interned, and its derived fields.
///
/// A fixed-size inline array of integers, so that loading and deriving a
/// record allocates nothing.
public struct Facts: Sendable {
    public static let slotCount = 44
    public static let ruleCount = 16

    public var values: InlineArray<44, Int64>
    /// One bit per slot whose text was invalid (reported as a finding).
    public var invalid: UInt64 = 0
    /// For each rule, in derivation order, the index of the clause that gave its value.
    public var decidedBy: InlineArray<16, UInt8>

    public init() {
        values = InlineArray(repeating: Value.missing)
        decidedBy = InlineArray(repeating: 0)
    }

    @inlinable @inline(__always)
    public subscript(slot: Slot) -> Int64 {
        get { values[slot.rawValue] }
        set { values[slot.rawValue] = newValue }
    }

    @inlinable @inline(__always)
    public func isInvalid(_ slot: Slot) -> Bool { invalid & (1 << UInt64(slot.rawValue)) != 0 }

    @inline(__always)
    package mutating func markInvalid(_ slot: Slot) { invalid |= 1 << UInt64(slot.rawValue) }
}
