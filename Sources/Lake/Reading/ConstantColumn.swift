import Columnar

/// A column repeating one value, built straight into typed buffers: partition columns of large files would
/// otherwise box one `Scalar` per row.
enum ConstantColumn {
    static func make(_ value: Scalar, type: DataType, count: Int) throws -> Column {
        if value == .null {
            return try Column(type, [Scalar](repeating: .null, count: count))
        }
        switch (type, value) {
        case let (.int8, .int(v)): return try Column(type: type, count: count, validity: nil, values: .int8(.init(repeating: Int8(truncatingIfNeeded: v), count: count)))
        case let (.int16, .int(v)): return try Column(type: type, count: count, validity: nil, values: .int16(.init(repeating: Int16(truncatingIfNeeded: v), count: count)))
        case let (.int32, .int(v)), let (.date, .int(v)):
            return try Column(type: type, count: count, validity: nil, values: .int32(.init(repeating: Int32(truncatingIfNeeded: v), count: count)))
        case let (.int64, .int(v)), let (.timestamp, .int(v)):
            return try Column(type: type, count: count, validity: nil, values: .int64(.init(repeating: v, count: count)))
        case let (.float32, .float(v)): return try Column(type: type, count: count, validity: nil, values: .float32(.init(repeating: v, count: count)))
        case let (.float64, .double(v)): return try Column(type: type, count: count, validity: nil, values: .float64(.init(repeating: v, count: count)))
        case let (.decimal, .decimal(v)): return try Column(type: type, count: count, validity: nil, values: .decimal(.init(repeating: v, count: count)))
        case let (.boolean, .boolean(v)): return try Column(type: type, count: count, validity: nil, values: .boolean(Bitmap(count: count, value: v)))
        case let (.string, .string(s)):
            return try bytes(Array(s.utf8), type: type, count: count)
        case let (.binary, .bytes(b)):
            return try bytes(b, type: type, count: count)
        default:
            return try Column(type, [Scalar](repeating: value, count: count))
        }
    }

    private static func bytes(_ value: [UInt8], type: DataType, count: Int) throws -> Column {
        var data: [UInt8] = []
        data.reserveCapacity(value.count * count)
        var offsets: [Int64] = [0]
        offsets.reserveCapacity(count + 1)
        for _ in 0..<count {
            data.append(contentsOf: value)
            offsets.append(Int64(data.count))
        }
        return try Column(type: type, count: count, validity: nil, values: .bytes(offsets: offsets, data: data))
    }
}
