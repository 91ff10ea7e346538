import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

/// Runs soalloc over `text` written to a file named `SO14_F10000001.ind`.
private func run(_ text: String, in directory: TemporaryDirectory, strict: Bool = false) throws -> RunReport {
    let input = directory.file("SO14_F10000001.ind", text)
    return try Run.execute(RunOptions(input: input, output: "\(directory.path)/out", strict: strict))
}

/// The failure a run over `text` ends with, and what it leaves in the directory.
private func failure(_ text: String) -> (failure: Failure?, leftovers: [String]) {
    let directory = TemporaryDirectory()
    do {
        _ = try run(text, in: directory)
        return (nil, [])
    } catch {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return (error as? Failure, entries.filter { $0 != "SO14_F10000001.ind" })
    }
}

@Suite("A whole run")
struct RunTests {
    @Test("writes derived, differences and credibility files and counts the populations")
    func outputs() throws {
        let directory = TemporaryDirectory()
        let report = try run(TestFile.text([TestRecord(), TestRecord([.hefcomp: "3"])]), in: directory)
        #expect(report.tally.records == 2)
        #expect(report.cells.headcount[0] == 1)
        #expect(report.cells.headcount(Array(Element.wideningAccess.cells[0..<6])) == 1)
        let derived = try String(contentsOfFile: "\(directory.path)/out/derived.csv", encoding: .utf8)
        #expect(derived == """
            UKPRN,LEARNREFNUMBER,AIMSEQNUMBER,STUBID,UGDSA,PGDSA,DISPOP,DISALLOC,SOENTRANT,SOENTRYAGE,HIGHQUAL,WAPOP,WAQUIN,SOLINKAGE,SOTARIFF,SOGRADECOMB,SOENTQUAL,EQPOP,UGLEVEL,EQGRP
            10000001,L1,1,1,1,0,1,1,1,18,1,1,3,18,,OTHER,OTH3_TAR,1,FIRST,Y_F_U
            10000001,L1,1,1,1,0,0,0,1,18,1,0,,18,,OTHER,OTH3_TAR,0,FIRST,Y_F_U

            """)
    }

    @Test("differences name the row, the field, the file's value and ours (ruling R15), and why they differ")
    func differences() throws {
        let directory = TemporaryDirectory()
        let records = [
            TestRecord([.dispop: "1", .wapop: "01", .soentryage: "018", .uglevel: "first", .eqgrp: "y_f_u"]),
            TestRecord([.dispop: "0", .wapop: "2", .soentryage: "", .uglevel: "FIRST", .eqgrp: "Y_F_U", .stubid: "A\"1"]),
        ]
        let report = try run(TestFile.text(records), in: directory)
        #expect(report.tally.totalDifferences == 3)
        let differences = try String(contentsOfFile: "\(directory.path)/out/differences.csv", encoding: .utf8)
        #expect(differences == """
            ROW,UKPRN,LEARNREFNUMBER,AIMSEQNUMBER,STUBID,FIELD,FILE_VALUE,DERIVED_VALUE,CAUSE,OUR_CLAUSE,HEFCE_NEEDS
            2,10000001,L1,1,"A""1",DISPOP,0,1,ROOT,DISPOP = 1: Included in the denominator of the disability \
            allocation proportion,"DISPOP = 0: Otherwise; HEFCOMP = 4 and HEFEXCL = 0 and HEFTYPE = HOMEF and \
            (UGDSA = 1 or PGDSA = 1) held: HEFCOMP is 4, HEFEXCL is 0, HEFTYPE is HOMEF, UGDSA is 1, PGDSA is 0"
            2,10000001,L1,1,"A""1",SOENTRYAGE,,18,ROOT,SOENTRYAGE = full years: Full years between DATEOFBIRTH and \
            LEARNSTARTDATE,not a value of the table
            2,10000001,L1,1,"A""1",WAPOP,2,1,ROOT,WAPOP = 1: Included in young full-time widening access allocation \
            population,"WAPOP = 2: Included in mature full-time widening access allocation population; SOENTRYAGE ≥ 21 \
            failed: SOENTRYAGE is 18; EXCLPC = N and DOMICILE = XF, XG, XH, XI, XK and HEFTYPE = HOMEF and HEFCOMP = 4 \
            and HEFEXCL = 0 and SOENTRYAGE < 21 and SOENTRANT = 1 and HEFLEVEL = UG and HEFMODE = FTS held: EXCLPC is N, \
            DOMICILE is XF, HEFTYPE is HOMEF, HEFCOMP is 4, HEFEXCL is 0, SOENTRYAGE is 18, SOENTRANT is 1, HEFLEVEL is \
            UG, HEFMODE is FTS"

            """)
    }

    @Test("findings are written to credibility.csv and do not stop the run (ruling R4)")
    func findings() throws {
        let directory = TemporaryDirectory()
        let report = try run(
            TestFile.text([TestRecord([.dateofbirth: "31/02/1996", .hefesfte: "n/a", .waquin: ""])]), in: directory)
        #expect(report.tally.findings[Check.dateInvalid.index] == 1)
        #expect(report.tally.findings[Check.hefesfteNotNumeric.index] == 1)
        #expect(report.tally.findings[Check.waquinUnavailable.index] == 1)
        let credibility = try String(contentsOfFile: "\(directory.path)/out/credibility.csv", encoding: .utf8)
        #expect(credibility == """
            ROW,UKPRN,LEARNREFNUMBER,AIMSEQNUMBER,STUBID,FIELD,VALUE,SEVERITY,CHECK,MESSAGE
            1,10000001,L1,1,1,DATEOFBIRTH,31/02/1996,error,DATE_INVALID,'31/02/1996' is not a date (dd/mm/yyyy or yyyy-mm-dd); treated as missing (ruling R4)
            1,10000001,L1,1,1,HEFESFTE,n/a,error,HEFESFTE_NOT_NUMERIC,'n/a' is not a number; HEFESFTE counted as 0 (ruling R6)
            1,10000001,L1,1,1,WAQUIN,,warning,WAQUIN_UNAVAILABLE,no quintile for a student in a widening access population; counted as UNKNOWN (ruling R9)

            """)
    }

    @Test("strict mode exits 1 when anything differs or is found")
    func strict() throws {
        #expect(try run(TestFile.text([TestRecord()]), in: TemporaryDirectory(), strict: true).failsStrictCheck == false)
        #expect(try run(TestFile.text([TestRecord()]), in: TemporaryDirectory(), strict: false).failsStrictCheck == false)
        #expect(try run(TestFile.text([TestRecord([.dispop: "0"])]), in: TemporaryDirectory(), strict: true).failsStrictCheck == true)
        #expect(try run(TestFile.text([TestRecord([.hefesfte: ""])]), in: TemporaryDirectory(), strict: true).failsStrictCheck == true)
        #expect(try run(TestFile.text([TestRecord([.dispop: "0"])]), in: TemporaryDirectory()).failsStrictCheck == false)
    }

    @Test("a file without a header row is read by position")
    func positional() throws {
        let directory = TemporaryDirectory()
        let fields = Column.allCases.prefix(Column.positionalCount).map { TestRecord().values[$0] ?? "" }
        let report = try run(fields.joined(separator: ",") + "\n", in: directory)
        #expect(report.tally.records == 1)
        #expect(report.cells.headcount(Array(Element.wideningAccess.cells[0..<6])) == 1)
    }

    @Test("a record with too few fields is a data error on its line, and no output is left")
    func raggedRecord() {
        var lines = TestFile.text([TestRecord(), TestRecord()]).split(separator: "\n").map(String.init)
        lines.insert("", at: 2)
        lines[3] = String(lines[3][..<lines[3].lastIndex(of: ",")!])
        let (failure, leftovers) = failure(lines.joined(separator: "\n") + "\n")
        #expect(failure?.isData == true)
        #expect(failure?.description.hasSuffix(
            "SO14_F10000001.ind: line 4: record 2: field 20 (SOLINK): missing: the record has 19 fields, expected 20")
            == true)
        #expect(leftovers == [])
    }

    @Test("bad quoting is a data error naming the field")
    func badQuoting() {
        var text = TestFile.text([TestRecord()])
        text = text.replacingOccurrences(of: ",L1,", with: ",L\"1,")
        let (failure, leftovers) = failure(text)
        #expect(failure?.description.hasSuffix(
            "SO14_F10000001.ind: line 2: record 1: field 2 (LEARNREFNUMBER): a double quote inside an unquoted field (quote the whole field and double the quote)"
        ) == true)
        #expect(failure?.isData == true)
        #expect(leftovers == [])
    }

    @Test("an empty file and a header-only file are data errors")
    func noRecords() {
        #expect(failure("").failure?.description.hasSuffix("SO14_F10000001.ind: line 1: the file is empty") == true)
        #expect(failure("\n \n").failure?.isData == true)
        #expect(failure(TestFile.header + "\n").failure?.description.hasSuffix(
            "SO14_F10000001.ind: line 2: the file has a header row but no records") == true)
    }

    @Test("a missing input exits 66")
    func missingInput() {
        #expect(throws: Failure.self) {
            try Run.execute(RunOptions(input: "/nonexistent/SO14_F1.ind", output: "/tmp/unused"))
        }
        do {
            _ = try Run.execute(RunOptions(input: "/nonexistent/SO14_F1.ind", output: "/tmp/unused"))
        } catch let failure as Failure {
            #expect(failure.isNoInput)
            #expect(failure.description == "/nonexistent/SO14_F1.ind: cannot open: No such file or directory")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("an earlier run's directory is replaced; a directory with other files is refused and kept")
    func existingOutput() throws {
        let directory = TemporaryDirectory()
        _ = try run(TestFile.text([TestRecord()]), in: directory)
        _ = try run(TestFile.text([TestRecord(), TestRecord()]), in: directory)
        let derived = try String(contentsOfFile: "\(directory.path)/out/derived.csv", encoding: .utf8)
        #expect(derived.split(separator: "\n").count == 3)

        directory.file("out/notes.txt", "mine")
        #expect(throws: Failure.self) { try run(TestFile.text([TestRecord()]), in: directory) }
        #expect(FileManager.default.fileExists(atPath: "\(directory.path)/out/notes.txt"))
        #expect(FileManager.default.fileExists(atPath: "\(directory.path)/out/derived.csv"))
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(entries == ["SO14_F10000001.ind", "out"])
    }

    @Test("the default output directory is soalloc-out/<file name without extension>")
    func defaultOutput() {
        #expect(RunOptions.defaultOutput(for: "data/SO14_F10001234.ind") == "soalloc-out/SO14_F10001234")
        #expect(RunOptions.defaultOutput(for: "SO14_F10001234") == "soalloc-out/SO14_F10001234")
        #expect(RunOptions.defaultOutput(for: ".hidden") == "soalloc-out/.hidden")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
