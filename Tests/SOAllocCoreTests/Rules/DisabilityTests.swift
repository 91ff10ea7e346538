import Testing

@testable import SOAllocCore
@testable import SOAllocRules

// Paragraphs 8–11: UGDSA, PGDSA, DISPOP, DISALLOC. Each row of each table is
// reached by one test and just missed by another.

/// A postgraduate taught student who is PGDSA-eligible.
private let postgraduate: [Column: String] = [.heflevel: "PGT", .hefqaim: "OTHER"]

/// A part-time student starting on `start` at `fte` per cent.
private func partTime(start: String, fte: String) -> [Column: String] {
    [.hefmode: "PT", .learnstartdate: start, .hefesfte: fte]
}

@Suite("UGDSA (paragraph 8)")
struct UGDSATests {
    @Test("UGDSA = 1 for the UK domiciles", arguments: ["XF", "XG", "XH", "XI", "XK", "xg", " XI "])
    func ukDomicile(domicile: String) {
        #expect(TestRecord([.domicile: domicile]).derived(.ugdsa) == "1")
    }

    @Test("UGDSA = 0 for other domiciles", arguments: ["XL", "XA", "FR", "", "XFF"])
    func otherDomicile(domicile: String) {
        #expect(TestRecord([.domicile: domicile]).derived(.ugdsa) == "0")
        #expect(TestRecord([.domicile: domicile]).clause(.ugdsa) == "UGDSA = 0: Otherwise")
    }

    @Test("UGDSA = 1 for HEFLEVEL = UG or HEFQAIM = PGCE")
    func levelOrPGCE() {
        #expect(TestRecord([.heflevel: "UG", .hefqaim: "HND"]).derived(.ugdsa) == "1")
        #expect(TestRecord([.heflevel: "PGT", .hefqaim: "PGCE"]).derived(.ugdsa) == "1")
        #expect(TestRecord([.heflevel: "PGT", .hefqaim: "OTHER"]).derived(.ugdsa) == "0")
        #expect(TestRecord([.heflevel: "", .hefqaim: "OTHER"]).derived(.ugdsa) == "0")
    }

    @Test("UGDSA = 0 when MSTUFEE = 31, written in any way", arguments: ["31", "031"])
    func healthFunded(mstufee: String) {
        #expect(TestRecord([.mstufee: mstufee]).derived(.ugdsa) == "0")
    }

    @Test("UGDSA = 1 for MSTUFEE other than 31", arguments: ["30", "32", "11", "", "XX"])
    func otherFunding(mstufee: String) {
        #expect(TestRecord([.mstufee: mstufee]).derived(.ugdsa) == "1")
    }

    @Test("UGDSA = 1 full-time (FTS), 0 for SWOUT (ruling R8)")
    func fullTime() {
        #expect(TestRecord([.hefmode: "FTS", .hefesfte: "10"]).derived(.ugdsa) == "1")
        #expect(TestRecord([.hefmode: "fts"]).derived(.ugdsa) == "1")
        #expect(TestRecord([.hefmode: "SWOUT"]).derived(.ugdsa) == "0")
        #expect(TestRecord([.hefmode: ""]).derived(.ugdsa) == "0")
    }

    @Test("UGDSA part-time: started before 1 September 2012 needs FTE ≥ 50")
    func partTimeEarlyStart() {
        #expect(TestRecord(partTime(start: "31/08/2012", fte: "50")).derived(.ugdsa) == "1")
        #expect(TestRecord(partTime(start: "31/08/2012", fte: "49.99")).derived(.ugdsa) == "0")
        // Every digit counts: a hair below the threshold is below it.
        #expect(TestRecord(partTime(start: "31/08/2012", fte: "49.99999999999")).derived(.ugdsa) == "0")
        #expect(TestRecord(partTime(start: "31/08/2012", fte: "50.0000000001")).derived(.ugdsa) == "1")
        #expect(TestRecord(partTime(start: "31/08/2012", fte: "25")).derived(.ugdsa) == "0")
        #expect(TestRecord(partTime(start: "2010-01-15", fte: "75.5")).derived(.ugdsa) == "1")
    }

    @Test("UGDSA part-time: started on or after 1 September 2012 needs FTE ≥ 25")
    func partTimeLateStart() {
        #expect(TestRecord(partTime(start: "01/09/2012", fte: "25")).derived(.ugdsa) == "1")
        #expect(TestRecord(partTime(start: "1/9/2012", fte: "25.0")).derived(.ugdsa) == "1")
        #expect(TestRecord(partTime(start: "01/09/2012", fte: "24.99")).derived(.ugdsa) == "0")
        #expect(TestRecord(partTime(start: "01/09/2012", fte: "")).derived(.ugdsa) == "0")
    }

    @Test("UGDSA part-time with a missing or invalid start date is not eligible (ruling R7)",
        arguments: ["", "31/02/2014", "2014-13-01", "soon"])
    func partTimeWithoutStart(start: String) {
        #expect(TestRecord(partTime(start: start, fte: "100")).derived(.ugdsa) == "0")
    }
}

