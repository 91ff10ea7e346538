import Foundation
import Testing

@testable import SOAllocCore
@testable import SOAllocRules

/// The failure reading `yaml` ends with, or nil when it reads.
private func failure(_ yaml: String) -> Failure? {
    do {
        _ = try Method(yaml: yaml, origin: "m.yaml")
        return nil
    } catch {
        return error as? Failure
    }
}

/// A small valid method, with `replace` applied to its text.
private func method(_ replace: (String) -> String = { $0 }) -> String {
    replace("""
        name: "test"
        elements:
          disability: { basis: headcount, rate: 100, weights: { DISALLOC: 1 } }
          widening_access: { basis: headcount, rate: null, weights: { WAPOP1_Q1: 2 } }
          retention: { basis: fte, rate: 10.5, weights: { Y_F_L: 1.5, M_O_H: 0.25 } }
        """)
}

@Suite("The method file")
struct MethodTests {
    @Test("the default method reads, with null rates and a weight of 1 for every cell of each population")
    func standard() throws {
        let method = Method.standard()
        #expect(method.name == "2016-17 targeted allocations, from 2014-15 ILR R14")
        #expect(method.origin == "default")
        for element in Element.all {
            #expect(method[element].rate.value == nil)
            #expect(method[element].rate.source?.contains("SO14 workbook") == true)
        }
        #expect(method[.disability].basis == .headcount)
        #expect(method[.disability].weights.keys.sorted() == [Cell.named("DISALLOC")!.index])
        #expect(method[.wideningAccess].weights.count == 18)
        #expect(method[.retention].basis == .fte)
        #expect(method[.retention].weights.count == 17)
        for element in Element.all {
            for weight in method[element].weights.values {
                #expect(weight.value == 1)
                #expect(weight.source?.hasPrefix("placeholder") == true)
            }
        }
        #expect(method.text.contains("£54m") && method.text.contains("£40m") && method.text.contains("£279m"))
    }

    @Test("numbers are exact decimals read from their text, plain or with a source")
    func numbers() throws {
        let read = try Method(yaml: method(), origin: "m.yaml")
        #expect(read[.disability].rate.value == Decimal(100))
        #expect(read[.wideningAccess].rate.value == nil)
        #expect(read[.retention].rate.value == Decimal(string: "10.5"))
        #expect(read[.retention].weight(Cell.named("Y_F_L")!) == Decimal(string: "1.5"))
        #expect(read[.retention].weight(Cell.named("M_O_H")!) == Decimal(string: "0.25"))
        #expect(read[.retention].weight(Cell.named("Y_F_M")!) == 0)

        let precise = try Method(
            yaml: method {
                $0.replacingOccurrences(
                    of: "rate: 10.5", with: "rate: { value: 0.1000000000000000055511151231257827, source: \"workbook\" }")
            }, origin: "m.yaml")
        #expect(precise[.retention].rate.value == Decimal(string: "0.1000000000000000055511151231257827"))
        #expect(precise[.retention].rate.source == "workbook")
    }

    @Test("an unknown cell, a negative weight, a bad basis or an unknown key is a usage error naming the key",
        arguments: [
            ("DISALLOC: 1 }", "DISPOP: 1, WAPOP1_Q1: 1 }",
                "m.yaml: line 3: elements.disability.weights.WAPOP1_Q1: not a cell of DISABILITY (its cells: DISPOP, DISALLOC)"),
            ("Y_F_L: 1.5", "Y_F_L: -1.5", "m.yaml: line 5: elements.retention.weights.Y_F_L: a weight cannot be negative"),
            ("basis: fte", "basis: students", "m.yaml: line 5: elements.retention.basis: 'students' is not a basis (headcount or fte)"),
            ("rate: 100", "rate: 1e2", "m.yaml: line 3: elements.disability.rate: '1e2' is not a decimal number"),
            ("rate: 100", "rate: -100", "m.yaml: line 3: elements.disability.rate: a rate cannot be negative"),
            ("rate: 100", "rate: £100",
                "m.yaml: line 3: elements.disability.rate: '£100' is not a plain number: write 100, without a currency sign or commas"),
            ("rate: 100", "rate: 1e2", "m.yaml: line 3: elements.disability.rate: '1e2' is not a decimal number"),
            ("name: \"test\"", "name: \"test\"\nweights: 1", "m.yaml: line 2: weights: unknown key (expected one of name, applies_to, source, elements, tariff)"),
            ("basis: headcount, rate: 100", "basis: headcount, rates: 100",
                "m.yaml: line 3: elements.disability.rates: unknown key (expected one of basis, rate, weights, source, minimum, proportion_bands)"),
            ("  retention: { basis: fte, rate: 10.5, weights: { Y_F_L: 1.5, M_O_H: 0.25 } }", "",
                "m.yaml: line 3: elements.retention: missing"),
            ("WAPOP1_Q1: 2", "WAPOP1_Q1: null", "m.yaml: line 4: elements.widening_access.weights.WAPOP1_Q1: a weight must be a number"),
            ("name: \"test\"\n", "", "m.yaml: line 1: name: missing"),
        ])
    func usageErrors(original: String, replacement: String, message: String) {
        let failure = failure(method { $0.replacingOccurrences(of: original, with: replacement) })
        #expect(failure?.isUsage == true)
        #expect(failure?.description == message)
    }

