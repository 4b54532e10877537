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

    /// A decimal `[+-]digits[.digits][e[+-]digits]` rounded half up to `scale`, exactly (an exponent moves
    /// the point; no step goes through a double); nil when invalid or wider than `precision`.
    static func parseDecimal(_ b: UnsafeBufferPointer<UInt8>, precision: Int, scale: Int) -> Int128? {
        let n = TemporalText.trimmedEnd(b)
        var i = TemporalText.skipSpaces(b, 0, n)
        var negative = false
        if i < n && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        // The digits D (the point removed) and the exponent: the value is D × 10^(exponent - fraction).
        let digitsStart = i
        var total = 0, fraction = 0, sawPoint = false
        while i < n && (b[i] | 0x20) != UInt8(ascii: "e") {
            if Lexer.isDigit(b[i]) {
                total += 1
                if sawPoint { fraction += 1 }
            } else if b[i] == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                return nil
            }
            i += 1
        }
        let digitsEnd = i
        guard total > 0 else { return nil }
        var exponent = 0
        if i < n {
            i += 1
            var expNegative = false
            if i < n && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
                expNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            let expStart = i
            while i < n && Lexer.isDigit(b[i]) {
                // Past this bound every nonzero value overflows or rounds to zero alike.
                if exponent < 100_000 { exponent = exponent * 10 + Int(b[i] - UInt8(ascii: "0")) }
                i += 1
            }
            guard i > expStart, i == n else { return nil }
            if expNegative { exponent = -exponent }
        }
        // Keep the leading `keep` digits of D, scaled by 10^shift; the first dropped digit rounds.
        let shift = exponent - fraction + scale
        let keep = shift >= 0 ? total : total + shift
        var unscaled: Int128 = 0
        var significant = 0, index = 0
        var roundUp = false
        for k in digitsStart..<digitsEnd where b[k] != UInt8(ascii: ".") {
            let d = b[k] - UInt8(ascii: "0")
            if index < keep {
                if unscaled != 0 || d != 0 { significant += 1 }
                if significant > 38 { return nil }
                unscaled = unscaled * 10 + Int128(d)
            } else if index == keep {
                roundUp = d >= 5
                break
            }
            index += 1
        }
        if shift > 0 {
            guard let scaled = DecimalMath.rescale(unscaled, from: 0, to: shift) else { return nil }
            unscaled = scaled
        }
        if roundUp { unscaled += 1 }
        if negative { unscaled = -unscaled }
        return DecimalMath.fits(unscaled, precision: precision) ? unscaled : nil
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
