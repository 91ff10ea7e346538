import Testing

@testable import SOAllocCore
@testable import SOAllocRules

// `--quals FILE`: the learners' qualifications on entry, scored by paragraphs
// 25–29 of the technical document (SOTARIFF, SOGRADECOMB) and rulings R10 and
// R11, and the linked IB, BTEC and Access flags that SOENTQUAL and EQGRP read.
// Each rule is shown holding by one test and not holding by another.
//
// The base test record (see TestRecord) is LEARNREFNUMBER L1 at UKPRN
// 10000001: a young full-time first-degree entrant with QUALENT3 = P50 and
// SOLINK = 1, so SOENTQUAL is OTH3_TAR unless linked data says more.

// MARK: - Helpers

/// The default tariff table: the 2014-15 UCAS tariff of the standard method.
private let ucas = Method.standard().tariff!

/// A quals file header with every column, optional ones included.
private let fullHeader = "LEARNREFNUMBER,UKPRN,QUALTYPE,QUALSBJ,QUALGRADE,TARIFF"

/// A quals file row for learner L1 under `fullHeader`.
private func row(
    _ type: String, _ subject: String, _ grade: String, tariff: String = "", ukprn: String = "", learner: String = "L1"
) -> String {
    [learner, ukprn, type, subject, grade, tariff].joined(separator: ",")
}

/// Rows of single A-levels in distinct subjects, one per grade, in order.
private func aLevelRows(_ grades: [String], learner: String = "L1") -> [String] {
    grades.enumerated().map { row("A_LEVEL", "Subject \($0.offset + 1)", $0.element, learner: learner) }
}

/// Writes a quals file and reads it; the directory lives as long as the value.
private final class QualsFixture {
    let directory = TemporaryDirectory()
    let path: String

    init(_ rows: [String], header: String = fullHeader) {
        path = directory.file("quals.csv", ([header] + rows).joined(separator: "\n") + "\n")
    }

    init(text: String) {
        path = directory.file("quals.csv", text)
    }

    func load(_ table: TariffTable = ucas) throws -> QualsFile {
        try QualsFile(path: path, table: table)
    }
}

/// A test record derived with a quals file of `rows` (under `header`).
private struct LinkedRecord {
    let facts: Facts

    init(
        _ changes: [Column: String] = [:], quals rows: [String], header: String = fullHeader,
        table: TariffTable = ucas
    ) throws {
        let quals = try QualsFixture(rows, header: header).load(table)
        facts = TestRecord(changes).facts(with: SideFiles(quals: quals, tariff: table))
    }

    /// A derived field as `derived.csv` writes it.
    subscript(slot: Slot) -> String { slot.domain.format(facts[slot]) }
}

/// A record derived with no side files at all.
private func withoutQuals(_ changes: [Column: String] = [:], _ slot: Slot) -> String {
    TestRecord(changes).derived(slot)
}

/// A qualification as the quals file would give it (subject already
/// trimmed and upper-cased, as `Qualification.subject` documents).
private func qualification(
    _ type: QualificationType?, _ grade: String, subject: String = "", tariff: Int? = nil, line: Int = 2
) -> Qualification {
    Qualification(
        line: line, ukprn: nil, type: type, typeText: type?.rawValue ?? "GCSE", subject: subject, gradeText: grade,
        tariff: tariff)
}

/// Single A-levels in distinct subjects.
private func aLevels(_ grades: [String]) -> [Qualification] {
    grades.enumerated().map { qualification(.aLevel, $0.element, subject: "S\($0.offset + 1)") }
}

private func points(_ type: QualificationType?, _ grade: String, tariff: Int? = nil, table: TariffTable = ucas) -> Int {
    EntryQualifications.points(qualification(type, grade, tariff: tariff), table)
}

/// SOGRADECOMB of a learner's qualifications, as text.
private func combination(_ qualifications: [Qualification], table: TariffTable = ucas) -> String {
    Vocabulary.sogradecomb.names[Int(EntryQualifications.derive(qualifications, table).gradeCombination)]
}

/// The data error that `body` fails with, if it fails with `Failure.data`.
// The lists of paragraph 29's table, copied from the technical document.
private let documentACCBBCPlus: [[String]] = [
    ["A*", "A*", "A*"], ["A*", "A*", "A"], ["A*", "A", "A"], ["A", "A", "A"], ["A*", "A*", "B"], ["A*", "A", "B"],
    ["A", "A", "B"], ["A*", "A*", "C"], ["A*", "A", "C"], ["A", "A", "C"], ["A*", "B", "B"], ["A", "B", "B"],
    ["A*", "B", "C"], ["A", "B", "C"], ["B", "B", "B"], ["A*", "C", "C"], ["A", "C", "C"], ["B", "B", "C"],
]
private let documentBCCCCC: [[String]] = [["B", "C", "C"], ["C", "C", "C"]]

/// The three grades given in several orders and spread over single, double
/// and combined awards (the combined awards' AS grades are A, better than
/// any of the three, so counting them as A-levels would change the answer).
private func arrangements(_ grades: [String]) -> [(label: String, qualifications: [Qualification])] {
    let (first, second, third) = (grades[0], grades[1], grades[2])
    return [
        ("three A-levels in the listed order", aLevels([first, second, third])),
        ("three A-levels in reverse order", aLevels([third, second, first])),
        ("three A-levels rotated", aLevels([second, third, first])),
        (
            "a double award and an A-level",
            [qualification(.aLevelDouble, first + second, subject: "D"), qualification(.aLevel, third, subject: "S")]
        ),
        (
            "an A-level and a double award in reverse order",
            [qualification(.aLevel, first, subject: "S"), qualification(.aLevelDouble, third + second, subject: "D")]
        ),
        (
            "a combined award and a double award",
            [
                qualification(.aAsCombined, third + "A", subject: "C"),
                qualification(.aLevelDouble, second + first, subject: "D"),
            ]
        ),
        (
            "three combined awards and an AS-level",
            [
                qualification(.asLevel, "A", subject: "AS"),
                qualification(.aAsCombined, second + "A", subject: "C1"),
                qualification(.aAsCombined, third + "A", subject: "C2"),
                qualification(.aAsCombined, first + "A", subject: "C3"),
            ]
        ),
    ]
}

