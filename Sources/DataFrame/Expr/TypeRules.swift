import Columnar

/// Spark's type coercion rules (ANSI mode), as pure functions on `DataType`.
enum TypeRules {
    /// Signed and unsigned integers.
    static func isIntegral(_ t: DataType) -> Bool {
        switch t {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: true
        default: false
        }
    }

    /// Integers, floats and decimals.
    static func isNumeric(_ t: DataType) -> Bool {
        switch t {
        case .float32, .float64, .decimal: true
        default: isIntegral(t)
        }
    }

    static func isFloating(_ t: DataType) -> Bool { t == .float32 || t == .float64 }

    static func isDecimal(_ t: DataType) -> Bool {
        if case .decimal = t { return true }
        return false
    }

    static func isTimestamp(_ t: DataType) -> Bool {
        if case .timestamp = t { return true }
        return false
    }

    /// Unsigned types (from Parquet files) mapped to the signed type that holds all their values,
    /// so arithmetic only deals with Spark's types.
    static func signed(_ t: DataType) -> DataType {
        switch t {
        case .uint8: .int16
        case .uint16: .int32
        case .uint32: .int64
        case .uint64: .decimal(precision: 20, scale: 0)
        default: t
        }
    }

    /// byte < short < int < long.
    static func integerRank(_ t: DataType) -> Int? {
        switch t {
        case .int8: 1
        case .int16: 2
        case .int32: 3
        case .int64: 4
        default: nil
        }
    }

    /// The decimal that holds every value of a numeric type (Spark's `DecimalType.forType`).
    static func decimalEquivalent(_ t: DataType) -> (precision: Int, scale: Int)? {
        switch signed(t) {
        case .int8: (3, 0)
        case .int16: (5, 0)
        case .int32: (10, 0)
        case .int64: (20, 0)
        case let .decimal(p, s): (p, s)
        default: nil
        }
    }

    /// The common type of two numeric types for comparison and + - * %: widest integer, integer with
    /// decimal as decimal, anything with double as double, float with integers as float.
    static func numericCommon(_ a0: DataType, _ b0: DataType) -> DataType? {
        let a = signed(a0), b = signed(b0)
        guard isNumeric(a), isNumeric(b) else { return nil }
        if a == b { return a }
        if a == .float64 || b == .float64 { return .float64 }
        if a == .float32 || b == .float32 { return isDecimal(a) || isDecimal(b) ? .float64 : .float32 }
        if let ra = integerRank(a), let rb = integerRank(b) { return ra >= rb ? a : b }
        guard let (p1, s1) = decimalEquivalent(a), let (p2, s2) = decimalEquivalent(b) else { return nil }
        let scale = max(s1, s2)
        let range = max(p1 - s1, p2 - s2)
        return .decimal(precision: min(38, range + scale), scale: min(scale, 38))
    }

    /// Spark's `adjustPrecisionScale` (with `allowPrecisionLoss`): when the exact result needs more than
    /// 38 digits, keep the integer digits and cut the scale, but never below min(scale, 6).
    static func adjusted(_ p: Int, _ s: Int) -> DataType {
        if p <= 38 { return .decimal(precision: p, scale: s) }
        let intDigits = p - s
        let minScale = min(s, 6)
        return .decimal(precision: 38, scale: max(38 - intDigits, minScale))
    }

    /// Result type of decimal arithmetic (Spark's `DecimalPrecision`).
    static func decimalResult(_ op: ArithmeticOp, _ p1: Int, _ s1: Int, _ p2: Int, _ s2: Int) -> DataType {
        switch op {
        case .add, .subtract:
            let s = max(s1, s2)
            return adjusted(max(p1 - s1, p2 - s2) + s + 1, s)
        case .multiply:
            return adjusted(p1 + p2 + 1, s1 + s2)
        case .divide:
            let s = max(6, s1 + p2 + 1)
            return adjusted(p1 - s1 + s2 + s, s)
        case .modulo:
            let s = max(s1, s2)
            return adjusted(min(p1 - s1, p2 - s2) + s, s)
        }
    }

    /// Whether `CAST(from AS to)` is allowed.
    static func canCast(_ from: DataType, _ to: DataType) -> Bool {
        if from == to || from.sameIgnoringFieldMetadata(to) { return true }
        func flat(_ t: DataType) -> Bool {
            switch t {
            case .list, .structure, .map, .time, .fixedSizeBinary: false
            default: true
            }
        }
        guard flat(from), flat(to) else { return false }
        switch (from, to) {
        case (.string, _), (_, .string): return true
        case (.binary, _), (_, .binary): return false
        case (.boolean, _), (_, .boolean): return isNumeric(from) || isNumeric(to)
        case (.date, .timestamp), (.timestamp, .date), (.timestamp, .timestamp): return true
        case (.date, _), (_, .date): return false
        case (.timestamp, _): return isNumeric(to)
        case (_, .timestamp): return isNumeric(from)
        default: return isNumeric(from) && isNumeric(to)
        }
    }
}
