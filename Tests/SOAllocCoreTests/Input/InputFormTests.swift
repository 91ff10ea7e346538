import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

/// Reads `bytes` from a file with `reading`; returns the records and what the reader found.
private func read(_ bytes: [UInt8], _ reading: InputReading = .found) throws -> ([ReadRecord], InputForm) {
    let directory = TemporaryDirectory()
    let descriptor = open(directory.file("input", bytes), O_RDONLY)
    defer { close(descriptor) }
    let reader = CSVReader(descriptor: descriptor, reading: reading)
    var records: [ReadRecord] = []
    try reader.forEachRecord { record in
        records.append(ReadRecord(line: record.line, fields: (0..<record.count).map { record.text($0) }))
    }
    return (records, reader.form)
}

/// `text` in Windows-1252 (its characters are all in it).
private func windows1252(_ text: String) -> [UInt8] {
    let table: [Character: UInt8] = ["£": 0xA3, "é": 0xE9, "€": 0x80, "’": 0x92]
    return text.flatMap { character -> [UInt8] in table[character].map { [$0] } ?? Array(String(character).utf8) }
}

@Suite("Reading what Excel writes: delimiters, Windows-1252, gzip, and numbers and dates as Excel shows them")
struct InputFormTests {
    static let header = "UKPRN,NOTE\r\n10000001,a\r\n"

    @Test(
        "a header row's semicolon or tab is the delimiter; a comma, no header or another first field keep commas",
        arguments: [
            ("UKPRN;A\n", Delimiter.semicolon), ("\u{FEFF}\n \"ukprn\" ;A\n", .semicolon), ("UKPRN\tA\n", .tab),
            ("UKPRN,A;B\n", nil), ("1;2;3\n", nil), ("UKPRNX;A\n", nil), ("\"UKPRN;A\"\n", nil),
        ] as [(String, Delimiter?)])
    func delimiterOfHeader(text: String, expected: Delimiter?) {
        #expect(Array(text.utf8).withUnsafeBufferPointer { Delimiter.ofHeader($0) } == expected)
    }

    @Test("a semicolon or tab file gives the comma file's records, lines and trimmed fields, and says so")
    func delimited() throws {
        let comma = try read(Array("UKPRN,A,B\r\n 1 ,\"x;y\", 2\r\n\r\n3,,\"q\r\nr\"\r\n".utf8))
        for (delimiter, byte) in [(Delimiter.semicolon, ";"), (.tab, "\t")] {
            let text = "UKPRN\(byte)A\(byte)B\r\n 1 \(byte)\"x;y\"\(byte) 2\r\n\r\n3\(byte)\(byte)\"q\r\nr\"\r\n"
            let (records, form) = try read(Array(text.utf8))
            #expect(records == comma.0)
            #expect(form.delimiter == delimiter)
            #expect(form.delimiterFound)
            #expect(form.notice?.contains(delimiter == .tab ? "separated by tabs" : "separated by semicolons") == true)
        }
        #expect(comma.1.delimiter == .comma && !comma.1.delimiterFound && comma.1.notice == nil)
    }

    @Test("--delimiter forces one, header or not; a file without a header row is otherwise read with commas (R1)")
    func forcedDelimiter() throws {
        let (records, form) = try read(Array("1;2;3\n4;5;6\n".utf8), InputReading(delimiter: .semicolon))
        #expect(records.map(\.fields) == [["1", "2", "3"], ["4", "5", "6"]])
        #expect(form.delimiter == .semicolon && !form.delimiterFound && form.notice == nil)
        #expect(try read(Array("1;2;3\n".utf8)).0.map(\.fields) == [["1;2;3"]])
        #expect(try read(Array("UKPRN;A\n".utf8), InputReading(delimiter: .comma)).0.map(\.fields) == [["UKPRN;A"]])
    }

