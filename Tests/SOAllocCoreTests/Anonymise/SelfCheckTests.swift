import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("The self-check of anonymise")
struct AnonymiseSelfCheckTests {
    let file = repository.appendingPathComponent("TestData/rules/SOENTRYAGE.ind")

    @Test("a copy whose second record derives differently is caught: that record, and the cells")
    func caught() throws {
        let directory = TemporaryDirectory()
        let text = try String(contentsOf: file, encoding: .utf8)
        // The second record's learner, born 15/09/1993, is 21 at the start; born in 1983 she is 31.
        let changed = directory.file("changed.ind", text.replacingOccurrences(of: ",15/09/1993,", with: ",15/09/1983,"))
        let original = try Anonymise.derive(file.path, sideFiles: SideFiles(), births: false)
        let copy = try Anonymise.derive(changed, sideFiles: SideFiles(), births: false, compareWith: original.fingerprints)
        #expect(copy.fingerprints.count == original.fingerprints.count)
        #expect(copy.matching == original.fingerprints.count - 1)
        #expect(copy.differing == [2])
        #expect(copy.cells != original.cells)

        let same = try Anonymise.derive(file.path, sideFiles: SideFiles(), births: false, compareWith: original.fingerprints)
        #expect(same.matching == original.fingerprints.count)
        #expect(same.differing.isEmpty)
    }

    @Test("a report of a changed outcome says nothing was written")
    func summary() {
        let report = AnonymiseReport(
            records: 10, preserved: 9, differing: [2], cellsPreserved: false, unchangedBirthDates: 0, outputs: [],
            createdKeyFile: nil)
        #expect(!report.isPreserved)
        #expect(
            AnonymiseSummary.text(report)
                == """
                outcomes preserved: 9 of 10 records
                records whose derived fields differ: 2
                the cell tables, and so the allocations, differ
                nothing written: an outcome changed

                """)
    }
}
