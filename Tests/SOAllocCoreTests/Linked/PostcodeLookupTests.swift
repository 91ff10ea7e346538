import Testing

@testable import SOAllocCore
@testable import SOAllocRules

// `--postcodes FILE`: the POLAR3 and educational attainment quintiles of each
// postcode, for WAQUIN (paragraph 18, ruling R9). Each rule is shown holding
// by one test and not holding by another.
//
// The base test record (see TestRecord) is a young full-time entrant in
// WAPOP 1 with WAQUIN 3 in the file and HIGHQUAL 1 (QUALENT3 P50, HEFQAIM
// FIRST); it has no POSTCODEPRIOR unless a test sets one.

// MARK: - Helpers

/// Writes a postcode lookup and reads it; the directory lives as long as the value.
private final class PostcodeFixture {
    let directory = TemporaryDirectory()
    let path: String

    init(_ rows: [String], header: String = "POSTCODE,POLAR3,ATTAINMENT") {
        path = directory.file("postcodes.csv", ([header] + rows).joined(separator: "\n") + "\n")
    }

    func load() throws -> PostcodeLookup { try PostcodeLookup(path: path) }
}

private func lookup(_ rows: [String]) throws -> PostcodeLookup {
    try PostcodeFixture(rows).load()
}

/// The quintiles the lookup gives a record's POSTCODEPRIOR text.
private func quintiles(_ lookup: PostcodeLookup, _ postcode: String) -> PostcodeLookup.Quintiles? {
    var postcode = postcode
    return postcode.withUTF8 { lookup.quintiles(of: $0) }
}

/// The standard lookup of these tests: POLAR3 and attainment differ, so
/// which one WAQUIN took is plain.
private let standardRows = [
    "SW1A 1AA,2,4",
    "m1 1ae,1,5",
    "EH11AB,5,1",
    "NOPOLAR,,3",
    "NO ATTAIN,3,",
    "NEITHER,,",
]

/// A record derived with the standard lookup (or `rows`).
private struct LookedUp {
    let facts: Facts

    init(_ changes: [Column: String], rows: [String] = standardRows) throws {
        facts = TestRecord(changes).facts(with: SideFiles(postcodes: try lookup(rows)))
    }

    var waquin: String { Slot.waquin.domain.format(facts[.waquin]) }
    var wapop: String { Slot.wapop.domain.format(facts[.wapop]) }

    /// The data-quality checks reported by the rule clauses that decided the
    /// record's fields (where POSTCODE_QUINTILE_UNKNOWN comes from).
    var checks: [Check] {
        Derivation.rules.indices.compactMap { index in
            Derivation.rules[index].clauses[Int(facts.decidedBy[index])].check
        }
    }

    /// The widening access cell the record is counted in.
    var cell: String? {
        var table = CellTable()
        table.count(facts)
        return Element.wideningAccess.cells.first { table.headcount[$0.index] == 1 }?.name
    }
}

/// The three widening access populations, by the changes that make them.
private let youngFullTime: [Column: String] = [:]
private let matureFullTime: [Column: String] = [.dateofbirth: "10/05/1990"]
private let partTime: [Column: String] = [.hefmode: "PT"]

/// HIGHQUAL = 0 for a first-degree aim: a first degree already held.
private let alreadyQualified: [Column: String] = [.qualent3: "H11"]

private func merged(_ parts: [Column: String]...) -> [Column: String] {
    parts.reduce(into: [:]) { result, part in result.merge(part) { $1 } }
}

/// The data error that `body` fails with, if it fails with `Failure.data`.
// MARK: - Reading the lookup

@Suite("PostcodeLookup: reading the file")
struct PostcodeLookupReadingTests {
    @Test("each postcode's POLAR3 and attainment quintiles are read")
    func quintilesRead() throws {
        let table = try lookup(standardRows)
        #expect(table.count == 6)
        #expect(quintiles(table, "SW1A 1AA") == PostcodeLookup.Quintiles(polar3: 2, attainment: 4))
        #expect(quintiles(table, "EH1 1AB") == PostcodeLookup.Quintiles(polar3: 5, attainment: 1))
    }

