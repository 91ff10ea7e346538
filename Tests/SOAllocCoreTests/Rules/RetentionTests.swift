import Testing

@testable import SOAllocCore
@testable import SOAllocRules

// Paragraphs 19–35: SOLINKAGE, SOTARIFF, SOGRADECOMB, SOENTQUAL, EQPOP,
// UGLEVEL, EQGRP. Each row of each table is reached by one test and just
// missed by another, boundaries included.

// MARK: - Helpers

/// Several sets of column changes, later ones winning.
private func merged(_ parts: [Column: String]...) -> [Column: String] {
    merged(parts)
}

private func merged(_ parts: [[Column: String]]) -> [Column: String] {
    parts.reduce(into: [:]) { result, part in result.merge(part) { $1 } }
}

/// A record's derived values when the loader cannot do it alone: a file that
/// lacks some optional columns, or linked data that indicates an IB, a BTEC or
/// an Access to HE Diploma (this version never has linked data, ruling R11).
private struct Derived {
    let facts: Facts

    init(_ changes: [Column: String], linked: [Slot] = [], omitting omitted: Set<Column> = []) {
        let layout = Layout(
            hasHeader: true, fieldCount: Column.allCases.count,
            positions: Column.allCases.map { omitted.contains($0) ? -1 : $0.rawValue },
            fieldNames: Column.allCases.map(\.name))
        var facts = Facts()
        TestRecord(changes).withRawRecord { record in RecordLoader(layout: layout).load(record, into: &facts) }
        for slot in linked { facts[slot] = 1 }
        Derivation.standard.derive(&facts)
        self.facts = facts
    }

    /// A derived field as `derived.csv` writes it.
    func derived(_ slot: Slot) -> String { slot.domain.format(facts[slot]) }

    /// The label of the clause that gave `slot` its value.
    func clause(_ slot: Slot) -> String {
        let index = Derivation.rules.firstIndex { $0.field == slot }!
        let rule = Derivation.rules[index]
        return rule.label(of: rule.clauses[Int(facts.decidedBy[index])])
    }
}

/// A student's entry qualifications, reached through the file's columns.
/// SOLINK is 0 unless said otherwise, so that a made link does not decide.
struct RetentionEntry: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let changes: [Column: String]
    let linked: [Slot]
    /// The SOENTQUAL the changes are meant to give.
    let soentqual: String

    init(_ description: String, _ changes: [Column: String], linked: [Slot] = [], soentqual: String) {
        testDescription = description
        self.changes = merged([.solink: "0"], changes)
        self.linked = linked
        self.soentqual = soentqual
    }

    static let postgraduate = Self("HE postgraduate (DUK)", [.qualent3: "DUK"], soentqual: "HEPG")
    static let firstDegree = Self("HE first degree (HUK)", [.qualent3: "HUK"], soentqual: "HEFD")
    static let otherUndergraduate = Self("HE other undergraduate (H80)", [.qualent3: "H80"], soentqual: "HEOUG")
    static let foundation = Self("Foundation course (J49)", [.qualent3: "J49"], soentqual: "FOU")
    static let gradesACCOrBBC = Self(
        "A-levels at ACC/BBC or better", [.qualent3: "P50", .sogradecomb: "ACC_BBC+"], soentqual: "L3_COMB")
    static let gradesBCCOrCCC = Self(
        "A-levels at BCC/CCC", [.qualent3: "P50", .sogradecomb: "BCC_CCC"], soentqual: "L3_COMB")
    static let baccalaureate = Self("Baccalaureate (P62)", [.qualent3: "P62"], soentqual: "BACC")
    static let btec = Self(
        "Level 3 BTEC (linked data)", [.qualent3: "X04"], linked: [.linkedBTEC], soentqual: "BTEC")
    static let access = Self("Access course (X00)", [.qualent3: "X00"], soentqual: "ACCESS")
    static let tariffLevel3 = Self("Level 3 with tariff, no link (P50)", [.qualent3: "P50"], soentqual: "OTH3_TAR")
    static let linkedLevel3 = Self(
        "Link made to other data (SOLINK 1, X02)", [.qualent3: "X02", .solink: "1"], soentqual: "OTH3_TAR")
    static let possibleTariffLevel3 = Self(
        "Level 3 that may have tariff (P41)", [.qualent3: "P41"], soentqual: "OTH3_POSSTAR")
    static let nonTariffLevel3 = Self(
        "Level 3 without tariff (P51)", [.qualent3: "P51"], soentqual: "OTH3_NOTAR")
    static let noQualifications = Self("No formal qualifications (X02)", [.qualent3: "X02"], soentqual: "NONE")
    static let otherQualifications = Self("Other qualifications (Q80)", [.qualent3: "Q80"], soentqual: "OTHER")
    static let unknown = Self("Unknown qualifications (X04)", [.qualent3: "X04"], soentqual: "UNKNOWN")
    static let missing = Self("No QUALENT3 at all", [.qualent3: ""], soentqual: "UNKNOWN")

    /// The "other Level 3" groups, whose risk depends on tariff points (OTH3_TAR both by code and by a link).
    static let otherLevel3 = [tariffLevel3, linkedLevel3, possibleTariffLevel3, nonTariffLevel3]
}

/// A young student: 18 on 15/09/2014 (the base record's dates).
private let young: [Column: String] = [:]
/// A mature student: 21 on the start date 15/09/2014 (20 on 31/08/2014).
private let mature: [Column: String] = [.dateofbirth: "15/09/1993"]
/// Aiming for a first degree (the base record's aim).
private let firstDegreeAim: [Column: String] = [.hefqaim: "FIRST"]
/// Another undergraduate aim.
private let otherUndergraduateAim: [Column: String] = [.hefqaim: "HND"]

