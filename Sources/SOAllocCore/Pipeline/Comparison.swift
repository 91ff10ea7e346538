import SOAllocRules

/// Compares HEFCE's derived values in the file with ours (ruling R15).
///
/// Both sides are read in the derived field's domain after ruling R3's
/// normalisation: trimmed, letters in any case, all-digit values as numbers.
/// A file value that cannot be read in that domain always differs.
struct Comparison {
    /// Each derived field the file has a column for, with its position, its
    /// index in `Slot.derived` and its domain (looked up once, not per record).
    private let fields: [(slot: Slot, position: Int, index: Int, domain: Domain)]

    init(layout: Layout) {
        fields = Slot.derived.enumerated().compactMap { index, slot in
            slot.column.flatMap(layout.position(of:)).map { (slot, $0, index, slot.domain) }
        }
    }

    func compares(_ slot: Slot) -> Bool { fields.contains { $0.slot == slot } }

    /// Compares HEFCE's values with `ours`, and returns the fields whose
    /// values differ: bit `i` for `Slot.derived[i]`. When any does, `theirs`
    /// is set to HEFCE's values: `ours`, with the file's value in place of
    /// ours for each derived field the file has; otherwise HEFCE's values are
    /// ours, and `theirs` is left as it was.
    @inline(__always)
    func compare(_ record: RawRecord, _ ours: borrowing Facts, into theirs: inout Facts) -> UInt32 {
        var values = InlineArray<16, Int64>(repeating: 0)
        var differing: UInt32 = 0
        for (index, field) in fields.enumerated() {
            let value = Self.normalised(record[field.position], in: field.domain)
            values[index] = value
            if value != ours[field.slot] { differing |= 1 << UInt32(field.index) }
        }
        guard differing != 0 else { return 0 }
        theirs = copy ours
        for (index, field) in fields.enumerated() { theirs[field.slot] = values[index] }
        return differing
    }

    /// The file's text as a value of `slot`'s domain: each domain's own
    /// reading, so a new derived field is compared as its slot declares.
    static func normalised(_ text: UnsafeBufferPointer<UInt8>, as slot: Slot) -> Int64 {
        normalised(text, in: slot.domain)
    }

    @inline(__always)
    private static func normalised(_ text: UnsafeBufferPointer<UInt8>, in domain: Domain) -> Int64 {
        switch domain {
        case .code(let vocabulary): vocabulary.value(of: text)
        case .number: FieldParsing.numericCode(text)
        case .date: readable(FieldParsing.date(text))
        case .decimal: readable(FieldParsing.decimal(text))
        }
    }

    /// A parsed value, or `Value.other` for text that cannot be read, which
    /// then differs from any value of ours.
    @inline(__always)
    private static func readable(_ parsed: Parsed) -> Int64 {
        parsed.isValid ? parsed.value : Value.other
    }
}
