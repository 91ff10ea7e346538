import Foundation
import Testing

@testable import SOAllocCore

/// A workbook written part by part with Python's zipfile, as Excel lays one
/// out: its parts given as XML text by name.
private func workbook(_ parts: [String: String], in directory: TemporaryDirectory) throws -> String {
    let path = directory.path + "/book.xlsx"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = ["-c", "import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n    for name, text in json.loads(sys.stdin.read()).items(): z.writestr(name, text)", path]
    let input = Pipe()
    process.standardInput = input
    try process.run()
    input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: parts))
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    return path
}

private let relationships = """
    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
    <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
    Target="xl/workbook.xml"/></Relationships>
    """

/// The parts of a workbook whose first sheet (in the workbook's order, not
/// the archive's) is `sheet`, with these shared strings and styles.
private func parts(sheet: String, strings: String, date1904: Bool = false) -> [String: String] {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    let r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return [
        "_rels/.rels": relationships,
        "xl/workbook.xml": """
            <workbook xmlns="\(main)" xmlns:r="\(r)"><workbookPr date1904="\(date1904 ? 1 : 0)"/>\
            <sheets><sheet name="Data" sheetId="2" r:id="rId7"/><sheet name="Other" sheetId="1" r:id="rId1"/></sheets></workbook>
            """,
        "xl/_rels/workbook.xml.rels": """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="\(r)/worksheet" Target="worksheets/sheet1.xml"/>\
            <Relationship Id="rId7" Type="\(r)/worksheet" Target="/xl/worksheets/data.xml"/>\
            <Relationship Id="rId8" Type="\(r)/sharedStrings" Target="sharedStrings.xml"/>\
            <Relationship Id="rId9" Type="\(r)/styles" Target="styles.xml"/></Relationships>
            """,
        "xl/worksheets/sheet1.xml": "<worksheet xmlns=\"\(main)\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>wrong sheet</t></is></c></row></sheetData></worksheet>",
        "xl/worksheets/data.xml": "<worksheet xmlns=\"\(main)\"><sheetData>\(sheet)</sheetData></worksheet>",
        "xl/sharedStrings.xml": "<sst xmlns=\"\(main)\">\(strings)</sst>",
        "xl/styles.xml": """
            <styleSheet xmlns="\(main)"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/></numFmts>\
            <cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>\
            <cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"><alignment horizontal="left"/></xf>\
            <xf numFmtId="14"/><xf numFmtId="2"/></cellXfs></styleSheet>
            """,
    ]
}

private func records(_ path: String) throws -> [ReadRecord] {
    let descriptor = open(path, O_RDONLY)
    defer { close(descriptor) }
    var records: [ReadRecord] = []
    let reader = CSVReader(descriptor: descriptor)
    try reader.forEachRecord { record in
        records.append(ReadRecord(line: record.line, fields: (0..<record.count).map { record.text($0) }))
    }
    #expect(reader.form.container == .xlsx)
    return records
}

@Suite("Reading the first worksheet of an .xlsx workbook")
struct WorkbookSheetTests {
    @Test(
        "the first sheet in the workbook's order; shared, rich and inline strings; dates by style; numbers, booleans and errors as shown; cells by reference",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func cells() throws {
        let directory = TemporaryDirectory()
        let sheet = """
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>C</t></is></c>\
            <c r="D1" t="s"><v>2</v></c></row>\
            <row r="2"><c r="A2"><v>10000001</v></c><c r="B2" s="1"><v>41176</v></c><c r="C2" s="2"><v>60</v></c>\
            <c r="D2" s="3"><v>4.0</v></c></row>\
            <row r="4" spans="1:4"><c r="B4" t="b"><v>1</v></c><c r="D4" t="e"><v>#N/A</v></c></row>\
            <row r="5"><c r="A5" s="1"/><c r="B5"/></row>\
            <row r="6"><c r="A6" t="inlineStr"><is><r><t>in</t></r><r><t xml:space="preserve">line </t></r></is></c>\
            <c r="B6" t="str"><f>A6</f><v>formula</v></c><c r="C6" t="s"><v>3</v></c><c r="D6"><v>0.30000000000000004</v></c></row>
            """
        let strings = """
            <si><t>UKPRN</t></si><si><r><t>B</t></r><rPh><t>phonetic</t></rPh></si><si><t>D_x000D_</t></si><si><t/></si>
            """
        let path = try workbook(parts(sheet: sheet, strings: strings), in: directory)
        #expect(try records(path) == [
            ReadRecord(line: 1, fields: ["UKPRN", "B", "C", "D"]),
            ReadRecord(line: 2, fields: ["10000001", "24/09/2012", "29/02/1900", "4"]),
            ReadRecord(line: 4, fields: ["", "TRUE", "", "#N/A"]),
            ReadRecord(line: 6, fields: ["inline", "formula", "", "0.3"]),
        ])
    }

    @Test("the 1904 date system", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func date1904() throws {
        let directory = TemporaryDirectory()
        let sheet = "<row r=\"1\"><c r=\"A1\" s=\"2\"><v>39714</v></c></row>"
        let path = try workbook(parts(sheet: sheet, strings: "", date1904: true), in: directory)
        #expect(try records(path) == [ReadRecord(line: 1, fields: ["24/09/2012"])])
    }

    @Test(
        "a cell beyond the fields a record may have, cells out of order, or a missing shared string is an error on its row",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func errors() throws {
        let directory = TemporaryDirectory()
        for (sheet, field) in [
            ("<row r=\"3\"><c r=\"XFD3\"><v>1</v></c></row>", 4097), ("<row r=\"3\"><c r=\"B3\"><v>1</v></c><c r=\"A3\"><v>1</v></c></row>", 1),
            ("<row r=\"3\"><c r=\"A3\" t=\"s\"><v>9</v></c></row>", 1),
        ] {
            do {
                _ = try records(try workbook(parts(sheet: sheet, strings: ""), in: directory))
                Issue.record("read \(sheet)")
            } catch let error as CSVSyntaxError {
                #expect(error.line == 3 && error.field == field, "\(error)")
            }
        }
    }
}
