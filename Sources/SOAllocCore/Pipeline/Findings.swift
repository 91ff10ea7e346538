import SOAllocRules

/// The data-quality findings of each record: text the rules could not read
/// (rulings R4, R6, R9–R11), rule clauses that report a check, and the
/// credibility checks of the record as a whole (dates, codes, FTE, required
/// values). Duplicate STUBIDs are found once every record has been read
/// (`StubidLedger`). A finding never stops the run.
struct Findings {
    /// The checks each rule's clauses report, by rule and clause.
    private static let clauseChecks: [[Check?]] = Derivation.rules.map { $0.clauses.map(\.check) }

    /// The input slots whose invalid text is a finding, with their check.
    private static let textChecks: [(slot: Slot, check: Check)] = Slot.allCases.compactMap { slot in
        Check.invalidText(in: slot).map { (slot, $0) }
    }

    /// Required columns whose emptiness is a finding of its own. An empty
    /// HEFESFTE is already HEFESFTE_NOT_NUMERIC; an empty LEARNFAMCODE_DLA
    /// means the learner has no DSA.
    private static let requiredColumns = Column.allCases.filter {
        $0.isRequired && $0 != .hefesfte && $0 != .learnfamcodeDLA
    }

    /// Whether the record is ASCII without NUL: then no field needs its text
    /// checked. The record's fields are back to back; eight bytes are tested
    /// at a time (a NUL byte, or one with its high bit set).
    @inline(__always)
    static func isPlainText(_ record: RawRecord) -> Bool {
        guard record.count > 0 else { return true }
        var index = record.bounds[0]
        let end = record.bounds[2 * record.count - 1]
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index &+ 8 <= end {
            let word = UnsafeRawPointer(record.bytes + index).loadUnaligned(as: UInt64.self)
            if (word | ((word &- ones) & ~word)) & highs != 0 { return false }
            index &+= 8
        }
        while index < end {
            let byte = record.bytes[index]
            if byte == 0 || byte >= 0x80 { return false }
            index &+= 1
        }
        return true
    }

    private var requiredPositions: [(column: Column, position: Int)]
    private var qualent3Position: Int
    private var domicilePosition: Int
    private var mstufeePosition: Int
    private var stubidPosition: Int
    /// The positions of `Column.identifiers`, logged with each STUBID.
    private let identifierPositions: [Int]
    private var hefesftePosition: Int
    /// Each STUBID seen, for the duplicate check at the end.
    private(set) var stubids = StubidLedger()
    /// The last code looked up in each list, with its status: records repeat codes.
    private var codeCache = CodeCache()

    struct CodeCache {
        var keys: [(UInt64, UInt64)] = Array(repeating: (0, 0), count: 3)
        var statuses: [CodeList.Status] = Array(repeating: .empty, count: 3)

        @inline(__always)
        mutating func status(_ list: CodeList, _ index: Int, _ code: UnsafeBufferPointer<UInt8>) -> CodeList.Status {
            guard let key = Vocabulary.key(code), key != (0, 0) else { return list.status(of: code) }
            if keys[index] == key { return statuses[index] }
            let status = list.status(of: code)
            keys[index] = key
            statuses[index] = status
            return status
        }
    }

    init(layout: Layout) {
        requiredPositions = Self.requiredColumns.map { ($0, layout.position(of: $0)!) }
        qualent3Position = layout.position(of: .qualent3)!
        domicilePosition = layout.position(of: .domicile)!
        mstufeePosition = layout.position(of: .mstufee)!
        stubidPosition = layout.position(of: .stubid)!
        identifierPositions = Column.identifiers.map { layout.position(of: $0)! }
        hefesftePosition = layout.position(of: .hefesfte)!
    }

    /// Reads the next file's records by its layout, keeping the STUBIDs seen
    /// (files merged into one provider).
    mutating func use(_ layout: Layout) {
        let stubids = self.stubids
        self = Findings(layout: layout)
        self.stubids = stubids
    }

    /// A field a finding names: a known column, or any field by position.
    enum Field {
        case column(Column)
        case position(Int)
    }

    /// Calls `finding` with each check the record fails, the field it
    /// concerns, and what the check found besides the field's text.
    @inline(__always)
    mutating func report(
        _ record: RawRecord, row: Int, _ facts: borrowing Facts, finding report: (Check, Field, String) throws -> Void
    ) throws {
        func finding(_ check: Check, _ column: Column, _ detail: String) throws { try report(check, .column(column), detail) }
        if !Self.isPlainText(record) {
            for position in 0..<record.count {
                switch FieldParsing.quality(of: record[position]) {
                case .plain: break
                case .nul: try report(.textNul, .position(position), "")
                case .notUTF8: try report(.textNotUTF8, .position(position), "")
                }
            }
        }
        if facts.invalid != 0 {
            for (slot, check) in Self.textChecks where facts.isInvalid(slot) {
                // An HEFESFTE that is a number, but outside 0–100, is out of range rather than not numeric.
                let outOfRange = slot == .hefesfte && FieldParsing.isOutOfRangeNumber(record[hefesftePosition])
                try finding(outOfRange ? .hefesfteOutOfRange : check, slot.column!, "")
            }
        }
        for (ruleIndex, checks) in Self.clauseChecks.enumerated() {
            if let check = checks[Int(facts.decidedBy[ruleIndex])] { try finding(check, check.clauseColumn!, "") }
        }

        let birth = facts[.dateofbirth]
        let start = facts[.learnstartdate]
        if Value.isKnown(birth) && Value.isKnown(start) && birth <= start {
            let age = facts[.soentryage]
            if age < 14 || age > 100 { try finding(.ageOutOfRange, .dateofbirth, String(age)) }
        }
        let plannedEnd = facts[.learnplanenddate]
        if Value.isKnown(start) && Value.isKnown(plannedEnd) && start > plannedEnd {
            try finding(.startAfterPlannedEnd, .learnplanenddate, Dates.format(start))
        }
        try checkCode(codeCache.status(CodeList.qualent3, 0, record[qualent3Position]), .qualent3, finding)
        try checkCode(codeCache.status(CodeList.domicile, 1, record[domicilePosition]), .domicile, finding)
        try checkCode(codeCache.status(CodeList.mstufee, 2, record[mstufeePosition]), .mstufee, finding)
        for (column, position) in requiredPositions where record[position].isEmpty {
            try finding(.requiredEmpty, column, "")
        }
        let stubid = record[stubidPosition]
        if !stubid.isEmpty { try stubids.add(stubid, row: row, identifiers: record, at: identifierPositions) }
    }

    @inline(__always)
    private func checkCode(
        _ status: CodeList.Status, _ column: Column, _ finding: (Check, Column, String) throws -> Void
    ) throws {
        switch status {
        case .valid, .empty: break
        case .unknown: try finding(.codeUnknown, column, "")
        case .expired(let last): try finding(.codeNotValid, column, Dates.format(last))
        }
    }
}
