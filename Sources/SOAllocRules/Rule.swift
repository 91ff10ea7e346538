/// What a clause gives its field when its condition holds.
public enum Yield: Sendable, Equatable {
    /// A value of the table.
    case constant(Int64)
    /// No value: the field is empty.
    case missing
    /// The value of another slot (a column of the file, or linked data).
    case copy(Slot)
    /// The value of another slot, capped.
    case capped(Slot, at: Int64)
    /// Full years from the date in the first slot to the date in the second (ruling R5).
    case age(from: Slot, to: Slot)
    /// Full years from the date in the slot to a fixed date (ruling R5).
    case ageOn(from: Slot, date: Int64)

    /// The value given, from a record's values indexed by slot.
    @inline(__always)
    func value(_ values: Span<Int64>) -> Int64 {
        values.withUnsafeBufferPointer { value($0.baseAddress!) }
    }

    @inline(__always)
    func value(_ values: UnsafePointer<Int64>) -> Int64 {
        switch self {
        case .constant(let value): value
        case .missing: Value.missing
        case .copy(let slot): values[slot.rawValue]
        case .capped(let slot, let cap): min(values[slot.rawValue], cap)
        case .age(let from, let to): Dates.fullYears(from: values[from.rawValue], to: values[to.rawValue])
        case .ageOn(let from, let date): Dates.fullYears(from: values[from.rawValue], to: date)
        }
    }
}

/// One row of a derivation table: a value, its description, and its definition.
public struct Clause: Sendable {
    public private(set) var yield: Yield
    /// The value as the table writes it (`1`, `Y_F_L`), or a phrase for a computed value.
    public let valueText: String
    /// The table's description of the row.
    public let description: String
    public let condition: Condition
    /// The data-quality check reported when this row decides the value.
    public let check: Check?
    /// True for a value of the table, read in the field's domain by `Rule`.
    private let isTableValue: Bool

    /// A row whose value is one of the table's values.
    static func value(_ text: String, _ description: String, when condition: Condition, check: Check? = nil) -> Clause {
        Clause(
            yield: .missing, valueText: text, description: description, condition: condition, check: check,
            isTableValue: true)
    }

    /// A row whose value is empty.
    static func empty(_ description: String, when condition: Condition, check: Check? = nil) -> Clause {
        Clause(
            yield: .missing, valueText: "", description: description, condition: condition, check: check,
            isTableValue: false)
    }

    /// A row whose value is computed.
    static func computed(
        _ yield: Yield, _ valueText: String, _ description: String, when condition: Condition, check: Check? = nil
    ) -> Clause {
        Clause(
            yield: yield, valueText: valueText, description: description, condition: condition, check: check,
            isTableValue: false)
    }

    fileprivate func resolved(for field: Slot) -> Clause {
        var clause = self
        if isTableValue { clause.yield = .constant(field.domain.constant(valueText)) }
        return clause
    }
}

/// A derived field of the technical document: an ordered table of clauses of
/// which the first that holds gives the value ("and not above").
///
/// The last clause of every rule is its "Otherwise" row, so a rule always
/// gives a value.
public struct Rule: Sendable {
    public let field: Slot
    /// What the field is, in the document's words.
    public let title: String
    /// The paragraph of the technical document that defines the field.
    public let paragraph: String
    /// The rulings (R1–R15) this rule implements.
    public let rulings: [String]
    public let clauses: [Clause]

    init(_ field: Slot, _ title: String, paragraph: String, rulings: [String] = [], _ clauses: Clause...) {
        precondition(field.isDerived)
        precondition(clauses.last?.condition.isOtherwise == true, "\(field.name) must end with its Otherwise row")
        self.field = field
        self.title = title
        self.paragraph = paragraph
        self.rulings = rulings
        self.clauses = clauses.map { $0.resolved(for: field) }
    }

    /// Every slot the rule reads, in its conditions and its values, in clause order.
    public var reads: [Slot] {
        clauses.flatMap { $0.condition.atoms.flatMap(\.reads) + $0.yield.reads }
    }

    /// The clause's label, e.g. `WAPOP = 2: Included in mature full-time …`.
    public func label(of clause: Clause) -> String {
        "\(field.name) = \(clause.valueText.isEmpty ? "(empty)" : clause.valueText): \(clause.description)"
    }
}

extension Yield {
    /// The slots the value is made from.
    public var reads: [Slot] {
        switch self {
        case .constant, .missing: []
        case .copy(let slot), .capped(let slot, _): [slot]
        case .age(let from, let to): [from, to]
        case .ageOn(let from, _): [from]
        }
    }

    /// Whether the value is worked out (an age) rather than given or copied.
    public var isCalculation: Bool {
        switch self {
        case .age, .ageOn: true
        default: false
        }
    }
}
