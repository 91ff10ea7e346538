import Foundation
import Glibc
import SOAllocRules

/// What `soalloc anonymise` is asked to do.
public struct AnonymiseOptions: Sendable {
    /// The individualised file to anonymise.
    public var input: String
    /// The anonymised individualised file to write.
    public var output: String
    /// The key file; nil for a random key that is not kept.
    public var keyFile: String?
    /// The method file, whose tariff table scores the quals file.
    public var method: String?
    /// A quals file to pseudonymise with the same key.
    public var quals: String?
    /// A postcode lookup to pseudonymise with the same key.
    public var postcodes: String?

    public init(
        input: String, output: String, keyFile: String? = nil, method: String? = nil, quals: String? = nil,
        postcodes: String? = nil
    ) {
        self.input = input
        self.output = output
        self.keyFile = keyFile
        self.method = method
        self.quals = quals
        self.postcodes = postcodes
    }

    /// Where a pseudonymised side file goes: beside the output, named after it
    /// (`OUT.ind` gives `OUT.quals.csv`).
    public func sideOutput(_ kind: String) -> String {
        let name = output.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? output
        let folder = String(output.dropLast(name.count))
        let stem = name.hasSuffix(".ind") ? String(name.dropLast(4)) : name
        return "\(folder)\(stem).\(kind).csv"
    }
}

/// What an anonymisation did, and whether it kept every outcome.
public struct AnonymiseReport: Sendable {
    public var records: Int
    /// Records whose every derived field is the same in both files.
    public var preserved: Int
    /// The first records (by number) whose derived fields differ.
    public var differing: [Int]
    /// Whether the cell tables are the same: the allocations are made from
    /// them alone, under the same method, so they are the same too.
    public var cellsPreserved: Bool
    /// Dates of birth left as they were, because no other date keeps the ages.
    public var unchangedBirthDates: Int
    /// The files written (none when an outcome changed).
    public var outputs: [String]
    /// The key file, when one was asked for and created by this run.
    public var createdKeyFile: String?

    public var isPreserved: Bool { preserved == records && cellsPreserved }
}

/// Makes an individualised file that can be shared: its identifiers
/// replaced by keyed pseudonyms, postcodes emptied and dates of birth moved,
/// with every outcome unchanged, and checked to be so.
///
/// The file is read three times, streamed each time: once to derive every
/// record and find, for each learner's date of birth, the dates that give
/// the same derived values; once to write the anonymised file; and once to
/// derive that file and compare it record by record with the first.
public enum Anonymise {
    /// The columns replaced by identifier pseudonyms.
    static let identifiers: [Column] = [.learnrefnumber, .numhus, .stubid]

    /// How far a date of birth may move, in days, each way.
    static let window = 366

    /// The text written for a date of birth that is not a date: any such text
    /// derives the same, and the original might say something about the learner.
    static let notADate = Array("00/00/0000".utf8)

    public static func execute(_ options: AnonymiseOptions) throws -> AnonymiseReport {
        let method = try Method.load(options.method)
        let sideFiles = try SideFiles(quals: options.quals, postcodes: options.postcodes, method: method)
        try InputFiles.checkReadable([options.input])
        let paths = [options.output] + (options.quals.map { _ in [options.sideOutput("quals")] } ?? [])
            + (options.postcodes.map { _ in [options.sideOutput("postcodes")] } ?? [])
        let inputs = [options.input, options.keyFile, options.method, options.quals, options.postcodes].compactMap {
            $0.map(OutputSafety.resolved)
        }
        if let clash = paths.first(where: { inputs.contains(OutputSafety.resolved($0)) }) {
            throw Failure.usage("\(clash): an output would replace an input")
        }
        // A new key file is written only when the outputs are, so a failed run leaves none.
        let existingKey = try options.keyFile.flatMap { try PseudonymKey.read($0) }
        if let keyFile = options.keyFile, existingKey == nil { try PseudonymKey.checkCreatable(keyFile) }
        let key = existingKey ?? PseudonymKey.random()
        let pseudonyms = Pseudonyms(key)

        // 1. Derive every record; note the dates each date of birth may move to.
        let original = try derive(options.input, sideFiles: sideFiles, births: true)

        // 2. Write the anonymised files beside the output, moved into place only at the end.
        let files = try OutputFiles(paths)
        do {
            var births = original.births
            try writeFile(options.input, to: files.path(of: options.output), pseudonyms, &births,
                withPostcodes: options.postcodes != nil)
            var anonymisedSideFiles = SideFiles(tariff: sideFiles.tariff)
            if let quals = options.quals {
                let path = files.path(of: options.sideOutput("quals"))
                try writeSideFile(quals, to: path, columns: QualsFile.columns, replacing: "LEARNREFNUMBER") {
                    pseudonyms.identifier(Column.learnrefnumber.name, $0)
                }
                anonymisedSideFiles.quals = try QualsFile(path: path, table: sideFiles.tariff)
            }
            if let postcodes = options.postcodes {
                let path = files.path(of: options.sideOutput("postcodes"))
                try writeSideFile(postcodes, to: path, columns: PostcodeLookup.columns, replacing: "POSTCODE") {
                    pseudonyms.postcode($0)
                }
                anonymisedSideFiles.postcodes = try PostcodeLookup(path: path)
            }

            // 3. Derive the anonymised file and compare.
            let anonymised = try derive(
                files.path(of: options.output), sideFiles: anonymisedSideFiles, births: false,
                compareWith: original.fingerprints)
            var report = AnonymiseReport(
                records: original.fingerprints.count,
                preserved: anonymised.fingerprints.count == original.fingerprints.count ? anonymised.matching : 0,
                differing: anonymised.differing, cellsPreserved: anonymised.cells == original.cells,
                unchangedBirthDates: births.unchanged, outputs: [], createdKeyFile: nil)
            guard report.isPreserved else {
                files.discard()
                return report
            }
            if let keyFile = options.keyFile, existingKey == nil {
                try key.write(to: keyFile)
                report.createdKeyFile = keyFile
            }
            do {
                try files.commit()
            } catch {
                if let created = report.createdKeyFile { unlink(created) }
                throw error
            }
            report.outputs = paths
            return report
        } catch {
            files.discard()
            throw files.naming(error)
        }
    }