/// Tariff points in the file's SOTARIFF column.
private func tariff(_ points: String) -> [Column: String] { [.sotariff: points] }

/// EQGRP for an entry qualification, checking that the entry gives the intended SOENTQUAL.
private func riskGroup(_ entry: RetentionEntry, _ parts: [Column: String]...) -> String {
    let record = Derived(merged([entry.changes] + parts), linked: entry.linked)
    #expect(record.derived(.soentqual) == entry.soentqual, "\(entry.testDescription)")
    return record.derived(.eqgrp)
}

// MARK: - SOLINKAGE

@Suite("SOLINKAGE (paragraph 24)")
struct SOLINKAGETests {
    @Test(
        "Age on 31 August 2014 in full years (ruling R5)",
        arguments: [
            ("31/08/1984", "30"),  // 30th birthday on the day itself
            ("01/09/1984", "29"),  // 30th birthday the day after
            ("30/08/1984", "30"),
            ("1984-08-31", "30"),
            ("1/9/1984", "29"),
            ("10/05/1996", "18"),
            ("31/08/2013", "1"),
            ("01/09/2013", "0"),
            ("31/08/2014", "0"),  // born on the day: not after it, and 0 full years
            ("01/01/1900", "114"),
        ])
    func fullYears(dateOfBirth: String, age: String) {
        let record = TestRecord([.dateofbirth: dateOfBirth])
        #expect(record.derived(.solinkage) == age)
        #expect(record.clause(.solinkage) == "SOLINKAGE = full years: Full years between DATEOFBIRTH and 31 August 2014")
    }

    @Test(
        "Students born on 29 February (ruling R5: birthday on 1 March in other years)",
        arguments: [("29/02/1984", "30"), ("29/02/1996", "18"), ("29/02/1992", "22"), ("29/02/2000", "14")])
    func leapDayBirth(dateOfBirth: String, age: String) {
        #expect(TestRecord([.dateofbirth: dateOfBirth]).derived(.solinkage) == age)
    }

    @Test(
        "Age is 0 when the date of birth is missing or not a real date (rulings R4, R5)",
        arguments: ["", "31/02/1990", "29/02/1983", "1990-13-01", "unknown", "10/05/96", "10.05.1996"])
    func missingBirthDate(dateOfBirth: String) {
        let record = TestRecord([.dateofbirth: dateOfBirth])
        #expect(record.derived(.solinkage) == "0")
        #expect(record.clause(.solinkage) == "SOLINKAGE = 0: DATEOFBIRTH is missing")
    }

    @Test("Age is 0 for a birth after 31 August 2014", arguments: ["01/09/2014", "2015-01-01", "01/01/2030"])
    func birthAfterCensusDate(dateOfBirth: String) {
        let record = TestRecord([.dateofbirth: dateOfBirth])
        #expect(record.derived(.solinkage) == "0")
        #expect(record.clause(.solinkage) == "SOLINKAGE = 0: DATEOFBIRTH is after 31 August 2014")
    }
}

// MARK: - SOTARIFF

@Suite("SOTARIFF (paragraph 25)")
struct SOTARIFFTests {
    @Test("Tariff is unknown (empty) when the file has no SOTARIFF column (ruling R10)")
    func noColumn() {
        let record = Derived([:], omitting: [.sotariff])
        #expect(record.derived(.sotariff) == "")
        #expect(record.clause(.sotariff) == "SOTARIFF = (empty): Not known (no linked data)")
    }

    @Test("Tariff is unknown (empty) when the file's SOTARIFF is blank (ruling R10)", arguments: ["", "   "])
    func blank(points: String) {
        let record = TestRecord(tariff(points))
        #expect(record.derived(.sotariff) == "")
        #expect(record.clause(.sotariff) == "SOTARIFF = (empty): Not known (no linked data)")
    }

    @Test(
        "Whole tariff points in the file are used as they are",
        arguments: [("1", "1"), ("100", "100"), ("291", "291"), ("0290", "290"), (" 360 ", "360"), ("9997", "9997")])
    func wholeNumber(points: String, expected: String) {
        let record = TestRecord(tariff(points))
        #expect(record.derived(.sotariff) == expected)
        #expect(record.clause(.sotariff) == "SOTARIFF = the file's SOTARIFF, at most 9998: Tariff points given in the file")
    }

    @Test("Zero tariff points is 0, not unknown (ruling R10)", arguments: ["0", "000"])
    func zero(points: String) {
        #expect(TestRecord(tariff(points)).derived(.sotariff) == "0")
    }

    @Test(
        "Tariff points are capped at 9998",
        arguments: [("9998", "9998"), ("9999", "9998"), ("12000", "9998"), ("1000000", "9998")])
    func capped(points: String, expected: String) {
        #expect(TestRecord(tariff(points)).derived(.sotariff) == expected)
    }

    @Test("Tariff points with more digits than fit in a 64-bit number are still a whole number, capped at 9998")
    func hugeWholeNumber() {
        #expect(TestRecord(tariff("999999999999999999")).derived(.sotariff) == "9998")
        #expect(TestRecord(tariff("99999999999999999999")).derived(.sotariff) == "9998")
    }

    @Test(
        "Tariff that is not a whole number is unknown (empty)",
        arguments: ["abc", "250.5", "0.5", "-1", "-250", "1,000", "2 50", "N/A", "1e3"])
    func notWholeNumber(points: String) {
        let record = TestRecord(tariff(points))
        #expect(record.derived(.sotariff) == "")
        #expect(record.clause(.sotariff) == "SOTARIFF = (empty): Not known (no linked data)")
    }
}

// MARK: - SOGRADECOMB

