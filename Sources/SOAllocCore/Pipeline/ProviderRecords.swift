import Foundation
import Glibc
import SOAllocRules

/// Sees each record of a run, in row order, with its derived values.
protocol RecordObserver: AnyObject {
    /// The records that follow are read by `layout`.
    func use(_ layout: Layout)
    func observe(_ record: RawRecord, _ facts: borrowing Facts) throws
}

/// Everything that handles the data records of one provider, once the layout
/// of its (first) file is known.
struct ProviderRecords {
    var file: String
    var layout: Layout
    var comparison: Comparison
    var outputs: RecordOutputs
    var facts = Facts()
    var tally = Tally()
    var cells = CellTable()
    /// HEFCE's side: its cells, from the file's own columns, and the patterns of the differences.
    var hefce: HEFCESide
    private let reconciler = Reconciler()
    /// The record with HEFCE's values in place of ours.
    private var theirs = Facts()
    var findings: Findings
    var progress: RunProgress?
    /// Sees every record with its derived values, when a comparison keeps them.
    let observer: (any RecordObserver)?
    /// The UKPRN of the first record, and whether every record has it.
    private var firstUKPRN: [UInt8]?
    private var firstUKPRNNumber = Value.missing
    private var oneUKPRN = true

    init(
        file: String, layout: Layout, place: some OutputPlace, names: Set<String>, observer: (any RecordObserver)? = nil
    ) throws {
        self.file = file
        self.layout = layout
        findings = Findings(layout: layout)
        comparison = Comparison(layout: layout)
        hefce = HEFCESide(layout: layout)
        outputs = try RecordOutputs(place: place, layout: layout, derivation: .standard, names: names)
        self.observer = observer
        observer?.use(layout)
        for (index, slot) in Slot.derived.enumerated() { tally.compared[index] = comparison.compares(slot) }
    }

    /// Reads the next file, merged into the same provider, by its own layout.
    mutating func use(_ layout: Layout, file: String) {
        self.file = file
        self.layout = layout
        findings.use(layout)
        comparison = Comparison(layout: layout)
        hefce.use(layout)
        outputs.use(layout, derivation: .standard)
        observer?.use(layout)
        for (index, slot) in Slot.derived.enumerated() where comparison.compares(slot) { tally.compared[index] = true }
    }

    /// The provider: the records' UKPRN, or nil when they have more than one.
    var provider: String? {
        oneUKPRN ? firstUKPRN.map { String(decoding: $0, as: UTF8.self) } : nil
    }

    /// Writes a STUBID_DUPLICATE finding for each record whose STUBID an
    /// earlier record has, in row order, after the records' other findings.
    /// Each record's identifiers come from the ledger's log, read once in row
    /// order: no input is read again, whatever the number of duplicates.
    mutating func reportDuplicateStubids() throws {
        let duplicates = try findings.stubids.duplicates()
        let stubid = Column.identifiers.firstIndex(of: .stubid)!
        let outputs = self.outputs
        var index = 0
        try findings.stubids.identities.forEach(rows: duplicates.lazy.map(\.row)) { row, identifiers in
            try outputs.writeFinding(
                row: row, identifiers: identifiers, check: .stubidDuplicate, field: Column.stubid.name,
                value: identifiers[stubid], detail: String(duplicates[index].firstRow))
            index += 1
        }
        tally.findings[Check.stubidDuplicate.index] += duplicates.count
    }

    /// Writes the findings about the side files' own rows, after the records':
    /// unusable qualifications, and learners no record matched.
    mutating func reportSideFileFindings(_ linked: LinkedData) throws {
        guard let quals = linked.quals else { return }
        var findings = quals.findings
        for index in linked.unmatchedLearners {
            let first = quals.learners.values[index][0]
            findings.append(
                SideFileFinding(
                    file: quals.path, line: first.line, ukprn: first.ukprn.map(String.init) ?? "",
                    learner: quals.learners.key(at: index), check: .qualsLearnerNotInFile, field: "LEARNREFNUMBER",
                    value: quals.learners.key(at: index)))
        }
        for finding in findings.sorted(by: { $0.line < $1.line }) {
            tally.findings[finding.check.index] += 1
            try outputs.writeSideFileFinding(finding)
        }
    }

