import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

/// The checks a run of test records reports, with their columns and details, record by record.
private func findings(_ records: [TestRecord]) -> [[String]] {
    var findings = Findings(layout: TestRecord.layout)
    return records.enumerated().map { index, record in
        let facts = record.facts
        var found: [String] = []
        record.withRawRecord { raw in
            try! findings.report(raw, row: index + 1, facts) { check, field, detail in
                let name =
                    switch field {
                    case .column(let column): column.name
                    case .position(let position): TestRecord.layout.fieldNames[position]
                    }
                found.append("\(check.rawValue) \(name)" + (detail.isEmpty ? "" : " \(detail)"))
            }
        }
        return found
    }
}

private func findings(_ changes: [Column: String]) -> [String] { findings([TestRecord(changes)])[0] }

/// A base record with every required value and known codes: no findings at all.
private let cleanValues: [Column: String] = [.learnplanenddate: "30/06/2015", .learnfamcodeDLA: "1"]

@Suite("Credibility checks")
struct CredibilityTests {
    @Test("a clean record has no finding")
    func cleanRecord() {
        #expect(findings(changed()) == [])
    }

    @Test("DATE_INVALID for each date that is not a date, not for an empty one", arguments: [
        Column.learnstartdate, .dateofbirth, .learnplanenddate,
    ])
    func invalidDate(column: Column) {
        #expect(findings(changed([column: "31/02/2014"])).contains("DATE_INVALID \(column.name)"))
        #expect(!findings(changed([column: "28/02/2014"])).contains { $0.hasPrefix("DATE_INVALID") })
        #expect(!findings(changed([.learnplanenddate: ""])).contains { $0.hasPrefix("DATE_INVALID") })
    }

    @Test("DATEOFBIRTH_AFTER_START when born after the start, not on the day")
    func birthAfterStart() {
        #expect(findings(changed([.dateofbirth: "16/09/2014"])).contains("DATEOFBIRTH_AFTER_START DATEOFBIRTH"))
        #expect(!findings(changed([.dateofbirth: "15/09/2000"])).contains { $0.hasPrefix("DATEOFBIRTH_AFTER") })
    }

    @Test("AGE_OUT_OF_RANGE under 14 or over 100 at the start", arguments: [
        ("16/09/2000", true), ("15/09/2000", false), ("15/09/1913", true), ("16/09/1913", false),
    ])
    func age(birth: String, fires: Bool) {
        // Born 16/09/2000: 13 on 15/09/2014; 15/09/1913: 101; 16/09/1913: 100.
        #expect(findings(changed([.dateofbirth: birth])).contains { $0.hasPrefix("AGE_OUT_OF_RANGE") } == fires)
    }

