import Testing

@testable import SOAllocCore
@testable import SOAllocRules

// Paragraphs 12–18: SOENTRANT, SOENTRYAGE, HIGHQUAL, EXCLPC, WAPOP, WAQUIN.
// Each row of each table is reached by one test and just missed by another,
// at its boundaries. The base test record (see TestRecord) is a young
// full-time home undergraduate entrant who started on 15/09/2014 aged 18,
// with QUALENT3 = P50, HEFQAIM = FIRST and WAQUIN = 3 in the file: WAPOP 1.

/// A named change to the base record, so parameterised tests read well.
struct WideningAccessChange: Sendable, CustomTestStringConvertible {
    let label: String
    let columns: [Column: String]

    init(_ label: String, _ columns: [Column: String]) {
        self.label = label
        self.columns = columns
    }

    var testDescription: String { label }

    /// This change on top of `other` (this one wins).
    func merged(over other: [Column: String]) -> [Column: String] {
        other.merging(columns) { $1 }
    }
}

/// The three widening access populations, built from the base record.
private let youngFullTime = WideningAccessChange("young full-time (aged 18)", [:])
private let matureFullTime = WideningAccessChange("mature full-time (aged 24)", [.dateofbirth: "10/05/1990"])
private let partTime = WideningAccessChange("part-time", [.hefmode: "PT"])
private let populations = [youngFullTime, matureFullTime, partTime]

/// The WAPOP each population is in: 1, 2 or 3.
private func wapop(of population: WideningAccessChange) -> String {
    switch population.label {
    case partTime.label: "3"
    case matureFullTime.label: "2"
    default: "1"
    }
}

/// QUALENT3 codes that give HIGHQUAL = 0 and 1 with HEFQAIM = FIRST.
private let alreadyQualified: [Column: String] = [.qualent3: "H11"]
private let notYetQualified: [Column: String] = [.qualent3: "P50"]

private let qualificationAimLabel =
    "HIGHQUAL = 1: Student has not previously obtained their qualification aim or a higher qualification aim"

// MARK: - SOENTRANT

@Suite("SOENTRANT (paragraph 12)")
struct SOENTRANTTests {
    @Test("SOENTRANT = 1 from 1 August 2014 (ruling R7)",
        arguments: ["01/08/2014", "2014-08-01", "1/8/2014", " 01/08/2014 ", "15/09/2014", "31/07/2015"])
    func entrant(start: String) {
        let record = TestRecord([.learnstartdate: start])
        #expect(record.derived(.soentrant) == "1")
        #expect(record.clause(.soentrant) == "SOENTRANT = 1: Entrant")
    }

    @Test("SOENTRANT = 0 for a start on 31 July 2014 or earlier",
        arguments: ["31/07/2014", "2014-07-31", "31/7/2014", "01/08/2013", "2010-01-15"])
    func continuing(start: String) {
        let record = TestRecord([.learnstartdate: start])
        #expect(record.derived(.soentrant) == "0")
        #expect(record.clause(.soentrant) == "SOENTRANT = 0: Otherwise")
    }

    @Test("SOENTRANT = 0 when the start date is missing or invalid (ruling R7)",
        arguments: ["", "31/02/2015", "29/02/2015", "2014-13-01", "32/08/2014", "soon", "01-08-2014", "01/08/14"])
    func noStartDate(start: String) {
        let record = TestRecord([.learnstartdate: start])
        #expect(record.derived(.soentrant) == "0")
        #expect(record.clause(.soentrant) == "SOENTRANT = 0: Otherwise")
    }
}

// MARK: - SOENTRYAGE

@Suite("SOENTRYAGE (paragraphs 13-14)")
struct SOENTRYAGETests {
    private static let computedLabel = "SOENTRYAGE = full years: Full years between DATEOFBIRTH and LEARNSTARTDATE"
    private static let missingLabel = "SOENTRYAGE = 0: DATEOFBIRTH or LEARNSTARTDATE is missing (paragraph 14)"

    private func age(born: String, started: String) -> String {
        TestRecord([.dateofbirth: born, .learnstartdate: started]).derived(.soentryage)
    }