    @Test("an empty quintile is read as missing")
    func emptyQuintile() throws {
        let table = try lookup(standardRows)
        #expect(quintiles(table, "NOPOLAR") == PostcodeLookup.Quintiles(polar3: Value.missing, attainment: 3))
        #expect(quintiles(table, "NOATTAIN") == PostcodeLookup.Quintiles(polar3: 3, attainment: Value.missing))
        #expect(
            quintiles(table, "NEITHER") == PostcodeLookup.Quintiles(polar3: Value.missing, attainment: Value.missing))
    }

    @Test(
        "a record's postcode matches the lookup's upper-cased and without spaces",
        arguments: ["SW1A 1AA", "SW1A1AA", "sw1a 1aa", "sw1a1aa", "Sw1A  1aA", " SW1A 1AA ", "S W 1 A 1 A A"])
    func normalisedRecordSide(postcode: String) throws {
        #expect(quintiles(try lookup(standardRows), postcode) == PostcodeLookup.Quintiles(polar3: 2, attainment: 4))
    }

    @Test(
        "the lookup's postcodes are upper-cased and without spaces too",
        arguments: ["M1 1AE", "M11AE", "m1 1ae", "m11ae"])
    func normalisedLookupSide(postcode: String) throws {
        #expect(quintiles(try lookup(standardRows), postcode) == PostcodeLookup.Quintiles(polar3: 1, attainment: 5))
    }

    @Test(
        "a different postcode does not match",
        arguments: ["SW1A 1AB", "SW1A", "SW1A 1AA X", "SW1A-1AA", "", "M1 1AEE", "EH1 1A"])
    func otherPostcode(postcode: String) throws {
        #expect(quintiles(try lookup(standardRows), postcode) == nil)
    }

    @Test("columns are found by name, in any order and any case")
    func columnsByName() throws {
        let fixture = PostcodeFixture(["4,SW1A 1AA,2"], header: "attainment,Postcode,POLAR3")
        #expect(quintiles(try fixture.load(), "SW1A1AA") == PostcodeLookup.Quintiles(polar3: 2, attainment: 4))
    }

    @Test("a postcode given twice with the same quintiles is no error")
    func sameTwice() throws {
        let table = try lookup(["SW1A 1AA,2,4", "sw1a1aa,2,4"])
        #expect(table.count == 1)
        #expect(quintiles(table, "SW1A 1AA") == PostcodeLookup.Quintiles(polar3: 2, attainment: 4))
    }

    @Test("every quintile from 1 to 5, and empty, is accepted", arguments: ["1", "2", "3", "4", "5", ""])
    func goodQuintile(quintile: String) throws {
        let rows = ["A1 1AA,\(quintile),3", "B1 1BB,3,\(quintile)"]
        #expect(throws: Never.self) { _ = try lookup(rows) }
    }
}

// MARK: - Data errors

@Suite("PostcodeLookup: bad rows are data errors naming the file and line")
struct PostcodeLookupDataErrorTests {
    private static let goodRows = ["A1 1AA,1,2", "B1 1BB,3,4"]

    @Test(
        "a POLAR3 quintile outside 1–5 is a data error on its line",
        arguments: ["0", "6", "10", "-1", "2.5", "x", "Q1"])
    func badPOLAR3(quintile: String) throws {
        let fixture = PostcodeFixture(Self.goodRows + ["C1 1CC,\(quintile),3"])
        expectDataError(in: fixture.path, line: 4) { _ = try fixture.load() }
    }

    @Test(
        "an attainment quintile outside 1–5 is a data error on its line",
        arguments: ["0", "6", "10", "-1", "2.5", "x", "Q1"])
    func badAttainment(quintile: String) throws {
        let fixture = PostcodeFixture(Self.goodRows + ["C1 1CC,3,\(quintile)"])
        expectDataError(in: fixture.path, line: 4) { _ = try fixture.load() }
    }

    @Test(
        "a postcode given twice with different quintiles is a data error on the second line",
        arguments: ["A1 1AA,2,2", "A1 1AA,1,3", "a11aa,1,", "A1  1AA,,2"])
    func differentTwice(second: String) throws {
        let fixture = PostcodeFixture(Self.goodRows + [second])
        expectDataError(in: fixture.path, line: 4) { _ = try fixture.load() }
    }

