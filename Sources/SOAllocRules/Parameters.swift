/// A date or a threshold of the technical document, named once with the
/// paragraph that states it. The rules use these names rather than bare
/// literals, and `soalloc rules` lists them.
public struct Parameter: Sendable {
    public enum Kind: Sendable { case date, number }

    /// The name `soalloc rules` shows, in the document's terms.
    public let name: String
    /// The number, or the date as `yyyymmdd`.
    public let value: Int64
    public let kind: Kind
    /// The paragraph of the technical document that states it.
    public let paragraph: String
    /// What it means, in the document's words.
    public let meaning: String

    static func date(
        _ name: String, _ year: Int64, _ month: Int64, _ day: Int64, paragraph: String, _ meaning: String
    ) -> Parameter {
        Parameter(name: name, value: year * 10_000 + month * 100 + day, kind: .date, paragraph: paragraph, meaning: meaning)
    }

    static func number(_ name: String, _ value: Int64, paragraph: String, _ meaning: String) -> Parameter {
        Parameter(name: name, value: value, kind: .number, paragraph: paragraph, meaning: meaning)
    }

    /// The value as the document writes it: `1 September 2012`, `9998`.
    public var text: String {
        switch kind {
        case .date: Dates.spell(value)
        case .number: String(value)
        }
    }
}

extension Parameter {
    /// Part-time DSA eligibility changed for students starting on this day (ruling R7: strictly before it is the old rule).
    static let dsaIntensityChange = Parameter.date(
        "DSA intensity change", 2012, 9, 1, paragraph: "8-9",
        "Part-time students who started before this day need the old intensity for DSA, from it the new one")
    /// The least HEFESFTE for DSA of a part-time student who started before the change.
    static let dsaIntensityBefore = Parameter.number(
        "DSA intensity before the change", 50, paragraph: "8-9",
        "Least HEFESFTE (a percentage) for DSA of a part-time student who started before \(dsaIntensityChange.text)")
    /// The least HEFESFTE for DSA of a part-time student who started on or after the change.
    static let dsaIntensityFrom = Parameter.number(
        "DSA intensity from the change", 25, paragraph: "8-9",
        "Least HEFESFTE (a percentage) for DSA of a part-time student who started on or after \(dsaIntensityChange.text)")
    /// The first day of the 2014-15 entrants (ruling R7: on or after it).
    static let entrantsFrom = Parameter.date(
        "Entrants from", 2014, 8, 1, paragraph: "12", "Students who started on or after this day are entrants")
    /// The age on entry from which a student is mature.
    static let matureEntryAge = Parameter.number(
        "Mature entry age", 21, paragraph: "17, 33-35", "SOENTRYAGE from which a student is mature rather than young")
    /// The day on which SOLINKAGE measures a student's age.
    static let linkageAgeDate = Parameter.date(
        "Linkage age date", 2014, 8, 31, paragraph: "24", "The day on which SOLINKAGE gives the student's age")
    /// The SOLINKAGE from which Level 3 qualifications with tariff exclude a student from EQPOP.
    static let tariffExclusionAge = Parameter.number(
        "Tariff exclusion age", 30, paragraph: "31",
        "SOLINKAGE from which Level 3 qualifications expected to give tariff exclude a student from EQPOP")
    /// The cap on SOTARIFF.
    static let tariffCap = Parameter.number("Tariff cap", 9998, paragraph: "25", "SOTARIFF is capped at this value")
    /// Tariff bands of the risk groups (paragraphs 33–35), for other Level 3 qualifications.
    static let youngFirstDegreeLowRisk = Parameter.number(
        "Young first degree low-risk tariff", 291, paragraph: "33-35", "Least SOTARIFF for Y_F_L")
    static let youngFirstDegreeHighRisk = Parameter.number(
        "Young first degree high-risk tariff", 100, paragraph: "33-35",
        "Most SOTARIFF for Y_F_H; Y_F_M lies between this and the low-risk tariff")
    static let matureFirstDegreeLowRisk = Parameter.number(
        "Mature first degree low-risk tariff", 261, paragraph: "33-35",
        "Least SOTARIFF for M_F_L; below it is M_F_M")
    static let youngOtherLowRisk = Parameter.number(
        "Young other undergraduate low-risk tariff", 291, paragraph: "33-35", "Least SOTARIFF for Y_O_L")
    static let youngOtherHighRisk = Parameter.number(
        "Young other undergraduate high-risk tariff", 160, paragraph: "33-35",
        "Most SOTARIFF for Y_O_H; Y_O_M lies between this and the low-risk tariff")
    static let matureOtherLowRisk = Parameter.number(
        "Mature other undergraduate low-risk tariff", 161, paragraph: "33-35",
        "Least SOTARIFF for M_O_L; from 1 up to just below it is M_O_M")

    /// Every parameter, in the order of the document.
    public static let all: [Parameter] = [
        dsaIntensityChange, dsaIntensityBefore, dsaIntensityFrom, entrantsFrom, matureEntryAge, linkageAgeDate,
        tariffCap, tariffExclusionAge, youngFirstDegreeLowRisk, youngFirstDegreeHighRisk, matureFirstDegreeLowRisk,
        youngOtherLowRisk, youngOtherHighRisk, matureOtherLowRisk,
    ]
}
