import SOAllocRules

/// The quals file (`--quals FILE`): each learner's qualifications on entry.
///
/// Columns by name: LEARNREFNUMBER (required), QUALTYPE, QUALSBJ, QUALGRADE
/// (required), UKPRN and TARIFF (optional). A row whose UKPRN is given
/// applies only to records with that UKPRN.
public struct QualsFile: Sendable {
    public let path: String
    /// Each learner's qualifications in file order, keyed by LEARNREFNUMBER.
    public private(set) var learners = ByteKeyedTable<[Qualification]>()
    /// Rows whose values could not be used as written.
    public private(set) var findings: [SideFileFinding] = []

    /// The columns read, by name.
    static let columns = (required: ["LEARNREFNUMBER", "QUALTYPE", "QUALSBJ", "QUALGRADE"], optional: ["UKPRN", "TARIFF"])

    public init(path: String, table: TariffTable) throws {
        self.path = path
        var file = SideFile(path: path)
        var learners = ByteKeyedTable<[Qualification]>()
        var findings: [SideFileFinding] = []
        try file.read(
            required: Self.columns.required, optional: Self.columns.optional
        ) { record, number, file in
            let learner = file.field(record, "LEARNREFNUMBER")
            guard !learner.isEmpty else {
                throw file.error(record, number, column: "LEARNREFNUMBER", "the learner reference is empty")
            }
            func text(_ column: String) -> String { String(decoding: file.field(record, column), as: UTF8.self) }

            var ukprn: Int64?
            if !file.field(record, "UKPRN").isEmpty {
                let value = FieldParsing.numericCode(file.field(record, "UKPRN"))
                guard Value.isKnown(value) else {
                    throw file.error(record, number, column: "UKPRN", "'\(TerminalText.escape(file.field(record, "UKPRN")))' is not a UKPRN")
                }
                ukprn = value
            }
            var tariff: Int?
            if !file.field(record, "TARIFF").isEmpty {
                let parsed = FieldParsing.integer(file.field(record, "TARIFF"))
                guard parsed.isValid, parsed.value <= 1_000_000 else {
                    throw file.error(
                        record, number, column: "TARIFF", "'\(TerminalText.escape(file.field(record, "TARIFF")))' is not a whole number of tariff points")
                }
                tariff = Int(parsed.value)
            }
            let typeText = text("QUALTYPE").uppercased()
            let qualification = Qualification(
                line: record.line, ukprn: ukprn, type: QualificationType(rawValue: typeText), typeText: text("QUALTYPE"),
                subject: text("QUALSBJ").trimmingSpaces().uppercased(), gradeText: text("QUALGRADE"), tariff: tariff)

            let finding = { (check: Check, column: String, value: String) in
                SideFileFinding(
                    file: file.path, line: record.line, ukprn: text("UKPRN"), learner: text("LEARNREFNUMBER"),
                    check: check, field: column, value: value)
            }
            if qualification.type == nil {
                findings.append(finding(.qualtypeUnknown, "QUALTYPE", qualification.typeText))
            } else if !EntryQualifications.isGradeable(qualification, table) {
                findings.append(finding(.qualgradeUngradeable, "QUALGRADE", qualification.gradeText))
            }
            let (index, inserted) = learners.insert(learner, [qualification])
            if !inserted { learners.update(at: index) { $0.append(qualification) } }
        }
        self.learners = learners
        self.findings = findings
    }
}

/// A finding about a row of a side file, rather than a record of the main file.
public struct SideFileFinding: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var ukprn: String
    public var learner: String
    public var check: Check
    public var field: String
    public var value: String
}

/// The linked data of a run, set into each record's facts before deriving:
/// SOTARIFF, SOGRADECOMB and the indicators from `--quals`, and the
/// quintiles of the record's postcode from `--postcodes`.
struct LinkedData {
    let quals: QualsFile?
    let postcodes: PostcodeLookup?
    let table: TariffTable
    private var learnerPosition: Int
    private var ukprnPosition: Int
    private var postcodePosition: Int?
    /// Per learner of the quals file: the UKPRN the entry was derived for, and the entry.
    private var entries: [(ukprn: Int64, entry: LinkedEntry)?]

    init(quals: QualsFile?, postcodes: PostcodeLookup?, table: TariffTable, layout: Layout) {
        self.quals = quals
        self.postcodes = postcodes
        self.table = table
        learnerPosition = layout.position(of: .learnrefnumber)!
        ukprnPosition = layout.position(of: .ukprn)!
        postcodePosition = layout.position(of: .postcodeprior)
        entries = Array(repeating: nil, count: quals?.learners.count ?? 0)
    }

    /// Reads the next records by another file's layout (files merged into one provider).
    mutating func use(_ layout: Layout) {
        learnerPosition = layout.position(of: .learnrefnumber)!
        ukprnPosition = layout.position(of: .ukprn)!
        postcodePosition = layout.position(of: .postcodeprior)
    }

    /// Learners of the quals file that no record matched.
    var unmatchedLearners: [Int] { entries.indices.filter { entries[$0] == nil } }

    /// Sets the linked slots of `facts` for `record`.
    @inline(__always)
    mutating func apply(_ record: RawRecord, to facts: inout Facts) {
        facts[.postcodeLookup] = postcodes == nil ? 0 : 1
        if let postcodes {
            let quintiles = postcodePosition.flatMap { postcodes.quintiles(of: record[$0]) }
            facts[.postcodePOLAR3] = quintiles?.polar3 ?? Value.missing
            facts[.postcodeAttainment] = quintiles?.attainment ?? Value.missing
        } else {
            facts[.postcodePOLAR3] = Value.missing
            facts[.postcodeAttainment] = Value.missing
        }

        guard let quals, let index = quals.learners.index(of: record[learnerPosition]),
            let entry = entry(index, ukprn: FieldParsing.numericCode(record[ukprnPosition]))
        else {
            facts[.linkedSOTARIFF] = Value.missing
            facts[.linkedSOGRADECOMB] = Value.missing
            facts[.linkedIB] = 0
            facts[.linkedBTEC] = 0
            facts[.linkedAccess] = 0
            return
        }
        facts[.linkedSOTARIFF] = entry.tariff
        facts[.linkedSOGRADECOMB] = entry.gradeCombination
        facts[.linkedIB] = entry.ib ? 1 : 0
        facts[.linkedBTEC] = entry.btec ? 1 : 0
        facts[.linkedAccess] = entry.access ? 1 : 0
    }

    /// The entry of quals learner `index` for a record with `ukprn`: from the
    /// rows without a UKPRN and those with this one; nil when there are none.
    private mutating func entry(_ index: Int, ukprn: Int64) -> LinkedEntry? {
        if let cached = entries[index], cached.ukprn == ukprn { return cached.entry }
        let rows = quals!.learners.values[index].filter { $0.ukprn == nil || $0.ukprn == ukprn }
        guard !rows.isEmpty else { return nil }
        let entry = EntryQualifications.derive(rows, table)
        entries[index] = (ukprn, entry)
        return entry
    }
}
