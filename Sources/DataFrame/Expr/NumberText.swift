/// Parses numbers and booleans from UTF-8 bytes as Spark's ANSI CAST from string does.
/// Surrounding whitespace is ignored; anything else that is not part of the number makes the value invalid.
enum NumberText {
    /// `[+-]digits[.digits]`; the fraction is dropped, as Spark does when casting '1.9' to an integer.
    static func parseInt(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = TemporalText.trimmedEnd(b)
        var i = TemporalText.skipSpaces(b, 0, n)
        var negative = false
        if i < n && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        let start = i
        var v: Int64 = 0
        while i < n && Lexer.isDigit(b[i]) {
            // Accumulate negatively so Int64.min parses.
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(b[i] - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            v = s
            i += 1
        }
        if i == start { return nil }
        if i < n && b[i] == UInt8(ascii: ".") {
            i += 1
            while i < n && Lexer.isDigit(b[i]) { i += 1 }
        }
        guard i == n else { return nil }
        if negative { return v }
        let (p, o) = Int64(0).subtractingReportingOverflow(v)
        return o ? nil : p
    }

    /// A double, including `NaN`, `Infinity`, `-Infinity` and `inf`.
    static func parseDouble(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = TemporalText.trimmedEnd(b)
        let i = TemporalText.skipSpaces(b, 0, n)
        guard i < n else { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[i..<n]), as: UTF8.self)
        // Swift accepts hex floats ("0x1p3") that Spark does not.
        if text.contains("x") || text.contains("X") { return nil }
        if let d = Double(text) { return d }
        switch text.lowercased() {
        case "infinity", "+infinity", "inf", "+inf": return .infinity
        case "-infinity", "-inf": return -.infinity
        case "nan": return .nan
        default: return nil
        }
    }

    /// A decimal rounded half up to `scale`; nil when invalid or wider than `precision`.
    static func parseDecimal(_ b: UnsafeBufferPointer<UInt8>, precision: Int, scale: Int) -> Int128? {
        let n = TemporalText.trimmedEnd(b)
        var i = TemporalText.skipSpaces(b, 0, n)
        var negative = false
        if i < n && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        var unscaled: Int128 = 0
        var digits = 0, fraction = 0, sawPoint = false, sawDigit = false
        var roundUp = false, dropping = false
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else if Lexer.isDigit(c) {
                sawDigit = true
                if sawPoint && fraction >= scale {
                    // The first dropped digit decides the rounding.
                    if !dropping { roundUp = c >= UInt8(ascii: "5"); dropping = true }
                } else {
                    if sawPoint { fraction += 1 }
                    if unscaled != 0 || c != UInt8(ascii: "0") { digits += 1 }
                    if digits > 38 { return nil }
                    unscaled = unscaled * 10 + Int128(c - UInt8(ascii: "0"))
                }
            } else if (c | 0x20) == UInt8(ascii: "e") {
                return parseDouble(b).flatMap { d in
                    d.isFinite ? Int128(exactly: (d * Double(DecimalMath.pow10(scale))).rounded(.toNearestOrAwayFromZero)) : nil
                }.flatMap { DecimalMath.fits($0, precision: precision) ? $0 : nil }
            } else {
                return nil
            }
            i += 1
        }
        guard sawDigit else { return nil }
        guard let scaled = DecimalMath.rescale(unscaled, from: fraction, to: scale) else { return nil }
        var v = roundUp ? scaled + 1 : scaled
        if negative { v = -v }
        return DecimalMath.fits(v, precision: precision) ? v : nil
    }

    /// `true/false`, `t/f`, `yes/no`, `y/n`, `1/0`, any case.
    static func parseBool(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        let n = TemporalText.trimmedEnd(b)
        let i = TemporalText.skipSpaces(b, 0, n)
        guard n - i <= 5 else { return nil }
        var word = [UInt8]()
        for k in i..<n { word.append(b[k] | (b[k] >= UInt8(ascii: "A") && b[k] <= UInt8(ascii: "Z") ? 0x20 : 0)) }
        switch String(decoding: word, as: UTF8.self) {
        case "true", "t", "yes", "y", "1": return true
        case "false", "f", "no", "n", "0": return false
        default: return nil
        }
    }
}
