import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("Reading UTF-16, refusing what is not text, and bounding fields and records")
struct InputEncodingTests {
    static let text = "UKPRN,NAME\r\n10000001,\"Zoë, 学生 😀\"\n\n10000002,plain\n"

    static func utf16(_ text: String, bigEndian: Bool, mark: Bool) -> [UInt8] {
        var bytes: [UInt8] = mark ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
        for unit in text.utf16 {
            let pair = [UInt8(unit >> 8), UInt8(unit & 0xFF)]
            bytes += bigEndian ? pair : pair.reversed()
        }
        return bytes
    }

    @Test(
        "UTF-16, either byte order, with or without a byte order mark, gives the UTF-8 file's records and lines",
        arguments: [(false, true), (true, true), (false, false), (true, false)])
    func utf16(bigEndian: Bool, mark: Bool) throws {
        let bytes = Self.utf16(Self.text, bigEndian: bigEndian, mark: mark)
        #expect(try readCSV(bytes) == readCSV(Self.text))
        #expect(try readCSV(bytes, concurrently: true) == readCSV(Self.text))
    }

    @Test("records across many chunks, with code units and surrogate pairs split between chunks, keep their offsets")
    func utf16Chunks() throws {
        // An odd number of bytes before each chunk boundary, and a surrogate pair on it.
        let line = "ab,😀c\n"
        let count = CSVReader.chunkSize / 6 + 50
        let text = "h1,h2\n" + String(repeating: line, count: count)
        var decoded: [(Int, Int)] = []
        try forEachRecord(inFileHolding: Self.utf16(text, bigEndian: false, mark: true)) { record in
            decoded.append((record.line, record.offset))
            if record.line > 1 { #expect(record.text(1) == "😀c") }
        }
        var plain: [(Int, Int)] = []
        try forEachRecord(inFileHolding: Array(text.utf8)) { record in plain.append((record.line, record.offset)) }
        #expect(decoded.count == count + 1)
        #expect(decoded.map(\.0) == plain.map(\.0))
        #expect(decoded.map(\.1) == plain.map(\.1))
    }

    @Test("a lone surrogate or an odd last byte becomes U+FFFD")
    func utf16Invalid() throws {
        var bytes = Self.utf16("a,b\n", bigEndian: false, mark: true)
        bytes.insert(contentsOf: [0x00, 0xD8], at: 4)  // a high surrogate before ","
        bytes.append(0x41)
        let records = try readCSV(bytes)
        #expect(records.first?.fields == ["a\u{FFFD}", "b"])
        #expect(records.last?.fields == ["\u{FFFD}"])
    }

    @Test(
        "an old workbook, a damaged archive or gzip, a PDF, an image or a web page is refused from its first bytes, naming what it is",
        arguments: [
            ([0x50, 0x4B, 0x03, 0x04, 0x14], "a zip archive that cannot be read (damaged, or cut short)"),
            ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0], "an Excel 97-2003 workbook: save it as CSV UTF-8 or .xlsx"),
            ([0x1F, 0x8B, 0x08, 0], "the gzip-compressed file is cut short: it ends before its text does"),
            (Array("%PDF-1.4\n".utf8), "a PDF document, not CSV text"),
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A], "a PNG image, not CSV text"),
            ([0xFF, 0xD8, 0xFF, 0xE0], "a JPEG image, not CSV text"),
            (Array("GIF89a\u{1}\u{0}".utf8), "a GIF image, not CSV text"),
            (Array("\u{FEFF} <!doctype HTML><html>".utf8), "an HTML web page, not CSV text: download the individualised file itself"),
            ([0xFF, 0xFE, 0, 0, 0x41, 0, 0, 0], "UTF-32 text, which soalloc does not read: save it as CSV UTF-8"),
            ([0x42, 0x5A, 0x68, 0x39, 0x31], "bzip2-compressed, which soalloc does not read: decompress it (bunzip2), or compress it with gzip"),
        ] as [([UInt8], String)])
    func refused(bytes: [UInt8], name: String) throws {
        do {
            _ = try readCSV(bytes)
            Issue.record("read \(name)")
        } catch let error as CSVSyntaxError {
            #expect(error == CSVSyntaxError.whole(name))
            // The whole file: no line, and none of its bytes.
            #expect(error.location(file: "f.ind", record: nil, names: []).description == "f.ind")
        }
    }

    @Test("a CSV that starts with PK or with a quote is still CSV")
    func notRefused() throws {
        #expect(try readCSV("PK,x\n1,2\n").count == 2)
        #expect(try readCSV("\"<html>\",x\n").count == 1)
    }

    @Test("a field of exactly 1 MiB is read whole; one byte more is an error on its record, line and field")
    func fieldBound() throws {
        let most = String(repeating: "y", count: CSVReader.maxFieldBytes)
        let records = try readCSV("a,b\nc,\(most),e\n")
        #expect(records[1].fields[1].utf8.count == CSVReader.maxFieldBytes)
        #expect(throws: CSVSyntaxError(
            line: 2, field: 2,
            message: "the field is longer than 1 MiB (1,048,576 bytes), the most soalloc reads in one field")
        ) {
            try readCSV("a,b\nc,\(most)y,e\n")
        }
        // Quoted, over many lines: still stopped.
        let lines = String(repeating: "zzzzzzzzz\n", count: CSVReader.maxFieldBytes / 10 + 1)
        #expect(throws: CSVSyntaxError.self) { try readCSV("a,\"\(lines)\"\n") }
    }

    @Test("a record of too many fields, or too many bytes, is an error as soon as it is seen")
    func recordBounds() throws {
        #expect(throws: CSVSyntaxError(
            line: 1, field: CSVReader.maxFields + 1,
            message: "the record has more than 4096 fields, the most soalloc reads in one record")
        ) {
            try readCSV(String(repeating: ",", count: 2 << 20))
        }
        let field = String(repeating: "w", count: CSVReader.maxFieldBytes / 2)
        let record = Array(repeating: field, count: 40).joined(separator: ",")
        do {
            _ = try readCSV("a\n" + record + "\n")
            Issue.record("read a record of 20 MiB")
        } catch let error as CSVSyntaxError {
            #expect(error.line == 2)
            #expect(error.message == "the record is longer than 16 MiB (16,777,216 bytes), the most soalloc reads in one record")
        }
    }
}