@Suite("SOGRADECOMB (paragraphs 26–29)")
struct SOGRADECOMBTests {
    @Test("Grade combination is OTHER when the file has no SOGRADECOMB column (ruling R11)")
    func noColumn() {
        let record = Derived([:], omitting: [.sogradecomb])
        #expect(record.derived(.sogradecomb) == "OTHER")
        #expect(record.clause(.sogradecomb) == "SOGRADECOMB = OTHER: No A-level grades known")
    }

    @Test("Grade combination is OTHER when the file's SOGRADECOMB is blank (ruling R11)")
    func blank() {
        let record = TestRecord([.sogradecomb: ""])
        #expect(record.derived(.sogradecomb) == "OTHER")
        #expect(record.clause(.sogradecomb) == "SOGRADECOMB = OTHER: No A-level grades known")
    }

    @Test(
        "Grade combinations in the file are used, in any case",
        arguments: [
            ("ACC_BBC+", "ACC_BBC+"), ("acc_bbc+", "ACC_BBC+"), ("BCC_CCC", "BCC_CCC"), ("Bcc_Ccc", "BCC_CCC"),
            ("OTHER", "OTHER"), ("other", "OTHER"), (" BCC_CCC ", "BCC_CCC"),
        ])
    func copied(text: String, expected: String) {
        let record = TestRecord([.sogradecomb: text])
        #expect(record.derived(.sogradecomb) == expected)
        #expect(record.clause(.sogradecomb) == "SOGRADECOMB = the file's SOGRADECOMB: Grade combination given in the file")
    }

    @Test(
        "An unrecognised grade combination counts as OTHER",
        arguments: ["ACC_BBC", "BBC+", "AAA", "BCC", "CCC_BCC", "ACC_BBC++", "1", "ACC BBC+"])
    func unrecognised(text: String) {
        let record = TestRecord([.sogradecomb: text])
        #expect(record.derived(.sogradecomb) == "OTHER")
        #expect(record.clause(.sogradecomb) == "SOGRADECOMB = OTHER: No A-level grades known")
    }
}

// MARK: - SOENTQUAL

/// SOENTQUAL for a QUALENT3 code, with no link made and no A-level grades.
private func entryGroup(_ code: String, _ changes: [Column: String] = [:]) -> String {
    TestRecord(merged([.qualent3: code, .solink: "0", .sogradecomb: ""], changes)).derived(.soentqual)
}

private let postgraduateCodes = ["DUK", "DZZ", "D80", "MUK", "M41", "M44", "M71", "M80", "M90", "MZZ", "H71"]
private let firstDegreeCodes = ["M2X", "HUK", "HZZ", "H11", "JUK"]
private let otherUndergraduateCodes = [
    "H80", "J10", "J20", "J30", "J48", "J80", "C20", "C30", "C44", "C80", "C90",
]
private let tariffCodes = ["P47", "P50", "P54", "P64", "P65", "P68", "P69", "P91", "P93", "P94"]
private let possibleTariffCodes = ["P41", "P42", "P46", "P80"]
private let nonTariffCodes = ["P51", "P53", "P70", "P92"]
private let noQualificationCodes = ["X02", "X03", "X05"]

/// Every listed code above L3_COMB in the table, with its group.
private let higherEducationCodes: [(String, String)] =
    postgraduateCodes.map { ($0, "HEPG") } + firstDegreeCodes.map { ($0, "HEFD") }
    + otherUndergraduateCodes.map { ($0, "HEOUG") } + [("J49", "FOU")]

@Suite("SOENTQUAL (paragraph 30)")
struct SOENTQUALTests {
    @Test("HE postgraduate qualifications give HEPG", arguments: postgraduateCodes)
    func postgraduate(code: String) {
        #expect(entryGroup(code) == "HEPG")
    }

    @Test("HE first degrees give HEFD", arguments: firstDegreeCodes)
    func firstDegree(code: String) {
        #expect(entryGroup(code) == "HEFD")
    }

    @Test("HE other undergraduate qualifications give HEOUG", arguments: otherUndergraduateCodes)
    func otherUndergraduate(code: String) {
        #expect(entryGroup(code) == "HEOUG")
    }

    @Test("A foundation course (J49) gives FOU")
    func foundation() {
        #expect(entryGroup("J49") == "FOU")
    }

    @Test("A baccalaureate (P62, P63) gives BACC", arguments: ["P62", "P63"])
    func baccalaureate(code: String) {
        #expect(entryGroup(code) == "BACC")
    }

    @Test("An Access course (X00, X01) gives ACCESS", arguments: ["X00", "X01"])
    func access(code: String) {
        #expect(entryGroup(code) == "ACCESS")
    }

    @Test("Level 3 qualifications expected to attract tariff give OTH3_TAR without a link", arguments: tariffCodes)
    func tariffLevel3(code: String) {
        #expect(entryGroup(code) == "OTH3_TAR")
    }

    @Test("Level 3 qualifications that may attract tariff give OTH3_POSSTAR", arguments: possibleTariffCodes)
    func possibleTariffLevel3(code: String) {
        #expect(entryGroup(code) == "OTH3_POSSTAR")
    }

    @Test("Level 3 qualifications not expected to attract tariff give OTH3_NOTAR", arguments: nonTariffCodes)
    func nonTariffLevel3(code: String) {
        #expect(entryGroup(code) == "OTH3_NOTAR")
    }

    @Test("No formal qualifications (X02, X03, X05) give NONE", arguments: noQualificationCodes)
    func noQualifications(code: String) {
        #expect(entryGroup(code) == "NONE")
    }

    @Test(
        "Any qualification starting with Q or R gives OTHER (ruling R8)",
        arguments: ["Q80", "Q01", "QZZ", "R11", "R80", "q99", "r", "Q"])
    func otherQualifications(code: String) {
        #expect(entryGroup(code) == "OTHER")
    }

