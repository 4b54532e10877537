import Columnar
import DeltaLog

/// Bounds of a data column from its `add.stats` entries (PROTOCOL.md "Per-file Statistics"), typed by the
/// column's Delta type and read from the exact JSON text.
///
/// Statistics are advisory: whatever cannot be read exactly is dropped (the bound widens), never guessed.
enum StatsBounds {
    /// The bounds for a column of `type` given its stats and the file's `numRecords`.
    static func bounds(_ leaf: StatsLeaf, numRecords: Int64?, type: DataType, stringPrefixLength: Int) -> ColumnBounds {
        var b = ColumnBounds.unknown
        b.mayHaveNaN = type == .float32 || type == .float64
        // nullCount is exact with tight bounds; with wide bounds (deletion vectors) only 0 and numRecords still
        // mean "no nulls" and "all null", which are the only two facts used here.
        if let n = leaf.nullCount {
            if n == 0 { b.mayHaveNull = false }
            if let rows = numRecords, n == rows { return rows == 0 ? ColumnBounds(mayHaveOrdinary: false, mayHaveNaN: false, mayHaveNull: false) : .allNull }
        }
        guard SkippingTypes.isOrderable(type), type != .boolean else { return b }
        b.lower = leaf.min.flatMap { value($0, type: type, up: false) }
        if case .string = type, case let .string(text)? = leaf.max {
            (b.upper, b.upperIsPrefix) = stringUpper(Array(text.utf8), prefixLength: stringPrefixLength)
        } else {
            b.upper = leaf.max.flatMap { value($0, type: type, up: true) }
        }
        return b
    }

    /// One min (`up` false) or max (`up` true) in the column type's representation, widened outwards where
    /// writers round: timestamps are cut to milliseconds, floats and doubles are printed in decimal.
    static func value(_ t: StatsToken, type: DataType, up: Bool) -> SkippingValue? {
        switch type {
        case .int8, .int16, .int32, .int64:
            switch t {
            case let .integer(i): return .integer(i)
            case let .number(text), let .string(text):
                guard let n = ExactNumber(text), let v = n.at(scale: 0, up: up), let i = Int64(exactly: v) else { return nil }
                return .integer(i)
            case .bool: return nil
            }
        case let .decimal(_, scale):
            switch t {
            case let .integer(i): return DecimalBounds.rescale(Int128(i), from: 0, to: scale, up: up).map { .decimal($0) }
            case let .number(text), let .string(text): return ExactNumber(text)?.at(scale: scale, up: up).map { .decimal($0) }
            case .bool: return nil
            }
        case .float32, .float64:
            let d: Double
            switch t {
            case let .integer(i): d = Double(i)
            case let .number(text), let .string(text):
                if type == .float32 {
                    guard let f = Float(text) else { return nil }
                    d = Double(f)
                } else {
                    guard let x = Double(text) else { return nil }
                    d = x
                }
            case .bool: return nil
            }
            // "NaN" as a bound says nothing about the other values; infinities are bounds like any other.
            if d.isNaN { return nil }
            if d.isInfinite { return (d > 0) == up ? nil : .floating(d) }
            return .floating(FloatingBounds.widen(d, up: up, float: type == .float32))
        case .string:
            guard case let .string(text) = t else { return nil }
            return .bytes(Array(text.utf8))  // a cut min is a prefix, still a lower bound
        case .date:
            guard case let .string(text) = t, case let .int(days)? = try? PartitionValues.parse(text, type: .date, column: "") else { return nil }
            return .integer(days)
        case .timestamp(.microsecond, let utc):
            guard case let .string(text) = t,
                  case let .int(micros)? = try? PartitionValues.parse(text, type: .timestamp(.microsecond, utc: utc), column: "") else { return nil }
            // Delta writes timestamp stats with millisecond precision, cut towards the past: a max may be up to
            // 999 µs below the real one. A min cut towards zero (before 1970) may be up to 999 µs above.
            if up {
                let (r, o) = micros.addingReportingOverflow(999)
                return o ? nil : .integer(r)
            }
            if micros <= 0 {
                let (r, o) = micros.subtractingReportingOverflow(999)
                return o ? nil : .integer(r)
            }
            return .integer(micros)
        default:
            return nil
        }
    }

    /// A string max as an upper bound: exact when short, else only a prefix bound. Delta appends a tie-breaker
    /// (U+FFFD in older writers, U+10FFFF or U+007F now) after a cut; other writers just cut. A max at least
    /// `prefixLength` bytes long, or ending in a tie-breaker, bounds only values sharing its prefix.
    static func stringUpper(_ bytes: [UInt8], prefixLength: Int) -> (SkippingValue, Bool) {
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]      // U+FFFD
        let maxScalar: [UInt8] = [0xF4, 0x8F, 0xBF, 0xBF]  // U+10FFFF
        var prefix = bytes
        var stripped = false
        while true {
            if prefix.count >= 3, Array(prefix.suffix(3)) == replacement { prefix.removeLast(3); stripped = true; continue }
            if prefix.count >= 4, Array(prefix.suffix(4)) == maxScalar { prefix.removeLast(4); stripped = true; continue }
            break
        }
        if stripped || bytes.count >= prefixLength { return (.bytes(prefix), true) }
        return (.bytes(bytes), false)
    }
}
