import SOAllocRules

/// Points for grades: the tariff table of the method file (`tariff:`), by
/// QUALTYPE and grade. A-level and AS grades of double and combined awards
/// are looked up under `A_LEVEL` and `AS_LEVEL`.
public struct TariffTable: Sendable, Equatable {
    public var points: [String: [String: Int]]
    public var source: String?

    /// The types a table may give points for.
    static let types: [QualificationType] = [.aLevel, .asLevel, .ibDiploma, .btecL3, .accessDiploma, .other]

    public func points(_ type: QualificationType, _ grade: String) -> Int? {
        points[type.rawValue]?[grade]
    }
}

/// One qualification of a learner, as read from the quals file.
public struct Qualification: Sendable, Equatable {
    /// The line of the quals file it is on.
    public var line: Int
    /// The UKPRN it is for, when the file says.
    public var ukprn: Int64?
    /// Nil when QUALTYPE is not in the vocabulary (a finding; scored as OTHER).
    public var type: QualificationType?
    public var typeText: String
    /// The subject, trimmed and upper-cased for comparison; empty when not given.
    public var subject: String
    public var gradeText: String
    /// The TARIFF column, when given.
    public var tariff: Int?
}

/// What a learner's qualifications on entry give the retention rules
/// (paragraphs 25–29), and how.
public struct LinkedEntry: Sendable, Equatable {
    /// Σ points of the kept qualifications, before the 9998 cap (the SOTARIFF rule caps).
    public var tariff: Int64
    /// ACC_BBC+, BCC_CCC or OTHER, as an index of `Vocabulary.sogradecomb`.
    public var gradeCombination: Int64
    public var ib: Bool
    public var btec: Bool
    public var access: Bool
    /// Each qualification with its points and whether it was kept.
    public var scored: [ScoredQualification]
}

/// A qualification with the points it is worth and whether it counts.
public struct ScoredQualification: Sendable, Equatable {
    public var qualification: Qualification
    public var points: Int
    /// False when a qualification in the same subject is worth more (paragraph 27).
    public var kept: Bool
}

/// The rules of paragraphs 25–29 over one learner's qualifications.
public enum EntryQualifications {
    /// A-level grades from best to worst: the order that ranks them.
    static let aLevelGrades = ["A*", "A", "B", "C", "D", "E"]

    /// Paragraph 29's combinations of three A-level grades, best first.
    static let accBbcPlus: Set<[String]> = [
        ["A*", "A*", "A*"], ["A*", "A*", "A"], ["A*", "A", "A"], ["A", "A", "A"], ["A*", "A*", "B"], ["A*", "A", "B"],
        ["A", "A", "B"], ["A*", "A*", "C"], ["A*", "A", "C"], ["A", "A", "C"], ["A*", "B", "B"], ["A", "B", "B"],
        ["A*", "B", "C"], ["A", "B", "C"], ["B", "B", "B"], ["A*", "C", "C"], ["A", "C", "C"], ["B", "B", "C"],
    ]
    static let bccCcc: Set<[String]> = [["B", "C", "C"], ["C", "C", "C"]]

    /// Paragraph 28: hashes and lower-case letters are stripped from a grade
    /// (`A*` keeps its star).
    public static func cleaned(_ grade: String) -> String {
        String(grade.unicodeScalars.filter { $0 != "#" && !($0.value >= 0x61 && $0.value <= 0x7A) }.map(Character.init))
            .trimmingSpaces()
    }

    /// A grade string split into grades: each a capital letter, with a star if it has one.
    static func grades(_ cleaned: String) -> [String]? {
        var grades: [String] = []
        for character in cleaned {
            if character == "*" {
                guard let last = grades.popLast(), !last.hasSuffix("*") else { return nil }
                grades.append(last + "*")
            } else if character.isASCII && character.isUppercase {
                grades.append(String(character))
            } else {
                return nil
            }
        }
        return grades
    }

    /// The A-level and AS grades a qualification contributes (paragraph 29:
    /// a double award gives two A-level grades, a combined award one A-level
    /// and one AS grade), or nil when its grade cannot be read as such.
    static func expanded(_ qualification: Qualification) -> (aLevel: [String], asLevel: [String])? {
        let cleaned = cleaned(qualification.gradeText)
        switch qualification.type {
        case .aLevel:
            guard let grades = grades(cleaned), grades.count == 1 else { return nil }
            return (grades, [])
        case .asLevel:
            guard let grades = grades(cleaned), grades.count == 1 else { return nil }
            return ([], grades)
        case .aLevelDouble:
            guard let grades = grades(cleaned), grades.count == 2 else { return nil }
            return (grades, [])
        case .aAsCombined:
            guard let grades = grades(cleaned), grades.count == 2 else { return nil }
            return ([grades[0]], [grades[1]])
        default:
            return ([], [])
        }
    }

