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

    /// Whether `b[start..<end]` has the shape of an ISO date, `YYYY-MM-DD` (digits and dashes only).
    /// Inference accepts a date only in this strict form (so `2024` stays a long); the value itself is then
    /// parsed by `TemporalText`, the one date and timestamp parser.
    static func isISODateShape(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard end - start >= 10, b[start + 4] == UInt8(ascii: "-"), b[start + 7] == UInt8(ascii: "-") else { return false }
        for k in [0, 1, 2, 3, 5, 6, 8, 9] where !isDigit(b[start + k]) { return false }
        return true
    }

    /// Whether the text is an ISO date, or an ISO date and time `YYYY-MM-DD[ T]HH:MM:SS...` (shape only).
    static func isISODateTimeShape(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard isISODateShape(b, start, end) else { return false }
        if end - start == 10 { return true }
        let t = start + 10
        guard end - start >= 19, b[t] == UInt8(ascii: "T") || b[t] == UInt8(ascii: " "),
              b[t + 3] == UInt8(ascii: ":"), b[t + 6] == UInt8(ascii: ":") else { return false }
        for k in [1, 2, 4, 5, 7, 8] where !isDigit(b[t + k]) { return false }
        return true
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