    @Test("SOENTRYAGE counts full years: 20 the day before the 21st birthday, 21 on it (ruling R5)")
    func twentyFirstBirthday() {
        #expect(age(born: "10/05/1996", started: "09/05/2017") == "20")
        #expect(age(born: "10/05/1996", started: "10/05/2017") == "21")
        #expect(age(born: "10/05/1996", started: "11/05/2017") == "21")
        #expect(age(born: "1996-05-10", started: "2017-05-09") == "20")
        #expect(age(born: "1996-05-10", started: "2017-05-10") == "21")
        #expect(age(born: "10/5/1996", started: "10/5/2017") == "21")
        #expect(TestRecord([.dateofbirth: "10/05/1996", .learnstartdate: "10/05/2017"]).clause(.soentryage)
            == Self.computedLabel)
    }

    @Test("SOENTRYAGE compares month before day: an earlier month is a year less")
    func monthThenDay() {
        #expect(age(born: "10/05/1996", started: "30/04/2017") == "20")
        #expect(age(born: "10/05/1996", started: "01/06/2017") == "21")
        #expect(age(born: "31/12/1995", started: "30/12/2016") == "20")
        #expect(age(born: "31/12/1995", started: "31/12/2016") == "21")
        #expect(age(born: "31/12/1995", started: "01/01/2017") == "21")
        #expect(age(born: "01/01/1996", started: "31/12/2016") == "20")
        #expect(age(born: "10/05/1996", started: "15/09/2014") == "18")
    }

    @Test("Born on 29 February: the birthday falls on 1 March in a non-leap year (ruling R5)")
    func leapDayNonLeapStart() {
        #expect(age(born: "29/02/1996", started: "28/02/2017") == "20")
        #expect(age(born: "29/02/1996", started: "01/03/2017") == "21")
        #expect(age(born: "1996-02-29", started: "2017-03-01") == "21")
    }

    @Test("Born on 29 February: the birthday is 29 February in a leap year (ruling R5)")
    func leapDayLeapStart() {
        #expect(age(born: "29/02/1996", started: "28/02/2016") == "19")
        #expect(age(born: "29/02/1996", started: "29/02/2016") == "20")
        #expect(age(born: "29/02/1996", started: "01/03/2016") == "20")
    }

    @Test("Born on 28 February or 1 March near a leap day")
    func neighboursOfLeapDay() {
        #expect(age(born: "28/02/1996", started: "28/02/2017") == "21")
        #expect(age(born: "28/02/1996", started: "27/02/2017") == "20")
        #expect(age(born: "01/03/1996", started: "29/02/2016") == "19")
        #expect(age(born: "01/03/1996", started: "01/03/2016") == "20")
    }

    @Test("SOENTRYAGE = 0 when DATEOFBIRTH or LEARNSTARTDATE is missing (paragraph 14)",
        arguments: [
            WideningAccessChange("no date of birth", [.dateofbirth: ""]),
            WideningAccessChange("no start date", [.learnstartdate: ""]),
            WideningAccessChange("neither date", [.dateofbirth: "", .learnstartdate: ""]),
        ])
    func missingDate(change: WideningAccessChange) {
        let record = TestRecord(change.columns)
        #expect(record.derived(.soentryage) == "0")
        #expect(record.clause(.soentryage) == Self.missingLabel)
    }

    @Test("SOENTRYAGE = 0 when a date is invalid, as if missing (ruling R4)",
        arguments: [
            WideningAccessChange("date of birth 31/02/1996", [.dateofbirth: "31/02/1996"]),
            WideningAccessChange("date of birth 29/02/1997", [.dateofbirth: "29/02/1997"]),
            WideningAccessChange("date of birth 1996-13-01", [.dateofbirth: "1996-13-01"]),
            WideningAccessChange("date of birth as text", [.dateofbirth: "unknown"]),
            WideningAccessChange("start date 31/02/2015", [.learnstartdate: "31/02/2015"]),
            WideningAccessChange("start date 2014-13-01", [.learnstartdate: "2014-13-01"]),
            WideningAccessChange("start date as text", [.learnstartdate: "September"]),
        ])
    func invalidDate(change: WideningAccessChange) {
        let record = TestRecord(change.columns)
        #expect(record.derived(.soentryage) == "0")
        #expect(record.clause(.soentryage) == Self.missingLabel)
    }

    @Test("SOENTRYAGE = 0 when the date of birth is after the start date")
    func bornAfterStart() {
        for born in ["16/09/2014", "15/09/2015", "2020-01-01"] {
            let record = TestRecord([.dateofbirth: born, .learnstartdate: "15/09/2014"])
            #expect(record.derived(.soentryage) == "0", "born \(born)")
            #expect(record.clause(.soentryage) == "SOENTRYAGE = 0: DATEOFBIRTH is after LEARNSTARTDATE", "born \(born)")
        }
    }

    @Test("SOENTRYAGE = 0 when born on the start date, as a count of full years")
    func bornOnStart() {
        let record = TestRecord([.dateofbirth: "15/09/2014", .learnstartdate: "2014-09-15"])
        #expect(record.derived(.soentryage) == "0")
        #expect(record.clause(.soentryage) == Self.computedLabel)
        // The day before the start is not "after" it: a full count of zero years.
        let dayOld = TestRecord([.dateofbirth: "14/09/2014", .learnstartdate: "15/09/2014"])
        #expect(dayOld.derived(.soentryage) == "0")
        #expect(dayOld.clause(.soentryage) == Self.computedLabel)
    }
}