    @Test(
        "a header without a required column is a data error on line 1",
        arguments: ["POSTCODE,POLAR3", "POSTCODE,ATTAINMENT", "POLAR3,ATTAINMENT", "PCD,POLAR3,ATTAINMENT"])
    func missingColumn(header: String) throws {
        let fields = header.split(separator: ",").count
        let fixture = PostcodeFixture([Array(repeating: "1", count: fields).joined(separator: ",")], header: header)
        expectDataError(in: fixture.path, line: 1) { _ = try fixture.load() }
    }

    @Test("malformed CSV is a data error on its line")
    func malformedCSV() throws {
        let fixture = PostcodeFixture(Self.goodRows + ["C1 \"1CC,1,2"])
        expectDataError(in: fixture.path, line: 4) { _ = try fixture.load() }
    }

    @Test("a row with the wrong number of fields is a data error on its line", arguments: ["C1 1CC,1", "C1 1CC,1,2,3"])
    func wrongFieldCount(bad: String) throws {
        let fixture = PostcodeFixture(Self.goodRows + [bad])
        expectDataError(in: fixture.path, line: 4) { _ = try fixture.load() }
    }
}

// MARK: - WAQUIN from the lookup (ruling R9)

@Suite("PostcodeLookup: WAQUIN from the lookup (paragraph 18, ruling R9)")
struct PostcodeLookupWAQUINTests {
    @Test("WAPOP 1 takes the POLAR3 quintile, not the attainment quintile")
    func youngTakesPOLAR3() throws {
        let record = try LookedUp(merged(youngFullTime, [.postcodeprior: "SW1A 1AA"]))
        #expect(record.wapop == "1")
        #expect(record.waquin == "2")
        #expect(record.checks.isEmpty)
        #expect(record.cell == "WAPOP1_Q2")
    }

    @Test(
        "WAPOP 2 and 3 take the attainment quintile, not the POLAR3 quintile",
        arguments: [(matureFullTime, "2"), (partTime, "3")])
    func matureAndPartTimeTakeAttainment(population: [Column: String], wapop: String) throws {
        let record = try LookedUp(merged(population, [.postcodeprior: "SW1A 1AA"]))
        #expect(record.wapop == wapop)
        #expect(record.waquin == "4")
        #expect(record.checks.isEmpty)
        #expect(record.cell == "WAPOP\(wapop)_Q4")
    }

    @Test("the quintile follows the postcode", arguments: [("M1 1AE", "1", "5"), ("EH1 1AB", "5", "1")])
    func followsPostcode(postcode: String, polar3: String, attainment: String) throws {
        #expect(try LookedUp([.postcodeprior: postcode]).waquin == polar3)
        #expect(try LookedUp(merged(matureFullTime, [.postcodeprior: postcode])).waquin == attainment)
        #expect(try LookedUp(merged(partTime, [.postcodeprior: postcode])).waquin == attainment)
    }

    @Test(
        "a record's postcode is matched upper-cased and without spaces",
        arguments: ["SW1A 1AA", "sw1a1aa", " Sw1a  1Aa "])
    func recordPostcodeNormalised(postcode: String) throws {
        #expect(try LookedUp([.postcodeprior: postcode]).waquin == "2")
    }

    @Test("WAPOP 2 and 3 with HIGHQUAL = 0 get 5 whatever the lookup says", arguments: [matureFullTime, partTime])
    func alreadyQualifiedGetsFive(population: [Column: String]) throws {
        for postcode in ["SW1A 1AA", "EH1 1AB", "ZZ99 9ZZ", ""] {
            let record = try LookedUp(merged(population, alreadyQualified, [.postcodeprior: postcode]))
            #expect(record.waquin == "5", "postcode '\(postcode)'")
            #expect(record.checks.isEmpty, "postcode '\(postcode)'")
        }
    }

    @Test("WAPOP 1 with HIGHQUAL = 0 still takes the POLAR3 quintile")
    func youngAlreadyQualified() throws {
        let record = try LookedUp(merged(alreadyQualified, [.postcodeprior: "SW1A 1AA"]))
        #expect(record.wapop == "1")
        #expect(record.waquin == "2")
    }

