import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

/// `body`'s result for the bytes of `text`, as text.
private func apply(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> [UInt8]) -> String {
    var text = text
    return String(decoding: text.withUTF8 { body($0) }, as: UTF8.self)
}

private extension Pseudonyms {
    func identifier(_ field: String, _ value: String) -> String { apply(value) { identifier(field, $0) } }
    func uln(_ value: String) -> String { apply(value) { uln($0) } }
    func postcode(_ value: String) -> String { apply(value) { postcode($0) } }
    func stubid(_ value: String) -> String { apply(value) { stubid($0) } }
}

private let alphanumerics = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

/// Whether `text` is ten digits, the first not zero: the shape of a ULN.
private func isULN(_ text: String) -> Bool {
    text.count == 10 && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber) && text.first != "0"
}

@Suite("Day numbers of dates")
struct AnonymiseDatesTests {
    /// Days from 1 January 1970, as Python's `datetime.date(...) - datetime.date(1970, 1, 1)` gives them.
    @Test("known dates have the day numbers Python's datetime gives", arguments: [
        (1970_01_01 as Int64, 0), (1969_12_31, -1), (2014_08_31, 16_313), (2012_09_01, 15_584),
        (2000_02_29, 11_016), (1900_02_28, -25_509), (1900_03_01, -25_508), (2100_02_28, 47_540),
        (2100_03_01, 47_541), (1600_02_29, -135_081), (0001_01_01, -719_162), (9999_12_31, 2_932_896),
    ])
    func known(date: Int64, day: Int) {
        #expect(Dates.dayNumber(date) == day)
        #expect(Dates.date(dayNumber: day) == date)
    }

    @Test("29 February follows 28 February in 2000 and 1600, but not in 1900 or 2100")
    func leapDays() {
        #expect(Dates.date(dayNumber: Dates.dayNumber(2000_02_28) + 1) == 2000_02_29)
        #expect(Dates.date(dayNumber: Dates.dayNumber(2000_02_28) + 2) == 2000_03_01)
        #expect(Dates.date(dayNumber: Dates.dayNumber(1600_02_28) + 1) == 1600_02_29)
        #expect(Dates.date(dayNumber: Dates.dayNumber(1900_02_28) + 1) == 1900_03_01)
        #expect(Dates.date(dayNumber: Dates.dayNumber(2100_02_28) + 1) == 2100_03_01)
        #expect(Dates.date(dayNumber: Dates.dayNumber(1996_02_28) + 1) == 1996_02_29)
        #expect(Dates.dayNumber(2001_03_01) - Dates.dayNumber(2000_03_01) == 365)
        #expect(Dates.dayNumber(2000_03_01) - Dates.dayNumber(1999_03_01) == 366)
        #expect(Dates.dayNumber(1900_03_01) - Dates.dayNumber(1899_03_01) == 365)
        #expect(Dates.dayNumber(2100_03_01) - Dates.dayNumber(2099_03_01) == 365)
    }

    /// The calendar day after `date`, counted by hand from the month lengths.
    private static func next(_ date: Int64) -> Int64 {
        let (year, month, day) = (Int(date / 10_000), Int(date / 100 % 100), Int(date % 100))
        if day < Dates.days(inMonth: month, of: year) { return date + 1 }
        if month < 12 { return Int64(year * 10_000 + (month + 1) * 100 + 1) }
        return Int64((year + 1) * 10_000 + 101)
    }

    @Test("every day from 1 January 1 to 31 December 9999 has the next day number, and the day numbers come back")
    func everyDay() {
        var date: Int64 = 0001_01_01
        var day = Dates.dayNumber(date)
        var failures = 0
        while date <= 9999_12_31 {
            if Dates.dayNumber(date) != day || Dates.date(dayNumber: day) != date {
                failures += 1
                if failures <= 5 { Issue.record("\(date) and day \(day) do not agree") }
            }
            date = Self.next(date)
            day += 1
        }
        #expect(failures == 0)
        #expect(day == 2_932_897)
    }