// MARK: - HIGHQUAL

@Suite("HIGHQUAL (paragraph 15)")
struct HIGHQUALTests {
    private static let degreeLevelAims = ["FIRST", "DIPHE", "CERTED", "FOUDEG", "FDBC", "DET", "DTLLS", "HND"]

    private func highqual(_ qualent3: String, _ hefqaim: String) -> String {
        TestRecord([.qualent3: qualent3, .hefqaim: hefqaim]).derived(.highqual)
    }

    @Test("HIGHQUAL = 1 for a QUALENT3 starting with J aiming for a first degree",
        arguments: ["J10", "J20", "J30", "J48", "J49", "J80", "JUK", "J99", "j10", " J30 "])
    func levelThreeToFirstDegree(qualent3: String) {
        let record = TestRecord([.qualent3: qualent3, .hefqaim: "FIRST"])
        #expect(record.derived(.highqual) == "1")
        #expect(record.clause(.highqual) == qualificationAimLabel)
    }

    @Test("HIGHQUAL = 0 for a QUALENT3 starting with J with any aim but a first degree",
        arguments: ["DIPHE", "CERTED", "FOUDEG", "FDBC", "DET", "DTLLS", "HNC", "HND", "UGOTHER", "PGCE", "OTHER", ""])
    func levelThreeOtherAim(hefqaim: String) {
        let record = TestRecord([.qualent3: "J10", .hefqaim: hefqaim])
        #expect(record.derived(.highqual) == "0")
        #expect(record.clause(.highqual) == "HIGHQUAL = 0: Otherwise")
    }

    @Test("HIGHQUAL = 1 for a QUALENT3 starting with C (not C90) and each listed aim",
        arguments: ["C20", "C30", "C44", "C80"], degreeLevelAims)
    func certificateListedAim(qualent3: String, hefqaim: String) {
        #expect(highqual(qualent3, hefqaim) == "1")
    }

    @Test("HIGHQUAL = 0 for a QUALENT3 starting with C (not C90) aiming for an HNC or an unlisted aim",
        arguments: ["C20", "C30", "C44", "C80", "C21"], ["HNC", "UGOTHER", "PGCE", "OTHER", ""])
    func certificateOtherAim(qualent3: String, hefqaim: String) {
        #expect(highqual(qualent3, hefqaim) == "0")
    }

    @Test("HIGHQUAL = 1 for QUALENT3 = C90 and each aim of its list, HNC included",
        arguments: degreeLevelAims + ["HNC"])
    func c90ListedAim(hefqaim: String) {
        let record = TestRecord([.qualent3: "C90", .hefqaim: hefqaim])
        #expect(record.derived(.highqual) == "1")
        #expect(record.clause(.highqual) == qualificationAimLabel)
    }

    @Test("HIGHQUAL = 0 for QUALENT3 = C90 with an unlisted aim", arguments: ["UGOTHER", "PGCE", "OTHER", ""])
    func c90OtherAim(hefqaim: String) {
        #expect(highqual("C90", hefqaim) == "0")
    }

    @Test("HIGHQUAL = 1 for QUALENT3 starting with P, Q, R or X, whatever the aim",
        arguments: ["P50", "P91", "Q51", "R01", "X00", "X01", "X02", "X03", "X05", "x02", "p41"],
        ["FIRST", "HNC", "PGCE", "OTHER"])
    func noHigherQualification(qualent3: String, hefqaim: String) {
        #expect(highqual(qualent3, hefqaim) == "1")
    }

    @Test("HIGHQUAL = 0 for the exceptions X04 and X06", arguments: ["X04", "X06", "x04", " X06 "])
    func unknownQualifications(qualent3: String) {
        let record = TestRecord([.qualent3: qualent3, .hefqaim: "FIRST"])
        #expect(record.derived(.highqual) == "0")
        #expect(record.clause(.highqual) == "HIGHQUAL = 0: Otherwise")
    }

