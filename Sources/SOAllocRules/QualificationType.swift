/// A type of qualification on entry (`QUALTYPE` in the quals file), after
/// the Qualifications On Entry entity of the HESA student record.
public enum QualificationType: String, CaseIterable, Sendable {
    /// A GCE or vocational A-level: one A-level grade.
    case aLevel = "A_LEVEL"
    /// An AS-level: one AS grade.
    case asLevel = "AS_LEVEL"
    /// A double award: two A-level grades, like `AB` (paragraph 29).
    case aLevelDouble = "A_LEVEL_DOUBLE"
    /// A combined A/AS award: an A-level grade then an AS grade, like `BC` (paragraph 29).
    case aAsCombined = "A_AS_COMBINED"
    case ibDiploma = "IB_DIPLOMA"
    case btecL3 = "BTEC_L3"
    case accessDiploma = "ACCESS_DIPLOMA"
    case other = "OTHER"
}
