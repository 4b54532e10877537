import Columnar
import Parquet

/// Bounds of a column in one Parquet row group, from the chunk statistics the reader decoded.
///
/// `StatisticsDecoder` already drops what Parquet cannot vouch for (deprecated signed-order min/max of
/// strings, decimals in byte arrays, unsigned integers, INT96, NaN bounds); what is left is converted from
/// the file's leaf type to the table's type, and anything else is unknown. Floating columns may still hold
/// NaN whatever the bounds say (Arrow and parquet-cpp leave NaN out of min/max) unless `nan_count` is 0.
enum RowGroupBounds {
    /// Bounds for a column of table type `type` stored as `fileType` in a group of `rows` rows.
    static func bounds(_ stats: ColumnStatistics?, fileType: DataType, type: DataType, rows: Int64) -> ColumnBounds {
        var b = ColumnBounds.unknown
        b.mayHaveNaN = type == .float32 || type == .float64
        guard let stats else { return b }
        // A writer that counts NaNs (Parquet's nan_count) says when there are none: then the max holds.
        if stats.nanCount == 0 { b.mayHaveNaN = false }
        if let n = stats.nullCount {
            if n == 0 { b.mayHaveNull = false }
            if Int64(n) == rows { return rows == 0 ? ColumnBounds(mayHaveOrdinary: false, mayHaveNaN: false, mayHaveNull: false) : .allNull }
        }
        guard SkippingTypes.isOrderable(type), type != .boolean else { return b }
        b.lower = stats.min.flatMap { value($0, fileType: fileType, type: type, up: false) }
        b.upper = stats.max.flatMap { value($0, fileType: fileType, type: type, up: true) }
        return b
    }

    /// A statistic of the file's leaf type as a value of the table's type; nil when the pair is not one
    /// whose order carries over exactly.
    static func value(_ s: Scalar, fileType: DataType, type: DataType, up: Bool) -> SkippingValue? {
        switch (type, fileType, s) {
        case (.int8, .int8, let .int(i)), (.int16, .int8, let .int(i)), (.int16, .int16, let .int(i)),
             (.int32, .int8, let .int(i)), (.int32, .int16, let .int(i)), (.int32, .int32, let .int(i)),
             (.int64, .int8, let .int(i)), (.int64, .int16, let .int(i)), (.int64, .int32, let .int(i)), (.int64, .int64, let .int(i)):
            return .integer(i)
        case let (.decimal(_, scale), .decimal(_, fileScale), .decimal(u)):
            return DecimalBounds.rescale(u, from: fileScale, to: scale, up: up).map { .decimal($0) }
        case let (.decimal(_, scale), .int8, .int(i)), let (.decimal(_, scale), .int16, .int(i)),
             let (.decimal(_, scale), .int32, .int(i)), let (.decimal(_, scale), .int64, .int(i)):
            return DecimalBounds.rescale(Int128(i), from: 0, to: scale, up: up).map { .decimal($0) }
        case (.float32, .float32, let .float(f)), (.float64, .float32, let .float(f)):
            return f.isNaN ? nil : .floating(Double(f))
        case (.float64, .float64, let .double(d)):
            return d.isNaN ? nil : .floating(d)
        case (.date, .date, let .int(days)):
            return .integer(days)
        case let (.timestamp(.microsecond, _), .timestamp(unit, _), .int(v)):
            switch unit {
            case .microsecond: return .integer(v)
            case .millisecond:
                let (r, o) = v.multipliedReportingOverflow(by: 1000)
                return o ? nil : .integer(r)
            case .nanosecond:
                let (q, r) = v.quotientAndRemainder(dividingBy: 1000)
                // Round outwards: down for a lower bound, up for an upper one.
                if r == 0 { return .integer(q) }
                if up { return .integer(r > 0 ? q + 1 : q) }
                return .integer(r < 0 ? q - 1 : q)
            }
        case (.string, .string, let .string(text)):
            return .bytes(Array(text.utf8))
        default:
            return nil
        }
    }
}