    @Test("HIGHQUAL = 0 for QUALENT3 starting with other letters, or empty",
        arguments: ["D80", "DUK", "H11", "H80", "M41", "MUK", "A10", "Z99", "1X0", ""])
    func otherInitials(qualent3: String) {
        for hefqaim in ["FIRST", "HNC", "OTHER"] {
            #expect(highqual(qualent3, hefqaim) == "0", "with \(hefqaim)")
        }
    }

    @Test("HIGHQUAL reads QUALENT3 and HEFQAIM in any case and with spaces (ruling R3)")
    func caseAndSpaces() {
        #expect(highqual("c20", "first") == "1")
        #expect(highqual("c90", "hnc") == "1")
        #expect(highqual(" C90 ", " Hnc ") == "1")
        #expect(highqual("c20", "hnc") == "0")
        #expect(highqual("j10", "First") == "1")
        #expect(highqual("j10", "diphe") == "0")
    }
}

// MARK: - WAPOP

// EXCLPC (paragraph 16) is an input with no table of its own: it is tested here
// as the first of WAPOP's shared conditions.
@Suite("WAPOP (paragraph 17)")
struct WAPOPTests {
    private static let young = "WAPOP = 1: Included in young full-time widening access allocation population"
    private static let mature = "WAPOP = 2: Included in mature full-time widening access allocation population"
    private static let partTimers = "WAPOP = 3: Included in the part-time widening access allocation population"

    @Test("WAPOP = 1 for a young full-time entrant")
    func youngFullTimeEntrant() {
        let record = TestRecord()
        #expect(record.derived(.soentryage) == "18")
        #expect(record.derived(.wapop) == "1")
        #expect(record.clause(.wapop) == Self.young)
    }

    @Test("WAPOP = 2 for a mature full-time entrant")
    func matureFullTimeEntrant() {
        let record = TestRecord(matureFullTime.columns)
        #expect(record.derived(.soentryage) == "24")
        #expect(record.derived(.wapop) == "2")
        #expect(record.clause(.wapop) == Self.mature)
    }

    @Test("WAPOP = 3 for a part-time entrant")
    func partTimeEntrant() {
        let record = TestRecord(partTime.columns)
        #expect(record.derived(.wapop) == "3")
        #expect(record.clause(.wapop) == Self.partTimers)
    }

    @Test("WAPOP = 1 the day before the 21st birthday")
    func dayBeforeTwentyFirst() {
        let record = TestRecord([.dateofbirth: "16/09/1993", .learnstartdate: "15/09/2014"])
        #expect(record.derived(.soentryage) == "20")
        #expect(record.derived(.wapop) == "1")
    }

    @Test("WAPOP = 2 from the 21st birthday")
    func onTwentyFirst() {
        let record = TestRecord([.dateofbirth: "15/09/1993", .learnstartdate: "15/09/2014"])
        #expect(record.derived(.soentryage) == "21")
        #expect(record.derived(.wapop) == "2")
    }

    @Test("WAPOP for someone born on 29 February starting around their 21st birthday")
    func leapDayBirthday() {
        #expect(TestRecord([.dateofbirth: "29/02/1996", .learnstartdate: "28/02/2017"]).derived(.wapop) == "1")
        #expect(TestRecord([.dateofbirth: "29/02/1996", .learnstartdate: "01/03/2017"]).derived(.wapop) == "2")
    }

    @Test("WAPOP = 1 with no date of birth: SOENTRYAGE is 0, under 21 (paragraph 14)")
    func noDateOfBirth() {
        let record = TestRecord([.dateofbirth: ""])
        #expect(record.derived(.soentryage) == "0")
        #expect(record.derived(.wapop) == "1")
    }

    @Test("WAPOP = 0 full-time with no start date: not an entrant (ruling R7)")
    func noStartDate() {
        #expect(TestRecord([.learnstartdate: ""]).derived(.wapop) == "0")
        #expect(TestRecord([.learnstartdate: "", .hefmode: "PT"]).derived(.wapop) == "0")
    }

    @Test("Part-time entrants are in WAPOP 3 whatever their age",
        arguments: [
            WideningAccessChange("aged 19", [.dateofbirth: "10/05/1995"]),
            WideningAccessChange("aged 20 the day before the 21st birthday", [.dateofbirth: "16/09/1993"]),
            WideningAccessChange("aged 21", [.dateofbirth: "15/09/1993"]),
            WideningAccessChange("aged 40", [.dateofbirth: "01/01/1974"]),
            WideningAccessChange("no date of birth", [.dateofbirth: ""]),
        ])
    func partTimeAnyAge(change: WideningAccessChange) {
        #expect(TestRecord(change.merged(over: partTime.columns)).derived(.wapop) == "3")
    }