    /// Whether a qualification that gives A-level or AS grades has grades the
    /// table scores. Other types need no grade: they score their TARIFF, or
    /// their table's points, or 0.
    public static func isGradeable(_ qualification: Qualification, _ table: TariffTable) -> Bool {
        guard givesGrades(qualification) else { return true }
        guard let (aLevel, asLevel) = expanded(qualification) else { return false }
        return aLevel.allSatisfy { table.points(.aLevel, $0) != nil } && asLevel.allSatisfy { table.points(.asLevel, $0) != nil }
    }

    /// Whether a qualification is of a type that gives A-level or AS grades.
    public static func givesGrades(_ qualification: Qualification) -> Bool {
        [.aLevel, .asLevel, .aLevelDouble, .aAsCombined].contains(qualification.type)
    }

    /// A qualification's points: its TARIFF when given, else the table's
    /// points for its grades; 0 when neither gives any.
    public static func points(_ qualification: Qualification, _ table: TariffTable) -> Int {
        if let tariff = qualification.tariff { return tariff }
        guard let (aLevel, asLevel) = expanded(qualification) else { return 0 }
        switch qualification.type {
        case .aLevel, .asLevel, .aLevelDouble, .aAsCombined:
            return aLevel.reduce(0) { $0 + (table.points(.aLevel, $1) ?? 0) }
                + asLevel.reduce(0) { $0 + (table.points(.asLevel, $1) ?? 0) }
        case .some(let type):
            return table.points(type, cleaned(qualification.gradeText)) ?? 0
        case nil:
            return table.points(.other, cleaned(qualification.gradeText)) ?? 0
        }
    }

    /// Derives a learner's linked values from their qualifications, in file order.
    ///
    /// Paragraph 27: of qualifications in the same subject (trimmed, any case),
    /// the one worth the most points is kept and the others dropped; on a tie
    /// the first in the file is kept. A qualification without a subject is
    /// never a duplicate. SOTARIFF sums the kept points (paragraph 25).
    /// SOGRADECOMB takes the three best A-level grades of the kept
    /// qualifications and finds them in paragraph 29's lists. An IB diploma
    /// worth points, a Level 3 BTEC and an Access to HE Diploma among the kept
    /// qualifications set SOENTQUAL's linked-data indicators.
    public static func derive(_ qualifications: [Qualification], _ table: TariffTable) -> LinkedEntry {
        let points = qualifications.map { self.points($0, table) }
        var best: [String: Int] = [:]
        for (index, qualification) in qualifications.enumerated() where !qualification.subject.isEmpty {
            if let current = best[qualification.subject], points[current] >= points[index] { continue }
            best[qualification.subject] = index
        }
        let kept = qualifications.indices.map { index in
            qualifications[index].subject.isEmpty || best[qualifications[index].subject] == index
        }
        let scored = qualifications.indices.map {
            ScoredQualification(qualification: qualifications[$0], points: points[$0], kept: kept[$0])
        }
        let keptQualifications = scored.filter(\.kept)

        let ranked = keptQualifications.flatMap { expanded($0.qualification)?.aLevel ?? [] }
            .compactMap { aLevelGrades.firstIndex(of: $0) }
            .sorted()
        let best3 = ranked.prefix(3).map { aLevelGrades[$0] }
        var combination = "OTHER"
        if accBbcPlus.contains(best3) {
            combination = "ACC_BBC+"
        } else if bccCcc.contains(best3) {
            combination = "BCC_CCC"
        }

        return LinkedEntry(
            tariff: Int64(keptQualifications.reduce(0) { $0 + $1.points }),
            gradeCombination: Vocabulary.sogradecomb.index(of: combination),
            ib: keptQualifications.contains { $0.qualification.type == .ibDiploma && $0.points > 0 },
            btec: keptQualifications.contains { $0.qualification.type == .btecL3 },
            access: keptQualifications.contains { $0.qualification.type == .accessDiploma },
            scored: scored)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