// MARK: - Grades (paragraph 28)

@Suite("Qualifications: grades are cleaned (paragraph 28)")
struct QualificationsGradeTests {
    @Test(
        "hashes and lower-case letters are stripped from a grade",
        arguments: [
            ("A#", "A"), ("#B", "B"), ("Ab", "A"), ("bC", "C"), ("A#b#", "A"), ("AbB", "AB"), ("Distinction", "D"),
            ("a", ""), ("##", ""),
        ])
    func stripped(grade: String, cleaned: String) {
        #expect(EntryQualifications.cleaned(grade) == cleaned)
    }

    @Test(
        "capital letters, the star and digits are kept",
        arguments: ["A", "A*", "AB", "A*A*", "D*D*D*", "38", "E"])
    func kept(grade: String) {
        #expect(EntryQualifications.cleaned(grade) == grade)
    }

    @Test("A* keeps its star when hashes and lower-case letters around it are stripped")
    func starKept() {
        #expect(EntryQualifications.cleaned("A*#") == "A*")
        #expect(EntryQualifications.cleaned("#A*x") == "A*")
        #expect(points(.aLevel, "A*#") == 140)
        #expect(points(.aLevel, "A*") == 140)
        #expect(points(.aLevel, "A") == 120)
    }

    @Test("a grade with a hash or lower-case letters scores as the grade without them")
    func cleanedGradeScores() {
        #expect(points(.aLevel, "B#") == 100)
        #expect(points(.aLevel, "Bb") == 100)
        #expect(points(.asLevel, "C#") == 40)
        #expect(points(.aLevelDouble, "A#b#B") == 220)
    }

    @Test("a grade that is only lower-case letters is not a grade")
    func lowerCaseOnly() {
        #expect(points(.aLevel, "b") == 0)
        #expect(points(.aLevel, "a*") == 0)
        #expect(combination(aLevels(["A", "A", "c"])) == "OTHER")
        #expect(combination(aLevels(["A", "A", "C#"])) == "ACC_BBC+")
    }
}

// MARK: - Tariff points (paragraph 25)

@Suite("Qualifications: tariff points (paragraph 25)")
struct QualificationsPointsTests {
    @Test(
        "the default table gives the 2014-15 UCAS points for A-level grades",
        arguments: [("A*", 140), ("A", 120), ("B", 100), ("C", 80), ("D", 60), ("E", 40)])
    func aLevelPoints(grade: String, expected: Int) {
        #expect(points(.aLevel, grade) == expected)
    }

    @Test(
        "the default table gives the 2014-15 UCAS points for AS grades",
        arguments: [("A", 60), ("B", 50), ("C", 40), ("D", 30), ("E", 20)])
    func asLevelPoints(grade: String, expected: Int) {
        #expect(points(.asLevel, grade) == expected)
    }

    @Test("grades the default table does not list score nothing", arguments: ["F", "U", "X", "", "AB"])
    func unlistedALevelGrade(grade: String) {
        #expect(points(.aLevel, grade) == 0)
    }

    @Test("an AS grade of A* is not in the default table and scores nothing")
    func asStar() {
        #expect(points(.asLevel, "A*") == 0)
    }

    @Test("the TARIFF column wins over the table when given")
    func tariffColumnWins() {
        #expect(points(.aLevel, "A", tariff: 56) == 56)
        #expect(points(.aLevel, "A", tariff: 0) == 0)
        #expect(points(.asLevel, "E", tariff: 300) == 300)
        #expect(points(.btecL3, "DDD", tariff: 360) == 360)
        #expect(points(.aLevel, "not a grade", tariff: 12) == 12)
    }

    @Test("without a TARIFF the table's points are used")
    func tableWithoutTariff() {
        #expect(points(.aLevel, "A", tariff: nil) == 120)
    }

    @Test(
        "other types score 0 with the default table and no TARIFF",
        arguments: [
            (QualificationType.ibDiploma, "38"), (.btecL3, "DDD"), (.btecL3, "D*D*D*"), (.accessDiploma, "Pass"),
            (.other, "A"),
        ])
    func otherTypesScoreNothing(type: QualificationType, grade: String) {
        #expect(points(type, grade) == 0)
    }

    @Test("other types score what a method file's table gives them")
    func otherTypesFromTable() {
        let table = TariffTable(points: [
            "A_LEVEL": ["A": 120], "IB_DIPLOMA": ["38": 480], "BTEC_L3": ["DDD": 360, "D*D*D*": 420],
            "ACCESS_DIPLOMA": ["P": 24], "OTHER": ["X": 10],
        ])
        #expect(points(.ibDiploma, "38", table: table) == 480)
        #expect(points(.btecL3, "DDD", table: table) == 360)
        #expect(points(.btecL3, "D*D*D*", table: table) == 420)
        #expect(points(.other, "X", table: table) == 10)
        #expect(points(.ibDiploma, "37", table: table) == 0)
        #expect(points(.btecL3, "MMM", table: table) == 0)
    }

    @Test("an unknown QUALTYPE scores nothing with the default table")
    func unknownTypeScoresNothing() {
        #expect(points(nil, "A") == 0)
        #expect(points(nil, "A", tariff: 30) == 30)
    }
}

// MARK: - Double and combined awards (paragraph 29)

@Suite("Qualifications: double and combined awards (paragraph 29)")
struct QualificationsAwardTests {
    @Test(
        "a double award scores its two grades as A-levels",
        arguments: [("AB", 220), ("A*A*", 280), ("A*A", 260), ("CC", 160), ("EE", 80)])
    func doubleAwardPoints(grade: String, expected: Int) {
        #expect(points(.aLevelDouble, grade) == expected)
    }

    @Test(
        "a combined award scores an A-level grade then an AS grade",
        arguments: [("BC", 140), ("A*A", 200), ("AE", 140), ("EA", 100), ("CC", 120)])
    func combinedAwardPoints(grade: String, expected: Int) {
        #expect(points(.aAsCombined, grade) == expected)
    }