    @Test("WAPOP = 0 for a sandwich year out (SWOUT), whatever the age",
        arguments: ["10/05/1996", "10/05/1990"])
    func sandwichYearOut(born: String) {
        let record = TestRecord([.hefmode: "SWOUT", .dateofbirth: born])
        #expect(record.derived(.wapop) == "0")
        #expect(record.clause(.wapop) == "WAPOP = 0: Otherwise")
    }

    @Test("WAPOP = 0 for an empty or unlisted mode", arguments: ["", "FT", "PTS", "OTHER"])
    func unlistedMode(mode: String) {
        #expect(TestRecord([.hefmode: mode]).derived(.wapop) == "0")
    }

    @Test("WAPOP = 0 when any shared condition fails, for each population",
        arguments: populations,
        [
            WideningAccessChange("postcode excluded (EXCLPC = Y)", [.exclpc: "Y"]),
            WideningAccessChange("EXCLPC empty", [.exclpc: ""]),
            WideningAccessChange("EXCLPC unlisted", [.exclpc: "X"]),
            WideningAccessChange("domicile XL", [.domicile: "XL"]),
            WideningAccessChange("domicile FR", [.domicile: "FR"]),
            WideningAccessChange("domicile empty", [.domicile: ""]),
            WideningAccessChange("HEFTYPE = EUF", [.heftype: "EUF"]),
            WideningAccessChange("HEFTYPE = OSI", [.heftype: "OSI"]),
            WideningAccessChange("HEFTYPE empty", [.heftype: ""]),
            WideningAccessChange("HEFCOMP = 3", [.hefcomp: "3"]),
            WideningAccessChange("HEFCOMP = 1", [.hefcomp: "1"]),
            WideningAccessChange("HEFCOMP empty", [.hefcomp: ""]),
            WideningAccessChange("HEFEXCL = 1", [.hefexcl: "1"]),
            WideningAccessChange("HEFEXCL = 2", [.hefexcl: "2"]),
            WideningAccessChange("HEFEXCL empty", [.hefexcl: ""]),
            WideningAccessChange("started 31/07/2014 (SOENTRANT = 0)", [.learnstartdate: "31/07/2014"]),
            WideningAccessChange("HEFLEVEL = PGT", [.heflevel: "PGT"]),
            WideningAccessChange("HEFLEVEL = PGT_UGF", [.heflevel: "PGT_UGF"]),
            WideningAccessChange("HEFLEVEL empty", [.heflevel: ""]),
        ])
    func sharedConditionFails(population: WideningAccessChange, failure: WideningAccessChange) {
        let record = TestRecord(failure.merged(over: population.columns))
        #expect(record.derived(.wapop) == "0")
        #expect(record.clause(.wapop) == "WAPOP = 0: Otherwise")
    }

    @Test("WAPOP keeps each population with each UK domicile (ruling R8)",
        arguments: populations, ["XF", "XG", "XH", "XI", "XK"])
    func ukDomiciles(population: WideningAccessChange, domicile: String) {
        let expected = wapop(of: population)
        let changes = WideningAccessChange("", [.domicile: domicile]).merged(over: population.columns)
        #expect(TestRecord(changes).derived(.wapop) == expected)
    }

    @Test("WAPOP keeps each population when started on 1 August 2014 (SOENTRANT = 1)")
    func firstEntryDay() {
        #expect(TestRecord([.learnstartdate: "01/08/2014"]).derived(.wapop) == "1")
        #expect(TestRecord([.learnstartdate: "01/08/2014", .dateofbirth: "01/08/1993"]).derived(.wapop) == "2")
        #expect(TestRecord([.learnstartdate: "01/08/2014", .dateofbirth: "02/08/1993"]).derived(.wapop) == "1")
        #expect(TestRecord([.learnstartdate: "01/08/2014", .hefmode: "PT"]).derived(.wapop) == "3")
    }

