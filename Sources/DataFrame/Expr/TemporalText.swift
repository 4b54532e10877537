import Columnar

/// Parses dates and timestamps from UTF-8 bytes the way Spark's CAST does, without Foundation.
enum TemporalText {
    /// `yyyy`, `yyyy-[m]m`, `yyyy-[m]m-[d]d`, optionally followed by `T` or a space and anything
    /// (Spark ignores a time part when casting to date). Surrounding spaces are ignored.
    static func parseDate(_ b: UnsafeBufferPointer<UInt8>) -> Int32? {
        var i = 0
        let n = trimmedEnd(b)
        i = skipSpaces(b, i, n)
        guard let (days, next) = datePart(b, i, n) else { return nil }
        if next < n && b[next] != UInt8(ascii: "T") && b[next] != UInt8(ascii: " ") { return nil }
        return Int32(exactly: days)
    }

    /// `yyyy-[m]m-[d]d[(T| )[h]h:[m]m[:[s]s[.f{1,9}]]][Z|(+|-)hh[:mm]|UTC]`, or a date alone (midnight).
    /// Returns microseconds since the epoch (fractions beyond microseconds are truncated). For a UTC-adjusted
    /// `timestamp` (`utc`) a zone offset shifts the value to UTC; for `timestamp_ntz` the zone is accepted
    /// and ignored, keeping the wall-clock time written, as Spark's cast to TIMESTAMP_NTZ does.
    /// The one timestamp text parser: CAST, typed literals and the CSV/NDJSON readers all use it.
    static func parseTimestamp(_ b: UnsafeBufferPointer<UInt8>, utc: Bool = true) -> Int64? {
        let n = trimmedEnd(b)
        var i = skipSpaces(b, 0, n)
        guard let (days, next) = datePart(b, i, n) else { return nil }
        i = next
        var micros: Int64 = 0
        if i < n && (b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ")) {
            i += 1
            guard let (h, a) = digits(b, i, n, max: 2), h < 24, a < n, b[a] == UInt8(ascii: ":") else { return nil }
            guard let (m, c) = digits(b, a + 1, n, max: 2), m < 60 else { return nil }
            i = c
            var s: Int64 = 0
            if i < n && b[i] == UInt8(ascii: ":") {
                guard let (sec, d) = digits(b, i + 1, n, max: 2), sec < 60 else { return nil }
                s = sec
                i = d
            }
            var frac: Int64 = 0
            if i < n && b[i] == UInt8(ascii: ".") {
                i += 1
                var k = 0
                while i < n && Lexer.isDigit(b[i]) {
                    if k < 6 { frac = frac * 10 + Int64(b[i] - UInt8(ascii: "0")) }
                    k += 1
                    i += 1
                }
                guard k > 0 && k <= 9 else { return nil }
                for _ in min(k, 6)..<6 { frac *= 10 }
            }
            micros = ((h * 60 + m) * 60 + s) * 1_000_000 + frac
        }
        i = skipSpaces(b, i, n)
        var offsetSeconds: Int64 = 0
        if i < n {
            if b[i] == UInt8(ascii: "Z") && i + 1 == n {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
                guard let (hh, a) = digits(b, i + 1, n, max: 2), hh <= 18 else { return nil }
                var mm: Int64 = 0
                var end = a
                if a < n && b[a] == UInt8(ascii: ":") {
                    guard let (m2, c) = digits(b, a + 1, n, max: 2), m2 < 60 else { return nil }
                    mm = m2
                    end = c
                }
                guard end == n else { return nil }
                offsetSeconds = sign * (hh * 3600 + mm * 60)
                i = n
            } else if n - i == 3 && (b[i] | 0x20) == UInt8(ascii: "u") && (b[i + 1] | 0x20) == UInt8(ascii: "t")
                        && (b[i + 2] | 0x20) == UInt8(ascii: "c") {
                i = n
            } else {
                return nil
            }
        }
        guard i == n else { return nil }
        let (dayMicros, o1) = days.multipliedReportingOverflow(by: 86_400_000_000)
        let (t, o2) = dayMicros.addingReportingOverflow(micros)
        let (r, o3) = t.subtractingReportingOverflow(utc ? offsetSeconds * 1_000_000 : 0)
        return o1 || o2 || o3 ? nil : r
    }

    /// `[+-]yyyy[-[m]m[-[d]d]]` → days, and the index after it.
    private static func datePart(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ n: Int) -> (Int64, Int)? {
        var i = start
        var sign: Int64 = 1
        if i < n && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
            if b[i] == UInt8(ascii: "-") { sign = -1 }
            i += 1
        }
        guard let (y, a) = digits(b, i, n, max: 7), a - i >= 4 else { return nil }
        var month = 1, day = 1
        i = a
        if i < n && b[i] == UInt8(ascii: "-") {
            guard let (m, c) = digits(b, i + 1, n, max: 2) else { return nil }
            month = Int(m)
            i = c
            if i < n && b[i] == UInt8(ascii: "-") {
                guard let (d, e) = digits(b, i + 1, n, max: 2) else { return nil }
                day = Int(d)
                i = e
            }
        }
        guard let days = CivilTime.days(year: sign * y, month: month, day: day) else { return nil }
        return (days, i)
    }

    /// 1 to `max` decimal digits starting at `i`.
    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ n: Int, max: Int) -> (Int64, Int)? {
        var i = start
        var v: Int64 = 0
        while i < n && i - start < max && Lexer.isDigit(b[i]) {
            v = v * 10 + Int64(b[i] - UInt8(ascii: "0"))
            i += 1
        }
        if i == start || (i < n && Lexer.isDigit(b[i])) { return nil }
        return (v, i)
    }

    static func skipSpaces(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        var i = i
        while i < n && isSpace(b[i]) { i += 1 }
        return i
    }

    static func trimmedEnd(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var n = b.count
        while n > 0 && isSpace(b[n - 1]) { n -= 1 }
        return n
    }

    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d }
}
