/// One comparison of one slot: the smallest unit a rule is made of.
///
/// An atom is plain data (no strings, no references), so the fast path can
/// hold atoms in a flat array and test them without reference counting.
/// `holds(in:)` is the only definition of what each comparison means; the
/// fast path and any explanation both call it.
public struct Atom: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        /// The value is one of the codes in `mask`.
        case member
        /// The value is none of the codes in `mask` (an empty value is none of them).
        case nonMember
        /// The value is below `a`.
        case less
        /// The value is at least `a`.
        case atLeast
        /// The value is at most `a`.
        case atMost
        /// The value is greater than `a`.
        case greater
        /// The value lies in `a...b`.
        case between
        /// The value equals `a`.
        case equal
        /// The value is missing (empty, or invalid and so treated as missing).
        case missing
        /// The value is known: neither missing nor unreadable.
        case known
        /// The value is greater than the value of slot `b`.
        case greaterThanSlot
    }

    public var slot: Slot
    public var kind: Kind
    public var a: Int64 = 0
    public var b: Int64 = 0
    /// The codes of `member` and `nonMember`: bit `v` for the value `v` (0–63).
    public var mask: UInt64 = 0

    /// Whether the atom holds for a record's values. A comparison on a missing
    /// value is false (rulings R7 and R10); only `nonMember` and `missing`
    /// hold for one.
    @inline(__always)
    public func holds(in facts: borrowing Facts) -> Bool {
        holds(facts.values.span)
    }

    /// `holds(in:)` over a record's values, indexed by slot.
    @inline(__always)
    func holds(_ values: Span<Int64>) -> Bool {
        holds(value: values[slot.rawValue], other: kind == .greaterThanSlot ? values[Int(b)] : 0)
    }

    /// `holds(in:)` over a record's values, indexed by slot, for the fast path.
    @inline(__always)
    func holds(_ values: UnsafePointer<Int64>) -> Bool {
        holds(value: values[slot.rawValue], other: kind == .greaterThanSlot ? values[Int(b)] : 0)
    }

    /// The meaning of each kind of comparison: the one definition both paths use.
    /// `other` is the value of slot `b` for `greaterThanSlot`.
    @inline(__always)
    func holds(value: Int64, other: Int64) -> Bool {
        switch kind {
        case .member: return Self.isMember(value, mask)
        case .nonMember: return !Self.isMember(value, mask)
        case .less: return Value.isKnown(value) && value < a
        case .atLeast: return Value.isKnown(value) && value >= a
        case .atMost: return Value.isKnown(value) && value <= a
        case .greater: return Value.isKnown(value) && value > a
        case .between: return Value.isKnown(value) && value >= a && value <= b
        case .equal: return Value.isKnown(value) && value == a
        case .missing: return !Value.isKnown(value)
        case .known: return Value.isKnown(value)
        case .greaterThanSlot: return Value.isKnown(value) && Value.isKnown(other) && value > other
        }
    }

    @inline(__always)
    static func isMember(_ value: Int64, _ mask: UInt64) -> Bool {
        UInt64(bitPattern: value) < 64 && (mask >> UInt64(bitPattern: value)) & 1 == 1
    }

    /// The slots this atom reads.
    public var reads: [Slot] {
        kind == .greaterThanSlot ? [slot, Slot(rawValue: Int(b))!] : [slot]
    }
}

/// A condition of a derivation table, as the document states it.
///
/// Conditions are declared once, as data. The fast path evaluates a compiled
/// copy of this tree (`Program`); an explanation walks this tree itself; both
/// test atoms with `Atom.holds(in:)`.
public indirect enum Condition: Sendable {
    /// A comparison, with its text in the document's notation.
    case test(Atom, text: String)
    /// Every condition holds. An empty list always holds ("Otherwise").
    case all([Condition])
    /// At least one condition holds.
    case any([Condition])
    /// The condition does not hold: an exclusion.
    case not(Condition)

    /// Always true: the "Otherwise" row of a table.
    public static let otherwise = Condition.all([])

    public var isOtherwise: Bool {
        if case .all(let parts) = self { parts.isEmpty } else { false }
    }

    /// The parts of the condition as a clause's conditions are listed: those
    /// of its top "all of", or the condition itself.
    public var parts: [Condition] {
        if case .all(let parts) = self { parts } else { [self] }
    }

    /// The condition in the document's notation.
    public var text: String {
        switch self {
        case .test(_, let text): text
        case .all(let parts): parts.isEmpty ? "otherwise" : parts.map(\.nestedText).joined(separator: " and ")
        case .any(let parts): parts.map(\.nestedText).joined(separator: " or ")
        case .not(let inner): "not (\(inner.text))"
        }
    }

    private var nestedText: String {
        switch self {
        case .all(let parts) where parts.count > 1: "(\(text))"
        case .any(let parts) where parts.count > 1: "(\(text))"
        default: text
        }
    }

    /// Every atom in the condition, in order.
    public var atoms: [Atom] {
        switch self {
        case .test(let atom, _): [atom]
        case .all(let parts), .any(let parts): parts.flatMap(\.atoms)
        case .not(let inner): inner.atoms
        }
    }
}