    @Test(
        "a double or combined award without exactly two grades is not scored",
        arguments: [
            (QualificationType.aLevelDouble, "A"), (.aLevelDouble, "ABC"), (.aLevelDouble, ""),
            (.aAsCombined, "B"), (.aAsCombined, "BCD"),
        ])
    func wrongGradeCount(type: QualificationType, grade: String) {
        #expect(points(type, grade) == 0)
        #expect(!EntryQualifications.isGradeable(qualification(type, grade), ucas))
    }

    @Test("a single A-level or AS-level with two grades is not scored")
    func singleWithTwoGrades() {
        #expect(points(.aLevel, "AB") == 0)
        #expect(points(.asLevel, "AB") == 0)
    }

    @Test("a double award gives two A-level grades towards SOGRADECOMB")
    func doubleGivesTwoALevels() {
        #expect(combination([qualification(.aLevelDouble, "AB", subject: "D"), qualification(.aLevel, "C", subject: "S")]) == "ACC_BBC+")
        #expect(combination([qualification(.aLevelDouble, "CC", subject: "D"), qualification(.aLevel, "C", subject: "S")]) == "BCC_CCC")
    }

    @Test("a double award alone is only two A-levels")
    func doubleAloneIsTwo() {
        #expect(combination([qualification(.aLevelDouble, "A*A*", subject: "D")]) == "OTHER")
    }

    @Test("a combined award gives one A-level grade; its AS grade does not count")
    func combinedGivesOneALevel() {
        let twoALevels = aLevels(["B", "B"])
        #expect(combination(twoALevels + [qualification(.aAsCombined, "BA", subject: "C")]) == "ACC_BBC+")
        // AA as a combined award is an A-level A and an AS A: two A-levels here, not three.
        #expect(combination([qualification(.aLevel, "A", subject: "S"), qualification(.aAsCombined, "AA", subject: "C")]) == "OTHER")
        // The A-level grade is the first: CA is A-level C, so C, C, C and not A, C, C.
        #expect(combination(aLevels(["C", "C"]) + [qualification(.aAsCombined, "CA", subject: "C")]) == "BCC_CCC")
    }

    @Test("AS grades never count towards SOGRADECOMB")
    func asGradesDoNotCount() {
        let asLevels = (1...5).map { qualification(.asLevel, "A", subject: "AS\($0)") }
        #expect(combination(asLevels) == "OTHER")
        #expect(combination(aLevels(["A", "A"]) + asLevels) == "OTHER")
        #expect(combination(aLevels(["C", "C", "C"]) + asLevels) == "BCC_CCC")
    }
}

// MARK: - Duplicate subjects (paragraph 27)

@Suite("Qualifications: duplicate subjects (paragraph 27)")
struct QualificationsDuplicateTests {
    @Test("of two qualifications in the same subject, the one worth more points is kept")
    func higherKept() {
        let entry = EntryQualifications.derive(
            [
                qualification(.asLevel, "A", subject: "MATHS"), qualification(.aLevel, "C", subject: "MATHS"),
                qualification(.aLevel, "B", subject: "PHYSICS"),
            ], ucas)
        #expect(entry.scored.map(\.kept) == [false, true, true])
        #expect(entry.scored.map(\.points) == [60, 80, 100])
        #expect(entry.tariff == 180)
    }

    @Test("the better one is kept whichever comes first in the file")
    func higherKeptInEitherOrder() {
        let entry = EntryQualifications.derive(
            [qualification(.aLevel, "E", subject: "MATHS"), qualification(.asLevel, "A", subject: "MATHS")], ucas)
        #expect(entry.scored.map(\.kept) == [false, true])
        #expect(entry.tariff == 60)
    }

    @Test("of three in one subject only the best is kept")
    func threeInOneSubject() {
        let entry = EntryQualifications.derive(
            [
                qualification(.aLevel, "C", subject: "ART"), qualification(.aLevelDouble, "AA", subject: "ART"),
                qualification(.asLevel, "A", subject: "ART"),
            ], ucas)
        #expect(entry.scored.map(\.kept) == [false, true, false])
        #expect(entry.tariff == 240)
    }

    @Test("on a tie the first in file order is kept")
    func tieKeepsFirst() {
        let first = EntryQualifications.derive(
            [qualification(.aLevel, "B", subject: "MATHS"), qualification(.other, "X", subject: "MATHS", tariff: 100)],
            ucas)
        #expect(first.scored.map(\.kept) == [true, false])
        #expect(first.tariff == 100)

        let second = EntryQualifications.derive(
            [qualification(.other, "X", subject: "MATHS", tariff: 100), qualification(.aLevel, "B", subject: "MATHS")],
            ucas)
        #expect(second.scored.map(\.kept) == [true, false])
        #expect(second.tariff == 100)
    }

    @Test("on a tie the dropped one's A-level grade does not count")
    func tieDecidesGrades() {
        let others = aLevels(["A", "A"])
        let aLevelFirst = [qualification(.aLevel, "B", subject: "MATHS"), qualification(.other, "X", subject: "MATHS", tariff: 100)]
        let otherFirst = [qualification(.other, "X", subject: "MATHS", tariff: 100), qualification(.aLevel, "B", subject: "MATHS")]
        #expect(combination(others + aLevelFirst) == "ACC_BBC+")
        #expect(combination(others + otherFirst) == "OTHER")
    }

    @Test("qualifications in different subjects are all kept")
    func differentSubjectsKept() {
        let entry = EntryQualifications.derive(
            [
                qualification(.aLevel, "A", subject: "MATHS"), qualification(.aLevel, "A", subject: "FURTHER MATHS"),
                qualification(.asLevel, "A", subject: "MATH"),
            ], ucas)
        #expect(entry.scored.map(\.kept) == [true, true, true])
        #expect(entry.tariff == 300)
    }

    @Test("a qualification with an empty subject is never a duplicate")
    func emptySubjectNeverDuplicate() {
        let entry = EntryQualifications.derive(
            [
                qualification(.aLevel, "A", subject: ""), qualification(.aLevel, "B", subject: ""),
                qualification(.aLevel, "C", subject: ""),
            ], ucas)
        #expect(entry.scored.map(\.kept) == [true, true, true])
        #expect(entry.tariff == 300)
        #expect(combination(entry.scored.map(\.qualification)) == "ACC_BBC+")
    }

