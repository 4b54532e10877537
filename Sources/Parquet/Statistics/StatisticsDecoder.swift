import Columnar

/// Turns the raw min/max bytes of column chunk statistics into typed scalars.
///
/// Statistics are advisory: anything that cannot be trusted or decoded yields nil instead of an error,
/// since a reader may still scan the data. The deprecated `min`/`max` fields were written with signed
/// byte-wise/numeric comparison by old writers (parquet-mr before 1.10 and others), so they are only used
/// where signed order is the type's order: never for strings, binary, unsigned integers, decimals in byte
/// arrays or INT96 (see PARQUET-251 and PARQUET-686).
enum StatisticsDecoder {
    static func decode(_ stats: Statistics, descriptor d: ColumnDescriptor, columnOrder: ColumnOrder?,
                       createdBy: String?) -> ColumnStatistics {
        var out = ColumnStatistics(
            nullCount: stats.nullCount.map { Int(clamping: $0) },
            distinctCount: stats.distinctCount.flatMap { $0 >= 0 ? Int(clamping: $0) : nil },
            nanCount: stats.nanCount.map { Int(clamping: $0) })
        var minBytes: [UInt8]?
        var maxBytes: [UInt8]?
        if case .unknown = columnOrder {
            // An order this reader does not know: min/max mean something else.
        } else if stats.minValue != nil || stats.maxValue != nil {
            minBytes = stats.minValue
            maxBytes = stats.maxValue
        } else if signedOrderIsTypeOrder(d) {
            minBytes = stats.min
            maxBytes = stats.max
        }
        out.min = minBytes.flatMap { scalar($0, d) }
        out.max = maxBytes.flatMap { scalar($0, d) }
        // A NaN bound says nothing about the other values; drop both like pyarrow.
        if isNaN(out.min) || isNaN(out.max) {
            out.min = nil
            out.max = nil
        }
        return out
    }

    static func signedOrderIsTypeOrder(_ d: ColumnDescriptor) -> Bool {
        switch d.dataType {
        case .boolean, .int8, .int16, .int32, .int64, .float32, .float64, .date, .time, .timestamp:
            return d.physicalType != .int96 && d.physicalType != .fixedLenByteArray
        case .decimal:
            return d.physicalType == .int32 || d.physicalType == .int64
        default:
            return false
        }
    }

    static func isNaN(_ s: Scalar?) -> Bool {
        switch s {
        case let .float(f)?: f.isNaN
        case let .double(f)?: f.isNaN
        default: false
        }
    }

    /// One PLAIN-encoded value (byte arrays without their length prefix) as a scalar of the leaf's type.
    static func scalar(_ b: [UInt8], _ d: ColumnDescriptor) -> Scalar? {
        func le<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard b.count == MemoryLayout<T>.size else { return nil }
            var v: T = 0
            for (k, byte) in b.enumerated() { v |= T(truncatingIfNeeded: byte) << (8 * k) }
            return v
        }
        switch (d.dataType, d.physicalType) {
        case (.boolean, _):
            guard b.count == 1 else { return nil }
            return .boolean(b[0] != 0)
        case (.int8, _), (.int16, _), (.int32, _), (.date, _), (.time, .int32):
            return le(Int32.self).map { .int(Int64($0)) }
        case (.uint8, _), (.uint16, _), (.uint32, _):
            return le(UInt32.self).map { .uint(UInt64($0)) }
        case (.int64, _), (.time, .int64), (.timestamp, .int64):
            return le(Int64.self).map { .int($0) }
        case (.uint64, _):
            return le(UInt64.self).map { .uint($0) }
        case (.float32, .float):
            return le(UInt32.self).map { .float(Float(bitPattern: $0)) }
        case (.float32, .fixedLenByteArray):
            return le(UInt16.self).map { .float(Float(Float16(bitPattern: $0))) }
        case (.float64, _):
            return le(UInt64.self).map { .double(Double(bitPattern: $0)) }
        case (.decimal, .int32):
            return le(Int32.self).map { .decimal(Int128($0)) }
        case (.decimal, .int64):
            return le(Int64.self).map { .decimal(Int128($0)) }
        case (.decimal, _):
            guard b.count >= 1, b.count <= 16 else { return nil }
            return (try? LogicalConversion.bigEndianDecimal(b, 0, b.count)).map { .decimal($0) }
        case (.string, _):
            return .string(String(decoding: b, as: UTF8.self))
        case (.binary, _):
            return .bytes(b)
        case let (.fixedSizeBinary(w), _):
            guard b.count == w else { return nil }
            return .bytes(b)
        default:
            return nil
        }
    }
}