    @Test("WAPOP 2 and 3 with HIGHQUAL = 1 take the lookup, not 5", arguments: [matureFullTime, partTime])
    func notYetQualified(population: [Column: String]) throws {
        #expect(try LookedUp(merged(population, [.postcodeprior: "EH1 1AB"])).waquin == "1")
    }

    @Test(
        "a postcode absent from the lookup gives an empty WAQUIN, counted as UNKNOWN and reported",
        arguments: [(youngFullTime, "1"), (matureFullTime, "2"), (partTime, "3")])
    func absentPostcode(population: [Column: String], wapop: String) throws {
        let record = try LookedUp(merged(population, [.postcodeprior: "ZZ99 9ZZ"]))
        #expect(record.wapop == wapop)
        #expect(record.waquin == "")
        #expect(record.checks == [.postcodeQuintileUnknown])
        #expect(record.cell == "WAPOP\(wapop)_UNKNOWN")
    }

    @Test("a record without a postcode gets an empty WAQUIN and is reported")
    func noPostcode() throws {
        let record = try LookedUp([.postcodeprior: ""])
        #expect(record.waquin == "")
        #expect(record.checks == [.postcodeQuintileUnknown])
        let unset = try LookedUp([:])
        #expect(unset.waquin == "")
        #expect(unset.checks == [.postcodeQuintileUnknown])
    }

    @Test("a postcode whose needed quintile is empty is treated as unknown and reported")
    func neededQuintileEmpty() throws {
        let young = try LookedUp([.postcodeprior: "NOPOLAR"])
        #expect(young.waquin == "")
        #expect(young.checks == [.postcodeQuintileUnknown])
        let mature = try LookedUp(merged(matureFullTime, [.postcodeprior: "NO ATTAIN"]))
        #expect(mature.waquin == "")
        #expect(mature.checks == [.postcodeQuintileUnknown])
        let neither = try LookedUp(merged(partTime, [.postcodeprior: "NEITHER"]))
        #expect(neither.waquin == "")
        #expect(neither.checks == [.postcodeQuintileUnknown])
    }

    @Test("a postcode with only the quintile its population needs is enough")
    func otherQuintileEmpty() throws {
        #expect(try LookedUp([.postcodeprior: "NO ATTAIN"]).waquin == "3")
        #expect(try LookedUp(merged(matureFullTime, [.postcodeprior: "NOPOLAR"])).waquin == "3")
        #expect(try LookedUp(merged(partTime, [.postcodeprior: "NOPOLAR"])).checks.isEmpty)
    }

    @Test("with a lookup, the file's WAQUIN is never used")
    func fileWAQUINIgnored() throws {
        let absent = try LookedUp([.postcodeprior: "ZZ99 9ZZ", .waquin: "3"])
        #expect(absent.waquin == "")
        let present = try LookedUp([.postcodeprior: "SW1A 1AA", .waquin: "5"])
        #expect(present.waquin == "2")
        let mature = try LookedUp(merged(matureFullTime, [.postcodeprior: "NO ATTAIN", .waquin: "4"]))
        #expect(mature.waquin == "")
    }

    @Test("without a lookup, the file's WAQUIN is used")
    func fileWAQUINWithoutLookup() {
        let record = TestRecord([.postcodeprior: "SW1A 1AA", .waquin: "3"])
        #expect(record.derived(.waquin) == "3")
        #expect(TestRecord([.postcodeprior: "ZZ99 9ZZ", .waquin: "5"]).derived(.waquin) == "5")
    }

    @Test("outside the widening access populations WAQUIN is empty and nothing is reported")
    func notInPopulation() throws {
        let record = try LookedUp([.hefcomp: "3", .postcodeprior: "ZZ99 9ZZ"])
        #expect(record.wapop == "0")
        #expect(record.waquin == "")
        #expect(record.checks.isEmpty)
        #expect(try LookedUp([.hefcomp: "3", .postcodeprior: "SW1A 1AA"]).waquin == "")
    }
}
