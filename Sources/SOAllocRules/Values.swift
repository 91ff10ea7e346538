/// The values the rules compare: every field as an `Int64` (rulings R3, R4, R6).
public enum Value {
    /// An empty field, or a value treated as missing.
    public static let missing: Int64 = .min
    /// A value that is present but not one the rules list.
    public static let other: Int64 = .min + 1

    /// True when `value` is an actual value: neither missing nor other.
    @inline(__always)
    public static func isKnown(_ value: Int64) -> Bool { value > other }

    /// The scale of a parsed decimal: values are held in millionths.
    public static let decimalScale: Int64 = 1_000_000

    /// The values HEFESFTE may take, in millionths: 0 to 100 per cent (ruling R6).
    public static let fteRange: ClosedRange<Int64> = 0...(100 * decimalScale)
}

/// The result of parsing a field that may be invalid: the value the rules
/// use, and whether the text was valid (invalid text is reported).
public struct Parsed: Equatable, Sendable {
    public var value: Int64
    public var isValid: Bool

    @inline(__always)
    package init(_ value: Int64, valid: Bool = true) {
        self.value = value
        self.isValid = valid
    }

    package static let invalid = Parsed(Value.missing, valid: false)
}

/// Calendar arithmetic on `yyyymmdd` dates, without Foundation's calendars.
public enum Dates {
    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Full years from `birth` to `date`, both `yyyymmdd` (ruling R5): the
    /// difference of the years, less one when `date`'s (month, day) is before
    /// the birth's. Someone born on 29 February is a year older on 1 March in a
    /// non-leap year, because (3, 1) is not before (2, 29).
    @inline(__always)
    public static func fullYears(from birth: Int64, to date: Int64) -> Int64 {
        let years = date / 10_000 - birth / 10_000
        return date % 10_000 < birth % 10_000 ? years - 1 : years
    }

    /// The number of days from 1 January 1970 to `date` (`yyyymmdd`), negative
    /// before it: the proleptic Gregorian calendar's day count.
    public static func dayNumber(_ date: Int64) -> Int {
        var year = Int(date / 10_000)
        let month = Int(date / 100 % 100)
        let day = Int(date % 100)
        // Counted from 1 March, so that the leap day ends a year.
        if month <= 2 { year -= 1 }
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date (`yyyymmdd`) that is `dayNumber` days from 1 January 1970.
    public static func date(dayNumber: Int) -> Int64 {
        let days = dayNumber + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return Int64(year * 10_000 + month * 100 + day)
    }

    /// `yyyymmdd` as `dd/mm/yyyy`.
    public static func format(_ date: Int64) -> String {
        func padded(_ number: Int64, _ width: Int) -> String {
            let digits = String(number)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(date % 100, 2))/\(padded(date / 100 % 100, 2))/\(padded(date / 10_000, 4))"
    }

    /// `yyyymmdd` as `yyyy-mm-dd`.
    public static func formatISO(_ date: Int64) -> String {
        let text = format(date)
        return "\(text.suffix(4))-\(text.dropFirst(3).prefix(2))-\(text.prefix(2))"
    }

    /// `yyyymmdd` in the document's words: `1 September 2012`.
    public static func spell(_ date: Int64) -> String {
        let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        return "\(date % 100) \(months[Int(date / 100 % 100) - 1]) \(date / 10_000)"
    }
}