    @Test("a dropped duplicate's A-level grade does not count towards SOGRADECOMB")
    func droppedGradeDoesNotCount() {
        let others = aLevels(["A", "A"])
        let dropped = [qualification(.aLevel, "C", subject: "MATHS"), qualification(.btecL3, "DDD", subject: "MATHS", tariff: 200)]
        #expect(combination(others + dropped) == "OTHER")
        let kept = [qualification(.aLevel, "C", subject: "MATHS"), qualification(.btecL3, "DDD", subject: "MATHS", tariff: 40)]
        #expect(combination(others + kept) == "ACC_BBC+")
    }

    @Test("subjects in the file compare after trimming, ignoring case")
    func fileSubjectsCompareLoosely() throws {
        let record = try LinkedRecord(quals: [
            row("A_LEVEL", "Maths", "C"), row("AS_LEVEL", "  MATHS ", "A"), row("AS_LEVEL", "maths", "B"),
        ])
        #expect(record[.sotariff] == "80")
    }

    @Test("subjects in the file that differ after trimming and case are both kept")
    func fileSubjectsDiffer() throws {
        let record = try LinkedRecord(quals: [row("A_LEVEL", "Maths", "C"), row("AS_LEVEL", "Mathematics", "A")])
        #expect(record[.sotariff] == "140")
    }

    @Test("in the file, a tie keeps the first row")
    func fileTieKeepsFirst() throws {
        let aLevelFirst = try LinkedRecord(quals: aLevelRows(["A", "A"]) + [
            row("A_LEVEL", "History", "B"), row("OTHER", "history ", "X", tariff: "100"),
        ])
        #expect(aLevelFirst[.sotariff] == "340")
        #expect(aLevelFirst[.sogradecomb] == "ACC_BBC+")
        let otherFirst = try LinkedRecord(quals: aLevelRows(["A", "A"]) + [
            row("OTHER", "history ", "X", tariff: "100"), row("A_LEVEL", "History", "B"),
        ])
        #expect(otherFirst[.sotariff] == "340")
        #expect(otherFirst[.sogradecomb] == "OTHER")
    }

    @Test("in the file, rows with an empty subject are all kept")
    func fileEmptySubjects() throws {
        let record = try LinkedRecord(quals: [row("A_LEVEL", "", "A"), row("A_LEVEL", "", "A"), row("A_LEVEL", " ", "B")])
        #expect(record[.sotariff] == "340")
        #expect(record[.sogradecomb] == "ACC_BBC+")
    }
}

// MARK: - SOTARIFF (paragraph 25, ruling R10)

@Suite("Qualifications: SOTARIFF (paragraph 25, ruling R10)")
struct QualificationsSOTARIFFTests {
    @Test("SOTARIFF is the sum of the points of the learner's qualifications")
    func sum() throws {
        let record = try LinkedRecord(quals: [
            row("A_LEVEL", "Maths", "A*"), row("A_LEVEL", "Physics", "A"), row("A_LEVEL", "Chemistry", "B"),
            row("AS_LEVEL", "Biology", "C"),
        ])
        #expect(record[.sotariff] == "400")
    }

    @Test("SOTARIFF counts double and combined awards and TARIFF columns")
    func sumOfKinds() throws {
        let record = try LinkedRecord(quals: [
            row("A_LEVEL_DOUBLE", "Science", "AB"), row("A_AS_COMBINED", "English", "BC"),
            row("BTEC_L3", "Sport", "DDM", tariff: "280"), row("A_LEVEL", "Art", "A", tariff: "10"),
        ])
        #expect(record[.sotariff] == String(220 + 140 + 280 + 10))
    }

    @Test("SOTARIFF counts only the learner's own rows")
    func ownRowsOnly() throws {
        let record = try LinkedRecord(quals: [row("A_LEVEL", "Maths", "A")] + aLevelRows(["A*", "A*"], learner: "L2"))
        #expect(record[.sotariff] == "120")
    }

    @Test(
        "SOTARIFF is capped at 9998",
        arguments: [(9997, "9997"), (9998, "9998"), (9999, "9998"), (20000, "9998"), (1_000_000, "9998")])
    func cap(total: Int, expected: String) throws {
        let half = total / 2
        let record = try LinkedRecord(quals: [
            row("OTHER", "One", "X", tariff: String(half)), row("OTHER", "Two", "X", tariff: String(total - half)),
        ])
        #expect(record[.sotariff] == expected)
    }

    @Test("a learner whose qualifications score nothing has SOTARIFF 0, not empty")
    func knownZero() throws {
        let record = try LinkedRecord(quals: [row("BTEC_L3", "Sport", "DDD"), row("OTHER", "Music", "Grade 8")])
        #expect(record[.sotariff] == "0")
    }

    @Test("a learner with no qualifications in the file keeps an empty SOTARIFF (ruling R10)")
    func absentLearnerEmpty() throws {
        let record = try LinkedRecord(quals: aLevelRows(["A", "A", "A"], learner: "L2"))
        #expect(record[.sotariff] == "")
    }

    @Test("a tariff of 0 from the quals file gives EQGRP Y_F_M; an unknown tariff gives Y_F_U (ruling R10)")
    func zeroIsNotEmpty() throws {
        let zero = try LinkedRecord(quals: [row("OTHER", "Music", "Grade 8")])
        #expect(zero[.soentqual] == "OTH3_TAR")
        #expect(zero[.eqgrp] == "Y_F_M")
        let unknown = try LinkedRecord(quals: [row("OTHER", "Music", "Grade 8", learner: "L2")])
        #expect(unknown[.soentqual] == "OTH3_TAR")
        #expect(unknown[.eqgrp] == "Y_F_U")
    }

    @Test("tariff points from the quals file drive EQGRP's tariff bands")
    func tariffBands() throws {
        #expect(try LinkedRecord(quals: [row("OTHER", "X", "X", tariff: "291")])[.eqgrp] == "Y_F_L")
        #expect(try LinkedRecord(quals: [row("OTHER", "X", "X", tariff: "290")])[.eqgrp] == "Y_F_M")
        #expect(try LinkedRecord(quals: [row("OTHER", "X", "X", tariff: "100")])[.eqgrp] == "Y_F_H")
    }

