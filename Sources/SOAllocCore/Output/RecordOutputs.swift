import SOAllocRules

/// The per-record output files: `derived.csv` (ruling R14), `differences.csv`
/// (ruling R15) with each difference's reason, `credibility.csv`,
/// `exclusions.csv`, and `movements.csv`. Each row starts with
/// the record's identifiers, copied from the file after trimming. Every text
/// copied from an input goes through `CSVOutput.textField`, which keeps a
/// spreadsheet from reading it as a formula.
struct RecordOutputs {
    static let names = ["derived.csv", "differences.csv", "credibility.csv", "exclusions.csv", "movements.csv"]
    static let derivedHeader = Column.identifiers.map(\.name) + Slot.derived.map(\.name)
    static let differencesHeader =
        ["ROW"] + Column.identifiers.map(\.name)
        + ["FIELD", "FILE_VALUE", "DERIVED_VALUE", "CAUSE", "OUR_CLAUSE", "HEFCE_NEEDS"]
    static let movementsHeader =
        ["ROW"] + Column.identifiers.map(\.name) + ["ELEMENT", "HEFCE_CELL", "OUR_CELL", "FTE", "FIELD", "CAUSE"]
    static let credibilityHeader =
        ["ROW"] + Column.identifiers.map(\.name) + ["FIELD", "VALUE", "SEVERITY", "CHECK", "MESSAGE"]

    /// Each file, or nil when the run is not asked for it (`--outputs`): nothing is written for it.
    let derived: CSVOutput?
    let differences: CSVOutput?
    let credibility: CSVOutput?
    let exclusions: CSVOutput?
    let movements: CSVOutput?
    private var reasons: Exclusions
    private var scratch: [UInt8] = []
    private var identifierPositions: [Int]

    /// Opens the files of `names` (others are not written) in `place`.
    init(place: some OutputPlace, layout: Layout, derivation: Derivation, names: Set<String>) throws {
        func open(_ name: String, _ header: [String]) throws -> CSVOutput? {
            guard names.contains(name) else { return nil }
            let output = try CSVOutput(path: place.path(of: name))
            try output.row(header)
            return output
        }
        derived = try open("derived.csv", Self.derivedHeader)
        differences = try open("differences.csv", Self.differencesHeader)
        credibility = try open("credibility.csv", Self.credibilityHeader)
        exclusions = try open("exclusions.csv", Exclusions.header)
        movements = try open("movements.csv", Self.movementsHeader)
        reasons = Exclusions(derivation: derivation, layout: layout)
        identifierPositions = Column.identifiers.map { layout.position(of: $0)! }
    }

    /// Reads the next records by another file's layout (files merged into one provider).
    mutating func use(_ layout: Layout, derivation: Derivation) {
        reasons = Exclusions(derivation: derivation, layout: layout)
        identifierPositions = Column.identifiers.map { layout.position(of: $0)! }
    }

    /// The files written, in `names` order.
    func finish() throws -> [OutputFile] {
        try [derived, differences, credibility, exclusions, movements].compactMap { try $0?.finish() }
    }

    /// One row of `exclusions.csv`.
    @inline(__always)
    mutating func writeExclusions(row: Int, _ record: RawRecord, _ facts: borrowing Facts) throws {
        guard let exclusions else { return }
        try exclusions.field(Int64(row))
        try identifiers(record, to: exclusions)
        try reasons.write(record, facts, to: exclusions, scratch: &scratch)
        try exclusions.endRow()
    }

    @inline(__always)
    private func identifiers(_ record: RawRecord, to output: CSVOutput) throws {
        for position in identifierPositions { try output.textField(record[position]) }
    }

    /// One row of `derived.csv`.
    @inline(__always)
    func writeDerived(_ record: RawRecord, _ facts: borrowing Facts) throws {
        guard let derived else { return }
        try identifiers(record, to: derived)
        let text = ValueText.derived
        for index in 0..<Facts.ruleCount {
            try text.write(facts.values[Slot.firstDerived &+ index], field: index, to: derived)
        }
        try derived.endRow()
    }

    /// One row of `differences.csv`.
    func writeDifference(
        row: Int, _ record: RawRecord, field slot: Slot, fileValue: UnsafeBufferPointer<UInt8>,
        _ facts: borrowing Facts, reason: DifferenceReason
    ) throws {
        guard let differences else { return }
        try differences.field(Int64(row))
        try identifiers(record, to: differences)
        try differences.field(slot.name)
        try differences.textField(fileValue)
        try ValueText.derived.write(facts[slot], field: slot.rawValue - Slot.firstDerived, to: differences)
        try differences.field(reason.causeText)
        try differences.textField(reason.ourClause)
        try differences.textField(reason.hefceNeeds.text)
        try differences.endRow()
    }