    @Test(
        "Unknown entry qualifications: blank, X04, X06 and unlisted codes give UNKNOWN (ruling R13)",
        arguments: [
            "", "X04", "X06", "X07", "P99", "P48", "P52", "P61", "J50", "J11", "C40", "C91", "D81", "M42", "H12",
            "HUKX", "Z99", "999", "P",
        ])
    func unknown(code: String) {
        let record = TestRecord([.qualent3: code, .solink: "0"])
        #expect(record.derived(.soentqual) == "UNKNOWN")
        #expect(record.clause(.soentqual) == "SOENTQUAL = UNKNOWN: Unknown entry qualifications")
    }

    @Test(
        "Qualification codes are read in any case (ruling R3)",
        arguments: [
            ("duk", "HEPG"), ("huk", "HEFD"), ("j49", "FOU"), ("p62", "BACC"), ("x01", "ACCESS"), ("p50", "OTH3_TAR"),
            ("p41", "OTH3_POSSTAR"), ("p51", "OTH3_NOTAR"), ("x02", "NONE"), (" C90 ", "HEOUG"),
        ])
    func anyCase(code: String, expected: String) {
        #expect(entryGroup(code) == expected)
    }

    @Test(
        "A-level grade combinations give L3_COMB ahead of lower groups",
        arguments: ["ACC_BBC+", "BCC_CCC"],
        ["P62", "P63", "X00", "X01", "P50", "P41", "P51", "X02", "X05", "Q80", "R11", "X04", "X06", "P99", ""])
    func gradeCombinationsWin(grades: String, code: String) {
        #expect(entryGroup(code, [.sogradecomb: grades]) == "L3_COMB")
    }

    @Test("A-level grade combinations give L3_COMB ahead of a made link", arguments: ["ACC_BBC+", "bcc_ccc"])
    func gradeCombinationsBeatLink(grades: String) {
        #expect(entryGroup("X02", [.sogradecomb: grades, .solink: "1"]) == "L3_COMB")
    }

    @Test(
        "An HE qualification or foundation course wins over A-level grade combinations",
        arguments: higherEducationCodes)
    func higherEducationBeatsGrades(code: String, expected: String) {
        #expect(entryGroup(code, [.sogradecomb: "ACC_BBC+"]) == expected)
        #expect(entryGroup(code, [.sogradecomb: "BCC_CCC"]) == expected)
    }

    @Test(
        "No L3_COMB when the grade combination is OTHER, blank or unrecognised",
        arguments: ["OTHER", "", "ABB"])
    func noGradeCombination(grades: String) {
        #expect(entryGroup("P62", [.sogradecomb: grades]) == "BACC")
        #expect(entryGroup("X02", [.sogradecomb: grades]) == "NONE")
        #expect(entryGroup("X04", [.sogradecomb: grades]) == "UNKNOWN")
    }

    @Test(
        "A made link (SOLINK = 1) gives OTH3_TAR for lower groups",
        arguments: ["X02", "X03", "X05", "Q80", "R11", "X04", "X06", "P99", "", "P41", "P80", "P51", "P92"])
    func linkMade(code: String) {
        #expect(entryGroup(code, [.solink: "1"]) == "OTH3_TAR")
        #expect(entryGroup(code, [.solink: "01"]) == "OTH3_TAR")
    }

    @Test("Without a link (SOLINK 0, blank or another value) the QUALENT3 code decides", arguments: ["0", "", "2"])
    func noLink(solink: String) {
        #expect(entryGroup("X02", [.solink: solink]) == "NONE")
        #expect(entryGroup("Q80", [.solink: solink]) == "OTHER")
        #expect(entryGroup("X04", [.solink: solink]) == "UNKNOWN")
        #expect(entryGroup("P41", [.solink: solink]) == "OTH3_POSSTAR")
        #expect(entryGroup("P51", [.solink: solink]) == "OTH3_NOTAR")
    }

    @Test(
        "A made link does not override HE, foundation, baccalaureate or Access qualifications",
        arguments: higherEducationCodes + [("P62", "BACC"), ("P63", "BACC"), ("X00", "ACCESS"), ("X01", "ACCESS")])
    func linkDoesNotOverride(code: String, expected: String) {
        #expect(entryGroup(code, [.solink: "1"]) == expected)
    }

    @Test("This version has no linked data: no student is in the BTEC group (ruling R11)")
    func noLinkedData() {
        for code in ["X04", "X02", "P50", "Q80", ""] {
            #expect(entryGroup(code) != "BTEC")
            #expect(entryGroup(code, [.solink: "1"]) != "BTEC")
        }
    }

    @Test("Linked data indicating an IB gives BACC, below HE, foundation and A-level grades")
    func linkedBaccalaureate() {
        let base: [Column: String] = [.qualent3: "X02", .solink: "0"]
        #expect(Derived(base, linked: [.linkedIB]).derived(.soentqual) == "BACC")
        #expect(Derived(merged(base, [.qualent3: "J49"]), linked: [.linkedIB]).derived(.soentqual) == "FOU")
        #expect(Derived(merged(base, [.sogradecomb: "BCC_CCC"]), linked: [.linkedIB]).derived(.soentqual) == "L3_COMB")
        #expect(Derived(merged(base, [.qualent3: "X00"]), linked: [.linkedIB]).derived(.soentqual) == "BACC")
    }