    @Test("a number of more than 38 significant digits is refused, not rounded", arguments: [
        "123456789012345678901234567890123456789", "0.123456789012345678901234567890123456789",
        "1234567890123456789012345678901234567.89",
    ])
    func tooManyDigits(number: String) {
        let failure = failure(method { $0.replacingOccurrences(of: "rate: 100", with: "rate: \(number)") })
        #expect(failure?.isUsage == true)
        #expect(failure?.description == "m.yaml: line 3: elements.disability.rate: '\(number)' has 39 significant digits; at most 38 can be held exactly")
    }

    @Test("38 significant digits, and zeros around them, are held exactly", arguments: [
        "12345678901234567890123456789012345678", "0.00012345678901234567890123456789012345678",
        "1234567890123456789012345678901234567800", "000000000000000000000000000000000000000001.5",
    ])
    func manyDigits(number: String) throws {
        let read = try Method(yaml: method { $0.replacingOccurrences(of: "rate: 100", with: "rate: \(number)") }, origin: "m")
        #expect(read[.disability].rate.value == Decimal(string: number)!)
        #expect(read[.disability].rate.value?.description == Decimal(string: number)!.description)
    }

    @Test("a duplicate key is one line naming the line and the key", arguments: [
        ("name: \"test\"\n", "name: \"test\"\nname: \"again\"\n", "m.yaml: line 2: duplicate key name"),
        ("  retention:", "  disability: { basis: headcount, rate: 1, weights: { DISALLOC: 1 } }\n  retention:",
            "m.yaml: line 5: duplicate key disability"),
        ("{ Y_F_L: 1.5,", "{ Y_F_L: 1.5, Y_F_L: 2,", "m.yaml: line 5: duplicate key Y_F_L"),
    ])
    func duplicateKey(original: String, replacement: String, message: String) {
        let failure = failure(method { $0.replacingOccurrences(of: original, with: replacement) })
        #expect(failure?.isUsage == true)
        #expect(failure?.description == message)
    }

    @Test("a large method file with a duplicate key gives one short line, not the file")
    func duplicateKeyInLargeFile() {
        let large = method() + "\n" + (0..<20_000).map { "# padding line \($0)" }.joined(separator: "\n") + "\nname: \"again\"\n"
        let failure = failure(large)
        #expect(failure?.description.hasPrefix("m.yaml: line ") == true)
        #expect(failure?.description.hasSuffix(": duplicate key name") == true)
        #expect((failure?.description.count ?? .max) < 100)
    }

    @Test("a key or value is shown on one line, short, with control characters escaped")
    func shownSafely() {
        let escape = failure(method { $0.replacingOccurrences(of: "basis: fte", with: "basis: \"\\e]0;PWNED\\a\\n\"") })
        #expect(escape?.description == "m.yaml: line 5: elements.retention.basis: '\\x1b]0;PWNED\\x07\\x0a' is not a basis (headcount or fte)")
        let long = failure(method { $0.replacingOccurrences(of: "rate: 100", with: "rate: \(String(repeating: "9", count: 5000))x") })
        #expect(long?.description == "m.yaml: line 3: elements.disability.rate: '\(String(repeating: "9", count: 60))…' is not a decimal number")
    }

    @Test("an alias as a key is refused before the YAML is read: aliases of aliases would take hours", arguments: [
        ("? *a8\n: 1\n", 11), ("*a8 : 1\n", 11), ("x: { *a8 : 1 }\n", 11),
    ])
    func aliasKeys(key: String, line: Int) {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 { text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        text += "name: \"x\"\n" + key
        let started = Date()
        let failure = failure(text)
        #expect(failure?.isUsage == true)
        #expect(failure?.description == "m.yaml: line \(line): an alias (*name) used as a key; a method file needs no aliases")
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("a star inside text is not an alias", arguments: ["source: \"*a: b\"", "source: 'rates * 2'", "source: see *note"])
    func starsInText(line: String) throws {
        _ = try Method(yaml: method { $0 + "\n" + line.replacingOccurrences(of: "source", with: "applies_to") }, origin: "m")
    }

    @Test("text that is not YAML is a data error with its line")
    func malformed() {
        let failure = failure("name: \"test\"\nelements:\n  disability: { basis: headcount\n")
        #expect(failure?.isData == true)
        #expect(failure?.description.hasPrefix("m.yaml: line ") == true)
    }

    @Test("the method's SHA-256 is of its exact text")
    func digest() throws {
        #expect(Method.standard().sha256.count == 64)
        #expect(
            try Method(yaml: method(), origin: "a").sha256 == (try Method(yaml: method(), origin: "b").sha256))
        #expect(
            try Method(yaml: method(), origin: "a").sha256
                != (try Method(yaml: method() + "\n# note\n", origin: "a").sha256))
    }
}