    /// One row of `movements.csv`: a record in a different cell of `element`
    /// on HEFCE's side and on ours (empty: in none), because `field` differs,
    /// with the FTE it carries (HEFESFTE / 100, exact, as the cells count it).
    func writeMovement(
        row: Int, _ record: RawRecord, element: Element, hefceCell: Int?, ourCell: Int?, fte: Int64, field: Slot,
        cause: String
    ) throws {
        guard let movements else { return }
        try movements.field(Int64(row))
        try identifiers(record, to: movements)
        try movements.field(element.name)
        for cell in [hefceCell, ourCell] {
            if let cell { try movements.field(Cell.all[cell].name) } else { try movements.emptyField() }
        }
        try movements.field(CellTable.fte(millionths: fte).exact(minimumPlaces: 2))
        try movements.field(field.name)
        try movements.field(cause)
        try movements.endRow()
    }

    /// One row of `credibility.csv`.
    func writeFinding(
        row: Int, _ record: RawRecord, check: Check, field: String, value: UnsafeBufferPointer<UInt8>, detail: String
    ) throws {
        try writeFinding(row: row, check: check, field: field, value: value, detail: detail) {
            try identifiers(record, to: $0)
        }
    }

    /// One row of `credibility.csv` for a record whose identifiers (the
    /// fields of `Column.identifiers`) were kept apart from it.
    func writeFinding(
        row: Int, identifiers: [UnsafeBufferPointer<UInt8>], check: Check, field: String,
        value: UnsafeBufferPointer<UInt8>, detail: String
    ) throws {
        try writeFinding(row: row, check: check, field: field, value: value, detail: detail) { output in
            for identifier in identifiers { try output.textField(identifier) }
        }
    }

    private func writeFinding(
        row: Int, check: Check, field: String, value: UnsafeBufferPointer<UInt8>, detail: String,
        identifiers: (CSVOutput) throws -> Void
    ) throws {
        guard let credibility else { return }
        let text = FieldParsing.displayText(value)
        try credibility.field(Int64(row))
        try identifiers(credibility)
        try credibility.textField(field)
        try credibility.textField(text)
        try credibility.field(check.severity.rawValue)
        try credibility.field(check.rawValue)
        try credibility.textField(check.message(field: field, value: text, detail: detail))
        try credibility.endRow()
    }

    /// One row of `credibility.csv` about a side file's row rather than a record:
    /// ROW, AIMSEQNUMBER and STUBID are empty, and the message names the line.
    func writeSideFileFinding(_ finding: SideFileFinding) throws {
        guard let credibility else { return }
        let name = String(finding.file.split(separator: "/").last ?? "")
        try credibility.emptyField()
        try credibility.textField(finding.ukprn)
        try credibility.textField(finding.learner)
        try credibility.emptyField()
        try credibility.emptyField()
        try credibility.textField(finding.field)
        try credibility.textField(finding.value)
        try credibility.field(finding.check.severity.rawValue)
        try credibility.field(finding.check.rawValue)
        try credibility.textField(
            "\(name) line \(finding.line): " + finding.check.message(field: finding.field, value: finding.value))
        try credibility.endRow()
    }
}

/// How each derived field's values are written, as flat tables: a code's
/// name is copied from one byte array, a number is written in decimal.
final class ValueText: @unchecked Sendable {
    static let derived = ValueText(Slot.derived)

    /// Per field: the range in `names` of its codes' names, or an empty range for numbers.
    private let codes: UnsafeBufferPointer<Range<Int32>>
    /// Each name's range in `bytes`.
    private let names: UnsafeBufferPointer<Range<Int32>>
    private let bytes: UnsafeBufferPointer<UInt8>

    init(_ slots: [Slot]) {
        var codes: [Range<Int32>] = []
        var names: [Range<Int32>] = []
        var bytes: [UInt8] = []
        for slot in slots {
            let first = Int32(names.count)
            if case .code(let vocabulary) = slot.domain {
                for name in vocabulary.names {
                    let start = Int32(bytes.count)
                    bytes += Array(name.utf8)
                    names.append(start..<Int32(bytes.count))
                }
            }
            codes.append(first..<Int32(names.count))
        }
        func buffer<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
            let pointer = UnsafeMutableBufferPointer<T>.allocate(capacity: array.count)
            _ = pointer.initialize(from: array)
            return UnsafeBufferPointer(pointer)
        }
        self.codes = buffer(codes)
        self.names = buffer(names)
        self.bytes = buffer(bytes)
    }

    deinit {
        codes.deallocate()
        names.deallocate()
        bytes.deallocate()
    }

    /// Writes value `value` of field `field` (its position in the slots): empty when missing.
    @inline(__always)
    func write(_ value: Int64, field: Int, to output: CSVOutput) throws {
        if value == Value.missing {
            try output.emptyField()
            return
        }
        let codes = self.codes[field]
        if codes.isEmpty {
            try output.field(value)
        } else {
            let name = names[Int(codes.lowerBound) + Int(value)]
            try output.plainField(UnsafeBufferPointer(rebasing: bytes[Int(name.lowerBound)..<Int(name.upperBound)]))
        }
    }
}