    @Test("Linked data indicating a Level 3 BTEC gives BTEC, below BACC and above ACCESS")
    func linkedBTEC() {
        let base: [Column: String] = [.qualent3: "X04", .solink: "0"]
        let btec = Derived(base, linked: [.linkedBTEC])
        #expect(btec.derived(.soentqual) == "BTEC")
        #expect(btec.clause(.soentqual) == "SOENTQUAL = BTEC: BTEC")
        #expect(Derived(merged(base, [.qualent3: "P62"]), linked: [.linkedBTEC]).derived(.soentqual) == "BACC")
        #expect(Derived(merged(base, [.qualent3: "X00"]), linked: [.linkedBTEC]).derived(.soentqual) == "BTEC")
        #expect(Derived(merged(base, [.qualent3: "P50"]), linked: [.linkedBTEC]).derived(.soentqual) == "BTEC")
        #expect(Derived(merged(base, [.solink: "1"]), linked: [.linkedBTEC]).derived(.soentqual) == "BTEC")
        #expect(
            Derived(merged(base, [.sogradecomb: "ACC_BBC+"]), linked: [.linkedBTEC]).derived(.soentqual) == "L3_COMB")
    }

    @Test("Linked data indicating an Access to HE Diploma gives ACCESS, above OTH3_TAR")
    func linkedAccess() {
        let base: [Column: String] = [.qualent3: "X02", .solink: "0"]
        #expect(Derived(base, linked: [.linkedAccess]).derived(.soentqual) == "ACCESS")
        #expect(Derived(merged(base, [.solink: "1"]), linked: [.linkedAccess]).derived(.soentqual) == "ACCESS")
        #expect(Derived(merged(base, [.qualent3: "P50"]), linked: [.linkedAccess]).derived(.soentqual) == "ACCESS")
        #expect(Derived(merged(base, [.qualent3: "P63"]), linked: [.linkedAccess]).derived(.soentqual) == "BACC")
    }
}

// MARK: - EQPOP

private let notIncludedOtherwise = "EQPOP = 0: Not included in full-time improving retention allocation population: otherwise"
private let matureExclusion = "EQPOP = 0: Not included: 30 years old"
private let unlinkedExclusion = "EQPOP = 0: Not included: less than 30"

/// Exactly 30 on 31 August 2014, and one day short of it.
private let aged30: [Column: String] = [.dateofbirth: "31/08/1984"]
private let aged29: [Column: String] = [.dateofbirth: "01/09/1984"]

@Suite("EQPOP (paragraph 31)")
struct EQPOPTests {
    @Test("Included: full-time or sandwich-year-out home undergraduate", arguments: ["FTS", "SWOUT", "fts", "swout"])
    func included(mode: String) {
        let record = TestRecord([.hefmode: mode])
        #expect(record.derived(.eqpop) == "1")
        #expect(record.clause(.eqpop) == "EQPOP = 1: Included in full-time improving retention allocation population")
    }

