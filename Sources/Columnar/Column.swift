/// The physical storage of a column: one contiguous typed buffer per column (plus children for nested types).
public indirect enum ColumnValues: Sendable {
    /// Bit-packed booleans.
    case boolean(Bitmap)
    case int8([Int8])
    case int16([Int16])
    /// int32 values; also `date` (days since epoch).
    case int32([Int32])
    /// int64 values; also `time` and `timestamp`.
    case int64([Int64])
    case uint8([UInt8])
    case uint16([UInt16])
    case uint32([UInt32])
    case uint64([UInt64])
    case float32([Float])
    case float64([Double])
    /// Unscaled decimal values.
    case decimal([Int128])
    /// string, binary and fixed-size binary: value `i` is `data[offsets[i]..<offsets[i+1]]`.
    /// `offsets` has `count + 1` entries and is non-decreasing; `offsets[0]` need not be zero.
    case bytes(offsets: [Int64], data: [UInt8])
    /// list: the elements of row `i` are `child[offsets[i]..<offsets[i+1]]`.
    case list(offsets: [Int64], child: Column)
    /// struct: one child per field, each `count` long.
    case structure([Column])
    /// map: entries of row `i` are `keys/values[offsets[i]..<offsets[i+1]]`.
    case map(offsets: [Int64], keys: Column, values: Column)
}

/// A column: a logical type, a length, an optional validity bitmap and typed value buffers.
///
/// Slots whose validity bit is 0 are null; their value in the buffer is unspecified (zero by convention).
public struct Column: Sendable {
    /// The logical type.
    public let type: DataType
    /// Number of values (rows).
    public let count: Int
    /// 1 = present, 0 = null. `nil` means every value is present.
    public let validity: Bitmap?
    /// The value buffers.
    public let values: ColumnValues

    /// Creates a column, checking that buffer lengths agree with `count` and that `values` fits `type`.
    public init(type: DataType, count: Int, validity: Bitmap?, values: ColumnValues) throws(ColumnarError) {
        if let v = validity, v.count != count {
            throw .invalid("validity has \(v.count) bits for \(count) values")
        }
        try Column.check(type: type, count: count, values: values)
        self.type = type
        self.count = count
        self.validity = validity.flatMap { $0.allSet ? nil : $0 }
        self.values = values
    }

    /// Creates a column without checking; for producers that built the buffers consistently themselves.
    public init(unchecked type: DataType, count: Int, validity: Bitmap?, values: ColumnValues) {
        self.type = type
        self.count = count
        self.validity = validity
        self.values = values
    }

    /// Whether row `i` is null.
    @inlinable
    public func isNull(_ i: Int) -> Bool {
        guard let v = validity else { return false }
        return !v[i]
    }

    /// Number of null values.
    public var nullCount: Int {
        guard let v = validity else { return 0 }
        return count - v.setCount
    }

    private static func check(type: DataType, count: Int, values: ColumnValues) throws(ColumnarError) {
        func need(_ n: Int) throws(ColumnarError) {
            if n != count { throw .invalid("\(type.name) buffer has \(n) values for \(count) rows") }
        }
        func offsetsOK(_ offsets: [Int64], limit: Int) throws(ColumnarError) {
            if offsets.count != count + 1 { throw .invalid("\(type.name) has \(offsets.count) offsets for \(count) rows") }
            var prev = offsets[0]
            if prev < 0 { throw .invalid("negative offset") }
            for o in offsets.dropFirst() {
                if o < prev { throw .invalid("offsets decrease") }
                prev = o
            }
            if prev > Int64(limit) { throw .invalid("offset \(prev) past the end (\(limit))") }
        }
        switch (type, values) {
        case let (.boolean, .boolean(b)): try need(b.count)
        case let (.int8, .int8(a)): try need(a.count)
        case let (.int16, .int16(a)): try need(a.count)
        case let (.int32, .int32(a)), let (.date, .int32(a)): try need(a.count)
        case let (.int64, .int64(a)), let (.time, .int64(a)), let (.timestamp, .int64(a)): try need(a.count)
        case let (.uint8, .uint8(a)): try need(a.count)
        case let (.uint16, .uint16(a)): try need(a.count)
        case let (.uint32, .uint32(a)): try need(a.count)
        case let (.uint64, .uint64(a)): try need(a.count)
        case let (.float32, .float32(a)): try need(a.count)
        case let (.float64, .float64(a)): try need(a.count)
        case let (.decimal(p, s), .decimal(a)):
            if p < 1 || p > 38 || s < 0 || s > p { throw .invalid("decimal(\(p),\(s)) is not a valid decimal type") }
            try need(a.count)
        case let (.string, .bytes(o, d)), let (.binary, .bytes(o, d)): try offsetsOK(o, limit: d.count)
        case let (.fixedSizeBinary(w), .bytes(o, d)):
            try offsetsOK(o, limit: d.count)
            for i in 0..<count where o[i + 1] - o[i] != Int64(w) {
                throw .invalid("fixed_binary(\(w)) value \(i) has \(o[i + 1] - o[i]) bytes")
            }
        case let (.list(f), .list(o, child)):
            try offsetsOK(o, limit: child.count)
            if child.type != f.type { throw .invalid("list child is \(child.type.name), field says \(f.type.name)") }
        case let (.structure(fields), .structure(children)):
            if fields.count != children.count { throw .invalid("struct has \(children.count) children for \(fields.count) fields") }
            for (f, c) in zip(fields, children) {
                if c.count != count { throw .invalid("struct child \(f.name) has \(c.count) rows for \(count)") }
                if c.type != f.type { throw .invalid("struct child \(f.name) is \(c.type.name), field says \(f.type.name)") }
            }
        case let (.map(kf, vf), .map(o, k, v)):
            try offsetsOK(o, limit: k.count)
            if k.count != v.count { throw .invalid("map has \(k.count) keys and \(v.count) values") }
            if k.type != kf.type || v.type != vf.type { throw .invalid("map children do not match their fields") }
        default:
            throw .invalid("storage does not fit type \(type.name)")
        }
    }
}

/// Errors raised when column buffers are inconsistent or a value does not fit a type.
public enum ColumnarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Buffers disagree with each other or with the type.
    case invalid(String)

    public var description: String {
        switch self {
        case let .invalid(m): "invalid column: \(m)"
        }
    }
}
