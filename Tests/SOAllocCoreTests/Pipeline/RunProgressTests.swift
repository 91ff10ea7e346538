import Testing

@testable import SOAllocCore

@Suite("The progress line")
struct RunProgressTests {
    @Test("before any record is derived: the percentage only")
    func nothingDerived() {
        #expect(RunProgress.line(read: 1 << 20, total: 4 << 20, records: 0, seconds: 0.001) == "25%")
        #expect(RunProgress.line(read: 1 << 20, total: 4 << 20, records: 0, seconds: 30) == "25%")
    }

    @Test("records derived within the first second: the count, no rate")
    func measuring() {
        #expect(RunProgress.line(read: 1 << 20, total: 2 << 20, records: 8192, seconds: 0.25) == "50%  8,192 records")
    }

    @Test("after a second: the rate and the time left")
    func known() {
        #expect(
            RunProgress.line(read: 1 << 20, total: 4 << 20, records: 81_920, seconds: 2)
                == "25%  40,960 records/s  about 6 s left")
        #expect(
            RunProgress.line(read: 99, total: 100, records: 8192, seconds: 10)
                == "99%  819 records/s  less than 1 s left")
    }

    @Test("everything read: no time left is shown")
    func allRead() {
        #expect(RunProgress.line(read: 100, total: 100, records: 16_384, seconds: 4) == "100%  4,096 records/s")
    }

    @Test("an input of unknown size: no percentage")
    func unknownSize() {
        #expect(RunProgress.line(read: 100, total: 0, records: 0, seconds: 2) == "")
        #expect(RunProgress.line(read: 100, total: 0, records: 8192, seconds: 2) == "4,096 records/s")
    }

    @Test("never a rate of 0 nor 0 s left", arguments: [0.0, 0.001, 0.5, 1, 2, 60, 100_000])
    func neverZero(seconds: Double) {
        for records in [0, 8192, 1_000_000] {
            for read in [0, 1, 50, 99, 100] {
                let line = RunProgress.line(read: read, total: 100, records: records, seconds: seconds)
                #expect(!line.contains(" 0 records/s") && !line.hasPrefix("0 records/s"), "\(line)")
                #expect(!line.contains("about 0 s"), "\(line)")
            }
        }
    }
}