    @Test("Included: codes written differently (ruling R3)")
    func includedCodesWrittenDifferently() {
        #expect(TestRecord([.hefcomp: "04", .hefexcl: "00", .domicile: "xk", .heftype: "homef", .heflevel: "ug"])
            .derived(.eqpop) == "1")
    }

    @Test("Not included: HEFCOMP is not 4", arguments: ["1", "3", "5", "", "X"])
    func notCompleted(hefcomp: String) {
        let record = TestRecord([.hefcomp: hefcomp])
        #expect(record.derived(.eqpop) == "0")
        #expect(record.clause(.eqpop) == notIncludedOtherwise)
    }

    @Test("Not included: excluded from HEFCE counts (HEFEXCL not 0)", arguments: ["1", "2", "", "N"])
    func excluded(hefexcl: String) {
        let record = TestRecord([.hefexcl: hefexcl])
        #expect(record.derived(.eqpop) == "0")
        #expect(record.clause(.eqpop) == notIncludedOtherwise)
    }

    @Test("Included: domiciled in England or Wales (XF, XK)", arguments: ["XF", "XK"])
    func englandOrWales(domicile: String) {
        #expect(TestRecord([.domicile: domicile]).derived(.eqpop) == "1")
    }

    @Test(
        "Not included: Scotland, Northern Ireland, Channel Islands and elsewhere (ruling R8)",
        arguments: ["XG", "XH", "XI", "XL", "FR", ""])
    func otherDomicile(domicile: String) {
        let record = TestRecord([.domicile: domicile])
        #expect(record.derived(.eqpop) == "0")
        #expect(record.clause(.eqpop) == notIncludedOtherwise)
    }

    @Test("Not included: not HEFCE-fundable (HEFTYPE not HOMEF)", arguments: ["OSI", "EUF", "HOME", ""])
    func notFundable(heftype: String) {
        #expect(TestRecord([.heftype: heftype]).derived(.eqpop) == "0")
    }

    @Test("Not included: not undergraduate (HEFLEVEL not UG)", arguments: ["PGT", "PGT_UGF", "PGR", ""])
    func notUndergraduate(heflevel: String) {
        #expect(TestRecord([.heflevel: heflevel, .hefqaim: "OTHER"]).derived(.eqpop) == "0")
        #expect(TestRecord([.heflevel: heflevel]).derived(.eqpop) == "0")
    }

    @Test("Not included: part-time or unknown mode", arguments: ["PT", "pt", "", "FT"])
    func notFullTime(mode: String) {
        let record = TestRecord([.hefmode: mode])
        #expect(record.derived(.eqpop) == "0")
        #expect(record.clause(.eqpop) == notIncludedOtherwise)
    }

    @Test(
        "Not included: aged 30 or over with Level 3 qualifications that should carry tariff",
        arguments: [.tariffLevel3, .linkedLevel3, .possibleTariffLevel3] as [RetentionEntry],
        [aged30, [.dateofbirth: "01/01/1960"]])
    func matureWithTariffQualifications(entry: RetentionEntry, age: [Column: String]) {
        let record = TestRecord(merged(entry.changes, age))
        #expect(record.derived(.soentqual) == entry.soentqual)
        #expect(record.derived(.eqpop) == "0")
        #expect(record.clause(.eqpop).hasPrefix(matureExclusion))
    }

    @Test("Included: aged 29 on 31 August 2014 with a link made, one day short of the age exclusion")
    func twentyNineWithLink() {
        let record = TestRecord(merged([.qualent3: "P50", .solink: "1"], aged29))
        #expect(record.derived(.solinkage) == "29")
        #expect(record.derived(.eqpop) == "1")
        let thirty = TestRecord(merged([.qualent3: "P50", .solink: "1"], aged30))
        #expect(thirty.derived(.eqpop) == "0")
    }

    @Test(
        "Included: aged 30 or over with other entry qualifications",
        arguments: [
            .nonTariffLevel3, .gradesACCOrBBC, .firstDegree, .access, .baccalaureate,
            .noQualifications, .otherQualifications, .unknown, .foundation,
        ] as [RetentionEntry])
    func matureWithOtherQualifications(entry: RetentionEntry) {
        let record = TestRecord(merged(entry.changes, aged30))
        #expect(record.derived(.soentqual) == entry.soentqual)
        #expect(record.derived(.eqpop) == "1")
    }

    @Test(
        "Not included: under 30 with Level 3 qualifications that should carry tariff but no link made",
        arguments: [.tariffLevel3, .possibleTariffLevel3] as [RetentionEntry],
        [young, aged29, [.dateofbirth: ""]])
    func unlinkedUnderThirty(entry: RetentionEntry, age: [Column: String]) {
        let record = TestRecord(merged(entry.changes, age))
        #expect(record.derived(.soentqual) == entry.soentqual)
        #expect(record.derived(.eqpop) == "0")
        #expect(record.clause(.eqpop).hasPrefix(unlinkedExclusion))
    }

    @Test("Included: under 30 with a link made (SOLINK = 1)", arguments: [young, aged29])
    func linkedUnderThirty(age: [Column: String]) {
        let record = TestRecord(merged([.qualent3: "P50", .solink: "1"], age))
        #expect(record.derived(.soentqual) == "OTH3_TAR")
        #expect(record.derived(.eqpop) == "1")
        #expect(TestRecord(merged([.qualent3: "P41", .solink: "01"], age)).derived(.eqpop) == "1")
    }

    @Test(
        "Not included: under 30, Level 3 qualifications, and a SOLINK other than 1 means no link (paragraph 23)",
        arguments: ["0", "00", "", "2", "N"])
    func solinkOtherThanOne(solink: String) {
        let record = TestRecord([.qualent3: "P41", .solink: solink])
        #expect(record.derived(.soentqual) == "OTH3_POSSTAR")
        #expect(record.derived(.eqpop) == "0")
        #expect(record.clause(.eqpop).hasPrefix(unlinkedExclusion))
    }

    @Test(
        "Included: under 30 without a link, with qualifications not expected to carry tariff",
        arguments: [
            .nonTariffLevel3, .gradesACCOrBBC, .gradesBCCOrCCC, .postgraduate, .access,
            .baccalaureate, .noQualifications, .otherQualifications, .unknown, .missing,
        ] as [RetentionEntry])
    func unlinkedWithOtherQualifications(entry: RetentionEntry) {
        let record = TestRecord(entry.changes)
        #expect(record.derived(.soentqual) == entry.soentqual)
        #expect(record.derived(.eqpop) == "1")
    }

    @Test("Outside the population, the exclusions do not decide: EQPOP = 0 otherwise")
    func exclusionsOnlyInsidePopulation() {
        let unlinked = TestRecord([.qualent3: "P50", .solink: "0", .hefmode: "PT"])
        #expect(unlinked.derived(.eqpop) == "0")
        #expect(unlinked.clause(.eqpop) == notIncludedOtherwise)
        let mature = TestRecord(merged([.qualent3: "P50", .domicile: "XG"], aged30))
        #expect(mature.derived(.eqpop) == "0")
        #expect(mature.clause(.eqpop) == notIncludedOtherwise)
    }
}

// MARK: - UGLEVEL

@Suite("UGLEVEL (paragraph 32)")
struct UGLEVELTests {
    @Test(
        "Other undergraduate (OUG) for undergraduate aims other than a first degree",
        arguments: ["DIPHE", "CERTED", "FOUDEG", "FDBC", "DET", "DTLLS", "HNC", "HND", "UGOTHER", "hnd"])
    func otherUndergraduate(aim: String) {
        #expect(TestRecord([.hefqaim: aim]).derived(.uglevel) == "OUG")
    }

    @Test(
        "First degree (FIRST) for undergraduates aiming for a first degree or another aim not OTHER",
        arguments: ["FIRST", "first", "PGCE", "", "MASTERS"])
    func firstDegree(aim: String) {
        #expect(TestRecord([.hefqaim: aim]).derived(.uglevel) == "FIRST")
    }

    @Test("Not an undergraduate (OTHER) when the aim is OTHER", arguments: ["OTHER", "other"])
    func otherAim(aim: String) {
        #expect(TestRecord([.hefqaim: aim]).derived(.uglevel) == "OTHER")
    }

    @Test(
        "Not an undergraduate (OTHER) at any level but UG",
        arguments: ["PGT", "PGT_UGF", "PGR", ""], ["FIRST", "HND", "PGCE"])
    func notUndergraduateLevel(level: String, aim: String) {
        #expect(TestRecord([.heflevel: level, .hefqaim: aim]).derived(.uglevel) == "OTHER")
    }
}

// MARK: - EQGRP

@Suite("EQGRP (paragraphs 33–35)")
struct EQGRPTests {
    // Groups decided by the entry qualification alone.

