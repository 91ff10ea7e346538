/// A column of the individualised file `SO14_F<UKPRN>.ind`.
///
/// The first 37 cases are in the order of the column letters of Tables 1 and 2
/// (A = UKPRN … AK = UGLEVEL, with AI = EQPOP and AJ = EQGRP: ruling R1), which
/// is the layout of a file without a header row. The last three are HEFCE's
/// hidden fields ("NOT SHOWN"), which a file may carry by name (ruling R2).
public enum Column: Int, CaseIterable, Sendable {
    case ukprn, learnrefnumber, aimseqnumber, numhus, stubid, hefexcl, learnstartdate, learnplanenddate
    case dateofbirth, domicile, postcodeprior, learnfamcodeDLA, learnaimref, mstufee
    case dispop, disalloc, ugdsa, pgdsa, wapop, waquin, exclpc, highqual, soentrant, soentryage
    case hefesfte, heflevel, hefmode, heftype, hefcomp, hefqaim, uln, qualent3, solink, solinkage
    case eqpop, eqgrp, uglevel
    case sotariff, sogradecomb, soentqual

    /// The columns that identify a record in every output: UKPRN,
    /// LEARNREFNUMBER, AIMSEQNUMBER and STUBID.
    public static let identifiers: [Column] = [.ukprn, .learnrefnumber, .aimseqnumber, .stubid]

    /// The number of columns in a file without a header row (ruling R1).
    public static let positionalCount = 37

    /// The column's name in a header row and in every message.
    public var name: String {
        switch self {
        case .ukprn: "UKPRN"
        case .learnrefnumber: "LEARNREFNUMBER"
        case .aimseqnumber: "AIMSEQNUMBER"
        case .numhus: "NUMHUS"
        case .stubid: "STUBID"
        case .hefexcl: "HEFEXCL"
        case .learnstartdate: "LEARNSTARTDATE"
        case .learnplanenddate: "LEARNPLANENDDATE"
        case .dateofbirth: "DATEOFBIRTH"
        case .domicile: "DOMICILE"
        case .postcodeprior: "POSTCODEPRIOR"
        case .learnfamcodeDLA: "LEARNFAMCODE_DLA"
        case .learnaimref: "LEARNAIMREF"
        case .mstufee: "MSTUFEE"
        case .dispop: "DISPOP"
        case .disalloc: "DISALLOC"
        case .ugdsa: "UGDSA"
        case .pgdsa: "PGDSA"
        case .wapop: "WAPOP"
        case .waquin: "WAQUIN"
        case .exclpc: "EXCLPC"
        case .highqual: "HIGHQUAL"
        case .soentrant: "SOENTRANT"
        case .soentryage: "SOENTRYAGE"
        case .hefesfte: "HEFESFTE"
        case .heflevel: "HEFLEVEL"
        case .hefmode: "HEFMODE"
        case .heftype: "HEFTYPE"
        case .hefcomp: "HEFCOMP"
        case .hefqaim: "HEFQAIM"
        case .uln: "ULN"
        case .qualent3: "QUALENT3"
        case .solink: "SOLINK"
        case .solinkage: "SOLINKAGE"
        case .eqpop: "EQPOP"
        case .eqgrp: "EQGRP"
        case .uglevel: "UGLEVEL"
        case .sotariff: "SOTARIFF"
        case .sogradecomb: "SOGRADECOMB"
        case .soentqual: "SOENTQUAL"
        }
    }

    /// The column letter in the individualised file, or nil for a hidden field.
    public var letter: String? {
        guard rawValue < Self.positionalCount else { return nil }
        let first = rawValue / 26
        let second = rawValue % 26
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return first == 0 ? String(letters[second]) : String([letters[first - 1], letters[second]])
    }

    /// Ruling R2: a file without one of these columns cannot be processed.
    public var isRequired: Bool {
        switch self {
        case .ukprn, .learnrefnumber, .aimseqnumber, .stubid, .hefexcl, .learnstartdate, .dateofbirth,
            .domicile, .learnfamcodeDLA, .mstufee, .exclpc, .hefesfte, .heflevel, .hefmode, .heftype,
            .hefcomp, .hefqaim, .qualent3, .solink:
            true
        default:
            false
        }
    }

    /// Finds a column by its header name: trimmed, in any case (ruling R1).
    public init?(headerName: some Collection<UInt8>) {
        var name = ""
        for byte in headerName { name.unicodeScalars.append(Unicode.Scalar(byte)) }
        guard let column = Self.byName[name.uppercased()] else { return nil }
        self = column
    }

    private static let byName: [String: Column] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.name, $0) })
}
