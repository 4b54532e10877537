import Columnar

/// Maps a Parquet leaf (physical type + annotations) to the Columnar type it is read as, following what
/// pyarrow does so both read a file to the same values.
///
/// Deliberate differences from pyarrow, forced by the Columnar type system:
/// - FLOAT16 reads as `float32` (pyarrow: `halffloat`); every half value is exact in a Float.
/// - the UNKNOWN (null) logical type reads as the physical type's column with every value null
///   (pyarrow: `null`); Columnar has no null type and the levels already say "null" for every slot.
/// - DECIMAL with precision above 38 is unsupported (pyarrow: `decimal256`).
enum ColumnTypes {
    static func dataType(for e: SchemaElement, path: [String], int96Unit: TimeUnit = .nanosecond) throws(ParquetError) -> DataType {
        guard let physical = e.type else { throw .corrupt("leaf \(path.joined(separator: ".")) has no physical type") }
        let name = path.joined(separator: ".")
        func mismatch(_ what: String) -> ParquetError {
            .unsupported("column \(name): \(what) annotation on physical type \(physical)")
        }
        func decimal(_ precision: Int32?, _ scale: Int32?) throws(ParquetError) -> DataType {
            let p = Int(precision ?? 0), s = Int(scale ?? 0)
            guard p >= 1 else { throw .corrupt("column \(name): decimal precision \(p) is not positive") }
            guard p <= 38 else { throw .unsupported("column \(name): decimal precision \(p) is above 38") }
            guard s >= 0, s <= p else { throw .unsupported("column \(name): decimal scale \(s) is outside 0...\(p)") }
            switch physical {
            case .int32, .int64, .byteArray: break
            case .fixedLenByteArray:
                // More than 16 bytes cannot be a decimal of precision <= 38 in any valid file.
                guard let len = e.typeLength, len >= 1, len <= 16 else {
                    throw .unsupported("column \(name): decimal in a \(e.typeLength ?? 0)-byte fixed array")
                }
            default: throw mismatch("DECIMAL")
            }
            return .decimal(precision: p, scale: s)
        }
        func integer(_ bits: Int, _ signed: Bool) throws(ParquetError) -> DataType {
            switch (bits, signed) {
            case (8, true): guard physical == .int32 else { throw mismatch("INT(8)") }; return .int8
            case (16, true): guard physical == .int32 else { throw mismatch("INT(16)") }; return .int16
            case (32, true): guard physical == .int32 else { throw mismatch("INT(32)") }; return .int32
            case (64, true): guard physical == .int64 else { throw mismatch("INT(64)") }; return .int64
            case (8, false): guard physical == .int32 else { throw mismatch("UINT(8)") }; return .uint8
            case (16, false): guard physical == .int32 else { throw mismatch("UINT(16)") }; return .uint16
            case (32, false): guard physical == .int32 else { throw mismatch("UINT(32)") }; return .uint32
            case (64, false): guard physical == .int64 else { throw mismatch("UINT(64)") }; return .uint64
            default: throw .unsupported("column \(name): integer bit width \(bits)")
            }
        }
        func text() throws(ParquetError) -> DataType {
            guard physical == .byteArray else { throw mismatch("STRING") }
            return .string
        }

        if let logical = e.logicalType {
            switch logical {
            case .string, .enum, .json: return try text()
            case .bson:
                guard physical == .byteArray else { throw mismatch("BSON") }
                return .binary
            case .uuid:
                guard physical == .fixedLenByteArray, e.typeLength == 16 else { throw mismatch("UUID") }
                return .fixedSizeBinary(16)
            case .float16:
                guard physical == .fixedLenByteArray, e.typeLength == 2 else { throw mismatch("FLOAT16") }
                return .float32
            case let .decimal(scale, precision): return try decimal(precision, scale)
            case .date:
                guard physical == .int32 else { throw mismatch("DATE") }
                return .date
            case let .time(_, unit):
                guard physical == (unit == .millisecond ? .int32 : .int64) else { throw mismatch("TIME") }
                return .time(unit)
            case let .timestamp(utc, unit):
                guard physical == .int64 else { throw mismatch("TIMESTAMP") }
                return .timestamp(unit, utc: utc)
            case let .integer(bits, signed): return try integer(Int(bits), signed)
            case .null, .map, .list, .variant, .unknown: break
            }
        }
        if let converted = e.convertedType, !(e.logicalType.map(isUnknown) ?? false) {
            switch converted {
            case .utf8, .enum, .json: return try text()
            case .bson:
                guard physical == .byteArray else { throw mismatch("BSON") }
                return .binary
            case .decimal: return try decimal(e.precision, e.scale)
            case .date:
                guard physical == .int32 else { throw mismatch("DATE") }
                return .date
            case .timeMillis:
                guard physical == .int32 else { throw mismatch("TIME_MILLIS") }
                return .time(.millisecond)
            case .timeMicros:
                guard physical == .int64 else { throw mismatch("TIME_MICROS") }
                return .time(.microsecond)
            case .timestampMillis:
                guard physical == .int64 else { throw mismatch("TIMESTAMP_MILLIS") }
                return .timestamp(.millisecond, utc: true)
            case .timestampMicros:
                guard physical == .int64 else { throw mismatch("TIMESTAMP_MICROS") }
                return .timestamp(.microsecond, utc: true)
            case .int8: return try integer(8, true)
            case .int16: return try integer(16, true)
            case .int32: return try integer(32, true)
            case .int64: return try integer(64, true)
            case .uint8: return try integer(8, false)
            case .uint16: return try integer(16, false)
            case .uint32: return try integer(32, false)
            case .uint64: return try integer(64, false)
            default: break
            }
        }
        switch physical {
        case .boolean: return .boolean
        case .int32: return .int32
        case .int64: return .int64
        // INT96 is the legacy Impala/Spark timestamp: pyarrow reads it as wall-clock nanoseconds by
        // default; a Delta reader asks for microseconds, the unit Spark wrote them in.
        case .int96: return .timestamp(int96Unit, utc: false)
        case .float: return .float32
        case .double: return .float64
        case .byteArray: return .binary
        case .fixedLenByteArray:
            guard let len = e.typeLength, len >= 0 else { throw .corrupt("column \(name): FIXED_LEN_BYTE_ARRAY without a valid type_length") }
            return .fixedSizeBinary(Int(len))
        }
    }

    private static func isUnknown(_ t: LogicalType) -> Bool {
        if case .unknown = t { return true }
        return false
    }
}