    /// `yyyymmdd` has no room for years before 1, and no date reads as one (`FieldParsing.date`).
    @Test("day numbers of dates go there and back over years 1 to 9999, both sides of 1970")
    func roundTrip() {
        for day in Array(stride(from: -719_162, through: 2_932_896, by: 997)) + [2_932_896] {
            let date = Dates.date(dayNumber: day)
            #expect(Dates.dayNumber(date) == day, "day \(day) is \(date)")
        }
    }

    @Test("dates are written dd/mm/yyyy and yyyy-mm-dd", arguments: [
        (2014_08_31 as Int64, "31/08/2014", "2014-08-31"), (2000_02_29, "29/02/2000", "2000-02-29"),
        (1996_01_05, "05/01/1996", "1996-01-05"), (0001_01_01, "01/01/0001", "0001-01-01"),
        (9999_12_31, "31/12/9999", "9999-12-31"),
    ])
    func formats(date: Int64, british: String, iso: String) {
        #expect(Dates.format(date) == british)
        #expect(Dates.formatISO(date) == iso)
        // What is written reads back as the same date.
        var text = iso
        #expect(text.withUTF8 { FieldParsing.date($0) } == Parsed(date))
    }
}

@Suite("Keyed pseudonyms")
struct PseudonymsTests {
    let pseudonyms = Pseudonyms(.random())

    @Test("the same key and value give the same pseudonym, from the same key value too")
    func deterministic() {
        let key = PseudonymKey.random()
        let (first, second) = (Pseudonyms(key), Pseudonyms(key))
        for value in ["YG0000001", "1000020", "HYG000000101", "a", "LEARNER WITH A LONG REFERENCE 123456789"] {
            #expect(first.identifier("LEARNREFNUMBER", value) == second.identifier("LEARNREFNUMBER", value))
            #expect(first.identifier("LEARNREFNUMBER", value) == first.identifier("LEARNREFNUMBER", value))
        }
        #expect(first.uln("1683671681") == second.uln("1683671681"))
        #expect(first.uln("not a ULN") == second.uln("not a ULN"))
        #expect(first.postcode("S17 6YB") == second.postcode("S17 6YB"))
    }

    @Test("different keys give different pseudonyms")
    func keysDiffer() {
        let other = Pseudonyms(.random())
        for value in ["YG0000001", "1000020", "1"] {
            #expect(pseudonyms.identifier("LEARNREFNUMBER", value) != other.identifier("LEARNREFNUMBER", value))
        }
        #expect(pseudonyms.uln("1683671681") != other.uln("1683671681"))
        #expect(pseudonyms.uln("not a ULN") != other.uln("not a ULN"))
        #expect(pseudonyms.postcode("S17 6YB") != other.postcode("S17 6YB"))
    }

    @Test("the same value gives different pseudonyms in different fields, and different values differ")
    func fieldsDiffer() {
        let fields = ["LEARNREFNUMBER", "NUMHUS", "STUBID"]
        for value in ["1000020", "YG0000001"] {
            let all = fields.map { pseudonyms.identifier($0, value) }
            #expect(Set(all).count == fields.count, "\(all)")
        }
        #expect(pseudonyms.identifier("STUBID", "1000020") != pseudonyms.identifier("STUBID", "1000021"))
        #expect(pseudonyms.identifier("STUBID", "1000020") != pseudonyms.identifier("STUBID", "01000020"))
    }

    @Test("an identifier's pseudonym is as long as the value but 12 to 32 characters", arguments: [
        (1, 12), (5, 12), (11, 12), (12, 12), (13, 13), (20, 20), (31, 31), (32, 32), (33, 32), (100, 32),
    ])
    func identifierLength(length: Int, expected: Int) {
        let value = String(repeating: "7", count: length)
        let pseudonym = pseudonyms.identifier("LEARNREFNUMBER", value)
        #expect(pseudonym.count == expected)
        #expect(pseudonym.allSatisfy(alphanumerics.contains), "\(pseudonym)")
        #expect(pseudonym != value)
    }

    @Test("length is counted in bytes: 7 two-byte letters give 14 characters")
    func identifierLengthInBytes() {
        #expect(pseudonyms.identifier("LEARNREFNUMBER", "ÉÉÉÉÉÉÉ").count == 14)
    }