@Suite("PGDSA (paragraph 9)")
struct PGDSATests {
    @Test("PGDSA = 1 for a UK postgraduate taught student")
    func eligible() {
        #expect(TestRecord(postgraduate).derived(.pgdsa) == "1")
        #expect(TestRecord(postgraduate).clause(.pgdsa) == "PGDSA = 1: Postgraduate eligible for DSA")
        #expect(TestRecord([.heflevel: "PGT_UGF", .hefqaim: "OTHER"]).derived(.pgdsa) == "1")
        #expect(TestRecord([.heflevel: "pgt_ugf", .hefqaim: "OTHER"]).derived(.pgdsa) == "1")
    }

    @Test("PGDSA = 0 for undergraduates, PGCE and other levels")
    func notPostgraduate() {
        #expect(TestRecord().derived(.pgdsa) == "0")
        #expect(TestRecord([.heflevel: "PGT", .hefqaim: "PGCE"]).derived(.pgdsa) == "0")
        #expect(TestRecord([.heflevel: "PGR", .hefqaim: "OTHER"]).derived(.pgdsa) == "0")
    }

    @Test("PGDSA = 0 for the UK domiciles' complement", arguments: ["XL", "", "DE"])
    func otherDomicile(domicile: String) {
        #expect(TestRecord(postgraduate.merging([.domicile: domicile]) { $1 }).derived(.pgdsa) == "0")
    }

    @Test("PGDSA = 1 for each UK domicile", arguments: ["XF", "XG", "XH", "XI", "XK"])
    func ukDomicile(domicile: String) {
        #expect(TestRecord(postgraduate.merging([.domicile: domicile]) { $1 }).derived(.pgdsa) == "1")
    }

    @Test("PGDSA = 0 for research council and NHS funding",
        arguments: ["11", "12", "13", "14", "15", "16", "17", "18", "19", "31", "011"])
    func excludedFunding(mstufee: String) {
        #expect(TestRecord(postgraduate.merging([.mstufee: mstufee]) { $1 }).derived(.pgdsa) == "0")
    }

    @Test("PGDSA = 1 for other funding", arguments: ["10", "20", "30", "32", "1", ""])
    func otherFunding(mstufee: String) {
        #expect(TestRecord(postgraduate.merging([.mstufee: mstufee]) { $1 }).derived(.pgdsa) == "1")
    }

    @Test("PGDSA mode and intensity follow the same thresholds as UGDSA")
    func modeAndIntensity() {
        func pgdsa(_ changes: [Column: String]) -> String {
            TestRecord(postgraduate.merging(changes) { $1 }).derived(.pgdsa)
        }
        #expect(pgdsa([.hefmode: "SWOUT"]) == "0")
        #expect(pgdsa(partTime(start: "31/08/2012", fte: "50")) == "1")
        #expect(pgdsa(partTime(start: "31/08/2012", fte: "49.9")) == "0")
        #expect(pgdsa(partTime(start: "01/09/2012", fte: "25")) == "1")
        #expect(pgdsa(partTime(start: "01/09/2012", fte: "24.9")) == "0")
        #expect(pgdsa(partTime(start: "", fte: "100")) == "0")
    }
}

@Suite("DISPOP (paragraph 10)")
struct DISPOPTests {
    @Test("DISPOP = 1 for a completed, included, fundable DSA-eligible student")
    func included() {
        #expect(TestRecord().derived(.dispop) == "1")
        #expect(TestRecord(postgraduate).derived(.dispop) == "1")
        #expect(TestRecord([.hefcomp: "04", .hefexcl: "00", .heftype: "homef"]).derived(.dispop) == "1")
    }

    @Test("DISPOP = 0 when HEFCOMP ≠ 4", arguments: ["1", "2", "3", "9", "", "4a"])
    func notCompleted(hefcomp: String) {
        #expect(TestRecord([.hefcomp: hefcomp]).derived(.dispop) == "0")
    }

    @Test("DISPOP = 0 when HEFEXCL ≠ 0", arguments: ["1", "2", "", "X"])
    func excluded(hefexcl: String) {
        #expect(TestRecord([.hefexcl: hefexcl]).derived(.dispop) == "0")
    }

    @Test("DISPOP = 0 when HEFTYPE ≠ HOMEF", arguments: ["OSI", "EUF", "", "HOME"])
    func notFundable(heftype: String) {
        #expect(TestRecord([.heftype: heftype]).derived(.dispop) == "0")
    }

    @Test("DISPOP = 0 when neither UGDSA nor PGDSA is 1")
    func notEligible() {
        let record = TestRecord([.domicile: "XL"])
        #expect(record.derived(.ugdsa) == "0" && record.derived(.pgdsa) == "0")
        #expect(record.derived(.dispop) == "0")
    }
}

@Suite("DISALLOC (paragraph 11)")
struct DISALLOCTests {
    @Test("DISALLOC = 1 for DISPOP = 1 and LEARNFAMCODE_DLA = 1", arguments: ["1", "01"])
    func included(dla: String) {
        #expect(TestRecord([.learnfamcodeDLA: dla]).derived(.disalloc) == "1")
    }

    @Test("DISALLOC = 0 without the DSA code", arguments: ["0", "", "2", "Y"])
    func noAllowance(dla: String) {
        #expect(TestRecord([.learnfamcodeDLA: dla]).derived(.disalloc) == "0")
    }

    @Test("DISALLOC = 0 outside DISPOP")
    func outsidePopulation() {
        #expect(TestRecord([.hefcomp: "3"]).derived(.disalloc) == "0")
    }
}
