import Foundation
import Testing

/// True when `text` holds a byte that acts on a terminal: C0 controls but LF, DEL, C1 controls.
private func hasControls(_ text: String) -> Bool {
    text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
}

@Suite("End to end: hostile input never reaches the terminal or runs in a spreadsheet")
struct HostileInputTests {
    @Test("a UTF-16 file, either byte order, with or without a mark, gives the UTF-8 file's outputs byte for byte")
    func utf16() throws {
        let scratch = Scratch()
        let original = scratch.url.appendingPathComponent("utf8")
        #expect(try soalloc(["TestData/rules/DISPOP.ind", "--out", original.path], in: repository).status == 0)
        for name in ["valid-utf16le-bom", "valid-utf16be-bom", "valid-utf16le", "valid-utf16be"] {
            let out = scratch.url.appendingPathComponent(name)
            let outcome = try soalloc(["TestData/bad/\(name).ind", "--out", out.path], in: repository)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            for output in ["derived.csv", "differences.csv", "credibility.csv", "exclusions.csv", "cells.csv", "summary.csv"] {
                let ours = try Data(contentsOf: out.appendingPathComponent(output))
                #expect(ours == (try Data(contentsOf: original.appendingPathComponent(output))), "\(name) \(output)")
            }
            // run.json's SHA-256 is of the file's own bytes, not of the decoded text.
            let raw = try Data(contentsOf: repository.appendingPathComponent("TestData/bad/\(name).ind"))
            let provenance = try String(contentsOf: out.appendingPathComponent("run.json"), encoding: .utf8)
            #expect(provenance.contains(sha256(raw)))
        }
    }

    @Test("identifiers and values that start a formula are guarded in every CSV, and stored as plain text in the workbook")
    func formulas() throws {
        let scratch = Scratch()
        let input = scratch.url.appendingPathComponent("formulas.ind")
        try hostileCopy(
            [
                "LEARNREFNUMBER": #""=HYPERLINK(\"http://evil.example\",\"click\")""#, "STUBID": #""@SUM(1+1)""#,
                "HEFESFTE": #""-1+2""#, "DOMICILE": #""+XF""#,
            ], to: input)
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc([input.path, "--out", out.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        // Every cell of every CSV: one that would start a formula is a plain number soalloc wrote.
        let check = try python(
            ["-", out.path],
            input: #"""
                import csv, glob, re, sys
                seen = 0
                for path in sorted(glob.glob(sys.argv[1] + "/*.csv")):
                    for row in csv.reader(open(path, newline="")):
                        for cell in row:
                            if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[-+]?[0-9]+(\.[0-9]+)?", cell):
                                print("unguarded", path, repr(cell))
                            if cell.startswith("'=HYPERLINK") or cell == "'@SUM(1+1)" or cell == "'-1+2":
                                seen += 1
                print(seen > 0)
                """#)
        #expect(check == "True\n")
        let derived = try String(contentsOf: out.appendingPathComponent("derived.csv"), encoding: .utf8)
        #expect(derived.contains(#","'=HYPERLINK(""http://evil.example"",""click"")",1,'@SUM(1+1),"#))
        let credibility = try String(contentsOf: out.appendingPathComponent("credibility.csv"), encoding: .utf8)
        #expect(credibility.contains(",HEFESFTE,'-1+2,error,HEFESFTE_NOT_NUMERIC,'-1+2' is not a number"))

        let book = try OpenedWorkbook(out.appendingPathComponent("summary.xlsx"))
        #expect(!book.formulas.keys.contains { $0.hasPrefix("Data-quality findings!") || $0.hasPrefix("Differences!") })
        let cells = book.rows["Data-quality findings"]?.flatMap { $0 } ?? []
        // The sheets show the CSV's rows as the CSV holds them.
        #expect(cells.contains(#"'=HYPERLINK("http://evil.example","click")"#))
        #expect(cells.contains("'-1+2"))
    }

    @Test("control bytes in a file's values, and in a file's name, reach neither stderr, stdout nor explain's text")
    func terminal() throws {
        let scratch = Scratch()
        let input = scratch.url.appendingPathComponent("esc\u{1B}[2J.ind")
        try hostileCopy(
            ["LEARNREFNUMBER": #""L\x1b]0;PWNED\x07""#, "HEFESFTE": #""\x1b[31m\x9b""#], to: input)
        let out = scratch.url.appendingPathComponent("out")
        let run = try soalloc([input.path, "--out", out.path])
        #expect(run.status == 0)
        #expect(!hasControls(run.standardOutput) && !hasControls(run.standardError))
        #expect(run.standardOutput.contains("esc\\x1b[2J.ind"))

        let explain = try soalloc(["explain", input.path, "--row", "1"])
        #expect(explain.status == 0, "\(explain.standardError)")
        #expect(!hasControls(explain.standardOutput))
        #expect(explain.standardOutput.contains("LEARNREFNUMBER L\\x1b]0;PWNED\\x07"))

        let missing = try soalloc(["explain", input.path, "--learner", "\u{1B}]0;X\u{7}"])
        #expect(missing.status == 64)
        #expect(!hasControls(missing.standardError))
        #expect(missing.standardError.filter { $0 == "\n" }.count == 1)
    }

    @Test("a field longer than 1 MiB is a data error naming file, line, record and field; nothing is written")
    func longField() throws {
        let scratch = Scratch()
        let input = scratch.url.appendingPathComponent("long.ind")
        try hostileCopy(["LEARNREFNUMBER": #""A" * (3 << 20)"#], to: input)
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc([input.path, "--out", out.path])
        #expect(outcome.status == 65)
        #expect(
            outcome.standardError
                == "\(input.path): line 2: record 1: field 2 (LEARNREFNUMBER): the field is longer than 1 MiB (1,048,576 bytes), the most soalloc reads in one field\n"
        )
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["long.ind"])
    }

    @Test("a field of exactly 1 MiB, not UTF-8 and quoted by a finding, is read, and the workbook reads back its row")
    func longestField() throws {
        let scratch = Scratch()
        let input = scratch.url.appendingPathComponent("longest.ind")
        _ = try python(
            ["-", repository.appendingPathComponent("TestData/rules/DISPOP.ind").path, input.path],
            input: """
                import sys
                lines = open(sys.argv[1], "rb").read().split(b"\\n")
                header = lines[0].split(b",")
                row = lines[1].split(b",")
                # 0x81 is neither UTF-8 nor Windows-1252: the file stays UTF-8, the field 1 MiB.
                row[header.index(b"HEFESFTE")] = b"\\x81" * (1 << 20)
                open(sys.argv[2], "wb").write(b"\\n".join([lines[0], b",".join(row)] + lines[2:]))
                """)
        let out = scratch.url.appendingPathComponent("out")
        let outcome = try soalloc([input.path, "--out", out.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let book = try OpenedWorkbook(out.appendingPathComponent("summary.xlsx"))
        #expect(book.rows["Data-quality findings"]?.contains { $0.contains("HEFESFTE_NOT_NUMERIC") } == true)
    }

    @Test("an endless input (/dev/zero) fails at once with a data error")
    func endless() throws {
        let scratch = Scratch()
        let started = Date()
        let outcome = try soalloc(["/dev/zero", "--out", scratch.url.appendingPathComponent("out").path])
        #expect(outcome.status == 65)
        #expect(
            outcome.standardError
                == "/dev/zero: line 1: field 1: the field is longer than 1 MiB (1,048,576 bytes), the most soalloc reads in one field\n")
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == [])
    }
}