// MARK: - Declaring conditions in the document's notation

extension Condition {
    /// `SLOT = A, B, C`: the value is one of the codes.
    public static func oneOf(_ slot: Slot, _ codes: String...) -> Condition {
        .test(Atom(slot: slot, kind: .member, mask: mask(slot, codes)), text: "\(slot.name) = \(codes.joined(separator: ", "))")
    }

    /// `SLOT ≠ A, B, C`: the value is none of the codes.
    public static func noneOf(_ slot: Slot, _ codes: String...) -> Condition {
        .test(Atom(slot: slot, kind: .nonMember, mask: mask(slot, codes)), text: "\(slot.name) ≠ \(codes.joined(separator: ", "))")
    }

    /// `SLOT < n`.
    public static func below(_ slot: Slot, _ number: Int64) -> Condition {
        .test(Atom(slot: slot, kind: .less, a: scaled(slot, number)), text: "\(slot.name) < \(number)")
    }

    /// `SLOT ≥ n`.
    public static func atLeast(_ slot: Slot, _ number: Int64) -> Condition {
        .test(Atom(slot: slot, kind: .atLeast, a: scaled(slot, number)), text: "\(slot.name) ≥ \(number)")
    }

    /// `SLOT ≤ n`.
    public static func atMost(_ slot: Slot, _ number: Int64) -> Condition {
        .test(Atom(slot: slot, kind: .atMost, a: scaled(slot, number)), text: "\(slot.name) ≤ \(number)")
    }

    /// `low ≤ SLOT ≤ high`.
    public static func between(_ slot: Slot, _ low: Int64, _ high: Int64) -> Condition {
        .test(
            Atom(slot: slot, kind: .between, a: scaled(slot, low), b: scaled(slot, high)),
            text: "\(low) ≤ \(slot.name) ≤ \(high)")
    }

    /// `SLOT = n` for a number that is not a code.
    public static func equals(_ slot: Slot, _ number: Int64) -> Condition {
        .test(Atom(slot: slot, kind: .equal, a: scaled(slot, number)), text: "\(slot.name) = \(number)")
    }

    /// `DATE < 1 September 2012`: strictly before the day (ruling R7).
    public static func before(_ slot: Slot, _ date: Parameter) -> Condition {
        precondition(date.kind == .date)
        return .test(Atom(slot: slot, kind: .less, a: date.value), text: "\(slot.name) < \(date.text)")
    }

    /// `DATE ≥ 1 August 2014`: on or after the day (ruling R7).
    public static func onOrAfter(_ slot: Slot, _ date: Parameter) -> Condition {
        precondition(date.kind == .date)
        return .test(Atom(slot: slot, kind: .atLeast, a: date.value), text: "\(slot.name) ≥ \(date.text)")
    }

    /// `DATE > 31 August 2014`: after the day.
    public static func after(_ slot: Slot, _ date: Parameter) -> Condition {
        precondition(date.kind == .date)
        return .test(Atom(slot: slot, kind: .greater, a: date.value), text: "\(slot.name) > \(date.text)")
    }

    /// `DATE > OTHER DATE`.
    public static func after(_ slot: Slot, _ other: Slot) -> Condition {
        .test(
            Atom(slot: slot, kind: .greaterThanSlot, b: Int64(other.rawValue)),
            text: "\(slot.name) > \(other.name)")
    }

    /// The slot has a value; `text` says what that means.
    public static func known(_ slot: Slot, _ text: String) -> Condition {
        .test(Atom(slot: slot, kind: .known), text: text)
    }

    /// `FLAG = 0` for a flag whose table gives 1, or 0 "Otherwise": anything
    /// but 1 (0, empty, other text) is 0.
    public static func notSet(_ slot: Slot) -> Condition {
        .test(Atom(slot: slot, kind: .nonMember, mask: mask(slot, ["1"])), text: "\(slot.name) = 0 (not 1)")
    }

    /// `SLOT is missing`: empty, or invalid and so treated as missing (ruling R4).
    public static func missing(_ slot: Slot) -> Condition {
        .test(Atom(slot: slot, kind: .missing), text: "\(slot.name) is missing")
    }

    /// A yes/no indicator, in the document's words.
    public static func indicated(_ slot: Slot, _ text: String) -> Condition {
        .test(Atom(slot: slot, kind: .equal, a: 1), text: text)
    }

    /// Not excluded by `condition`.
    public static func unless(_ condition: Condition) -> Condition {
        .not(condition)
    }

    private static func mask(_ slot: Slot, _ codes: [String]) -> UInt64 {
        codes.reduce(into: UInt64(0)) { mask, code in
            let value = slot.domain.constant(code)
            precondition((0..<64).contains(value), "\(code) cannot be in a code set")
            mask |= 1 << UInt64(value)
        }
    }

    private static func scaled(_ slot: Slot, _ number: Int64) -> Int64 {
        slot.domain.constant(String(number))
    }
}
