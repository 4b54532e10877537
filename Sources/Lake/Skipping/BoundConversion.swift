import Columnar

/// How a column's bounds, held in the column's own type, become bounds in the type a comparison is made in
/// (the engine's implicit cast of the column: `int_col = 1.5` compares in decimal, `long_col = 1.5D` in
/// double). Every conversion is monotone, so converted bounds still enclose the converted values; the
/// inexact ones (to floating point) widen by one unit in the last place so rounding never narrows them.
enum BoundConversion: Sendable, Hashable {
    /// Same representation (identical types, wider integers, timestamp with and without zone).
    case identity
    /// Integer to decimal at `scale`.
    case integerToDecimal(scale: Int)
    /// Decimal at `from` to decimal at `to`.
    case rescale(from: Int, to: Int)
    /// Integer, decimal (at `fromDecimalScale`) or float to double, or to float when `toFloat`.
    case toFloating(fromDecimalScale: Int?, toFloat: Bool)
    /// Days to microseconds.
    case dateToTimestamp

    /// The conversion from a column of type `column` to the comparison type `target`, or nil when the
    /// engine's cast is not one data skipping can follow exactly (a string read as a number, for instance).
    static func make(from column: DataType, to target: DataType) -> BoundConversion? {
        switch (column, target) {
        case _ where column == target:
            return SkippingTypes.isOrderable(column) ? .identity : nil
        case (.int8, .int16), (.int8, .int32), (.int8, .int64), (.int16, .int32), (.int16, .int64), (.int32, .int64):
            return .identity
        case (.int8, .decimal(_, let s)), (.int16, .decimal(_, let s)), (.int32, .decimal(_, let s)), (.int64, .decimal(_, let s)):
            return .integerToDecimal(scale: s)
        case let (.decimal(_, s1), .decimal(_, s2)):
            return .rescale(from: s1, to: s2)
        case (.int8, .float64), (.int16, .float64), (.int32, .float64), (.int64, .float64):
            return .toFloating(fromDecimalScale: nil, toFloat: false)
        case (.int8, .float32), (.int16, .float32), (.int32, .float32), (.int64, .float32):
            return .toFloating(fromDecimalScale: nil, toFloat: true)
        case (.decimal(_, let s), .float64):
            return .toFloating(fromDecimalScale: s, toFloat: false)
        case (.decimal(_, let s), .float32):
            return .toFloating(fromDecimalScale: s, toFloat: true)
        case (.float32, .float64):
            return .identity  // every float is exactly a double
        case (.date, .timestamp(.microsecond, _)):
            return .dateToTimestamp
        case (.timestamp(.microsecond, _), .timestamp(.microsecond, _)):
            return .identity  // with and without zone compare the same microseconds (the engine's cast keeps them)
        default:
            return nil
        }
    }

    /// `bounds` in the comparison type.
    func apply(_ bounds: ColumnBounds) -> ColumnBounds {
        if self == .identity { return bounds }
        var out = bounds
        out.lower = bounds.lower.flatMap { convert($0, up: false) }
        out.upper = bounds.upper.flatMap { convert($0, up: true) }
        return out
    }

    /// One bound converted; `up` for an upper bound (rounding goes outwards). nil: no bound any more.
    func convert(_ v: SkippingValue, up: Bool) -> SkippingValue? {
        switch (self, v) {
        case (.identity, _):
            return v
        case let (.integerToDecimal(scale), .integer(i)):
            return DecimalBounds.rescale(Int128(i), from: 0, to: scale, up: up).map { .decimal($0) }
        case let (.rescale(from, to), .decimal(u)):
            return DecimalBounds.rescale(u, from: from, to: to, up: up).map { .decimal($0) }
        case let (.toFloating(nil, toFloat), .integer(i)):
            return .floating(FloatingBounds.widen(Double(i), up: up, float: toFloat))
        case let (.toFloating(scale?, toFloat), .decimal(u)):
            // The engine's own formula (monotone in u), widened twice for the two roundings in it.
            guard let p = DecimalBounds.pow10(scale) else { return nil }
            let d = Double(u) / Double(p)
            return .floating(FloatingBounds.widen(FloatingBounds.widen(d, up: up, float: toFloat), up: up, float: toFloat))
        case let (.toFloating(_, toFloat), .floating(d)):
            return .floating(toFloat ? FloatingBounds.widen(d, up: up, float: true) : d)
        case let (.dateToTimestamp, .integer(days)):
            let (r, o) = days.multipliedReportingOverflow(by: 86_400_000_000)
            return o ? nil : .integer(r)
        default:
            return nil
        }
    }
}

/// Which column types data skipping orders, and how constants of the comparison type become values.
enum SkippingTypes {
    /// Types with min/max data skipping: integers, decimals, floats, dates, microsecond timestamps, strings;
    /// booleans too, for partition values (Delta writes no boolean min/max).
    static func isOrderable(_ t: DataType) -> Bool {
        switch t {
        case .boolean, .int8, .int16, .int32, .int64, .float32, .float64, .decimal, .date, .string,
             .timestamp(.microsecond, _):
            true
        default:
            false
        }
    }

    /// A constant of type `type` (the engine's `Scalar` form) as a skipping value; nil for anything else.
    static func value(_ s: Scalar, type: DataType) -> SkippingValue? {
        switch (type, s) {
        case (.boolean, let .boolean(b)): return .boolean(b)
        case (.int8, let .int(i)), (.int16, let .int(i)), (.int32, let .int(i)), (.int64, let .int(i)), (.date, let .int(i)),
             (.timestamp(.microsecond, _), let .int(i)):
            return .integer(i)
        case (.decimal, let .decimal(u)): return .decimal(u)
        case (.float32, let .float(f)): return .floating(Double(f))
        case (.float32, let .double(d)), (.float64, let .double(d)): return .floating(d)
        case (.string, let .string(text)): return .bytes(Array(text.utf8))
        default: return nil
        }
    }
}

/// Decimal bound arithmetic that never traps.
enum DecimalBounds {
    /// 10^n as Int128, nil past 10^38.
    static func pow10(_ n: Int) -> Int128? {
        guard n >= 0, n <= 38 else { return nil }
        var r: Int128 = 1
        for _ in 0..<n { r *= 10 }
        return r
    }

    /// `u` at scale `from` re-expressed at scale `to`; when digits are dropped, rounded down for a lower
    /// bound and up for an upper one. nil on overflow.
    static func rescale(_ u: Int128, from: Int, to: Int, up: Bool) -> Int128? {
        if to >= from {
            guard let m = pow10(to - from) else { return u == 0 ? 0 : nil }
            let (r, o) = u.multipliedReportingOverflow(by: m)
            return o ? nil : r
        }
        guard let d = pow10(from - to) else { return up ? (u > 0 ? 1 : 0) : (u < 0 ? -1 : 0) }
        var q = u / d
        let r = u % d
        if r != 0 {
            if up && u > 0 { q += 1 }
            if !up && u < 0 { q -= 1 }
        }
        return q
    }
}

/// Floating-point bounds widened outwards so rounding by any converter or printer never narrows them.
enum FloatingBounds {
    /// `d` moved one unit in the last place outwards (of a Float when `float`).
    static func widen(_ d: Double, up: Bool, float: Bool) -> Double {
        if float {
            let f = Float(d)
            return Double(up ? f.nextUp : f.nextDown)
        }
        return up ? d.nextUp : d.nextDown
    }
}
