import Foundation
import SOAllocRules

/// The derivation of a provider's records, done as they are read: the
/// `prepare` step of the record stream, on the reading thread when the run
/// reads on one. The stream gives it each data record with the right number
/// of fields; the consumer reports anything else.
final class DerivationStep: @unchecked Sendable {
    private let sideFiles: SideFiles
    private var layout: Layout?
    /// The provider's deriver, carried from file to file (its linked data
    /// notes which learners were matched).
    private(set) var deriver: RecordDeriver?

    init(sideFiles: SideFiles) {
        self.sideFiles = sideFiles
    }

    /// Begins the next file.
    func start() {
        layout = nil
    }

    /// Derives one data record of the file into `facts`: the first of each
    /// file sets the deriver to the file's layout.
    func prepare(_ record: RawRecord, _ layout: Layout, _ facts: inout Facts) {
        if self.layout == nil {
            self.layout = layout
            if deriver == nil {
                deriver = RecordDeriver(layout: layout, sideFiles: sideFiles)
            } else {
                deriver!.use(layout)
            }
        }
        deriver!.derive(record, into: &facts)
    }
}

/// Turns a raw record into its facts: reads its fields, adds its linked
/// data, and derives every field. The same steps serve the run and the tests.
struct RecordDeriver {
    var loader: RecordLoader
    var linked: LinkedData
    let derivation = Derivation.standard

    init(layout: Layout, sideFiles: SideFiles) {
        loader = RecordLoader(layout: layout)
        linked = LinkedData(
            quals: sideFiles.quals, postcodes: sideFiles.postcodes, table: sideFiles.tariff, layout: layout)
    }

    /// Reads the next records by another file's layout, keeping the linked data's state.
    mutating func use(_ layout: Layout) {
        loader = RecordLoader(layout: layout)
        linked.use(layout)
    }

    @inline(__always)
    mutating func derive(_ record: RawRecord, into facts: inout Facts) {
        load(record, into: &facts)
        derivation.derive(&facts)
    }

    /// Reads the record's fields and linked data, without deriving.
    @inline(__always)
    mutating func load(_ record: RawRecord, into facts: inout Facts) {
        loader.load(record, into: &facts)
        linked.apply(record, to: &facts)
    }
}