    @Test("identifiers use upper-case letters and digits, every one of them, and rarely repeat")
    func identifierAlphabet() {
        let values = (0..<2_000).map { pseudonyms.identifier("STUBID", String($0)) }
        let characters = Set(values.joined())
        #expect(characters == alphanumerics)
        #expect(Set(values).count == values.count)
    }

    @Test("empty stays empty")
    func empty() {
        for field in ["LEARNREFNUMBER", "NUMHUS", "STUBID"] { #expect(pseudonyms.identifier(field, "") == "") }
        #expect(pseudonyms.uln("") == "")
        #expect(pseudonyms.postcode("") == "")
        #expect(pseudonyms.postcode("   ") == "")
    }

    @Test("a ULN's pseudonym is ten digits, not starting with 0, and 20,000 ULNs keep 20,000 distinct pseudonyms")
    func ulnPermutation() {
        // A block of consecutive ULNs, and ULNs spread over the whole range.
        let ulns = Array(1_683_671_000..<1_683_681_000) + (0..<10_000).map { 1_000_000_000 + $0 * 899_999 + 17 }
        #expect(Set(ulns).count == 20_000)
        var seen = Set<String>()
        var bad: [String] = []
        var unchanged = 0
        for uln in ulns {
            let pseudonym = pseudonyms.uln(String(uln))
            if !isULN(pseudonym) { bad.append(pseudonym) }
            if pseudonym == String(uln) { unchanged += 1 }
            seen.insert(pseudonym)
        }
        #expect(bad.isEmpty, "\(bad.prefix(5))")
        #expect(seen.count == ulns.count)
        #expect(unchanged == 0)
    }

    @Test("text that is not a ULN still gives ten digits", arguments: [
        "ABC", "123", "123456789", "12345678901", "12345 6789", "0123456789", "0000000000", "1683671681 ", "ULN",
    ])
    func ulnOfOtherText(value: String) {
        let pseudonym = pseudonyms.uln(value)
        #expect(isULN(pseudonym), "\(value) gave \(pseudonym)")
    }

    @Test("a ULN from 0 is not put through the permutation, so it cannot take a real ULN's pseudonym")
    func ulnFromZero() throws {
        // Under this key, walking the permutation from 0168169406 reached 1683671683's pseudonym.
        let directory = TemporaryDirectory()
        let path = directory.file("fixed.key", "5b0e6a1f3c9d2e7b8a4f6c1d0e9b3a7c2f5e8d1b4a6c9e0f3d7b2a5c8e1f4d6b\n")
        let fixed = Pseudonyms(try #require(try PseudonymKey.read(path)))
        #expect(fixed.uln("0168169406") != fixed.uln("1683671683"))
        #expect(isULN(fixed.uln("0168169406")))
    }

    @Test("a STUBID of digits is pseudonymised as the number the duplicate check reads")
    func stubidAsNumber() {
        #expect(pseudonyms.stubid("0900001") == pseudonyms.stubid("900001"))
        #expect(pseudonyms.stubid("900001") == pseudonyms.identifier("STUBID", "900001"))
        #expect(pseudonyms.stubid("900001") != pseudonyms.stubid("900002"))
        #expect(pseudonyms.stubid("S900001") == pseudonyms.identifier("STUBID", "S900001"))
        #expect(pseudonyms.stubid("") == "")
    }

    @Test("a postcode's pseudonym ignores case and spaces and is ZZ and fourteen letters or digits")
    func postcode() {
        let forms = ["AB1 2CD", "ab1 2cd", "AB12CD", "ab12cd", " AB1  2CD", "Ab1\t2cD"]
        let all = Set(forms.map { pseudonyms.postcode($0) })
        #expect(all.count == 1, "\(all)")
        let pseudonym = pseudonyms.postcode("AB1 2CD")
        #expect(pseudonym.hasPrefix("ZZ"))
        #expect(pseudonym.count == 16)
        #expect(pseudonym.allSatisfy(alphanumerics.contains))
        #expect(pseudonym != pseudonyms.postcode("AB1 2CE"))
    }

    @Test("choices stay below their bound")
    func choices() {
        for bound in [1, 2, 7, 366, 100_000] {
            for value in 0..<200 {
                let choice = pseudonyms.choice("DATEOFBIRTH", Array(String(value).utf8), below: bound)
                #expect((0..<bound).contains(choice))
            }
        }
    }
}

@Suite("Key files")
struct PseudonymsKeyFileTests {
    /// Pseudonyms of a few values under `key`, to compare keys by.
    private func sample(_ key: PseudonymKey) -> [String] {
        let pseudonyms = Pseudonyms(key)
        return ["YG0000001", "1000020"].map { pseudonyms.identifier("LEARNREFNUMBER", $0) }
            + [pseudonyms.uln("1683671681"), pseudonyms.postcode("S17 6YB")]
    }

    @Test("a new key is written readable by its owner only, with 64 hex digits, never over a file, and read back")
    func created() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/anonymise.key"
        #expect(try PseudonymKey.read(path) == nil)
        try PseudonymKey.checkCreatable(path)
        let first = PseudonymKey.random()
        try first.write(to: path)

        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.count == 65)
        #expect(text.hasSuffix("\n"))
        #expect(text.dropLast().allSatisfy { "0123456789abcdef".contains($0) }, "\(text)")

        let second = try #require(try PseudonymKey.read(path))
        #expect(sample(second) == sample(first))
        #expect(throws: Failure.self) { try PseudonymKey.random().write(to: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)

        // Another new key is another key.
        let other = PseudonymKey.random()
        try other.write(to: directory.path + "/other.key")
        #expect(sample(other) != sample(first))
        #expect(try String(contentsOfFile: directory.path + "/other.key", encoding: .utf8) != text)
    }

