@testable import SOAllocCore
@testable import SOAllocRules

/// A record of the individualised file made from column values, for rule tests.
///
/// `base` is a young full-time home undergraduate entrant aiming for a first
/// degree who is in every population: DSA-eligible and in DISPOP and
/// DISALLOC, WAPOP 1 with quintile 3, and EQPOP 1 with SOENTQUAL OTH3_TAR.
/// A test changes the fields its rule reads and checks the derived value.
struct TestRecord {
    var values: [Column: String]

    static let base: [Column: String] = [
        .ukprn: "10000001", .learnrefnumber: "L1", .aimseqnumber: "1", .stubid: "1",
        .hefexcl: "0", .learnstartdate: "15/09/2014", .dateofbirth: "10/05/1996",
        .domicile: "XF", .learnfamcodeDLA: "1", .mstufee: "1", .waquin: "3", .exclpc: "N",
        .hefesfte: "100", .heflevel: "UG", .hefmode: "FTS", .heftype: "HOMEF", .hefcomp: "4",
        .hefqaim: "FIRST", .qualent3: "P50", .solink: "1",
    ]

    /// The base record with some columns changed; a value of "" empties a column.
    init(_ changes: [Column: String] = [:]) {
        values = Self.base.merging(changes) { $1 }
    }

    /// The layout of a test record: every column, in `Column` order, with a header.
    static let layout = Layout(
        hasHeader: true, fieldCount: Column.allCases.count,
        positions: Column.allCases.map(\.rawValue), fieldNames: Column.allCases.map(\.name))

    /// The record's fields in `layout` order.
    var fields: [String] { Column.allCases.map { values[$0] ?? "" } }

    /// Calls `body` with the record as the reader would hand it over, its
    /// fields trimmed by the reader's own code.
    func withRawRecord<T>(_ body: (RawRecord) throws -> T) rethrows -> T {
        var assembly = RecordAssembly()
        defer { assembly.deallocate() }
        for field in fields {
            var field = field
            field.withUTF8 { assembly.append($0.baseAddress, $0.count) }
        }
        return try body(
            RawRecord(
                line: 2, count: assembly.fieldCount, bytes: UnsafePointer(assembly.bytes),
                bounds: UnsafePointer(assembly.bounds)))
    }

    /// The record's values after loading and deriving every field, as a run does.
    var facts: Facts { facts(with: SideFiles()) }

    /// The record's values with linked data from side files.
    func facts(with sideFiles: SideFiles) -> Facts {
        var facts = Facts()
        var deriver = RecordDeriver(layout: Self.layout, sideFiles: sideFiles)
        withRawRecord { record in deriver.derive(record, into: &facts) }
        return facts
    }

    /// A derived field as `derived.csv` writes it.
    func derived(_ slot: Slot) -> String {
        slot.domain.format(facts[slot])
    }

    /// The label of the clause that gave `slot` its value.
    func clause(_ slot: Slot) -> String {
        let index = Derivation.rules.firstIndex { $0.field == slot }!
        let rule = Derivation.rules[index]
        return rule.label(of: rule.clauses[Int(facts.decidedBy[index])])
    }
}
