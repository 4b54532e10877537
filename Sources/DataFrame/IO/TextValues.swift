import Columnar

/// What a cell of a text input holds. CSV produces only `null`, `text` and `csvEscaped`; NDJSON the rest.
enum CellKind: UInt8 {
    /// SQL null: a null string in CSV, a JSON `null`, or a missing key.
    case null
    /// The bytes are the value as they stand (an unquoted or quote-free CSV field, a JSON string without escapes).
    case text
    /// A quoted CSV field whose doubled quotes must be undoubled.
    case csvEscaped
    /// A JSON string with backslash escapes to decode.
    case jsonEscaped
    /// A JSON number without fraction or exponent.
    case jsonInt
    /// A JSON number with a fraction or exponent.
    case jsonFloat
    case jsonTrue, jsonFalse
    /// A JSON array; the span covers `[` to `]` inclusive.
    case jsonArray
    /// A JSON object; the span covers `{` to `}` inclusive.
    case jsonObject
}

/// The cells of one column as spans of the input buffer (struct of arrays: no per-cell allocation).
/// String spans exclude the quotes; other JSON values span their whole text.
struct TextCells {
    var starts: [Int] = []
    var ends: [Int] = []
    var kinds: [CellKind] = []

    var count: Int { kinds.count }

    init() {}

    /// `count` null cells, each pointing at `offset` for error messages.
    init(nulls count: Int, at offset: Int) {
        starts = [Int](repeating: offset, count: count)
        ends = starts
        kinds = [CellKind](repeating: .null, count: count)
    }

    @inline(__always)
    mutating func append(_ kind: CellKind, _ start: Int, _ end: Int) {
        kinds.append(kind)
        starts.append(start)
        ends.append(end)
    }

    mutating func reserve(_ n: Int) {
        starts.reserveCapacity(n)
        ends.reserveCapacity(n)
        kinds.reserveCapacity(n)
    }
}

/// Strict parsers for the literal forms that CSV inference recognises and that lake's NDJSON writer produces.
enum TextValues {
    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    /// `[+-]digits` fitting Int64.
    static func parseInt64(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        var i = start
        guard i < end else { return nil }
        var negative = false
        if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
            guard i < end else { return nil }
        }
        var v: Int64 = 0
        while i < end {
            let d = b[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            // Accumulate negatively so Int64.min parses.
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            v = s
            i += 1
        }
        if negative { return v }
        let (p, o) = Int64(0).subtractingReportingOverflow(v)
        return o ? nil : p
    }

