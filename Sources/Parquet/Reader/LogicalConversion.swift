import Columnar

/// Converts dense physical values to the leaf's Columnar storage (the descriptor's `dataType`).
///
/// Conversions follow pyarrow: narrower integers are truncated from INT32 (the file is trusted to hold
/// values that fit, as the annotation promises), INT96 becomes the timestamp unit the schema chose
/// (`ParquetReadOptions.int96TimestampUnit`: nanoseconds wrap like pyarrow, coarser units are exact or throw), decimals
/// are sign-extended from big-endian two's complement, FLOAT16 widens exactly to Float.
enum LogicalConversion {
    static func convert(_ values: DecodedValues, to d: ColumnDescriptor) throws(ParquetError) -> ColumnValues {
        switch (d.dataType, values) {
        case let (.boolean, .boolean(b)): return .boolean(b)
        case let (.int32, .int32(a)), let (.date, .int32(a)): return .int32(a)
        case let (.int8, .int32(a)): return .int8(a.map { Int8(truncatingIfNeeded: $0) })
        case let (.int16, .int32(a)): return .int16(a.map { Int16(truncatingIfNeeded: $0) })
        case let (.uint8, .int32(a)): return .uint8(a.map { UInt8(truncatingIfNeeded: $0) })
        case let (.uint16, .int32(a)): return .uint16(a.map { UInt16(truncatingIfNeeded: $0) })
        case let (.uint32, .int32(a)): return .uint32(a.map { UInt32(bitPattern: $0) })
        case let (.time, .int32(a)): return .int64(a.map { Int64($0) })
        case let (.int64, .int64(a)), let (.time, .int64(a)), let (.timestamp, .int64(a)): return .int64(a)
        case let (.uint64, .int64(a)): return .uint64(a.map { UInt64(bitPattern: $0) })
        case let (.decimal, .int32(a)): return .decimal(a.map { Int128($0) })
        case let (.decimal, .int64(a)): return .decimal(a.map { Int128($0) })
        case let (.decimal, .byteArray(o, data)):
            var out = [Int128](repeating: 0, count: o.count - 1)
            for i in 0..<out.count {
                let s = Int(o[i]), e = Int(o[i + 1])
                out[i] = try bigEndianDecimal(data, s, e - s)
            }
            return .decimal(out)
        case let (.decimal, .fixed(w, data)):
            let n = w == 0 ? 0 : data.count / w
            var out = [Int128](repeating: 0, count: n)
            for i in 0..<n { out[i] = try bigEndianDecimal(data, i * w, w) }
            return .decimal(out)
        case let (.timestamp(unit, _), .int96(data)):
            var out = [Int64]()
            try withBytes(data) { (raw) throws(ParquetError) in
                try Int96Timestamp.appendValues(raw, unit: unit, to: &out)
            }
            return .int64(out)
        case let (.float32, .float(a)): return .float32(a)
        case let (.float64, .double(a)): return .float64(a)
        case let (.float32, .fixed(2, data)):
            var out = [Float](repeating: 0, count: data.count / 2)
            for i in 0..<out.count {
                out[i] = Float(Float16(bitPattern: UInt16(data[2 * i]) | UInt16(data[2 * i + 1]) << 8))
            }
            return .float32(out)
        case let (.string, .byteArray(o, data)), let (.binary, .byteArray(o, data)):
            return .bytes(offsets: o, data: data)
        case let (.fixedSizeBinary(w), .fixed(pw, data)) where w == pw:
            let n = w == 0 ? 0 : data.count / w
            var offsets = [Int64](repeating: 0, count: n + 1)
            for i in 0..<(n + 1) { offsets[i] = Int64(i * w) }
            return .bytes(offsets: offsets, data: data)
        default:
            throw .unsupported("cannot read \(d.physicalType) values as \(d.dataType.name)")
        }
    }

    /// A big-endian two's-complement integer of 1...16 bytes, sign-extended.
    static func bigEndianDecimal(_ data: [UInt8], _ start: Int, _ count: Int) throws(ParquetError) -> Int128 {
        guard count <= 16 else { throw .unsupported("decimal value of \(count) bytes does not fit 128 bits") }
        if count == 0 { return 0 }
        var v: UInt128 = data[start] & 0x80 != 0 ? ~0 : 0
        for k in 0..<count { v = (v << 8) | UInt128(data[start + k]) }
        return Int128(bitPattern: v)
    }
}