    @Test("the names a command line may give a delimiter and an encoding")
    func names() {
        #expect(["comma", ",", "Semicolon", ";", "TAB", "\\t", "\t"].map { Delimiter(named: $0) } == [
            .comma, .comma, .semicolon, .semicolon, .tab, .tab, .tab,
        ])
        #expect(Delimiter(named: "pipe") == nil)
        #expect(["utf-8", "UTF8", "windows-1252", "cp1252", "utf-16"].map { EncodingChoice(named: $0) } == [
            .utf8, .utf8, .windows1252, .windows1252, .utf16,
        ])
        #expect(EncodingChoice(named: "latin1") == nil)
    }

    @Test("Windows-1252 text is read as its UTF-8 and said so; the same text in UTF-8 is not")
    func windows1252Text() throws {
        let text = Self.header + "10000002,\"£5, café’s €\"\r\n"
        let utf8 = try read(Array(text.utf8))
        let (records, form) = try read(windows1252(text))
        #expect(records == utf8.0)
        #expect(records.last?.fields[1] == "£5, café’s €")
        #expect(form.encoding == .windows1252 && form.encodingGuessed)
        #expect(form.notice == "read as Windows-1252 text, as it is not UTF-8")
        #expect(utf8.1.encoding == .utf8 && utf8.1.notice == nil)
    }

    @Test("the whole file decides, even when its first byte above 0x7F is a chunk or more from its start")
    func wholeFile() throws {
        let filler = String(repeating: "10000001,plain\r\n", count: CSVReader.chunkSize / 16 + 10)
        // Windows-1252 after the first chunk.
        let late = try read(windows1252(Self.header + filler + "10000002,café\r\n"))
        #expect(late.0.last?.fields[1] == "café")
        #expect(late.1.encoding == .windows1252)
        // Mostly UTF-8, with a stray byte in the first chunk that holds any: stays UTF-8.
        let mixed =
            Array((Self.header + "10000002,x").utf8) + [0xA3]
            + Array(("\r\n" + filler + "10000003,café\r\n10000004,naïve\r\n").utf8)
        let (records, form) = try read(mixed)
        #expect(form.encoding == .utf8 && !form.encodingGuessed)
        #expect(records[2].fields[1] == "x\u{FFFD}")
        #expect(records.last?.fields[1] == "naïve")
    }

    @Test(
        "strays outnumbering UTF-8 characters, all defined in Windows-1252, make Windows-1252; anything else UTF-8",
        arguments: [
            ([0x41, 0xA3, 0x42], TextEncoding.windows1252),  // one stray
            ([0xC3, 0xA9, 0xE9, 0x41], .utf8),  // one character, one stray: mostly UTF-8
            ([0xE9, 0x41, 0xE9, 0x41, 0xC3, 0xA9], .windows1252),  // two strays, one character
            ([0xE9, 0x41, 0x81], .utf8),  // 0x81 is not Windows-1252
            ([0xE2, 0x82, 0xAC], .utf8),  // €
            ([0xED, 0xA0, 0x80], .windows1252),  // a surrogate is not UTF-8: three strays
            ([0xF0, 0x9F, 0x98], .windows1252),  // cut short at the end
        ] as [([UInt8], TextEncoding)])
    func tally(bytes: [UInt8], expected: TextEncoding) {
        var tally = EncodingTally()
        _ = bytes.withUnsafeBufferPointer { tally.add($0.baseAddress!, count: $0.count, final: true) }
        #expect(tally.encoding == expected)
    }

    @Test("a sequence cut by the end of a chunk is carried to the next")
    func tallyCarry() {
        var tally = EncodingTally()
        let kept = [0x41, 0xE2, 0x82].withUnsafeBufferPointer { tally.add($0.baseAddress!, count: 3, final: false) }
        #expect(kept == 2)
        _ = [0xE2, 0x82, 0xAC].withUnsafeBufferPointer { tally.add($0.baseAddress!, count: 3, final: true) }
        #expect(tally.characters == 1 && tally.strays == 0)
    }

    @Test("--encoding forces UTF-8 (strays stay findings), Windows-1252 or UTF-16 (little-endian without a mark)")
    func forcedEncoding() throws {
        let bytes = windows1252(Self.header + "10000002,café\r\n")
        let utf8 = try read(bytes, InputReading(encoding: .utf8))
        #expect(utf8.0.last?.fields[1] == "caf\u{FFFD}" && utf8.1.encoding == .utf8)
        let forced = try read(Array((Self.header + "10000002,é\r\n").utf8), InputReading(encoding: .windows1252))
        #expect(forced.0.last?.fields[1] == "Ã©" && forced.1.encoding == .windows1252 && forced.1.notice == nil)
        // UTF-16 with no NUL bytes to show it: little-endian.
        let chinese = InputEncodingTests.utf16("学生", bigEndian: false, mark: false)
        let utf16 = try read(chinese, InputReading(encoding: .utf16))
        #expect(utf16.0.map(\.fields) == [["学生"]] && utf16.1.encoding == .utf16LE)
        #expect(try read(chinese).1.encoding != .utf16LE)
    }

    @Test("gzip is read as the text it holds, in any encoding, its members one after another; the text's digest is recorded")
    func gzip() throws {
        let text = Self.header + "10000002,café\r\n"
        let directory = TemporaryDirectory()
        let plain = directory.file("plain", windows1252(text))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", "-n", plain]
        try gzip.run()
        gzip.waitUntilExit()
        let compressed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: plain + ".gz")))
        let (records, form) = try read(compressed)
        #expect(records == (try read(Array(text.utf8)).0))
        #expect(form.container == .gzip && form.encoding == .windows1252)
        #expect(form.textSize == windows1252(text).count)
        #expect(form.textSHA256?.count == 64)  // its value is checked end to end, against the text's own
        // Two members, as `cat a.gz b.gz` makes: one text.
        let twice = try read(compressed + compressed).0
        #expect(twice.count == 2 * records.count)
        // Damaged.
        var damaged = compressed
        damaged[20] ^= 0xFF
        #expect(throws: CSVSyntaxError.self) { try read(damaged) }
    }

    @Test("Excel's serial dates, 1900 system with its 29 February 1900, and the 1904 system")
    func dates() {
        #expect(ExcelValue.date(serial: 1, date1904: false) == "01/01/1900")
        #expect(ExcelValue.date(serial: 59, date1904: false) == "28/02/1900")
        #expect(ExcelValue.date(serial: 60, date1904: false) == "29/02/1900")
        #expect(ExcelValue.date(serial: 61, date1904: false) == "01/03/1900")
        #expect(ExcelValue.date(serial: 41_176.75, date1904: false) == "24/09/2012")
        #expect(ExcelValue.date(serial: 0, date1904: false) == nil)
        #expect(ExcelValue.date(serial: 39_714, date1904: true) == "24/09/2012")
    }

    @Test("numbers as Excel's General format shows them: 4, not 4.0; at most 15 significant digits")
    func numbers() {
        func general(_ text: String) -> String? { Array(text.utf8).withUnsafeBufferPointer { ExcelValue.general($0) } }
        #expect(general("4") == "4")
        #expect(general("4.0") == "4")
        #expect(general("12.5") == "12.5")
        #expect(general("0.30000000000000004") == "0.3")
        #expect(general("1683671681") == "1683671681")
        #expect(general("24.989999999999998") == "24.99")
        #expect(general("1E+20") == "1E+20")
        #expect(general("text") == nil)
    }

    @Test("Excel's escapes in text (_x000D_) become the characters; other underscores stay")
    func escapes() {
        #expect(ExcelValue.unescaped(Array("a_x000D_b_x005F_x0041_".utf8)[...]) == Array("a\rb_x0041_".utf8))
        #expect(ExcelValue.unescaped(Array("UG_FULLTIME".utf8)[...]) == nil)
        #expect(ExcelValue.unescaped(Array("_xZZZZ_".utf8)[...]) == nil)
    }

    @Test("a number format shows a date when it names a day or a year outside quotes, escapes and brackets")
    func dateFormats() {
        #expect(DateStyles.isDate(code: "dd/mm/yyyy"))
        #expect(DateStyles.isDate(code: "[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy"))
        #expect(DateStyles.isDate(code: "yyyy-mm-dd h:mm:ss"))
        #expect(!DateStyles.isDate(code: "0.00\"days\""))
        #expect(!DateStyles.isDate(code: "[Red]0;[Blue]\\d"))
        #expect(!DateStyles.isDate(code: "h:mm"))
        #expect(!DateStyles.isDate(code: "General"))
        #expect(DateStyles.builtInDates.contains(14) && !DateStyles.builtInDates.contains(20))
    }
}