    /// Writes one data record's rows to every output, from the facts its
    /// `DerivationStep` derived.
    @inline(__always)
    mutating func consume(_ record: RawRecord, _ derived: UnsafePointer<Facts>) throws {
        let row = tally.records + 1
        let ukprn = record[layout.position(of: .ukprn)!]
        var mixed = false
        if let firstUKPRN {
            if oneUKPRN && !Self.sameUKPRN(ukprn, firstUKPRN, firstNumber: firstUKPRNNumber) {
                oneUKPRN = false
                mixed = true
            }
        } else {
            firstUKPRN = Array(ukprn)
            firstUKPRNNumber = FieldParsing.numericCode(ukprn)
        }
        facts = derived.pointee
        tally.records += 1
        if tally.records & 8191 == 0 { progress?.recorded(8192) }
        cells.count(facts)
        try outputs.writeDerived(record, facts)
        try observer?.observe(record, facts)
        try outputs.writeExclusions(row: row, record, facts)
        let differing = comparison.compare(record, facts, into: &theirs)
        if differing != 0 {
            hefce.count(theirs: theirs, ours: facts)
            try reconcile(row: row, record, differing)
        }
        try findings.report(record, row: row, facts) { check, field, detail in
            tally.findings[check.index] += 1
            let (name, position): (String, Int?) =
                switch field {
                case .column(let column): (column.name, layout.position(of: column))
                case .position(let position): (layout.fieldNames[position], position)
                }
            let value = position.map { record[$0] } ?? UnsafeBufferPointer(start: nil, count: 0)
            try outputs.writeFinding(row: row, record, check: check, field: name, value: value, detail: detail)
        }
        if mixed {
            // One file is one provider's: the first record that names another UKPRN is reported.
            tally.findings[Check.ukprnMixed.index] += 1
            try outputs.writeFinding(
                row: row, record, check: .ukprnMixed, field: Column.ukprn.name, value: ukprn,
                detail: String(decoding: firstUKPRN!, as: UTF8.self))
        }
    }

    /// Writes the record's differences, each with its reason, and its
    /// movements: the cells it sits in on HEFCE's side and not on ours.
    private mutating func reconcile(row: Int, _ record: RawRecord, _ differing: UInt32) throws {
        let layout = self.layout
        let fileText: (Column) -> String? = { column in
            layout.position(of: column).map { FieldParsing.displayText(record[$0]) }
        }
        var causes = [String](repeating: "", count: Facts.ruleCount)
        var bits = differing
        while bits != 0 {
            let index = bits.trailingZeroBitCount
            bits &= bits - 1
            let slot = Slot.derived[index]
            let fileValue = record[layout.position(of: slot.column!)!]
            let reason = reconciler.reason(rule: index, ours: facts, theirs: theirs, fileText: fileText)
            tally.differences[index] += 1
            causes[index] = reason.causeText
            try outputs.writeDifference(row: row, record, field: slot, fileValue: fileValue, facts, reason: reason)
            hefce.patterns.add(
                row: row, field: slot, fileValue: FieldParsing.displayText(fileValue),
                derivedValue: slot.domain.format(facts[slot]), reason)
        }
        for place in CellPlace.all where hefce.hasSide(place.element) {
            let hefceCell = place.cell(theirs)
            let ourCell = place.cell(facts)
            guard hefceCell != ourCell else { continue }
            // The difference that moved it: the first field the place reads that differs.
            let field = place.reads.first { differing & (1 << UInt32($0.rawValue - Slot.firstDerived)) != 0 }!
            try outputs.writeMovement(
                row: row, record, element: place.element, hefceCell: hefceCell, ourCell: ourCell,
                fte: facts[.hefesfte], field: field, cause: causes[field.rawValue - Slot.firstDerived])
            hefce.movements += 1
        }
    }

    /// Whether two UKPRNs are the same: as numbers when both are all digits
    /// (ruling R3: `010000001` is `10000001`), else byte for byte.
    @inline(__always)
    static func sameUKPRN(_ ukprn: UnsafeBufferPointer<UInt8>, _ first: [UInt8], firstNumber: Int64) -> Bool {
        let number = FieldParsing.numericCode(ukprn)
        if Value.isKnown(number) && Value.isKnown(firstNumber) { return number == firstNumber }
        return ukprn.elementsEqual(first)
    }
}