    @Test("a method file's table scores the quals file's other types")
    func methodTable() throws {
        let table = TariffTable(points: [
            "A_LEVEL": ["A": 120], "AS_LEVEL": ["A": 60], "IB_DIPLOMA": ["38": 480], "BTEC_L3": ["DDD": 360],
        ])
        let record = try LinkedRecord(
            quals: [row("BTEC_L3", "Sport", "DDD"), row("IB_DIPLOMA", "", "38"), row("BTEC_L3", "Art", "MMM")],
            table: table)
        #expect(record[.sotariff] == "840")
    }
}

// MARK: - SOGRADECOMB (paragraphs 26–29, ruling R11)

@Suite("Qualifications: SOGRADECOMB (paragraphs 26–29, ruling R11)")
struct QualificationsSOGRADECOMBTests {
    @Test("the document lists 18 ACC_BBC+ and 2 BCC_CCC combinations")
    func documentLists() {
        #expect(documentACCBBCPlus.count == 18)
        #expect(Set(documentACCBBCPlus).count == 18)
        #expect(documentBCCCCC.count == 2)
    }

    @Test("ACC_BBC+ for each combination the document lists, in any order and over any awards",
        arguments: documentACCBBCPlus)
    func accBbcPlus(grades: [String]) {
        for (label, qualifications) in arrangements(grades) {
            #expect(combination(qualifications) == "ACC_BBC+", "\(grades) as \(label)")
        }
    }

    @Test("BCC_CCC for each combination the document lists, in any order and over any awards",
        arguments: documentBCCCCC)
    func bccCcc(grades: [String]) {
        for (label, qualifications) in arrangements(grades) {
            #expect(combination(qualifications) == "BCC_CCC", "\(grades) as \(label)")
        }
    }

    @Test("every combination of three A-level grades is in the document's lists or else OTHER")
    func everyCombination() {
        let grades = ["A*", "A", "B", "C", "D", "E"]
        var seen = 0
        for i in grades.indices {
            for j in i..<grades.count {
                for k in j..<grades.count {
                    let three = [grades[i], grades[j], grades[k]]
                    let expected =
                        documentACCBBCPlus.contains(three) ? "ACC_BBC+" : documentBCCCCC.contains(three) ? "BCC_CCC" : "OTHER"
                    #expect(combination(aLevels(Array(three.reversed()))) == expected, "\(three)")
                    seen += 1
                }
            }
        }
        #expect(seen == 56)
    }

    @Test(
        "OTHER when one of the three best grades is D or E",
        arguments: [
            ["A*", "A*", "D"], ["A", "A", "D"], ["C", "C", "D"], ["B", "B", "E"], ["D", "D", "D"], ["E", "E", "E"],
            ["A*", "A*", "E"],
        ])
    func lowGrade(grades: [String]) {
        for (label, qualifications) in arrangements(grades) {
            #expect(combination(qualifications) == "OTHER", "\(grades) as \(label)")
        }
    }

    @Test("OTHER with only two A-levels, however good", arguments: [["A*", "A*"], ["A", "A"], ["C", "C"]])
    func twoALevels(grades: [String]) {
        #expect(combination(aLevels(grades)) == "OTHER")
        #expect(combination([qualification(.aLevelDouble, grades.joined(), subject: "D")]) == "OTHER")
    }

    @Test("OTHER with no A-levels at all")
    func noALevels() {
        #expect(combination([]) == "OTHER")
        #expect(combination([qualification(.btecL3, "D*D*D*", subject: "SPORT", tariff: 420)]) == "OTHER")
        #expect(combination([qualification(.ibDiploma, "45", subject: "", tariff: 720)]) == "OTHER")
    }

    @Test("the three highest A-level grades are the ones that count")
    func threeHighest() {
        #expect(combination(aLevels(["E", "A", "D", "B", "C"])) == "ACC_BBC+")
        #expect(combination(aLevels(["E", "C", "D", "B", "C"])) == "BCC_CCC")
        #expect(combination(aLevels(["D", "C", "C", "C", "C"])) == "BCC_CCC")
        #expect(combination(aLevels(["D", "D", "D", "A*", "A*"])) == "OTHER")
    }

    @Test("an ungradeable A-level gives no grade")
    func ungradeableGivesNoGrade() {
        #expect(combination(aLevels(["A", "B", "F"])) == "OTHER")
        #expect(combination(aLevels(["A", "B", "F", "C"])) == "ACC_BBC+")
    }

    @Test("an A-level scored by its TARIFF column still gives its grade")
    func tariffColumnKeepsGrade() {
        let qualifications = aLevels(["A", "A"]) + [qualification(.aLevel, "C", subject: "S9", tariff: 0)]
        #expect(combination(qualifications) == "ACC_BBC+")
    }

    @Test("SOGRADECOMB from the quals file sets SOENTQUAL L3_COMB and EQGRP Y_F_L")
    func throughRecord() throws {
        let best = try LinkedRecord(quals: [
            row("A_LEVEL", "Maths", "B"), row("A_LEVEL_DOUBLE", "Science", "AC"), row("AS_LEVEL", "Art", "A"),
        ])
        #expect(best[.sogradecomb] == "ACC_BBC+")
        #expect(best[.soentqual] == "L3_COMB")
        #expect(best[.eqgrp] == "Y_F_L")

        let mature = try LinkedRecord([.dateofbirth: "10/05/1990"], quals: aLevelRows(["C", "B", "C"]))
        #expect(mature[.sogradecomb] == "BCC_CCC")
        #expect(mature[.soentqual] == "L3_COMB")
        #expect(mature[.eqgrp] == "M_F_M")

        let low = try LinkedRecord(quals: aLevelRows(["A", "A", "D"]))
        #expect(low[.sogradecomb] == "OTHER")
        #expect(low[.soentqual] == "OTH3_TAR")
    }
}

// MARK: - Linked flags (paragraph 30)

@Suite("Qualifications: linked IB, BTEC and Access flags (paragraph 30)")
struct QualificationsFlagTests {
    @Test("an IB diploma worth points sets the IB flag")
    func ibWithPoints() {
        #expect(EntryQualifications.derive([qualification(.ibDiploma, "38", tariff: 480)], ucas).ib)
        #expect(EntryQualifications.derive([qualification(.ibDiploma, "38", tariff: 1)], ucas).ib)
        let table = TariffTable(points: ["IB_DIPLOMA": ["38": 480]])
        #expect(EntryQualifications.derive([qualification(.ibDiploma, "38")], table).ib)
    }

