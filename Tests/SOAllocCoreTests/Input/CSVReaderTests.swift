import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("Reading CSV with libcsv (ruling R3)")
struct CSVReaderTests {
    @Test("records and the lines they start on")
    func plain() throws {
        #expect(
            try readCSV("a,b\nc,d\n") == [ReadRecord(line: 1, fields: ["a", "b"]), ReadRecord(line: 2, fields: ["c", "d"])])
    }

    @Test("CRLF line ends give the same records and lines")
    func crlf() throws {
        #expect(try readCSV("a,b\r\nc,d\r\n") == readCSV("a,b\nc,d\n"))
    }

    @Test("mixed LF and CRLF line ends")
    func mixedLineEnds() throws {
        #expect(
            try readCSV("a\r\nb\nc\r\nd")
                == [
                    ReadRecord(line: 1, fields: ["a"]), ReadRecord(line: 2, fields: ["b"]),
                    ReadRecord(line: 3, fields: ["c"]), ReadRecord(line: 4, fields: ["d"]),
                ])
    }

    @Test("a lone CR ends a line")
    func bareCR() throws {
        #expect(try readCSV("a\rb\rc") == readCSV("a\nb\nc"))
    }

    @Test("a UTF-8 byte order mark is removed")
    func byteOrderMark() throws {
        #expect(try readCSV([0xEF, 0xBB, 0xBF] + Array("UKPRN,X\n1,2\n".utf8)).first?.fields == ["UKPRN", "X"])
    }

    @Test("a BOM with CRLF")
    func byteOrderMarkAndCRLF() throws {
        #expect(try readCSV([0xEF, 0xBB, 0xBF] + Array("a,b\r\nc,d\r\n".utf8)) == readCSV("a,b\nc,d\n"))
    }

    @Test("quoted commas, doubled quotes and newlines inside quotes")
    func quoting() throws {
        let records = try readCSV("\"a,b\",\"he said \"\"no\"\"\",\"two\nlines\"\nnext,row\n")
        #expect(records == [
            ReadRecord(line: 1, fields: ["a,b", "he said \"no\"", "two\nlines"]),
            ReadRecord(line: 3, fields: ["next", "row"]),
        ])
    }

    @Test("values are trimmed, quoted or not")
    func trimming() throws {
        #expect(try readCSV("  a  ,\" b \",\t c\t,\"\"\n").first?.fields == ["a", "b", "c", ""])
    }

    @Test("blank records are skipped but their lines are counted")
    func blankLines() throws {
        #expect(
            try readCSV("\na\n\n   \n,,\n\r\nb\n\n")
                == [ReadRecord(line: 2, fields: ["a"]), ReadRecord(line: 7, fields: ["b"])])
    }

    @Test("a last record without a newline is read")
    func noFinalNewline() throws {
        #expect(try readCSV("a,b\nc,d") == readCSV("a,b\nc,d\n"))
    }

    @Test("empty fields and zero-padded codes are kept as written")
    func emptyFieldsAndPadding() throws {
        #expect(try readCSV(",04,,\n").first?.fields == ["", "04", "", ""])
    }

    @Test("an empty file has no records")
    func empty() throws {
        #expect(try readCSV("") == [])
        #expect(try readCSV("\n\n") == [])
    }

    @Test("a quote inside an unquoted field is an error on the record's line")
    func strayQuote() {
        #expect(throws: CSVSyntaxError(
            line: 2, field: 2,
            message: "a double quote inside an unquoted field (quote the whole field and double the quote)")
        ) {
            try readCSV("a,b\nc,d\"e,f\ng,h\n")
        }
    }

    @Test("text after a closing quote is an error")
    func textAfterClosingQuote() {
        #expect(throws: CSVSyntaxError(
            line: 1, field: 1,
            message: "unexpected character after a closing quote (a quote inside a quoted field must be doubled)")
        ) {
            try readCSV("\"ab\"c,d\n")
        }
    }

    @Test("a quote left open at the end of the file is an error on the line where its record starts")
    func unterminatedQuote() {
        #expect(throws: CSVSyntaxError(
            line: 3, field: 2, message: "a quoted field is not closed before the end of the file")
        ) {
            try readCSV("a,b\n\nc,\"d\ne,f\ng,h\n")
        }
    }

    @Test("records across the reader's chunk boundaries, with a CRLF split between chunks")
    func chunkBoundaries() throws {
        // A CR as the last byte of the first chunk and its LF as the first of the second.
        let line = Array("0123456789,abcdefghi\r\n".utf8)  // 22 bytes
        let lines = (CSVReader.chunkSize - 1) / line.count
        let padding = CSVReader.chunkSize + 1 - lines * line.count  // the first line, with its LF
        var bytes = Array(repeating: UInt8(ascii: "x"), count: padding - 1) + Array("\n".utf8)
        for _ in 0..<lines { bytes += line }
        bytes.removeLast(2)
        bytes += Array("\r".utf8)
        #expect(bytes.count == CSVReader.chunkSize)
        bytes += Array("\nlast,one\n".utf8)
        for _ in 0..<(lines + 10) { bytes += line }

        let records = try readCSV(bytes)
        #expect(records.count == 1 + lines + 1 + lines + 10)
        #expect(records[lines] == ReadRecord(line: lines + 1, fields: ["0123456789", "abcdefghi"]))
        #expect(records[lines + 1] == ReadRecord(line: lines + 2, fields: ["last", "one"]))
        #expect(records.last == ReadRecord(line: 2 * lines + 12, fields: ["0123456789", "abcdefghi"]))
    }

    @Test("a field of a megabyte, across the reader's chunks, is read whole")
    func hugeField() throws {
        let big = String(repeating: "y", count: CSVReader.maxFieldBytes - 3)
        let records = try readCSV("a,b,c\na,\(big),c\nd,e,f\n")
        #expect(records.count == 3)
        #expect(records[1].fields[1].count == CSVReader.maxFieldBytes - 3)
        #expect(records[2] == ReadRecord(line: 3, fields: ["d", "e", "f"]))
    }

    @Test("NUL bytes are data, not an end of text")
    func nulBytes() throws {
        #expect(try readCSV([0x61, 0x00, 0x62, 0x2C, 0x63, 0x0A]).first?.fields == ["a\u{0}b", "c"])
    }

    @Test("reading on a second thread gives the same records, in batches across many chunks", arguments: [
        4, 2048, 2049, 5000, 100_000,
    ])
    func concurrent(records: Int) throws {
        var text = "h1,h2\n"
        for index in 0..<records { text += index % 97 == 0 ? "\n\"q,\(index)\",\(index)\r\n" : "a\(index),\(index)\n" }
        let bytes = Array(text.utf8)
        #expect(try readCSV(bytes, concurrently: true) == readCSV(bytes))
    }

    @Test("a syntax error on a second thread comes after the records before it, as on one thread")
    func concurrentError() throws {
        var text = ""
        for index in 0..<5000 { text += "a\(index),b\n" }
        text += "bad\"quote,x\n"
        for index in 0..<5000 { text += "c\(index),d\n" }
        for concurrently in [false, true] {
            var seen = 0
            #expect(throws: CSVSyntaxError(
                line: 5001, field: 1,
                message: "a double quote inside an unquoted field (quote the whole field and double the quote)")
            ) {
                try forEachRecord(inFileHolding: Array(text.utf8), concurrently: concurrently) { _ in seen += 1 }
            }
            #expect(seen == 5000)
        }
    }

    @Test("a consumer that stops early stops the reading thread")
    func consumerStops() throws {
        struct Enough: Error {}
        var text = ""
        for index in 0..<50_000 { text += "a\(index),b\n" }
        var seen = 0
        #expect(throws: Enough.self) {
            try forEachRecord(inFileHolding: Array(text.utf8), concurrently: true) { _ in
                seen += 1
                if seen == 3000 { throw Enough() }
            }
        }
        #expect(seen == 3000)
    }
}
