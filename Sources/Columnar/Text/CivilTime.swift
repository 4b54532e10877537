/// Calendar arithmetic on the proleptic Gregorian calendar, in integers (no Foundation, no time zones).
public enum CivilTime {
    /// Year, month (1-12) and day (1-31) of `days` since 1970-01-01; total over every `Int64`.
    public static func date(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        // Howard Hinnant's civil_from_days. The 400-year era is split off before the epoch shift, so values near
        // Int64.min / Int64.max (from a corrupt file or a computed value) cannot overflow.
        let (era0, r) = floorDivMod(days, 146_097)
        let (carry, doe) = floorDivMod(r + 719_468, 146_097)
        let era = era0 + carry
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, Int(m), Int(d))
    }

    /// Days since 1970-01-01 of a calendar date, or nil when month/day are out of range or the day count
    /// does not fit an `Int64` (years beyond about ±25 quadrillion).
    public static func days(year: Int64, month: Int, day: Int) -> Int64? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        if year.magnitude < 1 << 50 { return Int64(daysSinceEpoch(year: year, month: month, day: day)) }
        // The year is untrusted: near the ends of Int64 the intermediate terms need more bits even when
        // the result fits.
        return Int64(exactly: daysSinceEpoch(year: Int128(year), month: month, day: day))
    }

    @inline(__always)
    static func daysSinceEpoch<T: FixedWidthInteger & SignedInteger>(year: T, month: Int, day: Int) -> T {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = T(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + T(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Number of days in a month of a year.
    public static func daysInMonth(year: Int64, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Floor division and non-negative remainder.
    @inlinable
    public static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }
}

/// Appends the decimal digits of `value`, zero-padded to at least `width` (a negative value, which only a
/// corrupt or out-of-range input produces, gets a leading `-` rather than trapping).
@usableFromInline
func appendDigits(_ value: Int64, width: Int, to out: inout [UInt8]) {
    if value < 0 { out.append(UInt8(ascii: "-")) }
    var v = value.magnitude
    var count = 1
    var t = v
    while t >= 10 { t /= 10; count += 1 }
    if count < width { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - count)) }
    out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
    var k = out.count - 1
    repeat {
        out[k] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
        v /= 10
        k -= 1
    } while v != 0
}

extension CivilTime {
    /// Appends `YYYY-MM-DD` (years outside 0...9999 get more digits, and a sign when negative).
    public static func appendDate(days: Int64, to out: inout [UInt8]) {
        let (y, m, d) = date(fromDays: days)
        if y < 0 || y > 9999 {
            // Years past 9999 print all their digits (as Python and pyarrow do); negative years get a sign.
            out.append(contentsOf: Array(String(y).utf8))
        } else {
            appendDigits(y, width: 4, to: &out)
        }
        out.append(UInt8(ascii: "-"))
        appendDigits(Int64(m), width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int64(d), width: 2, to: &out)
    }

    /// Appends `HH:MM:SS.ffffff` (9 fraction digits for nanoseconds) for a time of day `value` in `unit`.
    public static func appendTimeOfDay(_ value: Int64, unit: TimeUnit, to out: inout [UInt8]) {
        let (secs, frac) = floorDivMod(value, unit.perSecond)
        appendDigits(secs / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secs / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secs % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        switch unit {
        case .millisecond: appendDigits(frac * 1000, width: 6, to: &out)
        case .microsecond: appendDigits(frac, width: 6, to: &out)
        case .nanosecond: appendDigits(frac, width: 9, to: &out)
        }
    }

    /// Appends ISO 8601 `YYYY-MM-DDTHH:MM:SS.ffffff` plus `Z` when `utc`.
    public static func appendTimestamp(_ value: Int64, unit: TimeUnit, utc: Bool, to out: inout [UInt8]) {
        let perDay = 86_400 * unit.perSecond
        let (days, inDay) = floorDivMod(value, perDay)
        appendDate(days: days, to: &out)
        out.append(UInt8(ascii: "T"))
        appendTimeOfDay(inDay, unit: unit, to: &out)
        if utc { out.append(UInt8(ascii: "Z")) }
    }
}
