import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("CSV outputs: text from an input never runs as a formula")
struct CSVOutputTests {
    /// The bytes `write` puts in a CSV.
    func written(_ write: (CSVOutput) throws -> Void) throws -> String {
        let directory = TemporaryDirectory()
        let path = directory.file("out.csv", "")
        let output = try CSVOutput(path: path)
        try write(output)
        try output.finish()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test("text from an input that begins with =, +, -, @, a tab or a CR gets a leading quote; other text does not")
    func inputText() throws {
        let cells = [
            "=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx",
            "AB1", "1=1", "'=x", "",
        ]
        let text = try written { output in
            for cell in cells { try Array(cell.utf8).withUnsafeBufferPointer { try output.textField($0) } }
            try output.endRow()
            for cell in cells { try output.textField(cell) }
            try output.endRow()
        }
        let expected =
            #""'=HYPERLINK(""http://x"",""y"")",'+1,'-1,'-2+3+cmd|' /C calc'!A0,'@SUM(A1),'"# + "\t" + #"x,"'"#
            + "\r" + #"x",AB1,1=1,'=x,"#
        #expect(text == expected + "\n" + expected + "\n")
    }

    @Test("text that is not UTF-8, or holds NUL, is both made text and guarded")
    func notUTF8() throws {
        let text = try written { output in
            try [0x3D, 0xFF, 0x00].withUnsafeBufferPointer { try output.textField($0) }
            try output.endRow()
        }
        #expect(text == "'=\u{FFFD}\u{2400}\n")
    }

    @Test("numbers soalloc writes are never changed; in its own tables a name that starts a formula is guarded")
    func numbers() throws {
        let text = try written { output in
            try output.field(Int64(-148))
            try output.field("-0.50")
            try output.endRow()
            try output.row(["-12", "-0.50", "+3", "-", "=1+1", "@x", "- 1", "1-2"])
        }
        #expect(text == "-148,-0.50\n-12,-0.50,+3,'-,'=1+1,'@x,'- 1,1-2\n")
    }
}