    /// A file's records derived: a fingerprint of each one's derived values
    /// and deciding clauses, its cell tables and, when asked, the dates each
    /// learner's date of birth may move to.
    struct Derived {
        var fingerprints: [UInt64] = []
        var cells = CellTable()
        var births = BirthDates()
        /// Records whose fingerprint equals that of the same record in the file compared with.
        var matching = 0
        var differing: [Int] = []
    }

    static func derive(
        _ file: String, sideFiles: SideFiles, births: Bool, compareWith expected: [UInt64]? = nil
    ) throws -> Derived {
        var result = Derived()
        var layout: Layout!
        let stage = DerivationStep(sideFiles: sideFiles)
        try RecordStream.reading(file) { stream in
            try stream.forEach(
                prepare: stage.prepare, layout: { found, _ in layout = found },
                record: { record, number, facts in
                    let facts = facts!
                    let fingerprint = outcome(facts.pointee)
                result.fingerprints.append(fingerprint)
                result.cells.count(facts.pointee)
                if let expected {
                    if number <= expected.count && expected[number - 1] == fingerprint {
                        result.matching += 1
                    } else if result.differing.count < 10 {
                        result.differing.append(number)
                    }
                }
                    if births { result.births.note(record, facts.pointee, layout: layout) }
                })
        }
        return result
    }

    /// A fingerprint of a record's outcome: every derived value, and the
    /// clause that decided it.
    static func outcome(_ facts: borrowing Facts) -> UInt64 {
        var hasher = Hasher()
        for slot in Slot.derived { hasher.combine(facts[slot]) }
        for index in 0..<facts.decidedBy.count { hasher.combine(facts.decidedBy[index]) }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// Writes the anonymised individualised file: the columns soalloc reads,
    /// as they were but for the identifiers, the postcode and the date of
    /// birth. Columns it does not read are left out: they might hold anything.
    private static func writeFile(
        _ input: String, to path: String, _ pseudonyms: Pseudonyms, _ births: inout BirthDates, withPostcodes: Bool
    ) throws {
        let output = try CSVOutput(path: path)
        var layout: Layout?
        /// Per column written: its position in the input, and the column when it is replaced.
        var columns: [(position: Int, replaced: Column?)] = []
        let replacedColumns = identifiers + [.uln, .postcodeprior, .dateofbirth]
        try RecordStream.reading(input) { stream in
            try stream.forEach(
                layout: { found, first in
                    layout = found
                    columns = Column.allCases.compactMap { column in
                        found.position(of: column).map { ($0, replacedColumns.contains(column) ? column : nil) }
                    }.sorted { $0.position < $1.position }
                    if found.hasHeader {
                        for column in columns { try output.field(first[column.position]) }
                        try output.endRow()
                    }
                },
                record: { record, _, _ in
                    for (position, replaced) in columns {
                        let value = record[position]
                        guard let replaced else {
                            try output.field(value)
                            continue
                        }
                        let replacement: [UInt8] =
                            switch replaced {
                            case .uln: pseudonyms.uln(value)
                            case .postcodeprior: withPostcodes ? pseudonyms.postcode(value) : []
                            case .dateofbirth: births.replacement(record, layout: layout!, pseudonyms)
                            case .stubid: pseudonyms.stubid(value)
                            default: pseudonyms.identifier(replaced.name, value)
                            }
                        try replacement.withUnsafeBufferPointer { try output.field($0) }
                    }
                    try output.endRow()
                })
        }
        _ = try output.finish()
    }

    /// Writes a side file: the `columns` soalloc reads, with the values of
    /// `column` replaced; other columns are left out.
    private static func writeSideFile(
        _ input: String, to path: String, columns: (required: [String], optional: [String]), replacing column: String,
        _ replace: (UnsafeBufferPointer<UInt8>) -> [UInt8]
    ) throws {
        let output = try CSVOutput(path: path)
        var file = SideFile(path: input)
        var kept: [Int] = []
        try file.read(
            required: columns.required, optional: columns.optional,
            header: { record, file in
                kept = (0..<record.count).filter { file.positions.values.contains($0) }
                for index in kept { try output.field(record[index]) }
                try output.endRow()
            }
        ) { record, _, file in
            let position = file.positions[column]!
            for index in kept {
                if index == position {
                    try replace(record[index]).withUnsafeBufferPointer { try output.field($0) }
                } else {
                    try output.field(record[index])
                }
            }
            try output.endRow()
        }
        _ = try output.finish()
    }
}

/// For each learner and date of birth, the dates of birth that give every
/// one of the learner's records the same derived values and deciding
/// clauses: an interval of days around the original.
///
/// Ages, and whether the birth is after the start, change only one way as
/// the date of birth moves, so the dates that keep every outcome are an
/// interval; its ends are found by bisection, deriving the record again
/// with the same rules.
struct BirthDates {
    /// Per learner and date of birth (a fingerprint of both): the first and
    /// last day (day numbers) of the interval.
    private var intervals: [UInt64: (first: Int, last: Int)] = [:]
    private(set) var unchanged = 0

