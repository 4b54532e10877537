/// Exact arithmetic helpers on unscaled `Int128` decimal values.
enum DecimalMath {
    /// 10^0 ... 10^38.
    static let powers: [Int128] = {
        var p: [Int128] = [1]
        for _ in 1...38 { p.append(p[p.count - 1] * 10) }
        return p
    }()

    /// 10^n for n in 0...38 (clamped, callers check their ranges).
    @inline(__always)
    static func pow10(_ n: Int) -> Int128 { powers[max(0, min(38, n))] }

    /// Whether `v` has at most `precision` digits.
    @inline(__always)
    static func fits(_ v: Int128, precision: Int) -> Bool {
        let limit = pow10(precision)
        return v < limit && v > -limit
    }

    /// `a / b` rounded half away from zero (Spark's ROUND_HALF_UP); `b` must not be zero.
    @inline(__always)
    static func divideRounded(_ a: Int128, _ b: Int128) -> Int128? {
        let (q, o) = a.dividedReportingOverflow(by: b)
        if o { return nil }
        let r = a &- q &* b
        let absR = r.magnitude, absB = b.magnitude
        if absR >= absB - absR {
            return (a < 0) != (b < 0) ? q - 1 : q + 1
        }
        return q
    }

    /// `v` moved from scale `from` to scale `to`, rounding half up when digits are dropped; nil on overflow.
    @inline(__always)
    static func rescale(_ v: Int128, from: Int, to: Int) -> Int128? {
        if to == from { return v }
        if to > from {
            guard to - from <= 38 else { return v == 0 ? 0 : nil }
            let (r, o) = v.multipliedReportingOverflow(by: pow10(to - from))
            return o ? nil : r
        }
        guard from - to <= 38 else { return 0 }
        return divideRounded(v, pow10(from - to))
    }
}