    @Test(
        "Young, aiming for a first degree: risk group by entry qualification",
        arguments: [
            (.gradesACCOrBBC, "Y_F_L"), (.gradesBCCOrCCC, "Y_F_L"), (.postgraduate, "Y_F_L"),
            (.otherUndergraduate, "Y_F_L"), (.firstDegree, "Y_F_L"), (.baccalaureate, "Y_F_L"),
            (.foundation, "Y_F_M"),
            (.access, "Y_F_H"), (.btec, "Y_F_H"), (.otherQualifications, "Y_F_H"),
            (.noQualifications, "Y_F_H"),
            (.unknown, "Y_F_U"), (.missing, "Y_F_U"),
        ] as [(RetentionEntry, String)])
    func youngFirstDegree(entry: RetentionEntry, group: String) {
        #expect(riskGroup(entry, young, firstDegreeAim) == group)
    }

    @Test(
        "Mature, aiming for a first degree: risk group by entry qualification",
        arguments: [
            (.gradesACCOrBBC, "M_F_L"), (.postgraduate, "M_F_L"), (.otherUndergraduate, "M_F_L"),
            (.firstDegree, "M_F_L"),
            (.gradesBCCOrCCC, "M_F_M"), (.baccalaureate, "M_F_M"), (.access, "M_F_M"),
            (.foundation, "M_F_M"),
            (.btec, "M_F_H"), (.otherQualifications, "M_F_H"), (.noQualifications, "M_F_H"),
            (.unknown, "M_F_U"), (.missing, "M_F_U"),
        ] as [(RetentionEntry, String)])
    func matureFirstDegree(entry: RetentionEntry, group: String) {
        #expect(riskGroup(entry, mature, firstDegreeAim) == group)
    }

    @Test(
        "Young, other undergraduate: risk group by entry qualification",
        arguments: [
            (.gradesACCOrBBC, "Y_O_L"), (.gradesBCCOrCCC, "Y_O_L"), (.postgraduate, "Y_O_L"),
            (.otherUndergraduate, "Y_O_L"), (.firstDegree, "Y_O_L"),
            (.baccalaureate, "Y_O_M"), (.foundation, "Y_O_M"), (.access, "Y_O_M"),
            (.btec, "Y_O_H"), (.otherQualifications, "Y_O_H"), (.noQualifications, "Y_O_H"),
            (.unknown, "Y_O_U"), (.missing, "Y_O_U"),
        ] as [(RetentionEntry, String)])
    func youngOtherUndergraduate(entry: RetentionEntry, group: String) {
        #expect(riskGroup(entry, young, otherUndergraduateAim) == group)
    }

    @Test(
        "Mature, other undergraduate: risk group by entry qualification",
        arguments: [
            (.gradesACCOrBBC, "M_O_L"), (.gradesBCCOrCCC, "M_O_L"), (.postgraduate, "M_O_L"),
            (.otherUndergraduate, "M_O_L"), (.firstDegree, "M_O_L"), (.access, "M_O_L"),
            (.foundation, "M_O_M"),
            (.baccalaureate, "M_O_H"), (.btec, "M_O_H"), (.otherQualifications, "M_O_H"),
            (.noQualifications, "M_O_H"),
            (.unknown, "M_O_U"), (.missing, "M_O_U"),
        ] as [(RetentionEntry, String)])
    func matureOtherUndergraduate(entry: RetentionEntry, group: String) {
        #expect(riskGroup(entry, mature, otherUndergraduateAim) == group)
    }

    // Other Level 3 qualifications: groups decided by tariff points.

    @Test(
        "Young, first degree, other Level 3: 291+ low, 101–290 or 0 medium, 1–100 high, unknown tariff U",
        arguments: RetentionEntry.otherLevel3,
        [
            ("9999", "Y_F_L"), ("291", "Y_F_L"), ("290", "Y_F_M"), ("101", "Y_F_M"), ("100", "Y_F_H"),
            ("1", "Y_F_H"), ("0", "Y_F_M"), ("", "Y_F_U"), ("n/a", "Y_F_U"),
        ])
    func youngFirstDegreeTariff(entry: RetentionEntry, points: (String, String)) {
        #expect(riskGroup(entry, young, firstDegreeAim, tariff(points.0)) == points.1)
    }

    @Test(
        "Mature, first degree, other Level 3: 261+ low, 0–260 medium, unknown tariff U",
        arguments: RetentionEntry.otherLevel3,
        [
            ("9998", "M_F_L"), ("261", "M_F_L"), ("260", "M_F_M"), ("1", "M_F_M"), ("0", "M_F_M"), ("", "M_F_U"),
            ("-5", "M_F_U"),
        ])
    func matureFirstDegreeTariff(entry: RetentionEntry, points: (String, String)) {
        #expect(riskGroup(entry, mature, firstDegreeAim, tariff(points.0)) == points.1)
    }

    @Test(
        "Young, other undergraduate, other Level 3: 291+ low, 161–290 medium, 0–160 high, unknown tariff U",
        arguments: RetentionEntry.otherLevel3,
        [
            ("12000", "Y_O_L"), ("291", "Y_O_L"), ("290", "Y_O_M"), ("161", "Y_O_M"), ("160", "Y_O_H"),
            ("1", "Y_O_H"), ("0", "Y_O_H"), ("", "Y_O_U"), ("250.5", "Y_O_U"),
        ])
    func youngOtherUndergraduateTariff(entry: RetentionEntry, points: (String, String)) {
        #expect(riskGroup(entry, young, otherUndergraduateAim, tariff(points.0)) == points.1)
    }

    @Test(
        "Mature, other undergraduate, other Level 3: 161+ low, 1–160 medium, 0 high, unknown tariff U",
        arguments: RetentionEntry.otherLevel3,
        [
            ("9999", "M_O_L"), ("161", "M_O_L"), ("160", "M_O_M"), ("1", "M_O_M"), ("0", "M_O_H"), ("", "M_O_U"),
            ("abc", "M_O_U"),
        ])
    func matureOtherUndergraduateTariff(entry: RetentionEntry, points: (String, String)) {
        #expect(riskGroup(entry, mature, otherUndergraduateAim, tariff(points.0)) == points.1)
    }

