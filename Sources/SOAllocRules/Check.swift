/// How serious a data-quality finding is.
public enum Severity: String, Sendable {
    /// The value is wrong and a derivation had to treat it as missing or zero.
    case error
    /// The value is allowed but a derivation could not use it as intended.
    case warning
}

/// A data-quality check: a bad *value* in a record. Findings never stop a run;
/// they are written to `credibility.csv` and counted in the summary.
public enum Check: String, CaseIterable, Sendable {
    case dateInvalid = "DATE_INVALID"
    case hefesfteNotNumeric = "HEFESFTE_NOT_NUMERIC"
    case waquinInvalid = "WAQUIN_INVALID"
    case waquinUnavailable = "WAQUIN_UNAVAILABLE"
    case sotariffInvalid = "SOTARIFF_INVALID"
    case sogradecombInvalid = "SOGRADECOMB_INVALID"
    case birthAfterStart = "DATEOFBIRTH_AFTER_START"
    case postcodeQuintileUnknown = "POSTCODE_QUINTILE_UNKNOWN"
    case qualtypeUnknown = "QUALTYPE_UNKNOWN"
    case qualgradeUngradeable = "QUALGRADE_UNGRADEABLE"
    case qualsLearnerNotInFile = "QUALS_LEARNER_NOT_IN_FILE"
    case ageOutOfRange = "AGE_OUT_OF_RANGE"
    case startAfterPlannedEnd = "START_AFTER_PLANNED_END"
    case codeUnknown = "CODE_UNKNOWN"
    case codeNotValid = "CODE_NOT_VALID_2014_15"
    case hefesfteOutOfRange = "HEFESFTE_OUT_OF_RANGE"
    case requiredEmpty = "REQUIRED_EMPTY"
    case stubidDuplicate = "STUBID_DUPLICATE"
    case ukprnMixed = "UKPRN_MIXED"
    case textNotUTF8 = "TEXT_NOT_UTF8"
    case textNul = "TEXT_NUL"

    public var severity: Severity {
        switch self {
        case .waquinUnavailable, .postcodeQuintileUnknown, .qualsLearnerNotInFile, .ageOutOfRange: .warning
        default: .error
        }
    }

    /// The check an input slot's invalid text fails.
    package static func invalidText(in slot: Slot) -> Check? {
        switch slot {
        case .learnstartdate, .learnplanenddate, .dateofbirth: .dateInvalid
        case .hefesfte: .hefesfteNotNumeric
        case .fileWAQUIN: .waquinInvalid
        case .fileSOTARIFF: .sotariffInvalid
        case .fileSOGRADECOMB: .sogradecombInvalid
        default: nil
        }
    }

    /// The message for a finding of this check on `field` with text `value`;
    /// `detail` is what the check found besides (an age, a date, a row).
    public func message(field: String, value: String, detail: String = "") -> String {
        switch self {
        case .dateInvalid:
            "'\(value)' is not a date (dd/mm/yyyy or yyyy-mm-dd); treated as missing (ruling R4)"
        case .hefesfteNotNumeric:
            value.isEmpty
                ? "HEFESFTE is empty; counted as 0 (ruling R6)"
                : "'\(value)' is not a number; HEFESFTE counted as 0 (ruling R6)"
        case .waquinInvalid:
            "'\(value)' is not a quintile from 1 to 5; treated as unknown (ruling R9)"
        case .waquinUnavailable:
            "no quintile for a student in a widening access population; counted as UNKNOWN (ruling R9)"
        case .sotariffInvalid:
            "'\(value)' is not a whole number of tariff points; treated as unknown (ruling R10)"
        case .sogradecombInvalid:
            "'\(value)' is not ACC_BBC+, BCC_CCC or OTHER; treated as OTHER (ruling R11)"
        case .birthAfterStart:
            "DATEOFBIRTH is after LEARNSTARTDATE; SOENTRYAGE is 0"
        case .postcodeQuintileUnknown:
            "the postcode lookup has no quintile for '\(value)'; WAQUIN counted as UNKNOWN (ruling R9)"
        case .qualtypeUnknown:
            "'\(value)' is not a QUALTYPE (\(QualificationType.allCases.map(\.rawValue).joined(separator: ", "))); scored as OTHER"
        case .qualgradeUngradeable:
            "'\(value)' has a grade the tariff table does not score for this QUALTYPE; that grade scores 0 and counts as no A-level grade"
        case .qualsLearnerNotInFile:
            "no record of the individualised file is for this learner (and UKPRN); the qualifications are not used"
        case .ageOutOfRange:
            "the age at the start of the programme is \(detail): under 14 or over 100"
        case .startAfterPlannedEnd:
            "LEARNSTARTDATE \(detail) is after LEARNPLANENDDATE \(value)"
        case .codeUnknown:
            "'\(value)' is not in the ILR code list for \(field)"
        case .codeNotValid:
            "'\(value)' is valid in the ILR code list for \(field) only until \(detail), before 2014-15"
        case .hefesfteOutOfRange:
            "HEFESFTE '\(value)' is outside 0–100; counted as 0 (ruling R6)"
        case .requiredEmpty:
            "\(field) is required (ruling R2) but empty"
        case .stubidDuplicate:
            "STUBID '\(value)' is also on record \(detail)"
        case .ukprnMixed:
            "UKPRN '\(value)' differs from the first record's UKPRN '\(detail)'; a file is one provider's and its records are all counted in the same cells"
        case .textNotUTF8:
            "\(field) has bytes that are not UTF-8 text (shown as �); the file must be UTF-8 (ruling R3)"
        case .textNul:
            "\(field) has a NUL byte, which text never has"
        }
    }
}

extension Check {
    /// The position of the check in `allCases`, for counting.
    public var index: Int { Self.allCases.firstIndex(of: self)! }

    /// The column named by a finding that a rule's clause reports; findings
    /// of invalid text name the column the text is in.
    package var clauseColumn: Column? {
        switch self {
        case .birthAfterStart: .dateofbirth
        case .waquinUnavailable: .waquin
        case .postcodeQuintileUnknown: .postcodeprior
        default: nil
        }
    }
}
