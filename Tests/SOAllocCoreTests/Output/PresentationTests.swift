import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

@Suite("Text for the workbook and the report")
struct PresentationTests {
    @Test("text XML allows is kept as it is", arguments: ["", "UKPRN 10000001", "tab\tline\nreturn\r", "£ – é ✓ 𝄞"])
    func kept(text: String) {
        #expect(Presentation.markupText(text) == text)
    }

    @Test("NUL shows as ␀, other control characters and U+FFFE/U+FFFF as U+FFFD")
    func replaced() {
        #expect(Presentation.markupText("a\u{0}b") == "a\u{2400}b")
        #expect(Presentation.markupText("\u{1}\u{8}\u{B}\u{C}\u{1F}") == String(repeating: "\u{FFFD}", count: 5))
        #expect(Presentation.markupText("x\u{FFFE}y\u{FFFF}") == "x\u{FFFD}y\u{FFFD}")
        #expect(Presentation.markupText("\u{20}\u{7F}") == "\u{20}\u{7F}")
    }

    @Test("whole numbers are grouped in thousands, with a prefix after any minus sign", arguments: [
        ("0", "", "0"), ("999", "", "999"), ("1000", "", "1,000"), ("1234567", "£", "£1,234,567"),
        ("-1234", "£", "-£1,234"), ("1234.5", "", "1,235"), ("-999", "", "-999"),
    ])
    func grouped(value: String, prefix: String, expected: String) {
        #expect(Decimal(string: value)!.grouped(prefix: prefix) == expected)
    }

    @Test("the provider is named by UKPRN, or as records of more than one")
    func provider() {
        func presentation(_ provider: String?) -> Presentation {
            let method = Method.standard()
            return Presentation(
                provider: provider, inputs: [], tally: Tally(), cells: CellTable(), method: method,
                allocations: try! Allocations(cells: CellTable(), method: method), hefce: HEFCESide(layout: .positional),
                options: ["out": "x", "strict": "false"])
        }
        #expect(presentation("10000001").provider == "UKPRN 10000001")
        #expect(presentation(nil).provider == "records of more than one UKPRN")
        #expect(presentation(nil).options.map(\.0) == ["strict"])
    }
}
