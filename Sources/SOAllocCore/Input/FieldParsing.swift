import SOAllocRules

/// Parsers from a field's bytes to the integer a rule compares (rulings R3, R4, R6).
///
/// Every value is an `Int64`; `Value.missing` stands for an empty field and
/// `Value.other` for text that is not a listed code. None of these allocates.
public enum FieldParsing {
    /// What is wrong with a field's text, if anything.
    public enum TextQuality: Sendable { case plain, nul, notUTF8 }

    public static func quality(of field: UnsafeBufferPointer<UInt8>) -> TextQuality {
        if field.contains(0) { return .nul }
        if field.allSatisfy({ $0 < 0x80 }) { return .plain }
        return String(validating: field, as: UTF8.self) == nil ? .notUTF8 : .plain
    }

    /// A field's text for an output: as written when it is UTF-8 without NUL;
    /// otherwise with invalid bytes as U+FFFD and NUL as U+2400.
    public static func displayText(_ field: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: field, as: UTF8.self)
        return field.contains(0) ? text.replacing("\u{0}", with: "\u{2400}") : text
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// A code compared as a number when it is all digits (ruling R3: `04` = `4`).
    /// Empty is `Value.missing`; anything else is `Value.other`.
    public static func numericCode(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64 {
        if bytes.isEmpty { return Value.missing }
        var value: Int64 = 0
        var significant = 0
        for byte in bytes {
            guard isDigit(byte) else { return Value.other }
            if value != 0 || byte != 0x30 { significant += 1 }
            if significant > 18 { return Value.other }
            value = value &* 10 &+ Int64(byte &- 0x30)
        }
        return value
    }

    /// The value `integer` gives a whole number too long for 18 digits.
    public static let saturated: Int64 = 999_999_999_999_999_999

    /// A non-negative whole number written with digits only (tariff points,
    /// quintiles). One of more than 18 significant digits is `saturated`, so
    /// that a cap still applies to it.
    public static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Parsed {
        if bytes.isEmpty { return Parsed(Value.missing) }
        guard bytes.allSatisfy(isDigit) else { return .invalid }
        let value = numericCode(bytes)
        return Parsed(value == Value.other ? saturated : value)
    }

    /// A date as `yyyymmdd` (ruling R4): `dd/mm/yyyy`, `d/m/yyyy` or `yyyy-mm-dd`.
    /// Empty is missing; an impossible or unreadable date is missing and invalid.
    public static func date(_ bytes: UnsafeBufferPointer<UInt8>) -> Parsed {
        if bytes.isEmpty { return Parsed(Value.missing) }
        var parts: (Int, Int, Int) = (0, 0, 0)
        var digits: (Int, Int, Int) = (0, 0, 0)
        var part = 0
        var separator: UInt8 = 0
        for byte in bytes {
            if isDigit(byte) {
                let digit = Int(byte &- 0x30)
                switch part {
                case 0: parts.0 = parts.0 * 10 + digit; digits.0 += 1
                case 1: parts.1 = parts.1 * 10 + digit; digits.1 += 1
                default: parts.2 = parts.2 * 10 + digit; digits.2 += 1
                }
                if digits.0 > 4 || digits.1 > 2 || digits.2 > 4 { return .invalid }
            } else if (byte == 0x2F || byte == 0x2D) && part < 2 && (separator == 0 || separator == byte) {
                separator = byte
                part += 1
            } else {
                return .invalid
            }
        }
        guard part == 2 else { return .invalid }
        let year: Int
        let month: Int
        let day: Int
        if separator == 0x2F {  // d/m/yyyy or dd/mm/yyyy
            guard (1...2).contains(digits.0), (1...2).contains(digits.1), digits.2 == 4 else { return .invalid }
            (day, month, year) = parts
        } else {  // yyyy-mm-dd
            guard digits.0 == 4, digits.1 == 2, digits.2 == 2 else { return .invalid }
            (year, month, day) = parts
        }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= Dates.days(inMonth: month, of: year) else {
            return .invalid
        }
        return Parsed(Int64(year * 10_000 + month * 100 + day))
    }

    /// HEFESFTE (ruling R6): a percentage from 0 to 100. Empty, non-numeric
    /// or out-of-range text counts as 0 and is invalid, so that it is
    /// reported and no rule, cell or sum ever sees it.
    public static func fte(_ bytes: UnsafeBufferPointer<UInt8>) -> Parsed {
        let parsed = decimal(bytes)
        guard parsed.isValid, isWithinFTERange(parsed, bytes) else { return Parsed(0, valid: false) }
        return parsed
    }

    /// Whether text HEFESFTE could not use is a number outside `fteRange`
    /// (rather than empty or not a number).
    public static func isOutOfRangeNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let parsed = decimal(bytes)
        return parsed.isValid && parsed.value != Value.missing && !isWithinFTERange(parsed, bytes)
    }