    @Test("START_AFTER_PLANNED_END when the start is after the planned end, not on the same day")
    func startAfterEnd() {
        #expect(findings(changed([.learnplanenddate: "14/09/2014"]))
            .contains("START_AFTER_PLANNED_END LEARNPLANENDDATE 15/09/2014"))
        #expect(!findings(changed([.learnplanenddate: "15/09/2014"])).contains { $0.hasPrefix("START_AFTER") })
    }

    @Test("CODE_UNKNOWN for codes outside the ILR lists", arguments: [
        (Column.qualent3, "Z99"), (.domicile, "QQ"), (.mstufee, "16"), (.mstufee, "100"),
    ])
    func unknownCode(column: Column, code: String) {
        #expect(findings(changed([column: code])).contains("CODE_UNKNOWN \(column.name)"))
    }

    @Test("codes in the lists, in any case and with leading zeros, are not findings", arguments: [
        (Column.qualent3, "p50"), (.domicile, "xk"), (.domicile, "FR"), (.mstufee, "01"), (.mstufee, "33"),
    ])
    func knownCode(column: Column, code: String) {
        #expect(!findings(changed([column: code])).contains { $0.hasPrefix("CODE_") })
    }

    @Test("CODE_NOT_VALID_2014_15 for codes whose validity ended before 1 August 2014", arguments: [
        ("X03", "31/07/2013"), ("P69", "31/07/2013"), ("P91", "31/07/2014"),
    ])
    func expiredCode(code: String, until: String) {
        #expect(findings(changed([.qualent3: code])).contains("CODE_NOT_VALID_2014_15 QUALENT3 \(until)"))
    }

    @Test("HEFESFTE_NOT_NUMERIC and HEFESFTE_OUT_OF_RANGE", arguments: [
        ("n/a", "HEFESFTE_NOT_NUMERIC"), ("", "HEFESFTE_NOT_NUMERIC"), ("100.01", "HEFESFTE_OUT_OF_RANGE"),
        ("-1", "HEFESFTE_OUT_OF_RANGE"), ("9999999999999", "HEFESFTE_OUT_OF_RANGE"),
        ("-9223372036855", "HEFESFTE_OUT_OF_RANGE"), ("1000000", "HEFESFTE_OUT_OF_RANGE"),
    ])
    func fte(text: String, check: String) {
        #expect(findings(changed([.hefesfte: text])).contains("\(check) HEFESFTE"))
    }

    @Test("0 and 100 are in range", arguments: ["0", "100", "100.0"])
    func fteInRange(text: String) {
        #expect(!findings(changed([.hefesfte: text])).contains { $0.hasPrefix("HEFESFTE") })
    }

    @Test("REQUIRED_EMPTY for each empty required value, but for HEFESFTE and LEARNFAMCODE_DLA", arguments:
        Column.allCases.filter(\.isRequired))
    func requiredEmpty(column: Column) {
        let fires = findings(changed([column: ""])).contains("REQUIRED_EMPTY \(column.name)")
        #expect(fires == (column != .hefesfte && column != .learnfamcodeDLA))
    }

    /// Adds each STUBID to `ledger` as a record `UKPRN,LEARNER<row>,AIM,STUBID` of row 1, 2, ….
    private func add(_ stubids: [String], to ledger: StubidLedger) throws {
        let text = stubids.enumerated().map { "10000001,L\($0.offset + 1),1,\($0.element)" }.joined(separator: "\n")
        var row = 0
        try CSVReader(bytes: Array(text.utf8)).forEachRecord { record in
            row += 1
            try ledger.add(record[3], row: row, identifiers: record, at: [0, 1, 2, 3])
        }
    }

    @Test("STUBID_DUPLICATE for each later record with a STUBID, naming the first; numbers compared as numbers")
    func duplicateStubid() throws {
        let ledger = StubidLedger()
        try add(["77", "78", "077", "A1", "a1", "A1", "77"], to: ledger)
        let duplicates = try ledger.duplicates()
        #expect(duplicates == [.init(row: 3, firstRow: 1), .init(row: 6, firstRow: 4), .init(row: 7, firstRow: 1)])
        var identifiers: [[String]] = []
        try ledger.identities.forEach(rows: duplicates.map(\.row)) { _, fields in
            identifiers.append(fields.map { String(decoding: $0, as: UTF8.self) })
        }
        #expect(identifiers == [["10000001", "L3", "1", "077"], ["10000001", "L6", "1", "A1"], ["10000001", "L7", "1", "77"]])
    }

    @Test("duplicate STUBIDs are found across runs spilled to disk, with their records' identifiers")
    func duplicateStubidSpilled() throws {
        let ledger = StubidLedger()
        let count = StubidLedger.bufferEntries * 3 + 17
        try add((1...count).map { String($0 % (count - 5) + 1) }, to: ledger)  // the last five repeat the first five
        let duplicates = try ledger.duplicates()
        #expect(duplicates.map(\.row) == Array((count - 4)...count))
        #expect(duplicates.map(\.firstRow) == Array(1...5))
        var learners: [String] = []
        try ledger.identities.forEach(rows: duplicates.map(\.row)) { row, fields in
            learners.append(String(decoding: fields[1], as: UTF8.self))
            #expect(String(decoding: fields[3], as: UTF8.self) == String(row % (count - 5) + 1))
        }
        #expect(learners == ((count - 4)...count).map { "L\($0)" })
    }

    @Test("the identifiers' log stays whole while another thread flushes every C stream, as a workbook's writer does")
    func identityLogBesideFlushes() throws {
        let ledger = StubidLedger()
        let stop = Flag()
        let flusher = Thread {
            while !stop.isSet { fflush(nil) }
        }
        flusher.start()
        defer { stop.set() }
        let count = 200_000
        try add((1...count).map { String($0) }, to: ledger)
        stop.set()
        var rows: [Int] = []
        try ledger.identities.forEach(rows: Array(1...count)) { row, fields in
            if String(decoding: fields[1], as: UTF8.self) == "L\(row)" { rows.append(row) }
        }
        #expect(rows.count == count)
    }

    @Test("a duplicate STUBID is reported by a run, after the records' other findings, with its record")
    func duplicateStubidInRun() throws {
        let directory = TemporaryDirectory()
        let records = [
            TestRecord(cleanValues.merging([.stubid: "77", .learnrefnumber: "FIRST"]) { $1 }),
            TestRecord(cleanValues.merging([.stubid: "78", .hefesfte: "n/a"]) { $1 }),
            TestRecord(cleanValues.merging([.stubid: "077", .learnrefnumber: "SECOND"]) { $1 }),
        ]
        let input = directory.file("f.ind", TestFile.text(records))
        let report = try Run.execute(RunOptions(input: input, output: "\(directory.path)/out"))
        #expect(report.tally.findings[Check.stubidDuplicate.index] == 1)
        let lines = try String(contentsOfFile: "\(directory.path)/out/credibility.csv", encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.last == "3,10000001,SECOND,1,077,STUBID,077,error,STUBID_DUPLICATE,STUBID '077' is also on record 1")
    }

    @Test("WAQUIN_UNAVAILABLE for a widening access record without a quintile, not outside the populations")
    func waquin() {
        #expect(findings(changed([.waquin: ""])).contains("WAQUIN_UNAVAILABLE WAQUIN"))
        #expect(!findings(changed([.waquin: "", .hefcomp: "3"])).contains { $0.hasPrefix("WAQUIN") })
    }

    @Test("TEXT_NOT_UTF8 and TEXT_NUL for a field that is not text, in any column")
    func text() {
        #expect(findings(changed([.domicile: "X\u{0}F"])).contains("TEXT_NUL DOMICILE"))
        #expect(findings(changed([.learnaimref: "caf\u{E9}"])) == [])
        var findings = Findings(layout: TestRecord.layout)
        var assembly = RecordAssembly()
        defer { assembly.deallocate() }
        for (index, field) in TestRecord(cleanValues).fields.enumerated() {
            var bytes = Array(field.utf8)
            if index == Column.learnaimref.rawValue { bytes = [0x63, 0x61, 0x66, 0xE9] }  // Latin-1 "café"
            bytes.withUnsafeBufferPointer { assembly.append($0.baseAddress, $0.count) }
        }
        let record = RawRecord(
            line: 2, count: assembly.fieldCount, bytes: UnsafePointer(assembly.bytes), bounds: UnsafePointer(assembly.bounds))
        var found: [Check] = []
        try! findings.report(record, row: 1, TestRecord(cleanValues).facts) { check, _, _ in found.append(check) }
        #expect(found == [.textNotUTF8])
    }

    @Test("each check has a stable identifier and a severity")
    func identifiers() {
        #expect(Set(Check.allCases.map(\.rawValue)).count == Check.allCases.count)
        #expect(Check.ageOutOfRange.severity == .warning)
        #expect(Check.codeUnknown.severity == .error)
    }
}

/// The clean record with some columns changed.
private func changed(_ changes: [Column: String] = [:]) -> [Column: String] {
    cleanValues.merging(changes) { $1 }
}

/// A flag one thread sets and another reads.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