    @Test("WAPOP reads codes in any case, with spaces, and all-digit codes as numbers (ruling R3)",
        arguments: populations)
    func caseAndSpaces(population: WideningAccessChange) {
        let expected = wapop(of: population)
        let written = WideningAccessChange(
            "written loosely",
            [
                .exclpc: " n ", .domicile: "xk", .heftype: " HomeF ", .hefcomp: "04", .hefexcl: "00",
                .heflevel: "ug ",
                .hefmode: population.label == partTime.label ? " pt" : "fts",
            ])
        #expect(TestRecord(written.merged(over: population.columns)).derived(.wapop) == expected)
    }
}

// MARK: - WAQUIN

@Suite("WAQUIN (paragraph 18)")
struct WAQUINTests {
    private static let fromFile = "WAQUIN = the file's WAQUIN: Quintile of the student's postcode, from the file"
    private static let highqualFive =
        "WAQUIN = 5: Mature or part-time with a qualification at or above the aim, or unknown (HIGHQUAL = 0)"
    private static let unknown = "WAQUIN = (empty): No quintile known"
    private static let quintiles = ["1", "2", "3", "4", "5"]

    private func record(_ population: WideningAccessChange, _ qualification: [Column: String], waquin: String) -> TestRecord {
        TestRecord(population.merged(over: qualification).merging([.waquin: waquin]) { $1 })
    }

    @Test("WAQUIN is empty outside the widening access populations, whatever the file says (ruling R9)",
        arguments: ["1", "3", "5", ""])
    func notInPopulation(waquin: String) {
        for change in [[.domicile: "XL"], [.hefmode: "SWOUT"], [.hefexcl: "1"], [.qualent3: "H11", .domicile: "XL"]]
            as [[Column: String]]
        {
            let record = TestRecord(change.merging([.waquin: waquin]) { $1 })
            #expect(record.derived(.wapop) == "0")
            #expect(record.derived(.waquin) == "")
            #expect(record.clause(.waquin) == "WAQUIN = (empty): Not in a widening access population")
        }
    }

    @Test("WAQUIN = 5 for mature and part-time students with HIGHQUAL = 0, whatever the file says (ruling R9)",
        arguments: [matureFullTime, partTime], quintiles + ["", "0", "6", "x"])
    func alreadyQualifiedMatureOrPartTime(population: WideningAccessChange, waquin: String) {
        let record = record(population, alreadyQualified, waquin: waquin)
        #expect(record.derived(.highqual) == "0")
        #expect(record.derived(.waquin) == "5")
        #expect(record.clause(.waquin) == Self.highqualFive)
    }

    @Test("WAQUIN for a young full-time student with HIGHQUAL = 0 is the file's quintile, not 5",
        arguments: quintiles)
    func alreadyQualifiedYoung(waquin: String) {
        let record = record(youngFullTime, alreadyQualified, waquin: waquin)
        #expect(record.derived(.highqual) == "0")
        #expect(record.derived(.wapop) == "1")
        #expect(record.derived(.waquin) == waquin)
        #expect(record.clause(.waquin) == Self.fromFile)
    }

    @Test("WAQUIN for a young full-time student with HIGHQUAL = 0 and no quintile in the file is empty")
    func alreadyQualifiedYoungUnknown() {
        let record = record(youngFullTime, alreadyQualified, waquin: "")
        #expect(record.derived(.waquin) == "")
        #expect(record.clause(.waquin) == Self.unknown)
    }

    @Test("WAQUIN is the file's quintile for each population when HIGHQUAL = 1",
        arguments: populations, quintiles)
    func fileQuintile(population: WideningAccessChange, waquin: String) {
        let record = record(population, notYetQualified, waquin: waquin)
        #expect(record.derived(.highqual) == "1")
        #expect(record.derived(.waquin) == waquin)
        #expect(record.clause(.waquin) == Self.fromFile)
    }

    @Test("WAQUIN reads the file's quintile with leading zeros and spaces (ruling R3)",
        arguments: [("03", "3"), ("01", "1"), ("005", "5"), (" 4 ", "4"), ("2 ", "2")])
    func writtenLoosely(waquin: String, expected: String) {
        for population in populations {
            #expect(record(population, notYetQualified, waquin: waquin).derived(.waquin) == expected, "\(population.label)")
        }
    }

    @Test("WAQUIN is empty when the file has no quintile from 1 to 5 (ruling R9)",
        arguments: populations, ["", "0", "00", "6", "10", "-1", "3.0", "Q3", "unknown"])
    func noQuintile(population: WideningAccessChange, waquin: String) {
        let record = record(population, notYetQualified, waquin: waquin)
        #expect(record.derived(.wapop) != "0")
        #expect(record.derived(.waquin) == "")
        #expect(record.clause(.waquin) == Self.unknown)
    }
}