    @Test("an IB diploma worth no points does not set the IB flag")
    func ibWithoutPoints() {
        #expect(!EntryQualifications.derive([qualification(.ibDiploma, "38", tariff: 0)], ucas).ib)
        #expect(!EntryQualifications.derive([qualification(.ibDiploma, "38")], ucas).ib)
    }

    @Test("a Level 3 BTEC sets the BTEC flag, with or without points")
    func btec() {
        #expect(EntryQualifications.derive([qualification(.btecL3, "DDD")], ucas).btec)
        #expect(EntryQualifications.derive([qualification(.btecL3, "DDD", tariff: 360)], ucas).btec)
    }

    @Test("an Access to HE Diploma sets the Access flag")
    func access() {
        #expect(EntryQualifications.derive([qualification(.accessDiploma, "Pass")], ucas).access)
        #expect(EntryQualifications.derive([qualification(.accessDiploma, "Pass", tariff: 24)], ucas).access)
    }

    @Test("other qualifications set no flag")
    func noFlags() {
        let entry = EntryQualifications.derive(
            aLevels(["A", "B", "C"]) + [
                qualification(.other, "X", subject: "O", tariff: 100), qualification(nil, "X", subject: "N", tariff: 100),
                qualification(.asLevel, "A", subject: "AS"),
            ], ucas)
        #expect(!entry.ib && !entry.btec && !entry.access)
    }

    @Test("each flag is set only by its own type")
    func flagsSeparate() {
        let ib = EntryQualifications.derive([qualification(.ibDiploma, "38", tariff: 480)], ucas)
        #expect(ib.ib && !ib.btec && !ib.access)
        let btec = EntryQualifications.derive([qualification(.btecL3, "DDD")], ucas)
        #expect(!btec.ib && btec.btec && !btec.access)
        let access = EntryQualifications.derive([qualification(.accessDiploma, "P")], ucas)
        #expect(!access.ib && !access.btec && access.access)
    }

    @Test("a BTEC learner with no other route gets SOENTQUAL BTEC and a high-risk EQGRP")
    func btecLearner() throws {
        let young = try LinkedRecord(quals: [row("BTEC_L3", "Sport", "DDM")])
        #expect(young[.soentqual] == "BTEC")
        #expect(young[.eqgrp] == "Y_F_H")
        let mature = try LinkedRecord([.dateofbirth: "10/05/1990"], quals: [row("BTEC_L3", "Sport", "D*D*D*", tariff: "420")])
        #expect(mature[.soentqual] == "BTEC")
        #expect(mature[.eqgrp] == "M_F_H")
        let otherUndergraduate = try LinkedRecord([.hefqaim: "HND"], quals: [row("BTEC_L3", "Sport", "DDM")])
        #expect(otherUndergraduate[.soentqual] == "BTEC")
        #expect(otherUndergraduate[.eqgrp] == "Y_O_H")
    }

    @Test("an IB learner gets SOENTQUAL BACC")
    func ibLearner() throws {
        let young = try LinkedRecord(quals: [row("IB_DIPLOMA", "", "38", tariff: "480")])
        #expect(young[.soentqual] == "BACC")
        #expect(young[.eqgrp] == "Y_F_L")
        let mature = try LinkedRecord([.dateofbirth: "10/05/1990"], quals: [row("IB_DIPLOMA", "", "38", tariff: "480")])
        #expect(mature[.soentqual] == "BACC")
        #expect(mature[.eqgrp] == "M_F_M")
    }

    @Test("an IB diploma without points does not make SOENTQUAL BACC")
    func ibWithoutPointsLearner() throws {
        let record = try LinkedRecord(quals: [row("IB_DIPLOMA", "", "38")])
        #expect(record[.soentqual] == "OTH3_TAR")
        #expect(record[.sotariff] == "0")
        #expect(record[.eqgrp] == "Y_F_M")
    }

    @Test("an Access learner gets SOENTQUAL ACCESS")
    func accessLearner() throws {
        let young = try LinkedRecord(quals: [row("ACCESS_DIPLOMA", "Access to HE", "Pass")])
        #expect(young[.soentqual] == "ACCESS")
        #expect(young[.eqgrp] == "Y_F_H")
        let mature = try LinkedRecord([.dateofbirth: "10/05/1990"], quals: [row("ACCESS_DIPLOMA", "", "P")])
        #expect(mature[.soentqual] == "ACCESS")
        #expect(mature[.eqgrp] == "M_F_M")
    }

    @Test("without linked flags SOENTQUAL falls through to OTH3_TAR")
    func noFlagLearner() throws {
        let record = try LinkedRecord(quals: [row("A_LEVEL", "Maths", "A"), row("OTHER", "Music", "8", tariff: "75")])
        #expect(record[.soentqual] == "OTH3_TAR")
        #expect(record[.eqgrp] == "Y_F_M")
        #expect(try LinkedRecord(quals: [row("BTEC_L3", "Sport", "DDM", learner: "L2")])[.soentqual] == "OTH3_TAR")
    }

    @Test("the flags follow SOENTQUAL's order: HE, L3_COMB, BACC, BTEC, ACCESS")
    func tableOrder() throws {
        let everything = [
            row("IB_DIPLOMA", "", "38", tariff: "480"), row("BTEC_L3", "Sport", "DDM"), row("ACCESS_DIPLOMA", "", "P"),
        ]
        #expect(try LinkedRecord([.qualent3: "H11", .hefqaim: "HND"], quals: everything)[.soentqual] == "HEFD")
        #expect(try LinkedRecord(quals: everything + aLevelRows(["A", "A", "A"]))[.soentqual] == "L3_COMB")
        #expect(try LinkedRecord(quals: everything)[.soentqual] == "BACC")
        #expect(try LinkedRecord(quals: Array(everything.dropFirst()))[.soentqual] == "BTEC")
        #expect(try LinkedRecord(quals: Array(everything.dropFirst(2)))[.soentqual] == "ACCESS")
    }
}

