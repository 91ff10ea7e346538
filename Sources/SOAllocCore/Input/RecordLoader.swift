import SOAllocRules

/// Reads a record's input fields into `Facts`, interning codes and parsing
/// dates and numbers from the bytes (rulings R3, R4, R6, R9–R11).
public struct RecordLoader: Sendable {
    /// The input slots, each with its field position in this file (-1 when
    /// the file lacks the column).
    private let sources: [(slot: Slot, position: Int)]

    public init(layout: Layout) {
        sources = Slot.allCases.filter { !$0.isDerived && !$0.isLinked }.map { slot in
            (slot, slot.column.flatMap(layout.position(of:)) ?? -1)
        }
    }

    /// Sets every input slot of `facts` from `record`, and marks invalid text.
    public func load(_ record: RawRecord, into facts: inout Facts) {
        facts.invalid = 0
        for (slot, position) in sources {
            guard position >= 0 else {
                facts[slot] = Self.absent(slot)
                continue
            }
            let parsed = Self.parse(slot, record[position])
            facts[slot] = parsed.value
            if !parsed.isValid { facts.markInvalid(slot) }
        }
    }

    /// The value of an input slot whose column the file does not have.
    static func absent(_ slot: Slot) -> Int64 { Value.missing }

    /// The value of one input slot from its field's bytes.
    @inline(__always)
    static func parse(_ slot: Slot, _ bytes: UnsafeBufferPointer<UInt8>) -> Parsed {
        switch slot {
        case .learnstartdate, .learnplanenddate, .dateofbirth:
            return FieldParsing.date(bytes)
        case .hefesfte:
            // Ruling R6: empty, non-numeric or outside 0–100 counts as 0 and is reported.
            return FieldParsing.fte(bytes)
        case .qualent3Initial:
            // Ruling R8: the first character of QUALENT3.
            return Parsed(Vocabulary.letters.value(of: UnsafeBufferPointer(rebasing: bytes.prefix(1))))
        case .fileWAQUIN:
            // Ruling R9: a quintile is 1 to 5.
            let parsed = FieldParsing.integer(bytes)
            if parsed.value == Value.missing && parsed.isValid { return parsed }
            return (1...5).contains(parsed.value) ? parsed : .invalid
        case .fileSOTARIFF:
            return FieldParsing.integer(bytes)
        case .fileSOGRADECOMB:
            let value = Vocabulary.sogradecomb.value(of: bytes)
            return value == Value.other ? .invalid : Parsed(value)
        case .domicile: return Parsed(Vocabulary.domicile.value(of: bytes))
        case .exclpc: return Parsed(Vocabulary.exclpc.value(of: bytes))
        case .heflevel: return Parsed(Vocabulary.heflevel.value(of: bytes))
        case .hefmode: return Parsed(Vocabulary.hefmode.value(of: bytes))
        case .heftype: return Parsed(Vocabulary.heftype.value(of: bytes))
        case .hefqaim: return Parsed(Vocabulary.hefqaim.value(of: bytes))
        case .qualent3: return Parsed(Vocabulary.qualent3.value(of: bytes))
        case .hefexcl, .learnfamcodeDLA, .mstufee, .hefcomp, .solink:
            // Ruling R3: all-digit codes compare as numbers.
            return Parsed(FieldParsing.numericCode(bytes))
        default:
            preconditionFailure("\(slot.name) is not an input")
        }
    }
}
