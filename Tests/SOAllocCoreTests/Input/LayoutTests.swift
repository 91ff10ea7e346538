import Testing

@testable import SOAllocCore
@testable import SOAllocRules

/// The first record of `text` as the reader delivers it, and the layout found from it.
private func layout(_ text: String) throws -> Layout {
    var found: Layout?
    try forEachRecord(inFileHolding: Array(text.utf8)) { record in
        if found == nil { found = try Layout.detect(from: record, file: "SO14_F1.ind") }
    }
    return found!
}

private let requiredNames = Column.allCases.filter(\.isRequired).map(\.name)

@Suite("File layout (rulings R1, R2)")
struct LayoutTests {
    @Test("37 positional columns in the letters' order, A = UKPRN … AK = UGLEVEL")
    func positionalOrder() {
        #expect(Column.ukprn.letter == "A")
        #expect(Column.qualent3.letter == "AF")
        #expect(Column.eqpop.letter == "AI")
        #expect(Column.eqgrp.letter == "AJ")
        #expect(Column.uglevel.letter == "AK")
        #expect(Column.sotariff.letter == nil)
        #expect(Layout.positional.position(of: .eqpop) == 34)
        #expect(Layout.positional.position(of: .sotariff) == nil)
    }

    @Test("a record of 37 fields without UKPRN first is a positional record")
    func positional() throws {
        let record = (1...37).map(String.init).joined(separator: ",")
        #expect(try layout(record + "\n") == .positional)
    }

    @Test("a header is found by UKPRN first, trimmed and in any case; columns by name in any order")
    func header() throws {
        let names = [" ukprn "] + requiredNames.dropFirst().reversed() + ["EXTRA", "Sotariff"]
        let found = try layout(names.joined(separator: ",") + "\n")
        #expect(found.hasHeader)
        #expect(found.fieldCount == names.count)
        #expect(found.position(of: .ukprn) == 0)
        #expect(found.position(of: .learnrefnumber) == requiredNames.count - 1)
        #expect(found.position(of: .sotariff) == names.count - 1)
        #expect(found.position(of: .dispop) == nil)
    }

    @Test("neither a header nor 37 fields is a data error saying what was found")
    func neither() {
        #expect(throws: DataError(
            Location(file: "SO14_F1.ind", line: 1, record: 1),
            "expected a header row starting with UKPRN, or 37 fields in the column order of the technical document; found 3 fields starting with '10000001'"
        )) {
            try layout("10000001,a,b\n")
        }
    }

    @Test("missing required columns are one error that lists them all")
    func missingRequired() {
        let names = requiredNames.filter { $0 != "HEFMODE" && $0 != "SOLINK" }
        #expect(throws: DataError(
            Location(file: "SO14_F1.ind", line: 1, record: 0),
            "the header row lacks required columns HEFMODE, SOLINK"
        )) {
            try layout(names.joined(separator: ",") + "\n")
        }
    }

    @Test("a column named twice is an error")
    func duplicate() {
        let names = requiredNames + ["hefmode"]
        #expect(throws: DataError(
            Location(file: "SO14_F1.ind", line: 1, record: 0, field: names.count, fieldName: "hefmode"),
            "column HEFMODE appears twice in the header row (fields \(requiredNames.firstIndex(of: "HEFMODE")! + 1) and \(names.count))"
        )) {
            try layout(names.joined(separator: ",") + "\n")
        }
    }

    @Test("the wrong number of fields names the missing or unexpected field")
    func fieldCount() throws {
        let record = TestRecord()
        record.withRawRecord { raw in
            let short = Layout(
                hasHeader: true, fieldCount: raw.count + 1, positions: TestRecord.layout.positions,
                fieldNames: TestRecord.layout.fieldNames + ["NOTE"])
            #expect(short.fieldCountError(raw, number: 7, file: "f.ind").description
                == "f.ind: line 2: record 7: field 41 (NOTE): missing: the record has 40 fields, expected 41")
            let long = Layout(
                hasHeader: true, fieldCount: raw.count - 1, positions: TestRecord.layout.positions,
                fieldNames: Array(TestRecord.layout.fieldNames.dropLast()))
            #expect(long.fieldCountError(raw, number: 7, file: "f.ind").description
                == "f.ind: line 2: record 7: field 40: unexpected: the record has 40 fields, expected 39")
        }
    }
}