// MARK: - Precedence over the file's columns

@Suite("Qualifications: the quals file over the file's SOTARIFF and SOGRADECOMB")
struct QualificationsPrecedenceTests {
    private let fileColumns: [Column: String] = [.sotariff: "50", .sogradecomb: "BCC_CCC"]

    @Test("a learner in the quals file gets derived values over the file's columns")
    func derivedWins() throws {
        let record = try LinkedRecord(fileColumns, quals: aLevelRows(["A*", "A*", "A*"]))
        #expect(record[.sotariff] == "420")
        #expect(record[.sogradecomb] == "ACC_BBC+")
    }

    @Test("a learner in the quals file with weak grades gets OTHER over the file's BCC_CCC")
    func derivedOtherWins() throws {
        let record = try LinkedRecord(fileColumns, quals: [row("BTEC_L3", "Sport", "DDD")])
        #expect(record[.sotariff] == "0")
        #expect(record[.sogradecomb] == "OTHER")
        #expect(record[.soentqual] == "BTEC")
    }

    @Test("a learner absent from the quals file keeps the file's columns")
    func absentKeepsFile() throws {
        let record = try LinkedRecord(fileColumns, quals: aLevelRows(["A*", "A*", "A*"], learner: "L2"))
        #expect(record[.sotariff] == "50")
        #expect(record[.sogradecomb] == "BCC_CCC")
        #expect(record[.soentqual] == "L3_COMB")
    }

    @Test("a learner absent from the quals file, with no such columns, has an empty SOTARIFF and OTHER")
    func absentWithoutColumns() throws {
        let record = try LinkedRecord(quals: aLevelRows(["A*", "A*", "A*"], learner: "L2"))
        #expect(record[.sotariff] == "")
        #expect(record[.sogradecomb] == "OTHER")
    }

    @Test("without a quals file the file's columns are used")
    func noQualsFile() {
        #expect(withoutQuals(fileColumns, .sotariff) == "50")
        #expect(withoutQuals(fileColumns, .sogradecomb) == "BCC_CCC")
        #expect(withoutQuals([:], .sotariff) == "")
        #expect(withoutQuals([:], .sogradecomb) == "OTHER")
    }

    @Test("rows with the record's UKPRN, or with none, apply to the record", arguments: ["10000001", "010000001", ""])
    func matchingUKPRN(ukprn: String) throws {
        let record = try LinkedRecord(fileColumns, quals: [
            row("A_LEVEL", "Maths", "A", ukprn: ukprn), row("A_LEVEL", "Physics", "A", ukprn: ukprn),
            row("A_LEVEL", "Art", "A", ukprn: ukprn),
        ])
        #expect(record[.sotariff] == "360")
        #expect(record[.sogradecomb] == "ACC_BBC+")
    }

    @Test("rows with another UKPRN do not apply to the record")
    func otherUKPRN() throws {
        let record = try LinkedRecord(fileColumns, quals: [
            row("A_LEVEL", "Maths", "A", ukprn: "10000002"), row("A_LEVEL", "Physics", "A", ukprn: "10000002"),
            row("A_LEVEL", "Art", "A", ukprn: "10000002"),
        ])
        #expect(record[.sotariff] == "50")
        #expect(record[.sogradecomb] == "BCC_CCC")
    }

    @Test("of a learner's rows only those for the record's UKPRN, or for none, count")
    func mixedUKPRN() throws {
        let record = try LinkedRecord(fileColumns, quals: [
            row("A_LEVEL", "Maths", "A", ukprn: "10000001"), row("A_LEVEL", "Physics", "A"),
            row("A_LEVEL", "Art", "A*", ukprn: "10000002"),
        ])
        #expect(record[.sotariff] == "240")
        #expect(record[.sogradecomb] == "OTHER")
    }
}

// MARK: - Findings

@Suite("Qualifications: unknown types and ungradeable grades are findings")
struct QualificationsFindingTests {
    @Test("an unknown QUALTYPE is a QUALTYPE_UNKNOWN finding naming the line", arguments: ["GCSE", "A LEVEL", "BTEC", ""])
    func unknownType(type: String) throws {
        let fixture = QualsFixture([row("A_LEVEL", "Maths", "A"), row(type, "English", "B")])
        let quals = try fixture.load()
        #expect(
            quals.findings == [
                SideFileFinding(
                    file: fixture.path, line: 3, ukprn: "", learner: "L1", check: .qualtypeUnknown, field: "QUALTYPE",
                    value: type)
            ])
    }

    @Test("every QUALTYPE of the vocabulary is known", arguments: QualificationType.allCases)
    func knownType(type: QualificationType) throws {
        let grade =
            switch type {
            case .aLevelDouble, .aAsCombined: "AB"
            default: "B"
            }
        let quals = try QualsFixture([row(type.rawValue, "Maths", grade)]).load()
        #expect(quals.findings.isEmpty)
    }

    @Test("QUALTYPE compares ignoring case (ruling R3)")
    func typeCase() throws {
        let quals = try QualsFixture([row("a_level", "Maths", "A"), row("As_Level", "Art", "A")]).load()
        #expect(quals.findings.isEmpty)
        #expect(try LinkedRecord(quals: [row("a_level", "Maths", "A"), row("As_Level", "Art", "A")])[.sotariff] == "180")
    }

    @Test("a learner with an unknown QUALTYPE is still derived, and it scores nothing")
    func unknownTypeScores() throws {
        let record = try LinkedRecord(quals: [row("GCSE", "English", "A"), row("A_LEVEL", "Maths", "A")])
        #expect(record[.sotariff] == "120")
        let withTariff = try LinkedRecord(quals: [row("GCSE", "English", "A", tariff: "30")])
        #expect(withTariff[.sotariff] == "30")
    }

    @Test(
        "an ungradeable grade is a QUALGRADE_UNGRADEABLE finding naming the line",
        arguments: [
            ("A_LEVEL", "F"), ("A_LEVEL", ""), ("A_LEVEL", "AB"), ("A_LEVEL", "b"), ("A_LEVEL", "1"), ("AS_LEVEL", "A*"),
            ("AS_LEVEL", "U"), ("A_LEVEL_DOUBLE", "A"), ("A_LEVEL_DOUBLE", "ABC"), ("A_AS_COMBINED", "B"),
            ("A_LEVEL", "A**"),
        ])
    func ungradeable(type: String, grade: String) throws {
        let fixture = QualsFixture([row("A_LEVEL", "Maths", "A"), row("A_LEVEL", "Art", "B"), row(type, "English", grade)])
        let quals = try fixture.load()
        #expect(
            quals.findings == [
                SideFileFinding(
                    file: fixture.path, line: 4, ukprn: "", learner: "L1", check: .qualgradeUngradeable,
                    field: "QUALGRADE", value: grade)
            ])
    }

    @Test(
        "a gradeable grade is no finding",
        arguments: [
            ("A_LEVEL", "A*"), ("A_LEVEL", "E"), ("A_LEVEL", "B#"), ("A_LEVEL", "Ab"), ("AS_LEVEL", "E"),
            ("A_LEVEL_DOUBLE", "A*A"), ("A_AS_COMBINED", "CE"),
        ])
    func gradeable(type: String, grade: String) throws {
        let quals = try QualsFixture([row(type, "English", grade)]).load()
        #expect(quals.findings.isEmpty)
    }

    @Test("the finding gives the row's UKPRN and learner")
    func findingIdentifiesRow() throws {
        let fixture = QualsFixture([row("GNVQ", "Maths", "A", ukprn: "10000001", learner: "L7")])
        let quals = try fixture.load()
        #expect(quals.findings.map(\.ukprn) == ["10000001"])
        #expect(quals.findings.map(\.learner) == ["L7"])
        #expect(quals.findings.map(\.line) == [2])
    }

    @Test("an ungradeable A-level scores nothing and the learner is still derived")
    func ungradeableScores() throws {
        let record = try LinkedRecord(quals: [row("A_LEVEL", "Maths", "F"), row("A_LEVEL", "Art", "A")])
        #expect(record[.sotariff] == "120")
        #expect(record[.sogradecomb] == "OTHER")
    }
}

