import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("Text for the terminal: control bytes escaped")
struct TerminalTextTests {
    @Test("C0 controls, DEL, C1 controls, bidirectional overrides and bytes that are not UTF-8 are escaped")
    func escapes() {
        let bytes: [UInt8] = [0x1B, 0x5D, 0x30, 0x3B, 0x50, 0x07, 0x00, 0x7F, 0x0A, 0x0D, 0x09]
            + [0xC2, 0x9B] + [0xE2, 0x80, 0xAE] + [0xFF, 0xC3] + Array("é£ ok\\x".utf8)
        #expect(
            TerminalText.escape(bytes)
                == "\\x1b]0;P\\x07\\x00\\x7f\\x0a\\x0d\\x09\\u{9B}\\u{202E}\\xff\\xc3é£ ok\\x")
    }

    @Test("plain text, accents and other scripts are unchanged, and escaping twice changes nothing")
    func plain() {
        for text in ["SO14_F10000001.ind: line 2", "Zoë Brontë", "£1,234", "学生", "a\\x1b"] {
            #expect(TerminalText.escape(text) == text)
        }
        let once = TerminalText.escape("\u{1B}[31mred\u{9B}")
        #expect(once == "\\x1b[31mred\\u{9B}")
        #expect(TerminalText.escape(once) == once)
    }

    @Test("a failure's message is one line without control bytes, whatever the file held")
    func failures() {
        let error = DataError(Location(file: "x\u{1B}.ind", line: 2, record: 1), "found '\u{7}\n'")
        #expect(error.description == "x\\x1b.ind: line 2: record 1: found '\\x07\\x0a'")
        #expect(Failure.data(error).description == error.description)
        #expect(Failure.output("a\nb\u{1B}").description == "a\\x0ab\\x1b")
    }

    @Test("the layout message shows the first field escaped, invalid UTF-8 as \\xNN")
    func layoutMessage() throws {
        // 0x81: not UTF-8, nor Windows-1252, so the file is read as UTF-8.
        try forEachRecord(inFileHolding: [0x1B, 0x5D, 0x32, 0x07, 0x81, 0x2C, 0x78, 0x0A]) { record in
            #expect(throws: DataError.self) { try Layout.detect(from: record, file: "f.ind") }
            do {
                _ = try Layout.detect(from: record, file: "f.ind")
            } catch let error as DataError {
                #expect(error.description.hasSuffix("found 2 fields starting with '\\x1b]2\\x07\\x81'"))
            }
        }
    }

    @Test("the summary's lines are escaped")
    func lines() {
        #expect(TerminalText.lines(["a\u{1B}", "b\r"]) == "a\\x1b\nb\\x0d")
    }
}