    /// The fingerprint of a record's learner and date of birth (`yyyymmdd`,
    /// however the file writes it).
    private static func key(_ record: RawRecord, birth: Int64, layout: Layout) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(record[layout.position(of: .learnrefnumber)!]))
        hasher.combine(birth)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// The dates a date of birth can be written as: years 1 to 9999.
    static let readable = Dates.dayNumber(10101)...Dates.dayNumber(99_991_231)

    /// Narrows the learner's interval to the dates that keep the outcome of
    /// this record, whose facts are `derived`: each candidate date is tried by
    /// deriving a copy of them again, with the same rules.
    mutating func note(_ record: RawRecord, _ derived: Facts, layout: Layout) {
        let birth = derived[.dateofbirth]
        guard Value.isKnown(birth) else { return }
        let original = Anonymise.outcome(derived)
        let day = Dates.dayNumber(birth)
        func keeps(_ offset: Int) -> Bool {
            guard Self.readable.contains(day + offset) else { return false }
            var facts = derived
            facts[.dateofbirth] = Dates.date(dayNumber: day + offset)
            Derivation.standard.derive(&facts)
            return Anonymise.outcome(facts) == original
        }
        // The furthest offset each way that keeps the outcome, by bisection.
        func reach(_ direction: Int) -> Int {
            var kept = 0
            var lost = Anonymise.window + 1
            while lost - kept > 1 {
                let middle = (kept + lost) / 2
                if keeps(direction * middle) { kept = middle } else { lost = middle }
            }
            return kept
        }
        let interval = (first: day - reach(-1), last: day + reach(1))
        let key = Self.key(record, birth: birth, layout: layout)
        if let earlier = intervals[key] {
            intervals[key] = (max(earlier.first, interval.first), min(earlier.last, interval.last))
        } else {
            intervals[key] = interval
        }
    }

    /// The date of birth to write for a record: another day of its learner's
    /// interval, chosen under the key, in the format of the original (the
    /// original only when the interval has no other day). Empty stays empty;
    /// text that is not a date becomes `00/00/0000`.
    mutating func replacement(_ record: RawRecord, layout: Layout, _ pseudonyms: Pseudonyms) -> [UInt8] {
        let text = record[layout.position(of: .dateofbirth)!]
        guard !text.isEmpty else { return [] }
        let parsed = FieldParsing.date(text)
        guard parsed.isValid, let interval = intervals[Self.key(record, birth: parsed.value, layout: layout)] else {
            return Anonymise.notADate
        }
        let day = Dates.dayNumber(parsed.value)
        let others = interval.last - interval.first
        guard others > 0 else {
            unchanged += 1
            return Array(text)
        }
        let learner = Array(record[layout.position(of: .learnrefnumber)!])
        var chosen =
            interval.first + pseudonyms.choice("DATEOFBIRTH", learner + [0] + Array(String(parsed.value).utf8), below: others)
        if chosen >= day { chosen += 1 }
        let date = Dates.date(dayNumber: chosen)
        return Array((text.contains(0x2D) ? Dates.formatISO(date) : Dates.format(date)).utf8)
    }
}

/// What `soalloc anonymise` prints.
public enum AnonymiseSummary {
    public static func text(_ report: AnonymiseReport) -> String {
        var lines: [String] = []
        if let key = report.createdKeyFile { lines.append("created key file \(key): keep it secret, and keep it") }
        lines.append("outcomes preserved: \(report.preserved) of \(report.records) records")
        if !report.differing.isEmpty {
            lines.append("records whose derived fields differ: " + report.differing.map(String.init).joined(separator: ", "))
        }
        if !report.cellsPreserved { lines.append("the cell tables, and so the allocations, differ") }
        if report.unchangedBirthDates > 0 {
            lines.append("dates of birth unchanged (no other date gives the same ages): \(report.unchangedBirthDates)")
        }
        if report.isPreserved {
            lines.append("written")
            lines += report.outputs.map { "  " + $0 }
        } else {
            lines.append("nothing written: an outcome changed")
        }
        return TerminalText.lines(lines) + "\n"
    }
}