// MARK: - Data errors

@Suite("Qualifications: bad rows are data errors naming the file and line")
struct QualificationsDataErrorTests {
    private static let goodRows = [row("A_LEVEL", "Maths", "A"), row("A_LEVEL", "Art", "B", tariff: "100")]

    @Test("a TARIFF that is not a whole number is a data error on its line", arguments: ["12.5", "abc", "1e3", "-5", "100 pts"])
    func badTariff(tariff: String) throws {
        let fixture = QualsFixture(Self.goodRows + [row("A_LEVEL", "English", "C", tariff: tariff)])
        expectDataError(in: fixture.path, line: 4) { _ = try fixture.load() }
    }

    @Test("a whole-number or empty TARIFF is accepted", arguments: ["0", "7", "120", "9999", " 56 ", ""])
    func goodTariff(tariff: String) throws {
        let fixture = QualsFixture(Self.goodRows + [row("A_LEVEL", "English", "C", tariff: tariff)])
        #expect(throws: Never.self) { _ = try fixture.load() }
    }

    @Test("an empty LEARNREFNUMBER is a data error on its line", arguments: ["", "  "])
    func emptyLearner(learner: String) throws {
        let fixture = QualsFixture(Self.goodRows + [row("A_LEVEL", "English", "C", learner: learner)])
        expectDataError(in: fixture.path, line: 4) { _ = try fixture.load() }
    }

    @Test("malformed CSV is a data error on its line")
    func malformedCSV() throws {
        let fixture = QualsFixture(Self.goodRows + ["L1,,A_LEVEL,Eng\"lish,C,"])
        expectDataError(in: fixture.path, line: 4) { _ = try fixture.load() }
    }

    @Test("a quote left open is a data error naming the file")
    func openQuote() throws {
        let fixture = QualsFixture(Self.goodRows + ["L1,,A_LEVEL,\"English,C,"])
        expectDataError(in: fixture.path, line: 4) { _ = try fixture.load() }
    }

    @Test("a row with too few or too many fields is a data error on its line", arguments: ["L1,,A_LEVEL,English", "L1,,A_LEVEL,English,C,,extra"])
    func wrongFieldCount(bad: String) throws {
        let fixture = QualsFixture(Self.goodRows + [bad])
        expectDataError(in: fixture.path, line: 4) { _ = try fixture.load() }
    }

    @Test(
        "a header without a required column is a data error on line 1",
        arguments: [
            "UKPRN,QUALTYPE,QUALSBJ,QUALGRADE,TARIFF", "LEARNREFNUMBER,UKPRN,QUALSBJ,QUALGRADE,TARIFF",
            "LEARNREFNUMBER,UKPRN,QUALTYPE,QUALSBJ,TARIFF",
        ])
    func missingColumn(header: String) throws {
        let fixture = QualsFixture(["L1,A,B,C,D"], header: header)
        expectDataError(in: fixture.path, line: 1) { _ = try fixture.load() }
    }

    @Test("UKPRN and TARIFF may be left out of the header")
    func optionalColumns() throws {
        let fixture = QualsFixture(["L1,A_LEVEL,Maths,A", "L1,AS_LEVEL,Art,B"], header: "LEARNREFNUMBER,QUALTYPE,QUALSBJ,QUALGRADE")
        let quals = try fixture.load()
        #expect(quals.findings.isEmpty)
        #expect(quals.learners["L1"]?.count == 2)
    }

    @Test("columns are found by name in any order and any case")
    func columnsByName() throws {
        let record = try LinkedRecord(
            quals: ["A,Maths,A_LEVEL,L1", "B,Art,a_level,L1"], header: "qualgrade,QualSbj,QUALTYPE,LearnRefNumber")
        #expect(record[.sotariff] == "220")
    }

    @Test("a good file is no error, and keeps each learner's rows in file order")
    func goodFile() throws {
        let quals = try QualsFixture(Self.goodRows + [row("A_LEVEL", "Maths", "A", learner: "L2"), row("AS_LEVEL", "Music", "C")]).load()
        #expect(quals.learners.count == 2)
        #expect(quals.learners["L1"]?.map(\.line) == [2, 3, 5])
        #expect(quals.learners["L2"]?.map(\.line) == [4])
    }
}
