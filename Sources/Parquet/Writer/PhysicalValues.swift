import Columnar

/// A leaf's values in their Parquet physical form. Columns already stored that way (int32, int64,
/// float, double, strings) are shared, not copied; narrower or wider types are converted once.
enum PhysicalValues {
    case boolean(Bitmap)
    case int32([Int32])
    case int64([Int64])
    case float([Float])
    case double([Double])
    /// BYTE_ARRAY values, or FIXED_LEN_BYTE_ARRAY when `fixedWidth` is set: value i is data[offsets[i]..<offsets[i+1]].
    case bytes(offsets: [Int64], data: [UInt8], fixedWidth: Int?)
}

/// The order statistics follow (ColumnOrder TYPE_ORDER as parquet.thrift defines it per type).
enum StatisticsOrder {
    /// Signed integer comparison.
    case signed
    /// Unsigned integer comparison (uint types).
    case unsigned
    /// IEEE comparison ignoring NaN.
    case floating
    /// false < true.
    case boolean
    /// Unsigned byte-wise lexicographic comparison.
    case bytes
    /// Numeric comparison of big-endian two's complement (FIXED_LEN_BYTE_ARRAY decimals).
    case decimalBytes
}

extension PhysicalValues {
    /// Converts `column`'s values (of leaf type `type`) to the physical form of `leaf`.
    static func of(_ column: Column, leaf: WriterLeaf) throws(ParquetError) -> PhysicalValues {
        func bad() -> ParquetError { ParquetError(.invalidArgument, "column \(leaf.path.joined(separator: ".")) storage does not match \(leaf.dataType.name)") }
        switch (leaf.dataType, column.values) {
        case let (.boolean, .boolean(b)): return .boolean(b)
        case let (.int8, .int8(a)): return .int32(a.map { Int32($0) })
        case let (.int16, .int16(a)): return .int32(a.map { Int32($0) })
        case let (.int32, .int32(a)), let (.date, .int32(a)): return .int32(a)
        case let (.uint8, .uint8(a)): return .int32(a.map { Int32($0) })
        case let (.uint16, .uint16(a)): return .int32(a.map { Int32($0) })
        case let (.uint32, .uint32(a)): return .int32(a.map { Int32(bitPattern: $0) })
        case let (.int64, .int64(a)), let (.timestamp, .int64(a)): return .int64(a)
        case let (.time(unit), .int64(a)):
            // TIME(MILLIS) is INT32 in Parquet; a millisecond time of day always fits.
            return unit == .millisecond ? .int32(a.map { Int32(truncatingIfNeeded: $0) }) : .int64(a)
        case let (.uint64, .uint64(a)): return .int64(a.map { Int64(bitPattern: $0) })
        case let (.float32, .float32(a)): return .float(a)
        case let (.float64, .float64(a)): return .double(a)
        case let (.string, .bytes(o, d)), let (.binary, .bytes(o, d)): return .bytes(offsets: o, data: d, fixedWidth: nil)
        case let (.fixedSizeBinary(w), .bytes(o, d)): return .bytes(offsets: o, data: d, fixedWidth: w)
        case let (.decimal(p, _), .decimal(a)):
            switch leaf.physicalType {
            case .int32:
                var out = [Int32](); out.reserveCapacity(a.count)
                for v in a {
                    guard let x = Int32(exactly: v) else { throw ParquetError(.invalidArgument, "decimal value \(v) exceeds precision \(p)") }
                    out.append(x)
                }
                return .int32(out)
            case .int64:
                var out = [Int64](); out.reserveCapacity(a.count)
                for v in a {
                    guard let x = Int64(exactly: v) else { throw ParquetError(.invalidArgument, "decimal value \(v) exceeds precision \(p)") }
                    out.append(x)
                }
                return .int64(out)
            default:
                let w = leaf.typeLength
                var data = [UInt8](repeating: 0, count: a.count * w)
                var offsets = [Int64](); offsets.reserveCapacity(a.count + 1)
                for (i, v) in a.enumerated() {
                    // Big-endian two's complement in `w` bytes: the low `w` bytes of the 128-bit value.
                    let bits = UInt128(bitPattern: v)
                    for k in 0..<w { data[i * w + k] = UInt8(truncatingIfNeeded: bits >> UInt128(8 * (w - 1 - k))) }
                    offsets.append(Int64(i * w))
                }
                offsets.append(Int64(a.count * w))
                return .bytes(offsets: offsets, data: data, fixedWidth: w)
            }
        default:
            throw bad()
        }
    }

    /// The statistics order of a leaf type.
    static func order(of type: DataType, physical: PhysicalType) -> StatisticsOrder {
        switch type {
        case .boolean: .boolean
        case .uint8, .uint16, .uint32, .uint64: .unsigned
        case .float32, .float64: .floating
        case .string, .binary, .fixedSizeBinary: .bytes
        case .decimal: physical == .fixedLenByteArray ? .decimalBytes : .signed
        default: .signed
        }
    }
}
