import Foundation
import Testing

/// Whether Debian's python3-openpyxl can be imported (`scripts/test` installs it).
let openpyxlInstalled = shell("/usr/bin/python3 -c 'import openpyxl'")

/// Writes, into `folder`, the first sample as a finance team's Excel might
/// save it: `reference.csv` (the sample with a NOTES column of `£` and `é`,
/// and an `é` in one LEARNREFNUMBER, in UTF-8) and that text with semicolons,
/// with tabs, in Windows-1252, in UTF-16 each way with and without a byte
/// order mark (and as Excel's "Unicode text", tabs in UTF-16LE), and
/// compressed with gzip; with `xlsx`, `book.xlsx` too, made by openpyxl with
/// dates as date cells and all-digit codes as numbers, as Excel makes them
/// when it opens the CSV.
private func makeForms(in folder: URL, xlsx: Bool) throws {
    _ = try python(
        ["-", repository.appendingPathComponent("TestData/SO14_F10000001.ind").path, folder.path, xlsx ? "xlsx" : ""],
        input: #"""
            import csv, datetime, gzip, io, re, sys
            source, folder, xlsx = sys.argv[1], sys.argv[2], sys.argv[3] == "xlsx"
            rows = list(csv.reader(open(source, newline="")))
            rows[0].append("NOTES")
            for number, row in enumerate(rows[1:], 1):
                if len(row) > 1:  # a blank record stays blank
                    row.append("£5 for the café" if number % 7 == 0 else "")
            rows[5][1] = "é" + rows[5][1]

            def text(delimiter):
                out = io.StringIO()
                csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
                return out.getvalue()

            def write(name, data):
                open(folder + "/" + name, "wb").write(data)

            comma = text(",")
            write("reference.csv", comma.encode("utf-8"))
            write("semicolon.csv", text(";").encode("utf-8"))
            write("tab.csv", text("\t").encode("utf-8"))
            write("windows-1252.csv", comma.encode("cp1252"))
            write("utf-16le-bom.csv", b"\xff\xfe" + comma.encode("utf-16-le"))
            write("utf-16le.csv", comma.encode("utf-16-le"))
            write("utf-16be-bom.csv", b"\xfe\xff" + comma.encode("utf-16-be"))
            write("utf-16be.csv", comma.encode("utf-16-be"))
            write("unicode-text.txt", b"\xff\xfe" + text("\t").encode("utf-16-le"))
            write("reference.csv.gz", gzip.compress(comma.encode("utf-8"), mtime=0))
            if xlsx:
                from openpyxl import Workbook
                book = Workbook(write_only=True)
                sheet = book.create_sheet("SO14_F10000001")
                def cell(value, column):
                    bare = value.strip()
                    date = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", bare)
                    if date:
                        try:
                            return datetime.datetime(int(date[3]), int(date[2]), int(date[1]))
                        except ValueError:
                            return value  # 31/02/2014 stays text, as in Excel
                    if re.fullmatch(r"\d{1,15}", bare):
                        return int(bare)  # 04 becomes 4, which compares as 04 does (ruling R3)
                    # A decimal is a number in HEFESFTE; elsewhere Excel's 2 for "2.0" would be a valid code.
                    if column == "HEFESFTE" and re.fullmatch(r"\d+\.\d+", bare):
                        return float(bare)
                    return value
                for number, row in enumerate(rows):
                    sheet.append(row if number == 0 else [cell(value, column) for value, column in zip(row, rows[0])])
                book.save(folder + "/book.xlsx")
            """#)
}

/// Runs soalloc on `input` into a new folder of `scratch`; expects success.
private func run(_ input: URL, _ options: [String] = [], in scratch: Scratch) throws -> (URL, Outcome) {
    let out = scratch.url.appendingPathComponent("out-" + input.lastPathComponent + options.joined())
    let outcome = try soalloc([input.path, "--out", out.path] + options)
    #expect(outcome.status == 0, "\(input.lastPathComponent): \(outcome.standardError)")
    return (out, outcome)
}

/// The inputs `run.json` records, as JSON objects.
private func recordedInputs(_ out: URL) throws -> [[String: Any]] {
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json")))
    return ((json as? [String: Any])?["inputs"] as? [[String: Any]]) ?? []
}

private func expectSameOutputs(_ out: URL, _ reference: URL, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for output in ["derived.csv", "cells.csv", "summary.csv", "credibility.csv"] {
        let ours = try Data(contentsOf: out.appendingPathComponent(output))
        #expect(ours == (try Data(contentsOf: reference.appendingPathComponent(output))), "\(name) \(output)", sourceLocation: sourceLocation)
    }
}

@Suite("End to end: files that went through Excel")
struct ExcelInputTests {
    @Test("semicolons, tabs, Windows-1252, UTF-16 either way with or without a mark, and gzip give the CSV run's outputs")
    func textForms() throws {
        let scratch = Scratch()
        try makeForms(in: scratch.url, xlsx: false)
        let (reference, plain) = try run(scratch.url.appendingPathComponent("reference.csv"), in: scratch)
        #expect(plain.standardError == "")
        let derived = try String(contentsOf: reference.appendingPathComponent("derived.csv"), encoding: .utf8)
        #expect(derived.contains(",é"))
        let told = [
            "semicolon.csv": "its fields are separated by semicolons, as its header row shows",
            "tab.csv": "its fields are separated by tabs, as its header row shows",
            "windows-1252.csv": "read as Windows-1252 text, as it is not UTF-8",
        ]
        let forms = [
            ("semicolon.csv", "UTF-8", "semicolon"), ("tab.csv", "UTF-8", "tab"), ("windows-1252.csv", "Windows-1252", "comma"),
            ("utf-16le-bom.csv", "UTF-16LE", "comma"), ("utf-16le.csv", "UTF-16LE", "comma"),
            ("utf-16be-bom.csv", "UTF-16BE", "comma"), ("utf-16be.csv", "UTF-16BE", "comma"),
            ("unicode-text.txt", "UTF-16LE", "tab"), ("reference.csv.gz", "UTF-8", "comma"),
        ]
        for (name, encoding, delimiter) in forms {
            let input = scratch.url.appendingPathComponent(name)
            let (out, outcome) = try run(input, in: scratch)
            try expectSameOutputs(out, reference, name)
            let notice = told[name] ?? (name == "unicode-text.txt" ? told["tab.csv"] : nil)
            #expect(outcome.standardError == (notice.map { "soalloc: \(input.path): \($0)\n" } ?? ""), "\(name)")
            let recorded = try recordedInputs(out).first ?? [:]
            #expect(recorded["encoding"] as? String == encoding, "\(name)")
            #expect(recorded["delimiter"] as? String == delimiter, "\(name)")
            #expect(recorded["sha256"] as? String == sha256(try Data(contentsOf: input)), "\(name)")
            #expect(recorded["notice"] as? String == notice, "\(name)")
        }
        // gzip: the compressed file's digest and the text's.
        let (out, _) = try run(scratch.url.appendingPathComponent("reference.csv.gz"), in: scratch)
        let recorded = try recordedInputs(out).first ?? [:]
        let text = try Data(contentsOf: scratch.url.appendingPathComponent("reference.csv"))
        #expect(recorded["format"] as? String == "gzip")
        #expect(recorded["textSha256"] as? String == sha256(text))
        #expect(recorded["textSize"] as? Int == text.count)
        #expect(try recordedInputs(reference).first?["format"] as? String == "csv")
    }

    @Test(
        "the first worksheet of an .xlsx, dates as date cells and codes as numbers, gives the CSV run's outputs",
        .enabled(if: openpyxlInstalled, "needs Debian's python3-openpyxl (scripts/test installs it)"))
    func workbook() throws {
        let scratch = Scratch()
        try makeForms(in: scratch.url, xlsx: true)
        let (reference, _) = try run(scratch.url.appendingPathComponent("reference.csv"), in: scratch)
        let book = scratch.url.appendingPathComponent("book.xlsx")
        let (out, outcome) = try run(book, in: scratch)
        #expect(outcome.standardError == "")
        try expectSameOutputs(out, reference, "book.xlsx")
        let recorded = try recordedInputs(out).first ?? [:]
        #expect(recorded["format"] as? String == "xlsx")
        #expect(recorded["encoding"] == nil && recorded["delimiter"] == nil)
        #expect(recorded["sha256"] as? String == sha256(try Data(contentsOf: book)))

        // A place in a workbook is a row.
        let broken = scratch.url.appendingPathComponent("broken.xlsx")
        _ = try python(
            ["-", broken.path],
            input: """
                import sys
                from openpyxl import Workbook
                book = Workbook()
                book.active.append(["UKPRN", "LEARNREFNUMBER"])
                book.active.append([10000001, "A1"])
                book.save(sys.argv[1])
                """)
        let failed = try soalloc([broken.path, "--out", scratch.url.appendingPathComponent("broken").path])
        #expect(failed.status == 65)
        #expect(failed.standardError.hasPrefix("\(broken.path): row 1: header: the header row lacks required columns AIMSEQNUMBER"))
    }

    @Test("an old workbook, a zip, a Word document, an image or a PDF is named in one line with none of its bytes")
    func refused() throws {
        let scratch = Scratch()
        _ = try python(
            ["-", scratch.url.path],
            input: #"""
                import sys, zipfile
                folder = sys.argv[1]
                with zipfile.ZipFile(folder + "/archive.zip", "w") as z: z.writestr("SO14_F10000001.ind", "UKPRN\n")
                with zipfile.ZipFile(folder + "/letter.docx", "w") as z: z.writestr("word/document.xml", "<w/>")
                open(folder + "/old.xls", "wb").write(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))
                open(folder + "/picture.png", "wb").write(bytes.fromhex("89504e470d0a1a0a") + bytes(64))
                open(folder + "/picture.jpg", "wb").write(bytes.fromhex("ffd8ffe0") + b"\x1b[2J" * 8)
                open(folder + "/page.html", "wb").write(b"\n<!DOCTYPE html><html>\x1b]0;x\x07</html>")
                open(folder + "/document.pdf", "wb").write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
                """#)
        let expected = [
            "old.xls": "an Excel 97-2003 workbook: save it as CSV UTF-8 or .xlsx",
            "archive.zip": "a zip archive, not CSV text or an Excel workbook: unzip it and give soalloc the file inside",
            "letter.docx": "a Word document, not CSV text",
            "picture.png": "a PNG image, not CSV text", "picture.jpg": "a JPEG image, not CSV text",
            "page.html": "an HTML web page, not CSV text: download the individualised file itself",
            "document.pdf": "a PDF document, not CSV text",
        ]
        for (name, message) in expected {
            let input = scratch.url.appendingPathComponent(name)
            let outcome = try soalloc([input.path, "--out", scratch.url.appendingPathComponent("out").path])
            #expect(outcome.status == 65, "\(name)")
            #expect(outcome.standardError == "\(input.path): \(message)\n")
            #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("out").path))
        }
    }

    @Test("--delimiter and --encoding force a reading, are recorded in run.json, and are checked on the command line")
    func forced() throws {
        let scratch = Scratch()
        try makeForms(in: scratch.url, xlsx: false)
        let (reference, _) = try run(scratch.url.appendingPathComponent("reference.csv"), in: scratch)
        // Forced as found: the same outputs, and no notice.
        let windows = scratch.url.appendingPathComponent("windows-1252.csv")
        let (out, outcome) = try run(windows, ["--encoding", "windows-1252", "--delimiter", "comma"], in: scratch)
        try expectSameOutputs(out, reference, "forced")
        #expect(outcome.standardError == "")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json")))
        let options = (json as? [String: Any])?["options"] as? [String: String]
        #expect(options?["encoding"] == "windows-1252" && options?["delimiter"] == "comma")
        // Forced otherwise: the £ and é are findings, not text.
        let (asUTF8, _) = try run(windows, ["--encoding", "utf-8"], in: scratch)
        let credibility = try String(contentsOf: asUTF8.appendingPathComponent("credibility.csv"), encoding: .utf8)
        #expect(credibility.contains(",TEXT_NOT_UTF8,"))
        // A comma forced on a semicolon file: its header is one field.
        let semicolon = scratch.url.appendingPathComponent("semicolon.csv")
        let wrong = try soalloc([semicolon.path, "--out", scratch.url.appendingPathComponent("wrong").path, "--delimiter", ","])
        #expect(wrong.status == 65)
        #expect(wrong.standardError.contains("found 1 field starting with 'UKPRN;LEARNREFNUMBER;"))
        // A file without a header row is read with commas (R1): the error names the option that reads it.
        let positional = scratch.url.appendingPathComponent("positional.csv")
        _ = try python(
            ["-", repository.appendingPathComponent("TestData/SO14_F10000002.ind").path, positional.path],
            input: """
                import csv, sys
                rows = list(csv.reader(open(sys.argv[1], newline="")))
                csv.writer(open(sys.argv[2], "w", newline=""), delimiter=";", lineterminator="\\r\\n").writerows(rows)
                """)
        let headerless = try soalloc([positional.path, "--out", scratch.url.appendingPathComponent("headerless").path])
        #expect(headerless.status == 65)
        #expect(headerless.standardError.hasSuffix("; if its fields are separated by semicolons, give --delimiter semicolon\n"))
        let (semicolons, _) = try run(positional, ["--delimiter", "semicolon"], in: scratch)
        let (commas, _) = try run(repository.appendingPathComponent("TestData/SO14_F10000002.ind"), in: scratch)
        try expectSameOutputs(semicolons, commas, "positional")
        // A delimiter soalloc does not know is a usage error.
        let usage = try soalloc([semicolon.path, "--delimiter", "pipe"])
        #expect(usage.status == 64)
        #expect(try soalloc([semicolon.path, "--encoding", "latin1"]).status == 64)
    }

    @Test("a file that is mostly UTF-8, with a stray byte, keeps it as a TEXT_NOT_UTF8 finding and is not transcoded")
    func mostlyUTF8() throws {
        let scratch = Scratch()
        try makeForms(in: scratch.url, xlsx: false)
        var bytes = try [UInt8](Data(contentsOf: scratch.url.appendingPathComponent("reference.csv")))
        // A lone 0xA3 (Windows-1252's £) in one NOTES field.
        let at = bytes.lastIndex(of: 0x0D)!
        bytes.insert(0xA3, at: at)
        let input = scratch.url.appendingPathComponent("stray.csv")
        try Data(bytes).write(to: input)
        let (out, outcome) = try run(input, in: scratch)
        #expect(outcome.standardError == "")
        let credibility = try String(contentsOf: out.appendingPathComponent("credibility.csv"), encoding: .utf8)
        #expect(credibility.components(separatedBy: ",TEXT_NOT_UTF8,").count == 2)
        #expect(try recordedInputs(out).first?["encoding"] as? String == "UTF-8")
        let derived = try String(contentsOf: out.appendingPathComponent("derived.csv"), encoding: .utf8)
        #expect(derived.contains(",é"))
    }
}
