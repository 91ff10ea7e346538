import Testing

@testable import SOAllocCore
@testable import SOAllocRules

private func parse(_ text: String, _ parser: (UnsafeBufferPointer<UInt8>) -> Parsed) -> Parsed {
    var text = text
    return text.withUTF8 { parser($0) }
}

private func code(_ text: String) -> Int64 {
    var text = text
    return text.withUTF8 { FieldParsing.numericCode($0) }
}

@Suite("Reading values (rulings R3, R4, R6)")
struct FieldParsingTests {
    @Test("dates in dd/mm/yyyy, d/m/yyyy and yyyy-mm-dd", arguments: [
        ("01/09/2012", 2012_09_01), ("1/9/2012", 2012_09_01), ("31/08/2012", 2012_08_31), ("2014-08-01", 2014_08_01),
        ("29/02/2016", 2016_02_29), ("29/02/2000", 2000_02_29), ("31/12/1999", 1999_12_31),
    ])
    func validDates(text: String, date: Int64) {
        #expect(parse(text, FieldParsing.date(_:)) == Parsed(date))
    }

    @Test("impossible or unreadable dates are missing and invalid", arguments: [
        "31/02/2014", "29/02/2015", "29/02/1900", "2014-13-01", "2014-1-01", "01/09/14", "001/09/2014",
        "01-09-2014", "2014/09/01", "01/09/2014 00:00", "unknown", "0/1/2014", "32/01/2014", "01/00/2014",
        "1/1/0000", "01/09-2014",
    ])
    func invalidDates(text: String) {
        #expect(parse(text, FieldParsing.date(_:)) == .invalid)
    }

    @Test("an empty date is missing, not invalid")
    func emptyDate() {
        #expect(parse("", FieldParsing.date(_:)) == Parsed(Value.missing))
    }

    @Test("decimals in millionths, digits beyond six places dropped", arguments: [
        ("50", 50_000_000), ("37.5", 37_500_000), ("24.999999", 24_999_999), ("24.9999995", 24_999_999),
        ("49.99999999999", 49_999_999), ("25.0000001", 25_000_000),
        ("+25", 25_000_000), ("-1", -1_000_000), (".5", 500_000), ("5.", 5_000_000), ("0", 0),
    ])
    func decimals(text: String, value: Int64) {
        #expect(parse(text, FieldParsing.decimal(_:)) == Parsed(value))
    }

    @Test("text that is not a decimal is invalid", arguments: ["n/a", "5e1", "1,5", "--1", ".", "1.2.3", "50%"])
    func invalidDecimals(text: String) {
        #expect(parse(text, FieldParsing.decimal(_:)) == .invalid)
    }

    @Test("a number too large to hold in millionths saturates, never wraps or traps", arguments: [
        ("9223372036855", false), ("-9223372036855", true), ("9999999999999", false), ("-9999999999999", true),
        ("99999999999999999999999999999999.5", false), ("9223372036854.775807", false),
    ])
    func hugeDecimals(text: String, negative: Bool) {
        let parsed = parse(text, FieldParsing.decimal(_:))
        #expect(parsed == Parsed(negative ? -FieldParsing.decimalSaturated : FieldParsing.decimalSaturated))
        #expect(Value.isKnown(parsed.value))
    }

    @Test("the largest number of 12 whole digits is held exactly")
    func largestHeld() {
        #expect(parse("999999999999.999999", FieldParsing.decimal(_:)) == Parsed(999_999_999_999_999_999))
        #expect(parse("-9223372036854", FieldParsing.decimal(_:)) == Parsed(-9_223_372_036_854_000_000))
    }

    @Test("HEFESFTE outside 0–100, empty or not a number counts as 0 and is invalid (ruling R6)", arguments: [
        ("-100", true), ("1000000", true), ("100.000001", true), ("9999999999999", true), ("-0.000001", true),
        ("100.0000001", true), ("100.00000000000000000000000000000000001", true), ("-0.0000001", true),
        ("-0.00000000000000000001", true), ("", false), ("n/a", false),
    ])
    func fteCountsAsZero(text: String, isNumber: Bool) {
        #expect(parse(text, FieldParsing.fte(_:)) == Parsed(0, valid: false))
        var copy = text
        #expect(copy.withUTF8 { FieldParsing.isOutOfRangeNumber($0) } == isNumber)
    }

    @Test("HEFESFTE from 0 to 100 is read as written", arguments: [
        ("0", 0), ("100", 100_000_000), ("37.5", 37_500_000), ("100.0000000000", 100_000_000), ("-0", 0),
        ("-0.0000000", 0), ("0.0000001", 0), ("99.9999999", 99_999_999),
    ])
    func fteInRange(text: String, value: Int64) {
        #expect(parse(text, FieldParsing.fte(_:)) == Parsed(value))
    }

    @Test("all-digit codes compare as numbers (ruling R3)")
    func numericCodes() {
        #expect(code("04") == 4)
        #expect(code("4") == 4)
        #expect(code("0000") == 0)
        #expect(code("") == Value.missing)
        #expect(code("4a") == Value.other)
        #expect(code(" 4") == Value.other)
        #expect(code("-4") == Value.other)
        #expect(code("0000000000000000000000000031") == 31)
        #expect(code("9999999999999999999") == Value.other)
    }

    @Test("full years (ruling R5), with 29 February birthdays on 1 March in non-leap years")
    func fullYears() {
        #expect(Dates.fullYears(from: 1993_09_15, to: 2014_09_14) == 20)
        #expect(Dates.fullYears(from: 1993_09_15, to: 2014_09_15) == 21)
        #expect(Dates.fullYears(from: 1996_02_29, to: 2017_02_28) == 20)
        #expect(Dates.fullYears(from: 1996_02_29, to: 2017_03_01) == 21)
        #expect(Dates.fullYears(from: 1996_02_29, to: 2016_02_29) == 20)
        #expect(Dates.fullYears(from: 1996_02_29, to: 2016_02_28) == 19)
        #expect(Dates.fullYears(from: 1984_08_31, to: 2014_08_31) == 30)
        #expect(Dates.fullYears(from: 1984_09_01, to: 2014_08_31) == 29)
    }

    @Test("codes are interned case-insensitively")
    func vocabulary() {
        var text = "pgt_ugf"
        #expect(text.withUTF8 { Vocabulary.heflevel.value(of: $0) } == Vocabulary.heflevel.index(of: "PGT_UGF"))
        text = "PGT_UGFX"
        #expect(text.withUTF8 { Vocabulary.heflevel.value(of: $0) } == Value.other)
        text = String(repeating: "A", count: 40)
        #expect(text.withUTF8 { Vocabulary.heflevel.value(of: $0) } == Value.other)
        text = ""
        #expect(text.withUTF8 { Vocabulary.heflevel.value(of: $0) } == Value.missing)
    }
}