    /// Exact powers of ten representable in a double (Clinger's fast path).
    private static let exactPowers: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }

    /// A decimal floating-point literal (`-1.5`, `.5`, `2.`, `1e-3`) or `NaN`, `Infinity`, `-Infinity`, `inf`
    /// (any case). Short literals take an exact integer fast path; the rest go to the C library's correctly
    /// rounded conversion.
    static func parseDouble(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        guard start < end else { return nil }
        var i = start
        var negative = false
        if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0, intDigits = 0, fracDigits = 0, significant = 0
        while i < end && isDigit(b[i]) {
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(b[i] - UInt8(ascii: "0"))
                if mantissa != 0 { significant += 1 }
            } else {
                significant += 1
            }
            intDigits += 1
            i += 1
        }
        if i < end && b[i] == UInt8(ascii: ".") {
            i += 1
            while i < end && isDigit(b[i]) {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(b[i] - UInt8(ascii: "0"))
                    if mantissa != 0 { significant += 1 }
                } else {
                    significant += 1
                }
                fracDigits += 1
                i += 1
            }
        }
        digits = intDigits + fracDigits
        if digits == 0 {
            return special(b, i, end, negative: negative)
        }
        var exponent = 0
        if i < end && (b[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < end && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
                expNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            let expStart = i
            while i < end && isDigit(b[i]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(b[i] - UInt8(ascii: "0")) }
                i += 1
            }
            guard i > expStart else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == end else { return nil }
        let scale = exponent - fracDigits
        if significant <= 15 && scale >= -22 && scale <= 22 {
            // Both the mantissa (< 2^53) and 10^|scale| are exact doubles, so one rounding gives the exact result.
            var d = Double(mantissa)
            d = scale < 0 ? d / exactPowers[-scale] : d * exactPowers[scale]
            return negative ? -d : d
        }
        return Double(String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self))
    }

    /// NaN and the infinities, as lake writes them and as other tools commonly do.
    private static func special(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int, negative: Bool) -> Double? {
        var word: UInt64 = 0
        guard end - i <= 8 else { return nil }
        for k in i..<end { word = word << 8 | UInt64(b[k] | 0x20) }
        switch word {
        case 0x6e_61_6e: return negative ? nil : .nan  // "nan"
        case 0x69_6e_66, 0x69_6e_66_69_6e_69_74_79: return negative ? -.infinity : .infinity  // "inf", "infinity"
        default: return nil
        }
    }

    /// `true` or `false` in any case.
    static func parseBoolWord(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool? {
        let n = end - start
        guard n == 4 || n == 5 else { return nil }
        var word: UInt64 = 0
        for k in start..<end { word = word << 8 | UInt64(b[k] | 0x20) }
        if word == 0x74_72_75_65 { return true }
        if word == 0x66_61_6c_73_65 { return false }
        return nil
    }

    /// Strict `YYYY-MM-DD` as days since the epoch.
    static func parseISODate(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int32? {
        guard end - start == 10, b[start + 4] == UInt8(ascii: "-"), b[start + 7] == UInt8(ascii: "-") else { return nil }
        guard let y = fixed(b, start, 4), let m = fixed(b, start + 5, 2), let d = fixed(b, start + 8, 2),
              let days = CivilTime.days(year: Int64(y), month: m, day: d) else { return nil }
        return Int32(exactly: days)
    }

    /// Strict `YYYY-MM-DD[ T]HH:MM:SS[.f{1,9}]` with an optional `Z` or `±HH:MM`, or a plain `YYYY-MM-DD`,
    /// as microseconds since the epoch (UTC). Fractions past microseconds are truncated.
    static func parseISOTimestamp(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        if end - start == 10 { return parseISODate(b, start, end).map { Int64($0) * 86_400_000_000 } }
        guard end - start >= 19, let days = parseISODate(b, start, start + 10) else { return nil }
        let t = start + 10
        guard b[t] == UInt8(ascii: "T") || b[t] == UInt8(ascii: " "), b[t + 3] == UInt8(ascii: ":"),
              b[t + 6] == UInt8(ascii: ":"), let h = fixed(b, t + 1, 2), let mi = fixed(b, t + 4, 2),
              let s = fixed(b, t + 7, 2), h < 24, mi < 60, s < 60 else { return nil }
        var i = t + 9
        var frac: Int64 = 0
        if i < end && b[i] == UInt8(ascii: ".") {
            i += 1
            var k = 0
            while i < end && isDigit(b[i]) {
                if k < 6 { frac = frac * 10 + Int64(b[i] - UInt8(ascii: "0")) }
                k += 1
                i += 1
            }
            guard k >= 1 && k <= 9 else { return nil }
            for _ in min(k, 6)..<6 { frac *= 10 }
        }
        var offsetSeconds: Int64 = 0
        if i < end {
            if b[i] == UInt8(ascii: "Z") && i + 1 == end {
                i += 1
            } else if (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) && end - i == 6
                        && b[i + 3] == UInt8(ascii: ":"), let oh = fixed(b, i + 1, 2), let om = fixed(b, i + 4, 2) {
                offsetSeconds = Int64(oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
                i = end
            } else {
                return nil
            }
        }
        guard i == end else { return nil }
        let secondOfDay = Int64(h * 3600 + mi * 60 + s) - offsetSeconds
        return Int64(days) * 86_400_000_000 + secondOfDay * 1_000_000 + frac
    }

    /// `HH:MM:SS[.f{1,9}]` in `unit` since midnight.
    static func parseTimeOfDay(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, unit: TimeUnit) -> Int64? {
        guard end - start >= 8, b[start + 2] == UInt8(ascii: ":"), b[start + 5] == UInt8(ascii: ":"),
              let h = fixed(b, start, 2), let m = fixed(b, start + 3, 2), let s = fixed(b, start + 6, 2),
              h < 24, m < 60, s < 60 else { return nil }
        var i = start + 8
        var frac: Int64 = 0
        var k = 0
        if i < end && b[i] == UInt8(ascii: ".") {
            i += 1
            while i < end && isDigit(b[i]) && k < 9 {
                frac = frac * 10 + Int64(b[i] - UInt8(ascii: "0"))
                k += 1
                i += 1
            }
            guard k > 0 else { return nil }
        }
        guard i == end else { return nil }
        for _ in k..<9 { frac *= 10 }
        let nanos = Int64(h * 3600 + m * 60 + s) * 1_000_000_000 + frac
        return nanos / (1_000_000_000 / unit.perSecond)
    }

    /// `count` decimal digits at `start`.
    @inline(__always)
    private static func fixed(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var v = 0
        for k in start..<(start + count) {
            let d = b[k] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    private static let base64Values: [UInt8] = {
        var t = [UInt8](repeating: 255, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        t[Int(UInt8(ascii: "-"))] = 62  // URL-safe alphabet too
        t[Int(UInt8(ascii: "_"))] = 63
        return t
    }()

    /// Standard base64 (padding optional) appended to `out`; false when the text is not base64.
    static func decodeBase64(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: inout [UInt8]) -> Bool {
        var e = end
        while e > start && b[e - 1] == UInt8(ascii: "=") { e -= 1 }
        guard end - e <= 2, (e - start) % 4 != 1 else { return false }
        var acc: UInt32 = 0, bits = 0
        for i in start..<e {
            let v = base64Values[Int(b[i])]
            guard v != 255 else { return false }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return true
    }
}