    @Test("a key file written by hand is read in either case, with or without a line end")
    func handWritten() throws {
        let directory = TemporaryDirectory()
        let digits = "00112233445566778899aabbccddeeff0123456789abcdef0f1e2d3c4b5a6978"
        let lower = directory.file("lower.key", digits + "\n")
        let upper = directory.file("upper.key", digits.uppercased())
        let crlf = directory.file("crlf.key", digits + "\r\n")
        let keys = try [lower, upper, crlf].map { try #require(try PseudonymKey.read($0)) }
        #expect(sample(keys[0]) == sample(keys[1]))
        #expect(sample(keys[0]) == sample(keys[2]))
        #expect(try String(contentsOfFile: upper, encoding: .utf8) == digits.uppercased())
    }

    @Test("a key file that does not hold 64 hex digits is a data error (exit 65) and is left as it was", arguments: [
        "", "\n", "not a key\n", String(repeating: "a", count: 63), String(repeating: "a", count: 65),
        String(repeating: "g", count: 64), String(repeating: "ab", count: 32) + " extra\n",
        String(repeating: "ab", count: 64) + "\n", "0x" + String(repeating: "a", count: 62),
    ])
    func badKeyFile(content: String) throws {
        let directory = TemporaryDirectory()
        let path = directory.file("bad.key", content)
        do {
            _ = try PseudonymKey.read(path)
            Issue.record("a key file holding \(content.debugDescription) was accepted")
        } catch let failure as Failure {
            #expect(failure.isData)
            guard case .data = failure else {
                Issue.record("expected a data error, got \(failure)")
                return
            }
            #expect(failure.description.hasPrefix(path), "\(failure)")
            #expect(failure.description.contains("64 hexadecimal digits"), "\(failure)")
        }
        #expect(FileManager.default.contents(atPath: path) == Data(content.utf8))
    }

    @Test("a key file that cannot be created is an error, and nothing is left")
    func cannotCreate() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/missing/folder/anonymise.key"
        #expect(throws: Failure.self) { try PseudonymKey.checkCreatable(path) }
        #expect(throws: Failure.self) { try PseudonymKey.random().write(to: path) }
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/missing"))
    }

    @Test("random keys differ")
    func randomKeys() {
        #expect(sample(.random()) != sample(.random()))
    }
}