    /// Whether the number the text writes lies in 0–100, every digit counted:
    /// `decimal` keeps six places, so 100.0000001 reads as 100 and -0.0000001
    /// as 0, but neither is in the range.
    private static func isWithinFTERange(_ parsed: Parsed, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard Value.fteRange.contains(parsed.value) else { return false }
        guard parsed.value == 0 || parsed.value == Value.fteRange.upperBound else { return true }
        let beyondSixPlaces = hasDigitsBeyondSixPlaces(bytes)
        let negative = bytes.first == 0x2D
        return parsed.value == 0 ? !(negative && beyondSixPlaces) : !beyondSixPlaces
    }

    /// Whether a decimal's text has a digit other than 0 after its sixth decimal place.
    private static func hasDigitsBeyondSixPlaces(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let point = bytes.firstIndex(of: 0x2E) else { return false }
        return bytes[(point + 1)...].dropFirst(6).contains { isDigit($0) && $0 != 0x30 }
    }

    /// The magnitude `decimal` gives a number too large to hold in
    /// millionths (13 or more whole digits): out of every range a rule
    /// checks, and distinct from `Value.missing` and `Value.other` when negative.
    public static let decimalSaturated: Int64 = .max - 1

    /// A decimal number (`50`, `37.5`, `-1`, `.5`) in millionths; digits
    /// beyond six places are dropped, so that a comparison with a threshold of
    /// at most six places (`HEFESFTE ≥ 50`) gives what the exact number would:
    /// 49.9999999 stays below 50. Empty is missing; other text is invalid (ruling R6).
    /// A number too large to hold is `±decimalSaturated`, never a wrap: every
    /// step is checked arithmetic.
    public static func decimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Parsed {
        if bytes.isEmpty { return Parsed(Value.missing) }
        var index = 0
        var negative = false
        if bytes[0] == 0x2D || bytes[0] == 0x2B {
            negative = bytes[0] == 0x2D
            index = 1
        }
        var whole: Int64 = 0
        var tooLarge = false
        var fraction: Int64 = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if isDigit(byte) {
                sawDigit = true
                let digit = Int64(byte &- 0x30)
                if sawPoint {
                    if fractionDigits < 6 {
                        fraction = fraction * 10 + digit
                        fractionDigits += 1
                    }
                } else if !tooLarge {
                    let (tens, overflowTens) = whole.multipliedReportingOverflow(by: 10)
                    let (next, overflowSum) = tens.addingReportingOverflow(digit)
                    if overflowTens || overflowSum { tooLarge = true } else { whole = next }
                }
            } else if byte == 0x2E && !sawPoint {
                sawPoint = true
            } else {
                return .invalid
            }
        }
        guard sawDigit else { return .invalid }
        while fractionDigits < 6 {
            fraction *= 10
            fractionDigits += 1
        }
        let (scaled, overflowScale) = whole.multipliedReportingOverflow(by: Value.decimalScale)
        let (value, overflowSum) = scaled.addingReportingOverflow(fraction)
        if tooLarge || overflowScale || overflowSum || value > decimalSaturated {
            return Parsed(negative ? -decimalSaturated : decimalSaturated)
        }
        return Parsed(negative ? -value : value)
    }
}