    @Test("Other Level 3 students in a file without a SOTARIFF column fall to the unknown groups (ruling R10)")
    func noTariffColumn() {
        let cases: [([Column: String], String)] = [
            (merged(young, firstDegreeAim), "Y_F_U"), (merged(mature, firstDegreeAim), "M_F_U"),
            (merged(young, otherUndergraduateAim), "Y_O_U"), (merged(mature, otherUndergraduateAim), "M_O_U"),
        ]
        for (changes, group) in cases {
            let record = Derived(merged(changes, [.qualent3: "P50"]), omitting: [.sotariff])
            #expect(record.derived(.soentqual) == "OTH3_TAR")
            #expect(record.derived(.eqgrp) == group)
        }
    }

    @Test("Tariff points do not move students whose qualification is not other Level 3")
    func tariffIgnoredOutsideOtherLevel3() {
        #expect(riskGroup(.access, young, firstDegreeAim, tariff("400")) == "Y_F_H")
        #expect(riskGroup(.noQualifications, mature, firstDegreeAim, tariff("400")) == "M_F_H")
        #expect(riskGroup(.unknown, young, otherUndergraduateAim, tariff("400")) == "Y_O_U")
        #expect(riskGroup(.baccalaureate, mature, otherUndergraduateAim, tariff("400")) == "M_O_H")
        #expect(riskGroup(.gradesBCCOrCCC, mature, firstDegreeAim, tariff("400")) == "M_F_M")
        #expect(riskGroup(.postgraduate, young, firstDegreeAim, tariff("0")) == "Y_F_L")
    }

    // Young or mature: SOENTRYAGE on the start date, 21 and over is mature.

    @Test(
        "Age on starting decides young or mature: 20 is young, 21 is mature",
        arguments: [
            (.tariffLevel3, "291", "Y_F_L", "M_F_L"), (.tariffLevel3, "100", "Y_F_H", "M_F_M"),
            (.baccalaureate, "", "Y_F_L", "M_F_M"), (.unknown, "", "Y_F_U", "M_F_U"),
        ] as [(RetentionEntry, String, String, String)])
    func ageBoundaryFirstDegree(entry: RetentionEntry, points: String, youngGroup: String, matureGroup: String) {
        let twenty: [Column: String] = [.dateofbirth: "16/09/1993"]
        let twentyOne: [Column: String] = [.dateofbirth: "15/09/1993"]
        #expect(TestRecord(twenty).derived(.soentryage) == "20")
        #expect(TestRecord(twentyOne).derived(.soentryage) == "21")
        #expect(riskGroup(entry, twenty, firstDegreeAim, tariff(points)) == youngGroup)
        #expect(riskGroup(entry, twentyOne, firstDegreeAim, tariff(points)) == matureGroup)
    }

    @Test(
        "Age on starting decides young or mature for other undergraduates: 20 is young, 21 is mature",
        arguments: [
            (.tariffLevel3, "200", "Y_O_M", "M_O_L"), (.access, "", "Y_O_M", "M_O_L"),
            (.baccalaureate, "", "Y_O_M", "M_O_H"), (.unknown, "", "Y_O_U", "M_O_U"),
        ] as [(RetentionEntry, String, String, String)])
    func ageBoundaryOtherUndergraduate(entry: RetentionEntry, points: String, youngGroup: String, matureGroup: String) {
        #expect(riskGroup(entry, [.dateofbirth: "16/09/1993"], otherUndergraduateAim, tariff(points)) == youngGroup)
        #expect(riskGroup(entry, [.dateofbirth: "15/09/1993"], otherUndergraduateAim, tariff(points)) == matureGroup)
    }

    @Test("A student born on 29 February turns 21 on 1 March in a non-leap year (ruling R5)")
    func leapDayTwentyFirst() {
        let born: [Column: String] = [.dateofbirth: "29/02/1996"]
        #expect(riskGroup(.foundation, born, [.learnstartdate: "28/02/2017"]) == "Y_F_M")
        #expect(riskGroup(.foundation, born, [.learnstartdate: "01/03/2017"]) == "M_F_M")
        #expect(riskGroup(.foundation, born, [.learnstartdate: "29/02/2016"]) == "Y_F_M")
    }

    @Test("A student with no date of birth has entry age 0 and counts as young (paragraph 14)")
    func missingBirthDateIsYoung() {
        #expect(riskGroup(.foundation, [.dateofbirth: ""]) == "Y_F_M")
        #expect(riskGroup(.foundation, [.dateofbirth: ""], otherUndergraduateAim) == "Y_O_M")
    }

    // Not an undergraduate.

    @Test(
        "No risk group (empty) when UGLEVEL = OTHER (ruling R12)",
        arguments: [
            [.hefqaim: "OTHER"], [.heflevel: "PGT"], [.heflevel: "PGT", .hefqaim: "HND"], [.heflevel: ""],
            merged(mature, [.hefqaim: "OTHER"]),
        ] as [[Column: String]])
    func notUndergraduate(changes: [Column: String]) {
        for entry in [RetentionEntry.tariffLevel3, .gradesACCOrBBC, .unknown] {
            let record = Derived(merged(entry.changes, tariff("300"), changes))
            #expect(record.derived(.uglevel) == "OTHER")
            #expect(record.derived(.eqgrp) == "")
            #expect(record.clause(.eqgrp) == "EQGRP = (empty): Not an undergraduate (UGLEVEL = OTHER)")
        }
    }

    @Test("A risk group is given to every undergraduate, even one with an aim not listed (UGLEVEL FIRST)")
    func unlistedAimHasGroup() {
        #expect(riskGroup(.foundation, [.hefqaim: "PGCE"]) == "Y_F_M")
        #expect(riskGroup(.foundation, [.hefqaim: ""]) == "Y_F_M")
    }
}
