import Foundation

/// FHIR date, dateTime and instant values as points in time. A partial date (`2026`, `2026-03`)
/// stands for its first day; a time without zone is read as UTC. Pure; no Foundation formatters.
public enum ClinicalDate {
    public static func parse(_ text: String?) -> Date? {
        guard var text else { return nil }
        // On the string's own bytes: this runs for every dated property of every resource, and an array per
        // date was a third of its cost.
        return text.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        // Digits read by index, not through a slice's iterator: every fact date of every resource is read here, and
        // the slice loop was half of a date's 600 instructions.
        @inline(__always) func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            var index = from
            while index < from + count {
                let digit = bytes[index] &- 48
                guard digit < 10 else { return nil }
                value = value &* 10 &+ Int(digit)
                index &+= 1
            }
            return value
        }
        guard let year = number(0, 4) else { return nil }
        var month = 1
        var day = 1
        var hour = 0
        var minute = 0
        var second = 0.0
        var offset = 0
        if bytes.count >= 7 {
            guard bytes[4] == 45, let m = number(5, 2) else { return nil }
            month = m
        }
        if bytes.count >= 10 {
            guard bytes[7] == 45, let d = number(8, 2) else { return nil }
            day = d
        }
        if bytes.count > 10 {
            guard bytes[10] == 84, let h = number(11, 2), let mi = number(14, 2) else { return nil }
            hour = h
            minute = mi
            var index = 16
            if index < bytes.count, bytes[index] == 58, let s = number(17, 2) {
                second = Double(s)
                index = 19
                if index < bytes.count, bytes[index] == 46 {
                    var fraction = 0.0
                    var scale = 0.1
                    index += 1
                    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                        fraction += Double(bytes[index] - 48) * scale
                        scale /= 10
                        index += 1
                    }
                    second += fraction
                }
            }
            if index < bytes.count {
                if bytes[index] == 90 {
                    offset = 0
                } else if bytes[index] == 43 || bytes[index] == 45, let oh = number(index + 1, 2),
                    let om = number(index + 4, 2)
                {
                    offset = (oh * 60 + om) * 60 * (bytes[index] == 45 ? -1 : 1)
                } else {
                    return nil
                }
            }
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days) * 86400 + Double(hour * 3600 + minute * 60) + second - Double(offset)
        return Date(timeIntervalSince1970: seconds)
    }

    /// `YYYY-MM-DD` of a date (UTC).
    public static func day(_ date: Date) -> String {
        let (y, m, d) = civil(fromDays: Int((date.timeIntervalSince1970 / 86400).rounded(.down)))
        guard (0...9999).contains(y) else { return padded(y, 4) + "-" + padded(m, 2) + "-" + padded(d, 2) }
        // Written into the string's storage: joining five strings made each of them (the output stage writes a
        // date for every period, note and due date).
        return String(unsafeUninitializedCapacity: 10) { text in
            writeDay(year: y, month: m, day: d, into: text)
            return 10
        }
    }

    /// A non-negative number with leading zeros (Foundation's `String(format:)` costs more than the date).
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// `YYYY-MM-DDThh:mm:ssZ` of a date (UTC), whole seconds.
    public static func dateTime(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(total) / 86400).rounded(.down))
        let rest = total - days * 86400
        let (y, m, d) = civil(fromDays: days)
        guard (0...9999).contains(y) else {
            return day(date) + "T" + padded(rest / 3600, 2) + ":" + padded(rest % 3600 / 60, 2) + ":"
                + padded(rest % 60, 2) + "Z"
        }
        return String(unsafeUninitializedCapacity: 20) { text in
            writeDay(year: y, month: m, day: d, into: text)
            text[10] = UInt8(ascii: "T")
            writeDigits(rest / 3600, width: 2, into: text, at: 11)
            text[13] = UInt8(ascii: ":")
            writeDigits(rest % 3600 / 60, width: 2, into: text, at: 14)
            text[16] = UInt8(ascii: ":")
            writeDigits(rest % 60, width: 2, into: text, at: 17)
            text[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    /// `YYYY-MM-DD` into the first ten bytes (a year of 0 to 9999).
    private static func writeDay(year: Int, month: Int, day: Int, into text: UnsafeMutableBufferPointer<UInt8>) {
        writeDigits(year, width: 4, into: text, at: 0)
        text[4] = UInt8(ascii: "-")
        writeDigits(month, width: 2, into: text, at: 5)
        text[7] = UInt8(ascii: "-")
        writeDigits(day, width: 2, into: text, at: 8)
    }

    /// The last `width` decimal digits of a non-negative number, with leading zeros.
    private static func writeDigits(
        _ value: Int, width: Int, into text: UnsafeMutableBufferPointer<UInt8>, at start: Int
    ) {
        var rest = value
        for position in stride(from: start + width - 1, through: start, by: -1) {
            text[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    public static func weeks(from start: Date, to end: Date) -> Double { end.timeIntervalSince(start) / (7 * 86400) }

    public static func adding(days: Double, to date: Date) -> Date { date.addingTimeInterval(days * 86400) }

    /// Whole years from a birth date to now; nil when the birth date is not a date or is after now (a record whose
    /// dates were shifted into the future, as de-identified research extracts such as MIMIC's are: no age is
    /// better than a negative one in the plan's summary and in the age criteria).
    public static func age(birthDate: String, at now: Date) -> Int? {
        guard let birth = parse(birthDate), birth <= now else { return nil }
        let b = civil(fromDays: Int((birth.timeIntervalSince1970 / 86400).rounded(.down)))
        let n = civil(fromDays: Int((now.timeIntervalSince1970 / 86400).rounded(.down)))
        var years = n.0 - b.0
        if (n.1, n.2) < (b.1, b.2) { years -= 1 }
        return years
    }

    // Howard Hinnant's civil-from-days algorithms.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension ClinicalDate {
    /// The same day `months` calendar months later (clamped to the month's last day).
    public static func adding(months: Int, to date: Date) -> Date {
        let days = Int((date.timeIntervalSince1970 / 86400).rounded(.down))
        let seconds = date.timeIntervalSince1970 - Double(days) * 86400
        let (y, m, d) = civil(fromDays: days)
        let total = y * 12 + (m - 1) + months
        let year = total / 12
        let month = total % 12 + 1
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let newDays = daysFromCivil(year: year, month: month, day: min(d, lengths[month - 1]))
        return Date(timeIntervalSince1970: Double(newDays) * 86400 + seconds)
    }
}

/// A number as the explanation writes it: whole numbers without a decimal point, others with one.
public func format(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
}
