/// How a slot's integer value reads as text.
public enum Domain: Sendable {
    /// A letter code or category: the value is an index into the vocabulary.
    case code(Vocabulary)
    /// A whole number: all-digit codes (ruling R3), flags, ages, quintiles, points.
    case number
    /// A date as `yyyymmdd` (ruling R4).
    case date
    /// A decimal in millionths (HEFESFTE, ruling R6).
    case decimal

    /// The value as it appears in `derived.csv` and in explanations:
    /// empty when missing.
    public func format(_ value: Int64) -> String {
        if value == Value.missing { return "" }
        if value == Value.other { return "?" }
        switch self {
        case .code(let vocabulary): return vocabulary.names[Int(value)]
        case .number: return String(value)
        case .date: return Dates.format(value)
        case .decimal: return Self.formatDecimal(value)
        }
    }

    /// Parses a constant written in a rule declaration.
    func constant(_ text: String) -> Int64 {
        switch self {
        case .code(let vocabulary): return vocabulary.index(of: text)
        case .number:
            guard let number = Int64(text) else { preconditionFailure("\(text) is not a number") }
            return number
        case .decimal:
            guard let number = Int64(text) else { preconditionFailure("\(text) is not a number") }
            return number * Value.decimalScale
        case .date: preconditionFailure("dates are declared with Rule.date(_:_:_:)")
        }
    }

    static func formatDecimal(_ value: Int64) -> String {
        let scale = Value.decimalScale
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        var text = sign + String(magnitude / UInt64(scale))
        var fraction = magnitude % UInt64(scale)
        if fraction != 0 {
            var digits = ""
            for _ in 0..<6 {
                digits.append(Character(String(fraction * 10 / UInt64(scale))))
                fraction = fraction * 10 % UInt64(scale)
            }
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }
}

/// A named value the rules read or write, for one record.
///
/// The input slots come from the file's columns; the derived slots are the
/// fields of the technical document, in the order they are derived.
public enum Slot: Int, CaseIterable, Sendable {
    // Inputs from the file (Tables 1 and 2)
    case hefexcl, learnstartdate, learnplanenddate, dateofbirth, domicile, learnfamcodeDLA, mstufee, exclpc, hefesfte
    case heflevel, hefmode, heftype, hefcomp, hefqaim, qualent3, qualent3Initial, solink
    // What the file says of the quintile and of linked data
    case fileWAQUIN, fileSOTARIFF, fileSOGRADECOMB
    // Linked data from the quals file (--quals): the indicators used by SOENTQUAL,
    // false when not known (ruling R11), and the learner's tariff and grades
    case linkedIB, linkedBTEC, linkedAccess, linkedSOTARIFF, linkedSOGRADECOMB
    // The postcode lookup (--postcodes): 1 when given, and the quintiles of POSTCODEPRIOR
    case postcodeLookup, postcodePOLAR3, postcodeAttainment
    // Derived fields, in derivation order
    case ugdsa, pgdsa, dispop, disalloc, soentrant, soentryage, highqual, wapop, waquin
    case solinkage, sotariff, sogradecomb, soentqual, eqpop, uglevel, eqgrp

    /// The derived fields, in the order of `derived.csv` (ruling R14).
    public static let derived: [Slot] = allCases.filter(\.isDerived)

    /// The raw value of the first derived field: the derived fields follow it in order.
    package static let firstDerived = Slot.ugdsa.rawValue

    public var isDerived: Bool { rawValue >= Slot.ugdsa.rawValue }

    /// Set from the side files rather than read from the record's own fields.
    public var isLinked: Bool { rawValue >= Slot.linkedIB.rawValue && !isDerived }

    /// The name used in conditions and explanations.
    public var name: String {
        switch self {
        case .qualent3Initial: "QUALENT3*"
        case .fileWAQUIN: "WAQUIN in the file"
        case .fileSOTARIFF: "SOTARIFF in the file"
        case .fileSOGRADECOMB: "SOGRADECOMB in the file"
        case .linkedIB: "linked IB diploma with tariff"
        case .linkedBTEC: "linked Level 3 BTEC"
        case .linkedAccess: "linked Access to HE Diploma"
        case .linkedSOTARIFF: "SOTARIFF from --quals"
        case .linkedSOGRADECOMB: "SOGRADECOMB from --quals"
        case .postcodeLookup: "postcode lookup given"
        case .postcodePOLAR3: "POLAR3 quintile of POSTCODEPRIOR"
        case .postcodeAttainment: "attainment quintile of POSTCODEPRIOR"
        default: column!.name
        }
    }

    /// The column of the individualised file this slot is read from or compared with.
    public var column: Column? {
        switch self {
        case .hefexcl: .hefexcl
        case .learnstartdate: .learnstartdate
        case .learnplanenddate: .learnplanenddate
        case .dateofbirth: .dateofbirth
        case .domicile: .domicile
        case .learnfamcodeDLA: .learnfamcodeDLA
        case .mstufee: .mstufee
        case .exclpc: .exclpc
        case .hefesfte: .hefesfte
        case .heflevel: .heflevel
        case .hefmode: .hefmode
        case .heftype: .heftype
        case .hefcomp: .hefcomp
        case .hefqaim: .hefqaim
        case .qualent3, .qualent3Initial: .qualent3
        case .solink: .solink
        case .fileWAQUIN, .waquin: .waquin
        case .fileSOTARIFF, .sotariff: .sotariff
        case .fileSOGRADECOMB, .sogradecomb: .sogradecomb
        case .linkedIB, .linkedBTEC, .linkedAccess, .linkedSOTARIFF, .linkedSOGRADECOMB: nil
        case .postcodeLookup: nil
        case .postcodePOLAR3, .postcodeAttainment: .postcodeprior
        case .ugdsa: .ugdsa
        case .pgdsa: .pgdsa
        case .dispop: .dispop
        case .disalloc: .disalloc
        case .soentrant: .soentrant
        case .soentryage: .soentryage
        case .highqual: .highqual
        case .wapop: .wapop
        case .solinkage: .solinkage
        case .soentqual: .soentqual
        case .eqpop: .eqpop
        case .uglevel: .uglevel
        case .eqgrp: .eqgrp
        }
    }

    public var domain: Domain {
        switch self {
        case .domicile: .code(.domicile)
        case .exclpc: .code(.exclpc)
        case .heflevel: .code(.heflevel)
        case .hefmode: .code(.hefmode)
        case .heftype: .code(.heftype)
        case .hefqaim: .code(.hefqaim)
        case .qualent3: .code(.qualent3)
        case .qualent3Initial: .code(.letters)
        case .fileSOGRADECOMB, .linkedSOGRADECOMB, .sogradecomb: .code(.sogradecomb)
        case .soentqual: .code(.soentqual)
        case .uglevel: .code(.uglevel)
        case .eqgrp: .code(.eqgrp)
        case .learnstartdate, .learnplanenddate, .dateofbirth: .date
        case .hefesfte: .decimal
        default: .number
        }
    }
}
